"""What every `leanmark` command shares: output consoles, common options, Django set-up and the
lookups of workspace, acting user, board and column by the names a person types.

Each app's ``cli.py`` imports from here and exposes ``register(app)``; ``leanmark/cli.py`` calls
them. Nothing here imports Django at module level: commands call ``setup_django()`` first.
"""

import json
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.text import Text

# markup=False: card titles and user input are printed as they are, never read as Rich markup.
out = Console(highlight=False, soft_wrap=True, markup=False)
err = Console(stderr=True, highlight=False, soft_wrap=True, markup=False)

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
WorkspaceOpt = Annotated[
    str | None, typer.Option("--workspace", "-w", help="Workspace slug (default: your only one).")
]
AsOpt = Annotated[
    str | None,
    typer.Option(
        "--as", envvar="LEANMARK_USER", help="Act as this user's e-mail (default: an owner)."
    ),
]


_groups: dict[str, typer.Typer] = {}


def group(app: typer.Typer, name: str, help_text: str) -> typer.Typer:
    """A command group several apps add to (`leanmark import …`, `leanmark export …`): created
    and added to ``app`` by the first app that asks, shared by the others."""
    if name not in _groups:
        _groups[name] = typer.Typer(help=help_text, no_args_is_help=True)
        app.add_typer(_groups[name], name=name)
    return _groups[name]


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "leanmark.settings")
    ensure_secret_key()
    import django

    django.setup()


def ensure_secret_key() -> None:
    """Without SECRET_KEY, generate one once and keep it in the data directory (`make run`)."""
    if os.environ.get("SECRET_KEY") or os.environ.get("SECRET_KEY_FILE"):
        return
    data_dir = Path(
        os.environ.get("LEANMARK_DATA_DIR", Path(__file__).resolve().parent.parent / "data")
    )
    data_dir.mkdir(parents=True, exist_ok=True)
    key_file = data_dir / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    os.environ["SECRET_KEY_FILE"] = str(key_file)


def fail(message: str, code: int = 1) -> NoReturn:
    err.print(Text.assemble(("Error:", "red"), f" {message}"))
    raise typer.Exit(code)


def print_json(data: Any) -> None:
    out.print_json(json.dumps(data, default=str))


def workspace_for(slug: str | None) -> Any:
    from leanmark.accounts.models import Workspace

    if slug:
        workspace = Workspace.objects.filter(slug=slug).first()
        if workspace is None:
            fail(f"no workspace {slug!r}; the web app's workspace switcher shows the slugs")
        return workspace
    workspaces = list(Workspace.objects.order_by("name")[:2])
    if len(workspaces) != 1:
        fail("there are several workspaces (or none); name one with --workspace SLUG")
    return workspaces[0]


def actor_for(workspace: Any, email: str | None) -> Any:
    from leanmark.accounts.models import Membership, Role

    members = Membership.objects.filter(workspace=workspace).select_related("user")
    if email:
        membership = members.filter(user__username=email.lower()).first()
        if membership is None:
            fail(f"{email} is not a member of {workspace.slug}")
    else:
        membership = members.filter(role=Role.OWNER).first()
    if not membership.allows(Role.MEMBER):
        fail(f"{membership.user.username} is a viewer and cannot change cards")
    return membership.user


def board_for(workspace: Any, board_id: int | None) -> Any:
    from leanmark.board import queries

    boards = queries.boards_of(workspace)
    if board_id is not None:
        board = next((b for b in boards if b.pk == board_id), None)
        if board is None:
            fail(f"no board {board_id} in {workspace.slug}")
        return board
    if not boards:
        fail(f"{workspace.slug} has no board yet")
    return boards[0]


def column_named(board: Any, name: str) -> Any:
    columns = list(board.columns.order_by("position"))
    match = [c for c in columns if c.name.lower() == name.lower()]
    if not match:
        fail(
            f"no column {name!r} on {board.name}; columns are: {', '.join(c.name for c in columns)}"
        )
    return match[0]


@contextmanager
def progress_bar(description: str) -> Iterator[Any]:
    """A Rich progress bar; yields ``report(done, total)`` for services' progress callbacks."""
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=out,
        transient=False,
    ) as progress:
        task = progress.add_task(description, total=None)

        def report(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        yield report
