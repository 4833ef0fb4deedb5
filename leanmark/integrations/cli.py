"""`leanmark` commands of this app; leanmark/cli.py calls ``register(app)``."""

from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from leanmark.lib.cli import (
    JsonOpt,
    django_command,
    err,
    fail,
    group,
    out,
    progress_bar,
    show,
    workspace_command,
)

webhook_app = typer.Typer(
    help="Webhooks: signed POSTs of the workspace's events (owners).", no_args_is_help=True
)


class ExportFormat(StrEnum):
    json = "json"
    csv = "csv"


def register(app: typer.Typer) -> None:
    """Add this app's commands (sub-apps or commands) to the `leanmark` command."""
    app.command()(worker)
    app.command()(backup)
    app.command()(restore)
    group(app, "export", "Export data as files.").command("workspace")(export_workspace)
    group(app, "import", "Import data from files.").command("trello")(import_trello)
    app.add_typer(webhook_app, name="webhook")


def _hook_json(hook: Any) -> dict[str, Any]:
    return {
        "id": hook.pk,
        "url": hook.url,
        "events": hook.events,
        "active": hook.active,
        "created_at": hook.created_at.isoformat(),
    }


@webhook_app.command("list")
@workspace_command(need="owner")
def webhook_list(
    ws: Any = None,
    actor: Any = None,  # only checked: webhooks are an owner's
    as_json: JsonOpt = False,
) -> None:
    """The workspace's webhooks: where each sends which events (owners only)."""
    from leanmark.integrations.models import Webhook  # no query module: the page reads it so too

    rows = [_hook_json(h) for h in Webhook.objects.filter(workspace=ws)]
    show(
        rows,
        as_json=as_json,
        table={
            "Id": "id",
            "URL": "url",
            "Events": lambda row: ", ".join(row["events"]),
            "Active": lambda row: "yes" if row["active"] else "paused",
        },
        title=f"Webhooks of {ws.slug}",
    )


@webhook_app.command("add")
@workspace_command(need="owner")
def webhook_add(
    url: Annotated[str, typer.Argument(help="The http(s) URL to POST each event to.")],
    event: Annotated[
        list[str] | None,
        typer.Option(
            help="An event group: card.*, idea.*, experiment.*, improvement.*, impediment.*, "
            "standup.*, valuestream.* or * (everything); repeat it. Default: card.*."
        ),
    ] = None,
    ws: Any = None,
    actor: Any = None,
    as_json: JsonOpt = False,
) -> None:
    """Add a webhook (owners only) and print its signing secret."""
    from leanmark.integrations import services

    try:
        hook = services.create_webhook(ws, url=url, events=event or ["card.*"], actor=actor)
    except services.WebhookError as error:
        fail(error.message)
    show(
        _hook_json(hook) | {"secret": hook.secret},
        as_json=as_json,
        text=f"Webhook {hook.pk} sends {', '.join(hook.events)} to {hook.url}. Deliveries are "
        f"signed in {services.SIGNATURE_HEADER} with the secret {hook.secret}",
    )


@webhook_app.command("remove")
@workspace_command(need="owner")
def webhook_remove(
    hook_id: Annotated[int, typer.Argument(help="The webhook's id (see `webhook list`).")],
    ws: Any = None,
    actor: Any = None,
) -> None:
    """Delete a webhook and its delivery log (owners only)."""
    from leanmark.integrations import services
    from leanmark.integrations.models import Webhook

    hook = Webhook.objects.filter(workspace=ws, pk=hook_id).first()
    if hook is None:
        fail(f"no webhook {hook_id} in {ws.slug}; `leanmark webhook list` shows the ids")
    services.delete_webhook(hook, actor=actor)
    out.print(f"Webhook {hook_id} to {hook.url} deleted.")


@workspace_command
def import_trello(
    file: Annotated[Path, typer.Argument(help="A board exported from Trello as JSON.")],
    ws: Any = None,
    name: Annotated[
        str | None, typer.Option(help="The new board's name (default: Trello's).")
    ] = None,
    done_list: Annotated[
        str | None,
        typer.Option(help="The Trello list that is the done column (default: chosen by name)."),
    ] = None,
    start_list: Annotated[
        str | None,
        typer.Option(help="The Trello list where work starts (default: chosen by name)."),
    ] = None,
    queue_lists: Annotated[
        str | None,
        typer.Option(
            help="Comma-separated Trello lists where work waits (default: chosen by name; "
            "'' for none)."
        ),
    ] = None,
) -> None:
    """A new board from a Trello export: open lists, cards, labels, members, checklists,
    comments, attachment links, archived cards and card moves as back-dated events. Prints the
    done, start and queue columns it chose. All or nothing."""
    from leanmark.integrations import trello

    if not file.is_file():
        fail(f"{file} is not a file")
    if file.stat().st_size > trello.MAX_BYTES:
        fail(
            f"{file} has {file.stat().st_size / 1e6:.0f} MB; a Trello export is at most 50 MB here"
        )
    try:
        data = trello.load(file.read_bytes())
        with progress_bar(f"Importing {file.name}") as report:
            result = trello.import_board(
                ws,
                data,
                name=name,
                progress=report,
                done_list=done_list,
                start_list=start_list,
                queue_lists=None if queue_lists is None else queue_lists.split(","),
            )
    except trello.TrelloError as error:
        fail(f"{error.message}. Nothing was imported.")
    out.print(
        f"Imported {result.cards} cards ({result.archived} archived, {result.moves} moves) "
        f"into the new board {result.board.name!r} (id {result.board.pk})."
    )
    if result.unmatched_members:
        out.print(
            "Trello members who are not members here: "
            + ", ".join(result.unmatched_members)
            + " (their cards are imported unassigned; invite them and assign later)."
        )
    for line in result.summary():
        out.print(line)
    out.print(
        "Not the right columns? Import again with --done-list, --start-list or --queue-lists, "
        "or change them in the board's settings."
    )


@workspace_command
def export_workspace(
    output: Annotated[Path, typer.Option("--output", "-o", help="The file to write.")],
    ws: Any = None,
    format: Annotated[
        ExportFormat, typer.Option(help="json: one document; csv: a zip of one CSV per entity.")
    ] = ExportFormat.json,
) -> None:
    """Everything in a workspace (cards, events, ideas, experiments, maps, metrics…) as files."""
    from leanmark.accounts.services import audit
    from leanmark.integrations import exports

    if output.exists() and output.is_dir():
        fail(f"{output} is a folder; give a file name")
    partial = output.with_name(output.name + ".partial")
    try:
        with progress_bar(f"Exporting {ws.slug}") as report:

            def progress(done: int, total: int, label: str) -> None:
                report(done, total)

            if format == ExportFormat.json:
                with partial.open("w", encoding="utf-8") as handle:
                    counts = exports.write_json(ws, handle, progress=progress)
            else:
                with partial.open("wb") as handle:
                    counts = exports.write_csv_zip(ws, handle, progress=progress)
        partial.replace(output)  # a crash leaves no half-written file under the real name
    except OSError as error:
        partial.unlink(missing_ok=True)
        fail(f"could not write {output}: {error.strerror or error}")
    audit(ws, None, "export", f"command line, {format.value}, {sum(counts.values())} rows")
    err.print(f"{sum(counts.values()):,} rows of {len(counts)} kinds written to {output}.")


@django_command
def worker(
    batch: Annotated[
        bool, typer.Option("--batch", help="Run what is due now, then exit (for cron or tests).")
    ] = False,
    interval: Annotated[
        float, typer.Option(help="Seconds between looks at the queue when it is empty.")
    ] = 1.0,
) -> None:
    """Run background jobs from the database queue: webhook deliveries and their retries, and
    the daily pulls of connected marketing accounts.

    Run one or more next to the app servers; each job is taken by exactly one worker."""
    from django.core.management import call_command

    from leanmark.integrations.services import recover_abandoned_jobs

    recovered = recover_abandoned_jobs()
    from leanmark.channeldata.connectors import schedule_missing

    schedule_missing()  # a connection whose daily pull job was lost gets one again
    if not batch:
        out.print("Leanmark worker: webhook deliveries and daily data pulls (Ctrl+C stops it)")
    if recovered:
        out.print(f"Put back {recovered} delivery job(s) whose worker had stopped mid-delivery")
    call_command(
        "db_worker",
        queue_name="*",
        interval=interval,
        batch=batch,
        reload=False,
        startup_delay=not batch,
        verbosity=1,
    )


@django_command
def backup(
    file: Annotated[Path, typer.Argument(help="The backup file to write (a zip).")],
) -> None:
    """A consistent snapshot of the whole database, with a manifest and a SHA-256 checksum."""
    from leanmark.integrations.backup import BackupError
    from leanmark.integrations.backup import backup as make_backup

    if file.exists():
        fail(f"{file} exists; choose a new file name (backups are never overwritten)")
    try:
        with progress_bar("Backing up") as report:
            manifest = make_backup(file, progress=report)
    except (BackupError, OSError) as error:
        fail(str(error))
    out.print(
        f"Backed up the {manifest['engine']} database to {file} "
        f"({manifest['size']:,} bytes, sha256 {manifest['sha256'][:16]}…)."
    )


@django_command
def restore(
    file: Annotated[Path, typer.Argument(help="A file written by `leanmark backup`.")],
) -> None:
    """Restore a backup into an EMPTY database (refused otherwise); the checksum is verified."""
    from leanmark.integrations.backup import BackupError
    from leanmark.integrations.backup import restore as do_restore

    try:
        with progress_bar("Restoring") as report:
            manifest = do_restore(file, progress=report)
    except BackupError as error:
        fail(f"{error}")
    out.print(
        f"Restored the backup of {manifest['created_at']} ({len(manifest['migrations'])} "
        "migrations). Run `leanmark migrate` if this release is newer than the backup."
    )
