"""Import a board exported from Trello (Menu → Print, export and share → Export as JSON).

Open lists become columns (in Trello's order), cards keep their description, labels become tags,
members are matched to workspace members by name or e-mail, checklists, comments and attachment
links are added to the description as Markdown, archived cards are archived (on the day Trello
archived them), and each card's moves between lists (from the export's actions) become
back-dated events, so flow metrics cover the card's past.

Archived lists are not columns: their cards are imported archived, with their history on the
open lists, so the live board is the board the team works on. The done and start columns and
the queue columns (where work waits) are chosen by the lists' names in several languages and by
where cards end up, never an archived list; each choice can be overridden, and the result says
what was chosen and what the export held that was not imported.
All or nothing: any problem names the card or list and nothing is created.
"""

import json
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from django.db import transaction

from leanmark.accounts.models import Membership, User, Workspace
from leanmark.board import services as board_services
from leanmark.board.choices import ColumnKind, EventKind
from leanmark.board.services import (
    DESCRIPTION_MAX,
    MAX_TAGS,
    TAG_MAX,
    TITLE_MAX,
    ColumnSpec,
    HistoryCard,
    HistoryEvent,
)

if TYPE_CHECKING:  # annotations only: the board's rows are read through its queries
    from leanmark.board.models import Board

MAX_BYTES = 50_000_000  # a Trello export of a very large board is ~20 MB
Progress = Callable[[int, int], None]


class TrelloError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class Result:
    board: "Board"
    cards: int
    archived: int
    moves: int
    unmatched_members: list[str] = field(default_factory=list)
    start: str = ""  # the start column's name, and why it was chosen
    start_why: str = ""
    done: str = ""
    done_why: str = ""
    queues: list[str] = field(default_factory=list)  # queue columns before done (done also waits)
    archived_lists: list[tuple[str, int]] = field(default_factory=list)  # (name, cards in it)
    not_imported: list[str] = field(default_factory=list)

    def summary(self) -> list[str]:
        """What was chosen and left out, one sentence each, for the CLI and the web message."""
        lines = [
            f"Done column: {self.done} ({self.done_why}). "
            f"Start column: {self.start} ({self.start_why}).",
            "Queue columns (work waits): " + (", ".join(self.queues) or "none") + ".",
        ]
        full = [(name, n) for name, n in self.archived_lists if n]
        empty = len(self.archived_lists) - len(full)
        if full:
            left = ", ".join(f"{name} ({n} card{'s' * (n != 1)})" for name, n in full)
            lines.append(f"Archived lists kept off the board, their cards archived: {left}.")
        if empty:
            lines.append(f"Empty archived lists left out: {empty}.")
        if self.not_imported:
            lines.append("Not imported: " + "; ".join(self.not_imported) + ".")
        return lines


# Words in list names, in the languages teams name Trello lists in. Matched as whole words in
# Latin scripts and as parts of the name in scripts without spaces (Japanese, Chinese, Korean).
CANCEL_WORDS = (
    "cancel", "cancelled", "canceled", "won't do", "wont do", "abandoned", "rejected", "dropped",
    "discarded", "trash", "graveyard", "abgebrochen", "verworfen", "annulé", "abandonné",
    "cancelado", "descartado", "annullato", "中止", "キャンセル", "却下", "見送り", "廃止", "取消",
    "已取消", "취소",
)  # fmt: skip
DONE_WORDS = (
    "done", "complete", "completed", "finished", "shipped", "live", "launched", "published",
    "released", "delivered", "closed", "erledigt", "fertig", "abgeschlossen", "terminé",
    "termine", "fait", "hecho", "terminado", "completado", "finalizado", "concluído", "feito",
    "fatto", "completato", "klaar", "gedaan", "klart", "gotowe", "完了", "済", "クローズ",
    "リリース済", "公開済", "完成", "已完成", "완료",
)  # fmt: skip
START_WORDS = (
    "doing", "in progress", "progress", "wip", "working", "started", "in arbeit",
    "in bearbeitung", "en cours", "en curso", "en progreso", "haciendo", "em andamento",
    "fazendo", "in corso", "bezig", "進行中", "作業中", "対応中", "実施中", "制作中", "进行中",
    "진행",
)  # fmt: skip
QUEUE_WORDS = (
    "backlog", "to do", "todo", "to-do", "ready", "waiting", "up next", "next", "inbox",
    "icebox", "ideas", "idea", "queue", "on hold", "hold", "parked", "parking", "pending",
    "later", "someday", "zu erledigen", "offen", "warteschlange", "bereit", "wartend", "ideen",
    "à faire", "a faire", "en attente", "prêt", "idées", "por hacer", "pendiente", "en espera",
    "ideas", "a fazer", "da fare", "未着手", "待ち", "保留", "バックログ", "アイデア", "予定",
    "待办", "대기",
)  # fmt: skip


def _words(name: str) -> str:
    """The name lower-cased, accents kept, punctuation and emoji as spaces: "✅ Done!" → "done"."""
    folded = unicodedata.normalize("NFC", name).casefold()
    kept = "".join(ch if ch.isalnum() or ch in "'-" else " " for ch in folded)
    return " " + " ".join(kept.split()) + " "


def _says(name: str, words: Sequence[str]) -> bool:
    text = _words(name)
    for word in words:
        if word.isascii() or " " in word or any(ch.isalpha() and ch.isascii() for ch in word):
            if f" {word} " in text:
                return True
        elif word in text:
            return True
    return False


def kind_of_name(name: str) -> str:
    """What a list's name says it holds: "cancelled", "done", "start", "queue" or ""."""
    for kind, words in (
        ("cancelled", CANCEL_WORDS),
        ("done", DONE_WORDS),
        ("start", START_WORDS),
        ("queue", QUEUE_WORDS),
    ):
        if _says(name, words):
            return kind
    return ""


_WEB = re.compile(r"^https?://[^\s<>]+$", re.IGNORECASE)
_MD = re.compile(r"([\\`*_\[\]<>])")


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


@dataclass
class _List:
    id: str
    name: str  # as in Trello
    column: str  # the column's name here ("" for an archived list)
    closed: bool
    archived_at: datetime | None = None
    cards: int = 0  # cards whose list it is now
    ends: int = 0  # cards whose last move went into it


def _lists(data: dict[str, Any]) -> list[_List]:
    found = [lst for lst in data["lists"] if isinstance(lst, dict) and lst.get("id")]
    found.sort(key=lambda lst: lst.get("pos") or 0)
    lists: list[_List] = []
    taken: set[str] = set()
    for lst in found:
        name = _text(lst.get("name")).strip()
        column = ""
        if not lst.get("closed"):
            base = name[:56] or "Untitled list"
            column, n = base, 2
            while column.lower() in taken:
                column, n = f"{base} {n}", n + 1
            taken.add(column.lower())
        lists.append(_List(lst["id"], name or "Untitled list", column, bool(lst.get("closed"))))
    return lists


def _named(lists: Sequence[_List], wanted: str, option: str) -> _List:
    """The open list a user named in an override, or why it cannot be used."""
    key = wanted.strip().casefold()
    for lst in lists:
        if key in (lst.name.casefold(), lst.column.casefold()):
            if lst.closed:
                raise TrelloError(
                    f"{option}: the list {lst.name!r} is archived in Trello; choose an open list"
                )
            return lst
    names = ", ".join(repr(lst.name) for lst in lists if not lst.closed)
    raise TrelloError(f"{option}: the export has no open list named {wanted!r}; its lists: {names}")


def _choose(
    lists: list[_List], done_list: str | None, start_list: str | None
) -> tuple[_List, str, _List, str]:
    """The done and start lists among the open lists, each with the reason it was chosen."""
    live = [lst for lst in lists if not lst.closed]
    kinds = {lst.id: kind_of_name(lst.name) for lst in live}
    if done_list:
        done, done_why = _named(lists, done_list, "--done-list"), "chosen with --done-list"
    else:
        named = [lst for lst in live if kinds[lst.id] == "done"]
        if named:
            done = max(named, key=lambda lst: (lst.cards + lst.ends, live.index(lst)))
            done_why = "its name says work is finished"
        else:
            # "where cards end up": the open list most cards were last moved into or sit in,
            # among the right half of the board, never one whose name says cancelled or waiting
            right = [
                lst
                for lst in live[len(live) // 2 :]
                if kinds[lst.id] not in ("cancelled", "queue", "start")
            ] or live[-1:]
            done = max(right, key=lambda lst: (lst.ends, lst.cards, live.index(lst)))
            done_why = (
                "no list is named as finished; most cards end up there"
                if done.ends or done.cards
                else "no list is named as finished; the last open list"
            )
    before = live[: live.index(done)] or live[:1]
    if start_list:
        start, start_why = _named(lists, start_list, "--start-list"), "chosen with --start-list"
        if live.index(start) > live.index(done):
            raise TrelloError(
                f"--start-list: {start.name!r} comes after the done list {done.name!r}; work "
                "starts before it is done"
            )
    else:
        named = [lst for lst in before if kinds[lst.id] == "start"]
        if named:
            start, start_why = named[0], "its name says work is in progress"
        else:
            waiting = [i for i, lst in enumerate(before) if kinds[lst.id] == "queue"]
            after_queues = waiting[-1] + 1 if waiting else (1 if len(before) > 1 else 0)
            start = before[min(after_queues, len(before) - 1)]
            start_why = (
                "the first list after the lists where work waits"
                if waiting
                else "the second open list"
            )
    return done, done_why, start, start_why


def _queues(
    lists: list[_List], done: _List, start: _List, queue_lists: Sequence[str] | None
) -> set[str]:
    """Ids of the lists that are queues (work waits there): the named, or those whose name says
    so; done is a queue (finished work waits for nobody), start is not."""
    if queue_lists is not None:
        chosen = {_named(lists, name, "--queue-lists").id for name in queue_lists if name.strip()}
        if start.id in chosen:
            raise TrelloError(
                f"--queue-lists: {start.name!r} is the start column, where work is done"
            )
    else:
        chosen = {
            lst.id
            for lst in lists
            if not lst.closed
            and kind_of_name(lst.name) in ("queue", "cancelled")
            and lst.id != start.id
        }
    return chosen | {done.id}


def _actions(
    data: dict[str, Any], members: dict[str, User]
) -> tuple[
    dict[str, list[tuple[datetime, str, str, User | None]]],
    dict[str, tuple[datetime, str | None, User | None]],
    dict[str, list[tuple[datetime, str]]],
    dict[str, datetime],
    dict[str, datetime],
    dict[str, dict[str, dict[str, Any]]],
    Counter[str],
]:
    """Moves, creations, comments, card and list archive dates and attachments, by card or list;
    and how many actions of each kind were of no use here."""
    trello_names = {
        m.get("id"): m.get("fullName") or m.get("username")
        for m in data.get("members") or []
        if isinstance(m, dict)
    }
    moves: dict[str, list[tuple[datetime, str, str, User | None]]] = {}
    created_at: dict[str, tuple[datetime, str | None, User | None]] = {}
    comments: dict[str, list[tuple[datetime, str]]] = {}
    card_archived: dict[str, datetime] = {}
    list_archived: dict[str, datetime] = {}
    attachments: dict[str, dict[str, dict[str, Any]]] = {}
    unused: Counter[str] = Counter()
    for index, action in enumerate(data.get("actions") or []):
        if not isinstance(action, dict):
            continue
        info = action.get("data") or {}
        kind = str(action.get("type") or "")
        old = info.get("old") or {}
        if kind == "updateList" and old.get("closed") is False:
            lst = info.get("list") or {}
            if lst.get("id") and lst.get("closed"):
                at = _when(action.get("date"), f"action {index + 1} ({kind})")
                list_archived[lst["id"]] = max(at, list_archived.get(lst["id"], at))
            continue
        card_id = (info.get("card") or {}).get("id")
        if not card_id:
            unused[kind] += 1
            continue
        at = _when(action.get("date"), f"action {index + 1} ({kind})")
        actor = members.get(action.get("idMemberCreator"))
        if kind == "createCard":
            created_at[card_id] = (at, (info.get("list") or {}).get("id"), actor)
        elif kind == "updateCard" and info.get("listBefore") and info.get("listAfter"):
            moves.setdefault(card_id, []).append(
                (at, info["listBefore"].get("id"), info["listAfter"].get("id"), actor)
            )
        elif kind == "updateCard" and old.get("closed") is False and info["card"].get("closed"):
            card_archived[card_id] = max(at, card_archived.get(card_id, at))
        elif kind == "commentCard" and info.get("text"):
            who = trello_names.get(action.get("idMemberCreator")) or "someone"
            comments.setdefault(card_id, []).append(
                (at, f"- **{_text(who)}**, {at:%Y-%m-%d %H:%M}: {_text(info['text'])}")
            )
        elif kind == "addAttachmentToCard" and isinstance(info.get("attachment"), dict):
            attachment = info["attachment"]
            key = str(attachment.get("id") or attachment.get("url") or index)
            attachments.setdefault(card_id, {})[key] = {**attachment, "date": action.get("date")}
        elif kind == "deleteAttachmentFromCard" and isinstance(info.get("attachment"), dict):
            key = str(info["attachment"].get("id") or "")
            attachments.setdefault(card_id, {}).pop(key, None)
        elif kind not in ("updateCard", "commentCard"):
            unused[kind] += 1
    return moves, created_at, comments, card_archived, list_archived, attachments, unused


def _attachment_lines(card: dict[str, Any], from_actions: dict[str, dict[str, Any]]) -> list[str]:
    """The card's attachments as Markdown links (web addresses only), newest last."""
    found = dict(from_actions)
    for attachment in card.get("attachments") or []:
        if isinstance(attachment, dict):
            key = str(attachment.get("id") or attachment.get("url") or len(found))
            found[key] = {**found.get(key, {}), **attachment}
    lines = []
    for attachment in sorted(found.values(), key=lambda a: str(a.get("date") or "")):
        url = str(attachment.get("url") or "").strip()
        name = _text(attachment.get("name") or url or "attachment").strip()[:200]
        label = _MD.sub(r"\\\1", name)
        day = str(attachment.get("date") or "")[:10]
        when = f" · added {day}" if re.fullmatch(r"\d{4}-\d{2}-\d{2}", day) else ""
        uploaded = attachment.get("isUpload") or "trello.com/" in url.lower()
        where = " (a file uploaded to Trello: opening it needs a Trello login)" if uploaded else ""
        if _WEB.match(url):
            lines.append(f"- [{label}](<{url}>){when}{where}")
        else:
            lines.append(f"- {label}{when} (its link was not kept: not a web address)")
    return lines


def _description(
    card: dict[str, Any],
    checklists: list[dict[str, Any]],
    comments: list[str],
    attachments: list[str],
    full_title: str,
    archived_list: str,
) -> str:
    parts = [_text(card.get("desc")).strip()]
    if full_title:
        parts.append(f"*Trello title, in full:* {full_title}")
    if archived_list:
        parts.append(f"*In Trello this card is in the archived list {archived_list}.*")
    for checklist in checklists:
        items = sorted(checklist.get("checkItems") or [], key=lambda i: i.get("pos") or 0)
        lines = [f"### {_text(checklist.get('name') or 'Checklist')}"] + [
            f"- [{'x' if i.get('state') == 'complete' else ' '}] {_text(i.get('name'))}"
            for i in items
        ]
        parts.append("\n".join(lines))
    if attachments:
        parts.append("### Attachments from Trello\n" + "\n".join(attachments))
    if comments:
        parts.append("### Comments from Trello\n" + "\n".join(comments))
    text = "\n\n".join(p for p in parts if p)
    if len(text) > DESCRIPTION_MAX:
        note = "\n\n*(cut here: Trello's text was longer than Leanmark keeps)*"
        text = text[: DESCRIPTION_MAX - len(note)] + note
    return text


def _not_imported(
    cards: list[dict[str, Any]], attachments: int, links: int, unused: Counter[str]
) -> list[str]:
    """What the export holds that Leanmark has no place for, in words."""
    notes = []
    if attachments:
        by_name = attachments - links
        notes.append(
            f"the files of {attachments} attachment{'s' * (attachments != 1)} ({links} kept "
            "as links in their cards' descriptions, the files stay on Trello"
            + (f"; {by_name} without a web address kept by name only" if by_name else "")
            + ")"
        )
    for key, what in (
        ("customFieldItems", "custom field values"),
        ("stickers", "stickers"),
        ("pluginData", "power-up data"),
    ):
        count = sum(1 for c in cards if c.get(key))
        if count:
            notes.append(f"{what} on {count} card{'s' * (count != 1)}")
    votes = sum(1 for c in cards if (c.get("badges") or {}).get("votes") or c.get("idMembersVoted"))
    if votes:
        notes.append(f"votes on {votes} card{'s' * (votes != 1)}")
    if unused:
        shown = ", ".join(f"{n} {kind}" for kind, n in unused.most_common(6))
        more = len(unused) - 6
        notes.append(
            f"{sum(unused.values())} actions of kinds with no place here ({shown}"
            + (f", and {more} other kinds" if more > 0 else "")
            + ")"
        )
    return notes


MAX_CARDS = 20_000  # a board of 230,000 cards took 170 s to import, past any worker's timeout


@transaction.atomic
def import_board(
    workspace: Workspace,
    data: dict[str, Any],
    *,
    name: str | None = None,
    progress: Progress | None = None,
    done_list: str | None = None,
    start_list: str | None = None,
    queue_lists: Sequence[str] | None = None,
) -> Result:
    """A new board in ``workspace`` from a parsed Trello export, with its cards' history.

    ``done_list``, ``start_list`` and ``queue_lists`` name Trello lists (open ones) to use as the
    done column, the start column and the queue columns instead of the ones chosen by name."""
    lists = _lists(data)
    cards = [c for c in data["cards"] if isinstance(c, dict) and c.get("id")]
    if len(cards) > MAX_CARDS:
        raise TrelloError(
            f"the export has {len(cards):,} cards and an import takes at most {MAX_CARDS:,}; "
            "delete old archived cards in Trello, or split the board, and export again"
        )
    if not lists:
        raise TrelloError("the export has no lists, so there is nothing to make columns from")
    live = [lst for lst in lists if not lst.closed]
    if not live:
        raise TrelloError(
            "every list of the export is archived in Trello, so there is no board to make; "
            "restore a list in Trello and export again"
        )
    by_id = {lst.id: lst for lst in lists}
    members, unmatched = _members(workspace, data)
    moves, created_at, comments, card_archived, list_archived, attachments, unused = _actions(
        data, members
    )
    for lst in lists:
        lst.archived_at = list_archived.get(lst.id)
    for card in cards:
        if card.get("idList") in by_id:
            by_id[card["idList"]].cards += 1
        history = sorted(moves.get(card["id"], []), key=lambda m: m[0])
        if history and history[-1][2] in by_id:
            by_id[history[-1][2]].ends += 1
    if len(live) < 2:
        live.append(_List("_done", "Done", "Done" if live[0].column != "Done" else "Done 2", False))
        by_id["_done"] = live[-1]
    everything = [lst for lst in lists if lst.closed] + live  # live may hold an added Done
    done, done_why, start, start_why = _choose(everything, done_list, start_list)
    queues = _queues(everything, done, start, queue_lists)
    board_name = (name or _text(data.get("name")).strip() or "Trello board")[:100]
    board = board_services.create_board(
        workspace,
        board_name,
        [
            ColumnSpec(lst.column, ColumnKind.QUEUE if lst.id in queues else ColumnKind.ACTIVE)
            for lst in live
        ],
        start=start.column,
        done=done.column,
    )
    columns = {c.name: c for c in board.columns.all()}
    column_of = {lst.id: columns[lst.column] for lst in live}
    first_column = column_of[live[0].id]
    labels = {
        lbl["id"]: lbl
        for lbl in data.get("labels") or []
        if isinstance(lbl, dict) and lbl.get("id")
    }
    checklists: dict[str, list[dict[str, Any]]] = {}
    for checklist in data.get("checklists") or []:
        if isinstance(checklist, dict) and checklist.get("idCard"):
            checklists.setdefault(checklist["idCard"], []).append(checklist)
    items: list[HistoryCard] = []
    archived = moved = links = attachments_seen = 0
    for number, card in enumerate(sorted(cards, key=lambda c: c.get("pos") or 0), start=1):
        where = f"card {number} ({_text(card.get('name'))[:40]!r})"
        home = by_id.get(card.get("idList"))
        if home is None:
            raise TrelloError(f"{where} is in a list that is not in the export")
        title = _text(card.get("name")).strip() or "(untitled Trello card)"
        full = title if len(title) > TITLE_MAX else ""
        title = title if not full else title[: TITLE_MAX - 1] + "…"
        history = sorted(moves.get(card["id"], []), key=lambda m: m[0])
        start_at = created_at.get(card["id"])
        born = (
            start_at[0]
            if start_at
            else _created_from_id(card["id"]) or (history[0][0] if history else datetime.now(UTC))
        )
        if history and born > history[0][0]:
            born = history[0][0]
        # the list it was created in: an archived list counts as the first open one
        origin = start_at[1] if start_at and start_at[1] in by_id else None
        origin = origin or (history[0][1] if history else card["idList"])
        current = column_of.get(origin) or column_of.get(card["idList"]) or first_column
        events = [
            HistoryEvent(
                EventKind.CREATED,
                born,
                start_at[2] if start_at else None,
                to_column=current,
            )
        ]
        for at, _before, after, actor in history:
            target = column_of.get(after)  # a move into an archived list stays where it was
            if target is None or target == current:
                continue
            events.append(
                HistoryEvent(
                    EventKind.MOVED,
                    max(at, events[-1].at),
                    actor,
                    to_column=target,
                    from_column=current,
                )
            )
            current = target
            moved += 1
        final = column_of.get(card["idList"])
        if final is not None and current != final:  # the export's actions were cut
            last = _when(card.get("dateLastActivity") or events[-1].at.isoformat(), where)
            events.append(
                HistoryEvent(
                    EventKind.MOVED,
                    max(last, events[-1].at),
                    None,
                    to_column=final,
                    from_column=current,
                )
            )
        if card.get("closed") or home.closed:
            closed_at = card_archived.get(card["id"]) if card.get("closed") else None
            closed_at = closed_at or home.archived_at if home.closed else closed_at
            if closed_at is None:
                closed_at = _when(card.get("dateLastActivity") or events[-1].at.isoformat(), where)
            events.append(HistoryEvent(EventKind.ARCHIVED, max(closed_at, events[-1].at)))
            archived += 1
        due = _when(card["due"], where).date() if card.get("due") else None
        attached = _attachment_lines(card, attachments.get(card["id"], {}))
        attachments_seen += len(attached)
        links += sum("](<" in line for line in attached)
        items.append(
            HistoryCard(
                title=title,
                events=events,
                description=_description(
                    card,
                    checklists.get(card["id"], []),
                    [t for _, t in sorted(comments.get(card["id"], []))],
                    attached,
                    full,
                    repr(home.name) if home.closed else "",
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
    return Result(
        board,
        len(items),
        archived,
        moved,
        unmatched,
        start=start.column,
        start_why=start_why,
        done=done.column,
        done_why=done_why,
        queues=[lst.column for lst in live if lst.id in queues and lst is not done],
        archived_lists=[(lst.name, lst.cards) for lst in lists if lst.closed],
        not_imported=_not_imported(cards, attachments_seen, links, unused),
    )
