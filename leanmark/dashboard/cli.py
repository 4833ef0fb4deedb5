"""`leanmark metrics ...`: list metrics, import measurements from CSV, roll a metric up."""

from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from leanmark.lib.cli import (
    JsonOpt,
    WorkspaceOpt,
    err,
    fail,
    out,
    print_json,
    progress_bar,
    setup_django,
    workspace_for,
)

metrics_app = typer.Typer(
    help="Metrics: list, import measurements, roll-ups.", no_args_is_help=True
)


def register(app: typer.Typer) -> None:
    """Add this app's commands (sub-apps or commands) to the `leanmark` command."""
    app.add_typer(metrics_app, name="metrics")


def _number(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.2f}"


@metrics_app.command("list")
def metrics_list(workspace: WorkspaceOpt = None, as_json: JsonOpt = False) -> None:
    """Every metric of the workspace, typed and built-in."""
    setup_django()
    from leanmark.dashboard import queries

    ws = workspace_for(workspace)
    rows = [
        {
            "key": i.key,
            "name": i.name,
            "kind": i.kind,
            "stage": i.stage,
            "unit": i.unit,
            "aggregation": i.aggregation.value,
            "builtin": i.builtin,
        }
        for i in queries.all_infos(ws)
    ]
    if as_json:
        print_json(rows)
        return
    table = Table("Key", "Name", "Kind", "Stage", "Unit", "Aggregation", title=f"{ws.name}")
    for row in rows:
        table.add_row(
            row["key"],
            row["name"],
            row["kind"],
            row["stage"] or "(flow)",
            row["unit"],
            row["aggregation"],
        )
    out.print(table)


@metrics_app.command("import")
def metrics_import(
    file: Annotated[
        Path, typer.Argument(help="CSV: date,metric,value[,channel,campaign] or wide.")
    ],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would change; save nothing.")
    ] = False,
    workspace: WorkspaceOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Import measurements from a CSV file: idempotent, all or nothing (exit 1 on a bad row)."""
    setup_django()
    from leanmark.dashboard import csvimport, queries
    from leanmark.dashboard.errors import ImportRejected, MetricError

    ws = workspace_for(workspace)
    if not file.is_file():
        fail(f"no file {file}")
    if file.stat().st_size > csvimport.MAX_BYTES:
        fail(csvimport._too_big(file.stat().st_size))
    try:
        if as_json:
            result = csvimport.import_csv(
                ws, file.read_bytes(), tz=queries.tz_of(ws), source="cli", dry_run=dry_run
            )
        else:
            with progress_bar("Saving measurements") as report:
                result = csvimport.import_csv(
                    ws,
                    file.read_bytes(),
                    tz=queries.tz_of(ws),
                    source="cli",
                    dry_run=dry_run,
                    progress=report,
                )
    except ImportRejected as error:
        err.print(f"Error: {file.name} has {len(error.errors)} bad row(s); nothing was saved.")
        for problem in error.errors[:50]:
            err.print(f"  line {problem.line}: {problem.message}")
        if len(error.errors) > 50:
            err.print(f"  … and {len(error.errors) - 50} more")
        raise typer.Exit(1) from None
    except MetricError as error:
        fail(error.message)
    if as_json:
        print_json(
            {
                "created": result.created,
                "updated": result.updated,
                "unchanged": result.unchanged,
                "dry_run": result.dry_run,
            }
        )
        return
    if dry_run:
        for change in result.changes[:20]:
            old = "new" if change.old is None else _number(change.old)
            out.print(
                f"  line {change.line}: {change.metric} {change.day}: {old} → {_number(change.new)}"
            )
        if len(result.changes) > 20:
            out.print(f"  … and {len(result.changes) - 20} more changes")
    out.print(f"{file.name}: {result.summary}.")


@metrics_app.command("rollup")
def metrics_rollup(
    metric: Annotated[str, typer.Argument(help="A metric's key or name, or a built-in key.")],
    period: Annotated[str, typer.Option(help="day, week, month or year.")] = "week",
    start: Annotated[
        str | None, typer.Option("--from", help="First day, YYYY-MM-DD (default: 12 periods).")
    ] = None,
    end: Annotated[str | None, typer.Option("--to", help="Last day (default: today).")] = None,
    workspace: WorkspaceOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """A metric per period, with the change from the period before and the target."""
    setup_django()
    from django.http import Http404
    from django.utils import timezone

    from leanmark.dashboard import queries
    from leanmark.dashboard.errors import MetricError
    from leanmark.dashboard.services import resolve_metric

    ws = workspace_for(workspace)
    try:
        chosen = queries.as_period(period)
    except ValueError as error:
        fail(str(error))
    try:
        info = (
            queries.info_for(ws, metric)
            if metric in queries.BUILTINS
            else queries.info_of(resolve_metric(ws, metric))
        )
    except (MetricError, Http404):
        keys = ", ".join(i.key for i in queries.all_infos(ws))
        fail(f"no metric {metric!r} in {ws.slug}; metrics are: {keys}")
    last = _day(end, "--to") if end else queries.today(ws, timezone.now())
    first = _day(start, "--from") if start else queries.default_range(chosen, last)[0]
    if first > last:
        fail("--from must not be after --to")
    rows = queries.rollup_report(ws, info, first=first, last=last, period=chosen)
    data: list[dict[str, Any]] = [
        {
            "period": r.bucket.label,
            "start": r.bucket.start.isoformat(),
            "value": r.bucket.value,
            "rows": r.bucket.rows,
            "change": r.change.absolute,
            "change_relative": r.change.relative,
            "target": r.target,
            "attainment": r.attainment,
        }
        for r in rows
    ]
    if as_json:
        print_json(
            {
                "metric": info.key,
                "period": chosen.value,
                "aggregation": info.aggregation.value,
                "buckets": data,
            }
        )
        return
    table = Table(
        "Period", info.unit or "Value", "Change", "Target", title=f"{info.name} per {chosen.value}"
    )
    for row in data:
        rel = row["change_relative"]
        table.add_row(
            row["period"],
            _number(row["value"]),
            "–" if rel is None else f"{rel:+.0%}",
            _number(row["target"]),
        )
    out.print(table)


def _day(text: str, option: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        fail(f"{option} {text!r} is not a date (YYYY-MM-DD)")
