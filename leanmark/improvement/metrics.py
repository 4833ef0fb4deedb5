"""The metrics a cycle can take as its baseline, and their values in the Check's two windows.

Flow metrics come from flow analytics (``finished_items``, ``daily_series``) on the cycle's
board; any dashboard metric comes from the dashboard's ``series``. Each is one of the three kinds
the Check knows (``leanmark.domain.pdca``): per-item durations, a rate, or daily values.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from django.http import Http404

from leanmark.accounts.models import Workspace
from leanmark.dashboard import queries as dashboard_queries
from leanmark.domain import pdca
from leanmark.flow import queries as flow_queries
from leanmark.lib import zones
from leanmark.lib.errors import InvalidInput

if TYPE_CHECKING:  # annotations only: the board's rows are read through its queries
    from leanmark.board.models import Board

DASHBOARD_PREFIX = "dashboard:"


@dataclass(frozen=True)
class Metric:
    key: str
    label: str  # as a menu item
    noun: str  # in a sentence: "cycle time"
    kind: pdca.Kind
    unit: str
    better: pdca.Better
    group: str
    missing: str = ""  # why it cannot be computed; "" when it can (the API reports it)
    needs_param: bool = False

    @property
    def available(self) -> bool:
        return not self.missing

    def noun_with(self, param: float | None) -> str:
        if self.needs_param and param is not None:
            return self.noun.replace("N days", f"{param:g} days")
        return self.noun


FLOW_TABLE: tuple[tuple[str, str, str, pdca.Kind, str, pdca.Better], ...] = (
    ("cycle_time", "Cycle time (days per item)", "cycle time", "durations", "days", "lower"),
    ("lead_time", "Lead time (days per item)", "lead time", "durations", "days", "lower"),
    (
        "within_days",
        "Share of items finished within N days",
        "share of items finished within N days",
        "rate",
        "%",
        "higher",
    ),
    ("throughput", "Throughput (items finished a day)", "throughput", "daily", "items", "higher"),
    ("wip", "WIP (items in progress at the end of a day)", "WIP", "daily", "items", "lower"),
    ("blocked", "Blocked items (at the end of a day)", "blocked items", "daily", "items", "lower"),
)


def flow_metrics() -> list[Metric]:
    return [
        Metric(key, label, noun, kind, unit, better, "Flow", needs_param=key == "within_days")
        for key, label, noun, kind, unit, better in FLOW_TABLE
    ]


def dashboard_metrics(workspace: Workspace) -> list[Metric]:
    """The dashboard's metrics (typed ones and its built-ins other than the flow ones, which
    the flow group above already offers per item)."""
    found = []
    for info in dashboard_queries.all_infos(workspace):
        key = str(info.key)
        if key.startswith("flow-"):
            continue
        better: pdca.Better = "higher" if info.higher_is_better else "lower"
        name = str(info.name)
        found.append(
            Metric(
                f"{DASHBOARD_PREFIX}{key}",
                name,
                name,
                "daily",
                str(info.unit or ""),
                better,
                "Dashboard",
            )
        )
    return found


def metrics_for(workspace: Workspace) -> list[Metric]:
    """Every metric a cycle in this workspace can use."""
    return flow_metrics() + dashboard_metrics(workspace)


def metric_for(workspace: Workspace, key: str) -> Metric | None:
    return next((m for m in metrics_for(workspace) if m.key == key), None)


def clean_metric(workspace: Workspace, key: Any) -> Metric | None:
    """The metric for a key typed or sent by a person; InvalidInput for one that is unknown here
    (which includes another workspace's dashboard metric)."""
    if key in (None, ""):
        return None
    text = str(key).strip()
    metric = metric_for(workspace, text)
    if metric is None:
        raise InvalidInput(
            f"there is no metric {text[:60]!r} in this workspace; choose one of the list",
            field="metric",
        )
    return metric


# ---- values in the two windows ---------------------------------------------------------------


@dataclass(frozen=True)
class Point:
    day: date
    value: float
    label: str = ""  # e.g. "#42" for an item


@dataclass(frozen=True)
class WindowData:
    before: list[Point]
    after: list[Point]
    source: str  # where the numbers come from, for the page's "how this is computed"


def _bounds(workspace: Workspace, first: date, last: date) -> tuple[datetime, datetime]:
    return zones.day_bounds(workspace, first, last)


def _split(points: Sequence[Point], w: pdca.Windows) -> tuple[list[Point], list[Point]]:
    before = [p for p in points if w.before_start <= p.day <= w.before_end]
    after = [p for p in points if w.after_start <= p.day <= w.after_end]
    return before, after


def _local_day(moment: datetime, workspace: Workspace) -> date:
    return zones.local_day(workspace, moment)


def _item_points(
    workspace: Workspace, board: "Board", metric: Metric, first: date, last: date
) -> list[Point]:
    since, until = _bounds(workspace, first, last)
    attribute = "lead_days" if metric.key == "lead_time" else "cycle_days"
    points = []
    for item in flow_queries.finished_items(board, since=since, until=until):
        value = getattr(item, attribute, None)
        if value is None:
            continue
        number = getattr(item, "number", None)
        day = _local_day(item.finished_at, workspace)
        points.append(Point(day, float(value), f"#{number}" if number else ""))
    return points


def _daily_points(
    workspace: Workspace, board: "Board | None", metric: Metric, first: date, last: date
) -> list[Point]:
    if metric.key.startswith(DASHBOARD_PREFIX):
        key = metric.key.removeprefix(DASHBOARD_PREFIX)
        try:
            rows = dashboard_queries.series(workspace, key, start=first, end=last, period="day")
        except Http404:  # deleted since it was chosen
            return []
        return [Point(day, float(value)) for day, value in rows if value is not None]
    if board is None:
        return []
    attribute = {"throughput": "throughput", "wip": "wip", "blocked": "blocked"}[metric.key]
    return [
        Point(day.date, float(getattr(day, attribute)))
        for day in flow_queries.daily_series(board, start=first, end=last)
        if getattr(day, attribute, None) is not None
    ]


def window_data(
    workspace: Workspace, board: "Board | None", metric: Metric, w: pdca.Windows
) -> WindowData:
    if w.days == 0:
        return WindowData([], [], "")
    first, last = w.before_start, w.after_end
    if metric.kind in ("durations", "rate"):
        if board is None:
            raise InvalidInput("a flow metric needs a board; choose one", field="board")
        points = _item_points(workspace, board, metric, first, last)
        source = (
            f"items finished on the board “{board.name}” (flow analytics: start and finish "
            "from the card events, §5)"
        )
    else:
        points = _daily_points(workspace, board, metric, first, last)
        source = (
            f"the dashboard's daily values of “{metric.label}”"
            if metric.key.startswith(DASHBOARD_PREFIX)
            else f"flow analytics' daily series of the board “{board.name if board else ''}”"
        )
    before, after = _split(points, w)
    return WindowData(before, after, source)


def compare(metric: Metric, data: WindowData, param: float | None) -> pdca.CheckResult:
    values_before = [p.value for p in data.before]
    values_after = [p.value for p in data.after]
    noun = metric.noun_with(param)
    if metric.kind == "durations":
        return pdca.compare_durations(
            values_before, values_after, metric=noun, unit=metric.unit, better=metric.better
        )
    if metric.kind == "rate":
        limit = param if param is not None else 0.0
        before = (sum(v <= limit for v in values_before), len(values_before))
        after = (sum(v <= limit for v in values_after), len(values_after))
        return pdca.compare_rates(before, after, metric=noun, better=metric.better)
    return pdca.compare_daily(
        values_before, values_after, metric=noun, unit=metric.unit, better=metric.better
    )
