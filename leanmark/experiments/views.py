from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from leanmark.accounts.models import Membership, Role
from leanmark.backlog import queries as backlog_queries
from leanmark.board import queries as board_queries
from leanmark.domain import stats
from leanmark.domain.hourglass import STAGE_CHOICES
from leanmark.lib import formats
from leanmark.lib.access import workspace_view
from leanmark.lib.errors import LeanmarkError
from leanmark.lib.htmx import render_page
from leanmark.lib.paging import paged

from . import charts, plain, queries, services
from .errors import InvalidExperimentInput
from .models import (
    Correction,
    Decision,
    Direction,
    Experiment,
    MetricRole,
    MetricType,
    PivotType,
    SequentialMethod,
    State,
)

UPLOAD_MAX = 2 * 1024 * 1024


def _can_write(request: HttpRequest) -> bool:
    return request.membership.allows(Role.MEMBER)


def _people(request: HttpRequest) -> list[Any]:
    rows = Membership.objects.filter(workspace=request.workspace).select_related("user")
    return [m.user for m in rows.exclude(role=Role.VIEWER)]


METRIC_ROWS = 3  # secondary and guardrail metrics on the form
METRIC_INPUTS = ("name", "role", "metric_type", "direction", "tolerance")


def _form_metrics(data: Any) -> list[dict[str, Any]] | None:
    """The form's metric rows with a name; None when the form has no metric rows at all."""
    if not any(f"m{i}_name" in data for i in range(METRIC_ROWS)):
        return None
    rows = []
    for i in range(METRIC_ROWS):
        row = {f: data.get(f"m{i}_{f}", "") for f in METRIC_INPUTS}
        if str(row["name"]).strip():
            rows.append(row)
    return rows


def _spec(data: QueryDict) -> services.ExperimentSpec:
    names = [n for n in data.get("variants", "").replace("\n", ",").split(",") if n.strip()]
    return services.ExperimentSpec(
        title=data.get("title", ""),
        change=data.get("change", ""),
        audience=data.get("audience", ""),
        outcome=data.get("outcome", ""),
        metric_name=data.get("metric_name", ""),
        metric_baseline=data.get("metric_baseline", ""),
        metric_target=data.get("metric_target", ""),
        target_date=data.get("target_date", ""),
        stage=data.get("stage", ""),
        channel=data.get("channel", ""),
        metric_type=data.get("metric_type", MetricType.CONVERSION),
        owner_id=data.get("owner_id", ""),
        card_number=data.get("card_number", ""),
        idea_id=data.get("idea_id", ""),
        start_date=data.get("start_date", ""),
        planned_end=data.get("planned_end", ""),
        plan_baseline=data.get("plan_baseline", ""),
        plan_sd=data.get("plan_sd", ""),
        plan_mde=data.get("plan_mde", ""),
        alpha=data.get("alpha", ""),
        power=data.get("power", ""),
        sequential=data.get("sequential", ""),
        sequential_method=data.get("sequential_method"),
        msprt_tau=data.get("msprt_tau", ""),
        correction=data.get("correction", ""),
        variants=names or None,
        metrics=_form_metrics(data),
    )


def _form_context(request: HttpRequest, **extra: Any) -> dict[str, Any]:
    return {
        "stages": STAGE_CHOICES,
        "metric_types": MetricType.choices,
        "sequential_methods": SequentialMethod.choices,
        "corrections": Correction.choices,
        "metric_roles": MetricRole.choices,
        "directions": Direction.choices,
        "metric_rows": [
            (i + 1, {f: f"m{i}_{f}" for f in METRIC_INPUTS}) for i in range(METRIC_ROWS)
        ],
        "people": _people(request),
        **extra,
    }


def _initial_from(request: HttpRequest) -> dict[str, Any]:
    """``?card=N`` or ``?idea=ID`` prefill the form from the card (or idea) it tests."""
    initial: dict[str, Any] = {"alpha": "0.05", "power": "0.8", "variants": "Control, Treatment"}
    number = request.GET.get("card", "")
    if number.isascii() and number.isdigit() and len(number) < 10:
        card = board_queries.card_numbered(request.workspace, int(number))
        if card is not None:
            initial.update(
                card_number=card.number, title=card.title, stage=card.stage, channel=card.channel
            )
    idea = request.GET.get("idea", "")
    if idea.isascii() and idea.isdigit() and len(idea) < 10:
        initial.update(_idea_initial(request, int(idea)))
    return initial


def _idea_initial(request: HttpRequest, idea_id: int) -> dict[str, Any]:
    try:
        idea = backlog_queries.idea_for(request.workspace, idea_id)
    except Http404:
        return {}
    values: dict[str, Any] = {
        "idea_id": idea.pk,
        "title": idea.title,
        "stage": idea.stage,
        "channel": idea.channel,
    }
    if idea.card is not None:
        values["card_number"] = idea.card.number
    return values


@require_GET
@workspace_view()
def index(request: HttpRequest) -> HttpResponse:
    filters = queries.Filters.from_query(request.GET)
    paging = paged(request, queries.experiments_of(request.workspace, filters), noun="experiment")
    today = timezone.localdate()
    velocity = queries.learning_velocity(request.workspace, months=6, today=today)
    cycle = queries.bml_cycle_times(request.workspace)
    return render_page(
        request,
        "experiments/index.html",
        {
            "experiments": paging.rows,
            "paging": paging,
            "filters": filters,
            "counts": queries.state_counts(request.workspace),
            "states": State.choices,
            "stages": STAGE_CHOICES,
            "channels": queries.channels_of(request.workspace),
            "velocity": velocity,
            "velocity_chart": charts.velocity(velocity),
            "cycle_median": _median(cycle),
            "cycle_count": len(cycle),
            "created_median": _median(
                queries.bml_cycle_times(request.workspace, from_created=True)
            ),
            "can_write": _can_write(request),
        },
        fragment="list",
    )


def _median(values: list[float]) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


@require_http_methods(["GET", "POST"])
@workspace_view(read=Role.MEMBER)
def create(request: HttpRequest) -> HttpResponse:
    error = None
    form: Any = _initial_from(request)
    if request.method == "POST":
        form = request.POST
        try:
            experiment = services.create_experiment(
                request.workspace, _spec(request.POST), actor=request.user
            )
        except LeanmarkError as exc:
            error = exc
        else:
            messages.success(request, f"Experiment “{experiment.title}” created as a draft.")
            return redirect("experiment", ws=request.workspace.slug, experiment_id=experiment.pk)
    return render_page(
        request,
        "experiments/form.html",
        _form_context(request, form=form, error=error, editing=None),
        status=error.status if error else 200,
    )


@require_http_methods(["GET", "POST"])
@workspace_view(read=Role.MEMBER)
def edit(request: HttpRequest, experiment_id: int) -> HttpResponse:
    experiment = queries.experiment_for(request.workspace, experiment_id)
    error = None
    if request.method == "POST":
        form: Any = request.POST.copy()
        if experiment.state != State.DRAFT:  # the plan's inputs are disabled: keep the plan
            fixed = _as_form(experiment)
            for name in (*services.PLAN_FIELDS, "variants"):
                form[name] = fixed[name]
            for name in (f"m{i}_{f}" for i in range(METRIC_ROWS) for f in METRIC_INPUTS):
                form[name] = fixed.get(name, "")
        try:
            services.update_experiment(experiment, _spec(form))
        except LeanmarkError as exc:
            error = exc
        else:
            messages.success(request, "Experiment saved.")
            return redirect("experiment", ws=request.workspace.slug, experiment_id=experiment.pk)
    else:
        form = _as_form(experiment)
    return render_page(
        request,
        "experiments/form.html",
        _form_context(request, form=form, error=error, editing=experiment),
        status=error.status if error else 200,
    )


def _as_form(experiment: Experiment) -> dict[str, Any]:
    def num(value: float | None) -> str:
        return "" if value is None else f"{value:g}"

    return {
        "title": experiment.title,
        "change": experiment.change,
        "audience": experiment.audience,
        "outcome": experiment.outcome,
        "metric_name": experiment.metric_name,
        "metric_baseline": num(experiment.metric_baseline),
        "metric_target": num(experiment.metric_target),
        "target_date": experiment.target_date.isoformat() if experiment.target_date else "",
        "stage": experiment.stage,
        "channel": experiment.channel,
        "metric_type": experiment.metric_type,
        "owner_id": str(experiment.owner_id or ""),
        "card_number": experiment.card.number if experiment.card else "",
        "idea_id": experiment.idea_id or "",
        "start_date": experiment.start_date.isoformat() if experiment.start_date else "",
        "planned_end": experiment.planned_end.isoformat() if experiment.planned_end else "",
        "plan_baseline": num(experiment.plan_baseline),
        "plan_sd": num(experiment.plan_sd),
        "plan_mde": num(experiment.plan_mde),
        "alpha": num(experiment.alpha),
        "power": num(experiment.power),
        "sequential": "on" if experiment.sequential else "",
        "sequential_method": experiment.sequential_method,
        "msprt_tau": num(experiment.msprt_tau),
        "correction": experiment.correction,
        "variants": ", ".join(v.name for v in experiment.variants.all()),
        **{
            f"m{i}_{f}": (num(m.tolerance) if f == "tolerance" else getattr(m, f))
            for i, m in enumerate(experiment.metrics.all())
            for f in METRIC_INPUTS
        },
    }


def _detail_context(request: HttpRequest, experiment: Experiment, **extra: Any) -> dict[str, Any]:
    verdict = queries.verdict(experiment)
    variants = queries.variants_of(experiment)
    observations = queries.observations_of(experiment)
    plan = None
    if (
        experiment.metric_type == MetricType.CONVERSION
        and experiment.plan_baseline
        and experiment.plan_mde
    ):
        plan = stats.sample_size(
            experiment.plan_baseline,
            experiment.plan_mde,
            alpha=experiment.alpha,
            power=experiment.power,
        )
    always = None
    if experiment.sequential_method == SequentialMethod.MSPRT and experiment.plan_mde:
        always = (
            stats.msprt_plan_proportions(
                experiment.plan_baseline,
                experiment.plan_mde,
                tau=experiment.msprt_tau,
                alpha=experiment.alpha,
                power=experiment.power,
            )
            if experiment.metric_type == MetricType.CONVERSION and experiment.plan_baseline
            else stats.msprt_plan_means(
                experiment.plan_sd or 0.0,
                experiment.plan_mde,
                tau=experiment.msprt_tau,
                alpha=experiment.alpha,
                power=experiment.power,
            )
        )
    today = timezone.localdate()
    schedule = queries.schedule(
        experiment, verdict, today=today, observed=[o.date for o in observations]
    )
    context = {
        "experiment": experiment,
        "verdict": verdict,
        "plain": plain.reading(
            verdict,
            schedule,
            decided=experiment.state == State.DECIDED,
            draft=experiment.state == State.DRAFT,
            tau=queries.msprt_tau(experiment),
        ),
        "variants": variants,
        "observations": observations,
        "plan": plan,
        "msprt_plan": always,
        "result_chart": charts.rates_over_time(experiment, queries.series(experiment)),
        "gate": {d: queries.gate_issues(verdict, d) for d in Decision.values},
        "decisions": Decision.choices,
        "pivot_types": PivotType.choices,
        "learning": getattr(experiment, "learning", None)
        if experiment.state == State.DECIDED
        else None,
        "can_write": _can_write(request),
        "today": today.isoformat(),
        "csv_help": services.CSV_HELP,
        "posted": QueryDict(),
        **extra,
    }
    posted = context["posted"]
    refused = context.get("metric_posted") or QueryDict()  # a refused metric form's figures

    def typed(metric: Any, variant: Any) -> dict[str, str]:
        if metric.pk != context.get("metric_failed"):
            return {}
        return {
            f: refused.get(f"v{variant.pk}_{f}", "") for f in ("trials", "successes", "mean", "sd")
        }

    context["metric_inputs"] = [
        (m, [(v, typed(m, v)) for v in variants]) for m in queries.metrics_of(experiment)
    ]
    context["metric_date"] = refused.get("date") or today.isoformat()
    context["metric_observations"] = queries.metric_observations_of(experiment)
    context["variant_inputs"] = [
        (v, {f: posted.get(f"v{v.pk}_{f}", "") for f in ("trials", "successes", "mean", "sd")})
        for v in variants
    ]
    return context


@require_GET
@workspace_view()
def detail(request: HttpRequest, experiment_id: int) -> HttpResponse:
    experiment = queries.experiment_for(request.workspace, experiment_id)
    return render_page(request, "experiments/detail.html", _detail_context(request, experiment))


@require_POST
@workspace_view()
def observe(request: HttpRequest, experiment_id: int) -> HttpResponse:
    """One date, one row of figures per variant (the form on the result page)."""
    experiment = queries.experiment_for(request.workspace, experiment_id)
    data = request.POST
    rows = []
    for variant in queries.variants_of(experiment):
        key = f"v{variant.pk}"
        if not any(
            data.get(f"{key}_{f}", "").strip() for f in ("trials", "successes", "mean", "sd")
        ):
            continue
        rows.append(
            services.ObservationIn(
                variant=variant.name,
                date=data.get("date", ""),
                trials=data.get(f"{key}_trials", ""),
                successes=data.get(f"{key}_successes"),
                mean=data.get(f"{key}_mean"),
                sd=data.get(f"{key}_sd"),
            )
        )
    try:
        if not rows:
            raise InvalidExperimentInput(
                "enter the figures of at least one variant", field="trials"
            )
        services.record_observations(experiment, rows, actor=request.user, source="form")
    except LeanmarkError as error:
        context = _detail_context(request, experiment, observe_error=error, posted=data)
        return render_page(
            request, "experiments/detail.html", context, fragment="result", status=error.status
        )
    experiment.refresh_from_db()
    if request.htmx:
        context = _detail_context(request, experiment, observed=len(rows))
        return render_page(
            request, "experiments/detail.html", context, fragment="result", trigger="observed"
        )
    messages.success(request, f"{len(rows)} observation(s) saved.")
    return redirect("experiment", ws=request.workspace.slug, experiment_id=experiment.pk)


@require_POST
@workspace_view()
def observe_metric(request: HttpRequest, experiment_id: int, metric_id: int) -> HttpResponse:
    """One date, one row of figures per variant, of a secondary or guardrail metric."""
    experiment = queries.experiment_for(request.workspace, experiment_id)
    metric = next((m for m in queries.metrics_of(experiment) if m.pk == metric_id), None)
    if metric is None:
        raise Http404("no such metric")
    data = request.POST
    rows = [
        services.ObservationIn(
            variant=variant.name,
            date=data.get("date", ""),
            trials=data.get(f"v{variant.pk}_trials", ""),
            successes=data.get(f"v{variant.pk}_successes"),
            mean=data.get(f"v{variant.pk}_mean"),
            sd=data.get(f"v{variant.pk}_sd"),
        )
        for variant in queries.variants_of(experiment)
        if any(
            data.get(f"v{variant.pk}_{f}", "").strip()
            for f in ("trials", "successes", "mean", "sd")
        )
    ]
    try:
        if not rows:
            raise InvalidExperimentInput(
                "enter the figures of at least one variant", field="trials"
            )
        services.record_metric_observations(metric, rows, actor=request.user, source="form")
    except LeanmarkError as error:
        context = _detail_context(
            request, experiment, metric_error=error, metric_failed=metric.pk, metric_posted=data
        )
        return render_page(request, "experiments/detail.html", context, status=error.status)
    messages.success(request, f"{formats.count(len(rows), 'observation')} of {metric.name} saved.")
    return redirect("experiment", ws=request.workspace.slug, experiment_id=experiment.pk)


@require_POST
@workspace_view()
def import_csv(request: HttpRequest, experiment_id: int) -> HttpResponse:
    experiment = queries.experiment_for(request.workspace, experiment_id)
    upload = request.FILES.get("file")
    try:
        if upload is None:
            raise InvalidExperimentInput("choose a CSV file to import", field="file")
        if upload.size and upload.size > UPLOAD_MAX:
            raise InvalidExperimentInput("the file is larger than 2 MB", field="file")
        try:
            text = upload.read().decode("utf-8")
        except UnicodeDecodeError:
            raise InvalidExperimentInput("the file is not UTF-8 text", field="file") from None
        count = services.import_observations(experiment, text, actor=request.user)
    except LeanmarkError as error:
        messages.error(request, f"Nothing imported: {error.message}")
    else:
        messages.success(request, f"Imported {count} observation(s).")
    return redirect("experiment", ws=request.workspace.slug, experiment_id=experiment.pk)


@require_POST
@workspace_view()
def decide(request: HttpRequest, experiment_id: int) -> HttpResponse:
    experiment = queries.experiment_for(request.workspace, experiment_id)
    data = request.POST
    try:
        services.decide(
            experiment,
            decision=data.get("decision", ""),
            pivot_type=data.get("pivot_type", ""),
            note=data.get("note", ""),
            override_reason=data.get("override_reason", ""),
            statement=data.get("statement", ""),
            actor=request.user,
        )
    except LeanmarkError as error:
        context = _detail_context(request, experiment, decide_error=error, posted=data)
        return render_page(request, "experiments/detail.html", context, status=error.status)
    experiment.refresh_from_db()
    label = experiment.get_decision_display()
    if experiment.against_evidence:
        messages.warning(request, f"Decided: {label}, against the evidence (reason recorded).")
    else:
        messages.success(request, f"Decided: {label}. The learning is in the library.")
    return redirect("experiment", ws=request.workspace.slug, experiment_id=experiment.pk)


@require_POST
@workspace_view()
def action(request: HttpRequest, experiment_id: int, action: str) -> HttpResponse:
    experiment = queries.experiment_for(request.workspace, experiment_id)
    actions = {
        "start": lambda: services.start(experiment),
        "analyse": lambda: services.to_analysis(experiment),
        "delete": lambda: services.delete_experiment(experiment),
    }
    if action not in actions:
        raise Http404(f"no experiment action {action!r}")
    try:
        actions[action]()
    except LeanmarkError as error:
        messages.error(request, error.message)
    else:
        if action == "delete":
            messages.success(request, f"Experiment “{experiment.title}” deleted.")
            return redirect("experiments", ws=request.workspace.slug)
        messages.success(
            request, {"start": "Experiment running.", "analyse": "Experiment in analysis."}[action]
        )
    return redirect("experiment", ws=request.workspace.slug, experiment_id=experiment.pk)


@require_GET
@workspace_view()
def plan(request: HttpRequest) -> HttpResponse:
    """The plan calculator: the sample size for an effect, or the effect a traffic can detect."""
    data = request.GET
    result: dict[str, Any] = {}
    error = None
    if data.get("baseline") or data.get("mde") or data.get("traffic"):
        try:
            result = _plan_result(data)
        except LeanmarkError as exc:
            error = exc
    return render_page(
        request,
        "experiments/plan.html",
        {"form": data, "result": result, "error": error},
        fragment="result",
        status=error.status if error else 200,
    )


def _plan_result(data: QueryDict) -> dict[str, Any]:
    spec = services.ExperimentSpec(
        plan_baseline=data.get("baseline", ""),
        plan_mde=data.get("mde", "") or None,
        alpha=data.get("alpha", ""),
        power=data.get("power", ""),
    )
    traffic = data.get("traffic", "").strip()
    baseline = services._number(spec.plan_baseline, "baseline", "baseline rate")
    alpha = services._unit(spec.alpha, "alpha", "α", 0.05) or 0.05
    power = services._unit(spec.power, "power", "the power", 0.8) or 0.8
    if baseline is None:
        raise InvalidExperimentInput("the baseline rate is missing", field="baseline")
    try:
        if traffic:
            per_variant = services._count(traffic, "traffic", "traffic per variant") or 0
            return {"mde": stats.reachable_mde(baseline, per_variant, alpha=alpha, power=power)}
        plan = services.clean_plan(spec, MetricType.CONVERSION)
        if plan.plan_mde is None:
            raise InvalidExperimentInput("the minimum detectable effect is missing", field="mde")
        answer: dict[str, Any] = {
            "plan": stats.sample_size(baseline, plan.plan_mde, alpha=alpha, power=power)
        }
        if data.get("sequential"):
            answer["sequential"] = stats.sequential_plan(baseline, plan.plan_mde, power=power)
        return answer
    except stats.StatsInputError as error:
        raise InvalidExperimentInput(error.message, field=error.field) from None


@require_GET
@workspace_view()
def learnings(request: HttpRequest) -> HttpResponse:
    data = request.GET
    q = data.get("q", "")[:100]
    stage = data.get("stage", "")[:10]
    channel = data.get("channel", "")[:60]
    against = data.get("against") == "1"
    rows = list(
        queries.learnings_of(request.workspace, q=q, stage=stage, channel=channel, against=against)[
            :200
        ]
    )
    return render_page(
        request,
        "experiments/learnings.html",
        {
            "learnings": rows,
            "q": q,
            "stage": stage,
            "channel": channel,
            "against": against,
            "stages": STAGE_CHOICES,
            "channels": queries.learning_channels(request.workspace),
        },
        fragment="results",
    )
