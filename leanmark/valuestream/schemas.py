"""API shapes of value streams. Times are given as a value and a unit, as people enter them;
outputs add the same times in minutes on the map's basis, and every total says its basis."""

from datetime import timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Annotated, Literal

from django.utils import timezone
from ninja import Schema
from pydantic import Field

from leanmark.domain import vsm
from leanmark.lib.api_input import Filled, Strict

from . import queries
from .models import MapRevision, Step, ValueStream
from .queries import MapView, MeasuredStep

StageName = Literal["know", "like", "trust", "try", "buy", "repeat", "refer"]
UnitName = Literal["min", "h", "d", "wk"]
ValueName = Literal["value_adding", "necessary", "waste"]
WasteName = Literal[
    "",
    "defects",
    "overproduction",
    "waiting",
    "non_utilised_talent",
    "transportation",
    "inventory",
    "motion",
    "extra_processing",
]
MilestoneName = Literal["", "new_lead", "order_accepted"]
BasisName = Literal["calendar", "working"]
Id = Annotated[int, Field(ge=1, le=2**63 - 1)]
Amount = Annotated[Decimal, Field(max_digits=12, decimal_places=2)]
LongText = Annotated[str, Field(max_length=2000)]


def _minutes(value: Fraction | None) -> float | None:
    return None if value is None else round(float(value), 4)


def _share(value: Fraction | None) -> float | None:
    return None if value is None else round(float(value), 6)


class StreamIn(Strict):
    name: Filled = Field(max_length=120)
    description: LongText = ""
    time_basis: BasisName = "calendar"
    hours_per_day: Decimal = Field(Decimal(8), gt=0, le=24)
    days_per_week: Decimal = Field(Decimal(5), gt=0, le=7)


class StreamPatch(Strict):
    name: Filled | None = Field(None, max_length=120)
    description: LongText | None = None
    time_basis: BasisName | None = None
    hours_per_day: Decimal | None = Field(None, gt=0, le=24)
    days_per_week: Decimal | None = Field(None, gt=0, le=7)


class FutureIn(Strict):
    name: str = Field("", max_length=120, description="Default: '<current> — future state'")


class StepIn(Strict):
    name: Filled = Field(max_length=120)
    stage: StageName
    owner: str = Field("", max_length=120)
    pt_value: Decimal = Field(description="Process time (hands-on), in pt_unit")
    pt_unit: UnitName = "h"
    lt_value: Decimal = Field(description="Lead time (work available to handed on), in lt_unit")
    lt_unit: UnitName = "d"
    ca_percent: Decimal = Field(Decimal(100), description="%C&A, 0-100")
    cost_per_run: Decimal = Decimal(0)
    runs_per_month: Decimal = Decimal(0)
    customer_value: ValueName = "value_adding"
    waste_type: WasteName = ""
    milestone: MilestoneName = ""
    why: LongText = ""
    value_to_customer: LongText = ""
    how_to_eliminate: LongText = ""
    simpler_step: LongText = ""
    before_id: Id | None = Field(None, description="Insert before this step of the same stage")


class StepPatch(Strict):
    name: Filled | None = Field(None, max_length=120)
    stage: StageName | None = None
    owner: str | None = Field(None, max_length=120)
    pt_value: Decimal | None = None
    pt_unit: UnitName | None = None
    lt_value: Decimal | None = None
    lt_unit: UnitName | None = None
    ca_percent: Decimal | None = None
    cost_per_run: Decimal | None = None
    runs_per_month: Decimal | None = None
    customer_value: ValueName | None = None
    waste_type: WasteName | None = None
    milestone: MilestoneName | None = None
    why: LongText | None = None
    value_to_customer: LongText | None = None
    how_to_eliminate: LongText | None = None
    simpler_step: LongText | None = None


class StepMoveIn(Strict):
    stage: StageName
    order: list[Id] = Field(
        max_length=1000,  # a map holds at most 200 steps, and the move scans this list per step
        description="Step ids of the stage in their new order",
    )


class ColumnsIn(Strict):
    column_ids: list[Id] = Field(max_length=50)


class TotalsOut(Schema):
    steps: int
    lead_time_minutes: float
    process_time_minutes: float
    wait_minutes: float
    lead_time: str
    process_time: str
    wait: str
    activity_ratio: float | None
    rolled_ca: float | None
    value_adding_share: float | None
    waste_steps: int
    monthly_cost: Decimal

    @staticmethod
    def of(t: vsm.Totals, summary: vsm.Summary) -> "TotalsOut":
        return TotalsOut(
            steps=t.steps,
            lead_time_minutes=_minutes(t.lt) or 0.0,
            process_time_minutes=_minutes(t.pt) or 0.0,
            wait_minutes=_minutes(t.wait) or 0.0,
            lead_time=summary.fmt(t.lt),
            process_time=summary.fmt(t.pt),
            wait=summary.fmt(t.wait),
            activity_ratio=_share(t.activity_ratio),
            rolled_ca=_share(t.rolled_ca),
            value_adding_share=_share(t.value_adding_share),
            waste_steps=t.waste_steps,
            monthly_cost=t.monthly_cost,
        )


class SummaryOut(Schema):
    basis: str
    basis_label: str
    hours_per_day: float
    days_per_week: float
    total: TotalsOut
    stages: dict[str, TotalsOut]

    @staticmethod
    def of(summary: vsm.Summary) -> "SummaryOut":
        return SummaryOut(
            basis=summary.basis.value,
            basis_label=summary.basis_label,
            hours_per_day=float(summary.working.hours_per_day),
            days_per_week=float(summary.working.days_per_week),
            total=TotalsOut.of(summary.total, summary),
            stages={s.value: TotalsOut.of(t, summary) for s, t in summary.by_stage.items()},
        )


class MeasuredOut(Schema):
    cards: int
    lead_time_minutes: float | None
    process_time_minutes: float | None
    lead_time_warning: bool
    process_time_warning: bool


class StepOut(Schema):
    id: int
    stream_id: int
    stage: str
    position: int
    name: str
    owner: str
    pt_value: Decimal
    pt_unit: str
    lt_value: Decimal
    lt_unit: str
    process_time_minutes: float
    lead_time_minutes: float
    ca_percent: Decimal
    cost_per_run: Decimal
    runs_per_month: Decimal
    customer_value: str
    waste_type: str
    milestone: str
    why: str
    value_to_customer: str
    how_to_eliminate: str
    simpler_step: str
    reviewed_at: str | None
    origin_id: int | None
    column_ids: list[int]
    measured: MeasuredOut | None = None

    @staticmethod
    def of(step: Step, view: MapView, measured: MeasuredStep | None = None) -> "StepOut":
        pt, lt = view.minutes(step)
        return StepOut(
            id=step.pk,
            stream_id=step.stream_id,
            stage=step.stage,
            position=step.position,
            name=step.name,
            owner=step.owner,
            pt_value=step.pt_value,
            pt_unit=step.pt_unit,
            lt_value=step.lt_value,
            lt_unit=step.lt_unit,
            process_time_minutes=_minutes(pt) or 0.0,
            lead_time_minutes=_minutes(lt) or 0.0,
            ca_percent=step.ca_percent,
            cost_per_run=step.cost_per_run,
            runs_per_month=step.runs_per_month,
            customer_value=step.customer_value,
            waste_type=step.waste_type,
            milestone=step.milestone,
            why=step.why,
            value_to_customer=step.value_to_customer,
            how_to_eliminate=step.how_to_eliminate,
            simpler_step=step.simpler_step,
            reviewed_at=step.reviewed_at.isoformat() if step.reviewed_at else None,
            origin_id=step.origin_id,
            column_ids=[link.column_id for link in step.column_links.all()],
            measured=None
            if measured is None
            else MeasuredOut(
                cards=measured.measured.cards,
                lead_time_minutes=_minutes(measured.lt),
                process_time_minutes=_minutes(measured.pt),
                lead_time_warning=measured.lt_warning,
                process_time_warning=measured.pt_warning,
            ),
        )


class StreamOut(Schema):
    id: int
    workspace: str
    name: str
    description: str
    state: str
    derived_from_id: int | None
    time_basis: str
    hours_per_day: Decimal
    days_per_week: Decimal
    summary: SummaryOut

    @staticmethod
    def of(stream: ValueStream, view: MapView) -> "StreamOut":
        return StreamOut(
            id=stream.pk,
            workspace=stream.workspace.slug,
            name=stream.name,
            description=stream.description,
            state=stream.state,
            derived_from_id=stream.derived_from_id,
            time_basis=stream.time_basis,
            hours_per_day=stream.hours_per_day,
            days_per_week=stream.days_per_week,
            summary=SummaryOut.of(view.summary),
        )


class MapOut(StreamOut):
    steps: list[StepOut]


class CandidateOut(Schema):
    step: StepOut
    reasons: list[str]


class CandidatesOut(Schema):
    note: str
    items: list[CandidateOut]


class MapChangeOut(Schema):
    figure: str
    current: float | None
    future: float | None
    change: float | None


class StepDiffOut(Schema):
    kind: str
    current_step_id: int | None
    future_step_id: int | None
    name: str
    fields: list[str]


class CompareOut(Schema):
    current_id: int
    future_id: int
    basis: str
    current: SummaryOut
    future: SummaryOut
    changes: list[MapChangeOut]
    steps: list[StepDiffOut]


class RevisionOut(Schema):
    id: int
    stream_id: int
    kind: str
    at: str
    actor_id: int | None
    step_id: int | None
    source_step_id: int | None
    summary: str
    before: dict[str, object]
    after: dict[str, object]

    @staticmethod
    def of(r: MapRevision) -> "RevisionOut":
        return RevisionOut(
            id=r.pk,
            stream_id=r.stream_id,
            kind=r.kind,
            at=r.at.isoformat(),
            actor_id=r.actor_id,
            step_id=r.step_id,
            source_step_id=r.source_step_id,
            summary=r.summary,
            before=r.before,
            after=r.after,
        )


def map_out(stream: ValueStream, *, days: int = 90) -> MapOut:
    """The map with its steps, summary and the times measured over the last ``days`` days."""
    view = queries.map_view(stream)
    until = timezone.now()
    measured = queries.measured_times(view, since=until - timedelta(days=days), until=until)
    return MapOut(
        **StreamOut.of(stream, view).dict(),
        steps=[StepOut.of(s, view, measured.get(s.pk)) for s in view.steps],
    )


def _number(value: object) -> float | None:
    return None if value is None else round(float(value), 6)  # type: ignore[arg-type]


def compare_out(current: ValueStream, future: ValueStream) -> CompareOut:
    result = queries.compare(current, future)
    return CompareOut(
        current_id=current.pk,
        future_id=future.pk,
        basis=result.current.basis.value,
        current=SummaryOut.of(result.current),
        future=SummaryOut.of(result.future),
        changes=[
            MapChangeOut(
                figure=c.label,
                current=_number(c.current),
                future=_number(c.future),
                change=_number(c.delta),
            )
            for c in result.changes
        ],
        steps=[
            StepDiffOut(
                kind=d.kind,
                current_step_id=d.current.key if d.current else None,
                future_step_id=d.future.key if d.future else None,
                name=(d.future or d.current).name,  # type: ignore[union-attr]
                fields=list(d.fields),
            )
            for d in result.steps
        ],
    )
