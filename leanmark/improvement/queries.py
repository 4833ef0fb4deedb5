"""Reads of improvement cycles, and the Check computed from the data (docs/product.md §8).

``change_dates`` is this app's contract for other apps' charts (flow, dashboard): each cycle's
change date, with a label and a link.
"""

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Prefetch
from django.http import Http404
from django.urls import reverse

from leanmark.accounts.models import Workspace
from leanmark.domain import pdca
from leanmark.lib import zones

from . import metrics
from .models import Improvement, PhaseChange, Task


def local_today(workspace: Workspace) -> date:
    """Today in the workspace's time zone."""
    return zones.today(workspace)


def improvements_of(workspace: Workspace, *, phase: str | None = None) -> list[Improvement]:
    rows = Improvement.objects.for_workspace(workspace).select_related("board", "created_by")
    if phase:
        rows = rows.filter(phase=phase)
    return list(rows)


def improvement_for(workspace: Workspace, number: int) -> Improvement:
    found = (
        Improvement.objects.for_workspace(workspace)
        .select_related("workspace", "board", "previous", "created_by")
        .prefetch_related(
            Prefetch("phase_changes", queryset=PhaseChange.objects.select_related("actor")),
            Prefetch("tasks", queryset=Task.objects.select_related("card__column")),
            "next_cycles",
        )
        .filter(number=number)
        .first()
    )
    if found is None:
        raise Http404("no such improvement cycle")
    return found


def improvement_by_id(workspace_ids: object, improvement_id: int) -> Improvement:
    found = (
        Improvement.objects.select_related("workspace", "board")
        .filter(workspace_id__in=workspace_ids, pk=improvement_id)  # type: ignore[misc]
        .first()
    )
    if found is None:
        raise Http404("no such improvement cycle")
    return found


def change_dates(workspace: Workspace, *, start: date, end: date) -> list[tuple[date, str, str]]:
    """(change date, "PDCA-3 Shorter review queue", link) of each cycle changed in [start, end]."""
    rows = (
        Improvement.objects.for_workspace(workspace)
        .filter(change_date__gte=start, change_date__lte=end)
        .order_by("change_date", "number")
        .values_list("change_date", "number", "title")
    )
    base = reverse("improvement-detail", kwargs={"ws": workspace.slug, "number": 0})[:-2]
    return [(day, f"PDCA-{n} {title}", f"{base}{n}/") for day, n, title in rows]


# ---- the Check ---------------------------------------------------------------------------------


@dataclass
class CheckView:
    """What the Check shows: the metric, the windows, the data in them, the comparison — or why
    there is nothing to compare yet (``problem``)."""

    improvement: Improvement
    metric: metrics.Metric | None
    windows: pdca.Windows | None = None
    data: metrics.WindowData | None = None
    result: pdca.CheckResult | None = None
    problem: str = ""
    target: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def points(self) -> list[tuple[str, metrics.Point]]:
        if self.data is None:
            return []
        return [("before", p) for p in self.data.before] + [("after", p) for p in self.data.after]


def _target_line(improvement: Improvement, view: CheckView) -> str:
    result, metric = view.result, view.metric
    if improvement.target_value is None or result is None or metric is None:
        return ""
    head = result.headline
    if head is None or head.after is None:
        return ""
    reached = pdca.target_reached(head.after, improvement.target_value, metric.better)
    unit = f" {metric.unit}" if metric.unit not in ("", "%") else (" %" if metric.unit else "")
    by = f" by {improvement.target_date:%Y-%m-%d}" if improvement.target_date else ""
    return (
        f"Target {improvement.target_value:g}{unit}{by}: "
        + ("reached" if reached else "not reached")
        + f" ({head.label} after the change: {head.after:.1f}{unit})."
    )


def check_for(
    improvement: Improvement, *, window_days: int | None = None, today: date | None = None
) -> CheckView:
    """The Check of a cycle with its chosen metric, windows of ``window_days`` (default: the
    cycle's own) around its change date."""
    workspace = improvement.workspace
    metric = metrics.metric_for(workspace, improvement.metric) if improvement.metric else None
    view = CheckView(improvement, metric)
    if metric is None:
        view.problem = "Choose a baseline metric in the Plan first."
        return view
    if not metric.available:
        view.problem = metric.missing
        return view
    if improvement.change_date is None:
        view.problem = "The change date is set in Do; the Check compares before and after it."
        return view
    today = today or local_today(workspace)
    if improvement.change_date > today:
        view.problem = (
            f"The change date {improvement.change_date:%Y-%m-%d} is in the future: "
            "there is nothing to check yet."
        )
        return view
    view.windows = pdca.windows(
        improvement.change_date, window_days or improvement.window_days, today=today
    )
    if view.windows.days == 0:
        view.problem = "The change was made today; the Check can start tomorrow."
        return view
    view.data = metrics.window_data(workspace, improvement.board, metric, view.windows)
    view.result = metrics.compare(metric, view.data, improvement.metric_param)
    view.target = _target_line(improvement, view)
    return view
