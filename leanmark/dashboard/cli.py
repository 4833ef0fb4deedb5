"""`leanmark metrics ...`: list and create metrics, set targets, import measurements from CSV,
roll a metric up."""

from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from leanmark.lib.cli import (
    JsonOpt,
    err,
    fail,
    out,
    print_json,
    progress_bar,
    show,
    workspace_command,
)

metrics_app = typer.Typer(
    help="Metrics: list, create, targets, import measurements, roll-ups.", no_args_is_help=True
)


def register(app: typer.Typer) -> None:
    """Add this app's commands (sub-apps or commands) to the `leanmark` command."""
    app.add_typer(metrics_app, name="metrics")


def _number(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.2f}"


@metrics_app.command("list")
@workspace_command
def metrics_list(ws: Any = None, as_json: JsonOpt = False) -> None:
    """Every metric of the workspace, typed and built-in."""
    from leanmark.dashboard import queries

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
    show(
        rows,
        as_json=as_json,
        table={
            "Key": "key",
            "Name": "name",
            "Kind": "kind",
            "Stage": lambda row: row["stage"] or "(flow)",
            "Unit": "unit",
            "Aggregation": "aggregation",
        },
        title=f"{ws.name}",
    )


def _metric_out(metric: Any) -> Any:
    """The metric with its targets, as the API lists it."""
    from leanmark.dashboard import queries
    from leanmark.dashboard.schemas import MetricOut, TargetOut

    targets = [TargetOut(period=t.period, value=t.value) for t in metric.targets.all()]
    return MetricOut.of(queries.info_of(metric), targets)


@metrics_app.command("create")
@workspace_command
def metrics_create(
    name: Annotated[str, typer.Argument(help="The metric's name.")],
    kind: Annotated[str, typer.Option(help="input (effort you put in) or output (results).")] = "",
    stage: Annotated[str, typer.Option(help="know, like, trust, try, buy, repeat or refer.")] = "",
    key: Annotated[
        str, typer.Option(help="Its key in CSV files and the API (default: the name as a slug).")
    ] = "",
    channel: Annotated[str, typer.Option(help="Marketing channel.")] = "",
    unit: Annotated[str, typer.Option(help="Unit shown with values (visits, EUR, %…).")] = "",
    aggregation: Annotated[
        str, typer.Option(help="How a period sums up its values: sum, mean or last.")
    ] = "sum",
    value_per_unit: Annotated[
        str | None, typer.Option(help="Money one unit of an output is worth (for ROI).")
    ] = None,
    revenue: Annotated[bool, typer.Option("--revenue", help="Its values are revenue.")] = False,
    lower_is_better: Annotated[
        bool, typer.Option("--lower-is-better", help="A fall is good news (costs, churn…).")
    ] = False,
    description: Annotated[str, typer.Option(help="What it measures and where from.")] = "",
    ws: Any = None,
    actor: Any = None,  # only checked: a member defines metrics
    as_json: JsonOpt = False,
) -> None:
    """Define a metric (--kind and --stage are required); then import its measurements."""
    from leanmark.dashboard import services

    metric = services.create_metric(
        ws,
        name=name,
        kind=kind,
        stage=stage,
        key=key,
        channel=channel,
        unit=unit,
        aggregation=aggregation,
        value_per_unit=value_per_unit,
        is_revenue=revenue,
        higher_is_better=not lower_is_better,
        description=description,
    )
    show(
        _metric_out(metric),
        as_json=as_json,
        text=f"Metric {metric.name} created (key {metric.key}, {metric.kind}, {metric.stage}).",
    )


@metrics_app.command("target")
@workspace_command
def metrics_target(
    metric: Annotated[str, typer.Argument(help="The metric's key, name or id.")],
    period: Annotated[str, typer.Argument(help="day, week, month or year.")],
    value: Annotated[str | None, typer.Argument(help="The target per period.")] = None,
    reason: Annotated[
        str, typer.Option(help="Why it changes (needed to change or remove a target).")
    ] = "",
    remove: Annotated[bool, typer.Option("--remove", help="Remove the target.")] = False,
    ws: Any = None,
    actor: Any = None,
    as_json: JsonOpt = False,
) -> None:
    """Set, change or remove a metric's target for a kind of period; the change is recorded."""
    from leanmark.dashboard import services

    if (value is None) == (not remove):
        fail("give the target's value, or --remove to remove it")
    found = services.resolve_metric(ws, metric)
    services.set_target(found, period=period, value=value, reason=reason, actor=actor)
    now = next((t.value for t in found.targets.all() if t.period == period), None)
    said = "no target" if now is None else f"target {_number(now)}"
    show(_metric_out(found), as_json=as_json, text=f"{found.name}: {said} per {period}.")


@metrics_app.command("import")
@workspace_command
def metrics_import(
    file: Annotated[
        Path, typer.Argument(help="CSV: date,metric,value[,channel,campaign] or wide.")
    ],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would change; save nothing.")
    ] = False,
    ws: Any = None,
    as_json: JsonOpt = False,
) -> None:
    """Import measurements from a CSV file: idempotent, all or nothing (exit 1 on a bad row)."""
    from leanmark.dashboard import csvimport, queries
    from leanmark.dashboard.errors import ImportRejected, MetricError

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
@workspace_command
def metrics_rollup(
    metric: Annotated[str, typer.Argument(help="A metric's key or name, or a built-in key.")],
    period: Annotated[str, typer.Option(help="day, week, month or year.")] = "week",
    start: Annotated[
        str | None, typer.Option("--from", help="First day, YYYY-MM-DD (default: 12 periods).")
    ] = None,
    end: Annotated[str | None, typer.Option("--to", help="Last day (default: today).")] = None,
    ws: Any = None,
    as_json: JsonOpt = False,
) -> None:
    """A metric per period, with the change from the period before and the target."""
    from django.http import Http404
    from django.utils import timezone

    from leanmark.dashboard import queries
    from leanmark.dashboard.errors import MetricError
    from leanmark.dashboard.services import resolve_metric

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
    queries.check_years((last, "--to"))  # before default_range counts back from it
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
