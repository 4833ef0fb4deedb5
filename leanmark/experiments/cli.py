"""`leanmark experiment …` commands; leanmark/cli.py calls ``register(app)``."""

from pathlib import Path
from typing import Annotated, Any

import typer

from leanmark.lib.cli import (
    AsOpt,
    JsonOpt,
    WorkspaceOpt,
    actor_for,
    fail,
    out,
    print_json,
    progress_bar,
    setup_django,
    workspace_for,
)

experiment_app = typer.Typer(help="Build-Measure-Learn experiments.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    """Add this app's commands (sub-apps or commands) to the `leanmark` command."""
    app.add_typer(experiment_app, name="experiment")


def _experiment(ws: Any, experiment_id: int) -> Any:
    from django.http import Http404

    from leanmark.experiments import queries

    try:
        return queries.experiment_for(ws, experiment_id)
    except Http404:
        fail(f"no experiment {experiment_id} in {ws.slug}")


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
    as_json: JsonOpt = False,
) -> None:
    """Sample size per variant (PRODUCT.md §6), or the effect a given traffic can detect."""
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
        print_json(data)
        return
    out.print(f"{result.per_variant:,} per variant ({result.exact:,.1f} before rounding up)")
    if sequential_n is not None:
        out.print(
            f"Sequential: N = {sequential_n.planned:,} conversions; stop for the treatment when "
            f"T − C ≥ {sequential_n.threshold:.1f}, with no winner when T + C ≥ N"
        )


@experiment_app.command("list")
def list_experiments(
    state: Annotated[str, typer.Option(help="draft, running, analysing or decided.")] = "",
    workspace: WorkspaceOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Experiments of a workspace, newest first."""
    setup_django()
    from leanmark.experiments import queries

    ws = workspace_for(workspace)
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


@experiment_app.command("analyze")
def analyze(
    experiment_id: Annotated[int, typer.Argument(help="Experiment id.")],
    workspace: WorkspaceOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """The result: z-test or Welch, exact P(B > A), expected loss, progress and the gate."""
    setup_django()
    from leanmark.experiments.api import analysis_out

    ws = workspace_for(workspace)
    result = analysis_out(_experiment(ws, experiment_id))
    if as_json:
        print_json(result.dict())
        return
    out.print(result.reading)
    for c in result.comparisons:
        extra = (
            f", P(beats control) {c.prob_beats_control:.3f}"
            if c.prob_beats_control is not None
            else ""
        )
        out.print(
            f"{c.treatment} vs {c.control}: difference {c.difference:+.4f} "
            f"[{c.ci_low:+.4f}, {c.ci_high:+.4f}], statistic {c.statistic:.3f}, "
            f"p {c.p_value:.3f} (adjusted {c.p_adjusted:.3f}){extra}"
        )
    for g in result.gate:
        out.print(f"{g.decision}: {'allowed' if g.allowed else 'refused — ' + ' '.join(g.issues)}")


@experiment_app.command("observe")
def observe(
    experiment_id: Annotated[int, typer.Argument(help="Experiment id.")],
    variant: Annotated[str, typer.Argument(help="Variant name.")],
    trials: Annotated[int, typer.Argument(help="Cumulative trials (n).")],
    successes: Annotated[int | None, typer.Argument(help="Cumulative successes.")] = None,
    date: Annotated[str, typer.Option(help="YYYY-MM-DD (default: today).")] = "",
    mean: Annotated[float | None, typer.Option(help="Mean (continuous metric).")] = None,
    sd: Annotated[float | None, typer.Option(help="Standard deviation (continuous).")] = None,
    workspace: WorkspaceOpt = None,
    as_user: AsOpt = None,
) -> None:
    """Record one variant's cumulative figures for a date."""
    setup_django()
    from django.utils import timezone

    from leanmark.experiments import services
    from leanmark.lib.errors import LeanmarkError

    ws = workspace_for(workspace)
    experiment = _experiment(ws, experiment_id)
    row = services.ObservationIn(
        variant, date or timezone.localdate(), trials, successes, mean=mean, sd=sd
    )
    try:
        services.record_observations(experiment, [row], actor=actor_for(ws, as_user), source="cli")
    except LeanmarkError as error:
        fail(error.message)
    out.print(f"Saved {variant} for experiment {experiment_id}.")


@experiment_app.command("import")
def import_csv(
    experiment_id: Annotated[int, typer.Argument(help="Experiment id.")],
    path: Annotated[Path, typer.Argument(help="CSV: date,variant,trials,successes.")],
    workspace: WorkspaceOpt = None,
    as_user: AsOpt = None,
) -> None:
    """Import cumulative counts from a CSV (all or nothing, errors name the line)."""
    setup_django()
    from leanmark.experiments import services
    from leanmark.lib.errors import LeanmarkError

    ws = workspace_for(workspace)
    experiment = _experiment(ws, experiment_id)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        fail(f"cannot read {path}: {error}")
    try:
        with progress_bar("Importing") as report:
            count = services.import_observations(
                experiment, text, actor=actor_for(ws, as_user), progress=report
            )
    except LeanmarkError as error:
        fail(f"nothing imported: {error.message}")
    out.print(f"Imported {count} observation(s).")


@experiment_app.command("decide")
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
    workspace: WorkspaceOpt = None,
    as_user: AsOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Record persevere / pivot / stop; exit code 2 when the gate refuses it."""
    setup_django()
    from leanmark.experiments import services
    from leanmark.lib.errors import LeanmarkError

    ws = workspace_for(workspace)
    experiment = _experiment(ws, experiment_id)
    try:
        decided = services.decide(
            experiment,
            decision=decision,
            pivot_type=pivot_type,
            override_reason=override_reason,
            note=note,
            statement=statement,
            actor=actor_for(ws, as_user),
        )
    except LeanmarkError as error:
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
