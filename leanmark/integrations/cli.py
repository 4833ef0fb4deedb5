"""`leanmark` commands of this app; leanmark/cli.py calls ``register(app)``."""

from typing import Annotated

import typer

from leanmark.lib.cli import ensure_secret_key, out, setup_django


def register(app: typer.Typer) -> None:
    """Add this app's commands (sub-apps or commands) to the `leanmark` command."""
    app.command()(worker)


def worker(
    batch: Annotated[
        bool, typer.Option("--batch", help="Run what is due now, then exit (for cron or tests).")
    ] = False,
    interval: Annotated[
        float, typer.Option(help="Seconds between looks at the queue when it is empty.")
    ] = 1.0,
) -> None:
    """Run background jobs (webhook deliveries and their retries) from the database queue.

    Run one or more next to the app servers; each job is taken by exactly one worker."""
    ensure_secret_key()
    setup_django()
    from django.core.management import call_command

    if not batch:
        out.print("Leanmark worker: sending webhook deliveries (Ctrl+C stops it)")
    call_command(
        "db_worker",
        queue_name="*",
        interval=interval,
        batch=batch,
        reload=False,
        startup_delay=not batch,
        verbosity=1,
    )
