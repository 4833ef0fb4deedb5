import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

from ninja import Schema
from pydantic import Field

from leanmark.lib.api_input import Filled, Strict

from .models import Metric, TargetRevision
from .queries import FunnelView, MetricInfo, RollupRow

StageName = Literal["know", "like", "trust", "try", "buy", "repeat", "refer"]
KindName = Literal["input", "output"]
AggregationName = Literal["sum", "mean", "last"]
PeriodName = Literal["day", "week", "month", "year"]


class MetricIn(Strict):
    name: Filled = Field(max_length=100)
    kind: KindName
    stage: StageName
    key: str = Field(
        "",
        max_length=60,
        description="Defaults to the name as a slug; needs a letter or digit (a-z, 0-9)",
        json_schema_extra={"pattern": "^$|[A-Za-z0-9]"},
    )
    channel: str = Field("", max_length=60)
    unit: str = Field("", max_length=30)
    aggregation: AggregationName = "sum"
    value_per_unit: Decimal | None = Field(
        None, ge=0, lt=Decimal("1e10"), description="Money per unit of an output"
    )
    is_revenue: bool = Field(False, description="The values are revenue (money)")
    higher_is_better: bool = True
    description: str = Field("", max_length=300)


class MetricPatch(Strict):
    """Fields left out keep their value; only value_per_unit takes null (it clears it)."""

    name: Filled = Field(None, max_length=100)  # type: ignore[assignment]  (optional, not nullable)
    kind: KindName = None  # type: ignore[assignment]
    stage: StageName = None  # type: ignore[assignment]
    key: str = Field(None, max_length=60, json_schema_extra={"pattern": "[A-Za-z0-9]"})  # type: ignore[assignment]
    channel: str = Field(None, max_length=60)  # type: ignore[assignment]
    unit: str = Field(None, max_length=30)  # type: ignore[assignment]
    aggregation: AggregationName = None  # type: ignore[assignment]
    value_per_unit: Decimal | None = Field(None, ge=0, lt=Decimal("1e10"))
    is_revenue: bool = None  # type: ignore[assignment]
    higher_is_better: bool = None  # type: ignore[assignment]
    description: str = Field(None, max_length=300)  # type: ignore[assignment]


class TargetOut(Schema):
    period: str
    value: float


class MetricRevisionOut(Schema):
    period: str
    old_value: float | None
    new_value: float | None
    reason: str
    by: str | None
    at: dt.datetime

    @staticmethod
    def of(revision: TargetRevision) -> "MetricRevisionOut":
        return MetricRevisionOut(
            period=revision.period,
            old_value=revision.old_value,
            new_value=revision.new_value,
            reason=revision.reason,
            by=revision.actor.username if revision.actor else None,
            at=revision.at,
        )


class MetricOut(Schema):
    id: int | None = Field(description="None for a built-in metric")
    key: str
    name: str
    kind: str
    stage: str
    channel: str
    unit: str
    aggregation: str
    value_per_unit: Decimal | None
    is_revenue: bool
    higher_is_better: bool
    builtin: bool
    available: bool
    explanation: str
    targets: list[TargetOut] = []

    @staticmethod
    def of(info: MetricInfo, targets: list[TargetOut] | None = None) -> "MetricOut":
        metric: Metric | None = info.metric
        return MetricOut(
            id=metric.pk if metric else None,
            key=info.key,
            name=info.name,
            kind=info.kind,
            stage=info.stage,
            channel=metric.channel if metric else "",
            unit=info.unit,
            aggregation=info.aggregation.value,
            value_per_unit=metric.value_per_unit if metric else None,
            is_revenue=metric.is_revenue if metric else False,
            higher_is_better=info.higher_is_better,
            builtin=info.builtin,
            available=info.available,
            explanation=info.explanation,
            targets=targets or [],
        )


class MetricDetailOut(MetricOut):
    revisions: list[MetricRevisionOut] = []


class TargetIn(Strict):
    value: float | None = Field(ge=-1e15, le=1e15, description="None removes the target")
    reason: str = Field("", max_length=300, description="Required to change or remove one")


class MeasurementIn(Strict):
    metric: Annotated[str, Field(min_length=1, max_length=100, description="Key or name")]
    date: dt.date | None = Field(None, description="The local day (YYYY-MM-DD)")
    at: dt.datetime | None = Field(
        None, description="Or a timestamp with offset, filed under its day in the workspace"
    )
    value: float | str
    channel: str = Field("", max_length=60)
    campaign: str = Field("", max_length=100)


class MeasurementsIn(Strict):
    workspace: str = Field(description="Workspace slug")
    measurements: list[MeasurementIn] = Field(
        min_length=1, max_length=50_000, description="One or many"
    )
    dry_run: bool = Field(False, description="Report what would change; save nothing")


class MetricChangeOut(Schema):
    line: int
    metric: str
    date: dt.date
    channel: str
    campaign: str
    old: float | None
    new: float


class UpsertOut(Schema):
    created: int
    updated: int
    unchanged: int
    dry_run: bool
    changes: list[MetricChangeOut]

    @staticmethod
    def of(result: Any, *, limit: int = 1000) -> "UpsertOut":
        """From ``services.upsert_measurements``' result, with at most ``limit`` changes."""
        return UpsertOut(
            created=result.created,
            updated=result.updated,
            unchanged=result.unchanged,
            dry_run=result.dry_run,
            changes=[
                MetricChangeOut(
                    line=c.line,
                    metric=c.metric,
                    date=c.day,
                    channel=c.channel,
                    campaign=c.campaign,
                    old=c.old,
                    new=c.new,
                )
                for c in result.changes[:limit]
            ],
        )


class MeasurementOut(Schema):
    date: dt.date
    value: float
    channel: str
    campaign: str
    source: str
    updated_at: dt.datetime


class BucketOut(Schema):
    start: dt.date
    end: dt.date
    label: str
    value: float | None
    rows: int = Field(description="Measurements rolled up")
    days: int = Field(description="Distinct days with data")
    change: float | None = Field(description="Absolute change from the period before")
    change_relative: float | None = Field(description="0.12 = +12 %")
    target: float | None
    attainment: float | None = Field(description="1.0 = on target")

    @staticmethod
    def of(row: RollupRow) -> "BucketOut":
        b = row.bucket
        return BucketOut(
            start=b.start,
            end=b.end,
            label=b.label,
            value=b.value,
            rows=b.rows,
            days=b.days,
            change=row.change.absolute,
            change_relative=row.change.relative,
            target=row.target,
            attainment=row.attainment,
        )


class RollupOut(Schema):
    metric: str
    period: str
    aggregation: str
    time_zone: str
    start: dt.date
    end: dt.date
    buckets: list[BucketOut]


class ConversionOut(Schema):
    from_stage: str
    to_stage: str
    from_volume: float | None
    to_volume: float | None
    rate: float | None


class FunnelPeriodOut(Schema):
    start: dt.date
    label: str
    volumes: dict[str, float | None]
    conversions: list[ConversionOut]
    biggest_drop: ConversionOut | None


class FunnelOut(Schema):
    period: str
    stages: dict[str, str] = Field(description="Stage → its volume metric's key")
    skipped: list[str] = Field(description="Stages without a volume metric")
    periods: list[FunnelPeriodOut]

    @staticmethod
    def of(view: FunnelView) -> "FunnelOut":
        periods = []
        for p in view.periods:
            conversions = [ConversionOut(**c.__dict__) for c in p.funnel.conversions]
            drop = p.funnel.biggest_drop
            periods.append(
                FunnelPeriodOut(
                    start=p.start,
                    label=p.label,
                    volumes=p.volumes,
                    conversions=conversions,
                    biggest_drop=conversions[drop] if drop is not None else None,
                )
            )
        skipped = list(view.periods[0].funnel.skipped) if view.periods else []
        return FunnelOut(
            period=view.period.value,
            stages={stage: m.key for stage, m in view.steps.items()},
            skipped=skipped,
            periods=periods,
        )


class FunnelIn(Strict):
    stages: dict[StageName, str | None] = Field(
        description="Stage → metric key or id; null or empty clears it"
    )
