"""`leanmark metrics ...`: list, create, edit and delete metrics, set targets, record and import
measurements, roll a metric up, show and set the funnel."""

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
    help="Metrics: list, create, edit, delete, targets, record and import measurements, roll-ups, "
    "the funnel.",
    no_args_is_help=True,
)
funnel_app = typer.Typer(
    help="The hourglass funnel: show it, or set its stages.", no_args_is_help=True
)
metrics_app.add_typer(funnel_app, name="funnel")


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


def _metric_detail(metric: Any) -> Any:
    """The metric with its targets and their revisions, as the API's GET/PATCH answer it."""
    from leanmark.dashboard import queries
    from leanmark.dashboard.schemas import MetricDetailOut, MetricRevisionOut

    return MetricDetailOut(
        **_metric_out(metric).dict(),
        revisions=[MetricRevisionOut.of(r) for r in queries.target_revisions(metric)],
    )


MetricArg = Annotated[str, typer.Argument(help="The metric's key, name or id.")]


@metrics_app.command("edit")
@workspace_command
def metrics_edit(
    metric: MetricArg,
    name: Annotated[str | None, typer.Option(help="New name.")] = None,
    kind: Annotated[str | None, typer.Option(help="input or output.")] = None,
    stage: Annotated[str | None, typer.Option(help="know … refer.")] = None,
    key: Annotated[str | None, typer.Option(help="New key (CSV files and the API use it).")] = None,
    channel: Annotated[str | None, typer.Option(help="Marketing channel ('' clears it).")] = None,
    unit: Annotated[str | None, typer.Option(help="Unit shown with values ('' clears it).")] = None,
    aggregation: Annotated[str | None, typer.Option(help="sum, mean or last.")] = None,
    value_per_unit: Annotated[
        str | None, typer.Option(help="Money one unit is worth ('' clears it).")
    ] = None,
    revenue: Annotated[
        bool | None, typer.Option("--revenue/--not-revenue", help="Its values are revenue.")
    ] = None,
    lower_is_better: Annotated[
        bool | None,
        typer.Option("--lower-is-better/--higher-is-better", help="Which way is good news."),
    ] = None,
    description: Annotated[str | None, typer.Option(help="What it measures.")] = None,
    ws: Any = None,
    actor: Any = None,  # only checked: a member changes metrics
    as_json: JsonOpt = False,
) -> None:
    """Change a metric, as PATCH /api/v1/metrics/{id}: what is not given is kept."""
    from leanmark.dashboard import services

    given = {
        "name": name,
        "kind": kind,
        "stage": stage,
        "key": key,
        "channel": channel,
        "unit": unit,
        "aggregation": aggregation,
        "is_revenue": revenue,
        "higher_is_better": None if lower_is_better is None else not lower_is_better,
        "description": description,
    }
    changes = {field: value for field, value in given.items() if value is not None}
    if value_per_unit is not None:
        changes["value_per_unit"] = value_per_unit or None
    if not changes:
        fail("nothing to change: give at least one option (see --help)")
    found = services.update_metric(services.resolve_metric(ws, metric), **changes)
    show(
        _metric_detail(found),
        as_json=as_json,
        text=f"Metric {found.name} saved (key {found.key}, {found.kind}, {found.stage}).",
    )


@metrics_app.command("delete")
@workspace_command(need="owner")
def metrics_delete(
    metric: MetricArg,
    ws: Any = None,
    actor: Any = None,  # only checked: owners delete metrics, as the API has it
) -> None:
    """Delete a metric with its measurements, targets and revisions (owners only)."""
    from leanmark.dashboard import services

    found = services.resolve_metric(ws, metric)
    name = found.name
    count = services.delete_metric(found)
    out.print(f"Metric {name} deleted with {count} measurement(s).")


@metrics_app.command("record")
@workspace_command
def metrics_record(
    metric: MetricArg,
    value: Annotated[str, typer.Argument(help="The day's value (a negative one needs --).")],
    day: Annotated[
        str | None, typer.Option("--date", help="The local day, YYYY-MM-DD (default: today).")
    ] = None,
    channel: Annotated[str, typer.Option(help="Marketing channel.")] = "",
    campaign: Annotated[str, typer.Option(help="Campaign.")] = "",
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would change; save nothing.")
    ] = False,
    ws: Any = None,
    actor: Any = None,  # only checked: a member records measurements
    as_json: JsonOpt = False,
) -> None:
    """Save one measurement, as POST /api/v1/measurements: the same day, channel and campaign
    again replaces its value."""
    from django.utils import timezone

    from leanmark.dashboard import queries, services
    from leanmark.dashboard.schemas import UpsertOut

    found = services.resolve_metric(ws, metric)
    on = _day(day, "--date") if day else queries.today(ws, timezone.now())
    row = services.RowIn(1, found.key, on, value, channel, campaign)  # type: ignore[arg-type]
    result = services.upsert_measurements(
        ws, [row], source="cli", dry_run=dry_run, what="the measurement"
    )
    data = UpsertOut.of(result)
    where = "".join(
        f", {label} {text}"
        for label, text in (("channel", channel), ("campaign", campaign))
        if text
    )
    said = "would be " if dry_run else ""
    if result.created:
        what = f"{said}recorded"
    elif result.updated:
        old = _number(result.changes[0].old) if result.changes else "?"
        what = f"{said}changed from {old}"
    else:
        what = "unchanged"
    shown = _number(result.changes[0].new) if result.changes else value
    show(
        data,
        as_json=as_json,
        text=f"{found.name} on {on.isoformat()}{where}: {shown} {what}.",
    )


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
    actor: Any = None,  # checked by workspace_command: viewers cannot import
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


def _funnel(ws: Any, period: str, start: str | None, end: str | None) -> Any:
    """The funnel as GET /workspaces/{slug}/funnel answers it."""
    from django.utils import timezone

    from leanmark.dashboard import queries
    from leanmark.dashboard.schemas import FunnelOut

    try:
        chosen = queries.as_period(period)
    except ValueError as error:
        fail(str(error))
    last = _day(end, "--to") if end else queries.today(ws, timezone.now())
    queries.check_years((last, "--to"))
    first = _day(start, "--from") if start else queries.default_range(chosen, last)[0]
    if first > last:
        fail("--from must not be after --to")
    return FunnelOut.of(queries.funnel_view(ws, period=chosen, first=first, last=last))


def _show_funnel(funnel: Any, *, as_json: bool, text: str | None = None) -> None:
    if as_json:
        show(funnel, as_json=True)
        return
    if text:
        out.print(text)
    if not funnel.stages:
        out.print("No stage has a volume metric yet: `leanmark metrics funnel set STAGE=METRIC…`.")
        return
    stages = list(funnel.stages)
    out.print("Stages: " + ", ".join(f"{s} = {k}" for s, k in funnel.stages.items()))
    table = Table("Period", *stages, "Biggest drop", title=f"Funnel per {funnel.period}")
    for period in funnel.periods:
        drop = period.biggest_drop
        said = (
            "–"
            if drop is None or drop.rate is None
            else f"{drop.from_stage} → {drop.to_stage} {drop.rate:.1%}"
        )
        table.add_row(period.label, *(_number(period.volumes.get(s)) for s in stages), said)
    out.print(table)


@funnel_app.command("show")
@workspace_command
def funnel_show(
    period: Annotated[str, typer.Option(help="day, week, month or year.")] = "month",
    start: Annotated[str | None, typer.Option("--from", help="First day, YYYY-MM-DD.")] = None,
    end: Annotated[str | None, typer.Option("--to", help="Last day (default: today).")] = None,
    ws: Any = None,
    as_json: JsonOpt = False,
) -> None:
    """Each period's volume per stage and the biggest drop between adjacent stages."""
    _show_funnel(_funnel(ws, period, start, end), as_json=as_json)


@funnel_app.command("set")
@workspace_command
def funnel_set(
    stages: Annotated[
        list[str], typer.Argument(help="STAGE=METRIC (key, name or id); STAGE= clears it.")
    ],
    ws: Any = None,
    actor: Any = None,  # only checked: a member sets the funnel, as the API has it
    as_json: JsonOpt = False,
) -> None:
    """Name each stage's volume metric, as PUT /workspaces/{slug}/funnel; stages not named keep
    theirs."""
    from leanmark.dashboard import services

    volumes: dict[str, str] = {}
    for pair in stages:
        stage, sign, ref = pair.partition("=")
        if not sign or not stage.strip():
            fail(f"{pair!r} is not STAGE=METRIC (for example know=website-visits)")
        volumes[stage.strip().lower()] = ref.strip()
    services.set_funnel(ws, volumes)
    funnel = _funnel(ws, "month", None, None)
    _show_funnel(funnel, as_json=as_json, text=f"Funnel of {ws.slug} saved.")
