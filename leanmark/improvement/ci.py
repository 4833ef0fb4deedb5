"""Continuous-improvement metrics (docs/product.md §12): monthly series, annotated with the PDCA
change dates, and a summary row saying whether each is better or worse than three months ago.

Each series draws from the app that owns its data, through that app's contract. A series with
nothing to draw from (no board, no current map, ...) says so ("no data yet: ...") instead of
showing zeros.
"""

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from statistics import median
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from leanmark.accounts.models import Workspace
from leanmark.board import queries as board_queries
from leanmark.board.choices import EventKind
from leanmark.domain import flow as flow_maths
from leanmark.domain import pdca
from leanmark.domain.flow import percentiles
from leanmark.experiments import queries as experiments_queries
from leanmark.flow import queries as flow_queries
from leanmark.lib import zones
from leanmark.valuestream import queries as valuestream_queries

from . import queries
from .models import Improvement, Outcome, Phase
from .queries import local_today

if TYPE_CHECKING:  # annotations only: the board's rows are read through its queries
    from leanmark.board.models import Board

MONTHS = 12
NO_BOARD = "No data yet: this workspace has no board."
Month = date  # the first day of a month


@dataclass
class Series:
    key: str
    title: str
    unit: str
    better: pdca.Better
    how: str  # how each value is computed, for the tooltip and the page
    values: list[tuple[Month, float | None]] = field(default_factory=list)
    missing: str = ""  # "No data yet: ..." when there is nothing to draw from
    partial_last: bool = True  # the current month is not over

    @property
    def has_data(self) -> bool:
        return not self.missing and any(v is not None for _, v in self.values)

    def trend(self) -> "Trend | None":
        """The last complete month against the one three months before it, or against the
        first whole month of data when the history is shorter than that."""
        complete = self.values[:-1] if self.partial_last else self.values
        known = [(m, v) for m, v in complete if v is not None]
        if len(known) < 2 or known[-1][0] != complete[-1][0]:
            return None
        month, now = known[-1]
        then_month, then = next(((m, v) for m, v in known if m >= _months_back(month, 3)), known[0])
        if then_month == month:
            return None
        if round(now, 1) == round(then, 1):
            direction = "same"
        elif self.better == "either":
            direction = "up" if now > then else "down"
        else:
            lower_better = self.better == "lower"
            direction = "better" if (now < then) == lower_better else "worse"
        return Trend(month, now, then_month, then, direction)


def _months_back(month: date, n: int) -> date:
    for _ in range(n):
        month = (month - timedelta(days=1)).replace(day=1)
    return month


@dataclass(frozen=True)
class Trend:
    month: Month
    value: float
    then_month: Month
    then: float
    direction: str  # better, worse, same, up, down

    @property
    def arrow(self) -> str:
        if self.direction == "same":
            return "→"
        up = self.value > self.then
        return "↑" if up else "↓"


@dataclass
class Report:
    months: list[Month]
    board: "Board | None"
    series: list[Series]
    changes: list[tuple[date, str, str]]
    figures: list[tuple[str, str, str]] = field(default_factory=list)  # (label, value, how)

    @property
    def shown(self) -> list[Series]:
        return [s for s in self.series if s.has_data]

    @property
    def waiting(self) -> list[Series]:
        return [s for s in self.series if not s.has_data]


def month_starts(today: date, count: int = MONTHS) -> list[Month]:
    first = today.replace(day=1)
    months = []
    for _ in range(count):
        months.append(first)
        first = (first - timedelta(days=1)).replace(day=1)
    return months[::-1]


def month_end(month: Month) -> date:
    """The last day of the month."""
    return (month + timedelta(days=32)).replace(day=1) - timedelta(days=1)


def _bounds(workspace: Workspace, first: date, last: date) -> tuple[datetime, datetime]:
    return zones.day_bounds(workspace, first, last)


# ---- series, one builder each ---------------------------------------------------------------


def _cycle_times(ctx: "Context") -> list[Series]:
    """Median and 85th-percentile cycle time per month, from one read of the finished items."""
    made = []
    for level, name in ((50, "Median cycle time"), (85, "85th-percentile cycle time")):
        made.append(
            Series(
                f"cycle_time_p{level}",
                name,
                "days",
                "lower",
                f"nearest-rank {level}th percentile of the cycle times of the items finished in "
                "the month (§5)",
            )
        )
    if ctx.board is None:
        for series in made:
            series.missing = NO_BOARD
        return made
    since, until = _bounds(ctx.workspace, ctx.months[0], ctx.today)
    by_month: dict[date, list[float]] = {m: [] for m in ctx.months}
    for item in flow_queries.finished_items(ctx.board, since=since, until=until):
        month = _local(item.finished_at, ctx.workspace).replace(day=1)
        if month in by_month and item.cycle_days is not None:
            by_month[month].append(float(item.cycle_days))
    for month in ctx.months:
        found = percentiles(by_month[month], (50, 85)) or {}
        made[0].values.append((month, found.get(50)))
        made[1].values.append((month, found.get(85)))
    return made


def _daily_sum(ctx: "Context", key: str, title: str, attribute: str, how: str, unit: str,
               better: pdca.Better) -> Series:  # fmt: skip
    series = Series(key, title, unit, better, how)
    if ctx.board is None:
        series.missing = NO_BOARD
        return series
    days = flow_queries.daily_series(ctx.board, start=ctx.months[0], end=ctx.today)
    totals: Counter[date] = Counter()
    for day in days:
        totals[day.date.replace(day=1)] += getattr(day, attribute, 0) or 0
    series.values = [(m, float(totals.get(m, 0))) for m in ctx.months]
    return series


def _throughput(ctx: "Context") -> Series:
    return _daily_sum(
        ctx, "throughput", "Throughput", "throughput",
        "items finished in the month (they last entered the done column then, §5)",
        "items", "higher",
    )  # fmt: skip


def _blocked(ctx: "Context") -> Series:
    return _daily_sum(
        ctx, "blocked", "Blocked time", "blocked",
        "blocked item-days: for each day of the month, the items blocked at its end",
        "item-days", "lower",
    )  # fmt: skip


def _flow_efficiency(ctx: "Context") -> Series:
    series = Series(
        "flow_efficiency",
        "Flow efficiency",
        "%",
        "higher",
        "time in active columns while not blocked ÷ cycle time, summed over the items finished "
        "in the month (§5)",
    )
    if ctx.board is None:
        series.missing = NO_BOARD
        return series
    data = flow_queries.flow_data(ctx.board)
    tl = data.timeline
    measures = flow_maths.item_measures(tl, data.shape, ctx.now.timestamp())
    for month in ctx.months:
        since, until = _bounds(ctx.workspace, month, month_end(month))
        chosen = flow_maths.finished_in(tl, since.timestamp(), until.timestamp())
        ratio = flow_maths.flow_efficiency(tl, measures, chosen).ratio
        series.values.append((month, None if ratio is None else 100 * ratio))
    return series


def _overrides(ctx: "Context") -> Series:
    series = Series(
        "wip_overrides",
        "WIP-limit overrides",
        "overrides",
        "lower",
        "cards moved over a soft WIP limit with a reason, from the card events",
    )
    if ctx.board is None:
        series.missing = "No board yet."
        return series
    since, until = _bounds(ctx.workspace, ctx.months[0], ctx.today)
    zone = zones.zone(ctx.workspace)
    rows = board_queries.events_per_month(
        ctx.board, EventKind.WIP_OVERRIDE, since=since, until=until, zone=zone
    )
    counts = {_as_date(month): n for month, n in rows}
    series.values = [(m, float(counts.get(m, 0))) for m in ctx.months]
    return series


def _first_month(workspace: Workspace, board: "Board | None") -> Month | None:
    """The first whole month of data: from the board's first event (or the first cycle)."""
    first_event = board_queries.first_event_at(board) if board is not None else None
    first_cycle = (
        Improvement.objects.for_workspace(workspace)
        .order_by("created_at")
        .values_list("created_at", flat=True)
        .first()
    )
    found = [t for t in (first_event, first_cycle) if t is not None]
    if not found:
        return None
    first = _local(min(found), workspace)
    if first.day == 1:
        return first
    return month_end(first) + timedelta(days=1)  # a month begun part-way is not comparable


def _as_date(value: Any) -> date:
    return value.date() if isinstance(value, datetime) else value


def _experiments(ctx: "Context") -> Series:
    series = Series(
        "experiments_decided",
        "Experiments concluded (learning velocity)",
        "experiments",
        "higher",
        "experiments with a recorded decision (persevere, pivot or stop) in the month; learning "
        "velocity is this count per month (§6)",
    )
    per_day = experiments_queries.decided_per_day(ctx.workspace, start=ctx.months[0], end=ctx.today)
    totals: Counter[date] = Counter()
    for day, n in per_day.items():
        totals[day.replace(day=1)] += n
    series.values = [(m, float(totals.get(m, 0))) for m in ctx.months]
    return series


def _current_map(ctx: "Context") -> Any:
    current = [
        m
        for m in valuestream_queries.streams_of(ctx.workspace)
        if getattr(m, "state", "") == "current"
    ]
    return sorted(current, key=lambda m: m.pk)[0] if current else None


def _map_series(ctx: "Context") -> list[Series]:
    """Waste steps and total LT/PT of the current map at the end of each month, from the totals
    its revisions record."""
    made = [
        Series("waste_steps", "Waste steps on the current map", "steps", "lower",
               "steps marked waste on the current value stream map at the end of the month"),
        Series("map_lt", "Total lead time of the current map", "h", "lower",
               "Σ LT of the current map's steps at the end of the month (map's time basis)"),
        Series("map_pt", "Total process time of the current map", "h", "lower",
               "Σ PT of the current map's steps at the end of the month (map's time basis)"),
    ]  # fmt: skip
    stream = _current_map(ctx)
    if stream is None:
        for series in made:
            series.missing = "No data yet: there is no current-state value stream map."
        return made
    basis = getattr(stream, "get_time_basis_display", lambda: "")()
    for series in made:
        series.how += f"; map “{stream.name}”" + (f", {basis.lower()}" if basis else "")
    revisions = list(stream.revisions.order_by("at", "id"))
    for month in ctx.months:
        _, end = _bounds(ctx.workspace, month, month_end(month))
        last = None
        for revision in revisions:
            if revision.at < end:
                last = revision
        made[0].values.append((month, None if last is None else float(last.waste_steps)))
        made[1].values.append((month, None if last is None else last.total_lt_minutes / 60))
        made[2].values.append((month, None if last is None else last.total_pt_minutes / 60))
    return made


def _hours_saved(ctx: "Context") -> Series:
    series = Series(
        "hours_saved",
        "Hours saved per month",
        "h",
        "higher",
        "hands-on hours a month saved by standardised cycles (the step's PT × runs per month, "
        "before minus after), counted from the month each was standardised",
    )
    saving = [
        (
            _local(c.closed_at, ctx.workspace).replace(day=1),
            float(c.effect["hours_saved_per_month"]),
        )
        for c in ctx.closed
        if c.outcome == Outcome.STANDARDISE
        and c.closed_at is not None
        and c.effect
        and c.effect.get("hours_saved_per_month") is not None
    ]
    if not saving:
        series.missing = (
            "No data yet: no cycle has been standardised into the value stream map, so no "
            "saving has been measured."
        )
        return series
    series.values = [(m, sum(h for start, h in saving if start <= m)) for m in ctx.months]
    return series


def _cycles(ctx: "Context") -> Series:
    series = Series(
        "pdca_completed",
        "PDCA cycles completed",
        "cycles",
        "higher",
        "improvement cycles closed in the month (standardised, adjusted or abandoned)",
    )
    counts: Counter[date] = Counter()
    for closed in ctx.closed:
        if closed.closed_at is not None:
            counts[_local(closed.closed_at, ctx.workspace).replace(day=1)] += 1
    series.values = [(m, float(counts.get(m, 0))) for m in ctx.months]
    return series


def _local(moment: datetime, workspace: Workspace) -> date:
    return zones.local_day(workspace, moment)


BUILDERS: tuple[Callable[["Context"], Series | list[Series]], ...] = (
    _cycle_times,
    _throughput,
    _flow_efficiency,
    _overrides,
    _blocked,
    _experiments,
    _map_series,
    _cycles,
    _hours_saved,
)


@dataclass
class Context:
    workspace: Workspace
    board: "Board | None"
    months: list[Month]
    today: date
    closed: list[Improvement]
    now: datetime


def _effects(closed: list[Improvement]) -> tuple[str, str]:
    measured = [c for c in closed if c.effect and c.effect.get("enough")]
    improved = [c for c in measured if c.effect and c.effect.get("improved")]
    standardised = [c for c in closed if c.outcome == Outcome.STANDARDISE]
    return (
        f"{len(improved)} of {len(measured)}",
        f"cycles closed with enough data whose Check showed a significant improvement of their "
        f"metric; {len(standardised)} standardised, "
        f"{sum(c.outcome == Outcome.ABANDON for c in closed)} abandoned",
    )


def continuous_improvement(
    workspace: Workspace, *, board: "Board | None" = None, today: date | None = None
) -> Report:
    today = today or local_today(workspace)
    if board is None:
        boards = board_queries.boards_of(workspace)
        board = boards[0] if boards else None
    months = month_starts(today)
    closed = list(
        Improvement.objects.for_workspace(workspace)
        .filter(phase=Phase.CLOSED)
        .order_by("closed_at")
    )
    ctx = Context(workspace, board, months, today, closed, timezone.now())
    series: list[Series] = []
    for build in BUILDERS:
        made = build(ctx)
        series += made if isinstance(made, list) else [made]
    first = _first_month(workspace, board)
    for s in series:  # before the team used Leanmark there is no data, not zero
        s.values = [(m, None if first is None or m < first else v) for m, v in s.values]
    changes = queries.change_dates(workspace, start=months[0], end=today)
    report = Report(months, board, series, changes)
    effect, how = _effects(closed)
    report.figures.append(("Cycles that measurably improved their metric", effect, how))
    times = list(experiments_queries.bml_cycle_times(workspace))
    report.figures.append(
        (
            "Median BML cycle time",
            f"{median(times):.1f} days" if times else "no experiment decided yet",
            f"days from running to decided, median of {len(times)} experiments (§6)",
        )
    )
    return report


def as_dict(report: Report) -> dict[str, Any]:
    """The report as plain data (API and ``leanmark improvement report --json``)."""
    series = []
    for s in report.series:
        trend = s.trend()
        series.append(
            {
                "key": s.key,
                "title": s.title,
                "unit": s.unit,
                "better": s.better,
                "how": s.how,
                "has_data": s.has_data,
                "missing": "" if s.has_data else (s.missing or "No data yet."),
                "values": [{"month": m, "value": v} for m, v in s.values] if s.has_data else [],
                "trend": trend.direction if trend else None,
            }
        )
    return {
        "board_id": report.board.pk if report.board else None,
        "months": report.months,
        "series": series,
        "changes": [{"date": d, "label": label, "url": url} for d, label, url in report.changes],
        "figures": [{"label": a, "value": b, "how": c} for a, b, c in report.figures],
    }
