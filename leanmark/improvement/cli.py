"""`leanmark improvement ...`: PDCA cycles (edit, delete, tasks, the next cycle), their Check and
the §12 report.

Thin over the app's services and queries; cycles are named by their number (PDCA-3 is ``3``).
"""

from typing import Annotated, Any

import typer
from rich.table import Table

from leanmark.lib.cli import (
    JsonOpt,
    fail,
    out,
    print_json,
    show,
    workspace_command,
)

improvement_app = typer.Typer(
    help="PDCA improvement cycles, their Check and the continuous-improvement report.",
    no_args_is_help=True,
)
NumberArg = Annotated[int, typer.Argument(help="The cycle's number (PDCA-3 is 3).")]


def register(app: typer.Typer) -> None:
    """Add this app's commands (sub-apps or commands) to the `leanmark` command."""
    app.add_typer(improvement_app, name="improvement")


def _found(workspace: Any, number: int) -> Any:
    from django.http import Http404

    from . import queries

    try:
        return queries.improvement_for(workspace, number)
    except Http404:
        fail(f"no improvement cycle PDCA-{number} in {workspace.slug}")


def _summary(imp: Any) -> dict[str, Any]:
    return {
        "number": imp.number,
        "code": imp.code,
        "title": imp.title,
        "phase": imp.phase,
        "source": imp.source_kind,
        "metric": imp.metric,
        "change_date": imp.change_date,
        "outcome": imp.outcome,
    }


@improvement_app.command("list")
@workspace_command
def list_cycles(ws: Any = None, as_json: JsonOpt = False) -> None:
    """The workspace's cycles, newest first."""
    from . import queries

    rows = [_summary(i) for i in queries.improvements_of(ws)]
    if as_json:
        print_json(rows)
        return
    table = Table("#", "Title", "Phase", "Metric", "Change date", "Outcome")
    for row in rows:
        table.add_row(
            row["code"],
            row["title"],
            row["phase"],
            row["metric"] or "-",
            str(row["change_date"] or "-"),
            row["outcome"] or "",
        )
    out.print(table)


@improvement_app.command("new")
@workspace_command
def new_cycle(
    title: str,
    problem: Annotated[str, typer.Option(help="The gap, in facts (not a solution).")] = "",
    source: Annotated[
        str, typer.Option(help="blank, vsm_step, impediment or standup_blocker.")
    ] = "blank",
    source_id: Annotated[int | None, typer.Option(help="The source's id.")] = None,
    metric: Annotated[str, typer.Option(help="Baseline metric key (cycle_time, ...).")] = "",
    ws: Any = None,
    actor: Any = None,
    as_json: JsonOpt = False,
) -> None:
    """Start a cycle in Plan."""
    from leanmark.domain.pdca import solution_hints

    from . import services

    imp = services.start_improvement(
        ws,
        actor=actor,
        source=source,
        source_id=source_id,
        title=title,
        problem=problem,
        metric=metric,
    )
    if as_json:
        print_json(_summary(imp))
        return
    out.print(f"{imp.code} started in Plan.")
    for hint in solution_hints(imp.problem):
        out.print(f"Warning: the problem may name a solution: {hint}.")


@improvement_app.command("phase")
@workspace_command
def move_phase(
    number: NumberArg,
    to: Annotated[str, typer.Argument(help="do, check or act (the next phase only).")],
    note: Annotated[str, typer.Option(help="A note on the phase change.")] = "",
    ws: Any = None,
    actor: Any = None,
) -> None:
    """Move a cycle to its next phase; exit code 2 when the phase rules refuse it."""
    from leanmark.lib.errors import LeanmarkError

    from . import services

    imp = _found(ws, number)
    try:
        services.advance(imp, to=to, note=note, actor=actor)
    except LeanmarkError as error:  # the phase rules' refusal (a conflict) exits 2
        fail(error.message, 2 if error.status == 409 else 1)
    out.print(f"{imp.code} moved to {to.capitalize()}.")


@improvement_app.command("decide")
@workspace_command
def decide(
    number: NumberArg,
    outcome: Annotated[str, typer.Argument(help="standardise, adjust or abandon.")],
    reason: Annotated[str, typer.Option(help="Why (kept on the record).")] = "",
    ws: Any = None,
    actor: Any = None,
) -> None:
    """Act: standardise, adjust (starts the next cycle) or abandon, with a reason."""
    from leanmark.lib.errors import LeanmarkError

    from . import services

    imp = _found(ws, number)
    try:
        services.decide(imp, outcome=outcome, reason=reason, actor=actor)
    except LeanmarkError as error:
        fail(error.message, 2 if error.status == 409 else 1)
    imp.refresh_from_db()
    out.print(f"{imp.code} closed: {imp.get_outcome_display().lower()}.")
    for follower in imp.next_cycles.all():
        out.print(f"{follower.code} follows it, in Plan.")


def _out(imp: Any) -> Any:
    """The cycle as the API answers it (read again: history and tasks included)."""
    from . import queries
    from .schemas import ImprovementOut

    return ImprovementOut.of(queries.improvement_for(imp.workspace, imp.number))


@improvement_app.command("edit")
@workspace_command
def edit(
    number: NumberArg,
    title: Annotated[str | None, typer.Option(help="New title.")] = None,
    problem: Annotated[str | None, typer.Option(help="The gap, in facts.")] = None,
    background: Annotated[str | None, typer.Option(help="Background.")] = None,
    current_condition: Annotated[str | None, typer.Option(help="The current condition.")] = None,
    metric: Annotated[str | None, typer.Option(help="Baseline metric key ('' clears it).")] = None,
    metric_param: Annotated[
        str | None, typer.Option(help="N of “finished within N days” ('' clears it).")
    ] = None,
    target_value: Annotated[str | None, typer.Option(help="Target ('' clears it).")] = None,
    target_date: Annotated[str | None, typer.Option(help="YYYY-MM-DD ('' clears it).")] = None,
    why: Annotated[
        list[str] | None, typer.Option(help="A why; repeat for up to 5 (replaces them).")
    ] = None,
    no_whys: Annotated[bool, typer.Option("--no-whys", help="Remove the whys.")] = False,
    root_cause: Annotated[str | None, typer.Option(help="The root cause.")] = None,
    countermeasure: Annotated[
        list[str] | None,
        typer.Option(help="A countermeasure; repeat for several (replaces them)."),
    ] = None,
    board: Annotated[int | None, typer.Option(help="The board its tasks go on (id).")] = None,
    change_date: Annotated[
        str | None, typer.Option(help="Set in Do: when the change took effect (YYYY-MM-DD).")
    ] = None,
    window_days: Annotated[
        int | None, typer.Option(help="Days in each Check window (7–365).")
    ] = None,
    ws: Any = None,
    actor: Any = None,
    as_json: JsonOpt = False,
) -> None:
    """Change the plan, the change date or the window, as PATCH /api/v1/improvements/{id}: what
    is not given is kept; a closed cycle is refused."""
    from . import services

    imp = _found(ws, number)
    given = {
        "title": title,
        "problem": problem,
        "background": background,
        "current_condition": current_condition,
        "metric": metric,
        "metric_param": metric_param,
        "target_value": target_value,
        "target_date": target_date,
        "root_cause": root_cause,
        "countermeasures": countermeasure or None,
        "board": board,
        "change_date": change_date,
        "window_days": window_days,
        "whys": [] if no_whys else (why or None),
    }
    changes = {name: value for name, value in given.items() if value is not None}
    if not changes:
        fail("nothing to change: give at least one option (see --help)")
    services.update_improvement(imp, changes=changes, actor=actor)
    result = _out(imp)
    show(result, as_json=as_json, text=f"{result.code} saved: {result.title}")


@improvement_app.command("delete")
@workspace_command
def delete(number: NumberArg, ws: Any = None, actor: Any = None) -> None:
    """Delete an open cycle and its history (its task cards stay); a closed one is refused."""
    from . import services

    imp = _found(ws, number)
    code, title = imp.code, imp.title
    services.delete_improvement(imp)
    out.print(f"{code} deleted: {title}")


@improvement_app.command("task")
@workspace_command
def task(
    number: NumberArg,
    title: Annotated[str, typer.Argument(help="What to do (the card's title).")],
    reason: Annotated[str, typer.Option(help="Reason to go over a full soft limit.")] = "",
    ws: Any = None,
    actor: Any = None,
    as_json: JsonOpt = False,
) -> None:
    """A Do task: a card in the first column of the cycle's board, tagged pdca and linked to the
    cycle; exit 2 on a WIP limit."""
    from . import services
    from .schemas import TaskOut

    added = services.add_task(_found(ws, number), title=title, reason=reason, actor=actor)
    card = added.card
    show(
        TaskOut(
            card_id=card.pk, card_number=card.number, title=card.title, column=card.column.name
        ),
        as_json=as_json,
        text=f"Card #{card.number} added in {card.column.name}: {card.title}",
    )


@improvement_app.command("next")
@workspace_command
def next_cycle(
    number: NumberArg, ws: Any = None, actor: Any = None, as_json: JsonOpt = False
) -> None:
    """Start the next cycle after a closed one: same source, problem and plan; new Do and Check."""
    from . import services

    imp = _found(ws, number)
    follower = _out(services.follow_up(imp, actor=actor))
    show(
        follower,
        as_json=as_json,
        text=f"{follower.code} follows {imp.code}, in Plan: {follower.title}",
    )


@improvement_app.command("check")
@workspace_command
def check(
    number: NumberArg,
    window: Annotated[
        int | None, typer.Option(help="Days in each window (default: the cycle's own).")
    ] = None,
    ws: Any = None,
    as_json: JsonOpt = False,
) -> None:
    """The Check: the baseline metric before vs after the change date, with its test."""
    from . import queries
    from .schemas import CheckOut

    if window is not None and not 7 <= window <= 365:
        fail("each window is a whole number of days from 7 to 365")
    imp = _found(ws, number)
    view = queries.check_for(imp, window_days=window)
    if as_json:
        print_json(CheckOut.of(view).model_dump(mode="json"))
        return
    out.print(f"{imp.code} {imp.title}")
    if view.problem or view.windows is None or view.result is None:
        out.print(view.problem)
        return
    out.print(f"Windows: {view.windows.describe()}.")
    out.print(view.result.verdict)
    if view.target:
        out.print(view.target)
    out.print(f"Test: {view.result.test}; data: {view.data.source if view.data else ''}.")


@improvement_app.command("report")
@workspace_command
def report(ws: Any = None, as_json: JsonOpt = False) -> None:
    """Continuous-improvement metrics (§12): monthly series and their trend."""
    from . import ci

    data = ci.as_dict(ci.continuous_improvement(ws))
    if as_json:
        print_json(data)
        return
    table = Table("Series", "Last months", "Trend (last whole month vs 3 months before)")
    for series in data["series"]:
        if not series["has_data"]:
            table.add_row(series["title"], series["missing"], "")
            continue
        recent = [v["value"] for v in series["values"][-4:]]
        shown = "  ".join("-" if v is None else f"{v:.1f}" for v in recent)
        table.add_row(f"{series['title']} ({series['unit']})", shown, series["trend"] or "")
    out.print(table)
    for figure in data["figures"]:
        out.print(f"{figure['label']}: {figure['value']} ({figure['how']})")
