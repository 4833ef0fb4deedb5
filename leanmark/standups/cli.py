"""`leanmark` commands of this app; leanmark/cli.py calls ``register(app)``."""

import typer


def register(app: typer.Typer) -> None:
    """Add this app's commands (sub-apps or commands) to the `leanmark` command."""
