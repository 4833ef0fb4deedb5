from datetime import date, datetime
from typing import Any, Literal

from ninja import Schema
from pydantic import Field

from leanmark.lib.api_input import Filled
from leanmark.lib.schemas import Id, Strict

from .models import Improvement
from .queries import CheckView

SourceName = Literal["blank", "vsm_step", "impediment", "standup_blocker"]


class Countermeasure(Strict):
    text: str = Field(max_length=5000)
    pros: str = Field("", max_length=5000)
    cons: str = Field("", max_length=5000)


class PlanFields(Strict):
    problem: str | None = Field(None, max_length=5000)
    background: str | None = Field(None, max_length=5000)
    current_condition: str | None = Field(None, max_length=5000)
    metric: str | None = Field(
        None, max_length=80, description="A key from GET /workspaces/{slug}/improvement-metrics"
    )
    metric_param: float | None = Field(None, description="N of “finished within N days”")
    target_value: float | None = None
    target_date: date | None = None
    whys: list[str] | None = Field(None, max_length=5)
    root_cause: str | None = Field(None, max_length=5000)
    countermeasures: list[Countermeasure] | None = Field(None, max_length=10)
    board_id: Id | None = None
    change_date: date | None = Field(None, description="Set in Do: when the change took effect")
    window_days: int | None = Field(None, ge=7, le=365)


class ImprovementIn(PlanFields):
    title: Filled = Field(max_length=200)
    source: SourceName = "blank"
    source_id: Id | None = None


class ImprovementPatch(PlanFields):
    title: Filled | None = Field(None, max_length=200)
    version: int | None = Field(None, description="If given, a stale version answers 409")


class PhaseIn(Strict):
    to: Literal["do", "check", "act"]
    note: str = Field("", max_length=5000)


class ImprovementDecisionIn(Strict):
    outcome: Literal["standardise", "adjust", "abandon"]
    reason: str = Field(max_length=5000)


class TaskIn(Strict):
    title: Filled = Field(max_length=200)
    reason: str = Field("", max_length=300, description="Needed to go over a full soft limit")


class PhaseChangeOut(Schema):
    from_phase: str
    to_phase: str
    at: datetime
    actor_id: int | None
    note: str


class TaskOut(Schema):
    card_id: int
    card_number: int
    title: str
    column: str


class ImprovementOut(Schema):
    id: int
    number: int
    code: str
    title: str
    phase: str
    source: str
    source_id: int | None
    source_label: str
    board_id: int | None
    problem: str
    background: str
    current_condition: str
    metric: str
    metric_param: float | None
    target_value: float | None
    target_date: date | None
    whys: list[str]
    root_cause: str
    countermeasures: list[dict[str, str]]
    change_date: date | None
    window_days: int
    outcome: str
    outcome_reason: str
    effect: dict[str, Any] | None
    map_revision_id: int | None
    previous_id: int | None
    created_at: datetime
    closed_at: datetime | None
    version: int
    solution_hints: list[str] = []
    phase_changes: list[PhaseChangeOut] = []
    tasks: list[TaskOut] = []

    @staticmethod
    def of(imp: Improvement, *, full: bool = True) -> "ImprovementOut":
        from leanmark.domain.pdca import solution_hints

        extra: dict[str, Any] = {}
        if full:
            extra = {
                "solution_hints": solution_hints(imp.problem),
                "phase_changes": [
                    PhaseChangeOut(
                        from_phase=c.from_phase,
                        to_phase=c.to_phase,
                        at=c.at,
                        actor_id=c.actor_id,
                        note=c.note,
                    )
                    for c in imp.phase_changes.all()
                ],
                "tasks": [
                    TaskOut(
                        card_id=t.card_id,
                        card_number=t.card.number,
                        title=t.card.title,
                        column=t.card.column.name,
                    )
                    for t in imp.tasks.select_related("card__column")
                ],
            }
        return ImprovementOut(
            id=imp.pk,
            number=imp.number,
            code=imp.code,
            title=imp.title,
            phase=imp.phase,
            source=imp.source_kind,
            source_id=imp.source_id,
            source_label=imp.source_label,
            board_id=imp.board_id,
            problem=imp.problem,
            background=imp.background,
            current_condition=imp.current_condition,
            metric=imp.metric,
            metric_param=imp.metric_param,
            target_value=imp.target_value,
            target_date=imp.target_date,
            whys=list(imp.whys or []),
            root_cause=imp.root_cause,
            countermeasures=list(imp.countermeasures or []),
            change_date=imp.change_date,
            window_days=imp.window_days,
            outcome=imp.outcome,
            outcome_reason=imp.outcome_reason,
            effect=imp.effect,
            map_revision_id=imp.map_revision_id,
            previous_id=imp.previous_id,
            created_at=imp.created_at,
            closed_at=imp.closed_at,
            version=imp.version,
            **extra,
        )


class ShiftOut(Schema):
    label: str
    before: float | None
    after: float | None
    unit: str


class PointOut(Schema):
    window: str
    day: date
    value: float
    label: str


class CheckOut(Schema):
    improvement_id: int
    metric: str
    ready: bool = Field(description="False when there is nothing to compare yet (see problem)")
    problem: str
    window_days: int | None
    before: list[date] | None = Field(None, description="First and last day of the window")
    after: list[date] | None = None
    windows: str
    kind: str | None
    enough: bool | None
    test: str | None
    statistic: float | None
    p_value: float | None
    alpha: float | None
    significant: bool | None
    improved: bool | None
    before_n: int | None
    after_n: int | None
    shifts: list[ShiftOut]
    verdict: str
    target: str
    notes: list[str]
    source: str
    points: list[PointOut]

    @staticmethod
    def of(view: CheckView) -> "CheckOut":
        r, w = view.result, view.windows
        return CheckOut(
            improvement_id=view.improvement.pk,
            metric=view.improvement.metric,
            ready=r is not None,
            problem=view.problem,
            window_days=w.days if w else None,
            before=[w.before_start, w.before_end] if w and w.days else None,
            after=[w.after_start, w.after_end] if w and w.days else None,
            windows=w.describe() if w else "",
            kind=r.kind if r else None,
            enough=r.enough if r else None,
            test=r.test if r else None,
            statistic=r.statistic if r else None,
            p_value=r.p_value if r else None,
            alpha=r.alpha if r else None,
            significant=r.significant if r else None,
            improved=r.improved if r else None,
            before_n=r.before_n if r else None,
            after_n=r.after_n if r else None,
            shifts=[
                ShiftOut(label=s.label, before=s.before, after=s.after, unit=s.unit)
                for s in (r.shifts if r else ())
            ],
            verdict=r.verdict if r else view.problem,
            target=view.target,
            notes=list(r.notes) if r else [],
            source=view.data.source if view.data else "",
            points=[
                PointOut(window=side, day=p.day, value=p.value, label=p.label)
                for side, p in view.points
            ],
        )


class ImprovementMetricOut(Schema):
    key: str
    label: str
    group: str
    kind: str
    unit: str
    better: str
    available: bool
    missing: str
    needs_param: bool


class SeriesPoint(Schema):
    month: date
    value: float | None


class SeriesOut(Schema):
    key: str
    title: str
    unit: str
    better: str
    how: str
    has_data: bool
    missing: str
    values: list[SeriesPoint]
    trend: str | None = Field(
        None, description="better/worse/same (or up/down) vs three months before"
    )


class ChangeOut(Schema):
    date: date
    label: str
    url: str


class FigureOut(Schema):
    label: str
    value: str
    how: str


class ReportOut(Schema):
    board_id: int | None
    months: list[date]
    series: list[SeriesOut]
    changes: list[ChangeOut]
    figures: list[FigureOut]
