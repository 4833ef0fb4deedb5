"""Every write to ideas. Each runs in one transaction and appends to the idea's history.

Errors are the board's domain errors (``InvalidInput`` 422, ``WipLimitExceeded`` 409 …), so the
API's one error envelope and the views' messages handle them without anything new.
"""

import csv
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from leanmark.accounts.models import User, Workspace
from leanmark.accounts.services import audit
from leanmark.board import queries as board_queries
from leanmark.board import services as board_services
from leanmark.board.choices import Lane
from leanmark.board.services import (
    clean_channel,
    clean_description,
    clean_reason,
    clean_stage,
    clean_tags,
    clean_title,
    no_control_characters,
)
from leanmark.domain import value
from leanmark.domain.value import CostOfDelay, InvalidScore, Model, Profile
from leanmark.lib import csvrows
from leanmark.lib.errors import InvalidInput, WrongState
from leanmark.lib.notify import publish
from leanmark.lib.numbers import unsigned_zero

from .models import (
    OPEN_STATUSES,
    BacklogSettings,
    Idea,
    IdeaEvent,
    Status,
    ValueUnit,
)

if TYPE_CHECKING:  # annotations only: the board's rows are read through its queries
    from leanmark.board.models import Board, Card

SOURCE_MAX = 200
HYPOTHESIS_MAX = 5_000
CSV_MAX_BYTES = 5 * 1024 * 1024
CSV_MAX_ROWS = 10_000
ProgressCallback = Callable[[int, int], None]


# ---- small helpers ------------------------------------------------------------------------------


def _event(
    idea: Idea,
    kind: str,
    actor: User | None,
    at: datetime,
    *,
    reason: str = "",
    data: dict[str, Any] | None = None,
) -> IdeaEvent:
    return IdeaEvent.objects.create(
        idea=idea, kind=kind, actor=actor, at=at, reason=reason, data=data or {}
    )


def _jsonable(item: Any) -> Any:
    if isinstance(item, date | Decimal):
        return str(item)
    return item


def clean_source(text: object) -> str:
    source = str(text or "").strip()
    if len(source) > SOURCE_MAX:
        raise InvalidInput(f"the source has at most {SOURCE_MAX} characters", field="source")
    return no_control_characters(source, "source")


def clean_hypothesis(text: object) -> str:
    hypothesis = str(text or "")
    if len(hypothesis) > HYPOTHESIS_MAX:
        raise InvalidInput(
            f"the hypothesis has at most {HYPOTHESIS_MAX:,} characters", field="hypothesis"
        )
    return no_control_characters(hypothesis.strip(), "hypothesis", allow_newlines=True)


def _number(raw: Any, field: str, label: str, *, required: bool = True) -> float | None:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        if required:
            raise InvalidInput(f"{label} is missing", field=field)
        return None
    if isinstance(raw, bool):
        raise InvalidInput(f"{label} must be a number", field=field)
    try:
        number = Decimal(str(raw).strip().replace(",", "")) if isinstance(raw, str) else raw
        result = float(number)
    except (InvalidOperation, TypeError, ValueError):
        raise InvalidInput(
            f"{label} must be a number, not {str(raw)[:20]!r}", field=field
        ) from None
    if result != result or abs(result) >= 1e12:
        raise InvalidInput(f"{label} must be a number below a trillion", field=field)
    return result


def _date(raw: Any, field: str, label: str) -> date | None:
    if raw in (None, ""):
        return None
    if isinstance(raw, date):
        return raw
    try:
        return date.fromisoformat(str(raw).strip())
    except ValueError:
        raise InvalidInput(
            f"{label} {str(raw)[:20]!r} is not a date (YYYY-MM-DD)", field=field
        ) from None


def _score_error(error: InvalidScore) -> InvalidInput:
    return InvalidInput(error.message, field=error.field)


def _today(workspace: Workspace) -> date:
    from .queries import today

    return today(workspace)


# ---- capture and edit ---------------------------------------------------------------------------

DETAIL_FIELDS = ("description", "source", "stage", "channel", "tags", "hypothesis")
CLEANERS: dict[str, Callable[[Any], Any]] = {
    "title": clean_title,
    "description": clean_description,
    "source": clean_source,
    "stage": clean_stage,
    "channel": clean_channel,
    "tags": clean_tags,
    "hypothesis": clean_hypothesis,
}


@transaction.atomic
def capture_idea(
    workspace: Workspace,
    *,
    title: object,
    actor: User | None,
    at: datetime | None = None,
    **detail: Any,
) -> Idea:
    """A new idea: only the title is needed; detail (description, source, stage, channel, tags,
    hypothesis) is optional and can be added later."""
    unknown = set(detail) - set(DETAIL_FIELDS)
    if unknown:
        raise InvalidInput(f"unknown idea fields: {', '.join(sorted(unknown))}", field="detail")
    at = at or timezone.now()
    fields = {name: CLEANERS[name](detail.get(name)) for name in DETAIL_FIELDS}
    idea = Idea.objects.create(
        workspace=workspace,
        title=clean_title(title),
        created_by=actor,
        created_at=at,
        updated_at=at,
        **fields,
    )
    _event(idea, IdeaEvent.Kind.CAPTURED, actor, at, data={"title": idea.title})
    publish(workspace.pk, "idea.captured", {"idea": idea.pk, "title": idea.title})
    return idea


def _locked(idea: Idea) -> Idea:
    return (
        Idea.objects.select_for_update(no_key=True, of=("self",))
        .select_related("workspace")
        .get(pk=idea.pk)
    )


def _check_version(idea: Idea, expected: int | None) -> None:
    if expected is not None and expected != idea.version:
        raise board_services.StaleVersion(
            f"the idea changed since you loaded it (version {expected}, now {idea.version}); "
            "reload it and apply your change again",
            field="version",
        )


@transaction.atomic
def edit_idea(
    idea: Idea,
    *,
    changes: dict[str, object],
    actor: User | None,
    expected_version: int | None = None,
) -> Idea:
    idea = _locked(idea)
    _check_version(idea, expected_version)
    unknown = set(changes) - set(CLEANERS)
    if unknown:
        raise InvalidInput(
            f"these fields cannot be edited: {', '.join(sorted(unknown))}", field=sorted(unknown)[0]
        )
    diff: dict[str, list[Any]] = {}
    for name, raw in changes.items():
        new = CLEANERS[name](raw)
        old = getattr(idea, name)
        if new != old:
            diff[name] = [_jsonable(old), _jsonable(new)]
            setattr(idea, name, new)
    if not diff:
        return idea
    idea.version += 1
    idea.updated_at = timezone.now()
    idea.save(update_fields=[*diff, "version", "updated_at"])
    _event(idea, IdeaEvent.Kind.EDITED, actor, idea.updated_at, data={"fields": diff})
    return idea


# ---- scoring ------------------------------------------------------------------------------------

SCORE_FIELDS = {
    Model.ICE: ("ice_impact", "ice_confidence", "ice_ease"),
    Model.RICE: ("rice_reach", "rice_impact", "rice_confidence", "rice_effort"),
    Model.CD3: (
        "cod_profile",
        "value_rate",
        "value_unit",
        "duration_weeks",
        "deadline",
        "penalty",
        "horizon",
    ),
}


def clean_model(model: object) -> Model:
    try:
        return Model(str(model).lower())
    except ValueError:
        raise InvalidInput(
            f"unknown scoring model {model!r}; choose one of ice, rice, cd3", field="model"
        ) from None


def _to_decimal(number: float | None, places: str = "0.01") -> Decimal | None:
    return None if number is None else unsigned_zero(Decimal(str(number)).quantize(Decimal(places)))


def score_values(model: Model, values: dict[str, object], *, today: date) -> dict[str, Any]:
    """Validate one model's inputs (text from a form, numbers from the API) and return the idea's
    field values; raises InvalidInput naming the field."""
    try:
        if model is Model.ICE:
            raw = [
                _number(values.get(k), k, k.capitalize()) for k in ("impact", "confidence", "ease")
            ]
            value.ice(*raw)  # type: ignore[arg-type]
            return dict(
                zip(SCORE_FIELDS[model], (int(n) for n in raw if n is not None), strict=True)
            )
        if model is Model.RICE:
            reach = _number(values.get("reach"), "reach", "Reach")
            impact = _number(values.get("impact"), "impact", "Impact")
            confidence = _number(values.get("confidence"), "confidence", "Confidence")
            effort = _number(values.get("effort"), "effort", "Effort")
            if effort is not None and effort >= 1_000_000:
                raise InvalidInput("Effort must be below 1,000,000 person-months", field="effort")
            value.rice(reach, impact, confidence, effort)  # type: ignore[arg-type]
            return {
                "rice_reach": _to_decimal(reach),
                "rice_impact": _to_decimal(impact),
                "rice_confidence": int(confidence or 0),
                "rice_effort": _to_decimal(effort),
            }
        # "Fixed date" as a person writes it, or fixed_date as the API and the CLI do.
        profile = str(values.get("profile") or "").strip().lower().replace(" ", "_").replace(
            "-", "_"
        ) or str(Profile.STANDARD)
        unit = str(values.get("value_unit") or ValueUnit.MONEY)
        if unit not in ValueUnit.values:
            raise InvalidInput(
                f"the value unit must be money or points, not {unit[:20]!r}", field="value_unit"
            )
        cod = CostOfDelay(
            profile=profile,  # type: ignore[arg-type]
            value_rate=_number(values.get("value_rate"), "value_rate", "The value rate"),  # type: ignore[arg-type]
            duration_weeks=_number(  # type: ignore[arg-type]
                values.get("duration_weeks"), "duration_weeks", "The duration (weeks)"
            ),
            deadline=_date(values.get("deadline"), "deadline", "The deadline"),
            penalty=_number(values.get("penalty"), "penalty", "The penalty", required=False),
            horizon=_date(values.get("horizon"), "horizon", "The horizon"),
            points=unit == ValueUnit.POINTS,
        )
        value.check_cost_of_delay(cod, today=today)
    except InvalidScore as error:
        raise _score_error(error) from None
    fixed = profile == Profile.FIXED_DATE
    return {
        "cod_profile": str(Profile(profile)),
        "value_rate": _to_decimal(cod.value_rate),
        "value_unit": unit,
        "duration_weeks": _to_decimal(cod.duration_weeks),
        "deadline": cod.deadline if fixed else None,
        "penalty": _to_decimal(cod.penalty) if fixed else None,
        "horizon": cod.horizon if profile == Profile.INTANGIBLE else None,
    }


@transaction.atomic
def score_idea(
    idea: Idea,
    *,
    model: object,
    values: dict[str, object],
    actor: User | None,
    today: date | None = None,
    expected_version: int | None = None,
) -> Idea:
    """Store one model's score inputs. A new idea becomes evaluated; a confidence score (ICE or
    RICE) clears the "evidence changed" badge."""
    idea = _locked(idea)
    _check_version(idea, expected_version)
    chosen = clean_model(model)
    fields = score_values(chosen, values, today=today or _today(idea.workspace))
    before = {name: _jsonable(getattr(idea, name)) for name in fields}
    for name, new in fields.items():
        setattr(idea, name, new)
    after = {name: _jsonable(getattr(idea, name)) for name in fields}
    changed = [*fields, "version", "updated_at"]
    idea.updated_at = timezone.now()
    reason = ""
    if idea.status == Status.NEW:
        idea.status = Status.EVALUATED
        changed.append("status")
    if chosen in (Model.ICE, Model.RICE) and idea.evidence_changed_at is not None:
        reason = f"re-scored after: {idea.evidence_source}"[:300]
        idea.evidence_changed_at, idea.evidence_source = None, ""
        changed += ["evidence_changed_at", "evidence_source"]
    idea.version += 1
    idea.save(update_fields=changed)
    _event(
        idea,
        IdeaEvent.Kind.SCORED,
        actor,
        idea.updated_at,
        reason=reason,
        data={"model": chosen.value, "from": before, "to": after},
    )
    return idea


# ---- triage -------------------------------------------------------------------------------------

NEEDS_REASON = (Status.PARKED, Status.REJECTED)


def clean_status(status: object) -> str:
    if status not in Status.values:
        raise InvalidInput(
            f"unknown status {status!r}; choose one of {', '.join(Status.values)}", field="status"
        )
    return str(status)


def _transition(idea: Idea, status: str, reason: str) -> str | None:
    """The status to store (None: nothing to change); raises for a move the rules forbid."""
    if idea.card_id is not None:
        raise WrongState(
            f"{idea.title!r} is already on the board as a card; change the card instead",
            field="status",
        )
    if status in NEEDS_REASON and not reason:
        raise InvalidInput(f"say why the idea is {status}: a reason is required", field="reason")
    scored = idea.has_ice or idea.has_rice or idea.has_cod
    if status == Status.NEW:
        status = Status.EVALUATED if scored else Status.NEW  # reopening keeps its scores
    if status == Status.EVALUATED and not scored:
        raise InvalidInput(
            f"{idea.title!r} has no score yet: score it (ICE, RICE or CD3) to evaluate it",
            field="status",
        )
    if status == Status.ACCEPTED and not scored:
        raise InvalidInput(
            f"{idea.title!r} has no score yet: score it before accepting it, so the backlog can "
            "rank it",
            field="status",
        )
    if status == idea.status and reason == idea.status_reason:
        return None
    return status


@transaction.atomic
def set_status(idea: Idea, *, status: object, reason: object = "", actor: User | None) -> Idea:
    """new → evaluated → accepted | parked | rejected; park and reject need a reason."""
    idea = _locked(idea)
    target = _transition(idea, clean_status(status), clean_reason(reason))
    if target is None:
        return idea
    _apply_status(idea, target, clean_reason(reason), actor, timezone.now())
    return idea


def _apply_status(idea: Idea, status: str, reason: str, actor: User | None, at: datetime) -> None:
    old = idea.status
    idea.status = status
    idea.status_reason = reason if status in NEEDS_REASON else ""
    idea.version += 1
    idea.updated_at = at
    idea.save(update_fields=["status", "status_reason", "version", "updated_at"])
    _event(idea, IdeaEvent.Kind.STATUS, actor, at, reason=reason, data={"from": old, "to": status})
    if status == Status.ACCEPTED:
        publish(idea.workspace_id, "idea.accepted", {"idea": idea.pk, "title": idea.title})


@transaction.atomic
def bulk_set_status(
    workspace: Workspace,
    ids: Iterable[int],
    *,
    status: object,
    reason: object = "",
    actor: User | None,
) -> int:
    """Set the status of many ideas at once: all or none (the error names the idea)."""
    ids = list(dict.fromkeys(ids))
    if not ids:
        raise InvalidInput("select at least one idea", field="ids")
    status, reason = clean_status(status), clean_reason(reason)
    ideas = list(
        Idea.objects.select_for_update(no_key=True, of=("self",)).filter(
            workspace=workspace, pk__in=ids
        )
    )
    if len(ideas) != len(ids):
        raise InvalidInput("some of the selected ideas do not exist in this workspace", field="ids")
    at = timezone.now()
    planned = [(idea, _transition(idea, status, reason)) for idea in ideas]
    changed = 0
    for idea, target in planned:
        if target is not None:
            _apply_status(idea, target, reason, actor, at)
            changed += 1
    return changed


# ---- pull into work -----------------------------------------------------------------------------

LANE_OF_PROFILE = {
    Profile.EXPEDITE: Lane.EXPEDITE,
    Profile.FIXED_DATE: Lane.FIXED_DATE,
    Profile.INTANGIBLE: Lane.INTANGIBLE,
    Profile.STANDARD: Lane.STANDARD,
}


def _card_description(idea: Idea) -> str:
    parts = [idea.description.strip()]
    if idea.hypothesis:
        parts.append(f"**Hypothesis:** {idea.hypothesis}")
    if idea.source:
        parts.append(f"*Source:* {idea.source}")
    return "\n\n".join(p for p in parts if p)[: board_services.DESCRIPTION_MAX]


@transaction.atomic
def start_idea(
    idea: Idea, *, actor: User | None, board: "Board | None" = None, reason: str = ""
) -> "Card":
    """Turn an accepted idea into a card in the first column of the board (the workspace's first
    board by default). The board's WIP limits apply: a full column refuses with the board's own
    message (WipLimitExceeded, or OverrideReasonRequired for a soft limit without a reason)."""
    idea = _locked(idea)
    if idea.card_id is not None:
        raise WrongState(f"{idea.title!r} is already on the board", field="idea")
    if idea.status != Status.ACCEPTED:
        raise WrongState(
            f"only accepted ideas can be started; {idea.title!r} is {idea.status}", field="status"
        )
    if board is None:
        boards = board_queries.boards_of(idea.workspace)
        if not boards:
            raise InvalidInput("this workspace has no board yet; create one first", field="board")
        board = boards[0]
    if board.workspace_id != idea.workspace_id:
        raise InvalidInput("the board belongs to another workspace", field="board")
    lane = (
        LANE_OF_PROFILE.get(Profile(idea.cod_profile), Lane.STANDARD)
        if idea.cod_profile
        else (Lane.STANDARD)
    )
    card = board_services.create_card(
        board,
        title=idea.title,
        actor=actor,
        lane=lane,
        description=_card_description(idea),
        due_date=idea.deadline if idea.cod_profile == Profile.FIXED_DATE else None,
        stage=idea.stage,
        channel=idea.channel,
        tags=idea.tags,
        reason=reason,
    )
    at = card.created_at
    idea.card, idea.started_at = card, at
    idea.version += 1
    idea.updated_at = at
    idea.save(update_fields=["card", "started_at", "version", "updated_at"])
    _event(
        idea,
        IdeaEvent.Kind.STARTED,
        actor,
        at,
        reason=clean_reason(reason),
        data={"card": card.pk, "number": card.number, "column": card.column.name, "lane": lane},
    )
    publish(idea.workspace_id, "idea.started", {"idea": idea.pk, "card": card.pk})
    return card


# ---- evidence feedback --------------------------------------------------------------------------


@transaction.atomic
def flag_evidence_changed(
    *, workspace: Workspace, stage: str, channel: str, source: str, at: datetime | None = None
) -> int:
    """Mark the open ideas of this hourglass stage and channel "evidence changed — re-score
    confidence" (an experiment on them concluded). A blank channel matches every channel of the
    stage. Returns how many ideas were marked."""
    stage = clean_stage(stage)
    source = clean_source(source) or "an experiment concluded"
    ideas = Idea.objects.filter(workspace=workspace, status__in=OPEN_STATUSES, card__isnull=True)
    ideas = ideas.filter(stage=stage)
    if channel.strip():
        ideas = ideas.filter(channel__iexact=channel.strip())
    ids = list(ideas.values_list("pk", flat=True))
    if not ids:
        return 0
    at = at or timezone.now()  # a back-dated decision (an import, the demo) passes its date
    Idea.objects.filter(pk__in=ids).update(evidence_changed_at=at, evidence_source=source)
    IdeaEvent.objects.bulk_create(
        IdeaEvent(idea_id=pk, kind=IdeaEvent.Kind.EVIDENCE, at=at, reason=source) for pk in ids
    )
    return len(ids)


# ---- delete and settings ------------------------------------------------------------------------


@transaction.atomic
def delete_idea(idea: Idea, *, actor: User | None) -> None:
    """Delete an idea and its history (a card made from it stays); the audit trail keeps a line."""
    audit(idea.workspace, actor, "idea.deleted", f"deleted idea {idea.pk} {idea.title!r}")
    idea.delete()


@transaction.atomic
def set_default_model(
    workspace: Workspace, model: object, *, actor: User | None
) -> BacklogSettings:
    chosen = clean_model(model)
    settings, _ = BacklogSettings.objects.get_or_create(workspace=workspace)
    if settings.default_model != chosen.value:
        old = settings.default_model
        settings.default_model = chosen.value
        settings.save(update_fields=["default_model"])
        audit(workspace, actor, "backlog.model", f"backlog ranked by {chosen.value} (was {old})")
    return settings


# ---- CSV import ---------------------------------------------------------------------------------

CSV_COLUMNS = {
    "title": "the idea (required)",
    "description": "Markdown detail",
    "source": "who or what suggested it",
    "stage": "hourglass stage: know, like, trust, try, buy, repeat, refer",
    "channel": "marketing channel",
    "tags": "comma-separated",
    "hypothesis": "what you believe will happen",
    "status": "new, evaluated, accepted, parked or rejected (default: new, or evaluated if scored)",
    "reason": "why parked or rejected (required for those)",
    "ice_impact": "ICE 1–10",
    "ice_confidence": "ICE 1–10",
    "ice_ease": "ICE 1–10",
    "rice_reach": "RICE reach",
    "rice_impact": "RICE 3, 2, 1, 0.5 or 0.25",
    "rice_confidence": "RICE 100, 80 or 50",
    "rice_effort": "RICE person-months, at least 0.5",
    "profile": "standard, fixed date, intangible or expedite",
    "value_rate": "value per week once delivered",
    "value_unit": "money or points",
    "duration_weeks": "weeks of work, more than 0",
    "deadline": "fixed date: YYYY-MM-DD",
    "penalty": "fixed date: cost per week once missed",
    "horizon": "intangible: YYYY-MM-DD",
}
REQUIRED_COLUMNS = ("title",)


@dataclass(frozen=True)
class ImportResult:
    created: list[Idea]


class ImportRejected(InvalidInput):
    """The whole file is refused; ``problems`` lists (line, message) for every bad row."""

    def __init__(self, message: str, problems: Sequence[tuple[int, str]] = ()) -> None:
        super().__init__(message, field="file")
        self.problems = list(problems)


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise ImportRejected(
            f"the file is not UTF-8 text (byte 0x{data[error.start]:02x} on line {line}); "
            "save it as 'CSV UTF-8' and try again"
        ) from None


def _row_idea(
    workspace: Workspace, row: dict[str, str], today: date, actor: User | None, at: datetime
) -> tuple[Idea, dict[str, Any]]:
    idea = Idea(
        workspace=workspace,
        title=clean_title(row.get("title", "")),
        created_by=actor,
        created_at=at,
        updated_at=at,
        **{name: CLEANERS[name](row.get(name, "")) for name in DETAIL_FIELDS},
    )
    scores: dict[str, Any] = {}
    groups = {
        Model.ICE: {k: row.get(f"ice_{k}", "") for k in ("impact", "confidence", "ease")},
        Model.RICE: {
            k: row.get(f"rice_{k}", "") for k in ("reach", "impact", "confidence", "effort")
        },
        Model.CD3: {
            k: row.get(k, "")
            for k in (
                "profile",
                "value_rate",
                "value_unit",
                "duration_weeks",
                "deadline",
                "penalty",
                "horizon",
            )
        },
    }
    for model, values in groups.items():
        if any(str(v).strip() for v in values.values()):
            fields = score_values(model, values, today=today)
            scores[model.value] = {k: _jsonable(v) for k, v in fields.items()}
            for name, new in fields.items():
                setattr(idea, name, new)
    status = (row.get("status") or "").strip().lower()
    reason = clean_reason(row.get("reason", ""))
    scored = bool(scores)
    if status:
        clean_status(status)
        if status in NEEDS_REASON and not reason:
            raise InvalidInput(
                f"a {status} idea needs a reason (the reason column)", field="reason"
            )
        if status in (Status.EVALUATED, Status.ACCEPTED) and not scored:
            raise InvalidInput(f"an idea cannot be {status} without a score", field="status")
        idea.status = status
        idea.status_reason = reason if status in NEEDS_REASON else ""
    elif scored:
        idea.status = Status.EVALUATED
    return idea, scores


@transaction.atomic
def import_csv(
    workspace: Workspace,
    data: bytes,
    *,
    actor: User | None,
    progress: ProgressCallback | None = None,
    today: date | None = None,
) -> ImportResult:
    """Ideas from a CSV file whose header names the columns (``CSV_COLUMNS``; only ``title`` is
    required). All or nothing: any bad row rejects the whole file, with every bad line listed."""
    if len(data) > CSV_MAX_BYTES:
        raise ImportRejected(f"the file is larger than {CSV_MAX_BYTES // (1024 * 1024)} MB")
    text = _decode(data)
    if not text.strip():
        raise ImportRejected("the file is empty; the first line must name the columns")
    try:
        dialect = csv.Sniffer().sniff(text.split("\n", 1)[0], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel  # type: ignore[assignment]
    found = csvrows.records(text, delimiter=dialect.delimiter)
    try:
        header = [h.strip().lower().replace(" ", "_") for h in next(found)[1]]
    except csvrows.CsvMalformed as error:
        raise ImportRejected(f"the CSV is malformed: {error.message}") from None
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise ImportRejected(
            f"missing column: {', '.join(missing)}. The first line must name the columns; "
            f"it reads: {', '.join(header)[:200] or '(nothing)'}"
        )
    unknown = [h for h in header if h not in CSV_COLUMNS]
    if unknown:
        raise ImportRejected(
            f"unknown column(s): {', '.join(unknown)[:200]}. Known columns: "
            f"{', '.join(CSV_COLUMNS)}"
        )
    duplicated = sorted({h for h in header if header.count(h) > 1})
    if duplicated:
        raise ImportRejected(f"column(s) named twice: {', '.join(duplicated)}")
    rows: list[tuple[int, dict[str, str]]] = []
    problems: list[tuple[int, str]] = []
    try:
        for line, values in found:
            if not any(v.strip() for v in values):
                continue
            if len(values) != len(header):
                problems.append((line, f"{len(values)} values for {len(header)} columns"))
                continue
            rows.append((line, dict(zip(header, values, strict=True))))
            if len(rows) > CSV_MAX_ROWS:
                raise ImportRejected(f"the file has more than {CSV_MAX_ROWS:,} ideas; split it")
    except csvrows.CsvMalformed as error:
        raise ImportRejected(f"the CSV is malformed: {error.message}") from None
    if not rows and not problems:
        raise ImportRejected("the file has a header but no ideas")
    today = today or _today(workspace)
    at = timezone.now()
    total = 2 * len(rows)
    built: list[tuple[Idea, dict[str, Any]]] = []
    for done, (line, row) in enumerate(rows, start=1):
        try:
            built.append(_row_idea(workspace, row, today, actor, at))
        except InvalidInput as error:
            column = f" ({error.field})" if error.field and error.field in CSV_COLUMNS else ""
            problems.append((line, f"{error.message}{column}"))
        if progress is not None:
            progress(done, total)
    if problems:
        problems.sort()
        listed = "; ".join(f"line {line}: {message}" for line, message in problems[:20])
        more = f"; and {len(problems) - 20} more" if len(problems) > 20 else ""
        raise ImportRejected(
            f"nothing was imported: {len(problems)} bad row(s). {listed}{more}", problems
        )
    created = Idea.objects.bulk_create([idea for idea, _ in built], batch_size=500)
    events = [
        IdeaEvent(
            idea=idea,
            kind=IdeaEvent.Kind.IMPORTED,
            at=at,
            actor=actor,
            data={"line": line, "status": idea.status, "scores": scores},
        )
        for (line, _row), idea, (_, scores) in zip(rows, created, built, strict=True)
    ]
    IdeaEvent.objects.bulk_create(events, batch_size=1000)
    if progress is not None:
        progress(total, total)
    audit(workspace, actor, "ideas.imported", f"imported {len(created)} idea(s) from CSV")
    return ImportResult(created)


# ---- back-dated history (the demo, and any future importer with dates) ---------------------------


@dataclass(frozen=True)
class ScoredAt:
    model: str
    values: dict[str, object]
    at: datetime
    actor: User | None = None


@dataclass(frozen=True)
class HistoryIdea:
    """An idea with what happened to it, each step dated: captured, scored (validated as of its
    date), then its final status, the card it became, and evidence that changed since."""

    title: str
    created_at: datetime
    created_by: User | None = None
    detail: dict[str, Any] | None = None
    scores: Sequence[ScoredAt] = ()
    status: str | None = None  # None: new, or evaluated once scored
    status_at: datetime | None = None
    status_by: User | None = None
    reason: str = ""
    card: "Card | None" = None
    evidence: tuple[datetime, str] | None = None


@transaction.atomic
def import_history(workspace: Workspace, items: Sequence[HistoryIdea]) -> list[Idea]:
    """Create ideas with their back-dated history, all or nothing, through the same checks."""
    ideas: list[Idea] = []
    events: list[list[IdeaEvent]] = []
    for item in items:
        detail = item.detail or {}
        idea = Idea(
            workspace=workspace,
            title=clean_title(item.title),
            created_by=item.created_by,
            created_at=item.created_at,
            updated_at=item.created_at,
            **{name: CLEANERS[name](detail.get(name)) for name in DETAIL_FIELDS},
        )
        log = [
            IdeaEvent(
                kind=IdeaEvent.Kind.CAPTURED,
                at=item.created_at,
                actor=item.created_by,
                data={"title": idea.title},
            )
        ]
        for scored in item.scores:
            model = clean_model(scored.model)
            fields = score_values(model, scored.values, today=scored.at.date())
            for name, new in fields.items():
                setattr(idea, name, new)
            idea.status = Status.EVALUATED
            idea.updated_at = scored.at
            log.append(
                IdeaEvent(
                    kind=IdeaEvent.Kind.SCORED,
                    at=scored.at,
                    actor=scored.actor,
                    data={"model": model.value, "to": {k: _jsonable(v) for k, v in fields.items()}},
                )
            )
        target = None
        if item.status is not None:
            target = _transition(idea, clean_status(item.status), clean_reason(item.reason))
        if target is not None:
            at = item.status_at or idea.updated_at
            reason = clean_reason(item.reason)
            log.append(
                IdeaEvent(
                    kind=IdeaEvent.Kind.STATUS,
                    at=at,
                    actor=item.status_by,
                    reason=reason,
                    data={"from": idea.status, "to": target},
                )
            )
            idea.status, idea.status_reason = target, reason if target in NEEDS_REASON else ""
            idea.updated_at = at
        if item.card is not None:
            if idea.status != Status.ACCEPTED:
                raise InvalidInput(
                    f"{idea.title!r}: only accepted ideas become cards", field="card"
                )
            idea.card, idea.started_at = item.card, item.card.created_at
            log.append(
                IdeaEvent(
                    kind=IdeaEvent.Kind.STARTED,
                    at=item.card.created_at,
                    actor=item.status_by,
                    data={"card": item.card.pk, "number": item.card.number},
                )
            )
        if item.evidence is not None:
            idea.evidence_changed_at, idea.evidence_source = item.evidence[0], item.evidence[1]
            log.append(
                IdeaEvent(
                    kind=IdeaEvent.Kind.EVIDENCE, at=item.evidence[0], reason=item.evidence[1]
                )
            )
        idea.version = len(log)
        ideas.append(idea)
        events.append(log)
    created = Idea.objects.bulk_create(ideas)
    for idea, log in zip(created, events, strict=True):
        for event in log:
            event.idea = idea
    IdeaEvent.objects.bulk_create([event for log in events for event in log])
    return created
