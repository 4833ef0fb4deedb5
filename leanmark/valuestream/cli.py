"""`leanmark vsm …`: value stream maps from the command line (list, create, edit, delete, future,
revisions, show, compare, export, and `vsm step add|edit|move|delete|apply|columns`)."""

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from leanmark.lib.cli import (
    JsonOpt,
    WorkspaceOpt,
    board_for,
    column_named,
    fail,
    out,
    print_json,
    setup_django,
    show,
    workspace_command,
    workspace_for,
)

vsm_app = typer.Typer(help="Value stream maps of the Marketing Hourglass.", no_args_is_help=True)
step_app = typer.Typer(
    help="A map's steps: add, edit, move, delete, apply, columns.", no_args_is_help=True
)
vsm_app.add_typer(step_app, name="step")


def register(app: typer.Typer) -> None:
    """Add this app's commands (sub-apps or commands) to the `leanmark` command."""
    app.add_typer(vsm_app, name="vsm")


def _stream(workspace: str | None, stream_id: int) -> Any:
    from leanmark.valuestream.models import ValueStream

    stream = ValueStream.objects.select_related("workspace", "derived_from").filter(pk=stream_id)
    if workspace:
        stream = stream.filter(workspace=workspace_for(workspace))
    found = stream.first()
    if found is None:
        fail(f"no value stream {stream_id}; `leanmark vsm list` shows the maps and their ids")
    return found


@vsm_app.command("list")
@workspace_command
def vsm_list(ws: Any = None, as_json: JsonOpt = False) -> None:
    """The maps of a workspace with their totals."""
    from leanmark.valuestream import queries
    from leanmark.valuestream.schemas import StreamOut

    rows = [StreamOut.of(s, queries.map_view(s)) for s in queries.streams_of(ws)]
    if as_json:
        print_json([r.dict() for r in rows])
        return
    table = Table("Id", "Map", "State", "Steps", "Lead time", "Process time", "Activity", "Waste")
    for r in rows:
        t = r.summary.total
        ratio = "—" if t.activity_ratio is None else f"{t.activity_ratio * 100:.1f} %"
        table.add_row(
            str(r.id),
            r.name,
            r.state,
            str(t.steps),
            t.lead_time,
            t.process_time,
            ratio,
            str(t.waste_steps),
        )
    out.print(table)


@vsm_app.command("create")
@workspace_command
def vsm_create(
    name: Annotated[str, typer.Argument(help="The map's name (unique in the workspace).")],
    description: Annotated[str, typer.Option(help="What the map covers.")] = "",
    basis: Annotated[
        str, typer.Option(help="calendar (24 h a day) or working (the hours below).")
    ] = "calendar",
    hours_per_day: Annotated[str, typer.Option(help="Working hours in a day.")] = "8",
    days_per_week: Annotated[str, typer.Option(help="Working days in a week.")] = "5",
    ws: Any = None,
    actor: Any = None,
    as_json: JsonOpt = False,
) -> None:
    """Create a current-state map; add its steps with `vsm step add`."""
    from leanmark.valuestream import services
    from leanmark.valuestream.schemas import map_out

    spec = services.StreamSettings(name, description, basis, hours_per_day, days_per_week)
    stream = services.create_stream(ws, spec, actor=actor)
    show(
        map_out(stream),
        as_json=as_json,
        text=f"Value stream {stream.pk} created: {stream.name} (times on a {stream.time_basis} "
        "basis).",
    )


def _step_shown(step: Any, as_json: bool, verb: str) -> None:
    from leanmark.valuestream import queries
    from leanmark.valuestream.schemas import StepOut

    fresh = queries.step_for(step.stream.workspace, step.pk)
    show(
        StepOut.of(fresh, queries.map_view(fresh.stream)),
        as_json=as_json,
        text=f"Step {fresh.pk} {verb}: {fresh.name} ({fresh.stage}, position {fresh.position + 1})"
        f", PT {fresh.pt_value.normalize():f} {fresh.pt_unit}, "
        f"LT {fresh.lt_value.normalize():f} {fresh.lt_unit}.",
    )


StageOpt = Annotated[str | None, typer.Option(help="know, like, trust, try, buy, repeat or refer.")]


# option → the service's field name
STEP_FIELDS = {
    "name": "name", "stage": "stage", "pt": "pt_value", "pt_unit": "pt_unit", "lt": "lt_value",
    "lt_unit": "lt_unit", "ca": "ca_percent", "owner": "owner", "cost_per_run": "cost_per_run",
    "runs_per_month": "runs_per_month", "value": "customer_value", "waste": "waste_type",
    "milestone": "milestone",
}  # fmt: skip


def _step_data(options: dict[str, Any]) -> dict[str, Any]:
    """The step options given (a command's locals), by the service's field names; an option
    left out (None) is not sent."""
    return {
        field: options[option]
        for option, field in STEP_FIELDS.items()
        if options.get(option) is not None
    }


@step_app.command("add")
@workspace_command
def step_add(
    stream_id: Annotated[int, typer.Argument(help="The map's id (see `leanmark vsm list`).")],
    name: Annotated[str, typer.Argument(help="The step's name.")],
    stage: StageOpt = None,
    pt: Annotated[
        str | None, typer.Option(help="Process time: hands-on work, in --pt-unit.")
    ] = None,
    pt_unit: Annotated[str, typer.Option(help="min, h, d or wk.")] = "h",
    lt: Annotated[
        str | None, typer.Option(help="Lead time: from work available to handed on, in --lt-unit.")
    ] = None,
    lt_unit: Annotated[str, typer.Option(help="min, h, d or wk.")] = "d",
    ca: Annotated[str, typer.Option(help="%C&A: share of output complete and accurate.")] = "100",
    owner: Annotated[str, typer.Option(help="Who does the step.")] = "",
    cost_per_run: Annotated[str, typer.Option(help="Cost of one run.")] = "0",
    runs_per_month: Annotated[str, typer.Option(help="Runs in a month.")] = "0",
    value: Annotated[str, typer.Option(help="value_adding, necessary or waste.")] = "value_adding",
    waste: Annotated[
        str, typer.Option(help="The waste type: defects, waiting, motion, … (blank: none).")
    ] = "",
    milestone: Annotated[str, typer.Option(help="new_lead or order_accepted.")] = "",
    before: Annotated[
        int | None, typer.Option(help="Insert before this step of the same stage (id).")
    ] = None,
    ws: Any = None,
    actor: Any = None,
    as_json: JsonOpt = False,
) -> None:
    """Add a step to a map; refused, naming the field, when LT < PT or %C&A is not 0-100."""
    from leanmark.valuestream import queries, services

    stream = queries.stream_for(ws, stream_id)
    data = _step_data(locals())
    ahead = stream.steps.filter(pk=before).first() if before else None  # as the API finds it
    step = services.add_step(stream, data, actor=actor, before=ahead)
    _step_shown(step, as_json, "added")


@step_app.command("edit")
@workspace_command
def step_edit(
    step_id: Annotated[int, typer.Argument(help="The step's id (see `leanmark vsm show --json`).")],
    name: Annotated[str | None, typer.Option(help="The step's name.")] = None,
    stage: StageOpt = None,
    pt: Annotated[str | None, typer.Option(help="Process time, in --pt-unit.")] = None,
    pt_unit: Annotated[str | None, typer.Option(help="min, h, d or wk.")] = None,
    lt: Annotated[str | None, typer.Option(help="Lead time, in --lt-unit.")] = None,
    lt_unit: Annotated[str | None, typer.Option(help="min, h, d or wk.")] = None,
    ca: Annotated[str | None, typer.Option(help="%C&A, 0 to 100.")] = None,
    owner: Annotated[str | None, typer.Option(help="Who does the step.")] = None,
    cost_per_run: Annotated[str | None, typer.Option(help="Cost of one run.")] = None,
    runs_per_month: Annotated[str | None, typer.Option(help="Runs in a month.")] = None,
    value: Annotated[str | None, typer.Option(help="value_adding, necessary or waste.")] = None,
    waste: Annotated[str | None, typer.Option(help="The waste type ('' for none).")] = None,
    milestone: Annotated[
        str | None, typer.Option(help="new_lead or order_accepted ('' for none).")
    ] = None,
    ws: Any = None,
    actor: Any = None,
    as_json: JsonOpt = False,
) -> None:
    """Change a step's fields; those not given keep their values (checked as when added)."""
    from leanmark.valuestream import queries, services

    step = queries.step_for(ws, step_id)
    data = _step_data(locals())
    _step_shown(services.edit_step(step, data, actor=actor), as_json, "changed")


@step_app.command("move")
@workspace_command
def step_move(
    step_id: Annotated[int, typer.Argument(help="The step's id.")],
    stage: Annotated[str, typer.Argument(help="know, like, trust, try, buy, repeat or refer.")],
    position: Annotated[
        int | None, typer.Option(help="Its place in the stage, 1 first (default: last).")
    ] = None,
    ws: Any = None,
    actor: Any = None,
    as_json: JsonOpt = False,
) -> None:
    """Move a step to a stage, at a place in that stage's order."""
    from leanmark.valuestream import queries, services

    step = queries.step_for(ws, step_id)
    others = [s.pk for s in queries.steps_of(step.stream) if s.stage == stage and s.pk != step.pk]
    at = len(others) if position is None else max(0, position - 1)
    order = [*others[:at], step.pk, *others[at:]]  # the stage's ids in order, as the API takes
    _step_shown(services.move_step(step, stage=stage, order=order, actor=actor), as_json, "moved")


StreamArg = Annotated[int, typer.Argument(help="The map's id (see `leanmark vsm list`).")]
StepArg = Annotated[int, typer.Argument(help="The step's id (see `leanmark vsm show ID --json`).")]


def _map_in(ws: Any, stream_id: int) -> Any:
    from django.http import Http404

    from leanmark.valuestream import queries

    try:
        return queries.stream_for(ws, stream_id)
    except (Http404, OverflowError):
        fail(f"no value stream {stream_id} in {ws.slug}; `leanmark vsm list` shows the maps")


def _step_in(ws: Any, step_id: int) -> Any:
    from django.http import Http404

    from leanmark.valuestream import queries

    try:
        return queries.step_for(ws, step_id)
    except (Http404, OverflowError):
        fail(
            f"no value stream step {step_id} in {ws.slug}; `leanmark vsm show ID --json` lists them"
        )


@vsm_app.command("edit")
@workspace_command
def vsm_edit(
    stream_id: StreamArg,
    name: Annotated[str | None, typer.Option(help="New name (unique in the workspace).")] = None,
    description: Annotated[str | None, typer.Option(help="What the map covers.")] = None,
    basis: Annotated[str | None, typer.Option(help="calendar or working.")] = None,
    hours_per_day: Annotated[str | None, typer.Option(help="Working hours in a day.")] = None,
    days_per_week: Annotated[str | None, typer.Option(help="Working days in a week.")] = None,
    ws: Any = None,
    actor: Any = None,
    as_json: JsonOpt = False,
) -> None:
    """Rename a map or change its time basis and working time, as PATCH
    /api/v1/value-streams/{id}; what is not given is kept."""
    from leanmark.valuestream import services
    from leanmark.valuestream.schemas import map_out

    stream = _map_in(ws, stream_id)
    given = {
        "name": name,
        "description": description,
        "time_basis": basis,
        "hours_per_day": hours_per_day,
        "days_per_week": days_per_week,
    }
    if all(value is None for value in given.values()):
        fail("nothing to change: give at least one option (see --help)")
    current = {
        "name": stream.name,
        "description": stream.description,
        "time_basis": stream.time_basis,
        "hours_per_day": stream.hours_per_day,
        "days_per_week": stream.days_per_week,
    }
    current.update({k: v for k, v in given.items() if v is not None})
    services.update_stream(stream, services.StreamSettings(**current), actor=actor)
    stream.refresh_from_db()
    show(
        map_out(stream),
        as_json=as_json,
        text=f"Value stream {stream.pk} saved: {stream.name} (times on a {stream.time_basis} "
        "basis).",
    )


@vsm_app.command("delete")
@workspace_command(need="owner")
def vsm_delete(stream_id: StreamArg, ws: Any = None, actor: Any = None) -> None:
    """Delete a map and its steps (owners only, as the API has it)."""
    from leanmark.valuestream import services

    stream = _map_in(ws, stream_id)
    name, steps = stream.name, stream.steps.count()
    services.delete_stream(stream, actor=actor)
    out.print(f"Value stream {stream_id} deleted: {name} ({steps} step(s)).")


@vsm_app.command("future")
@workspace_command
def vsm_future(
    stream_id: StreamArg,
    name: Annotated[
        str, typer.Option(help="The future state's name (default: '<current> — future state').")
    ] = "",
    ws: Any = None,
    actor: Any = None,
    as_json: JsonOpt = False,
) -> None:
    """Derive a future-state map: a copy of a current-state map, each step remembering its
    origin, as POST /api/v1/value-streams/{id}/future."""
    from leanmark.valuestream import services
    from leanmark.valuestream.schemas import map_out

    current = _map_in(ws, stream_id)
    future = services.create_future_state(current, name=name, actor=actor)
    show(
        map_out(future),
        as_json=as_json,
        text=f"Value stream {future.pk} created: {future.name}, the future state of "
        f"{current.name} ({future.steps.count()} step(s)).",
    )


@vsm_app.command("revisions")
@workspace_command
def vsm_revisions(
    stream_id: StreamArg,
    limit: Annotated[int, typer.Option(help="At most this many (1–1000).")] = 100,
    ws: Any = None,
    as_json: JsonOpt = False,
) -> None:
    """A map's change history, newest first."""
    from leanmark.valuestream.models import MapRevision
    from leanmark.valuestream.schemas import RevisionOut

    if not 1 <= limit <= 1000:
        fail(f"--limit is from 1 to 1000, not {limit}")
    stream = _map_in(ws, stream_id)
    rows = [RevisionOut.of(r) for r in MapRevision.objects.filter(stream=stream)[:limit]]
    show(
        rows,
        as_json=as_json,
        table={
            "Id": "id",
            "At": lambda row: row["at"][:16].replace("T", " "),
            "Kind": "kind",
            "Change": "summary",
        },
        title=f"{stream.name}: {len(rows)} revision(s)",
    )


@step_app.command("delete")
@workspace_command
def step_delete(step_id: StepArg, ws: Any = None, actor: Any = None) -> None:
    """Remove a step from its map (the map's history records it)."""
    from leanmark.valuestream import services

    step = _step_in(ws, step_id)
    name, stream = step.name, step.stream.name
    services.delete_step(step, actor=actor)
    out.print(f"Step {step_id} deleted from {stream}: {name}.")


@step_app.command("apply")
@workspace_command
def step_apply(
    step_id: StepArg, ws: Any = None, actor: Any = None, as_json: JsonOpt = False
) -> None:
    """Standardise: apply a future-state step to the current map (or, for a current step, its
    copy in the newest future state), recorded as a revision."""
    from leanmark.valuestream import services
    from leanmark.valuestream.schemas import RevisionOut

    revision = RevisionOut.of(services.apply_future_step(_step_in(ws, step_id), actor=actor))
    show(revision, as_json=as_json, text=f"{revision.summary}.")


@step_app.command("columns")
@workspace_command
def step_columns(
    step_id: StepArg,
    columns: Annotated[
        list[str] | None,
        typer.Argument(help="Board columns, by name (on --board) or id; they replace the links."),
    ] = None,
    board: Annotated[
        int | None, typer.Option(help="The board of the columns named (default: the first).")
    ] = None,
    clear: Annotated[bool, typer.Option("--clear", help="Unlink every column.")] = False,
    ws: Any = None,
    actor: Any = None,
    as_json: JsonOpt = False,
) -> None:
    """Measure a step on these board columns, as PUT /api/v1/value-stream-steps/{id}/columns."""
    from leanmark.valuestream import services

    if bool(columns) == clear:
        fail("give the board columns, or --clear to unlink them all")
    step = _step_in(ws, step_id)
    named = [c for c in columns or [] if not c.isdigit()]
    chosen = board_for(ws, board) if named else None
    ids = [int(c) if c.isdigit() else column_named(chosen, c).pk for c in columns or []]
    linked = services.link_columns(step, ids, actor=actor)
    _step_shown(linked, as_json, f"linked to {len(ids)} column(s)" if ids else "unlinked")


@vsm_app.command("show")
def vsm_show(
    stream_id: Annotated[int, typer.Argument(help="The map's id (see `leanmark vsm list`).")],
    workspace: WorkspaceOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """A map's steps and its summary per stage, on the map's time basis."""
    setup_django()
    from leanmark.valuestream.schemas import map_out

    data = map_out(_stream(workspace, stream_id))
    if as_json:
        print_json(data.dict())
        return
    out.print(f"{data.name} ({data.state}) — times on {data.summary.basis_label}")
    table = Table("Stage", "Step", "Owner", "PT", "LT", "%C&A", "Value")
    for step in data.steps:
        table.add_row(
            step.stage,
            step.name,
            step.owner,
            f"{step.pt_value.normalize():f} {step.pt_unit}",
            f"{step.lt_value.normalize():f} {step.lt_unit}",
            f"{step.ca_percent.normalize():f}",
            step.customer_value + (f" ({step.waste_type})" if step.waste_type else ""),
        )
    out.print(table)
    t = data.summary.total
    ratio = "—" if t.activity_ratio is None else f"{t.activity_ratio * 100:.1f} %"
    rolled = "—" if t.rolled_ca is None else f"{t.rolled_ca * 100:.1f} %"
    out.print(
        f"Lead time {t.lead_time} · process time {t.process_time} · wait {t.wait} · "
        f"activity ratio {ratio} · rolled %C&A {rolled} · waste steps {t.waste_steps} · "
        f"monthly cost {t.monthly_cost:,.0f}"
    )


@vsm_app.command("compare")
def vsm_compare(
    current: Annotated[int, typer.Argument(help="The current-state map's id.")],
    future: Annotated[int, typer.Argument(help="The future-state map's id.")],
    workspace: WorkspaceOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Current vs future state: the totals and the steps removed, added and changed."""
    setup_django()
    from leanmark.valuestream.schemas import compare_out

    a, b = _stream(workspace, current), _stream(workspace, future)
    if a.workspace_id != b.workspace_id:
        fail("the two maps belong to different workspaces")
    data = compare_out(a, b)
    if as_json:
        print_json(data.dict())
        return
    c, f = data.current.total, data.future.total
    table = Table("Figure", a.name, b.name)
    for label, x, y in (
        ("Steps", c.steps, f.steps),
        ("Lead time", c.lead_time, f.lead_time),
        ("Process time", c.process_time, f.process_time),
        ("Wait", c.wait, f.wait),
        ("Activity ratio", _pct(c.activity_ratio), _pct(f.activity_ratio)),
        ("Rolled %C&A", _pct(c.rolled_ca), _pct(f.rolled_ca)),
        ("Waste steps", c.waste_steps, f.waste_steps),
        ("Monthly cost", f"{c.monthly_cost:,.0f}", f"{f.monthly_cost:,.0f}"),
    ):
        table.add_row(label, str(x), str(y))
    out.print(table)
    for step in data.steps:
        if step.kind != "same":
            extra = f" ({', '.join(step.fields)})" if step.fields else ""
            out.print(f"{step.kind:8} {step.name}{extra}")


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f} %"


@vsm_app.command("export")
def vsm_export(
    stream_id: Annotated[int, typer.Argument(help="The map's id.")],
    fmt: Annotated[str, typer.Option("--format", "-f", help="svg or png.")] = "svg",
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="File to write (default: a name from the map)."),
    ] = None,
    workspace: WorkspaceOpt = None,
) -> None:
    """Draw the map and write it as SVG or PNG (PNG is rasterised offline by cairosvg)."""
    setup_django()
    from django.utils import timezone

    from leanmark.valuestream import exports

    if fmt not in exports.FORMATS:
        fail(f"unknown format {fmt!r}; use svg or png")
    stream = _stream(workspace, stream_id)
    try:
        content, _ = exports.export(stream, fmt, today=timezone.localdate())
    except exports.ExportUnavailable as error:
        fail(str(error))
    path = output or Path(exports.filename(stream, fmt))
    path.write_bytes(content)
    out.print(f"Wrote {path} ({len(content):,} bytes)")
