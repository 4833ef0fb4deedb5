"""Commands of the marketing-data app (`leanmark import marketing-data`, `leanmark data …`);
leanmark/cli.py calls ``register(app)``."""

from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from leanmark.lib import formats
from leanmark.lib.cli import (
    JsonOpt,
    fail,
    group,
    out,
    progress_bar,
    show,
    workspace_command,
)

data_app = typer.Typer(
    help="Marketing data: what each source holds, imports, currency rates, the channel grouping.",
    no_args_is_help=True,
)

MAX_FILE = 10 * 1024 * 1024


def register(app: typer.Typer) -> None:
    """Add this app's commands to the `leanmark` command."""
    imports = group(app, "import", "Import data from files.")
    imports.command("marketing-data")(import_marketing_data)
    app.add_typer(data_app, name="data")


class Dates(StrEnum):
    FILE = "file"
    DAY = "day"
    MONTH = "month"


@workspace_command
def import_marketing_data(
    file: Annotated[Path, typer.Argument(help="An export of GA4, Google Ads, Meta, Mailchimp, …")],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would change; write nothing.")
    ] = False,
    dates: Annotated[
        Dates,
        typer.Option(help="Read 01/12/2026 as day first, month first, or as the file shows."),
    ] = Dates.FILE,
    ws: Any = None,
    actor: Any = None,
    as_json: JsonOpt = False,
) -> None:
    """Import a tool's export (recognised by its headers): the source's rows on the file's days
    are replaced, all or nothing, and the import is recorded. Prints the change per measure."""
    from leanmark.channeldata import services
    from leanmark.channeldata.schemas import import_out

    if not file.is_file():
        fail(f"no file {file}")
    if file.stat().st_size > MAX_FILE:
        fail(f"{file} is larger than 10 MB; export fewer days")
    day_first = {Dates.DAY: True, Dates.MONTH: False}.get(dates)
    with progress_bar("Importing" if not dry_run else "Checking") as report:
        result = services.import_file(
            ws,
            file.name,
            file.read_bytes(),
            actor=actor,
            dry_run=dry_run,
            day_first=day_first,
            progress=report,
        )
    plan = result.plan
    verb = "Would import" if dry_run else "Imported"
    rows = [
        {"measure": formats.label(m), "before": b, "after": a}
        for m, (b, a) in plan.totals().items()
    ]
    show(
        import_out(result) if as_json else rows,
        as_json=as_json,
        text=f"{verb} {formats.count(len(plan.rows), 'row')} from {plan.source_name}, "
        f"{formats.day(plan.first_day)} to {formats.day(plan.last_day)}: "
        f"{formats.count(plan.changed_days, 'day')} of {formats.whole(len(plan.days))} change, "
        f"{formats.count(plan.replaced, 'earlier row')} replaced."
        + "".join(f"\nNote: {note}" for note in plan.notes),
        table={
            "Measure": "measure",
            "Now": lambda r: formats.number(r["before"]),
            "After": lambda r: formats.number(r["after"]),
        },
    )


@data_app.command("sources")
@workspace_command
def sources(ws: Any = None, as_json: JsonOpt = False) -> None:
    """Each source's days and rows, and its last import."""
    from leanmark.channeldata import queries
    from leanmark.domain.channeldata import SOURCES

    rows = [
        {
            "source": s.source,
            "name": SOURCES.get(s.source, s.source),
            "first_day": s.first_day,
            "last_day": s.last_day,
            "rows": s.rows,
            "last_import": s.last_import.created_at if s.last_import else None,
        }
        for s in queries.sources_of(ws)
    ]
    show(
        rows,
        as_json=as_json,
        table={
            "Source": "name",
            "From": lambda r: formats.day(r["first_day"]),
            "To": lambda r: formats.day(r["last_day"]),
            "Rows": lambda r: formats.whole(r["rows"]),
            "Last import": lambda r: formats.day(r["last_import"]),
        },
        title=None if rows else "No data imported yet",
    )


@data_app.command("imports")
@workspace_command
def imports(
    limit: Annotated[int, typer.Option(help="At most this many, newest first.")] = 20,
    ws: Any = None,
    as_json: JsonOpt = False,
) -> None:
    """Past imports with what each replaced."""
    from leanmark.channeldata import queries
    from leanmark.channeldata.schemas import DataImportOut

    found = [DataImportOut.of(r) for r in queries.imports_of(ws, limit=max(1, min(limit, 1000)))]
    show(
        found,
        as_json=as_json,
        table={
            "Id": "id",
            "When": "at",
            "Source": "source",
            "File": "file_name",
            "Days": lambda r: f"{r['first_day']} – {r['last_day']}",
            "Rows": "rows",
            "Replaced": "replaced",
        },
    )


@data_app.command("unassigned")
@workspace_command
def unassigned(ws: Any = None, as_json: JsonOpt = False) -> None:
    """utm source/medium pairs that no channel rule matched."""
    from leanmark.channeldata import queries

    rows = [vars(u) for u in queries.unassigned(ws)]
    show(
        rows,
        as_json=as_json,
        table={"utm_source": "utm_source", "utm_medium": "utm_medium", "Rows": "rows"},
    )


@data_app.command("rate")
@workspace_command(need="owner")
def rate(
    currency: Annotated[str, typer.Argument(help="Three letters, e.g. USD.")],
    value: Annotated[
        str, typer.Argument(help="1 CURRENCY in the workspace's currency; '' removes it.")
    ],
    ws: Any = None,
    actor: Any = None,
) -> None:
    """Set the exchange rate of a currency into the workspace's currency (owners)."""
    from leanmark.channeldata import services

    found = services.set_rate(ws, currency, value, actor=actor)
    if found is None:
        out.print(f"Removed the rate of {currency.strip().upper()}.")
    else:
        out.print(f"1 {found.currency} = {found.rate.normalize():f}.")


@data_app.command("stage")
@workspace_command(need="owner")
def stage(
    channel: Annotated[str, typer.Argument(help="A channel, e.g. paid_search or 'Paid search'.")],
    value: Annotated[str, typer.Argument(help="know, like, trust, try, buy, repeat, refer or ''.")],
    ws: Any = None,
    actor: Any = None,
) -> None:
    """Count a channel's imported spend and revenue in an hourglass stage (ROI by stage)."""
    from leanmark.channeldata import queries, services

    services.set_stages(ws, {channel: value}, actor=actor)
    key = queries.channel_key(channel)
    now = queries.stages_of(ws).get(key)
    out.print(
        f"{formats.label(key)} counts in {now}." if now else f"{formats.label(key)} has no stage."
    )
