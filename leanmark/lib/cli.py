"""What every `leanmark` command shares: output consoles, common options, Django set-up and the
lookups of workspace, acting user, board and column by the names a person types.

Each app's ``cli.py`` imports from here and exposes ``register(app)``; ``leanmark/cli.py`` calls
them. Nothing here imports Django at module level: commands call ``setup_django()`` first, or
are decorated with ``workspace_command``, which does it and resolves ``-w`` and ``--as``; they
print with ``show`` (a table, a line, or JSON with ``--json``).
"""

import functools
import inspect
import json
import os
import secrets
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table
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


def actor_for(workspace: Any, email: str | None, *, need: str = "member") -> Any:
    """The user ``--as`` names (default: an owner), refused when their role is below ``need``
    ("member" to change things, "owner" for what the API keeps to owners)."""
    from leanmark.accounts.models import Membership, Role

    members = Membership.objects.filter(workspace=workspace).select_related("user")
    if email:
        membership = members.filter(user__username=email.lower()).first()
        if membership is None:
            fail(f"{email} is not a member of {workspace.slug}")
    else:
        membership = members.filter(role=Role.OWNER).first()
    if not membership.allows(need):
        if need == Role.OWNER:
            fail(
                f"{membership.user.username} is a {membership.role} of {workspace.slug}; "
                "only an owner can do this"
            )
        fail(
            f"{membership.user.username} is a viewer of {workspace.slug} and cannot change "
            "anything there; ask an owner for member access"
        )
    return membership.user


@contextmanager
def _refusals_reported() -> Iterator[None]:
    """A LeanmarkError is printed with its ``exit_code`` (2 for a WIP limit), a lookup's Http404
    and a validator's ValidationError (a weak password) with exit code 1: never a traceback."""
    from django.core.exceptions import ValidationError
    from django.http import Http404

    from leanmark.lib.errors import LeanmarkError

    try:
        yield
    except LeanmarkError as error:
        fail(error.message, error.exit_code)
    except Http404 as error:
        fail(str(error) or "not found")
    except ValidationError as error:
        fail(" ".join(error.messages))


def django_command(function: Callable[..., Any]) -> Callable[..., Any]:
    """Decorate a command (under ``@app.command``) that needs the database but no workspace
    (migrate, demo, users, tokens): Django is set up first and refusals are reported as
    ``workspace_command`` reports them, so the body is its service call and its output."""

    @functools.wraps(function)
    def command_body(*args: Any, **kwargs: Any) -> Any:
        setup_django()
        with _refusals_reported():
            return function(*args, **kwargs)

    return command_body


def workspace_command(command: Callable[..., Any] | None = None, *, need: str = "member") -> Any:
    """Decorate a command (under ``@app.command``) that works in a workspace.

    The command names its workspace ``ws`` and, when it changes something, its acting user
    ``actor`` among its parameters (``ws: Any = None, actor: Any = None``, where the options
    should be listed). Typer sees ``--workspace/-w SLUG`` and ``--as EMAIL`` in their place; the
    command receives the workspace and the user, after ``setup_django()``, with the role
    ``need`` checked. A LeanmarkError the command lets through is printed with its
    ``exit_code`` (2 for a WIP limit), and a lookup's Http404 with exit code 1, so the body is
    its service call and its output."""

    def decorate(function: Callable[..., Any]) -> Callable[..., Any]:
        signature = inspect.signature(function)
        acts = "actor" in signature.parameters
        options = {"ws": ("workspace", WorkspaceOpt), "actor": ("as_user", AsOpt)}
        parameters = [
            inspect.Parameter(
                options[p.name][0], p.kind, default=None, annotation=options[p.name][1]
            )
            if p.name in options
            else p
            for p in signature.parameters.values()
        ]

        @functools.wraps(function)
        def command_body(*args: Any, workspace: str | None = None, **kwargs: Any) -> Any:
            setup_django()
            ws = workspace_for(workspace)
            if acts:
                kwargs["actor"] = actor_for(ws, kwargs.pop("as_user", None), need=need)
            with _refusals_reported():
                return function(*args, ws=ws, **kwargs)

        command_body.__signature__ = signature.replace(parameters=parameters)  # type: ignore[attr-defined]
        command_body.__annotations__ = {
            p.name: p.annotation for p in parameters if p.annotation is not p.empty
        } | {"return": signature.return_annotation}
        return command_body

    return decorate if command is None else decorate(command)


def _plain(data: Any) -> Any:
    if hasattr(data, "model_dump"):  # a ninja schema
        return data.model_dump(mode="json")
    if isinstance(data, list | tuple):
        return [_plain(item) for item in data]
    return data


def _cell(row: Mapping[str, Any], column: str | Callable[[Any], Any]) -> Any:
    value = column(row) if callable(column) else row.get(column)
    if value is None:
        return "–"
    return value if isinstance(value, Text) else str(value)


def show(
    data: Any,
    *,
    as_json: bool,
    table: Mapping[str, str | Callable[[Any], Any]] | None = None,
    title: str | None = None,
    text: str | None = None,
) -> None:
    """Print what a command found or made: ``data`` (a dict, a list of dicts, a schema or a list
    of schemas) as JSON with --json; otherwise ``text`` and/or a Rich table of ``table``'s
    columns, header → the row's key or a function of the row (None shows as a dash), one row per
    item of a list, or one row for a dict."""
    plain = _plain(data)
    if as_json:
        print_json(plain)
        return
    if text is not None:
        out.print(text)
    if table:
        grid = Table(*table, title=title)
        for row in plain if isinstance(plain, list) else [plain]:
            grid.add_row(*(_cell(row, column) for column in table.values()))
        out.print(grid)


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
