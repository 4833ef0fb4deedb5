"""`leanmark vsm …`: value stream maps from the command line (list, show, compare, export)."""

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from leanmark.lib.cli import (
    JsonOpt,
    WorkspaceOpt,
    fail,
    out,
    print_json,
    setup_django,
    workspace_for,
)

vsm_app = typer.Typer(help="Value stream maps of the Marketing Hourglass.", no_args_is_help=True)


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
def vsm_list(workspace: WorkspaceOpt = None, as_json: JsonOpt = False) -> None:
    """The maps of a workspace with their totals."""
    setup_django()
    from leanmark.valuestream import queries
    from leanmark.valuestream.schemas import StreamOut

    ws = workspace_for(workspace)
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
