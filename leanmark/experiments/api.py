"""API operations of this app, added to the one NinjaAPI by leanmark/api.py."""

from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from leanmark.accounts.models import Role
from leanmark.domain import stats
from leanmark.lib.api_access import api_membership, object_for
from leanmark.lib.schemas import ERRORS

from . import queries, services
from .errors import InvalidExperimentInput
from .models import Decision, Experiment
from .schemas import (
    AnalysisOut,
    DecisionIn,
    ExperimentIn,
    ExperimentOut,
    ExperimentPatch,
    LearningOut,
    MetricObservationOut,
    ObservationOut,
    ObservationsIn,
    PlanOut,
    SavedOut,
    StageName,
)

router = Router(tags=["experiments"])


def _out(experiment: Experiment) -> ExperimentOut:
    fresh = queries.experiment_for(experiment.workspace, experiment.pk)
    return ExperimentOut.of(fresh)


class ExperimentFilters(Schema):
    state: str = ""
    stage: str = ""
    channel: str = ""
    q: str = ""


@router.get(
    "/workspaces/{slug}/experiments",
    response={200: list[ExperimentOut], **ERRORS},
    summary="Experiments of a workspace (filters: state, stage, channel, q)",
)
def list_experiments(request: HttpRequest, slug: str, filters: Query[ExperimentFilters]):
    membership = api_membership(request, slug)
    rows = queries.experiments_of(
        membership.workspace, queries.Filters.from_query(filters.dict())
    ).prefetch_related("variants", "metrics")
    return [ExperimentOut.of(e) for e in rows.select_related("workspace")[:500]]


@router.post(
    "/workspaces/{slug}/experiments",
    response={201: ExperimentOut, **ERRORS},
    summary="Create an experiment (a draft; the sample size is computed from the plan)",
)
def create_experiment(request: HttpRequest, slug: str, payload: ExperimentIn):
    membership = api_membership(request, slug, Role.MEMBER)
    experiment = services.create_experiment(
        membership.workspace, services.ExperimentSpec(**payload.dict()), actor=request.user
    )
    return Status(201, _out(experiment))


@router.get(
    "/experiments/{experiment_id}", response={200: ExperimentOut, **ERRORS}, summary="An experiment"
)
def get_experiment(request: HttpRequest, experiment_id: int):
    return _out(object_for(request, queries.experiment_by_id, experiment_id))


@router.patch(
    "/experiments/{experiment_id}",
    response={200: ExperimentOut, **ERRORS},
    summary="Edit an experiment (the plan only while it is a draft)",
)
def patch_experiment(request: HttpRequest, experiment_id: int, payload: ExperimentPatch):
    experiment = object_for(request, queries.experiment_by_id, experiment_id, Role.MEMBER)
    current = services.ExperimentSpec(
        **{
            name: getattr(experiment, name)
            for name in services.ExperimentSpec.__dataclass_fields__
            if hasattr(experiment, name) and name not in ("variants", "metrics")
        }
    )
    current.card_number = experiment.card.number if experiment.card else None
    current.owner_id = experiment.owner_id
    services.patch_spec(current, payload.dict(exclude_unset=True))
    return _out(services.update_experiment(experiment, current))


@router.delete(
    "/experiments/{experiment_id}",
    response={204: None, **ERRORS},
    summary="Delete an experiment that is not decided",
)
def delete_experiment(request: HttpRequest, experiment_id: int):
    services.delete_experiment(
        object_for(request, queries.experiment_by_id, experiment_id, Role.MEMBER)
    )
    return Status(204, None)


@router.post(
    "/experiments/{experiment_id}/start",
    response={200: ExperimentOut, **ERRORS},
    summary="Start a draft experiment (draft → running)",
)
def start_experiment(request: HttpRequest, experiment_id: int):
    return _out(
        services.start(object_for(request, queries.experiment_by_id, experiment_id, Role.MEMBER))
    )


@router.post(
    "/experiments/{experiment_id}/analyse",
    response={200: ExperimentOut, **ERRORS},
    summary="Stop collecting and analyse (running → analysing)",
)
def analyse_experiment(request: HttpRequest, experiment_id: int):
    return _out(
        services.to_analysis(
            object_for(request, queries.experiment_by_id, experiment_id, Role.MEMBER)
        )
    )


@router.get(
    "/experiments/{experiment_id}/observations",
    response={200: list[ObservationOut], **ERRORS},
    summary="Cumulative observations by date and variant",
)
def list_observations(request: HttpRequest, experiment_id: int):
    experiment = object_for(request, queries.experiment_by_id, experiment_id)
    return [ObservationOut.of(o) for o in queries.observations_of(experiment)]


@router.post(
    "/experiments/{experiment_id}/observations",
    response={200: SavedOut, **ERRORS},
    summary="Push cumulative counts (upsert per variant and date; all or nothing)",
)
def push_observations(request: HttpRequest, experiment_id: int, payload: ObservationsIn):
    experiment = object_for(request, queries.experiment_by_id, experiment_id, Role.MEMBER)
    rows = [services.ObservationIn(**row.dict()) for row in payload.rows]
    return SavedOut(
        saved=services.record_observations(experiment, rows, actor=request.user, source="api")
    )


@router.get(
    "/experiments/{experiment_id}/metrics/{metric_id}/observations",
    response={200: list[MetricObservationOut], **ERRORS},
    summary="Cumulative observations of a secondary or guardrail metric",
)
def list_metric_observations(request: HttpRequest, experiment_id: int, metric_id: int):
    experiment = object_for(request, queries.experiment_by_id, experiment_id)
    metric = _metric(experiment, metric_id)
    return [
        MetricObservationOut(
            metric=o.metric.name,
            variant=o.variant.name,
            date=o.date,
            trials=o.trials,
            successes=o.successes,
            mean=o.mean,
            sd=o.sd,
            source=o.source,
            recorded_at=o.recorded_at,
        )
        for o in queries.metric_observations_of(experiment)
        if o.metric_id == metric.pk
    ]


@router.post(
    "/experiments/{experiment_id}/metrics/{metric_id}/observations",
    response={200: SavedOut, **ERRORS},
    summary="Push cumulative counts of a secondary or guardrail metric (upsert; all or nothing)",
)
def push_metric_observations(
    request: HttpRequest, experiment_id: int, metric_id: int, payload: ObservationsIn
):
    experiment = object_for(request, queries.experiment_by_id, experiment_id, Role.MEMBER)
    metric = _metric(experiment, metric_id)
    rows = [services.ObservationIn(**row.dict()) for row in payload.rows]
    return SavedOut(
        saved=services.record_metric_observations(metric, rows, actor=request.user, source="api")
    )


def _metric(experiment: Experiment, metric_id: int):
    metric = next((m for m in queries.metrics_of(experiment) if m.pk == metric_id), None)
    if metric is None:
        raise Http404("no such metric")
    return metric


def analysis_out(experiment: Experiment) -> AnalysisOut:
    verdict = queries.verdict(experiment)
    gate = []
    for decision in Decision.values:
        issues = queries.gate_issues(verdict, decision)
        gate.append(
            {"decision": decision, "allowed": not issues, "issues": [i.message for i in issues]}
        )
    words = queries.plain_json(experiment, verdict, today=timezone.localdate())
    return AnalysisOut(**queries.verdict_json(verdict), **words, gate=gate)


@router.get(
    "/experiments/{experiment_id}/analysis",
    response={200: AnalysisOut, **ERRORS},
    summary="The result: tests, exact P(B > A), expected loss, progress, reading and the gate",
)
def get_analysis(request: HttpRequest, experiment_id: int):
    return analysis_out(object_for(request, queries.experiment_by_id, experiment_id))


@router.post(
    "/experiments/{experiment_id}/decision",
    response={200: ExperimentOut, **ERRORS},
    summary="Decide persevere / pivot / stop (409 decision_refused when the gate refuses and no "
    "override_reason is given)",
)
def decide(request: HttpRequest, experiment_id: int, payload: DecisionIn):
    experiment = object_for(request, queries.experiment_by_id, experiment_id, Role.MEMBER)
    return _out(services.decide(experiment, actor=request.user, **payload.dict()))


class LearningFilters(Schema):
    q: str = ""
    stage: StageName = ""
    channel: str = ""
    against_evidence: bool = False


@router.get(
    "/workspaces/{slug}/learnings",
    response={200: list[LearningOut], **ERRORS},
    summary="The learnings library (full-text q, stage, channel, against_evidence)",
)
def list_learnings(request: HttpRequest, slug: str, filters: Query[LearningFilters]):
    membership = api_membership(request, slug)
    rows = queries.learnings_of(
        membership.workspace,
        q=filters.q[:100],
        stage=filters.stage,
        channel=filters.channel[:60],
        against=filters.against_evidence,
    )
    return [LearningOut.of(row) for row in rows[:500]]


class PlanQuery(Schema):
    baseline: float = Field(gt=0, lt=1, description="baseline conversion rate, 0 < p < 1")
    mde: float = Field(gt=0, description="minimum detectable effect (absolute), above 0")
    alpha: float = 0.05
    power: float = 0.8
    sequential: bool = False
    msprt: bool = Field(False, description="also the always-valid test's largest sample")
    tau: float | None = Field(None, gt=0, description="msprt: mixing standard deviation; mde")


@router.get(
    "/experiment-plan",
    response={200: PlanOut, **ERRORS},
    summary="Sample size per variant for a conversion test (docs/product.md §6)",
)
def plan(request: HttpRequest, query: Query[PlanQuery]):
    try:
        result = stats.sample_size(query.baseline, query.mde, alpha=query.alpha, power=query.power)
        sequential = (
            stats.sequential_plan(query.baseline, query.mde, power=query.power).planned
            if query.sequential
            else None
        )
        always = (
            stats.msprt_plan_proportions(
                query.baseline, query.mde, tau=query.tau, alpha=query.alpha, power=query.power
            )
            if query.msprt
            else None
        )
    except stats.StatsInputError as error:
        raise InvalidExperimentInput(error.message, field=error.field) from None
    return PlanOut(
        baseline=query.baseline,
        mde=query.mde,
        alpha=query.alpha,
        power=query.power,
        per_variant=result.per_variant,
        exact=result.exact,
        explanation=result.explanation,
        sequential_n=sequential,
        msprt_per_variant=always.per_variant if always else None,
        msprt_tau=always.tau if always else None,
    )
