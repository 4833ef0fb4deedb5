"""Every write to experiments, observations and learnings, each in one transaction.

- ``create_experiment`` / ``update_experiment``: the record, its hypothesis and its plan (the
  sample size is computed here from the plan with ``leanmark.domain.stats``);
- ``start`` / ``to_analysis``: draft → running → analysing;
- ``record_observation`` / ``import_observations``: cumulative counts by date (an import is all or
  nothing, with line-numbered errors);
- ``decide``: the gate (``leanmark.domain.bml.gate``); a refused decision goes through only with
  a written override reason, kept on the record and in its learning. Writes the learning,
  publishes ``experiment.decided`` and flags related backlog ideas "evidence changed".
"""

import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.http import Http404
from django.utils import timezone

from leanmark.accounts.models import User, Workspace
from leanmark.backlog import queries as backlog_queries
from leanmark.backlog import services as backlog_services
from leanmark.board import queries as board_queries
from leanmark.domain import bml, stats
from leanmark.domain.hourglass import Stage
from leanmark.lib import clean, csvrows
from leanmark.lib.notify import publish

from . import plain, queries
from .errors import DecisionRefused, InvalidExperimentInput, WrongState
from .models import (
    Correction,
    Decision,
    Direction,
    Experiment,
    ExperimentMetric,
    Learning,
    MetricObservation,
    MetricRole,
    MetricType,
    Observation,
    PivotType,
    SequentialMethod,
    State,
    Variant,
)

if TYPE_CHECKING:  # annotations only: the board's rows are read through its queries
    from leanmark.board.models import Card

TEXT_MAX = {"title": 200, "change": 300, "audience": 200, "outcome": 300, "metric_name": 100}
CHANNEL_MAX = 60
VARIANT_MAX = 60
MAX_VARIANTS = 6
REASON_MAX = 2000
MAX_COUNT = 2_000_000_000
IMPORT_MAX_ROWS = 20_000
FEED_SOURCE = "channel"  # observations read from the marketing data (experiments/feed.py)


# ---- cleaning ---------------------------------------------------------------------------------


def _text(value: Any, name: str, *, required: bool = True, limit: int | None = None) -> str:
    limit = limit or TEXT_MAX.get(name, 300)
    return clean.text(
        value, name, limit=limit, required=required, multiline=True, error=InvalidExperimentInput
    )


def _number(value: Any, name: str, label: str) -> float | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        number = float(str(value).strip().rstrip("%")) / (100 if "%" in str(value) else 1)
    except ValueError:
        raise InvalidExperimentInput(f"the {label} {value!r} is not a number", field=name) from None
    if not math.isfinite(number):
        raise InvalidExperimentInput(f"the {label} must be a finite number", field=name)
    return number


def _unit(value: Any, name: str, label: str, default: float | None = None) -> float | None:
    number = _number(value, name, label)
    if number is None:
        return default
    if not 0 < number < 1:
        raise InvalidExperimentInput(
            f"{label} must be between 0 and 1 (exclusive), not {number:g}", field=name
        )
    return number


def _count(value: Any, name: str, label: str, *, required: bool = True) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise InvalidExperimentInput(f"the {label} is missing", field=name)
        return None
    text = str(value).strip()
    try:
        number = int(text) if not isinstance(value, float) else int(value)
    except ValueError:
        raise InvalidExperimentInput(
            f"the {label} must be a whole number, not {text[:20]!r}", field=name
        ) from None
    if isinstance(value, float) and not value.is_integer():
        raise InvalidExperimentInput(f"the {label} must be a whole number", field=name)
    if number < 0:
        raise InvalidExperimentInput(f"the {label} cannot be negative", field=name)
    if number > MAX_COUNT:
        raise InvalidExperimentInput(f"the {label} is too large", field=name)
    return number


def _date(value: Any, name: str) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise InvalidExperimentInput(
            f"{str(value)[:20]!r} is not a date (YYYY-MM-DD)", field=name
        ) from None


def _choice(value: Any, choices: Any, name: str, *, required: bool = True) -> str:
    if value in (None, "") and not required:
        return ""
    if value not in choices.values:
        raise InvalidExperimentInput(
            f"unknown {name.replace('_', ' ')} {value!r}; "
            f"choose one of {', '.join(choices.values)}",
            field=name,
        )
    return str(value)


def _stage(value: Any) -> str:
    if value in (None, ""):
        return ""
    if value not in {s.value for s in Stage}:
        raise InvalidExperimentInput(
            f"unknown hourglass stage {value!r}; choose one of {', '.join(s.value for s in Stage)}",
            field="stage",
        )
    return str(value)


def _variant_names(names: Any) -> list[str]:
    if names in (None, "", []):
        return ["Control", "Treatment"]
    if isinstance(names, str):
        names = names.split(",")
    cleaned = [_text(str(n), "variants", limit=VARIANT_MAX) for n in names if str(n).strip()]
    if len(cleaned) < 2:
        raise InvalidExperimentInput(
            "an experiment needs a control and at least one treatment (two variant names)",
            field="variants",
        )
    if len(cleaned) > MAX_VARIANTS:
        raise InvalidExperimentInput(f"at most {MAX_VARIANTS} variants", field="variants")
    if len({n.lower() for n in cleaned}) != len(cleaned):
        raise InvalidExperimentInput("variant names must differ", field="variants")
    return cleaned


# ---- the record and its plan -------------------------------------------------------------------


@dataclass
class ExperimentSpec:
    """What a person types; every field is cleaned by the service (strings are fine)."""

    title: Any = ""
    change: Any = ""
    audience: Any = ""
    outcome: Any = ""
    metric_name: Any = ""
    metric_baseline: Any = None
    metric_target: Any = None
    target_date: Any = None
    stage: Any = ""
    channel: Any = ""
    metric_type: Any = MetricType.CONVERSION
    owner_id: Any = None
    card_number: Any = None
    idea_id: Any = None
    start_date: Any = None
    planned_end: Any = None
    plan_baseline: Any = None
    plan_sd: Any = None
    plan_mde: Any = None
    alpha: Any = None
    power: Any = None
    sequential: Any = False
    # "" or "none" (a fixed horizon), "simple" or "msprt"; None: ``sequential`` on is "simple"
    sequential_method: Any = None
    msprt_tau: Any = None  # the mSPRT's mixing standard deviation τ; None: the plan's δ
    correction: Any = None  # "holm" (default) or "bh", with several comparisons
    variants: Any = field(default=None)
    # secondary and guardrail metrics: dicts (or MetricSpec) of name, role, metric_type,
    # direction, tolerance; None keeps them, [] removes them (both only while a draft)
    metrics: Any = None


@dataclass(frozen=True)
class CleanPlan:
    plan_baseline: float | None
    plan_sd: float | None
    plan_mde: float | None
    alpha: float
    power: float
    planned_per_variant: int | None
    sequential: bool
    sequential_n: int | None
    sequential_method: str = ""
    msprt_tau: float | None = None
    correction: str = Correction.HOLM


def sequential_method(spec: ExperimentSpec) -> str:
    """How the plan may be looked at: "" (a fixed horizon), "simple" or "msprt"."""
    method = spec.sequential_method
    if method is None:
        return SequentialMethod.SIMPLE if spec.sequential in (True, "on", "true", "1", 1) else ""
    if method in ("", "none", "fixed"):
        return ""
    return _choice(method, SequentialMethod, "sequential_method")


def patch_spec(current: ExperimentSpec, changes: dict[str, Any]) -> ExperimentSpec:
    """Apply a PATCH's changes to the current spec. ``sequential`` alone switches the test
    off, or on with the method it had (the simple rule when it had none)."""
    for name, value in changes.items():
        setattr(current, name, value)
    if "sequential" in changes and "sequential_method" not in changes:
        on = changes["sequential"] in (True, "on", "true", "1", 1)
        current.sequential_method = (current.sequential_method or None) if on else ""
    return current


def _msprt(
    metric_type: str, baseline: float | None, sd: float | None, mde: float | None, **kw: Any
) -> stats.MsprtPlan:
    if mde is None or (baseline is None and sd is None):
        what = "baseline rate" if metric_type == MetricType.CONVERSION else "standard deviation"
        raise InvalidExperimentInput(
            f"the always-valid test needs a plan (the {what} and the minimum detectable effect) "
            "to know its largest sample",
            field="plan_mde"
            if mde is None
            else ("plan_baseline" if metric_type == MetricType.CONVERSION else "plan_sd"),
        )
    if metric_type == MetricType.CONVERSION and baseline is not None:
        return stats.msprt_plan_proportions(baseline, mde, **kw)
    return stats.msprt_plan_means(sd or 0.0, mde, **kw)


def clean_plan(spec: ExperimentSpec, metric_type: str) -> CleanPlan:
    """The plan's numbers, and the sample size they give (None when the plan is left empty)."""
    alpha = _unit(spec.alpha, "alpha", "α", stats.DEFAULT_ALPHA) or stats.DEFAULT_ALPHA
    power = _unit(spec.power, "power", "the power", stats.DEFAULT_POWER) or stats.DEFAULT_POWER
    mde = _number(spec.plan_mde, "plan_mde", "minimum detectable effect")
    method = sequential_method(spec)
    correction = _choice(spec.correction or Correction.HOLM, Correction, "correction")
    tau = _number(spec.msprt_tau, "msprt_tau", "mixing standard deviation τ")
    if tau is not None and tau <= 0:
        raise InvalidExperimentInput(
            f"τ, the size of effect the always-valid test is tuned for (its mixing standard "
            f"deviation), must be above 0, not {tau:g}",
            field="msprt_tau",
        )
    if method != SequentialMethod.MSPRT:
        tau = None  # τ belongs to the always-valid test only
    sequential = method == SequentialMethod.SIMPLE
    baseline = sd = None
    per_variant = sequential_n = None
    try:
        if metric_type == MetricType.CONVERSION:
            baseline = _number(spec.plan_baseline, "plan_baseline", "baseline rate")
            if baseline is not None or mde is not None:
                if baseline is None or mde is None:
                    raise InvalidExperimentInput(
                        "a plan needs both the baseline rate and the minimum detectable effect",
                        field="plan_mde" if baseline is not None else "plan_baseline",
                    )
                plan = stats.sample_size(baseline, mde, alpha=alpha, power=power)
                per_variant = plan.per_variant
                if sequential:
                    sequential_n = stats.sequential_plan(baseline, mde, power=power).planned
        else:
            sd = _number(spec.plan_sd, "plan_sd", "standard deviation")
            if sd is not None or mde is not None:
                if sd is None or mde is None:
                    raise InvalidExperimentInput(
                        "a plan needs both the standard deviation and the minimum detectable "
                        "effect",
                        field="plan_mde" if sd is not None else "plan_sd",
                    )
                per_variant = stats.sample_size_means(sd, mde, alpha=alpha, power=power).per_variant
            if sequential and method == SequentialMethod.SIMPLE:
                raise InvalidExperimentInput(
                    "the sequential rule counts conversions: use it with a conversion metric",
                    field="sequential",
                )
        if method == SequentialMethod.MSPRT:
            # the most the test needs: more than the fixed horizon, but it may stop any day
            per_variant = _msprt(
                metric_type, baseline, sd, mde, tau=tau, alpha=alpha, power=power
            ).per_variant
    except stats.StatsInputError as error:
        name = {"baseline": "plan_baseline", "mde": "plan_mde", "sd": "plan_sd"}.get(
            error.field, error.field
        )
        name = "msprt_tau" if name == "tau" else name
        raise InvalidExperimentInput(error.message, field=name) from None
    return CleanPlan(
        baseline, sd, mde, alpha, power, per_variant, bool(method), sequential_n, method, tau,
        correction,
    )  # fmt: skip


def _links(workspace: Workspace, spec: ExperimentSpec) -> "tuple[Card | None, User | None]":
    card = None
    number = _count(spec.card_number, "card_number", "card number", required=False)
    if number is not None:
        card = board_queries.card_numbered(workspace, number)
        if card is None:
            raise InvalidExperimentInput(f"there is no card #{number} here", field="card_number")
    owner = None
    owner_id = _count(spec.owner_id, "owner_id", "owner", required=False)
    if owner_id is not None:
        owner = User.objects.filter(pk=owner_id, memberships__workspace=workspace).first()
        if owner is None:
            raise InvalidExperimentInput(
                "the owner must be a member of this workspace", field="owner_id"
            )
    return card, owner


def _idea_id(workspace: Workspace, value: Any) -> int | None:
    idea_id = _count(value, "idea_id", "idea id", required=False)
    if idea_id is None:
        return None
    try:
        backlog_queries.idea_for(workspace, idea_id)
    except Http404:
        raise InvalidExperimentInput(f"there is no idea {idea_id} here", field="idea_id") from None
    return idea_id


def _clean_fields(workspace: Workspace, spec: ExperimentSpec) -> dict[str, Any]:
    metric_type = _choice(spec.metric_type or MetricType.CONVERSION, MetricType, "metric_type")
    card, owner = _links(workspace, spec)
    values: dict[str, Any] = {
        "title": _text(spec.title, "title"),
        "change": _text(spec.change, "change"),
        "audience": _text(spec.audience, "audience"),
        "outcome": _text(spec.outcome, "outcome"),
        "metric_name": _text(spec.metric_name, "metric_name"),
        "metric_baseline": _number(spec.metric_baseline, "metric_baseline", "baseline"),
        "metric_target": _number(spec.metric_target, "metric_target", "target"),
        "target_date": _date(spec.target_date, "target_date"),
        "stage": _stage(spec.stage),
        "channel": _text(spec.channel, "channel", required=False, limit=CHANNEL_MAX),
        "metric_type": metric_type,
        "card": card,
        "owner": owner,
        "idea_id": _idea_id(workspace, spec.idea_id),
        "start_date": _date(spec.start_date, "start_date"),
        "planned_end": _date(spec.planned_end, "planned_end"),
    }
    if (
        values["start_date"]
        and values["planned_end"]
        and values["planned_end"] < values["start_date"]
    ):
        raise InvalidExperimentInput(
            "the planned end cannot be before the start", field="planned_end"
        )
    plan = clean_plan(spec, metric_type)
    values.update(plan.__dict__)
    return values


MAX_METRICS = 5


@dataclass(frozen=True)
class MetricSpec:
    name: str
    role: str
    metric_type: str
    direction: str
    tolerance: float


def _clean_metrics(items: Any, *, primary: str = "") -> list[MetricSpec] | None:
    """Secondary and guardrail metrics, cleaned; None when not given (keep what there is).
    None may share a name with another or with the primary metric (``primary``)."""
    if items is None:
        return None
    if not isinstance(items, list | tuple):
        raise InvalidExperimentInput("the metrics must be a list", field="metrics")
    if len(items) > MAX_METRICS:
        raise InvalidExperimentInput(
            f"at most {MAX_METRICS} secondary and guardrail metrics", field="metrics"
        )
    cleaned: list[MetricSpec] = []
    for number, item in enumerate(items, start=1):
        data = item.__dict__ if isinstance(item, MetricSpec) else dict(item)
        try:
            name = _text(data.get("name"), "name", limit=100)
            role = _choice(data.get("role") or MetricRole.SECONDARY, MetricRole, "role")
            kind = _choice(
                data.get("metric_type") or MetricType.CONVERSION, MetricType, "metric_type"
            )
            direction = _choice(data.get("direction") or Direction.INCREASE, Direction, "direction")
            tolerance = _number(data.get("tolerance"), "tolerance", "tolerance") or 0.0
        except InvalidExperimentInput as error:
            raise InvalidExperimentInput(
                f"metric {number}: {error.message}", field="metrics"
            ) from None
        if tolerance < 0:
            raise InvalidExperimentInput(
                f"metric {number}: the tolerance is how much worse is acceptable, 0 or more, "
                f"not {tolerance:g}",
                field="metrics",
            )
        if kind == MetricType.CONVERSION and tolerance >= 1:
            raise InvalidExperimentInput(
                f"metric {number}: a rate can get worse by less than 100 pp, so the tolerance "
                f"is below 1 (0.005 = 0.5 pp), not {tolerance:g}",
                field="metrics",
            )
        if tolerance and role != MetricRole.GUARDRAIL:
            raise InvalidExperimentInput(
                f"metric {number}: a tolerance goes only with a guardrail", field="metrics"
            )
        cleaned.append(MetricSpec(name, role, kind, direction, tolerance))
    if len({m.name.lower() for m in cleaned}) != len(cleaned):
        raise InvalidExperimentInput("the metrics' names must differ", field="metrics")
    same = next((m for m in cleaned if primary and m.name.lower() == primary.lower()), None)
    if same is not None:
        raise InvalidExperimentInput(
            f"{same.name!r} is the experiment's own (primary) metric; a secondary or guardrail "
            "metric needs another name",
            field="metrics",
        )
    return cleaned


def _metric_specs(experiment: Experiment) -> list[MetricSpec]:
    return [
        MetricSpec(m.name, m.role, m.metric_type, m.direction, m.tolerance)
        for m in experiment.metrics.all()
    ]


def _replace_metrics(experiment: Experiment, metrics: Sequence[MetricSpec]) -> None:
    experiment.metrics.all().delete()
    ExperimentMetric.objects.bulk_create(
        ExperimentMetric(experiment=experiment, position=i, **m.__dict__)
        for i, m in enumerate(metrics)
    )


def create_experiment(
    workspace: Workspace, spec: ExperimentSpec, *, actor: User | None, at: datetime | None = None
) -> Experiment:
    values = _clean_fields(workspace, spec)
    names = _variant_names(spec.variants)
    metrics = _clean_metrics(spec.metrics, primary=values["metric_name"])
    with transaction.atomic():
        experiment = Experiment.objects.create(
            workspace=workspace, created_at=at or timezone.now(), **values
        )
        Variant.objects.bulk_create(
            Variant(experiment=experiment, name=name, is_control=i == 0, position=i)
            for i, name in enumerate(names)
        )
        if metrics:
            _replace_metrics(experiment, metrics)
        publish(
            workspace.pk, "experiment.created", {"id": experiment.pk, "title": experiment.title}
        )
    return experiment


PLAN_FIELDS = (
    "metric_type",
    "plan_baseline",
    "plan_sd",
    "plan_mde",
    "alpha",
    "power",
    "sequential",
    "sequential_method",
    "msprt_tau",
    "correction",
)


def update_experiment(experiment: Experiment, spec: ExperimentSpec) -> Experiment:
    """Edit the record. The plan and metric type are fixed once the experiment runs: changing
    the target after seeing data is exactly what the plan exists to prevent."""
    values = _clean_fields(experiment.workspace, spec)
    metrics = _clean_metrics(spec.metrics, primary=values["metric_name"])
    with transaction.atomic():
        locked = Experiment.objects.select_for_update(no_key=True).get(pk=experiment.pk)
        if locked.state == State.DECIDED:
            raise WrongState("a decided experiment cannot be edited")
        if locked.state != State.DRAFT:
            changed = [
                name
                for name in (*PLAN_FIELDS, "planned_per_variant", "sequential_n")
                if values[name] != getattr(locked, name)
            ]
            if changed:
                raise WrongState(
                    "the plan is fixed once the experiment runs (changed: "
                    f"{', '.join(c.replace('_', ' ') for c in changed)})",
                    field=changed[0],
                )
        for name, value in values.items():
            setattr(locked, name, value)
        locked.save(update_fields=list(values))
        if spec.variants not in (None, "", []):
            names = _variant_names(spec.variants)
            if locked.state == State.DRAFT:
                _replace_variants(locked, names)
            elif names != [v.name for v in locked.variants.all()]:
                current = ", ".join(v.name for v in locked.variants.all())
                raise WrongState(
                    f"the variants are fixed once the experiment runs (it has {current})",
                    field="variants",
                )
        if metrics is not None and metrics != _metric_specs(locked):
            if locked.state != State.DRAFT:
                raise WrongState(
                    "the secondary and guardrail metrics are fixed once the experiment runs",
                    field="metrics",
                )
            _replace_metrics(locked, metrics)
    return locked


def _replace_variants(experiment: Experiment, names: Sequence[str]) -> None:
    existing = list(experiment.variants.all())
    if [v.name for v in existing] == list(names):
        return
    if Observation.objects.filter(variant__experiment=experiment).exists():
        raise WrongState("variants with observations cannot be renamed", field="variants")
    experiment.variants.all().delete()
    Variant.objects.bulk_create(
        Variant(experiment=experiment, name=name, is_control=i == 0, position=i)
        for i, name in enumerate(names)
    )


def _transition(
    experiment: Experiment,
    to: str,
    allowed: tuple[str, ...],
    stamp: str,
    at: datetime | None = None,
) -> Experiment:
    when = at or timezone.now()
    with transaction.atomic():
        locked = Experiment.objects.select_for_update(no_key=True).get(pk=experiment.pk)
        if locked.state not in allowed:
            raise WrongState(
                f"a {locked.get_state_display().lower()} experiment cannot move to {to}"
            )
        locked.state = to
        setattr(locked, stamp, when)
        fields = ["state", stamp]
        if to == State.RUNNING and locked.start_date is None:
            locked.start_date = timezone.localdate(when)
            fields.append("start_date")
        locked.save(update_fields=fields)
        publish(locked.workspace_id, f"experiment.{to}", {"id": locked.pk})
    return locked


def start(experiment: Experiment, *, at: datetime | None = None) -> Experiment:
    return _transition(experiment, State.RUNNING, (State.DRAFT,), "running_at", at)


def to_analysis(experiment: Experiment, *, at: datetime | None = None) -> Experiment:
    return _transition(experiment, State.ANALYSING, (State.RUNNING,), "analysing_at", at)


def delete_experiment(experiment: Experiment) -> None:
    with transaction.atomic():
        locked = Experiment.objects.select_for_update(no_key=True).get(pk=experiment.pk)
        if locked.state == State.DECIDED:
            raise WrongState("a decided experiment is part of the record and cannot be deleted")
        locked.delete()


# ---- observations ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ObservationIn:
    variant: str
    date: Any
    trials: Any  # n for a continuous metric
    successes: Any = None
    mean: Any = None
    sd: Any = None


def _clean_observation(
    experiment: Experiment,
    variants: dict[str, Variant],
    row: ObservationIn,
    *,
    metric_type: str | None = None,
) -> dict[str, Any]:
    variant = variants.get(str(row.variant).strip().lower())
    if variant is None:
        raise InvalidExperimentInput(
            f"unknown variant {row.variant!r}; this experiment has "
            f"{', '.join(v.name for v in variants.values())}",
            field="variant",
        )
    day = _date(row.date, "date")
    if day is None:
        raise InvalidExperimentInput("the date is missing", field="date")
    if day > timezone.localdate():
        raise InvalidExperimentInput(f"{day} is in the future", field="date")
    values: dict[str, Any] = {"variant": variant, "date": day}
    if str(row.trials).strip() == "0":
        raise InvalidExperimentInput(
            f"{variant.name}: zero trials, there is nothing to record yet "
            "(enter figures once the variant has had traffic)",
            field="trials",
        )
    if (metric_type or experiment.metric_type) == MetricType.CONVERSION:
        trials = _count(row.trials, "trials", "number of trials")
        successes = _count(row.successes, "successes", "number of successes")
        if successes is not None and trials is not None and successes > trials:
            raise InvalidExperimentInput(
                f"{successes} successes out of {trials} trials is impossible: successes cannot "
                "exceed trials",
                field="successes",
            )
        values.update(trials=trials, successes=successes, mean=None, sd=None)
    else:
        n = _count(row.trials, "trials", "number of observations (n)")
        mean = _number(row.mean, "mean", "mean")
        sd = _number(row.sd, "sd", "standard deviation")
        if mean is None or sd is None:
            raise InvalidExperimentInput(
                "a continuous metric needs n, the mean and the standard deviation",
                field="mean" if mean is None else "sd",
            )
        if sd < 0:
            raise InvalidExperimentInput("the standard deviation cannot be negative", field="sd")
        values.update(trials=n, successes=None, mean=mean, sd=sd)
    return values


def _check_cumulative(
    rows: list[dict[str, Any]], existing: Sequence[Observation | MetricObservation]
) -> None:
    """Counts are cumulative: a later date cannot have fewer trials or successes."""
    merged: dict[tuple[int, date], tuple[int, int]] = {
        (o.variant_id, o.date): (o.trials, o.successes or 0) for o in existing
    }
    for row in rows:
        merged[(row["variant"].pk, row["date"])] = (row["trials"], row["successes"] or 0)
    by_variant: dict[int, list[tuple[date, int, int]]] = {}
    for (variant_id, day), (trials, successes) in merged.items():
        by_variant.setdefault(variant_id, []).append((day, trials, successes))
    for row in rows:
        series = sorted(by_variant[row["variant"].pk])
        for (d1, t1, s1), (d2, t2, s2) in itertools.pairwise(series):
            if t2 < t1 or s2 < s1:
                raise InvalidExperimentInput(
                    f"counts are cumulative: {row['variant'].name} has {t2:,} trials / {s2:,} "
                    f"successes on {d2} but {t1:,} / {s1:,} on {d1}",
                    field="trials",
                )


def _writable(experiment: Experiment) -> Experiment:
    locked = Experiment.objects.select_for_update(no_key=True).get(pk=experiment.pk)
    if locked.state == State.DECIDED:
        raise WrongState("the experiment is decided; its evidence can no longer change")
    return locked


def _fed(experiment: Experiment) -> bool:
    return Observation.objects.filter(variant__experiment=experiment, source=FEED_SOURCE).exists()


_OBSERVATION_FIELDS = ["trials", "successes", "mean", "sd", "source", "recorded_at", "recorded_by"]


def record_observations(
    experiment: Experiment,
    rows: Sequence[ObservationIn],
    *,
    actor: User | None,
    source: str = "form",
    progress: Callable[[int, int], None] | None = None,
    at: datetime | None = None,
) -> int:
    """Upsert cumulative figures (one row per variant and date); all or nothing."""
    if not rows:
        raise InvalidExperimentInput("no observations given", field="rows")
    with transaction.atomic():
        locked = _writable(experiment)
        if source != FEED_SOURCE and _fed(locked):
            raise InvalidExperimentInput(
                "this experiment reads its counts from the marketing data; figures entered "
                "here as well would count the same traffic twice: read the data again instead",
                field="rows",
            )
        variants = {v.name.lower(): v for v in locked.variants.all()}
        cleaned: list[dict[str, Any]] = []
        for index, row in enumerate(rows):
            try:
                cleaned.append(_clean_observation(locked, variants, row))
            except InvalidExperimentInput as error:
                if len(rows) == 1 and source != "csv":
                    raise
                raise InvalidExperimentInput(
                    f"row {index + 1}: {error.message}", field=error.field
                ) from None
        existing = list(Observation.objects.filter(variant__experiment=locked))
        _check_cumulative(cleaned, existing)
        now = at or timezone.now()
        first_day = min(v["date"] for v in cleaned)
        # One statement per 1,000 rows, not one (or two) per row: 20,000 rows took 48 s.
        stored = {(o.variant_id, o.date): o for o in existing}
        new: dict[tuple[int, date], Observation] = {}
        changed: dict[int, Observation] = {}
        for values in cleaned:
            variant, day = values.pop("variant"), values.pop("date")
            fields = {**values, "source": source, "recorded_at": now, "recorded_by": actor}
            found = stored.get((variant.pk, day))
            if found is None:
                new[(variant.pk, day)] = Observation(variant=variant, date=day, **fields)
            else:
                for name, value in fields.items():
                    setattr(found, name, value)
                changed[found.pk] = found
        batches = [list(changed.values())[i : i + 1000] for i in range(0, len(changed), 1000)]
        batches += [list(new.values())[i : i + 1000] for i in range(0, len(new), 1000)]
        done = 0
        for batch in batches:
            if batch[0].pk is None:
                Observation.objects.bulk_create(batch)
            else:
                Observation.objects.bulk_update(batch, _OBSERVATION_FIELDS)
            done += len(batch)
            if progress:
                progress(done * len(cleaned) // (len(new) + len(changed)), len(cleaned))
        if locked.state == State.DRAFT:  # data arriving means the test is running
            locked.state, locked.running_at = State.RUNNING, now
            locked.start_date = locked.start_date or first_day
            locked.save(update_fields=["state", "running_at", "start_date"])
    return len(cleaned)


_METRIC_FIELDS = ["trials", "successes", "mean", "sd", "source", "recorded_at", "recorded_by"]


def metric_of(experiment: Experiment, name: Any) -> ExperimentMetric:
    """The experiment's secondary or guardrail metric by name (any case) or id."""
    text = str(name or "").strip()
    for metric in experiment.metrics.all():
        if metric.name.lower() == text.lower() or str(metric.pk) == text:
            return metric
    known = ", ".join(m.name for m in experiment.metrics.all()) or "none"
    raise InvalidExperimentInput(
        f"unknown metric {text!r}; this experiment's secondary and guardrail metrics: {known}",
        field="metric",
    )


def record_metric_observations(
    metric: ExperimentMetric,
    rows: Sequence[ObservationIn],
    *,
    actor: User | None,
    source: str = "form",
    at: datetime | None = None,
) -> int:
    """Upsert cumulative figures of a secondary or guardrail metric (one row per variant and
    date), as ``record_observations`` does for the primary metric; all or nothing."""
    if not rows:
        raise InvalidExperimentInput("no observations given", field="rows")
    with transaction.atomic():
        locked = _writable(metric.experiment)
        variants = {v.name.lower(): v for v in locked.variants.all()}
        cleaned = []
        for index, row in enumerate(rows):
            try:
                cleaned.append(
                    _clean_observation(locked, variants, row, metric_type=metric.metric_type)
                )
            except InvalidExperimentInput as error:
                if len(rows) == 1:
                    raise
                raise InvalidExperimentInput(
                    f"row {index + 1}: {error.message}", field=error.field
                ) from None
        existing = list(MetricObservation.objects.filter(metric=metric))
        _check_cumulative(cleaned, existing)  # the same fields as Observation
        now = at or timezone.now()
        first_day = min(v["date"] for v in cleaned)
        stored = {(o.variant_id, o.date): o for o in existing}
        new, changed = {}, {}
        for values in cleaned:
            variant, day = values.pop("variant"), values.pop("date")
            fields = {**values, "source": source, "recorded_at": now, "recorded_by": actor}
            found = stored.get((variant.pk, day))
            if found is None:
                new[(variant.pk, day)] = MetricObservation(
                    metric=metric, variant=variant, date=day, **fields
                )
            else:
                for name, value in fields.items():
                    setattr(found, name, value)
                changed[found.pk] = found
        MetricObservation.objects.bulk_create(new.values(), batch_size=1000)
        MetricObservation.objects.bulk_update(changed.values(), _METRIC_FIELDS, batch_size=1000)
        if locked.state == State.DRAFT:  # data arriving means the test is running
            locked.state, locked.running_at = State.RUNNING, now
            locked.start_date = locked.start_date or first_day
            locked.save(update_fields=["state", "running_at", "start_date"])
    return len(cleaned)


CSV_HELP = (
    "CSV columns: date,variant,trials,successes (conversion) or date,variant,n,mean,sd "
    "(continuous); cumulative figures, one row per variant and date"
)


def import_observations(
    experiment: Experiment,
    text: str,
    *,
    actor: User | None,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Parse a CSV and record it; errors name the line, and nothing is saved on any error."""
    fieldnames, reader = csvrows.dict_records(text)
    headers = {h.strip().lower() for h in fieldnames}
    continuous = experiment.metric_type == MetricType.CONTINUOUS
    needed = {"date", "variant", "mean", "sd"} if continuous else {"date", "variant", "trials"}
    needed |= set() if continuous else {"successes"}
    if continuous and not headers & {"n", "trials"}:
        needed.add("n")
    missing = needed - headers
    if missing:
        raise InvalidExperimentInput(
            f"line 1: missing column(s) {', '.join(sorted(missing))}. {CSV_HELP}", field="file"
        )
    rows: list[ObservationIn] = []
    lines: list[int] = []  # the line each row starts on (a quoted value may span lines)
    try:
        for line, raw in reader:
            _observation_row(line, raw, rows, lines)
    except csvrows.CsvMalformed as error:
        raise InvalidExperimentInput(error.message, field="file") from None
    if not rows:
        raise InvalidExperimentInput(f"the file has no rows. {CSV_HELP}", field="file")
    try:
        return record_observations(experiment, rows, actor=actor, source="csv", progress=progress)
    except InvalidExperimentInput as error:
        # "row N" counts data rows; a person reads line numbers (the header is line 1)
        message = error.message
        if message.startswith("row "):
            number, _, rest = message[4:].partition(":")
            message = f"line {lines[int(number) - 1]}:{rest}"
        raise InvalidExperimentInput(message, field="file") from None


def _observation_row(
    line: int, raw: dict[Any, Any], rows: list[ObservationIn], lines: list[int]
) -> None:
    """One CSV row of observations, added to ``rows`` with its line."""
    if None in raw:
        raise InvalidExperimentInput(
            f"line {line}: more values than columns ({len(raw) - 1 + len(raw[None])} for "
            f"{len(raw) - 1}); a value with a comma must be quoted",
            field="file",
        )
    record = {k.strip().lower(): (v or "").strip() for k, v in raw.items()}
    if not any(record.values()):
        return
    lines.append(line)
    rows.append(
        ObservationIn(
            variant=record.get("variant", ""),
            date=record.get("date", ""),
            trials=record.get("trials") or record.get("n", ""),
            successes=record.get("successes"),
            mean=record.get("mean"),
            sd=record.get("sd"),
        )
    )
    if len(rows) > IMPORT_MAX_ROWS:
        raise InvalidExperimentInput(
            f"line {line}: at most {IMPORT_MAX_ROWS:,} rows per import", field="file"
        )


# ---- the decision -----------------------------------------------------------------------------


def _evidence_summary(verdict: bml.Verdict) -> str:
    """The learning's evidence: the page's plain-language verdict at the time of the decision."""
    return plain.finding(verdict)


def decide(
    experiment: Experiment,
    *,
    decision: object,
    pivot_type: object = "",
    note: object = "",
    override_reason: object = "",
    statement: object = "",
    actor: User | None,
    at: datetime | None = None,
    flag_backlog: bool = True,
) -> Experiment:
    """Record persevere / pivot / stop. The gate refuses it when the evidence is not in or says
    otherwise, unless ``override_reason`` says why; the decision is then marked against the
    evidence for good. Writes the learning and tells the backlog."""
    decision = _choice(decision, Decision, "decision")
    pivot_type = _choice(pivot_type, PivotType, "pivot_type", required=decision == Decision.PIVOT)
    if decision != Decision.PIVOT and pivot_type:
        raise InvalidExperimentInput("a pivot type goes only with a pivot", field="pivot_type")
    note = _text(note, "note", required=False, limit=REASON_MAX)
    reason = _text(override_reason, "override_reason", required=False, limit=REASON_MAX)
    statement = _text(statement, "statement", required=False, limit=REASON_MAX)
    with transaction.atomic():
        locked = Experiment.objects.select_for_update(no_key=True).get(pk=experiment.pk)
        if locked.state == State.DECIDED:
            raise WrongState("this experiment is already decided")
        if locked.state == State.DRAFT:
            raise WrongState("a draft experiment has no evidence yet: start it first")
        verdict = queries.verdict(locked)
        issues = bml.gate(verdict, decision)
        if issues and not reason:
            raise DecisionRefused(
                " ".join(i.message for i in issues)
                + " To decide anyway, give a written override reason; it stays on the record.",
                field="override_reason",
                issues=[i.code for i in issues],
            )
        when = at or timezone.now()
        locked.state = State.DECIDED
        locked.decided_at = when
        locked.decision = decision
        locked.pivot_type = pivot_type
        locked.decision_note = note
        locked.against_evidence = bool(issues)
        locked.override_reason = reason if issues else ""
        locked.decided_by = actor
        locked.evidence = queries.verdict_json(verdict) | {"gate": [i.__dict__ for i in issues]}
        if locked.analysing_at is None:
            locked.analysing_at = when
        locked.save(
            update_fields=[
                "state",
                "decided_at",
                "decision",
                "pivot_type",
                "decision_note",
                "against_evidence",
                "override_reason",
                "decided_by",
                "evidence",
                "analysing_at",
            ]
        )
        Learning.objects.create(
            workspace_id=locked.workspace_id,
            experiment=locked,
            statement=statement or _default_statement(locked, verdict),
            evidence=_evidence_summary(verdict),
            decision=decision,
            pivot_type=pivot_type,
            against_evidence=locked.against_evidence,
            override_reason=locked.override_reason,
            stage=locked.stage,
            channel=locked.channel,
            created_at=when,
        )
        publish(
            locked.workspace_id,
            "experiment.decided",
            {
                "id": locked.pk,
                "title": locked.title,
                "decision": decision,
                "pivot_type": pivot_type,
                "against_evidence": locked.against_evidence,
                "stage": locked.stage,
                "channel": locked.channel,
            },
        )
        if flag_backlog:
            _flag_backlog(locked)
    return locked


def _default_statement(experiment: Experiment, verdict: bml.Verdict) -> str:
    held = {
        bml.TREATMENT_BETTER: "held",
        bml.CONTROL_BETTER: "was refuted (the treatment did worse)",
        bml.NO_DIFFERENCE: "was not supported (no difference found)",
    }.get(verdict.outcome, "was not tested to the planned sample")
    return (
        f"{experiment.change[:1].upper()}{experiment.change[1:]} for {experiment.audience}: the "
        f"hypothesis that it will {experiment.outcome} {held}."
    )


def _flag_backlog(experiment: Experiment) -> int:
    """Mark the backlog's open ideas of this stage and channel "evidence changed — re-score"."""
    if not experiment.stage:  # the backlog matches on the stage; without one nothing relates
        return 0
    source = f"experiment {experiment.pk} “{experiment.title}” decided: {experiment.decision}"
    return backlog_services.flag_evidence_changed(
        workspace=experiment.workspace,
        stage=experiment.stage,
        channel=experiment.channel,
        source=source[:200],
    )
