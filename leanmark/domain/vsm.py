"""Value stream map maths for the Marketing Hourglass (docs/product.md §7). No Django here.

Times are entered as a value and a unit (minutes, hours, days, weeks) and converted exactly
(``fractions.Fraction``) to minutes on an explicit **time basis**:

- *calendar*: a day is 24 hours and a week 7 days (elapsed time, as a customer feels it);
- *working*: a day is the team's working day (e.g. 8 hours) and a week its working days
  (e.g. 5), so "2 d" of lead time is 16 working hours.

Minutes and hours mean the same on both bases. Every summary carries its basis, so a figure is
never shown without saying which clock it was measured on.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction

import numpy as np

from leanmark.domain.hourglass import STAGES, Stage


class Unit(StrEnum):
    MINUTE = "min"
    HOUR = "h"
    DAY = "d"
    WEEK = "wk"


class Basis(StrEnum):
    CALENDAR = "calendar"
    WORKING = "working"


class CustomerValue(StrEnum):
    VALUE_ADDING = "value_adding"
    NECESSARY = "necessary"  # necessary but non-value-adding
    WASTE = "waste"


class WasteType(StrEnum):
    DEFECTS = "defects"
    OVERPRODUCTION = "overproduction"
    WAITING = "waiting"
    NON_UTILISED_TALENT = "non_utilised_talent"
    TRANSPORTATION = "transportation"
    INVENTORY = "inventory"
    MOTION = "motion"
    EXTRA_PROCESSING = "extra_processing"


class Milestone(StrEnum):
    """In lean marketing's ideal value stream there are only these two steps; what lies between
    them and adds no customer value is a candidate for elimination."""

    NEW_LEAD = "new_lead"
    ORDER_ACCEPTED = "order_accepted"


class VsmError(ValueError):
    """Input that would make a map wrong; ``field`` names the offending input."""

    def __init__(self, message: str, *, field: str) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass(frozen=True)
class WorkingTime:
    hours_per_day: Fraction = Fraction(8)
    days_per_week: Fraction = Fraction(5)

    def __post_init__(self) -> None:
        if not 0 < self.hours_per_day <= 24:
            raise VsmError("a working day has more than 0 and at most 24 hours", field="hours")
        if not 0 < self.days_per_week <= 7:
            raise VsmError("a working week has more than 0 and at most 7 days", field="days")

    @property
    def label(self) -> str:
        return f"{_num(self.hours_per_day)} h/day, {_num(self.days_per_week)} days/week"


CALENDAR_DAY = Fraction(24 * 60)


def minutes_per(unit: Unit, basis: Basis, working: WorkingTime) -> Fraction:
    """How many minutes one ``unit`` is on ``basis``."""
    if unit is Unit.MINUTE:
        return Fraction(1)
    if unit is Unit.HOUR:
        return Fraction(60)
    day = CALENDAR_DAY if basis is Basis.CALENDAR else working.hours_per_day * 60
    if unit is Unit.DAY:
        return day
    return day * (7 if basis is Basis.CALENDAR else working.days_per_week)


@dataclass(frozen=True)
class Duration:
    value: Fraction
    unit: Unit

    def minutes(self, basis: Basis, working: WorkingTime) -> Fraction:
        return self.value * minutes_per(self.unit, basis, working)

    @property
    def label(self) -> str:
        return f"{_num(self.value)} {self.unit.value}"


def duration(value: Decimal | Fraction | int | str, unit: Unit | str) -> Duration:
    """A duration from user input; a negative value or an unknown unit is a ``VsmError``."""
    try:
        unit = Unit(unit)
    except ValueError:
        raise VsmError(
            f"unknown unit {str(unit)[:10]!r}; use one of {', '.join(u.value for u in Unit)}",
            field="unit",
        ) from None
    exact = Fraction(Decimal(value) if isinstance(value, str) else value)
    if exact < 0:
        raise VsmError("a time cannot be negative", field="value")
    return Duration(exact, unit)


@dataclass(frozen=True)
class StepInput:
    """One process step as the maths needs it."""

    key: int  # the step's id, so results point back to it
    name: str
    stage: Stage
    pt: Duration
    lt: Duration
    ca_percent: Fraction = Fraction(100)
    cost_per_run: Decimal = Decimal(0)
    runs_per_month: Decimal = Decimal(0)
    value: CustomerValue = CustomerValue.VALUE_ADDING
    milestone: Milestone | None = None
    origin: int | None = None  # the current-state step a future step was copied from

    @property
    def monthly_cost(self) -> Decimal:
        return self.cost_per_run * self.runs_per_month


def check_step(step: StepInput, basis: Basis, working: WorkingTime) -> None:
    """Refuse what a value stream map cannot hold: LT below PT, %C&A outside 0-100."""
    if not 0 <= step.ca_percent <= 100:
        raise VsmError(
            f"%C&A must be between 0 and 100, not {_num(step.ca_percent)}", field="ca_percent"
        )
    if step.cost_per_run < 0:
        raise VsmError("the cost per run cannot be negative", field="cost_per_run")
    if step.runs_per_month < 0:
        raise VsmError("the runs per month cannot be negative", field="runs_per_month")
    pt, lt = step.pt.minutes(basis, working), step.lt.minutes(basis, working)
    if lt < pt:
        hours = "working hours" if basis is Basis.WORKING else "hours"
        raise VsmError(
            f"the lead time ({step.lt.label} = {_num(lt / 60)} {hours}) cannot be shorter than "
            f"the process time ({step.pt.label} = {_num(pt / 60)} {hours}): LT is the elapsed "
            "time from work available to handed on, PT the hands-on time inside it",
            field="lt",
        )


@dataclass(frozen=True)
class Totals:
    """Summary figures of a group of steps (one stage, or the whole map). Times in minutes."""

    steps: int
    lt: Fraction
    pt: Fraction
    value_adding_pt: Fraction
    rolled_ca: Fraction | None  # None when there are no steps
    waste_steps: int
    monthly_cost: Decimal

    @property
    def wait(self) -> Fraction:
        return self.lt - self.pt

    @property
    def activity_ratio(self) -> Fraction | None:
        return self.pt / self.lt if self.lt else None

    @property
    def value_adding_share(self) -> Fraction | None:
        return self.value_adding_pt / self.pt if self.pt else None


def totals(steps: Sequence[StepInput], basis: Basis, working: WorkingTime) -> Totals:
    lt = sum((s.lt.minutes(basis, working) for s in steps), Fraction(0))
    pt = sum((s.pt.minutes(basis, working) for s in steps), Fraction(0))
    va = sum(
        (s.pt.minutes(basis, working) for s in steps if s.value is CustomerValue.VALUE_ADDING),
        Fraction(0),
    )
    rolled: Fraction | None = None
    if steps:
        rolled = Fraction(1)
        for s in steps:
            rolled *= s.ca_percent / 100
    return Totals(
        steps=len(steps),
        lt=lt,
        pt=pt,
        value_adding_pt=va,
        rolled_ca=rolled,
        waste_steps=sum(1 for s in steps if s.value is CustomerValue.WASTE),
        monthly_cost=sum((s.monthly_cost for s in steps), Decimal(0)),
    )


@dataclass(frozen=True)
class Summary:
    basis: Basis
    working: WorkingTime
    total: Totals
    by_stage: dict[Stage, Totals]

    @property
    def basis_label(self) -> str:
        if self.basis is Basis.CALENDAR:
            return "calendar time (1 d = 24 h)"
        return f"working time ({self.working.label})"

    def fmt(self, minutes: Fraction) -> str:
        return fmt_minutes(minutes, self.basis, self.working)


def summarise(
    steps: Sequence[StepInput], *, basis: Basis, working: WorkingTime = WorkingTime()
) -> Summary:
    """Per stage (all seven, in hourglass order) and for the whole map (§7)."""
    by_stage = {
        stage: totals([s for s in steps if s.stage is stage], basis, working) for stage in STAGES
    }
    return Summary(basis, working, totals(steps, basis, working), by_stage)


def ordered(steps: Iterable[StepInput], positions: dict[int, int]) -> list[StepInput]:
    """Steps in map order: by hourglass stage, then by their position in the stage."""
    rank = {stage: i for i, stage in enumerate(STAGES)}
    return sorted(steps, key=lambda s: (rank[s.stage], positions.get(s.key, 0), s.key))


@dataclass(frozen=True)
class Candidate:
    step: StepInput
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class Candidates:
    items: tuple[Candidate, ...]
    span: tuple[int, int] | None  # keys of the new-lead and order-accepted steps, when both exist
    note: str


def elimination_candidates(steps: Sequence[StepInput]) -> Candidates:
    """Steps to eliminate (§7, the two-step lean-marketing yardstick), in map order.

    ``steps`` must be in map order. A step is a candidate when it is marked waste, or when it
    adds no customer value and lies strictly between the step that introduces a new lead and the
    step that accepts an order. The two milestone steps themselves are never candidates.
    """
    keys = [s.key for s in steps]
    lead = next((i for i, s in enumerate(steps) if s.milestone is Milestone.NEW_LEAD), None)
    order = next((i for i, s in enumerate(steps) if s.milestone is Milestone.ORDER_ACCEPTED), None)
    span: tuple[int, int] | None = None
    inside: range = range(0)
    if lead is None or order is None:
        note = (
            "Mark the step that introduces a new lead and the one that accepts an order: the "
            "non-value-adding steps between them are candidates too. Until then only steps "
            "marked waste are listed."
        )
    elif order < lead:
        note = (
            "The order is accepted before the new lead is introduced on this map: put the "
            "milestones in order to list the steps between them. Only waste steps are listed."
        )
    else:
        span = (keys[lead], keys[order])
        inside = range(lead + 1, order)
        note = (
            f"Between “{steps[lead].name}” and “{steps[order].name}”, every step that adds "
            "no customer value is a candidate, as is every step marked waste."
        )
    found = []
    for i, step in enumerate(steps):
        if step.milestone is not None:
            continue
        reasons = []
        if step.value is CustomerValue.WASTE:
            reasons.append("marked waste")
        if i in inside and step.value is not CustomerValue.VALUE_ADDING:
            reasons.append("adds no customer value between the new lead and the accepted order")
        if reasons:
            found.append(Candidate(step, tuple(reasons)))
    return Candidates(tuple(found), span, note)


# ---- comparison of a current and a future state -----------------------------------------------


@dataclass(frozen=True)
class Change:
    label: str
    current: Fraction | Decimal | int | None
    future: Fraction | Decimal | int | None

    @property
    def delta(self) -> Fraction | Decimal | int | None:
        if self.current is None or self.future is None:
            return None
        return self.future - self.current  # type: ignore[operator]


@dataclass(frozen=True)
class StepDiff:
    current: StepInput | None
    future: StepInput | None
    fields: tuple[str, ...]  # the fields that differ, for a kept step

    @property
    def kind(self) -> str:
        if self.future is None:
            return "removed"
        if self.current is None:
            return "added"
        return "changed" if self.fields else "same"


@dataclass(frozen=True)
class Comparison:
    current: Summary
    future: Summary
    steps: tuple[StepDiff, ...]

    def of(self, kind: str) -> list[StepDiff]:
        return [d for d in self.steps if d.kind == kind]

    @property
    def changes(self) -> list[Change]:
        c, f = self.current.total, self.future.total
        return [
            Change("Steps", c.steps, f.steps),
            Change("Lead time", c.lt, f.lt),
            Change("Process time", c.pt, f.pt),
            Change("Wait", c.wait, f.wait),
            Change("Activity ratio", c.activity_ratio, f.activity_ratio),
            Change("Rolled %C&A", c.rolled_ca, f.rolled_ca),
            Change("Value-adding share of PT", c.value_adding_share, f.value_adding_share),
            Change("Waste steps", c.waste_steps, f.waste_steps),
            Change("Monthly cost", c.monthly_cost, f.monthly_cost),
        ]


COMPARED = ("name", "stage", "pt", "lt", "ca_percent", "cost_per_run", "runs_per_month", "value")


def compare(
    current: Sequence[StepInput],
    future: Sequence[StepInput],
    *,
    basis: Basis,
    working: WorkingTime = WorkingTime(),
) -> Comparison:
    """Both maps on one basis, and step by step: a future step whose ``origin`` is a current
    step's key is that step kept (changed or not); a current step no future step came from was
    removed; a future step with no origin (or an origin outside the current map) was added."""
    by_key = {s.key: s for s in current}
    kept = {s.origin for s in future if s.origin in by_key}
    diffs = [StepDiff(step, None, ()) for step in current if step.key not in kept]
    for step in future:
        before = by_key.get(step.origin) if step.origin is not None else None
        if before is None:
            diffs.append(StepDiff(None, step, ()))
            continue
        changed = tuple(
            name
            for name in COMPARED
            if _comparable(getattr(before, name), basis, working)
            != _comparable(getattr(step, name), basis, working)
        )
        diffs.append(StepDiff(before, step, changed))
    return Comparison(
        summarise(current, basis=basis, working=working),
        summarise(future, basis=basis, working=working),
        tuple(diffs),
    )


def _comparable(value: object, basis: Basis, working: WorkingTime) -> object:
    return value.minutes(basis, working) if isinstance(value, Duration) else value


# ---- measured times from card history ---------------------------------------------------------


@dataclass(frozen=True)
class Stay:
    """One card's passage through the step's columns: entered at ``start``, left at ``end``;
    ``active`` is the time spent in active columns of the step while not blocked."""

    card: int
    start: datetime
    end: datetime
    active: timedelta


@dataclass(frozen=True)
class ColumnVisit:
    """The card was in column ``column`` from ``start`` to ``end`` (None: it is still there)."""

    column: int
    start: datetime
    end: datetime | None


def passages(
    card: int,
    visits: Sequence[ColumnVisit],
    blocked: Sequence[tuple[datetime, datetime | None]],
    *,
    columns: frozenset[int],
    active: frozenset[int],
) -> list[Stay]:
    """The card's completed passages through ``columns`` (consecutive visits to any of them count
    as one passage); still-open passages are not measured. Blocked time inside active columns
    counts as waiting, as in flow efficiency (§5)."""
    stays: list[Stay] = []
    current: list[ColumnVisit] = []
    for visit in sorted(visits, key=lambda v: v.start):
        if visit.column in columns:
            current.append(visit)
            if visit.end is None:
                return stays  # still inside: not a completed passage
            continue
        if current:
            stays.append(_stay(card, current, blocked, active))
            current = []
    if current and current[-1].end is not None:
        stays.append(_stay(card, current, blocked, active))
    return stays


def _stay(
    card: int,
    visits: list[ColumnVisit],
    blocked: Sequence[tuple[datetime, datetime | None]],
    active: frozenset[int],
) -> Stay:
    worked = timedelta(0)
    for visit in visits:
        if visit.column not in active or visit.end is None:
            continue
        worked += visit.end - visit.start - _overlap(visit.start, visit.end, blocked)
    start, end = visits[0].start, visits[-1].end
    assert end is not None  # noqa: S101 (callers pass completed passages only)
    return Stay(card, start, end, max(worked, timedelta(0)))


def _overlap(
    start: datetime, end: datetime, spans: Sequence[tuple[datetime, datetime | None]]
) -> timedelta:
    total = timedelta(0)
    for b_start, b_end in spans:
        lo, hi = max(start, b_start), min(end, b_end or end)
        if hi > lo:
            total += hi - lo
    return total


@dataclass(frozen=True)
class Measured:
    """Median LT and PT (calendar minutes) of the passages that ended in the window."""

    cards: int
    lt: Fraction | None
    pt: Fraction | None
    excluded: int  # passages that ended outside the window
    notes: tuple[str, ...] = field(default_factory=tuple)


def measure(stays: Sequence[Stay], *, since: datetime, until: datetime) -> Measured:
    """Nearest-rank medians (numpy ``inverted_cdf``, as every percentile in Leanmark), so the
    median is a time a real card took."""
    inside = [s for s in stays if since <= s.end < until]
    if not inside:
        return Measured(0, None, None, len(stays), ("no card passed through in the window",))
    lts = np.array([(s.end - s.start).total_seconds() for s in inside])
    pts = np.array([s.active.total_seconds() for s in inside])
    lt = float(np.percentile(lts, 50, method="inverted_cdf"))
    pt = float(np.percentile(pts, 50, method="inverted_cdf"))
    return Measured(
        cards=len({s.card for s in inside}),
        lt=Fraction(round(lt)) / 60,
        pt=Fraction(round(pt)) / 60,
        excluded=len(stays) - len(inside),
    )


def disagrees(estimate: Fraction, measured: Fraction | None, *, tolerance: float = 0.5) -> bool:
    """True when the measured time is more than ``tolerance`` (50 %) away from the estimate."""
    if measured is None:
        return False
    if estimate == 0:
        return measured > 0
    return abs(measured - estimate) / estimate > Fraction(tolerance)


def to_basis(calendar_minutes: Fraction, basis: Basis, working: WorkingTime) -> Fraction:
    """Elapsed calendar time on the map's basis. On the working basis an elapsed week holds one
    working week: the time is scaled by working hours per week ÷ 168 (an average; card history
    does not say when in the week the work happened)."""
    if basis is Basis.CALENDAR:
        return calendar_minutes
    return calendar_minutes * working.hours_per_day * working.days_per_week / 168


# ---- formatting -------------------------------------------------------------------------------


def _num(value: Fraction | Decimal | int) -> str:
    number = Fraction(value)
    if number.denominator == 1:
        return str(number.numerator)
    text = f"{float(number):.2f}".rstrip("0").rstrip(".")
    return text


def fmt_minutes(minutes: Fraction, basis: Basis, working: WorkingTime) -> str:
    """A time in the largest unit that keeps it readable: ``45 min``, ``3.5 h``, ``12.3 d``.
    Days are days of the basis (24 h, or the working day)."""
    day = minutes_per(Unit.DAY, basis, working)
    if minutes < 60:
        return f"{_num(round(minutes, 1) if minutes.denominator != 1 else minutes)} min"
    if minutes < day:
        return f"{float(minutes / 60):.1f} h"
    return f"{float(minutes / day):.1f} d"


def in_days(minutes: Fraction, basis: Basis, working: WorkingTime) -> float:
    return float(minutes / minutes_per(Unit.DAY, basis, working))


def percent(share: Fraction | None, digits: int = 1) -> str:
    return "—" if share is None else f"{float(share) * 100:.{digits}f} %"
