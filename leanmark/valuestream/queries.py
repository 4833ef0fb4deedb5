"""Reads of value streams: maps and steps as the domain maths needs them, summaries, the
elimination candidates, comparisons and times measured from card history."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from fractions import Fraction
from typing import TYPE_CHECKING

from django.db.models import Prefetch
from django.http import Http404
from django.utils import timezone

from leanmark.accounts.models import Workspace
from leanmark.board import queries as board_queries
from leanmark.board.choices import ColumnKind, EventKind
from leanmark.domain import vsm
from leanmark.domain.hourglass import STAGES, Stage

from .models import MapRevision, State, Step, StepColumn, ValueStream

if TYPE_CHECKING:  # annotations only: the board's rows are read through its queries
    from leanmark.board.models import Column

STAGE_RANK = {stage.value: i for i, stage in enumerate(STAGES)}


def streams_of(workspace: Workspace) -> list[ValueStream]:
    return list(ValueStream.objects.for_workspace(workspace).select_related("derived_from"))


def stream_for(workspace: Workspace, stream_id: int) -> ValueStream:
    stream = (
        ValueStream.objects.for_workspace(workspace)
        .select_related("workspace", "derived_from")
        .filter(pk=stream_id)
        .first()
    )
    if stream is None:
        raise Http404("no such value stream in this workspace")
    return stream


def stream_by_id(workspace_ids: object, stream_id: int) -> ValueStream:
    """A map in any of the given workspaces (the API's lookup); 404 otherwise."""
    stream = (
        ValueStream.objects.filter(pk=stream_id, workspace_id__in=workspace_ids)  # type: ignore[misc]
        .select_related("workspace", "derived_from")
        .first()
    )
    if stream is None:
        raise Http404("no such value stream")
    return stream


def step_for(workspace: Workspace, step_id: int) -> Step:
    """A step of any map of the workspace (for the improvement app's "start from a waste step");
    a step of another workspace answers 404."""
    step = (
        Step.objects.filter(pk=step_id, stream__workspace=workspace)
        .select_related("stream", "stream__workspace", "origin")
        .first()
    )
    if step is None:
        raise Http404("no such value stream step in this workspace")
    return step


def step_workspace(step: Step) -> int:
    return step.stream.workspace_id


def step_by_id(workspace_ids: object, step_id: int) -> Step:
    step = (
        Step.objects.filter(pk=step_id, stream__workspace_id__in=workspace_ids)  # type: ignore[misc]
        .select_related("stream", "stream__workspace", "origin")
        .first()
    )
    if step is None:
        raise Http404("no such value stream step")
    return step


def _links() -> Prefetch:
    return Prefetch(
        "column_links",
        queryset=StepColumn.objects.select_related("column", "column__board").order_by(
            "column__board_id", "column__position"
        ),
    )


def steps_of(stream: ValueStream) -> list[Step]:
    """The map's steps in map order: hourglass stage, then position (two queries)."""
    steps = list(stream.steps.prefetch_related(_links()))
    return sorted(steps, key=lambda s: (STAGE_RANK.get(s.stage, 99), s.position, s.pk))


def working_of(stream: ValueStream) -> vsm.WorkingTime:
    return vsm.WorkingTime(Fraction(stream.hours_per_day), Fraction(stream.days_per_week))


def basis_of(stream: ValueStream) -> vsm.Basis:
    return vsm.Basis(stream.time_basis)


def to_input(step: Step) -> vsm.StepInput:
    return vsm.StepInput(
        key=step.pk,
        name=step.name,
        stage=Stage(step.stage),
        pt=vsm.Duration(Fraction(step.pt_value), vsm.Unit(step.pt_unit)),
        lt=vsm.Duration(Fraction(step.lt_value), vsm.Unit(step.lt_unit)),
        ca_percent=Fraction(step.ca_percent),
        cost_per_run=step.cost_per_run,
        runs_per_month=step.runs_per_month,
        value=vsm.CustomerValue(step.customer_value),
        milestone=vsm.Milestone(step.milestone) if step.milestone else None,
        origin=step.origin_id,
    )


@dataclass
class MapView:
    """A map with its steps in order and its summary, as pages, the API and the drawing use it."""

    stream: ValueStream
    steps: list[Step]
    summary: vsm.Summary

    @property
    def by_stage(self) -> list[tuple[Stage, list[Step], vsm.Totals]]:
        return [
            (stage, [s for s in self.steps if s.stage == stage.value], self.summary.by_stage[stage])
            for stage in STAGES
        ]

    def fmt(self, minutes: Fraction) -> str:
        return self.summary.fmt(minutes)

    def minutes(self, step: Step) -> tuple[Fraction, Fraction]:
        """(PT, LT) of a step in minutes on the map's basis."""
        item = to_input(step)
        basis, working = self.summary.basis, self.summary.working
        return item.pt.minutes(basis, working), item.lt.minutes(basis, working)


def map_view(stream: ValueStream) -> MapView:
    steps = steps_of(stream)
    summary = vsm.summarise(
        [to_input(s) for s in steps], basis=basis_of(stream), working=working_of(stream)
    )
    return MapView(stream, steps, summary)


@dataclass(frozen=True)
class Candidate:
    step: Step
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class Candidates:
    items: list[Candidate]
    note: str


def elimination_candidates(stream: ValueStream) -> Candidates:
    """Steps to eliminate, in map order: marked waste, or adding no customer value between the
    "introduction of a new lead" and the "acceptance of an order" steps (§7)."""
    steps = steps_of(stream)
    by_key = {s.pk: s for s in steps}
    found = vsm.elimination_candidates([to_input(s) for s in steps])
    return Candidates(
        [Candidate(by_key[c.step.key], c.reasons) for c in found.items],
        found.note,
    )


def compare(current: ValueStream, future: ValueStream) -> vsm.Comparison:
    """Both maps on the current map's basis and working time."""
    return vsm.compare(
        [to_input(s) for s in steps_of(current)],
        [to_input(s) for s in steps_of(future)],
        basis=basis_of(current),
        working=working_of(current),
    )


def revisions_of(stream: ValueStream, *, limit: int = 10) -> list[MapRevision]:
    """The map's latest changes, newest first, with who made them."""
    return list(stream.revisions.select_related("actor")[:limit])


def future_of(stream: ValueStream) -> ValueStream | None:
    """The newest future state derived from a current map."""
    return stream.futures.filter(state=State.FUTURE).order_by("-created_at", "-id").first()


def columns_of(workspace: Workspace) -> "list[Column]":
    return board_queries.workspace_columns(workspace)


# ---- measured times ---------------------------------------------------------------------------


@dataclass(frozen=True)
class MeasuredStep:
    step: Step
    measured: vsm.Measured
    lt: Fraction | None  # on the map's basis
    pt: Fraction | None
    lt_warning: bool
    pt_warning: bool


def measured_times(view: MapView, *, since: datetime, until: datetime) -> dict[int, MeasuredStep]:
    """For each step linked to board columns: the median LT and PT of the cards that passed
    through those columns and left them in [since, until), from the card events (§7)."""
    linked = [s for s in view.steps if s.column_links.all()]
    if not linked:
        return {}
    boards = {link.column.board_id for s in linked for link in s.column_links.all()}
    all_columns = {link.column_id for s in linked for link in s.column_links.all()}
    history = _history(boards, all_columns, since, until)
    kinds = board_queries.column_kinds(boards)
    basis, working = view.summary.basis, view.summary.working
    found: dict[int, MeasuredStep] = {}
    for step in linked:
        columns = frozenset(link.column_id for link in step.column_links.all())
        active = frozenset(c for c in columns if kinds.get(c) == ColumnKind.ACTIVE)
        stays = []
        for card, (visits, blocked) in history.items():
            if any(v.column in columns for v in visits):
                stays += vsm.passages(card, visits, blocked, columns=columns, active=active)
        measured = vsm.measure(stays, since=since, until=until)
        lt = None if measured.lt is None else vsm.to_basis(measured.lt, basis, working)
        # Only active columns hold hands-on work: queue columns alone measure no process time.
        pt = (
            None if measured.pt is None or not active else vsm.to_basis(measured.pt, basis, working)
        )
        est_pt, est_lt = view.minutes(step)
        found[step.pk] = MeasuredStep(
            step, measured, lt, pt, vsm.disagrees(est_lt, lt), vsm.disagrees(est_pt, pt)
        )
    return found


History = dict[int, tuple[list[vsm.ColumnVisit], list[tuple[datetime, datetime | None]]]]


def _history(boards: set[int], columns: set[int], since: datetime, until: datetime) -> History:
    """Column visits and blocked spans up to ``until`` of the cards that left one of ``columns``
    in [since, until) — only they can have a passage ending in the window (one query)."""
    history: History = {}
    open_visit: dict[int, tuple[int, datetime]] = {}
    open_block: dict[int, datetime] = {}
    for card, kind, at, to_column in board_queries.passage_events(boards, columns, since, until):
        visits, blocked = history.setdefault(card, ([], []))
        if kind in (EventKind.CREATED, EventKind.MOVED) and to_column is not None:
            if card in open_visit:
                column, start = open_visit[card]
                visits.append(vsm.ColumnVisit(column, start, at))
            open_visit[card] = (to_column, at)
        elif kind == EventKind.BLOCKED:
            open_block.setdefault(card, at)
        elif kind == EventKind.UNBLOCKED and card in open_block:
            blocked.append((open_block.pop(card), at))
    for card, (column, start) in open_visit.items():
        history[card][0].append(vsm.ColumnVisit(column, start, None))
    for card, start in open_block.items():
        history[card][1].append((start, None))
    return history


# ---- stage volumes (the dashboard's hourglass funnel metrics) ---------------------------------


@dataclass(frozen=True)
class StageVolume:
    stage: str
    metric_name: str
    metric_key: str
    unit: str
    period_start: date
    value: float | None


def stage_volumes(workspace: Workspace, *, today: date | None = None) -> dict[str, StageVolume]:
    """Last full month's volume of each stage whose funnel metric the dashboard names."""
    from leanmark.dashboard import queries as dashboard

    today = today or timezone.localdate()
    end = today.replace(day=1) - timedelta(days=1)
    start = end.replace(day=1)
    found = {}
    for stage, metric in dashboard.funnel_steps(workspace).items():
        points = dashboard.series(workspace, metric.key, start=start, end=end, period="month")
        value = points[0][1] if points else None
        found[stage] = StageVolume(stage, metric.name, metric.key, metric.unit, start, value)
    return found
