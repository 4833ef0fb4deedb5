"""The `leanmark` command: a thin layer over the same services and queries the web app uses.

The core commands (serve, migrate, demo, user, token, board, column, card) live here; each
capability's app adds its own commands through ``register(app)`` in its ``cli.py`` (see the end
of this file).
Shared helpers are in ``leanmark/lib/cli.py``.
"""

import os
import signal
import socket
import subprocess
import sys
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, Progress, TextColumn
from rich.table import Table
from rich.text import Text

from leanmark.lib.cli import (
    JsonOpt,
    board_for,
    column_named,
    django_command,
    err,
    fail,
    out,
    print_json,
    show,
    workspace_command,
)

app = typer.Typer(
    help="Leanmark: lean marketing, self-hosted.", no_args_is_help=True, add_completion=False
)
user_app = typer.Typer(help="People: create users, reset passwords.", no_args_is_help=True)
token_app = typer.Typer(help="Personal API tokens.", no_args_is_help=True)
board_app = typer.Typer(help="Boards: show, create, edit.", no_args_is_help=True)
column_app = typer.Typer(
    help="A board's columns: add, edit (name, kind, WIP limits, policy).", no_args_is_help=True
)
card_app = typer.Typer(
    help="Cards: list, add, move, edit, block, unblock, archive, restore.", no_args_is_help=True
)
app.add_typer(user_app, name="user")
app.add_typer(token_app, name="token")
app.add_typer(board_app, name="board")
app.add_typer(column_app, name="column")
app.add_typer(card_app, name="card")

BoardOpt = Annotated[int | None, typer.Option(help="Board id (default: the first).")]


@app.command()
@django_command
def serve(
    host: Annotated[str, typer.Option(help="Address to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to bind.")] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes.")] = 2,
    jobs: Annotated[
        bool,
        typer.Option(
            help="Also run one background-job worker (webhook deliveries, daily data pulls); "
            "--no-jobs when `leanmark worker` runs elsewhere."
        ),
    ] = True,
) -> None:
    """Run the production server (gunicorn + WhiteNoise) after collecting static files."""
    from django.conf import settings
    from django.core.management import call_command

    busy = _port_taken(host, port)
    if busy:
        fail(
            f"cannot listen on {host}:{port}: {busy}. Is Leanmark (or another program) already "
            "running there? Stop it, or choose another port with --port."
        )
    call_command("collectstatic", interactive=False, verbosity=0)
    database = settings.DATABASES["default"]
    out.print(f"Database: {database['ENGINE'].rsplit('.', 1)[-1]} {database.get('NAME')}")
    _print_demo_logins()
    warning = proxy_warning(
        host, settings.LEANMARK_PROXY_COUNT, https=settings.SESSION_COOKIE_SECURE
    )
    if warning:
        out.print(Text(warning, style="yellow"))
    url = f"http://{host}:{port}/"
    out.print(Text.assemble("Leanmark is running at ", (url, "bold"), "  (Ctrl+C stops it)"))
    args = [
        sys.executable,
        "-m",
        "gunicorn",
        "leanmark.wsgi:application",
        "--worker-class",  # gunicorn's, with the API's JSON envelope on its own error answers
        "leanmark.lib.server.Worker",
        "--bind",
        f"{host}:{port}",
        "--workers",
        str(workers),
        "--access-logfile",
        "-",
        "--graceful-timeout",
        "10",
    ]
    if jobs:  # a child of this process: Ctrl+C (the process group's SIGINT) stops it too, and
        # on Linux so does the server's end however it comes (kill, a failed start)
        subprocess.Popen(
            [sys.executable, "-m", "leanmark.cli", "worker"], preexec_fn=_die_with_parent
        )
        out.print("Background jobs: one worker started (webhook deliveries, daily data pulls)")
    os.execv(sys.executable, args)  # noqa: S606 (replaces this process with the server; fixed arguments)


def proxy_warning(host: str, proxies: int, *, https: bool) -> str:
    """What `serve` says when the server looks reachable through a proxy it does not count:
    every client then has the proxy's address, and one stranger can keep anyone locked out."""
    if proxies or (host in {"127.0.0.1", "localhost", "::1"} and not https):
        return ""
    return (
        "Warning: LEANMARK_PROXY_COUNT is 0. If a reverse proxy or load balancer forwards to this "
        "server, every client will have the proxy's address: sign-in lockouts and the audit trail "
        "cannot tell people apart, and a stranger's wrong passwords can lock out a user who signs "
        "in from a new browser. Set LEANMARK_PROXY_COUNT to the number of proxies (docs/deploy.md)."
    )


def _port_taken(host: str, port: int) -> str:
    """Why ``host:port`` cannot be listened on ("" when it can), found before anything starts:
    gunicorn would print "running", retry for five seconds and exit, leaving the worker behind."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as gunicorn binds
            probe.bind(address)
    except OSError as error:
        return error.strerror or str(error)
    return ""


def _die_with_parent() -> None:
    """In the worker child, before it runs: the kernel sends it SIGTERM when its parent (the
    server) ends, so a killed server leaves no worker sending webhooks on its own."""
    if sys.platform.startswith("linux"):
        import ctypes

        pr_set_pdeathsig = 1
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)


@app.command()
@django_command
def migrate() -> None:
    """Create or update the database tables."""
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=1)


def _print_demo_logins() -> None:
    from leanmark.demo.generator import DEMO_PEOPLE, demo_exists

    if not demo_exists():
        return
    table = Table("E-mail", "Password", "Role", title="Demo logins (Northwind Coffee Roasters)")
    for email, _name, role, password in DEMO_PEOPLE:
        table.add_row(email, password, role)
    out.print(table)


@app.command()
@django_command
def demo(
    reset: Annotated[
        bool, typer.Option("--reset", help="Delete and rebuild the demo workspace.")
    ] = False,
    seed: Annotated[
        int, typer.Option(help="Random seed: the same seed gives the same history.")
    ] = 42,
    if_empty: Annotated[
        bool, typer.Option("--if-empty", help="Load only into an empty database.")
    ] = False,
) -> None:
    """Load the Northwind Coffee Roasters demo workspace."""
    from leanmark.accounts.models import User
    from leanmark.demo.generator import DemoExists, demo_exists, load_demo

    if if_empty and User.objects.exists():
        out.print("The database already has users; the demo was not loaded.")
        return
    if demo_exists() and not reset:
        fail("the demo workspace is already loaded. `leanmark demo --reset` rebuilds it.")
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        console=out,
        transient=False,
    ) as progress:
        task = progress.add_task("Loading the demo workspace", total=None)

        def report(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        try:
            workspace = load_demo(seed=seed, reset=reset, progress=report)
        except DemoExists as error:
            fail(f"{error}. `leanmark demo --reset` rebuilds it.")
    out.print(Text.assemble("Demo workspace ", (workspace.name, "bold"), " is ready."))
    if not if_empty:  # with --if-empty (`make run`), `serve` prints the logins next
        _print_demo_logins()


@user_app.command("create")
@django_command
def user_create(
    email: str,
    password: Annotated[
        str | None, typer.Option(help="Password; prompted for when omitted.")
    ] = None,
    name: Annotated[str, typer.Option(help="Display name.")] = "",
    workspace: Annotated[
        str | None, typer.Option(help="Also create this workspace, owned by the user.")
    ] = None,
) -> None:
    """Create a user (and optionally a workspace they own)."""
    from leanmark.accounts import services

    if password is None:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    user = services.create_user(email=email, password=password, display_name=name)
    if workspace:
        ws = services.create_workspace(name=workspace, owner=user)
        out.print(f"Workspace {ws.name} created (slug {ws.slug}); {user.username} is its owner.")
    out.print(f"User {user.username} created.")


@user_app.command("set-password")
@django_command
def user_set_password(
    email: str,
    password: Annotated[
        str | None, typer.Option(help="New password; prompted for when omitted.")
    ] = None,
) -> None:
    """Reset a user's password (the way to recover a forgotten one)."""
    from leanmark.accounts import services
    from leanmark.accounts.models import User

    user = User.objects.filter(username=email.lower().strip()).first()
    if user is None:
        fail(f"no user with e-mail {email}")
    if password is None:
        password = typer.prompt("New password", hide_input=True, confirmation_prompt=True)
    services.set_password(user, password)
    out.print(f"Password of {user.username} changed.")


@token_app.command("create")
@django_command
def token_create(
    email: str,
    name: Annotated[str, typer.Option(help="What the token is for.")] = "cli",
) -> None:
    """Create a personal API token for a user and print it once."""
    from leanmark.accounts import services
    from leanmark.accounts.models import User

    user = User.objects.filter(username=email.lower().strip()).first()
    if user is None:
        fail(f"no user with e-mail {email}")
    new = services.create_token(user, name)
    err.print(f"Token {name!r} for {user.username} (shown once; store it now):")
    out.print(new.secret)


@app.command("members")
@workspace_command
def members(ws: Any = None, as_json: JsonOpt = False) -> None:
    """The workspace's members and their roles, as GET /workspaces/{slug}/members."""
    from leanmark.accounts import queries

    rows = [
        {
            "user_id": m.user.pk,
            "email": m.user.email,
            "name": m.user.label,
            "role": m.role,
            "joined_at": m.joined_at.isoformat(),
        }
        for m in queries.members_of(ws)
    ]
    show(
        rows,
        as_json=as_json,
        table={
            "Name": "name",
            "E-mail": "email",
            "Role": "role",
            "Joined": lambda r: r["joined_at"][:10],
        },
        title=f"{ws.name}: {len(rows)} member(s)",
    )


@board_app.command("show")
@workspace_command
def board_show(ws: Any = None, board: BoardOpt = None, as_json: JsonOpt = False) -> None:
    """Columns of a board with their card count and WIP limit."""
    from django.utils import timezone

    from leanmark.board import queries

    chosen = board_for(ws, board)
    view = queries.board_view(chosen, now=timezone.now(), done_shown=0)
    rows = [
        {
            "column": cv.column.name,
            "count": cv.count,
            "limit": cv.column.wip_limit,
            "policy": cv.column.policy,
            "kind": cv.column.kind,
            "state": cv.limit_state,
        }
        for cv in view.columns
    ]
    if as_json:
        print_json({"board": chosen.name, "id": chosen.pk, "columns": rows})
        return
    table = Table(
        "Column", "Cards", "Limit", "Policy", "Kind", title=f"{chosen.name} (board {chosen.pk})"
    )
    colours = {"at": "yellow", "over": "red", "ok": ""}
    for row in rows:
        limit = "–" if row["limit"] is None else str(row["limit"])
        style = colours[row["state"]]
        count = Text(str(row["count"]), style=style)
        policy = "–" if row["limit"] is None else row["policy"]
        table.add_row(row["column"], count, limit, policy, row["kind"])
    out.print(table)


def _board_json(board: Any) -> dict[str, Any]:
    return {
        "id": board.pk,
        "name": board.name,
        "start_column": board.start_column.name,
        "done_column": board.done_column.name,
        "expedite_limit": board.expedite_limit,
        "columns": [c.name for c in board.columns.order_by("position")],
    }


@board_app.command("create")
@workspace_command(need="owner")
def board_create(
    name: Annotated[str, typer.Argument(help="The board's name (1 to 100 characters).")],
    ws: Any = None,
    actor: Any = None,  # only checked: an owner creates boards
    as_json: JsonOpt = False,
) -> None:
    """Create a board with the columns Ready, Doing, Review and Done (owners only).

    Work starts in Doing and ends in Done; change that with `board edit`, and the columns with
    `column add` and `column edit`."""
    from leanmark.board import services

    board = services.create_board(ws, name)
    show(_board_json(board), as_json=as_json, text=f"Board {board.pk} created: {board.name}.")


@board_app.command("edit")
@workspace_command(need="owner")
def board_edit(
    board: BoardOpt = None,
    name: Annotated[str | None, typer.Option(help="Rename the board.")] = None,
    start: Annotated[
        str | None, typer.Option(help="The column where work starts (cycle time counts from it).")
    ] = None,
    done: Annotated[str | None, typer.Option(help="The column where work is done.")] = None,
    expedite_limit: Annotated[
        int | None, typer.Option(help="How many expedite cards the board takes at once.")
    ] = None,
    ws: Any = None,
    actor: Any = None,  # only checked: an owner changes boards
    as_json: JsonOpt = False,
) -> None:
    """Rename a board, or change its start and done columns or expedite limit (owners only).

    What is not given keeps its value."""
    from leanmark.board import services

    chosen = board_for(ws, board)
    edited = services.update_board(
        chosen,
        name=chosen.name if name is None else name,
        start_column=column_named(chosen, start) if start else chosen.start_column,
        done_column=column_named(chosen, done) if done else chosen.done_column,
        expedite_limit=chosen.expedite_limit if expedite_limit is None else expedite_limit,
    )
    show(
        _board_json(edited),
        as_json=as_json,
        text=f"Board {edited.pk} is {edited.name}: work starts in {edited.start_column.name}, "
        f"ends in {edited.done_column.name}; expedite limit {edited.expedite_limit}.",
    )


def _column_line(column: Any) -> str:
    limit = "no WIP limit" if column.wip_limit is None else f"WIP limit {column.wip_limit}"
    per_person = (
        "" if column.per_person_limit is None else f", {column.per_person_limit} per person"
    )
    return f"{column.name}: {column.kind}, {limit} ({column.policy}){per_person}"


LimitOpt = Annotated[int | None, typer.Option("--limit", help="WIP limit (0 to 999).")]
PerPersonOpt = Annotated[
    int | None, typer.Option("--per-person", help="Cards one person may hold in it (0 to 999).")
]


@column_app.command("add")
@workspace_command(need="owner")
def column_add(
    name: Annotated[str, typer.Argument(help="The column's name (at most 60 characters).")],
    kind: Annotated[
        str, typer.Option(help="queue (work waits in it) or active (work is done in it).")
    ] = "active",
    limit: LimitOpt = None,
    policy: Annotated[
        str, typer.Option(help="soft (a full column takes a card with a reason) or hard.")
    ] = "soft",
    per_person: PerPersonOpt = None,
    board: BoardOpt = None,
    ws: Any = None,
    actor: Any = None,  # only checked: an owner changes columns
    as_json: JsonOpt = False,
) -> None:
    """Add a column just before the done column (owners only); no limit unless --limit."""
    from leanmark.board import services
    from leanmark.board.schemas import ColumnOut

    chosen = board_for(ws, board)
    spec = services.ColumnSpec(name, kind, limit, policy, per_person)
    column = services.add_column(chosen, spec, before=chosen.done_column)
    show(
        ColumnOut.of(column),
        as_json=as_json,
        text=f"Column added to {chosen.name}: {_column_line(column)}.",
    )


@column_app.command("edit")
@workspace_command(need="owner")
def column_edit(
    column: Annotated[str, typer.Argument(help="The column's name (any case).")],
    name: Annotated[str | None, typer.Option(help="Rename the column.")] = None,
    kind: Annotated[str | None, typer.Option(help="queue or active.")] = None,
    limit: LimitOpt = None,
    no_limit: Annotated[bool, typer.Option("--no-limit", help="Remove the WIP limit.")] = False,
    policy: Annotated[str | None, typer.Option(help="soft or hard.")] = None,
    per_person: PerPersonOpt = None,
    no_per_person: Annotated[
        bool, typer.Option("--no-per-person", help="Remove the per-person limit.")
    ] = False,
    board: BoardOpt = None,
    ws: Any = None,
    actor: Any = None,  # only checked: an owner changes columns
    as_json: JsonOpt = False,
) -> None:
    """Change a column's name, kind, WIP limit, policy or per-person limit (owners only).

    What is not given keeps its value. A limit below the cards in it is allowed: it shows as
    over."""
    from leanmark.board import services
    from leanmark.board.schemas import ColumnOut

    if (no_limit and limit is not None) or (no_per_person and per_person is not None):
        fail("give a limit or remove it, not both")
    found = column_named(board_for(ws, board), column)
    spec = services.ColumnSpec(
        name=found.name if name is None else name,
        kind=kind or found.kind,
        wip_limit=None if no_limit else (found.wip_limit if limit is None else limit),
        policy=policy or found.policy,
        per_person_limit=None
        if no_per_person
        else (found.per_person_limit if per_person is None else per_person),
    )
    edited = services.update_column(found, spec)
    show(ColumnOut.of(edited), as_json=as_json, text=f"Column {_column_line(edited)}.")


def _card_json(card: Any) -> dict[str, Any]:
    return {
        "number": card.number,
        "id": card.pk,
        "title": card.title,
        "column": card.column.name,
        "lane": card.lane,
        "version": card.version,
    }


@card_app.command("list")
@workspace_command
def card_list(
    column: Annotated[str | None, typer.Option(help="Only this column.")] = None,
    lane: Annotated[str, typer.Option(help="Only this lane.")] = "",
    ws: Any = None,
    board: BoardOpt = None,
    limit: Annotated[int, typer.Option(help="At most this many cards.")] = 200,
    as_json: JsonOpt = False,
) -> None:
    """Live cards of a board, by number."""
    from leanmark.board import queries
    from leanmark.board.choices import Lane

    chosen = board_for(ws, board)
    column_id = column_named(chosen, column).pk if column else None
    if lane and lane not in Lane.values:
        fail(f"unknown lane {lane!r}; choose one of {', '.join(Lane.values)}")
    cards, _ = queries.cards_page(
        chosen, column=column_id, lane=lane, limit=max(1, min(limit, 5000))
    )
    rows = [_card_json(c) | {"blocked": c.is_blocked} for c in cards]
    show(
        rows,
        as_json=as_json,
        table={
            "#": "number",
            "Title": "title",
            "Column": "column",
            "Lane": "lane",
            "Blocked": lambda row: "yes" if row["blocked"] else "",
        },
        title=f"{chosen.name}: {len(rows)} card(s)",
    )


@card_app.command("add")
@workspace_command
def card_add(
    title: str,
    column: Annotated[str | None, typer.Option(help="Column name (default: the first).")] = None,
    lane: Annotated[
        str, typer.Option(help="expedite, fixed_date, standard or intangible.")
    ] = "standard",
    stage: Annotated[str, typer.Option(help="Hourglass stage.")] = "",
    reason: Annotated[str, typer.Option(help="Reason to go over a full soft limit.")] = "",
    ws: Any = None,
    board: BoardOpt = None,
    actor: Any = None,
    as_json: JsonOpt = False,
) -> None:
    """Add a card."""
    from leanmark.board import services

    chosen = board_for(ws, board)
    target = column_named(chosen, column) if column else None
    card = services.create_card(
        chosen, title=title, column=target, lane=lane, stage=stage, reason=reason, actor=actor
    )
    show(
        _card_json(card),
        as_json=as_json,
        text=f"Card #{card.number} created in {card.column.name}.",
    )


@card_app.command("move")
@workspace_command
def card_move(
    card: Annotated[int, typer.Argument(help="Card number (as shown on the board, without #).")],
    column: Annotated[str, typer.Argument(help="Target column name.")],
    lane: Annotated[str | None, typer.Option(help="Target lane (default: unchanged).")] = None,
    reason: Annotated[str, typer.Option(help="Reason to go over a full soft limit.")] = "",
    ws: Any = None,
    actor: Any = None,
    as_json: JsonOpt = False,
) -> None:
    """Move a card to another column; exit code 2 when a WIP limit refuses it."""
    from leanmark.board import services

    found = _card(ws, card)
    target = column_named(found.board, column)
    moved = services.move_card(found, to_column=target, lane=lane, reason=reason, actor=actor)
    show(
        _card_json(moved),
        as_json=as_json,
        text=f"Card #{moved.number} moved to {moved.column.name}.",
    )


CardArg = Annotated[int, typer.Argument(help="Card number (as shown on the board, without #).")]


def _card(ws: Any, number: int) -> Any:
    from django.http import Http404

    from leanmark.board import queries

    try:
        return queries.card_for(ws, number)
    except Http404:
        fail(f"no card #{number} in {ws.slug}; `leanmark card list` shows the numbers")


def _people_named(ws: Any, emails: list[str]) -> list[Any]:
    from leanmark.board import queries

    people = {p.username: p for p in queries.people_of(ws)}
    unknown = [e for e in emails if e.strip().lower() not in people]
    if unknown:
        fail(f"not members of {ws.slug}: {', '.join(unknown)}")
    return [people[e.strip().lower()] for e in emails]


@card_app.command("edit")
@workspace_command
def card_edit(
    card: CardArg,
    title: Annotated[str | None, typer.Option(help="New title.")] = None,
    description: Annotated[str | None, typer.Option(help="New description.")] = None,
    stage: Annotated[str | None, typer.Option(help="Hourglass stage ('' clears it).")] = None,
    channel: Annotated[str | None, typer.Option(help="Marketing channel ('' clears it).")] = None,
    due: Annotated[str | None, typer.Option(help="Due date YYYY-MM-DD ('' clears it).")] = None,
    estimate: Annotated[str | None, typer.Option(help="Estimate in points ('' clears it).")] = None,
    tag: Annotated[
        list[str] | None, typer.Option(help="A tag; repeat for several (replaces the tags).")
    ] = None,
    no_tags: Annotated[bool, typer.Option("--no-tags", help="Remove every tag.")] = False,
    assignee: Annotated[
        list[str] | None,
        typer.Option(help="A member's e-mail; repeat for several (replaces the assignees)."),
    ] = None,
    no_assignees: Annotated[
        bool, typer.Option("--no-assignees", help="Unassign everyone.")
    ] = False,
    reason: Annotated[str, typer.Option(help="Reason to go over a per-person limit.")] = "",
    ws: Any = None,
    actor: Any = None,
    as_json: JsonOpt = False,
) -> None:
    """Change a card's fields: only those given change, and the card's history records them."""
    from leanmark.board import services
    from leanmark.lib import clean

    found = _card(ws, card)
    given = {"title": title, "description": description, "stage": stage, "channel": channel}
    changes: dict[str, object] = {name: value for name, value in given.items() if value is not None}
    if estimate is not None:
        changes["estimate"] = estimate or None
    if due is not None:
        changes["due_date"] = clean.day(due, "due_date", label="the due date") if due else None
    if tag or no_tags:
        changes["tags"] = [] if no_tags else tag
    if assignee or no_assignees:
        changes["assignees"] = [] if no_assignees else _people_named(ws, assignee or [])
    if not changes:
        fail("nothing to change: give at least one option (see --help)")
    edited = services.edit_card(
        found, changes=changes, expected_version=None, actor=actor, reason=reason
    )
    show(_card_json(edited), as_json=as_json, text=f"Card #{edited.number} saved.")


@card_app.command("block")
@workspace_command
def card_block(
    card: CardArg,
    reason: Annotated[str, typer.Argument(help="What blocks it (shown on the board).")],
    ws: Any = None,
    actor: Any = None,
    as_json: JsonOpt = False,
) -> None:
    """Mark a card blocked, with what blocks it; its blocked time counts from now."""
    from leanmark.board import services

    blocked = services.block_card(_card(ws, card), reason=reason, actor=actor)
    show(
        _card_json(blocked) | {"blocked_reason": blocked.blocked_reason},
        as_json=as_json,
        text=f"Card #{blocked.number} blocked: {blocked.blocked_reason}.",
    )


@card_app.command("unblock")
@workspace_command
def card_unblock(
    card: CardArg, ws: Any = None, actor: Any = None, as_json: JsonOpt = False
) -> None:
    """Clear a card's block."""
    from leanmark.board import services

    done = services.unblock_card(_card(ws, card), actor=actor)
    show(_card_json(done), as_json=as_json, text=f"Card #{done.number} is no longer blocked.")


@card_app.command("archive")
@workspace_command
def card_archive(
    card: CardArg, ws: Any = None, actor: Any = None, as_json: JsonOpt = False
) -> None:
    """Take a card off the board; its history stays and `card restore` brings it back."""
    from leanmark.board import services

    done = services.archive_card(_card(ws, card), actor=actor)
    show(_card_json(done), as_json=as_json, text=f"Card #{done.number} archived.")


@card_app.command("restore")
@workspace_command
def card_restore(
    card: CardArg,
    reason: Annotated[str, typer.Option(help="Reason to go over a full soft limit.")] = "",
    ws: Any = None,
    actor: Any = None,
    as_json: JsonOpt = False,
) -> None:
    """Bring an archived card back to its column (its limits apply as to any card arriving)."""
    from leanmark.board import services

    done = services.restore_card(_card(ws, card), actor=actor, reason=reason)
    show(
        _card_json(done),
        as_json=as_json,
        text=f"Card #{done.number} is back in {done.column.name}.",
    )


def _register_apps() -> None:
    from leanmark.backlog.cli import register as backlog
    from leanmark.channeldata.cli import register as channeldata
    from leanmark.dashboard.cli import register as dashboard
    from leanmark.experiments.cli import register as experiments
    from leanmark.experiments.feed_cli import register as experiment_feed
    from leanmark.flow.cli import register as flow
    from leanmark.improvement.cli import register as improvement
    from leanmark.integrations.cli import register as integrations
    from leanmark.roi.cli import register as roi
    from leanmark.standups.cli import register as standups
    from leanmark.valuestream.cli import register as valuestream

    for register in (
        backlog,
        flow,
        experiments,
        experiment_feed,
        standups,
        valuestream,
        improvement,
        dashboard,
        roi,
        integrations,
        channeldata,
    ):
        register(app)


_register_apps()


def main() -> None:
    try:
        app()
    except Exception as error:  # a database fault, said plainly (lib/outage.py); else re-raised
        from django.db import DatabaseError

        from leanmark.lib.outage import classify

        outage = classify(error) if isinstance(error, DatabaseError) else None
        if outage is None:
            raise
        try:
            fail(f"{outage.message} ({error})")
        except typer.Exit as stop:  # outside the Typer app: end the process the same way
            raise SystemExit(stop.exit_code) from None


if __name__ == "__main__":
    main()
