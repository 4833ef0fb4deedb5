"""Every write to value streams and their steps, each in one transaction that also records a
``MapRevision`` (what changed, by whom, and the map's totals after it).

Input arrives as text (forms) or typed values (API); ``clean_step`` turns either into model
values or raises ``ValueStreamError`` naming the field, before anything is saved.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone

from leanmark.accounts.models import User, Workspace
from leanmark.board import queries as board_queries
from leanmark.domain import vsm
from leanmark.domain.hourglass import Stage
from leanmark.lib import clean
from leanmark.lib.notify import publish
from leanmark.lib.numbers import unsigned_zero

from . import queries
from .errors import Conflict, NotAFutureStep, ValueStreamError
from .models import (
    MILESTONE_CHOICES,
    NAME_MAX,
    TEXT_MAX,
    MapRevision,
    State,
    Step,
    StepColumn,
    ValueStream,
)

STEP_FIELDS = (
    "stage",
    "name",
    "owner",
    "pt_value",
    "pt_unit",
    "lt_value",
    "lt_unit",
    "ca_percent",
    "cost_per_run",
    "runs_per_month",
    "customer_value",
    "waste_type",
    "milestone",
    "why",
    "value_to_customer",
    "how_to_eliminate",
    "simpler_step",
)
QUESTIONS = ("why", "value_to_customer", "how_to_eliminate", "simpler_step")
LABELS = {
    "stage": "stage",
    "name": "name",
    "owner": "owner",
    "pt_value": "process time",
    "pt_unit": "process time unit",
    "lt_value": "lead time",
    "lt_unit": "lead time unit",
    "ca_percent": "%C&A",
    "cost_per_run": "cost per run",
    "runs_per_month": "runs per month",
    "customer_value": "customer value",
    "waste_type": "waste type",
    "milestone": "milestone",
}
MAX_STEPS = 200
MAX_NUMBER = Decimal("99999999")


def _text(value: Any, field: str, *, required: bool = False, limit: int = NAME_MAX) -> str:
    label = f"the {LABELS.get(field, field)}"
    return clean.text(
        value,
        field,
        limit=limit,
        required=required,
        multiline=True,
        label=label,
        error=ValueStreamError,
    )


def _number(value: Any, field: str, *, default: Decimal | None = None) -> Decimal:
    label = LABELS.get(field, field)
    if value is None or (isinstance(value, str) and not value.strip()):
        if default is not None:
            return default
        raise ValueStreamError(f"the {label} is missing", field=field)
    if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
        raise ValueStreamError(f"the {label} must be a number", field=field)
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueStreamError(
            f"the {label} must be a number (use a dot for decimals), not {str(value)[:20]!r}",
            field=field,
        ) from None
    if not number.is_finite():
        raise ValueStreamError(f"the {label} must be a finite number", field=field)
    if number < 0:
        raise ValueStreamError(f"the {label} cannot be negative", field=field)
    if number > MAX_NUMBER:
        raise ValueStreamError(f"the {label} is too large", field=field)
    return unsigned_zero(number.quantize(Decimal("0.01")))


def _choice(value: Any, field: str, choices: Iterable[str], *, blank: bool = False) -> str:
    allowed = list(choices)
    text = value if isinstance(value, str) else ""
    text = text.strip()
    if blank and not text:
        return ""
    if text not in allowed:
        label = LABELS.get(field, field)
        raise ValueStreamError(
            f"unknown {label} {str(value)[:20]!r}; use one of: {', '.join(allowed)}", field=field
        )
    return text


def clean_step(
    data: Mapping[str, object], current: Mapping[str, object] | None = None
) -> dict[str, Any]:
    """Model values for a step from ``data`` (missing fields keep ``current``'s values)."""
    merged: dict[str, Any] = dict(current or {})
    merged.update({k: v for k, v in data.items() if k in STEP_FIELDS})
    stage = merged.get("stage")
    if not stage:
        raise ValueStreamError(
            "choose the hourglass stage of the step (know, like, trust, try, buy, repeat or refer)",
            field="stage",
        )
    return {
        "stage": _choice(stage, "stage", [s.value for s in Stage]),
        "name": _text(merged.get("name"), "name", required=True),
        "owner": _text(merged.get("owner"), "owner"),
        "pt_value": _number(merged.get("pt_value"), "pt_value"),
        "pt_unit": _choice(merged.get("pt_unit") or "h", "pt_unit", [u.value for u in vsm.Unit]),
        "lt_value": _number(merged.get("lt_value"), "lt_value"),
        "lt_unit": _choice(merged.get("lt_unit") or "d", "lt_unit", [u.value for u in vsm.Unit]),
        "ca_percent": _ca(merged.get("ca_percent")),
        "cost_per_run": _number(merged.get("cost_per_run"), "cost_per_run", default=Decimal(0)),
        "runs_per_month": _number(
            merged.get("runs_per_month"), "runs_per_month", default=Decimal(0)
        ),
        "customer_value": _choice(
            merged.get("customer_value") or vsm.CustomerValue.VALUE_ADDING.value,
            "customer_value",
            [v.value for v in vsm.CustomerValue],
        ),
        "waste_type": _choice(
            merged.get("waste_type"), "waste_type", [w.value for w in vsm.WasteType], blank=True
        ),
        "milestone": _choice(
            merged.get("milestone"), "milestone", [m for m, _ in MILESTONE_CHOICES], blank=True
        ),
        **{q: _text(merged.get(q), q, limit=TEXT_MAX) for q in QUESTIONS},
    }


def _ca(value: Any) -> Decimal:
    number = _number(value, "ca_percent", default=Decimal(100))
    if number > 100:
        raise ValueStreamError(
            f"%C&A is a share of the output: between 0 and 100, not {number.normalize():f}",
            field="ca_percent",
        )
    return number


def _check(values: Mapping[str, Any], stream: ValueStream) -> None:
    """The domain's rules for a step (LT ≥ PT on the map's basis, %C&A 0-100)."""
    item = vsm.StepInput(
        key=0,
        name=values["name"],
        stage=Stage(values["stage"]),
        pt=vsm.Duration(Fraction(values["pt_value"]), vsm.Unit(values["pt_unit"])),
        lt=vsm.Duration(Fraction(values["lt_value"]), vsm.Unit(values["lt_unit"])),
        ca_percent=Fraction(values["ca_percent"]),
        cost_per_run=values["cost_per_run"],
        runs_per_month=values["runs_per_month"],
    )
    try:
        vsm.check_step(item, queries.basis_of(stream), queries.working_of(stream))
    except vsm.VsmError as error:
        raise ValueStreamError(error.message, field=error.field) from None


def step_values(step: Step) -> dict[str, Any]:
    return {name: getattr(step, name) for name in STEP_FIELDS}


def _json(values: Mapping[str, Any]) -> dict[str, Any]:
    return {k: str(v) if isinstance(v, Decimal) else v for k, v in values.items()}


def _revise(
    stream: ValueStream,
    kind: str,
    summary: str,
    actor: User | None,
    *,
    step: Step | None = None,
    source_step: Step | None = None,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
) -> MapRevision:
    view = queries.map_view(stream)
    total = view.summary.total
    revision = MapRevision.objects.create(
        stream=stream,
        kind=kind,
        at=timezone.now(),
        actor=actor,
        step=step,
        source_step=source_step,
        summary=summary[:300],
        before=_json(before or {}),
        after=_json(after or {}),
        total_lt_minutes=float(total.lt),
        total_pt_minutes=float(total.pt),
        waste_steps=total.waste_steps,
        step_count=total.steps,
    )
    ValueStream.objects.filter(pk=stream.pk).update(updated_at=revision.at)
    publish(
        stream.workspace_id,
        "valuestream.changed",
        {"stream": stream.pk, "kind": kind, "summary": revision.summary},
    )
    return revision


# ---- maps -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StreamSettings:
    name: Any
    description: Any = ""
    time_basis: Any = vsm.Basis.CALENDAR.value
    hours_per_day: Any = "8"
    days_per_week: Any = "5"


def _clean_settings(workspace: Workspace, spec: StreamSettings, *, exclude: int | None = None):
    name = _text(spec.name, "name", required=True)
    clash = ValueStream.objects.for_workspace(workspace).filter(name__iexact=name)
    if exclude is not None:
        clash = clash.exclude(pk=exclude)
    if clash.exists():
        raise Conflict(f"there is already a value stream called {name!r}", field="name")
    hours = _number(spec.hours_per_day, "hours_per_day", default=Decimal(8))
    days = _number(spec.days_per_week, "days_per_week", default=Decimal(5))
    try:
        vsm.WorkingTime(Fraction(hours), Fraction(days))
    except vsm.VsmError as error:
        field = "hours_per_day" if error.field == "hours" else "days_per_week"
        raise ValueStreamError(error.message, field=field) from None
    return {
        "name": name,
        "description": _text(spec.description, "description", limit=TEXT_MAX),
        "time_basis": _choice(
            spec.time_basis or "calendar", "time_basis", [b.value for b in vsm.Basis]
        ),
        "hours_per_day": hours,
        "days_per_week": days,
    }


@transaction.atomic
def create_stream(workspace: Workspace, spec: StreamSettings, *, actor: User | None) -> ValueStream:
    values = _clean_settings(workspace, spec)
    stream = ValueStream.objects.create(workspace=workspace, **values)
    _revise(stream, MapRevision.Kind.CREATED, f"Created the map {stream.name}", actor)
    return stream


@transaction.atomic
def update_stream(stream: ValueStream, spec: StreamSettings, *, actor: User | None) -> ValueStream:
    """Change name, description, basis or working time. A new basis is refused when a step's
    lead time would fall below its process time on it (e.g. 10 h of work in "1 d" of 8 h)."""
    values = _clean_settings(stream.workspace, spec, exclude=stream.pk)
    before = {k: getattr(stream, k) for k in values}
    for name, value in values.items():
        setattr(stream, name, value)
    for step in stream.steps.all():
        try:
            _check(step_values(step), stream)
        except ValueStreamError as error:
            raise ValueStreamError(
                f"step “{step.name}”: {error.message}; change the step first", field="time_basis"
            ) from None
    stream.save(update_fields=[*values, "updated_at"])
    changed = [k for k in values if before[k] != values[k]]
    if changed:
        _revise(
            stream,
            MapRevision.Kind.SETTINGS,
            f"Changed {', '.join(changed)}",
            actor,
            before={k: before[k] for k in changed},
            after={k: values[k] for k in changed},
        )
    return stream


@transaction.atomic
def delete_stream(stream: ValueStream, *, actor: User | None) -> None:
    publish(stream.workspace_id, "valuestream.deleted", {"stream": stream.pk, "name": stream.name})
    stream.delete()


@transaction.atomic
def create_future_state(current: ValueStream, *, name: str = "", actor: User | None) -> ValueStream:
    """Copy a current map (settings and steps, each future step remembering its origin)."""
    if current.state != State.CURRENT:
        raise Conflict(
            "a future state is made from a current-state map; this one is a future state",
            field="stream",
        )
    name = name.strip() if isinstance(name, str) else ""
    if not name:
        base = f"{current.name} — future state"
        name, n = base, 2
        while ValueStream.objects.for_workspace(current.workspace).filter(name=name).exists():
            name, n = f"{base} {n}", n + 1
    spec = StreamSettings(
        name=name,
        description=current.description,
        time_basis=current.time_basis,
        hours_per_day=current.hours_per_day,
        days_per_week=current.days_per_week,
    )
    values = _clean_settings(current.workspace, spec)
    future = ValueStream.objects.create(
        workspace=current.workspace, state=State.FUTURE, derived_from=current, **values
    )
    for step in queries.steps_of(current):
        copy = Step.objects.create(
            stream=future, position=step.position, origin=step, **step_values(step)
        )
        StepColumn.objects.bulk_create(
            StepColumn(step=copy, column_id=link.column_id) for link in step.column_links.all()
        )
    _revise(future, MapRevision.Kind.CREATED, f"Created from {current.name}", actor)
    return future


# ---- steps ------------------------------------------------------------------------------------


def _next_position(stream: ValueStream, stage: str) -> int:
    top = stream.steps.filter(stage=stage).aggregate(m=Max("position"))["m"]
    return 0 if top is None else top + 1


@transaction.atomic
def add_step(
    stream: ValueStream,
    data: Mapping[str, object],
    *,
    actor: User | None,
    before: Step | None = None,
) -> Step:
    values = clean_step(data)
    _check(values, stream)
    if stream.steps.count() >= MAX_STEPS:
        raise ValueStreamError(f"a map holds at most {MAX_STEPS} steps", field="name")
    if before is not None and (before.stream_id != stream.pk or before.stage != values["stage"]):
        before = None
    if before is None:
        position = _next_position(stream, values["stage"])
    else:
        position = before.position
        stream.steps.filter(stage=values["stage"], position__gte=position).update(
            position=F("position") + 1
        )
    step = Step.objects.create(stream=stream, position=position, **values)
    _revise(
        stream,
        MapRevision.Kind.STEP_ADDED,
        f"Added {step.name} ({step.get_stage_display()})",
        actor,
        step=step,
        after=values,
    )
    return step


@transaction.atomic
def edit_step(step: Step, data: Mapping[str, object], *, actor: User | None) -> Step:
    """Change any of a step's fields (the others keep their values)."""
    before = step_values(step)
    values = clean_step(data, before)
    _check(values, step.stream)
    changed = [k for k in STEP_FIELDS if before[k] != values[k]]
    if not changed:
        return step
    if values["stage"] != step.stage:
        step.position = _next_position(step.stream, values["stage"])
    for name in changed:
        setattr(step, name, values[name])
    step.save(update_fields=[*changed, "position"])
    _revise(
        step.stream,
        MapRevision.Kind.STEP_EDITED,
        f"Edited {step.name}: {', '.join(LABELS.get(k, k.replace('_', ' ')) for k in changed)}",
        actor,
        step=step,
        before={k: before[k] for k in changed},
        after={k: values[k] for k in changed},
    )
    return step


@transaction.atomic
def answer_questions(
    step: Step, answers: Mapping[str, object], *, actor: User | None, **classification: Any
) -> Step:
    """The waste walk: the four questions (and, if given, the step's customer value and waste
    type); the step counts as reviewed now."""
    data = {q: answers.get(q, getattr(step, q)) for q in QUESTIONS}
    data.update({k: v for k, v in classification.items() if k in ("customer_value", "waste_type")})
    step = edit_step(step, data, actor=actor)
    step.reviewed_at = timezone.now()
    step.save(update_fields=["reviewed_at"])
    return step


@transaction.atomic
def delete_step(step: Step, *, actor: User | None) -> None:
    stream, before = step.stream, step_values(step)
    name = step.name
    step.delete()
    _revise(stream, MapRevision.Kind.STEP_REMOVED, f"Removed {name}", actor, before=before)


@transaction.atomic
def move_step(step: Step, *, stage: str, order: list[int], actor: User | None) -> Step:
    """Put ``step`` in ``stage`` and renumber that stage's steps in the order of ``order`` (the
    step ids as the person left them after dragging; ids of other maps or stages are ignored)."""
    stage = _choice(stage, "stage", [s.value for s in Stage])
    stream = step.stream
    old_stage = step.stage
    if stage != step.stage:
        _check({**step_values(step), "stage": stage}, stream)
        step.stage = stage
        step.save(update_fields=["stage"])
    in_stage = {s.pk: s for s in stream.steps.filter(stage=stage)}
    wanted = [pk for pk in order if pk in in_stage]
    rest = sorted(
        (s for pk, s in in_stage.items() if pk not in wanted), key=lambda s: (s.position, s.pk)
    )
    ranked = [in_stage[pk] for pk in dict.fromkeys(wanted)] + rest
    for position, item in enumerate(ranked):
        if item.position != position:
            item.position = position
            item.save(update_fields=["position"])
    where = "" if old_stage == stage else f" from {old_stage} to {stage}"
    _revise(stream, MapRevision.Kind.STEPS_REORDERED, f"Moved {step.name}{where}", actor, step=step)
    step.refresh_from_db()
    return step


@transaction.atomic
def link_columns(step: Step, column_ids: Iterable[int], *, actor: User | None) -> Step:
    """Measure the step on these board columns (replacing the previous links). A column of
    another workspace is refused as if it did not exist."""
    ids = list(dict.fromkeys(int(c) for c in column_ids))
    workspace = step.stream.workspace_id
    found = board_queries.columns_in(workspace, ids)
    missing = [c for c in ids if c not in found]
    if missing:
        raise ValueStreamError(
            f"no board column {missing[0]} in this workspace; pick columns of your own boards",
            field="columns",
        )
    before = sorted(step.column_links.values_list("column_id", flat=True))
    step.column_links.all().delete()
    StepColumn.objects.bulk_create(StepColumn(step=step, column_id=c) for c in ids)
    if sorted(ids) != before:
        _revise(
            step.stream,
            MapRevision.Kind.STEP_EDITED,
            f"Linked {step.name} to {len(ids)} board column(s)",
            actor,
            step=step,
            before={"columns": before},
            after={"columns": sorted(ids)},
        )
    return step


@transaction.atomic
def apply_future_step(step: Step, *, actor: User | None) -> MapRevision:
    """Standardise one step (PDCA "Act", §8) and record it as a revision of the current map.

    - A future-state step: its values are copied onto the current-state step it came from, or,
      for a step the future state added, it is added to the current map.
    - A current-state step (what a waste walk's improvement points at): its copy in the newest
      future state is applied as above; when that future state removed the step, the step is
      removed from the current map. Without a future state there is nothing to apply.
    """
    stream = step.stream
    if stream.state == State.CURRENT:
        future = queries.future_of(stream)
        if future is None:
            raise NotAFutureStep(
                f"“{stream.name}” has no future state yet: create one, change or remove "
                f"“{step.name}” in it, then apply it",
                field="step",
            )
        copy = future.steps.filter(origin=step).select_related("stream").first()
        if copy is None:
            return _apply_removal(step, future, actor)
        step, stream = copy, future
    if stream.derived_from_id is None:
        raise NotAFutureStep(
            f"the current map of “{stream.name}” was deleted; there is nothing to apply to",
            field="step",
        )
    current_map = ValueStream.objects.select_for_update(no_key=True).get(pk=stream.derived_from_id)
    values = step_values(step)
    _check(values, current_map)
    target = step.origin if step.origin_id and step.origin.stream_id == current_map.pk else None
    if target is None:
        target = Step.objects.create(
            stream=current_map,
            position=_next_position(current_map, values["stage"]),
            **values,
        )
        StepColumn.objects.bulk_create(
            StepColumn(step=target, column_id=link.column_id) for link in step.column_links.all()
        )
        step.origin = target
        step.save(update_fields=["origin"])
        before: dict[str, Any] = {}
        after = values
        summary = f"Applied the future state: added {target.name}"
    else:
        old = step_values(target)
        changed = [k for k in STEP_FIELDS if old[k] != values[k]]
        if changed and values["stage"] != target.stage:
            target.position = _next_position(current_map, values["stage"])
        for name in changed:
            setattr(target, name, values[name])
        target.save(update_fields=[*changed, "position"])
        before = {k: old[k] for k in changed}
        after = {k: values[k] for k in changed}
        summary = f"Applied the future state to {target.name}: " + (
            ", ".join(LABELS.get(k, k.replace("_", " ")) for k in changed) or "no change"
        )
    return _revise(
        current_map,
        MapRevision.Kind.APPLIED,
        summary,
        actor,
        step=target,
        source_step=step,
        before=before,
        after=after,
    )


def _apply_removal(step: Step, future: ValueStream, actor: User | None) -> MapRevision:
    """The future state has no copy of this current step: standardising removes it."""
    current_map = ValueStream.objects.select_for_update(no_key=True).get(pk=step.stream_id)
    before = {"step_id": step.pk, **step_values(step)}
    name = step.name
    step.delete()
    return _revise(
        current_map,
        MapRevision.Kind.APPLIED,
        f"Applied the future state {future.name}: removed {name}",
        actor,
        before=before,
    )
