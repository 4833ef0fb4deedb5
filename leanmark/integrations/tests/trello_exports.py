"""Trello board exports shaped as Trello writes them, for the import tests.

The structure follows Trello's JSON export (board menu → Print, export and share → Export as
JSON): 24-hex ids whose first 8 digits are the creation time, ``pos`` floats, ``closed`` lists
and cards, ``labels``/``members``/``checklists`` at the top, ``customFieldItems`` and
``attachments`` on cards, and ``actions`` newest first, each with ``data.board``, ``data.card``,
``data.list``/``listBefore``/``listAfter``, ``data.old`` and ``memberCreator``. The boards repeat
what broke on three public boards: an archived list placed last (so "the last list" was an
archived one), lists archived with cards in them, done cards archived weeks after they were
finished, attachment actions, and list names in Japanese.

``english()`` and ``japanese()`` build the two boards; ``python -m
leanmark.integrations.tests.trello_exports DIR`` writes them as files to look at or to import.
"""

import json
import random
import sys
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any

BOARD_ID = "5f0a1b2c3d4e5f6a7b8c9d0e"


class _Ids:
    """Trello ids: 8 hex digits of the creation time, then 16 of a counter."""

    def __init__(self) -> None:
        self.n = 0

    def at(self, moment: datetime) -> str:
        self.n += 1
        return f"{int(moment.timestamp()):08x}{self.n:016x}"


def _iso(moment: datetime) -> str:
    return (
        moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
    )


def _board(
    *,
    name: str,
    lists: list[tuple[str, bool]],
    flow: list[int],
    done: int,
    archived_list_last: int,
    cards: int,
    seed: int,
    words: list[str],
) -> dict[str, Any]:
    """A board whose cards walk ``flow`` (indexes into ``lists``) and finish in ``done``."""
    rng = random.Random(seed)
    ids = _Ids()
    start = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
    members = [
        {"id": ids.at(start), "fullName": "Bob Member", "username": "bobmember", "initials": "BM"},
        {"id": ids.at(start), "fullName": "Kenji Sato", "username": "kenjisato", "initials": "KS"},
    ]
    creator = {
        m["id"]: {k: m[k] for k in ("id", "fullName", "username", "initials")} for m in members
    }
    board_ref = {"id": BOARD_ID, "name": name, "shortLink": "aB3dE5fG"}
    out_lists = []
    for i, (list_name, closed) in enumerate(lists):
        out_lists.append(
            {
                "id": ids.at(start),
                "name": list_name,
                "closed": closed,
                "idBoard": BOARD_ID,
                "pos": 16384 * (i + 1) + 0.5,
                "subscribed": False,
                "softLimit": None,
            }
        )
    labels = [
        {"id": ids.at(start), "idBoard": BOARD_ID, "name": n, "color": c, "uses": 0}
        for n, c in (("SEO", "green"), ("Email", "blue"), ("", "red"))
    ]
    actions: list[dict[str, Any]] = []
    out_cards: list[dict[str, Any]] = []
    checklists: list[dict[str, Any]] = []

    def act(kind: str, at: datetime, who: str, data: dict[str, Any]) -> None:
        actions.append(
            {
                "id": ids.at(at),
                "idMemberCreator": who,
                "type": kind,
                "date": _iso(at),
                "data": {"board": board_ref, **data},
                "appCreator": None,
                "limits": {},
                "memberCreator": creator[who],
            }
        )

    def ref(lst: dict[str, Any]) -> dict[str, Any]:
        return {"id": lst["id"], "name": lst["name"]}

    for n in range(cards):
        born = start + timedelta(days=n * 1.7, hours=rng.randint(0, 6))
        card_id = ids.at(born)
        who = members[n % 2]["id"]
        title = f"{words[n % len(words)]} {n + 1}"
        card_ref = {"id": card_id, "name": title, "idShort": n + 1, "shortLink": f"c{n:07d}"}
        first = out_lists[flow[0]]
        act("createCard", born, who, {"card": card_ref, "list": ref(first)})
        # most cards reach done; some stop on the way; a few go to the archived last list
        reach = len(flow) if n % 5 else rng.randint(1, len(flow) - 1)
        path = flow[:reach]
        at = born
        for before, after in pairwise(path):
            at += timedelta(days=rng.uniform(0.5, 4), hours=rng.randint(1, 8))
            act(
                "updateCard",
                at,
                who,
                {
                    "card": {**card_ref, "idList": out_lists[after]["id"]},
                    "old": {"idList": out_lists[before]["id"]},
                    "listBefore": ref(out_lists[before]),
                    "listAfter": ref(out_lists[after]),
                },
            )
        current = path[-1]
        if n % 11 == 3:  # parked in the archived list that sits last
            at += timedelta(days=1)
            act(
                "updateCard",
                at,
                who,
                {
                    "card": {**card_ref, "idList": out_lists[archived_list_last]["id"]},
                    "old": {"idList": out_lists[current]["id"]},
                    "listBefore": ref(out_lists[current]),
                    "listAfter": ref(out_lists[archived_list_last]),
                },
            )
            current = archived_list_last
        closed = False
        last_activity = at
        if current == done and n % 3 == 0:  # finished cards archived weeks later
            archived_at = at + timedelta(days=12 + n % 9)
            act(
                "updateCard",
                archived_at,
                who,
                {"card": {**card_ref, "closed": True}, "old": {"closed": False}},
            )
            closed = True
            last_activity = archived_at + timedelta(days=7.5)  # a later comment or label edit
        if n % 4 == 1:
            act(
                "commentCard",
                born + timedelta(hours=3),
                members[(n + 1) % 2]["id"],
                {
                    "card": card_ref,
                    "text": f"Draft is in the shared folder ({n})",
                    "list": ref(first),
                },
            )
        attachments = []
        if n % 3 == 1:
            when = born + timedelta(hours=5)
            url = f"https://docs.example.com/brief-{n}.pdf"
            attachment = {"id": ids.at(when), "name": f"brief-{n}.pdf", "url": url}
            act("addAttachmentToCard", when, who, {"card": card_ref, "attachment": attachment})
            attachments.append(
                {
                    **attachment,
                    "bytes": 48213,
                    "date": _iso(when),
                    "isUpload": False,
                    "mimeType": "application/pdf",
                    "idMember": who,
                }
            )
        if n == 7:
            when = born + timedelta(hours=6)
            upload = {
                "id": ids.at(when),
                "name": "hero.png",
                "url": f"https://trello.com/1/cards/{card_id}/attachments/x/download/hero.png",
                "bytes": 201934,
                "date": _iso(when),
                "isUpload": True,
                "mimeType": "image/png",
            }
            act("addAttachmentToCard", when, who, {"card": card_ref, "attachment": upload})
            attachments.append(upload)
            bad = {"id": ids.at(when), "name": "click me", "url": "javascript:alert(1)"}
            act("addAttachmentToCard", when, who, {"card": card_ref, "attachment": bad})
        if n % 6 == 2:
            checklist_id = ids.at(born)
            checklists.append(
                {
                    "id": checklist_id,
                    "name": "Before publishing",
                    "idBoard": BOARD_ID,
                    "idCard": card_id,
                    "pos": 16384,
                    "checkItems": [
                        {"id": ids.at(born), "name": "Proofread", "state": "complete", "pos": 1},
                        {"id": ids.at(born), "name": "UTM links", "state": "incomplete", "pos": 2},
                    ],
                }
            )
            act(
                "updateCheckItemStateOnCard",
                born + timedelta(hours=2),
                who,
                {"card": card_ref, "checkItem": {"name": "Proofread", "state": "complete"}},
            )
        out_cards.append(
            {
                "id": card_id,
                "name": title,
                "desc": f"Goal: more sign-ups from {words[n % len(words)].lower()}.",
                "closed": closed,
                "idBoard": BOARD_ID,
                "idList": out_lists[current]["id"],
                "idLabels": [labels[n % 3]["id"]],
                "labels": [labels[n % 3]],
                "idMembers": [who],
                "idChecklists": [c["id"] for c in checklists if c["idCard"] == card_id],
                "pos": 65535 * (n + 1),
                "due": _iso(born + timedelta(days=14)) if n % 4 == 0 else None,
                "dueComplete": current == done,
                "dateLastActivity": _iso(last_activity),
                "shortUrl": f"https://trello.com/c/c{n:07d}",
                "attachments": attachments,
                "customFieldItems": [{"id": ids.at(born), "idValue": None}] if n % 7 == 0 else [],
                "badges": {"votes": 1 if n % 10 == 0 else 0, "comments": int(n % 4 == 1)},
                "stickers": [],
            }
        )
    # the list that sits last was archived once the team stopped using it
    closed_list = out_lists[archived_list_last]
    act(
        "updateList",
        start + timedelta(days=cards * 1.7 + 20),
        members[0]["id"],
        {"list": {**ref(closed_list), "closed": True}, "old": {"closed": False}},
    )
    act("addMemberToBoard", start, members[0]["id"], {"idMemberAdded": members[1]["id"]})
    actions.sort(key=lambda a: a["date"], reverse=True)  # Trello lists actions newest first
    return {
        "id": BOARD_ID,
        "name": name,
        "desc": "",
        "closed": False,
        "idOrganization": None,
        "url": "https://trello.com/b/aB3dE5fG/board",
        "prefs": {"permissionLevel": "private", "background": "blue"},
        "labelNames": {"green": "SEO", "blue": "Email", "red": ""},
        "actions": actions,
        "cards": out_cards,
        "labels": labels,
        "lists": out_lists,
        "members": members,
        "checklists": checklists,
        "customFields": [{"id": "cf1", "name": "Budget", "type": "number"}],
        "pluginData": [],
    }


def english() -> dict[str, Any]:
    """18 lists as on "Test Drive": six open, the rest archived, one archived list placed last."""
    lists = [
        ("Ideas", False), ("Old sprint 1", True), ("To Do", False), ("Old sprint 2", True),
        ("Doing", False), ("Waiting for review", False), ("Review notes", True),
        ("Done ✅", False), ("Someday", False), ("Old sprint 3", True), ("Old sprint 4", True),
        ("Old sprint 5", True), ("Old sprint 6", True), ("Old sprint 7", True),
        ("Old sprint 8", True), ("Old sprint 9", True), ("Old sprint 10", True),
        ("Up Next", True),
    ]  # fmt: skip
    return _board(
        name="Test Drive",
        lists=lists,
        flow=[0, 2, 4, 5, 7],
        done=7,
        archived_list_last=17,
        cards=60,
        seed=7,
        words=["Blog post", "Newsletter", "Landing page", "Webinar", "Case study"],
    )


def japanese() -> dict[str, Any]:
    """List names in Japanese as on "Clipkit": ideas, not started, in progress, waiting for
    review, done, and the archived "cancelled" list placed last."""
    lists = [
        ("アイデア", False), ("未着手", False), ("進行中", False), ("レビュー待ち", False),
        ("完了", False), ("中止", True),
    ]  # fmt: skip
    return _board(
        name="Clipkit",
        lists=lists,
        flow=[0, 1, 2, 3, 4],
        done=4,
        archived_list_last=5,
        cards=36,
        seed=11,
        words=["記事", "メルマガ", "動画", "LP改善"],
    )


if __name__ == "__main__":
    folder = Path(sys.argv[1] if len(sys.argv) > 1 else ".")
    for build in (english, japanese):
        path = folder / f"trello-{build.__name__}.json"
        path.write_text(json.dumps(build(), ensure_ascii=False, indent=1), encoding="utf-8")
        print(path)
