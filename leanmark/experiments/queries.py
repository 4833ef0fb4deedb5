"""Reads of experiments: lists, the verdict, the series for charts, the learnings library, and
the figures other apps use (decided_per_day, decisions, bml_cycle_times)."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Count, Max, Min, Q, QuerySet
from django.db.models.functions import TruncDate
from django.http import Http404
from django.urls import reverse

from leanmark.accounts.models import Workspace
from leanmark.domain import bml, stats
from leanmark.lib import zones

from . import plain
from .models import (
    Experiment,
    ExperimentMetric,
    Learning,
    MetricObservation,
    MetricType,
    Observation,
    SequentialMethod,
    State,
    Variant,
)


def experiment_for(workspace: Workspace, experiment_id: int) -> Experiment:
    """The experiment in this workspace, or 404 (another workspace's id is not leaked)."""
    experiment = (
        Experiment.objects.for_workspace(workspace)
        .select_related("workspace", "card", "owner", "decided_by")
        .filter(pk=experiment_id)
        .first()
    )
    if experiment is None:
        raise Http404("no such experiment")
    return experiment


def experiment_by_id(workspace_ids: Any, experiment_id: int) -> Experiment:
    """For the API: the experiment if it belongs to one of these workspaces, else 404."""
    experiment = (
        Experiment.objects.select_related("workspace", "card", "owner", "decided_by")
        .filter(pk=experiment_id, workspace_id__in=list(workspace_ids))
        .first()
    )
    if experiment is None:
        raise Http404("no such experiment")
    return experiment


@dataclass(frozen=True)
class Filters:
    state: str = ""
    stage: str = ""
    channel: str = ""
    q: str = ""

    @classmethod
    def from_query(cls, data: Any) -> "Filters":
        state = data.get("state", "")
        return cls(
            state=state if state in State.values else "",
            stage=data.get("stage", "")[:10],
            channel=data.get("channel", "")[:60],
            q=data.get("q", "")[:100].strip(),
        )


def experiments_of(workspace: Workspace, filters: Filters | None = None) -> QuerySet[Experiment]:
    filters = filters or Filters()
    rows = Experiment.objects.for_workspace(workspace).select_related("owner", "card")
    if filters.state:
        rows = rows.filter(state=filters.state)
    if filters.stage:
        rows = rows.filter(stage=filters.stage)
    if filters.channel:
        rows = rows.filter(channel__iexact=filters.channel)
    for word in filters.q.split():
        rows = rows.filter(
            Q(title__icontains=word)
            | Q(change__icontains=word)
            | Q(audience__icontains=word)
            | Q(outcome__icontains=word)
            | Q(metric_name__icontains=word)
        )
    return rows


def state_counts(workspace: Workspace) -> dict[str, int]:
    rows = (
        Experiment.objects.for_workspace(workspace)
        .order_by()
        .values_list("state")
        .annotate(n=Count("id"))
    )
    return dict(rows)


def channels_of(workspace: Workspace) -> list[str]:
    rows = (
        Experiment.objects.for_workspace(workspace)
        .exclude(channel="")
        .order_by("channel")
        .values_list("channel", flat=True)
        .distinct()
    )
    return list(rows)


def variants_of(experiment: Experiment) -> list[Variant]:
    return list(experiment.variants.order_by("position", "id"))


def observations_of(experiment: Experiment) -> list[Observation]:
    return list(
        Observation.objects.filter(variant__experiment=experiment)
        .select_related("variant", "recorded_by")
        .order_by("date", "variant__position")
    )


def latest_data(experiment: Experiment) -> list[bml.VariantData]:
    """Each variant's latest cumulative figures (zero trials when it has none yet)."""
    latest: dict[int, Observation] = {}
    for obs in Observation.objects.filter(variant__experiment=experiment).order_by("date"):
        latest[obs.variant_id] = obs
    data = []
    for variant in variants_of(experiment):
        obs = latest.get(variant.pk)
        data.append(
            bml.VariantData(
                name=variant.name,
                is_control=variant.is_control,
                trials=obs.trials if obs else 0,
                successes=(obs.successes if obs else 0)
                if experiment.metric_type == MetricType.CONVERSION
                else None,
                mean=obs.mean if obs else None,
                sd=obs.sd if obs else None,
            )
        )
    return data


def looks_of(experiment: Experiment) -> list[list[bml.VariantData]]:
    """Every date with figures, oldest first: each variant's cumulative figures as of that date
    (its latest earlier ones carried forward; zero trials before its first). The always-valid
    test's p-value is the smallest over these looks."""
    variants = variants_of(experiment)
    rows = Observation.objects.filter(variant__experiment=experiment).order_by("date")
    conversion = experiment.metric_type == MetricType.CONVERSION
    current: dict[int, bml.VariantData] = {
        v.pk: bml.VariantData(v.name, v.is_control, 0, 0 if conversion else None) for v in variants
    }
    looks: list[list[bml.VariantData]] = []
    day = None
    for obs in rows:
        if day is not None and obs.date != day:
            looks.append([current[v.pk] for v in variants])
        day = obs.date
        variant = current[obs.variant_id]
        current[obs.variant_id] = bml.VariantData(
            variant.name,
            variant.is_control,
            obs.trials,
            (obs.successes or 0) if conversion else None,
            obs.mean,
            obs.sd,
        )
    if day is not None:
        looks.append([current[v.pk] for v in variants])
    return looks


def metrics_of(experiment: Experiment) -> list[ExperimentMetric]:
    return list(experiment.metrics.order_by("position", "id"))


def metric_observations_of(experiment: Experiment) -> list[MetricObservation]:
    return list(
        MetricObservation.objects.filter(metric__experiment=experiment)
        .select_related("metric", "variant", "recorded_by")
        .order_by("metric__position", "date", "variant__position")
    )


def metric_data(experiment: Experiment) -> list[bml.MetricData]:
    """Each secondary and guardrail metric with each variant's latest cumulative figures."""
    variants = variants_of(experiment)
    latest: dict[tuple[int, int], MetricObservation] = {}
    rows = MetricObservation.objects.filter(metric__experiment=experiment).order_by("date")
    for obs in rows:
        latest[(obs.metric_id, obs.variant_id)] = obs
    answer = []
    for metric in metrics_of(experiment):
        conversion = metric.metric_type == MetricType.CONVERSION
        figures = []
        for variant in variants:
            obs = latest.get((metric.pk, variant.pk))
            figures.append(
                bml.VariantData(
                    variant.name,
                    variant.is_control,
                    obs.trials if obs else 0,
                    ((obs.successes or 0) if obs else 0) if conversion else None,
                    obs.mean if obs else None,
                    obs.sd if obs else None,
                )
            )
        answer.append(
            bml.MetricData(
                metric.name,
                metric.role,
                metric.metric_type,
                metric.direction,
                tuple(figures),
                metric.tolerance,
            )
        )
    return answer


def msprt_tau(experiment: Experiment) -> float | None:
    """The always-valid test's mixing standard deviation: the one given, or the plan's δ."""
    if experiment.sequential_method != SequentialMethod.MSPRT:
        return None
    return experiment.msprt_tau or experiment.plan_mde


def verdict(experiment: Experiment) -> bml.Verdict:
    tau = msprt_tau(experiment)
    simple = experiment.sequential and experiment.sequential_method != SequentialMethod.MSPRT
    looks = looks_of(experiment) if tau else []
    return bml.analyse(
        experiment.metric_type,
        looks[-1] if looks else latest_data(experiment),
        alpha=experiment.alpha,
        planned_per_variant=experiment.planned_per_variant,
        sequential_n=experiment.sequential_n if simple else None,
        msprt_tau=tau,
        looks=looks,
        correction=experiment.correction,
        metrics=metric_data(experiment),
    )


def schedule(
    experiment: Experiment, verdict: bml.Verdict, *, today: date, observed: list[date]
) -> bml.Schedule:
    """What to do next and the days to the planned sample at the traffic so far, measured from
    the start date (or the first figures) to the latest figures (``observed``: their dates)."""
    first, latest = (min(observed), max(observed)) if observed else (None, None)
    return bml.schedule(
        verdict,
        today=today,
        start=experiment.start_date or first,
        latest=latest,
        planned_end=experiment.planned_end if experiment.state != State.DECIDED else None,
    )


def plain_json(experiment: Experiment, verdict: bml.Verdict, *, today: date) -> dict[str, Any]:
    """The page's plain language for the API and the CLI: what to do next, whether the planned
    end date has passed, the verdict in words, and the days to the planned sample."""
    span = Observation.objects.filter(variant__experiment=experiment).aggregate(
        first=Min("date"), last=Max("date")
    )
    observed = [d for d in (span["first"], span["last"]) if d is not None]
    found = schedule(experiment, verdict, today=today, observed=observed)
    words = plain.reading(
        verdict,
        found,
        decided=experiment.state == State.DECIDED,
        draft=experiment.state == State.DRAFT,
        tau=msprt_tau(experiment),
    )
    return {
        "looking": words.looking,
        "correction_text": words.correction,
        "next_step": words.next_step,
        "end_passed": words.end_passed,
        "finding": words.finding,
        "days_left": found.days_left,
        "projected_date": found.projected,
    }


def verdict_json(verdict: bml.Verdict) -> dict[str, Any]:
    """The verdict as JSON: what the API answers and what a decision keeps as its evidence."""
    return {
        "metric_type": verdict.metric_type,
        "alpha": verdict.alpha,
        "outcome": verdict.outcome,
        "winner": verdict.winner,
        "reading": verdict.reading,
        "planned_per_variant": verdict.planned_per_variant,
        "reached_per_variant": verdict.reached_per_variant,
        "progress": verdict.progress,
        "sample_complete": verdict.sample_complete,
        "may_decide": verdict.may_decide,
        "small_counts": verdict.small_counts,
        "sample_ratio_p_value": None if verdict.ratio is None else verdict.ratio.p_value,
        "sample_ratio_mismatch": verdict.ratio is not None and verdict.ratio.mismatch,
        "method": verdict.method,
        "correction": verdict.correction,
        "comparisons_made": len(verdict.comparisons),
        "always_valid_crossed": verdict.always_valid_crossed,
        "sequential": None
        if verdict.sequential is None
        else {
            "planned": verdict.sequential.planned,
            "threshold": verdict.sequential.threshold,
            "treatment": verdict.sequential.treatment,
            "control": verdict.sequential.control,
            "outcome": verdict.sequential.outcome,
        },
        "variants": [
            {
                "name": v.name,
                "is_control": v.is_control,
                "trials": v.trials,
                "successes": v.successes,
                "rate": v.rate,
                "mean": v.mean,
                "sd": v.sd,
            }
            for v in verdict.variants
        ],
        "comparisons": [
            {
                "treatment": c.treatment,
                "control": c.control,
                "difference": c.difference,
                "ci_low": c.ci_low,
                "ci_high": c.ci_high,
                "statistic": c.statistic,
                "p_value": c.p_value,
                "p_adjusted": c.p_adjusted,
                "significant": c.significant,
                "prob_beats_control": c.prob_beats_control,
                "loss_choosing_treatment": c.loss_choosing_treatment,
                "loss_choosing_control": c.loss_choosing_control,
                "small_counts": c.small_counts,
                "fisher_p_value": c.fisher_p_value,
                "relative_lift": None if c.lift is None else c.lift.lift,
                "relative_ci_low": None if c.lift is None else c.lift.ci_low,
                "relative_ci_high": None if c.lift is None else c.lift.ci_high,
                "always_valid": None
                if c.always_valid is None
                else {
                    "p_value": c.always_valid.p_value,
                    "likelihood_ratio": c.always_valid.likelihood_ratio,
                    "tau": c.always_valid.tau,
                    "looks": c.always_valid.looks,
                    "ci_low": c.always_valid.ci_low,
                    "ci_high": c.always_valid.ci_high,
                },
            }
            for c in verdict.comparisons
        ],
        "notes": list(verdict.notes),
        "metrics": [
            {
                "name": m.name,
                "role": m.role,
                "metric_type": m.metric_type,
                "direction": m.direction,
                "tolerance": m.tolerance,
                "missing": list(m.missing),
                "comparisons": [
                    {
                        "treatment": c.treatment,
                        "control": c.control,
                        "difference": c.difference,
                        "ci_low": c.ci_low,
                        "ci_high": c.ci_high,
                        "p_value": c.p_value,
                        "p_adjusted": c.p_adjusted,
                        "significant": c.significant,
                        "broken": c.broken,
                    }
                    for c in m.comparisons
                ],
            }
            for m in verdict.metrics
        ],
    }


@dataclass(frozen=True)
class SeriesPoint:
    date: date
    variant: str
    trials: int
    value: float  # conversion rate or mean
    low: float  # 95 % interval of the value
    high: float
    order: int = 0  # the variant's position (control first), for a stable colour order


def series(experiment: Experiment) -> list[SeriesPoint]:
    """The value of each variant over time, with its interval (Wilson for rates, t for means)."""
    points = []
    for obs in observations_of(experiment):
        if experiment.metric_type == MetricType.CONVERSION:
            if not obs.trials:
                continue
            low, high = stats.wilson_interval(obs.successes or 0, obs.trials)
            value = (obs.successes or 0) / obs.trials
        else:
            if obs.trials < 2 or obs.mean is None:
                continue
            low, high = stats.mean_interval(obs.mean, obs.sd or 0.0, obs.trials)
            value = obs.mean
        points.append(
            SeriesPoint(
                obs.date, obs.variant.name, obs.trials, value, low, high, obs.variant.position
            )
        )
    return points


# ---- the learnings library --------------------------------------------------------------------


def learnings_of(
    workspace: Workspace, *, q: str = "", stage: str = "", channel: str = "", against: bool = False
) -> QuerySet[Learning]:
    rows = Learning.objects.for_workspace(workspace).select_related("experiment__card")
    if stage:
        rows = rows.filter(stage=stage)
    if channel:
        rows = rows.filter(channel__iexact=channel)
    if against:
        rows = rows.filter(against_evidence=True)
    for word in q.split()[:10]:  # every word must match somewhere (full-text, portable)
        rows = rows.filter(
            Q(statement__icontains=word)
            | Q(evidence__icontains=word)
            | Q(override_reason__icontains=word)
            | Q(experiment__title__icontains=word)
            | Q(experiment__change__icontains=word)
            | Q(experiment__audience__icontains=word)
            | Q(experiment__outcome__icontains=word)
            | Q(experiment__metric_name__icontains=word)
            | Q(experiment__decision_note__icontains=word)
        )
    return rows


def learning_channels(workspace: Workspace) -> list[str]:
    rows = (
        Learning.objects.for_workspace(workspace)
        .exclude(channel="")
        .order_by("channel")
        .values_list("channel", flat=True)
        .distinct()
    )
    return list(rows)


# ---- contracts for other apps (improvement, dashboard) -----------------------------------------


def _zone(workspace: Workspace) -> ZoneInfo:
    return zones.zone(workspace)


def _decided_between(workspace: Workspace, start: date, end: date) -> QuerySet[Experiment]:
    zone = _zone(workspace)
    since = datetime.combine(start, time.min, tzinfo=zone)
    until = datetime.combine(end + timedelta(days=1), time.min, tzinfo=zone)
    return Experiment.objects.for_workspace(workspace).filter(
        state=State.DECIDED, decided_at__gte=since, decided_at__lt=until
    )


def decided_per_day(workspace: Workspace, *, start: date, end: date) -> dict[date, int]:
    """Experiments decided on each day from ``start`` to ``end`` inclusive (workspace time zone);
    every day is present, zero included."""
    counts = {start + timedelta(days=i): 0 for i in range((end - start).days + 1)}
    rows = (
        _decided_between(workspace, start, end)
        .annotate(day=TruncDate("decided_at", tzinfo=_zone(workspace)))
        .order_by()
        .values_list("day")
        .annotate(n=Count("id"))
    )
    for day, n in rows:
        counts[day] = counts.get(day, 0) + n
    return counts


def decisions(workspace: Workspace, *, start: date, end: date) -> list[tuple[date, str, str]]:
    """(day, label, url) for each decision in the window, oldest first: chart annotations."""
    zone = _zone(workspace)
    answer = []
    for experiment in _decided_between(workspace, start, end).order_by("decided_at", "id"):
        label = f"{experiment.get_decision_display()}: {experiment.title}"
        if experiment.against_evidence:
            label += " (against the evidence)"
        url = reverse("experiment", kwargs={"ws": workspace.slug, "experiment_id": experiment.pk})
        decided = experiment.decided_at or experiment.created_at
        answer.append((decided.astimezone(zone).date(), label, url))
    return answer


def bml_cycle_times(workspace: Workspace, *, from_created: bool = False) -> list[float]:
    """Days from running to decided of each decided experiment (created → decided when it never
    recorded a start, or with ``from_created``: §6's definition), oldest decision first."""
    rows = (
        Experiment.objects.for_workspace(workspace)
        .filter(state=State.DECIDED, decided_at__isnull=False)
        .order_by("decided_at", "id")
        .values_list("created_at", "running_at", "decided_at")
    )
    return [
        max(0.0, (decided - (created if from_created else running or created)).total_seconds())
        / 86400
        for created, running, decided in rows
    ]


@dataclass(frozen=True)
class MonthVelocity:
    month: date
    decided: int
    against_evidence: int
    median_cycle_days: float | None


def learning_velocity(
    workspace: Workspace, *, months: int = 12, today: date
) -> list[MonthVelocity]:
    """Experiments decided per month (learning velocity) and the median BML cycle time."""
    first = date(today.year, today.month, 1)
    for _ in range(months - 1):
        first = (first - timedelta(days=1)).replace(day=1)
    zone = _zone(workspace)
    buckets: dict[date, list[tuple[float, bool]]] = defaultdict(list)
    rows = (
        _decided_between(workspace, first, today)
        .order_by()
        .values_list("created_at", "running_at", "decided_at", "against_evidence")
    )
    for created, running, decided, against in rows:
        local = decided.astimezone(zone)
        days = max(0.0, (decided - (running or created)).total_seconds() / 86400)
        buckets[date(local.year, local.month, 1)].append((days, against))
    answer = []
    month = first
    while month <= today:
        items = buckets.get(month, [])
        cycle = sorted(d for d, _ in items)
        median = None
        if cycle:
            middle = len(cycle) // 2
            median = cycle[middle] if len(cycle) % 2 else (cycle[middle - 1] + cycle[middle]) / 2
        answer.append(MonthVelocity(month, len(items), sum(a for _, a in items), median))
        month = (month + timedelta(days=32)).replace(day=1)
    return answer


def gate_issues(verdict: bml.Verdict, decision: str) -> list[bml.GateIssue]:
    """What the gate would say to this decision now (shown before anyone presses the button)."""
    return bml.gate(verdict, decision)


def experiments_of_card(card: Any) -> list[Experiment]:
    """The experiments linked to a card (the card page shows them)."""
    return list(Experiment.objects.filter(card=card).order_by("-created_at", "-id")[:20])


def outcomes_by_idea(workspace: Workspace) -> dict[int, bool]:
    """idea id → whether its decided experiment found the treatment better (its latest one)."""
    found = (
        Experiment.objects.for_workspace(workspace)
        .filter(state=State.DECIDED, idea_id__isnull=False)
        .order_by("decided_at", "id")
        .values_list("idea_id", "evidence")
    )
    return {
        idea_id: (evidence or {}).get("outcome") == bml.TREATMENT_BETTER
        for idea_id, evidence in found
    }
