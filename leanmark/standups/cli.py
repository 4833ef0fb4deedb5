"""`leanmark standup …`: check in, read a day, the agenda, the Markdown summary, impediments."""

from datetime import date
from typing import Annotated, Any

import typer
from rich.table import Table

from leanmark.lib.cli import (
    JsonOpt,
    actor_for,
    board_for,
    fail,
    out,
    print_json,
    show,
    workspace_command,
)

standup_app = typer.Typer(
    help="Daily stand-up: check-ins, the agenda, impediments.", no_args_is_help=True
)

DateOpt = Annotated[
    str | None, typer.Option("--date", help="The day, YYYY-MM-DD (default: today).")
]


def register(app: typer.Typer) -> None:
    """Add this app's commands (sub-apps or commands) to the `leanmark` command."""
    app.add_typer(standup_app, name="standup")


def _day(workspace: Any, raw: str | None) -> date:
    from django.utils import timezone

    from leanmark.standups.queries import local_day

    if not raw:
        return local_day(workspace, timezone.now())
    try:
        return date.fromisoformat(raw)
    except ValueError:
        fail(f"{raw!r} is not a date; write it as YYYY-MM-DD")


def _entry_json(entry: Any) -> dict[str, Any]:
    return {
        "id": entry.pk,
        "member": entry.member.label,
        "day": entry.day.isoformat(),
        "yesterday": entry.yesterday,
        "today": entry.today,
        "blockers": entry.blockers,
    }


@standup_app.command("add")
@workspace_command
def add(
    yesterday: Annotated[str, typer.Option(help="What you did yesterday.")] = "",
    today: Annotated[str, typer.Option(help="What you will do today.")] = "",
    blockers: Annotated[str, typer.Option(help="What blocks you.")] = "",
    ws: Any = None,
    actor: Any = None,
    as_json: JsonOpt = False,
) -> None:
    """Check in for today (or change today's check-in). Mention cards as #123."""
    from leanmark.standups import services

    entry, created = services.save_today(
        ws, actor=actor, yesterday=yesterday, today=today, blockers=blockers
    )
    verb = "Checked in" if created else "Updated the check-in"
    show(
        _entry_json(entry),
        as_json=as_json,
        text=f"{verb} for {actor.label} on {entry.day.isoformat()}.",
    )


@standup_app.command("list")
@workspace_command
def list_entries(day: DateOpt = None, ws: Any = None, as_json: JsonOpt = False) -> None:
    """The check-ins of a day, and who has not checked in."""
    from leanmark.standups import queries

    when = _day(ws, day)
    entries = queries.entries_on(ws, when)
    if as_json:
        print_json([_entry_json(e) for e in entries])
        return
    table = Table("Member", "Yesterday", "Today", "Blockers", title=f"Stand-up {when.isoformat()}")
    for entry in entries:
        table.add_row(entry.member.label, entry.yesterday, entry.today, entry.blockers)
    out.print(table)
    checked = {e.member_id for e in entries}
    missing = [p.label for p in queries.expected_people(ws) if p.pk not in checked]
    if missing:
        out.print(f"Not checked in: {', '.join(missing)}")


@standup_app.command("summary")
@workspace_command
def summary(day: DateOpt = None, ws: Any = None) -> None:
    """A day's stand-up as Markdown, to paste into chat."""
    from leanmark.standups.summary import summary_markdown

    out.print(summary_markdown(ws, _day(ws, day)), end="")


@standup_app.command("agenda")
@workspace_command
def agenda(
    ws: Any = None,
    board: Annotated[int | None, typer.Option(help="Board id (default: the first).")] = None,
    as_json: JsonOpt = False,
) -> None:
    """The walk-the-board agenda now: right to left, blocked first, then the oldest."""
    from django.utils import timezone

    from leanmark.standups import queries

    chosen = board_for(ws, board)
    data = queries.agenda_data(queries.agenda_for(chosen, now=timezone.now()))
    if as_json:
        print_json(data)
        return
    table = Table("Column", "#", "Title", "Owner", "Age (d)", "Flags", title=chosen.name)
    for section in data["sections"]:
        for flag in section["flags"]:
            table.add_row(section["column"], "", "", "", "", flag["text"])
        for item in section["items"]:
            table.add_row(
                section["column"],
                str(item["number"]),
                item["title"],
                ", ".join(item["assignees"]) or "–",
                f"{item['age_days']:.1f}",
                "; ".join(f["text"] for f in item["flags"]),
            )
    out.print(table)
    if data["missing"]:
        out.print(f"Not checked in: {', '.join(data['missing'])}")


@standup_app.command("impediments")
@workspace_command
def impediments(ws: Any = None, as_json: JsonOpt = False) -> None:
    """Open impediments with their age."""
    from django.utils import timezone

    from leanmark.domain.flow import days
    from leanmark.standups import queries

    now = timezone.now()
    rows = [
        {
            "id": i.pk,
            "what": i.what,
            "card": i.card.number if i.card else None,
            "owner": i.owner.label,
            "open_days": days(now - i.raised_at),
        }
        for i in queries.open_impediments(ws)
    ]
    if as_json:
        print_json(rows)
        return
    table = Table("Id", "What blocks", "Card", "Owner", "Open (d)", title="Open impediments")
    for row in rows:
        card = f"#{row['card']}" if row["card"] else "–"
        table.add_row(str(row["id"]), row["what"], card, row["owner"], f"{row['open_days']:.1f}")
    out.print(table)


@standup_app.command("raise")
@workspace_command
def raise_impediment(
    what: str,
    owner: Annotated[str | None, typer.Option(help="Owner's e-mail (default: you).")] = None,
    card: Annotated[int | None, typer.Option(help="Card number it holds up.")] = None,
    block: Annotated[bool, typer.Option(help="Also block the card.")] = False,
    ws: Any = None,
    actor: Any = None,
) -> None:
    """Raise an impediment, with an owner, optionally on a card."""
    from leanmark.board import queries as board_queries
    from leanmark.standups import services

    holder = actor_for(ws, owner) if owner else actor
    held = None
    if card is not None:
        held = board_queries.card_numbered(ws, card)
        if held is None:
            fail(f"there is no card #{card} in {ws.slug}")
    item = services.raise_impediment(
        ws, what=what, owner=holder, actor=actor, card=held, block_card=block
    )
    out.print(f"Impediment {item.pk} raised, owned by {holder.label}.")


@standup_app.command("resolve")
@workspace_command
def resolve(
    impediment_id: int,
    how: Annotated[str, typer.Option(help="How it was resolved.")] = "",
    unblock: Annotated[bool, typer.Option(help="Also unblock its card.")] = False,
    ws: Any = None,
    actor: Any = None,
) -> None:
    """Resolve an impediment: say how."""
    from django.http import Http404

    from leanmark.standups import queries, services

    try:
        item = queries.impediment_for(ws, impediment_id)
    except Http404:
        fail(f"no impediment {impediment_id} in {ws.slug}")
    services.resolve_impediment(item, how=how, actor=actor, unblock_card=unblock)
    out.print(f"Impediment {item.pk} resolved.")
