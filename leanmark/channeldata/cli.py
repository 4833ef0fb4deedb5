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


# ---- pull connectors ----------------------------------------------------------------------------

connect_app = typer.Typer(
    help="Connect an account to pull from every day (owners); credentials are stored encrypted.",
    no_args_is_help=True,
)
data_app.add_typer(connect_app, name="connect")


def _secret_file(path: Path, what: str) -> bytes:
    if not path.is_file():
        fail(f"no file {path}")
    if path.stat().st_size > 20_000:
        fail(f"{path} is too large to be {what}")
    return path.read_bytes()


def _connected(found: Any) -> None:
    out.print(
        f"Connected {found.get_source_display()} {found.account} as {found.name!r} (id "
        f"{found.pk}); credentials saved on {formats.day(found.secret_saved_at)}, encrypted. "
        "The worker (`leanmark worker`) pulls the last 28 days now and every day; "
        f"`leanmark data pull --connection {found.pk}` pulls at once."
    )


@connect_app.command("ga4")
@workspace_command(need="owner")
def connect_ga4(
    property_id: Annotated[str, typer.Option("--property", help="The GA4 property id.")],
    credentials: Annotated[
        Path, typer.Option(help="The service account's JSON key file (a Viewer of the property).")
    ],
    name: Annotated[str, typer.Option(help="What to call it (default: GA4 and its id).")] = "",
    ws: Any = None,
    actor: Any = None,
) -> None:
    """Pull a GA4 property daily through the Data API, signed in as a service account."""
    from leanmark.channeldata import connectors

    key = _secret_file(credentials, "a service account key")
    found = connectors.connect(
        ws, "ga4", account=property_id, credentials=key, name=name, actor=actor
    )
    _connected(found)


@connect_app.command("meta")
@workspace_command(need="owner")
def connect_meta(
    account: Annotated[str, typer.Option(help="The ad account id (act_ optional).")],
    token_file: Annotated[
        Path, typer.Option(help="A file holding a system user's access token with ads_read.")
    ],
    name: Annotated[str, typer.Option(help="What to call it (default: Meta Ads and its id).")] = "",
    ws: Any = None,
    actor: Any = None,
) -> None:
    """Pull a Meta ad account daily through the Marketing API's Insights, per ad set and day."""
    from leanmark.channeldata import connectors

    token = _secret_file(token_file, "an access token")
    found = connectors.connect(
        ws, "meta_ads", account=account, credentials=token, name=name, actor=actor
    )
    _connected(found)


@data_app.command("connections")
@workspace_command
def connections(ws: Any = None, as_json: JsonOpt = False) -> None:
    """Connected accounts: last pulled, next pull, last error (never the credentials)."""
    from leanmark.channeldata import connectors
    from leanmark.channeldata.schemas import MarketingConnectionOut

    found = [MarketingConnectionOut.of(c) for c in connectors.connections_of(ws)]
    show(
        found,
        as_json=as_json,
        table={
            "Id": "id",
            "Source": "source_name",
            "Name": "name",
            "Account": "account",
            "Credentials": "credentials",
            "Last pulled": lambda r: _when(r["last_pulled_at"]),
            "Next pull": lambda r: _when(r["next_pull_at"]),
            "Last error": lambda r: r["last_error"] or None,
        },
        title=None if found else "No connections: `leanmark data connect ga4|meta …`",
    )


def _when(value: Any) -> str | None:
    from datetime import datetime

    from django.utils import timezone

    if value is None:
        return None
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return f"{timezone.localtime(moment):%d %b %Y %H:%M}"


@data_app.command("pull")
@workspace_command
def pull(
    connection: Annotated[
        int | None, typer.Option(help="The connection's id (default: every connection).")
    ] = None,
    ws: Any = None,
    actor: Any = None,
) -> None:
    """Pull the last 28 days now and import them, replacing each source's days."""
    from leanmark.channeldata import connectors

    chosen = (
        [connectors.connection_for(ws, connection)]
        if connection is not None
        else connectors.connections_of(ws)
    )
    if not chosen:
        fail("no connections: connect one with `leanmark data connect ga4|meta …`")
    failed = 0
    for found in chosen:
        first, last = connectors.window(_today())
        out.print(
            f"Pulling {found.name} ({found.get_source_display()} {found.account}), "
            f"{formats.day(first)} to {formats.day(last)} …"
        )
        with progress_bar("Importing") as report:
            pulled = connectors.pull(found, actor=actor, progress=report)
        if pulled.error:
            failed += 1
            out.print(f"Nothing imported from {found.name}: {pulled.error}")
            continue
        plan = pulled.result.plan  # type: ignore[union-attr]
        out.print(
            f"Imported {formats.count(len(plan.rows), 'row')} from {found.name}: "
            f"{formats.count(plan.changed_days, 'day')} of {formats.whole(len(plan.days))} "
            f"changed, {formats.count(plan.replaced, 'earlier row')} replaced."
        )
    if failed:
        raise typer.Exit(1)


def _today() -> Any:
    from django.utils import timezone

    return timezone.localdate()


@data_app.command("disconnect")
@workspace_command(need="owner")
def disconnect(
    connection: Annotated[int, typer.Argument(help="The connection's id.")],
    ws: Any = None,
    actor: Any = None,
) -> None:
    """Forget a connection and its credentials (owners); the rows it imported stay."""
    from leanmark.channeldata import connectors

    found = connectors.connection_for(ws, connection)
    connectors.disconnect(found, actor=actor)
    out.print(f"Disconnected {found.name}; its imported rows stay.")
