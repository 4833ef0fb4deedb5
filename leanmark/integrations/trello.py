"""Import a board exported from Trello (Menu → Print, export and share → Export as JSON).

Lists become columns (in Trello's order), cards keep their description, labels become tags,
members are matched to workspace members by name or e-mail, checklists and comments are added
to the description as Markdown, archived cards are archived, and each card's moves between lists
(from the export's actions) become back-dated events, so flow metrics cover the card's past.
All or nothing: any problem names the card or list and nothing is created.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from django.db import transaction

from leanmark.accounts.models import Membership, User, Workspace
from leanmark.board import services as board_services
from leanmark.board.models import Board, CardEvent, Column
from leanmark.board.services import (
    DESCRIPTION_MAX,
    MAX_TAGS,
    TAG_MAX,
    TITLE_MAX,
    ColumnSpec,
    HistoryCard,
    HistoryEvent,
)

MAX_BYTES = 50_000_000  # a Trello export of a very large board is ~20 MB
Progress = Callable[[int, int], None]


class TrelloError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class Result:
    board: Board
    cards: int
    archived: int
    moves: int
    unmatched_members: list[str] = field(default_factory=list)


def load(raw: bytes) -> dict[str, Any]:
    """The export as a dict, or a TrelloError saying why it is not one."""
    if len(raw) > MAX_BYTES:
        raise TrelloError(
            f"the file has {len(raw) / 1e6:.0f} MB; a Trello export is at most "
            f"{MAX_BYTES // 1_000_000} MB here"
        )
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise TrelloError(
            "the file is not UTF-8 text; export the board from Trello as JSON"
        ) from None
    except json.JSONDecodeError as error:
        raise TrelloError(
            f"the file is not complete JSON (line {error.lineno}, column {error.colno}: "
            f"{error.msg}); it may be truncated — export it from Trello again"
        ) from None
    if (
        not isinstance(data, dict)
        or not isinstance(data.get("lists"), list)
        or not isinstance(data.get("cards"), list)
    ):
        raise TrelloError(
            'this JSON is not a Trello board export (it needs "lists" and "cards"); in '
            "Trello use Menu → Print, export and share → Export as JSON"
        )
    return data


def _when(value: Any, where: str) -> datetime:
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise TrelloError(f"{where}: {str(value)[:40]!r} is not a date") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _created_from_id(trello_id: str) -> datetime | None:
    """Trello ids start with the creation time in seconds, as 8 hex digits."""
    try:
        return datetime.fromtimestamp(int(trello_id[:8], 16), tz=UTC)
    except (ValueError, TypeError, OverflowError):
        return None


def _text(value: Any) -> str:
    return "".join(ch for ch in str(value or "") if ch in "\n\t" or ch >= " ")


def _members(workspace: Workspace, data: dict[str, Any]) -> tuple[dict[str, User], list[str]]:
    people = [m.user for m in Membership.objects.filter(workspace=workspace).select_related("user")]
    by_key: dict[str, User] = {}
    for user in people:
        for key in (user.display_name, user.email, user.username, user.email.split("@")[0]):
            if key:
                by_key.setdefault(key.strip().lower(), user)
    matched: dict[str, User] = {}
    unmatched: list[str] = []
    for member in data.get("members") or []:
        if not isinstance(member, dict) or not member.get("id"):
            continue
        names = [member.get("fullName"), member.get("username"), member.get("email")]
        user = next(
            (by_key[n.strip().lower()] for n in names if n and n.strip().lower() in by_key), None
        )
        if user is not None:
            matched[member["id"]] = user
        else:
            unmatched.append(str(member.get("fullName") or member.get("username") or member["id"]))
    return matched, unmatched


def _tags(card: dict[str, Any], labels: dict[str, dict[str, Any]]) -> list[str]:
    tags: list[str] = []
    for label in card.get("labels") or [labels.get(i, {}) for i in card.get("idLabels") or []]:
        name = _text(label.get("name") or label.get("color") or "").strip().lower()[:TAG_MAX]
        if name and name not in tags:
            tags.append(name)
    return tags[:MAX_TAGS]


def _description(
    card: dict[str, Any], checklists: list[dict[str, Any]], comments: list[str], full_title: str
) -> str:
    parts = [_text(card.get("desc")).strip()]
    if full_title:
        parts.append(f"*Trello title, in full:* {full_title}")
    for checklist in checklists:
        items = sorted(checklist.get("checkItems") or [], key=lambda i: i.get("pos") or 0)
        lines = [f"### {_text(checklist.get('name') or 'Checklist')}"] + [
            f"- [{'x' if i.get('state') == 'complete' else ' '}] {_text(i.get('name'))}"
            for i in items
        ]
        parts.append("\n".join(lines))
    if comments:
        parts.append("### Comments from Trello\n" + "\n".join(comments))
    text = "\n\n".join(p for p in parts if p)
    if len(text) > DESCRIPTION_MAX:
        note = "\n\n*(cut here: Trello's text was longer than Leanmark keeps)*"
        text = text[: DESCRIPTION_MAX - len(note)] + note
    return text


@transaction.atomic
def import_board(
    workspace: Workspace,
    data: dict[str, Any],
    *,
    name: str | None = None,
    progress: Progress | None = None,
) -> Result:
    """A new board in ``workspace`` from a parsed Trello export, with its cards' history."""
    lists = [lst for lst in data["lists"] if isinstance(lst, dict) and lst.get("id")]
    cards = [c for c in data["cards"] if isinstance(c, dict) and c.get("id")]
    if not lists:
        raise TrelloError("the export has no lists, so there is nothing to make columns from")
    lists.sort(key=lambda lst: lst.get("pos") or 0)
    names: dict[str, str] = {}
    for lst in lists:
        base = _text(lst.get("name")).strip()[:52] or "Untitled list"
        if lst.get("closed"):
            base = f"{base[:45]} (archived)"
        unique, n = base, 2
        while unique.lower() in {v.lower() for v in names.values()}:
            unique, n = f"{base} {n}", n + 1
        names[lst["id"]] = unique
    if len(names) < 2:
        names["_done"] = "Done"
    board_name = (name or _text(data.get("name")).strip() or "Trello board")[:100]
    board = board_services.create_board(
        workspace,
        board_name,
        [ColumnSpec(n, Column.Kind.ACTIVE) for n in names.values()],
    )
    columns = {c.name: c for c in board.columns.all()}
    column_of = {list_id: columns[n] for list_id, n in names.items()}
    members, unmatched = _members(workspace, data)
    labels = {
        lbl["id"]: lbl
        for lbl in data.get("labels") or []
        if isinstance(lbl, dict) and lbl.get("id")
    }
    checklists: dict[str, list[dict[str, Any]]] = {}
    for checklist in data.get("checklists") or []:
        if isinstance(checklist, dict) and checklist.get("idCard"):
            checklists.setdefault(checklist["idCard"], []).append(checklist)
    trello_names = {
        m.get("id"): m.get("fullName") or m.get("username")
        for m in data.get("members") or []
        if isinstance(m, dict)
    }
    moves: dict[str, list[tuple[datetime, str, str, User | None]]] = {}
    created_at: dict[str, tuple[datetime, str | None, User | None]] = {}
    comments: dict[str, list[tuple[datetime, str]]] = {}
    for index, action in enumerate(data.get("actions") or []):
        if not isinstance(action, dict):
            continue
        info = action.get("data") or {}
        card_id = (info.get("card") or {}).get("id")
        if not card_id:
            continue
        at = _when(action.get("date"), f"action {index + 1} ({action.get('type')})")
        actor = members.get(action.get("idMemberCreator"))
        kind = action.get("type")
        if kind == "createCard":
            created_at[card_id] = (at, (info.get("list") or {}).get("id"), actor)
        elif kind == "updateCard" and info.get("listBefore") and info.get("listAfter"):
            moves.setdefault(card_id, []).append(
                (at, info["listBefore"].get("id"), info["listAfter"].get("id"), actor)
            )
        elif kind == "commentCard" and info.get("text"):
            who = trello_names.get(action.get("idMemberCreator")) or "someone"
            comments.setdefault(card_id, []).append(
                (at, f"- **{_text(who)}**, {at:%Y-%m-%d %H:%M}: {_text(info['text'])}")
            )
    items: list[HistoryCard] = []
    archived = moved = 0
    for number, card in enumerate(sorted(cards, key=lambda c: c.get("pos") or 0), start=1):
        where = f"card {number} ({_text(card.get('name'))[:40]!r})"
        if card.get("idList") not in column_of:
            raise TrelloError(f"{where} is in a list that is not in the export")
        title = _text(card.get("name")).strip() or "(untitled Trello card)"
        full = title if len(title) > TITLE_MAX else ""
        title = title if not full else title[: TITLE_MAX - 1] + "…"
        history = sorted(moves.get(card["id"], []), key=lambda m: m[0])
        first_list = history[0][1] if history else card["idList"]
        start = created_at.get(card["id"])
        born = (
            start[0]
            if start
            else _created_from_id(card["id"]) or (history[0][0] if history else datetime.now(UTC))
        )
        if history and born > history[0][0]:
            born = history[0][0]
        first_column = column_of.get(
            start[1] if start and start[1] in column_of else first_list, column_of[card["idList"]]
        )
        events = [
            HistoryEvent(
                CardEvent.Kind.CREATED, born, start[2] if start else None, to_column=first_column
            )
        ]
        current = first_column
        for at, _before, after, actor in history:
            if after not in column_of or column_of[after] == current:
                continue
            events.append(
                HistoryEvent(
                    CardEvent.Kind.MOVED,
                    max(at, events[-1].at),
                    actor,
                    to_column=column_of[after],
                    from_column=current,
                )
            )
            current = column_of[after]
            moved += 1
        if (
            current != column_of[card["idList"]]
        ):  # the export's actions were cut: end where Trello has it
            last = _when(card.get("dateLastActivity") or events[-1].at.isoformat(), where)
            events.append(
                HistoryEvent(
                    CardEvent.Kind.MOVED,
                    max(last, events[-1].at),
                    None,
                    to_column=column_of[card["idList"]],
                    from_column=current,
                )
            )
        if card.get("closed"):
            last = _when(card.get("dateLastActivity") or events[-1].at.isoformat(), where)
            events.append(HistoryEvent(CardEvent.Kind.ARCHIVED, max(last, events[-1].at)))
            archived += 1
        due = _when(card["due"], where).date() if card.get("due") else None
        items.append(
            HistoryCard(
                title=title,
                events=events,
                description=_description(
                    card,
                    checklists.get(card["id"], []),
                    [t for _, t in sorted(comments.get(card["id"], []))],
                    full,
                ),
                tags=_tags(card, labels),
                due_date=due,
                assignees=[members[m] for m in card.get("idMembers") or [] if m in members],
            )
        )
    try:
        board_services.import_history(board, items, progress=progress)
    except board_services.InvalidInput as error:
        raise TrelloError(error.message) from None
    return Result(board, len(items), archived, moved, unmatched)
