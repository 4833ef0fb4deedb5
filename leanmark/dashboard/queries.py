"""Reads of the dashboard app: metric descriptions (typed and built-in), roll-ups, the series
and returns other apps call, and the funnel.

Contracts for other apps:
- ``series(workspace, metric_key, *, start, end, period)`` → [(period_start, value | None)];
  ``metric_key`` is a typed metric's key or a built-in key (``BUILTINS``).
- ``returns(workspace, *, start, end)`` → [ReturnRow]: revenue measurements, and output
  measurements x value per unit, per day, stage, channel and campaign (docs/product.md §11).
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from itertools import pairwise
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from leanmark.accounts.models import Workspace
from leanmark.board import queries as board_queries
from leanmark.channeldata import queries as channeldata_queries
from leanmark.domain.hourglass import Stage
from leanmark.domain.metrics import (
    FIRST_YEAR,
    LAST_YEAR,
    YEARS,
    Aggregation,
    Bucket,
    Change,
    Funnel,
    Period,
    attainment,
    change,
    comparable_span,
    funnel,
    local_day,
    outside_years,
    period_end,
    period_label,
    period_start,
    period_starts,
    periods_back,
    previous_period_start,
    prorated,
    rollup,
    verdict,
)
from leanmark.experiments import queries as experiments_queries
from leanmark.flow import queries as flow_queries
from leanmark.lib import formats, zones

from .errors import MetricError
from .models import FunnelStep, Kind, Layout, Measurement, Metric, Target, TargetRevision

CENT = Decimal("0.01")


def tz_of(workspace: Workspace) -> ZoneInfo:
    return zones.zone(workspace)


def today(workspace: Workspace, now: datetime) -> date:
    return local_day(now, tz_of(workspace))


def as_period(period: str | Period) -> Period:
    try:
        return Period(period)
    except ValueError:
        raise ValueError(
            f"unknown period {period!r}; choose one of {', '.join(p.value for p in Period)}"
        ) from None


# ---- what a metric is ---------------------------------------------------------------------------


@dataclass(frozen=True)
class MetricInfo:
    """A typed metric or a built-in one, described alike for tiles, charts and the API."""

    key: str
    name: str
    kind: str  # input | output
    stage: str  # "" for built-in flow metrics: they measure the team, not one stage
    unit: str
    aggregation: Aggregation
    higher_is_better: bool
    explanation: str
    metric: Metric | None = None  # None for built-in metrics
    available: bool = True  # the API reports it; every built-in metric's source app is installed

    @property
    def builtin(self) -> bool:
        return self.metric is None


BUILTINS: dict[str, MetricInfo] = {
    info.key: info
    for info in (
        MetricInfo(
            "flow-throughput",
            "Throughput",
            Kind.OUTPUT,
            "",
            "items",
            Aggregation.SUM,
            True,
            "Cards that reached the done column, per day, on every board (from card events).",
        ),
        MetricInfo(
            "flow-cycle-time",
            "Median cycle time",
            Kind.OUTPUT,
            "",
            "days",
            Aggregation.MEDIAN,
            False,
            "Median of the cycle times (start → done) of the cards finished in the period.",
        ),
        MetricInfo(
            "flow-wip",
            "Work in progress",
            Kind.INPUT,
            "",
            "items",
            Aggregation.MEAN,
            False,
            "Cards started and not finished at the end of each day, averaged over the period.",
        ),
        MetricInfo(
            "experiments-decided",
            "Experiments decided",
            Kind.OUTPUT,
            "",
            "experiments",
            Aggregation.SUM,
            True,
            "Experiments with a recorded persevere/pivot/stop decision, per day.",
        ),
    )
}


# Measures of the imported marketing data (docs/product.md §11.1), each a metric of its own once
# the workspace has imported it: key "data-<measure>".
DATA_PREFIX = "data-"
DATA_MEASURES: dict[str, tuple[str, str, str, str, str]] = {
    # measure: (name, kind, stage, unit, what it is)
    "spend": ("Ad spend (imported)", Kind.INPUT, "", "money", "Spend the ad platforms report"),
    "impressions": ("Impressions (imported)", Kind.OUTPUT, "know", "impressions", "Ads shown"),
    "clicks": ("Clicks (imported)", Kind.OUTPUT, "like", "clicks", "Clicks on ads and emails"),
    "sessions": ("Sessions (imported)", Kind.OUTPUT, "like", "sessions", "Visits to the site"),
    "conversions": ("Conversions (imported)", Kind.OUTPUT, "buy", "conversions", "Key events"),
    "revenue": ("Revenue (imported)", Kind.OUTPUT, "buy", "money", "Revenue of one source"),
    "new_customers": ("New customers (imported)", Kind.OUTPUT, "buy", "customers", "First orders"),
}


def data_infos(workspace: Workspace) -> list[MetricInfo]:
    """A metric for each measure the workspace's imported marketing data gives (one query)."""
    present = channeldata_queries.measures_present(workspace)
    return [
        MetricInfo(
            f"{DATA_PREFIX}{measure.replace('_', '-')}",
            name,
            kind,
            stage,
            unit,
            Aggregation.SUM,
            measure != "spend",
            f"{what}, summed per day over the imported files and pulls (Marketing data).",
        )
        for measure, (name, kind, stage, unit, what) in DATA_MEASURES.items()
        if measure in present
    ]


def _data_measure(key: str) -> str | None:
    measure = key.removeprefix(DATA_PREFIX).replace("-", "_")
    return measure if key.startswith(DATA_PREFIX) and measure in DATA_MEASURES else None


def info_of(metric: Metric) -> MetricInfo:
    kind_word = "input" if metric.kind == Kind.INPUT else "output"
    return MetricInfo(
        key=metric.key,
        name=metric.name,
        kind=metric.kind,
        stage=metric.stage,
        unit=metric.unit,
        aggregation=Aggregation(metric.aggregation),
        higher_is_better=metric.higher_is_better,
        explanation=metric.description
        or f"Typed {kind_word} measurements, rolled up by {metric.get_aggregation_display()}.",
        metric=metric,
    )


def builtin_infos() -> list[MetricInfo]:
    return list(BUILTINS.values())


STAGE_ORDER = {stage.value: index for index, stage in enumerate(Stage)}


def metrics_of(workspace: Workspace) -> list[Metric]:
    """Typed metrics in hourglass order (Know to Refer), inputs before outputs, then by name."""
    metrics = Metric.objects.filter(workspace=workspace)
    return sorted(metrics, key=lambda m: (STAGE_ORDER.get(m.stage, 9), m.kind, m.name.lower()))


def all_infos(workspace: Workspace) -> list[MetricInfo]:
    return [info_of(m) for m in metrics_of(workspace)] + builtin_infos() + data_infos(workspace)


def metric_by_id(workspace_ids: Any, metric_id: int) -> Metric:
    """A metric in any of these workspaces (the API, which learns the workspace from it)."""
    metric = (
        Metric.objects.select_related("workspace")
        .filter(pk=metric_id, workspace_id__in=workspace_ids)
        .first()
    )
    if metric is None:
        raise Http404("no such metric")
    return metric


def metric_for(workspace: Workspace, metric_id: int) -> Metric:
    metric = Metric.objects.filter(workspace=workspace, pk=metric_id).first()
    if metric is None:
        raise Http404("no such metric")
    return metric


def info_for(workspace: Workspace, key: str) -> MetricInfo:
    """A typed metric by key, or a built-in one; unknown keys answer 404."""
    if key in BUILTINS:
        return next(i for i in builtin_infos() if i.key == key)
    if _data_measure(key):
        found = next((i for i in data_infos(workspace) if i.key == key), None)
        if found is None:
            raise Http404(f"no imported marketing data gives {key[:60]!r} yet")
        return found
    metric = Metric.objects.filter(workspace=workspace, key=key).first()
    if metric is None:
        raise Http404(f"no metric {key[:60]!r} in this workspace")
    return info_of(metric)


# ---- daily points -------------------------------------------------------------------------------

Points = tuple[list[date], list[float]]


def typed_points(
    metric_ids: Iterable[int], first: date, last: date, *, channel: str | None = None
) -> dict[int, Points]:
    """metric id → (days, values) of its measurements between first and last (one query)."""
    rows = Measurement.objects.filter(metric_id__in=list(metric_ids), day__range=(first, last))
    if channel is not None:
        rows = rows.filter(channel=channel)
    points: dict[int, Points] = defaultdict(lambda: ([], []))
    for metric_id, day, value in rows.order_by().values_list("metric_id", "day", "value"):
        days, values = points[metric_id]
        days.append(day)
        values.append(value)
    return points


def _boards(workspace: Workspace) -> list[Any]:
    return list(board_queries.boards_of(workspace))


def builtin_points(workspace: Workspace, key: str, first: date, last: date) -> Points:
    """Daily values of a built-in metric, computed from the flow and experiments apps."""
    return builtin_points_many(workspace, [key], first, last).get(key, ([], []))


def builtin_points_many(
    workspace: Workspace, keys: Sequence[str], first: date, last: date
) -> dict[str, Points]:
    """Daily values of several built-in metrics, asking each board's flow data once."""
    found: dict[str, Points] = {}
    wanted = set(keys)
    for key in wanted:
        measure = _data_measure(key)
        if measure is not None:
            daily = channeldata_queries.daily(
                workspace, measure, start=first, end=last, currency=formats.currency_code(workspace)
            )
            found[key] = (list(daily), list(daily.values()))
    if "experiments-decided" in wanted:
        per_day = experiments_queries.decided_per_day(workspace, start=first, end=last)
        span = [first + timedelta(days=i) for i in range((last - first).days + 1)]
        found["experiments-decided"] = (span, [float(per_day.get(d, 0)) for d in span])
    flow_keys = wanted & {"flow-throughput", "flow-wip", "flow-cycle-time"}
    if not flow_keys:
        return found
    tz = tz_of(workspace)
    throughput: dict[date, float] = defaultdict(float)
    wip: dict[date, float] = defaultdict(float)
    cycle: Points = ([], [])
    # The flow series read the years 1900 to 2100 only; a tile or roll-up at their edge counts
    # periods back or on past them, where no board has any data.
    first, last = max(first, date(FIRST_YEAR, 1, 1)), min(last, date(LAST_YEAR, 12, 31))
    for board in _boards(workspace):
        if flow_keys & {"flow-throughput", "flow-wip"}:
            for row in flow_queries.daily_series(board, start=first, end=last):
                throughput[row.date] += float(row.throughput)
                wip[row.date] += float(row.wip)
        if "flow-cycle-time" in flow_keys:
            for item in flow_queries.finished_items(board, since=first, until=last):
                cycle[0].append(local_day(item.finished_at, tz))
                cycle[1].append(float(item.cycle_days))
    found["flow-throughput"] = (list(throughput), list(throughput.values()))
    found["flow-wip"] = (list(wip), list(wip.values()))
    found["flow-cycle-time"] = cycle
    return found


def points_of(
    workspace: Workspace, info: MetricInfo, first: date, last: date, *, channel: str | None = None
) -> Points:
    if info.metric is None:
        return builtin_points(workspace, info.key, first, last)
    return typed_points([info.metric.pk], first, last, channel=channel)[info.metric.pk]


def rollup_of(
    workspace: Workspace,
    info: MetricInfo,
    *,
    first: date,
    last: date,
    period: Period,
    channel: str | None = None,
) -> list[Bucket]:
    days, values = points_of(workspace, info, first, last, channel=channel)
    return rollup(days, values, period=period, aggregation=info.aggregation, first=first, last=last)


def series(
    workspace: Workspace, metric_key: str, *, start: date, end: date, period: str | Period
) -> list[tuple[date, float | None]]:
    """[(period start, value or None)] for every period overlapping start..end (inclusive),
    rolled up by the metric's aggregation in the workspace's time zone. A period without data
    is None, not 0. Raises Http404 for an unknown key."""
    info = info_for(workspace, metric_key)
    buckets = rollup_of(workspace, info, first=start, last=end, period=as_period(period))
    return [(b.start, b.value) for b in buckets]


# ---- returns (for ROI) --------------------------------------------------------------------------


@dataclass(frozen=True)
class ReturnRow:
    date: date
    stage: str
    channel: str  # the measurement's channel, else the metric's
    campaign: str
    amount: Decimal  # money, rounded to cents
    metric: str  # the metric's key, to trace the amount back
    basis: str  # "revenue" or "value per unit 12.5"


def returns(workspace: Workspace, *, start: date, end: date) -> list[ReturnRow]:
    """Revenue measurements as they are, and output measurements x value per unit, per day
    between start and end (inclusive). Input metrics never count as returns."""
    metrics = {
        m.pk: m
        for m in Metric.objects.filter(workspace=workspace).exclude(kind=Kind.INPUT)
        if m.is_revenue or m.value_per_unit is not None
    }
    rows = (
        Measurement.objects.filter(metric_id__in=list(metrics), day__range=(start, end))
        .order_by("day", "metric_id", "channel", "campaign")
        .values_list("metric_id", "day", "value", "channel", "campaign")
    )
    result = []
    for metric_id, day, value, channel, campaign in rows:
        metric = metrics[metric_id]
        if metric.is_revenue:
            amount, basis = Decimal(repr(value)), "revenue"
        else:
            vpu = metric.value_per_unit
            amount, basis = Decimal(repr(value)) * vpu, f"value per unit {vpu.normalize()}"
        result.append(
            ReturnRow(
                date=day,
                stage=metric.stage,
                channel=channel or metric.channel,
                campaign=campaign,
                amount=amount.quantize(CENT),
                metric=metric.key,
                basis=basis,
            )
        )
    return result


# ---- targets ------------------------------------------------------------------------------------


def targets_of(metric_ids: Sequence[int]) -> dict[tuple[int, str], float]:
    return {
        (t.metric_id, t.period): t.value for t in Target.objects.filter(metric_id__in=metric_ids)
    }


def target_revisions(metric: Metric) -> list[TargetRevision]:
    return list(metric.target_revisions.select_related("actor").order_by("-at", "-id"))


def target_at(revisions: Sequence[TargetRevision], period: str, when: datetime) -> float | None:
    """The target for ``period`` in force at ``when`` (from the revision history)."""
    value = None
    for revision in sorted(revisions, key=lambda r: (r.at, r.pk)):
        if revision.period == period and revision.at <= when:
            value = revision.new_value
    return value


def layout_of(workspace: Workspace) -> list[str] | None:
    layout = Layout.objects.filter(workspace=workspace).first()
    return list(layout.tiles) if layout else None


def funnel_steps(workspace: Workspace) -> dict[str, Metric]:
    return {
        s.stage: s.metric
        for s in FunnelStep.objects.filter(workspace=workspace).select_related("metric")
    }


# ---- roll-up reports and tiles -------------------------------------------------------------------

SPARK_PERIODS = {Period.DAY: 30, Period.WEEK: 12, Period.MONTH: 12, Period.YEAR: 5}
# A tile's sparkline: which periods, how many. A year's tile draws the last 24 months: few
# workspaces have five years of data, and a line of one or two years says nothing.
SPARKS = {
    Period.DAY: (Period.DAY, 30),
    Period.WEEK: (Period.WEEK, 12),
    Period.MONTH: (Period.MONTH, 12),
    Period.YEAR: (Period.MONTH, 24),
}


@dataclass(frozen=True)
class RollupRow:
    """One period of a metric: its value, the change from the period before, the target."""

    bucket: Bucket
    change: Change
    target: float | None
    attainment: float | None


def default_range(period: Period, last: date) -> tuple[date, date]:
    return periods_back(last, period, SPARK_PERIODS[period])[0], last


def check_years(*days: tuple[date | None, str]) -> None:
    """MetricError naming the field of the first (day, field) outside the years 1900 to 2100:
    the periods around such a day leave Python's calendar (0001-01-01 answered 500)."""
    for day, field in days:
        if day is not None and outside_years(day):
            raise MetricError(f"{field} must be a day from {YEARS}, not {day}", field=field)


def rollup_report(
    workspace: Workspace,
    info: MetricInfo,
    *,
    first: date,
    last: date,
    period: Period,
    channel: str | None = None,
) -> list[RollupRow]:
    """Every period overlapping first..last with its change from the period before (the one
    before ``first`` is computed too, so the first row has a change) and target attainment.
    Days outside the years 1900 to 2100 are refused (check_years)."""
    check_years((first, "from"), (last, "to"))
    before = previous_period_start(period_start(first, period), period)
    buckets = rollup_of(workspace, info, first=before, last=last, period=period, channel=channel)
    target = None
    if info.metric is not None:
        target = targets_of([info.metric.pk]).get((info.metric.pk, period.value))
    rows = []
    for previous, bucket in pairwise(buckets):
        rows.append(
            RollupRow(
                bucket=bucket,
                change=change(bucket.value, previous.value),
                target=target,
                attainment=attainment(bucket.value, target, higher_is_better=info.higher_is_better),
            )
        )
    return rows


@dataclass(frozen=True)
class Tile:
    """A metric's tile for the period that contains ``as_of``, compared like for like."""

    info: MetricInfo
    period: Period
    current: Bucket  # the period to date
    previous: Bucket  # the same span of the period before
    change: Change
    target: float | None
    attainment: float | None
    spark: tuple[Bucket, ...]  # the last periods of SPARKS[period], the current one last
    partial: bool  # the period is still under way
    due: float | None  # the target pro-rated to the days elapsed, for a sum under way
    spark_partial: bool = False  # the sparkline's last period is still under way ("so far")

    @property
    def spark_period(self) -> Period:
        return SPARKS[self.period][0]

    @property
    def verdict(self) -> str:
        """The change's colour, "good", "bad" or "flat", by what the metric wants."""
        return verdict(self.change, higher_is_better=self.info.higher_is_better)

    @property
    def elapsed_days(self) -> int:
        return (self.current.end - self.current.start).days + 1

    @property
    def period_days(self) -> int:
        return (period_end(self.current.start, self.period) - self.current.start).days + 1

    @property
    def comparison(self) -> str:
        """What the change compares, in words (the tooltip that traces it)."""
        cur, prev = self.current, self.previous
        if self.period is Period.DAY:
            return f"{cur.label} vs {prev.label}"
        return f"{cur.start:%d %b} – {cur.end:%d %b %Y} vs {prev.start:%d %b} – {prev.end:%d %b %Y}"


def tile_for(
    info: MetricInfo,
    points: Points,
    *,
    period: Period,
    as_of: date,
    target: float | None,
    today: date | None = None,
) -> Tile:
    """``today``: the workspace's current day. A period that ends today is still under way (the
    day is not over), so today's day on the day view reads "so far" like a week under way."""
    days, values = points
    spark_period, count = SPARKS[period]
    spark_starts = periods_back(as_of, spark_period, count)
    spark = rollup(
        days,
        values,
        period=spark_period,
        aggregation=info.aggregation,
        first=spark_starts[0],
        last=as_of,
    )
    start = period_start(as_of, period)
    end, prev_start, prev_end = comparable_span(start, as_of, period)
    [current] = rollup(
        days, values, period=period, aggregation=info.aggregation, first=start, last=end
    )
    [previous] = rollup(
        days, values, period=period, aggregation=info.aggregation, first=prev_start, last=prev_end
    )
    # The buckets above carry the whole period's end; keep the span actually compared.
    current = replace(current, end=end)
    previous = replace(previous, end=prev_end)
    partial = end < period_end(start, period) or end == today
    summed = info.aggregation is Aggregation.SUM
    due = prorated(target, start, end, period) if target is not None and summed else target
    return Tile(
        info=info,
        period=period,
        current=current,
        previous=previous,
        change=change(current.value, previous.value),
        target=target,
        attainment=attainment(current.value, due, higher_is_better=info.higher_is_better),
        spark=tuple(spark),
        partial=partial,
        due=due,
        spark_partial=as_of < period_end(spark_starts[-1], spark_period) or as_of == today,
    )


def tiles_for(
    workspace: Workspace, infos: Sequence[MetricInfo], *, period: Period, as_of: date
) -> list[Tile]:
    """Tiles for many metrics with one query for all typed measurements."""
    first = min(
        periods_back(as_of, *SPARKS[period])[0],
        comparable_span(period_start(as_of, period), as_of, period)[1],
    )
    typed = [i.metric.pk for i in infos if i.metric is not None]
    points = typed_points(typed, first, as_of) if typed else {}
    targets = targets_of(typed) if typed else {}
    builtin = [i.key for i in infos if i.metric is None and i.available]
    computed = builtin_points_many(workspace, builtin, first, as_of) if builtin else {}
    now_day = today(workspace, timezone.now())
    tiles = []
    for info in infos:
        if info.metric is None:
            data = computed.get(info.key, ([], []))
            target = None
        else:
            data = points.get(info.metric.pk, ([], []))
            target = targets.get((info.metric.pk, period.value))
        tiles.append(tile_for(info, data, period=period, as_of=as_of, target=target, today=now_day))
    return tiles


@dataclass(frozen=True)
class StageRow:
    stage: str
    inputs: list[Tile]
    outputs: list[Tile]


@dataclass(frozen=True)
class DashboardView:
    period: Period
    as_of: date
    stages: list[StageRow]
    flow: list[Tile]  # built-in metrics
    customised: bool  # a saved layout chose and ordered the tiles
    metric_count: int
    untargeted: int = 0  # typed metrics on the dashboard without a target for the period


def chosen_infos(workspace: Workspace) -> tuple[list[MetricInfo], bool]:
    """The tiles to show: the saved layout's, in its order, or every metric."""
    infos = all_infos(workspace)
    tiles = layout_of(workspace)
    if tiles is None:
        return infos, False
    by_key = {i.key: i for i in infos}
    return [by_key[k] for k in tiles if k in by_key], True


def dashboard(workspace: Workspace, *, period: Period, as_of: date) -> DashboardView:
    infos, customised = chosen_infos(workspace)
    tiles = tiles_for(workspace, infos, period=period, as_of=as_of)
    stages = []
    for stage in Stage:
        here = [t for t in tiles if t.info.stage == stage.value]
        stages.append(
            StageRow(
                stage.value,
                [t for t in here if t.info.kind == Kind.INPUT],
                [t for t in here if t.info.kind == Kind.OUTPUT],
            )
        )
    return DashboardView(
        period=period,
        as_of=as_of,
        stages=stages,
        flow=[t for t in tiles if t.info.builtin and not t.info.stage],
        customised=customised,
        metric_count=len(infos),
        untargeted=sum(1 for t in tiles if not t.info.builtin and t.target is None),
    )


# ---- the hourglass funnel ------------------------------------------------------------------------


@dataclass(frozen=True)
class FunnelPeriod:
    start: date
    label: str
    volumes: dict[str, float | None]  # configured stage → its volume in the period
    funnel: Funnel


@dataclass(frozen=True)
class FunnelView:
    period: Period
    steps: dict[str, Metric]  # stage → its volume metric
    periods: list[FunnelPeriod]  # oldest first

    @property
    def latest(self) -> FunnelPeriod | None:
        return self.periods[-1] if self.periods else None

    @property
    def configured(self) -> bool:
        return len(self.steps) >= 2


def funnel_view(workspace: Workspace, *, period: Period, first: date, last: date) -> FunnelView:
    """Each period's volume per stage and the conversions n(k+1) ÷ n(k) between adjacent
    configured stages, with the biggest drop (docs/product.md §10)."""
    steps = funnel_steps(workspace)
    points = typed_points([m.pk for m in steps.values()], first, last)
    rolled = {
        stage: rollup(
            *points.get(metric.pk, ([], [])),
            period=period,
            aggregation=Aggregation(metric.aggregation),
            first=first,
            last=last,
        )
        for stage, metric in steps.items()
    }
    periods = []
    for index, start in enumerate(period_starts(first, last, period)):
        volumes = {stage: rolled[stage][index].value for stage in steps}
        chain = [(s.value, volumes.get(s.value), s.value in steps) for s in Stage]
        periods.append(FunnelPeriod(start, period_label(start, period), volumes, funnel(chain)))
    return FunnelView(period, steps, periods)


def grid_cells(metric_ids: Sequence[int], first: date, last: date) -> dict[str, dict[str, Any]]:
    """``"<metric id>:<day>"`` → {"value", "split"} for the entry grid: the plain row's value,
    or (split True) the day's total when it has rows per channel or campaign, which the grid
    shows read-only."""
    cells: dict[str, dict[str, Any]] = {}
    rows = Measurement.objects.filter(metric_id__in=list(metric_ids), day__range=(first, last))
    for metric_id, day, value, channel, campaign in rows.order_by().values_list(
        "metric_id", "day", "value", "channel", "campaign"
    ):
        cell = cells.setdefault(f"{metric_id}:{day.isoformat()}", {"value": 0.0, "split": False})
        cell["value"] += value
        cell["split"] = cell["split"] or bool(channel or campaign)
    return cells


def marker_rows(workspace_ref: Any) -> list[tuple[str, QuerySet[Any], str, tuple[str, ...]]]:
    """The measurements and metrics of one workspace (``workspace_ref``: its id or an
    ``OuterRef``), as (name, rows, workspace field, amounts) for another app's change marker
    (roi's cached curves): a count, newest id and sum of each amount moves when a row does."""
    return [
        (
            "measure",
            Measurement.objects.filter(metric__workspace=workspace_ref),
            "metric__workspace",
            ("value",),
        ),
        (
            "metric",
            Metric.objects.filter(workspace=workspace_ref),
            "workspace",
            ("value_per_unit",),
        ),
    ]
