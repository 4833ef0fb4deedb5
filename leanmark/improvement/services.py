"""Every write to improvement cycles, each in one transaction (docs/product.md §8).

Phase rules: Plan → Do → Check → Act, one step at a time, forward only, each recorded with who and
when. Act decides: standardise (a value-stream source's future step is applied to the current
map), adjust (closes this cycle and starts the next from its Plan), or abandon (allowed in any
phase, with a reason). A closed cycle may be followed by a new one.
"""

from dataclasses import asdict
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from leanmark.accounts.models import User, Workspace
from leanmark.board import queries as board_queries
from leanmark.board import services as board_services
from leanmark.lib import clean
from leanmark.lib.errors import InvalidInput, LeanmarkError, StaleVersion
from leanmark.valuestream import queries as valuestream_queries
from leanmark.valuestream import services as valuestream_services

from . import metrics, sources
from .models import PHASE_ORDER, Improvement, Outcome, Phase, PhaseChange, Source, Task
from .queries import local_today

if TYPE_CHECKING:  # annotations only: the board's rows are read through its queries
    from leanmark.board.models import Board

TEXT_MAX = 5_000
TITLE_MAX = 200
MAX_WHYS = 5
MAX_COUNTERMEASURES = 10
WINDOW_MAX = 365


class PhaseRefused(LeanmarkError):
    """The cycle cannot move to that phase (yet); the message says what is missing."""

    code = "phase_refused"
    status = 409


# ---- cleaning ----------------------------------------------------------------------------------


def clean_title(title: object) -> str:
    return clean.text(title, "title", limit=TITLE_MAX, required=True)


def clean_text(value: object, field: str) -> str:
    return clean.text(value, field, limit=TEXT_MAX, multiline=True)


def clean_number(value: object, field: str) -> float | None:
    if value in (None, ""):
        return None
    try:
        number = float(str(value).strip())
    except ValueError:
        raise InvalidInput(
            f"the {field.replace('_', ' ')} {str(value)[:20]!r} is not a number", field=field
        ) from None
    if number != number or abs(number) > 1e12:  # NaN or absurd
        raise InvalidInput(f"the {field.replace('_', ' ')} must be a real number", field=field)
    return number


def clean_date(value: object, field: str) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise InvalidInput(f"{str(value)[:20]!r} is not a date (YYYY-MM-DD)", field=field) from None


def clean_window(value: object) -> int:
    number = clean_number(value, "window_days")
    if number is None or number != int(number) or not 7 <= number <= WINDOW_MAX:
        raise InvalidInput(
            f"each window is a whole number of days from 7 to {WINDOW_MAX}", field="window_days"
        )
    return int(number)


def clean_whys(value: object) -> list[str]:
    if value in (None, ""):
        return []
    if isinstance(value, str):
        value = value.splitlines()
    if not isinstance(value, list | tuple):
        raise InvalidInput("the five whys are a list of answers", field="whys")
    whys = [clean_text(v, "whys") for v in value]
    whys = [w for w in whys if w]
    if len(whys) > MAX_WHYS:
        raise InvalidInput(f"at most {MAX_WHYS} whys; the last one is the root cause", field="whys")
    return whys


def clean_countermeasures(value: object) -> list[dict[str, str]]:
    if value in (None, ""):
        return []
    if not isinstance(value, list | tuple):
        raise InvalidInput(
            "countermeasures are a list of {text, pros, cons}", field="countermeasures"
        )
    cleaned = []
    for item in value:
        if isinstance(item, str):
            item = {"text": item}
        if not isinstance(item, dict) or set(item) - {"text", "pros", "cons"}:
            raise InvalidInput(
                "each countermeasure has a text and optional pros and cons",
                field="countermeasures",
            )
        entry = {
            k: clean_text(item.get(k, ""), "countermeasures") for k in ("text", "pros", "cons")
        }
        if not entry["text"]:
            if entry["pros"] or entry["cons"]:
                raise InvalidInput(
                    "a countermeasure with pros or cons needs its text", field="countermeasures"
                )
            continue
        cleaned.append(entry)
    if len(cleaned) > MAX_COUNTERMEASURES:
        raise InvalidInput(
            f"at most {MAX_COUNTERMEASURES} countermeasures", field="countermeasures"
        )
    return cleaned


def _board(workspace: Workspace, board: "Board | int | None") -> "Board | None":
    if board is None or board == "":
        boards = board_queries.boards_of(workspace)
        return boards[0] if boards else None
    board_id = int(board) if isinstance(board, int | str) else board.pk
    found = board_queries.board_in(workspace, board_id)
    if found is None:
        raise InvalidInput("there is no such board in this workspace", field="board")
    return found


def _check_version(improvement: Improvement, expected: int | None) -> None:
    if expected is not None and expected != improvement.version:
        raise StaleVersion(
            f"{improvement.code} was changed by someone else (you had version {expected}, it is "
            f"now version {improvement.version}); reload it and apply your change again",
            field="version",
        )


def _locked(improvement: Improvement) -> Improvement:
    return (
        Improvement.objects.select_for_update(no_key=True, of=("self",))
        .select_related("workspace", "board")
        .get(pk=improvement.pk)
    )


def _record(
    improvement: Improvement, to: str, actor: User | None, at: datetime, note: str = ""
) -> None:
    PhaseChange.objects.create(
        improvement=improvement,
        from_phase=improvement.phase if to != Phase.PLAN else "",
        to_phase=to,
        actor=actor,
        at=at,
        note=note,
    )


# ---- create and edit ---------------------------------------------------------------------------

PLAN_FIELDS = (
    "title",
    "problem",
    "background",
    "current_condition",
    "metric",
    "metric_param",
    "target_value",
    "target_date",
    "whys",
    "root_cause",
    "countermeasures",
    "board",
    "change_date",
    "window_days",
)


def _clean_changes(workspace: Workspace, changes: dict[str, object]) -> dict[str, Any]:
    unknown = set(changes) - set(PLAN_FIELDS)
    if unknown:
        raise InvalidInput(f"unknown field(s): {', '.join(sorted(unknown))}", field="request")
    cleaned: dict[str, Any] = {}
    for name, value in changes.items():
        if name == "title":
            cleaned[name] = clean_title(value)
        elif name in ("problem", "background", "current_condition", "root_cause"):
            cleaned[name] = clean_text(value, name)
        elif name == "metric":
            metric = metrics.clean_metric(workspace, value)
            cleaned[name] = metric.key if metric else ""
        elif name in ("metric_param", "target_value"):
            cleaned[name] = clean_number(value, name)
        elif name in ("target_date", "change_date"):
            cleaned[name] = clean_date(value, name)
        elif name == "whys":
            cleaned[name] = clean_whys(value)
        elif name == "countermeasures":
            cleaned[name] = clean_countermeasures(value)
        elif name == "board":
            cleaned[name] = _board(workspace, value)
        elif name == "window_days":
            cleaned[name] = clean_window(value)
    return cleaned


def _validate(improvement: Improvement) -> None:
    """Rules across fields, checked on the record as it would be saved."""
    if improvement.target_value is not None and not improvement.metric:
        raise InvalidInput(
            "a target value needs a baseline metric: choose the metric first",
            field="target_value",
        )
    if improvement.metric == "within_days" and improvement.metric_param is None:
        raise InvalidInput(
            "“share of items finished within N days” needs N: give the number of days",
            field="metric_param",
        )
    if improvement.metric_param is not None and improvement.metric_param <= 0:
        raise InvalidInput("the number of days must be more than 0", field="metric_param")
    share = improvement.metric == "within_days"
    if share and improvement.target_value is not None and not 0 <= improvement.target_value <= 100:
        raise InvalidInput(
            "the target of a share is a percentage from 0 to 100", field="target_value"
        )
    is_flow = improvement.metric and not improvement.metric.startswith(metrics.DASHBOARD_PREFIX)
    if is_flow and improvement.target_value is not None and improvement.target_value < 0:
        raise InvalidInput("the target cannot be negative", field="target_value")


def _next_number(workspace: Workspace) -> int:
    top = Improvement.objects.filter(workspace=workspace).aggregate(m=Max("number"))["m"]
    return (top or 0) + 1


@transaction.atomic
def start_improvement(
    workspace: Workspace,
    *,
    actor: User | None,
    source: object = Source.BLANK,
    source_id: object = None,
    previous: Improvement | None = None,
    origin: sources.SourceInfo | None = None,
    at: datetime | None = None,
    **fields: Any,
) -> Improvement:
    """A new cycle in Plan, from a source (its first draft fills what ``fields`` leave empty).
    ``origin`` is a source already known (a follow-up cycle keeps its predecessor's)."""
    at = at or timezone.now()
    found = origin or sources.resolve(workspace, source, source_id)
    draft = {k: v for k, v in found.draft.items() if v}
    data = {**draft, **{k: v for k, v in fields.items() if v not in (None, "")}}
    if "title" not in data:
        raise InvalidInput("the cycle needs a title", field="title")
    cleaned = _clean_changes(workspace, data)
    board = cleaned.pop("board", None) or _board(workspace, None)
    Workspace.objects.select_for_update(no_key=True).filter(
        pk=workspace.pk
    ).first()  # numbers in turn
    improvement = Improvement(
        workspace=workspace,
        number=_next_number(workspace),
        source_kind=found.kind,
        source_id=found.id,
        source_label=found.label,
        board=board,
        previous=previous,
        created_by=actor,
        created_at=at,
        **cleaned,
    )
    _validate(improvement)
    improvement.save()
    label = (
        found.label[:1].lower() + found.label[1:200] if found.kind == Source.BLANK else found.label
    )
    note = f"follows {previous.code}" if previous else "started from " + label[:200]
    _record(improvement, Phase.PLAN, actor, at, note)
    return improvement


@transaction.atomic
def update_improvement(
    improvement: Improvement,
    *,
    changes: dict[str, object],
    actor: User | None,
    expected_version: int | None = None,
) -> Improvement:
    improvement = _locked(improvement)
    _check_version(improvement, expected_version)
    if improvement.is_closed:
        raise PhaseRefused(
            f"{improvement.code} is closed ({improvement.get_outcome_display().lower()}); "
            "start a new cycle to change it",
            field="phase",
        )
    cleaned = _clean_changes(improvement.workspace, changes)
    if "change_date" in cleaned and improvement.phase == Phase.PLAN and cleaned["change_date"]:
        raise InvalidInput(
            "the change date is set in Do, when the countermeasure is put in place",
            field="change_date",
        )
    checking = improvement.phase in (Phase.CHECK, Phase.ACT)
    new_change = cleaned.get("change_date")
    if checking and new_change and new_change > local_today(improvement.workspace):
        raise InvalidInput(
            f"the change date {new_change:%Y-%m-%d} is in the future; a cycle in "
            f"{Phase(improvement.phase).label} checks a change that has already happened",
            field="change_date",
        )
    if checking and "change_date" in cleaned and new_change is None:
        raise InvalidInput("a cycle being checked needs its change date", field="change_date")
    if checking and "metric" in cleaned and cleaned["metric"] != improvement.metric:
        raise PhaseRefused(
            "the baseline metric cannot change once the effect is being checked; "
            "abandon this cycle and plan a new one",
            field="metric",
        )
    for name, value in cleaned.items():
        setattr(improvement, name, value)
    _validate(improvement)
    improvement.version += 1
    improvement.save(update_fields=[*cleaned, "version"])
    return improvement


# ---- phases ------------------------------------------------------------------------------------


def next_phase(phase: str) -> Phase | None:
    index = PHASE_ORDER.index(Phase(phase))
    return PHASE_ORDER[index + 1] if index + 1 < len(PHASE_ORDER) - 1 else None


def _ready_for(improvement: Improvement, to: str, today: date) -> None:
    """Raise PhaseRefused with everything still missing before the cycle can enter ``to``."""
    gaps: list[str] = []
    if to == Phase.DO:
        if not improvement.problem:
            gaps.append("write the problem")
        if not improvement.metric:
            gaps.append("choose the baseline metric")
        if not improvement.countermeasures:
            gaps.append("add at least one countermeasure")
    elif to == Phase.CHECK:
        if improvement.change_date is None:
            gaps.append("give the change date (the day the countermeasure took effect)")
        elif improvement.change_date > today:
            raise PhaseRefused(
                f"the change date {improvement.change_date:%Y-%m-%d} is in the future; the "
                "effect can be checked only after the change has happened",
                field="change_date",
            )
    if gaps:
        raise PhaseRefused(
            f"{improvement.code} cannot move to {Phase(to).label} yet: " + "; ".join(gaps) + ".",
            field="phase",
        )


@transaction.atomic
def advance(
    improvement: Improvement,
    *,
    to: object,
    actor: User | None,
    note: str = "",
    at: datetime | None = None,
) -> Improvement:
    """Move to the next phase (and only the next one)."""
    improvement = _locked(improvement)
    at = at or timezone.now()
    if to not in (Phase.DO, Phase.CHECK, Phase.ACT):
        raise InvalidInput(
            f"unknown phase {str(to)[:20]!r}; the phases after Plan are do, check and act",
            field="phase",
        )
    current = Phase(improvement.phase)
    expected = next_phase(current)
    if improvement.is_closed:
        raise PhaseRefused(f"{improvement.code} is closed; start a new cycle", field="phase")
    if to != expected:
        direction = (
            "back" if PHASE_ORDER.index(Phase(to)) <= PHASE_ORDER.index(current) else "ahead"
        )
        raise PhaseRefused(
            f"{improvement.code} is in {current.label}; a cycle moves one phase at a time and "
            f"never {direction}, so the next phase is {Phase(expected).label}"
            if expected
            else f"{improvement.code} is in {current.label}: decide standardise, adjust or abandon",
            field="phase",
        )
    _ready_for(improvement, to, local_today(improvement.workspace))
    _record(improvement, to, actor, at, clean_text(note, "note"))
    improvement.phase = to
    improvement.version += 1
    improvement.save(update_fields=["phase", "version"])
    return improvement


def _effect(improvement: Improvement) -> dict[str, Any] | None:
    from .queries import check_for  # queries reads; the snapshot is what Check showed

    view = check_for(improvement)
    if view.result is None:
        return None
    result = view.result
    return {
        "metric": improvement.metric,
        "verdict": result.verdict,
        "enough": result.enough,
        "improved": result.improved,
        "p_value": result.p_value,
        "test": result.test,
        "before_n": result.before_n,
        "after_n": result.after_n,
        "shifts": [asdict(s) for s in result.shifts],
        "windows": view.windows.describe() if view.windows else "",
    }


def _hours_per_month(step: Any) -> float | None:
    """Hands-on hours a month a step costs: PT x runs per month, on its map's basis."""
    if step is None:
        return None
    item = valuestream_queries.to_input(step)
    minutes = item.pt.minutes(
        valuestream_queries.basis_of(step.stream), valuestream_queries.working_of(step.stream)
    )
    return float(minutes) * float(item.runs_per_month) / 60


def _future_copy(step: Any) -> Any:
    """The future-state step a standardise applies: the step itself when it is on a future map,
    else its copy in the newest future state of its map (None when that state drops it)."""
    if step.stream.state == "future":
        return step
    future = valuestream_queries.future_of(step.stream)
    return future.steps.filter(origin=step).first() if future is not None else None


def _standardise(improvement: Improvement, actor: User | None) -> dict[str, Any]:
    """Apply the source step's future state to the current map (the value stream app changes,
    adds or removes the current step and records a map revision). What it changed: the
    revision's id and the hands-on hours a month saved (PT x runs, before minus after)."""
    if improvement.source_kind != Source.VSM_STEP:
        return {}
    step = sources.resolve(improvement.workspace, Source.VSM_STEP, improvement.source_id).found
    future = _future_copy(step)
    current = step if step.stream.state == "current" else step.origin
    before = _hours_per_month(current) or 0.0
    after = _hours_per_month(future) if future is not None else 0.0
    try:
        revision = valuestream_services.apply_future_step(step, actor=actor)
    except LeanmarkError as error:
        raise PhaseRefused(
            f"could not apply the future state to the current map: {error.message}",
            field="outcome",
        ) from error
    return {
        "map_revision_id": revision.pk,
        "hours_saved_per_month": None if after is None else round(before - after, 2),
        "applied": revision.summary,
    }


@transaction.atomic
def decide(
    improvement: Improvement,
    *,
    outcome: object,
    reason: object,
    actor: User | None,
    at: datetime | None = None,
) -> Improvement:
    """Act: standardise, adjust (and run again), or abandon; closes the cycle.

    Abandon is allowed in any phase; the other two only in Act. Adjust returns the new cycle.
    """
    improvement = _locked(improvement)
    at = at or timezone.now()
    if outcome not in Outcome.values:
        raise InvalidInput(
            f"unknown decision {str(outcome)[:20]!r}; choose standardise, adjust or abandon",
            field="outcome",
        )
    reason = clean_text(reason, "reason")
    if not reason:
        raise InvalidInput(
            f"say why you {Outcome(outcome).label.lower()}: the reason stays on the record",
            field="reason",
        )
    if improvement.is_closed:
        raise PhaseRefused(
            f"{improvement.code} is already closed ({improvement.get_outcome_display()})",
            field="phase",
        )
    if outcome != Outcome.ABANDON and improvement.phase != Phase.ACT:
        raise PhaseRefused(
            f"{improvement.code} is in {Phase(improvement.phase).label}; "
            f"{Outcome(outcome).label.lower()} is decided in Act, after the Check",
            field="outcome",
        )
    fields = ["phase", "outcome", "outcome_reason", "closed_at", "effect", "version"]
    if improvement.change_date and improvement.metric and improvement.phase == Phase.ACT:
        improvement.effect = _effect(improvement)
    if outcome == Outcome.STANDARDISE:
        applied = _standardise(improvement, actor)
        if applied:
            improvement.map_revision_id = applied.pop("map_revision_id")
            improvement.effect = {**(improvement.effect or {}), **applied}
            fields.append("map_revision_id")
    label = Outcome(outcome).label
    _record(improvement, Phase.CLOSED, actor, at, f"{label}: {reason}")
    improvement.phase = Phase.CLOSED
    improvement.outcome = outcome
    improvement.outcome_reason = reason
    improvement.closed_at = at
    improvement.version += 1
    improvement.save(update_fields=fields)
    if outcome == Outcome.ADJUST:
        follow_up(improvement, actor=actor, at=at)
    return improvement


@transaction.atomic
def follow_up(
    improvement: Improvement, *, actor: User | None, at: datetime | None = None
) -> Improvement:
    """The next cycle after a closed one: same source, problem and plan; new Do and Check."""
    if not improvement.is_closed:
        raise PhaseRefused(
            f"{improvement.code} is still open; close it (Act) before starting the next cycle",
            field="phase",
        )
    known = metrics.metric_for(improvement.workspace, improvement.metric)
    metric = improvement.metric if known else ""  # else (deleted since): chosen again
    return start_improvement(
        improvement.workspace,
        actor=actor,
        previous=improvement,
        at=at,
        origin=sources.SourceInfo(
            improvement.source_kind, improvement.source_id, improvement.source_label
        ),
        title=improvement.title,
        problem=improvement.problem,
        background=(
            f"Follows {improvement.code} ({improvement.get_outcome_display().lower()}: "
            f"{improvement.outcome_reason})\n\n{improvement.background}"
        )[:TEXT_MAX],
        current_condition=improvement.current_condition,
        metric=metric,
        metric_param=improvement.metric_param if metric else None,
        target_value=improvement.target_value if metric else None,
        whys=improvement.whys,
        root_cause=improvement.root_cause,
        countermeasures=improvement.countermeasures,
        board=improvement.board_id,
    )


# ---- Do: tasks as board cards ---------------------------------------------------------------


@transaction.atomic
def add_task(
    improvement: Improvement, *, title: object, actor: User | None, reason: str = ""
) -> Task:
    """A card on the cycle's board (first column), linked to the cycle and tagged ``pdca``."""
    improvement = _locked(improvement)
    if improvement.phase not in (Phase.PLAN, Phase.DO):
        raise PhaseRefused(
            f"tasks are planned and done in Plan and Do; {improvement.code} is in "
            f"{Phase(improvement.phase).label}",
            field="title",
        )
    if improvement.board is None:
        raise InvalidInput("this workspace has no board to put the task on", field="board")
    card = board_services.create_card(
        improvement.board,
        title=title,
        actor=actor,
        description=f"Task of the improvement cycle {improvement.code}: {improvement.title}",
        tags=["pdca"],
        reason=reason,
    )
    return Task.objects.create(improvement=improvement, card=card, created_at=card.created_at)


@transaction.atomic
def delete_improvement(improvement: Improvement) -> None:
    """Remove a cycle and its history; its task cards stay on the board. A closed cycle is part
    of the record (the §12 figures count it) and is not deleted."""
    improvement = _locked(improvement)
    if improvement.is_closed:
        raise PhaseRefused(
            f"{improvement.code} is closed and part of the record; it cannot be deleted",
            field="phase",
        )
    improvement.delete()
