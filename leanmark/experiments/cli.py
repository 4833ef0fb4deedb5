"""`leanmark experiment …` commands; leanmark/cli.py calls ``register(app)``.

Create (with the plan), edit, delete, set variants, start, end, observe, import, analyze and
decide: each is the service or query the API's endpoint calls."""

from pathlib import Path
from typing import Annotated, Any, get_args

import typer

from leanmark.lib.cli import (
    JsonOpt,
    fail,
    out,
    print_json,
    progress_bar,
    show,
    workspace_command,
)

experiment_app = typer.Typer(help="Build-Measure-Learn experiments.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    """Add this app's commands (sub-apps or commands) to the `leanmark` command."""
    app.add_typer(experiment_app, name="experiment")


MetricOpt = Annotated[
    list[str] | None,
    typer.Option(
        help="NAME[:conversion|continuous[:increase|decrease[:TOLERANCE]]]; repeat it. "
        "Increase/decrease: which way is good; a guardrail's tolerance: how much worse is fine."
    ),
]


def _metrics(secondary: list[str] | None, guardrail: list[str] | None) -> list[dict[str, Any]]:
    """--secondary / --guardrail values as the service's metric dicts."""
    answer = []
    for role, values in (("secondary", secondary or []), ("guardrail", guardrail or [])):
        for value in values:
            name, kind, direction, tolerance = [*value.split(":"), "", "", ""][:4]
            answer.append(
                {
                    "name": name,
                    "role": role,
                    "metric_type": kind or None,
                    "direction": direction or None,
                    "tolerance": tolerance or None,
                }
            )
    return answer


IdArg = Annotated[int, typer.Argument(help="Experiment id (see `leanmark experiment list`).")]


def _experiment(ws: Any, experiment_id: int) -> Any:
    from django.http import Http404

    from leanmark.experiments import queries

    try:
        return queries.experiment_for(ws, experiment_id)
    except Http404:
        fail(f"no experiment {experiment_id} in {ws.slug}")


def _out(experiment: Any) -> Any:
    """The experiment as the API answers it (read again: variants and card included)."""
    from leanmark.experiments import queries
    from leanmark.experiments.schemas import ExperimentOut

    return ExperimentOut.of(queries.experiment_for(experiment.workspace, experiment.pk))


def _analysis(experiment: Any) -> Any:
    """The verdict and what the gate says to each decision, as the API's /analysis answers."""
    from django.utils import timezone

    from leanmark.experiments import queries
    from leanmark.experiments.schemas import AnalysisOut, DecisionName

    verdict = queries.verdict(experiment)
    gate = []
    for decision in get_args(DecisionName):
        issues = queries.gate_issues(verdict, decision)
        gate.append(
            {"decision": decision, "allowed": not issues, "issues": [i.message for i in issues]}
        )
    words = queries.plain_json(experiment, verdict, today=timezone.localdate())
    return AnalysisOut(**queries.verdict_json(verdict), **words, gate=gate)


@experiment_app.command("plan")
def plan(
    baseline: Annotated[float, typer.Option(help="Baseline conversion rate p, 0 < p < 1.")],
    mde: Annotated[
        float | None, typer.Option(help="Minimum detectable effect δ, absolute (0.05 = 5 pp).")
    ] = None,
    alpha: Annotated[float, typer.Option(help="Significance level α, two-sided.")] = 0.05,
    power: Annotated[float, typer.Option(help="Power 1 − β.")] = 0.8,
    traffic: Annotated[
        int | None, typer.Option(help="Instead of --mde: the effect this many per variant detect.")
    ] = None,
    sequential: Annotated[
        bool, typer.Option("--sequential", help="Also the sequential rule's N (conversions).")
    ] = False,
    msprt: Annotated[
        bool, typer.Option("--msprt", help="Also the always-valid test's largest sample.")
    ] = False,
    tau: Annotated[
        float | None, typer.Option(help="With --msprt: mixing standard deviation τ (default δ).")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Sample size per variant (docs/product.md §6), or the effect a given traffic can detect."""
    from leanmark.domain import stats

    try:
        if traffic is not None:
            reach = stats.reachable_mde(baseline, traffic, alpha=alpha, power=power)
            if as_json:
                print_json(reach.__dict__)
            else:
                out.print(
                    f"{traffic:,} per variant detect δ = {reach.mde:.4f} "
                    f"({reach.mde * 100:.2f} pp) at baseline {baseline:g}"
                )
            return
        if mde is None:
            fail("give --mde (or --traffic for the effect a traffic can detect)")
        result = stats.sample_size(baseline, mde, alpha=alpha, power=power)
        sequential_n = stats.sequential_plan(baseline, mde, power=power) if sequential else None
        always = (
            stats.msprt_plan_proportions(baseline, mde, tau=tau, alpha=alpha, power=power)
            if msprt
            else None
        )
    except stats.StatsInputError as error:
        fail(error.message)
    if as_json:
        data = {
            "baseline": baseline,
            "mde": mde,
            "alpha": alpha,
            "power": power,
            "per_variant": result.per_variant,
            "exact": round(result.exact, 4),
        }
        if sequential_n is not None:
            data["sequential_n"] = sequential_n.planned
        if always is not None:
            data["msprt_per_variant"] = always.per_variant
            data["msprt_tau"] = always.tau
        print_json(data)
        return
    out.print(f"{result.per_variant:,} per variant ({result.exact:,.1f} before rounding up)")
    if sequential_n is not None:
        out.print(
            f"Sequential: N = {sequential_n.planned:,} conversions; stop for the treatment when "
            f"T − C ≥ {sequential_n.threshold:.1f}, with no winner when T + C ≥ N"
        )
    if always is not None:
        out.print(
            f"Always valid (mSPRT, τ = {always.tau:g}): at most {always.per_variant:,} per "
            "variant; look any time, stop when the always-valid p-value reaches α"
        )


@experiment_app.command("list")
@workspace_command
def list_experiments(
    state: Annotated[str, typer.Option(help="draft, running, analysing or decided.")] = "",
    ws: Any = None,
    as_json: JsonOpt = False,
) -> None:
    """Experiments of a workspace, newest first."""
    from leanmark.experiments import queries

    rows = list(queries.experiments_of(ws, queries.Filters(state=state))[:500])
    if as_json:
        print_json(
            [
                {
                    "id": e.pk,
                    "title": e.title,
                    "state": e.state,
                    "planned_per_variant": e.planned_per_variant,
                    "decision": e.decision,
                    "against_evidence": e.against_evidence,
                }
                for e in rows
            ]
        )
        return
    for e in rows:
        decision = f" → {e.decision}" if e.decision else ""
        out.print(f"{e.pk:>5}  {e.state:<9}  {e.title}{decision}")


@experiment_app.command("create")
@workspace_command
def create(
    title: Annotated[str, typer.Argument(help="A short name for the experiment.")],
    change: Annotated[str, typer.Option(help="We believe that [change] … (required).")] = "",
    audience: Annotated[str, typer.Option(help="… for [audience] … (required).")] = "",
    outcome: Annotated[str, typer.Option(help="… will [outcome] (required).")] = "",
    metric: Annotated[str, typer.Option(help="The metric that tells (required).")] = "",
    metric_type: Annotated[str, typer.Option(help="conversion or continuous.")] = "conversion",
    baseline: Annotated[
        float | None, typer.Option(help="Plan: baseline conversion rate, 0 < p < 1.")
    ] = None,
    sd: Annotated[
        float | None, typer.Option(help="Plan: standard deviation (continuous metric).")
    ] = None,
    mde: Annotated[
        float | None, typer.Option(help="Plan: minimum detectable effect, absolute.")
    ] = None,
    alpha: Annotated[float | None, typer.Option(help="Plan: α, two-sided (0.05).")] = None,
    power: Annotated[float | None, typer.Option(help="Plan: power 1 − β (0.8).")] = None,
    sequential: Annotated[
        bool, typer.Option("--sequential", help="Plan: use the sequential rule (conversions).")
    ] = False,
    msprt: Annotated[
        bool, typer.Option("--msprt", help="Plan: the always-valid test (look any time).")
    ] = False,
    tau: Annotated[
        float | None, typer.Option(help="Plan, with --msprt: mixing standard deviation τ (δ).")
    ] = None,
    correction: Annotated[
        str, typer.Option(help="With several treatments: holm or bh (Benjamini-Hochberg).")
    ] = "holm",
    secondary: MetricOpt = None,
    guardrail: MetricOpt = None,
    variant: Annotated[
        list[str] | None,
        typer.Option(help="A variant, control first; repeat it (default: Control, Treatment)."),
    ] = None,
    stage: Annotated[str, typer.Option(help="Hourglass stage (know … refer).")] = "",
    channel: Annotated[str, typer.Option(help="Marketing channel.")] = "",
    card: Annotated[int | None, typer.Option(help="The card it belongs to (number).")] = None,
    idea: Annotated[int | None, typer.Option(help="The idea it tests (id).")] = None,
    planned_end: Annotated[str, typer.Option(help="YYYY-MM-DD.")] = "",
    ws: Any = None,
    actor: Any = None,
    as_json: JsonOpt = False,
) -> None:
    """Create a draft experiment from its hypothesis and plan.

    The sample size per variant is computed from the plan: --baseline (or --sd) and --mde."""
    from leanmark.experiments import services

    spec = services.ExperimentSpec(
        title=title,
        change=change,
        audience=audience,
        outcome=outcome,
        metric_name=metric,
        metric_type=metric_type,
        plan_baseline=baseline,
        plan_sd=sd,
        plan_mde=mde,
        alpha=alpha,
        power=power,
        sequential=sequential,
        sequential_method="msprt" if msprt else None,
        msprt_tau=tau,
        correction=correction,
        metrics=_metrics(secondary, guardrail),
        variants=variant,
        stage=stage,
        channel=channel,
        card_number=card,
        idea_id=idea,
        planned_end=planned_end or None,
    )
    experiment = services.create_experiment(ws, spec, actor=actor)
    planned = experiment.planned_per_variant
    size = "no plan yet" if planned is None else f"{planned:,} per variant"
    show(
        _out(experiment),
        as_json=as_json,
        text=f"Experiment {experiment.pk} created as a draft ({size}): {experiment.title}",
    )


def _current_spec(experiment: Any) -> Any:
    """Every field of the experiment as it is, as the API's PATCH starts before the changes."""
    from dataclasses import fields

    from leanmark.experiments import services

    current = services.ExperimentSpec(
        **{
            f.name: getattr(experiment, f.name)
            for f in fields(services.ExperimentSpec)
            if hasattr(experiment, f.name) and f.name not in ("variants", "metrics")
        }
    )
    current.card_number = experiment.card.number if experiment.card else None
    current.owner_id = experiment.owner_id
    return current


@experiment_app.command("edit")
@workspace_command
def edit(
    experiment_id: IdArg,
    title: Annotated[str | None, typer.Option(help="New title.")] = None,
    change: Annotated[str | None, typer.Option(help="We believe that [change] …")] = None,
    audience: Annotated[str | None, typer.Option(help="… for [audience] …")] = None,
    outcome: Annotated[str | None, typer.Option(help="… will [outcome].")] = None,
    metric: Annotated[str | None, typer.Option(help="The metric that tells.")] = None,
    metric_type: Annotated[
        str | None, typer.Option(help="Draft: conversion or continuous.")
    ] = None,
    baseline: Annotated[float | None, typer.Option(help="Draft plan: baseline rate.")] = None,
    sd: Annotated[float | None, typer.Option(help="Draft plan: standard deviation.")] = None,
    mde: Annotated[
        float | None, typer.Option(help="Draft plan: minimum detectable effect.")
    ] = None,
    alpha: Annotated[float | None, typer.Option(help="Draft plan: α, two-sided.")] = None,
    power: Annotated[float | None, typer.Option(help="Draft plan: power 1 − β.")] = None,
    sequential: Annotated[
        bool | None,
        typer.Option("--sequential/--no-sequential", help="Draft plan: the sequential rule."),
    ] = None,
    sequential_method: Annotated[
        str | None, typer.Option(help="Draft plan: none, simple or msprt (always valid).")
    ] = None,
    tau: Annotated[float | None, typer.Option(help="Draft plan: the mSPRT's τ.")] = None,
    correction: Annotated[str | None, typer.Option(help="Draft plan: holm or bh.")] = None,
    secondary: MetricOpt = None,
    guardrail: MetricOpt = None,
    stage: Annotated[str | None, typer.Option(help="Hourglass stage ('' clears it).")] = None,
    channel: Annotated[str | None, typer.Option(help="Marketing channel ('' clears it).")] = None,
    card: Annotated[int | None, typer.Option(help="The card it belongs to (number).")] = None,
    idea: Annotated[int | None, typer.Option(help="The idea it tests (id).")] = None,
    start_date: Annotated[str | None, typer.Option(help="YYYY-MM-DD ('' clears it).")] = None,
    planned_end: Annotated[str | None, typer.Option(help="YYYY-MM-DD ('' clears it).")] = None,
    ws: Any = None,
    actor: Any = None,  # only checked: a member edits experiments
    as_json: JsonOpt = False,
) -> None:
    """Change an experiment, as PATCH /api/v1/experiments/{id}: what is not given is kept; the
    plan and metric type only while it is a draft, nothing once it is decided."""
    from leanmark.experiments import services

    experiment = _experiment(ws, experiment_id)
    given = {
        "title": title,
        "change": change,
        "audience": audience,
        "outcome": outcome,
        "metric_name": metric,
        "metric_type": metric_type,
        "plan_baseline": baseline,
        "plan_sd": sd,
        "plan_mde": mde,
        "alpha": alpha,
        "power": power,
        "sequential": sequential,
        "sequential_method": sequential_method,
        "msprt_tau": tau,
        "correction": correction,
        "stage": stage,
        "channel": channel,
        "card_number": card,
        "idea_id": idea,
        "start_date": start_date,
        "planned_end": planned_end,
    }
    if secondary is not None or guardrail is not None:  # the metrics given replace them all
        given["metrics"] = _metrics(secondary, guardrail)
    changes = {name: value for name, value in given.items() if value is not None}
    if not changes:
        fail("nothing to change: give at least one option (see --help)")
    current = services.patch_spec(_current_spec(experiment), changes)
    result = _out(services.update_experiment(experiment, current))
    show(result, as_json=as_json, text=f"Experiment {result.id} saved: {result.title}")


@experiment_app.command("delete")
@workspace_command
def delete(
    experiment_id: IdArg,
    ws: Any = None,
    actor: Any = None,  # only checked: a member deletes experiments
) -> None:
    """Delete an experiment and its observations, as DELETE /api/v1/experiments/{id}; a decided
    one is part of the record and is refused."""
    from leanmark.experiments import services

    experiment = _experiment(ws, experiment_id)
    services.delete_experiment(experiment)
    out.print(f"Experiment {experiment_id} deleted: {experiment.title}")


@experiment_app.command("variants")
@workspace_command
def variants(
    experiment_id: IdArg,
    names: Annotated[list[str], typer.Argument(help="The variants, control first.")],
    ws: Any = None,
    actor: Any = None,  # only checked: a member changes experiments
    as_json: JsonOpt = False,
) -> None:
    """Replace a draft's variants (the first is the control); fixed once it runs."""
    from leanmark.experiments import services

    experiment = _experiment(ws, experiment_id)
    current = _current_spec(experiment)
    current.variants = names
    result = _out(services.update_experiment(experiment, current))  # refused once it runs
    now = [v.name for v in result.variants]
    show(result, as_json=as_json, text=f"Experiment {result.id} variants: {', '.join(now)}.")


@experiment_app.command("start")
@workspace_command
def start(
    experiment_id: IdArg,
    ws: Any = None,
    actor: Any = None,  # only checked: a member starts experiments
    as_json: JsonOpt = False,
) -> None:
    """Start a draft: it is running, and its plan and variants are fixed from now on."""
    from leanmark.experiments import services

    result = _out(services.start(_experiment(ws, experiment_id)))
    show(
        result,
        as_json=as_json,
        text=f"Experiment {result.id} is running (since {result.start_date}).",
    )


@experiment_app.command("end")
@workspace_command
def end(
    experiment_id: IdArg,
    ws: Any = None,
    actor: Any = None,  # only checked: a member ends data collection
    as_json: JsonOpt = False,
) -> None:
    """Stop collecting data: running → analysing (then `experiment decide`)."""
    from leanmark.experiments import services

    result = _out(services.to_analysis(_experiment(ws, experiment_id)))
    show(
        result,
        as_json=as_json,
        text=f"Experiment {result.id} is analysing; decide it with `leanmark experiment decide`.",
    )


@experiment_app.command("analyze")
@workspace_command
def analyze(
    experiment_id: Annotated[int, typer.Argument(help="Experiment id.")],
    ws: Any = None,
    as_json: JsonOpt = False,
) -> None:
    """The result: z-test or Welch, exact P(B > A), expected loss, progress and the gate."""
    result = _analysis(_experiment(ws, experiment_id))
    if as_json:
        print_json(result.dict())
        return
    for line in (result.next_step, result.end_passed, result.finding):
        if line:
            out.print(line)
    for c in result.comparisons:
        extra = (
            f", P(beats control) {c.prob_beats_control:.3f}"
            if c.prob_beats_control is not None
            else ""
        )
        if c.fisher_p_value is not None:
            extra += f", small counts: Fisher's exact p {c.fisher_p_value:.3f} decides"
        if c.always_valid is not None:
            extra += (
                f", always-valid p {c.always_valid.p_value:.3f} decides "
                f"(mSPRT τ {c.always_valid.tau:g}, {c.always_valid.looks} looks)"
            )
        out.print(
            f"{c.treatment} vs {c.control}: difference {c.difference:+.4f} "
            f"[{c.ci_low:+.4f}, {c.ci_high:+.4f}], statistic {c.statistic:.3f}, "
            f"p {c.p_value:.3f} (adjusted {c.p_adjusted:.3f}){extra}"
        )
    if result.comparisons_made > 1:
        name = "Holm" if result.correction == "holm" else "Benjamini-Hochberg"
        out.print(f"{result.comparisons_made} comparisons: adjusted p-values by {name}")
    for m in result.metrics:
        for mc in m.comparisons:
            flag = " — guardrail broken" if mc.broken else ""
            out.print(
                f"{m.role} {m.name}: {mc.treatment} vs {mc.control} {mc.difference:+.4f} "
                f"[{mc.ci_low:+.4f}, {mc.ci_high:+.4f}], p {mc.p_value:.3f} "
                f"(adjusted {mc.p_adjusted:.3f}){flag}"
            )
        if m.missing:
            out.print(f"{m.role} {m.name}: no figures yet for {', '.join(m.missing)}")
    for g in result.gate:
        out.print(f"{g.decision}: {'allowed' if g.allowed else 'refused — ' + ' '.join(g.issues)}")


@experiment_app.command("observe")
@workspace_command
def observe(
    experiment_id: Annotated[int, typer.Argument(help="Experiment id.")],
    variant: Annotated[str, typer.Argument(help="Variant name.")],
    trials: Annotated[int, typer.Argument(help="Cumulative trials (n).")],
    successes: Annotated[int | None, typer.Argument(help="Cumulative successes.")] = None,
    date: Annotated[str, typer.Option(help="YYYY-MM-DD (default: today).")] = "",
    mean: Annotated[float | None, typer.Option(help="Mean (continuous metric).")] = None,
    sd: Annotated[float | None, typer.Option(help="Standard deviation (continuous).")] = None,
    metric: Annotated[
        str, typer.Option(help="A secondary or guardrail metric's name (default: the primary).")
    ] = "",
    ws: Any = None,
    actor: Any = None,
) -> None:
    """Record one variant's cumulative figures for a date (of the primary metric, or --metric)."""
    from django.utils import timezone

    from leanmark.experiments import services

    experiment = _experiment(ws, experiment_id)
    row = services.ObservationIn(
        variant, date or timezone.localdate(), trials, successes, mean=mean, sd=sd
    )
    if metric:
        found = services.metric_of(experiment, metric)
        services.record_metric_observations(found, [row], actor=actor, source="cli")
        out.print(f"Saved {variant} on {found.name} for experiment {experiment_id}.")
        return
    services.record_observations(experiment, [row], actor=actor, source="cli")
    out.print(f"Saved {variant} for experiment {experiment_id}.")


@experiment_app.command("import")
@workspace_command
def import_csv(
    experiment_id: Annotated[int, typer.Argument(help="Experiment id.")],
    path: Annotated[Path, typer.Argument(help="CSV: date,variant,trials,successes.")],
    ws: Any = None,
    actor: Any = None,
) -> None:
    """Import cumulative counts from a CSV (all or nothing, errors name the line)."""
    from leanmark.experiments import services
    from leanmark.lib.errors import LeanmarkError

    experiment = _experiment(ws, experiment_id)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        fail(f"cannot read {path}: {error}")
    try:
        with progress_bar("Importing") as report:
            count = services.import_observations(experiment, text, actor=actor, progress=report)
    except LeanmarkError as error:
        fail(f"nothing imported: {error.message}")
    out.print(f"Imported {count} observation(s).")


@experiment_app.command("decide")
@workspace_command
def decide(
    experiment_id: Annotated[int, typer.Argument(help="Experiment id.")],
    decision: Annotated[str, typer.Argument(help="persevere, pivot or stop.")],
    pivot_type: Annotated[
        str, typer.Option(help="For a pivot: zoom_in, zoom_out, customer_segment, … technology.")
    ] = "",
    override_reason: Annotated[
        str, typer.Option(help="Decide before or against the evidence; kept on the record.")
    ] = "",
    note: Annotated[str, typer.Option(help="A note on the decision.")] = "",
    statement: Annotated[str, typer.Option(help="The learning's statement.")] = "",
    ws: Any = None,
    actor: Any = None,
    as_json: JsonOpt = False,
) -> None:
    """Record persevere / pivot / stop; exit code 2 when the gate refuses it."""
    from leanmark.experiments import services
    from leanmark.lib.errors import LeanmarkError

    experiment = _experiment(ws, experiment_id)
    try:
        decided = services.decide(
            experiment,
            decision=decision,
            pivot_type=pivot_type,
            override_reason=override_reason,
            note=note,
            statement=statement,
            actor=actor,
        )
    except LeanmarkError as error:  # any conflict, the gate's refusal included, exits 2
        fail(error.message, 2 if error.status == 409 else 1)
    if as_json:
        print_json(
            {
                "id": decided.pk,
                "decision": decided.decision,
                "pivot_type": decided.pivot_type,
                "against_evidence": decided.against_evidence,
            }
        )
        return
    against = " against the evidence (reason recorded)" if decided.against_evidence else ""
    out.print(f"Experiment {decided.pk} decided: {decided.decision}{against}.")
