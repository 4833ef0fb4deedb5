"""API operations of this app, added to the one NinjaAPI by leanmark/api.py."""

from datetime import date
from typing import Annotated

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Status

from leanmark.accounts.models import Role, Workspace
from leanmark.lib.api_access import api_membership, object_for
from leanmark.lib.api_input import Day
from leanmark.lib.schemas import ERRORS

from . import queries, services
from .errors import MetricError
from .models import Metric
from .schemas import (
    BucketOut,
    FunnelIn,
    FunnelOut,
    MeasurementOut,
    MeasurementsIn,
    MetricDetailOut,
    MetricIn,
    MetricOut,
    MetricPatch,
    MetricRevisionOut,
    PeriodName,
    RollupOut,
    TargetIn,
    TargetOut,
    UpsertOut,
)

router = Router(tags=["metrics"])
FromDay = Annotated[Day | None, Query(alias="from", description="First day (YYYY-MM-DD)")]
ToDay = Annotated[Day | None, Query(alias="to", description="Last day (default: today)")]
MAX_RANGE_DAYS = 366 * 20


def _targets(metric: Metric) -> list[TargetOut]:
    return [TargetOut(period=t.period, value=t.value) for t in metric.targets.all()]


def _detail(metric: Metric) -> MetricDetailOut:
    base = MetricOut.of(queries.info_of(metric), _targets(metric))
    return MetricDetailOut(
        **base.dict(), revisions=[MetricRevisionOut.of(r) for r in queries.target_revisions(metric)]
    )


def _range(
    workspace: Workspace, period: PeriodName, start: date | None, end: date | None
) -> tuple[date, date]:
    chosen = queries.as_period(period)
    queries.check_years((start, "from"), (end, "to"))  # before default_range counts back
    last = end or queries.today(workspace, timezone.now())
    first = start or queries.default_range(chosen, last)[0]
    if first > last:
        raise MetricError("from must not be after to", field="from")
    if (last - first).days > MAX_RANGE_DAYS:
        raise MetricError("ask for at most 20 years at once", field="from")
    return first, last


@router.get(
    "/workspaces/{slug}/metrics",
    response={200: list[MetricOut], **ERRORS},
    summary="Metrics of a workspace (typed and built-in)",
)
def list_metrics(request: HttpRequest, slug: str):
    workspace = api_membership(request, slug).workspace
    metrics = queries.metrics_of(workspace)
    targets = queries.targets_of([m.pk for m in metrics])
    result = []
    for metric in metrics:
        mine = [TargetOut(period=p, value=v) for (mid, p), v in targets.items() if mid == metric.pk]
        result.append(MetricOut.of(queries.info_of(metric), mine))
    extra = queries.builtin_infos() + queries.data_infos(workspace)
    return result + [MetricOut.of(info) for info in extra]


@router.post(
    "/workspaces/{slug}/metrics",
    response={201: MetricDetailOut, **ERRORS},
    summary="Define a metric",
)
def create_metric(request: HttpRequest, slug: str, payload: MetricIn):
    workspace = api_membership(request, slug, Role.MEMBER).workspace
    metric = services.create_metric(workspace, **payload.dict())
    return Status(201, _detail(metric))


@router.get("/metrics/{metric_id}", response={200: MetricDetailOut, **ERRORS}, summary="A metric")
def get_metric(request: HttpRequest, metric_id: int):
    return _detail(object_for(request, queries.metric_by_id, metric_id))


@router.patch(
    "/metrics/{metric_id}", response={200: MetricDetailOut, **ERRORS}, summary="Change a metric"
)
def patch_metric(request: HttpRequest, metric_id: int, payload: MetricPatch):
    metric = object_for(request, queries.metric_by_id, metric_id, Role.MEMBER)
    return _detail(services.update_metric(metric, **payload.dict(exclude_unset=True)))


@router.delete(
    "/metrics/{metric_id}",
    response={204: None, **ERRORS},
    summary="Delete a metric with its measurements (owner)",
)
def delete_metric(request: HttpRequest, metric_id: int):
    services.delete_metric(object_for(request, queries.metric_by_id, metric_id, Role.OWNER))
    return Status(204, None)


@router.put(
    "/metrics/{metric_id}/targets/{period}",
    response={200: MetricDetailOut, **ERRORS},
    summary="Set, change or remove a target (a change needs a reason)",
)
def put_target(request: HttpRequest, metric_id: int, period: PeriodName, payload: TargetIn):
    metric = object_for(request, queries.metric_by_id, metric_id, Role.MEMBER)
    services.set_target(
        metric, period=period, value=payload.value, reason=payload.reason, actor=request.user
    )
    return _detail(metric)


@router.get(
    "/metrics/{metric_id}/measurements",
    response={200: list[MeasurementOut], **ERRORS},
    summary="A metric's measurements between two days",
)
def list_measurements(
    request: HttpRequest,
    metric_id: int,
    start: FromDay = None,
    end: ToDay = None,
):
    metric = object_for(request, queries.metric_by_id, metric_id)
    first, last = _range(metric.workspace, "day", start, end)
    rows = metric.measurements.filter(day__range=(first, last)).order_by(
        "day", "channel", "campaign"
    )
    return [
        MeasurementOut(
            date=m.day,
            value=m.value,
            channel=m.channel,
            campaign=m.campaign,
            source=m.source,
            updated_at=m.updated_at,
        )
        for m in rows[:10_000]
    ]


@router.get(
    "/metrics/{metric_id}/rollup",
    response={200: RollupOut, **ERRORS},
    summary="A metric per day, week, month or year, with change and target",
)
def rollup(
    request: HttpRequest,
    metric_id: int,
    period: PeriodName = "week",
    start: FromDay = None,
    end: ToDay = None,
    channel: Annotated[str | None, Query(max_length=60)] = None,
):
    metric = object_for(request, queries.metric_by_id, metric_id)
    return _rollup(metric.workspace, queries.info_of(metric), period, start, end, channel)


@router.get(
    "/workspaces/{slug}/series/{key}",
    response={200: RollupOut, **ERRORS},
    summary="Any metric by key, built-in ones included, rolled up",
)
def series(
    request: HttpRequest,
    slug: str,
    key: str,
    period: PeriodName = "week",
    start: FromDay = None,
    end: ToDay = None,
):
    workspace = api_membership(request, slug).workspace
    return _rollup(workspace, queries.info_for(workspace, key), period, start, end, None)


def _rollup(
    workspace: Workspace,
    info: queries.MetricInfo,
    period: PeriodName,
    start: date | None,
    end: date | None,
    channel: str | None,
) -> RollupOut:
    first, last = _range(workspace, period, start, end)
    rows = queries.rollup_report(
        workspace,
        info,
        first=first,
        last=last,
        period=queries.as_period(period),
        channel=channel,
    )
    return RollupOut(
        metric=info.key,
        period=period,
        aggregation=info.aggregation.value,
        time_zone=str(queries.tz_of(workspace)),
        start=first,
        end=last,
        buckets=[BucketOut.of(r) for r in rows],
    )


@router.post(
    "/measurements",
    response={200: UpsertOut, **ERRORS},
    summary="Save one or many measurements (idempotent; all or nothing)",
)
def post_measurements(request: HttpRequest, payload: MeasurementsIn):
    workspace = api_membership(request, payload.workspace, Role.MEMBER).workspace
    tz = queries.tz_of(workspace)
    rows = []
    for index, item in enumerate(payload.measurements, start=1):
        if (item.date is None) == (item.at is None):
            raise MetricError(
                f"item {index}: give either date (YYYY-MM-DD) or at (a timestamp), not both",
                field=f"measurements.{index - 1}.date",
            )
        if item.at is not None and item.at.tzinfo is None:
            raise MetricError(
                f"item {index}: the timestamp needs an offset (+01:00 or Z)",
                field=f"measurements.{index - 1}.at",
            )
        day = item.date or item.at.astimezone(tz).date()  # type: ignore[union-attr]
        rows.append(
            services.RowIn(index, item.metric, day, item.value, item.channel, item.campaign)  # type: ignore[arg-type]
        )
    result = services.upsert_measurements(
        workspace, rows, source="api", dry_run=payload.dry_run, what="the batch"
    )
    return UpsertOut.of(result)


@router.get(
    "/workspaces/{slug}/funnel",
    response={200: FunnelOut, **ERRORS},
    summary="The hourglass funnel per period: conversions and the biggest drop",
)
def get_funnel(
    request: HttpRequest,
    slug: str,
    period: PeriodName = "month",
    start: FromDay = None,
    end: ToDay = None,
):
    workspace = api_membership(request, slug).workspace
    first, last = _range(workspace, period, start, end)
    view = queries.funnel_view(workspace, period=queries.as_period(period), first=first, last=last)
    return FunnelOut.of(view)


@router.put(
    "/workspaces/{slug}/funnel",
    response={200: FunnelOut, **ERRORS},
    summary="Name each stage's volume metric",
)
def put_funnel(request: HttpRequest, slug: str, payload: FunnelIn):
    workspace = api_membership(request, slug, Role.MEMBER).workspace
    services.set_funnel(workspace, payload.stages)
    last = queries.today(workspace, timezone.now())
    first = queries.default_range(queries.as_period("month"), last)[0]
    return FunnelOut.of(
        queries.funnel_view(workspace, period=queries.as_period("month"), first=first, last=last)
    )
