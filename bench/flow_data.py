"""A large board for the flow benchmark: 100,000 cards and 1,000,000 events over two years.

Every card walks Ready → Writing → Review → Live → Done as far as its time allows, one in five is
sent back from Review to Writing once, about one in three is blocked and unblocked, and the rest
of the million are edits and assignments spread over the cards (the events a real board has that
flow ignores). Cards are written with bulk_create; events with the driver's fastest path (COPY on
PostgreSQL, executemany on SQLite), in time order per card as the services would write them.
"""

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db import connection, transaction
from django.utils import timezone

from leanmark.board import services
from leanmark.board.models import Board, Card, CardEvent
from leanmark.testing.personas import COLUMNS

CARDS = 100_000
EVENTS = 1_000_000
DAYS = 730
REASONS = ["waiting for sign-off", "legal review", "photos missing", "ad account suspended"]


@dataclass
class BigBoard:
    board: Board
    cards: int
    events: int
    flow_events: int  # created, moved, blocked, unblocked, archived, restored


def _walk(rng: random.Random, created: datetime, now: datetime) -> list[tuple[str, datetime, int]]:
    """(kind, at, column index) events of one card, oldest first, all before ``now``."""
    events = [("created", created, 0)]
    at = created
    path = [1, 2, 3, 4]
    if rng.random() < 0.2:
        path = [1, 2, 1, 2, 3, 4]  # sent back from Review once
    target = rng.choices([0, 1, 2, 3, 4], weights=[4, 3, 2, 3, 88])[0]
    for step in path:
        at = at + timedelta(days=rng.expovariate(1 / 2.5))
        if at >= now or step > target:
            break
        events.append(("moved", at, step))
    if rng.random() < 0.35 and len(events) > 1:
        start = events[1][1] + timedelta(hours=rng.uniform(1, 20))
        end = start + timedelta(days=rng.expovariate(1 / 1.5))
        if end < now:
            events.append(("blocked", start, -1))
            events.append(("unblocked", end, -1))
    events.sort(key=lambda e: e[1])
    return events


@transaction.atomic
def build(workspace, actor, *, seed: int = 1) -> BigBoard:
    rng = random.Random(seed)
    board = services.create_board(workspace, "Flow bench", COLUMNS, start="Writing", done="Done")
    columns = list(board.columns.order_by("position"))
    now = timezone.now()
    first = workspace.card_counter + 1
    walks = []
    for _ in range(CARDS):
        created = now - timedelta(days=rng.uniform(0, DAYS))
        walks.append(_walk(rng, created, now))
    flow_events = sum(len(w) for w in walks)
    extra = EVENTS - flow_events
    padding = [rng.randrange(CARDS) for _ in range(max(0, extra))]
    cards = []
    for i, walk in enumerate(walks):
        placed = [e for e in walk if e[0] in ("created", "moved")]
        finished = placed[-1][1] if placed[-1][2] == 4 else None
        started = next((e[1] for e in placed if e[2] >= 1), None)
        cards.append(
            Card(
                board=board,
                number=first + i,
                column=columns[placed[-1][2]],
                title=f"Bench card {first + i}",
                position=i,
                created_at=walk[0][1],
                column_entered_at=placed[-1][1],
                started_at=started,
                finished_at=finished,
                version=len(walk),
            )
        )
    Card.objects.bulk_create(cards, batch_size=5000)
    type(workspace).objects.filter(pk=workspace.pk).update(card_counter=first + CARDS - 1)
    ids = list(Card.objects.filter(board=board).order_by("number").values_list("id", flat=True))
    extras: dict[int, int] = {}
    for index in padding:
        extras[index] = extras.get(index, 0) + 1
    rows = []
    for i, (card_id, walk) in enumerate(zip(ids, walks, strict=True)):
        previous = None
        for kind, at, column in walk:
            to_id = columns[column].pk if column >= 0 else None
            from_id = previous if kind == "moved" else None
            reason = rng.choice(REASONS) if kind in ("blocked", "unblocked") else ""
            rows.append((card_id, board.pk, kind, at, actor.pk, from_id, to_id, "standard", reason))
            if column >= 0:
                previous = to_id
        last = walk[-1][1]
        for k in range(extras.get(i, 0)):
            at = last + timedelta(minutes=k + 1)
            kind = "edited" if k % 3 else "assigned"
            rows.append((card_id, board.pk, kind, min(at, now), actor.pk, None, None, "", ""))
    _insert_events(rows)
    return BigBoard(board, CARDS, len(rows), flow_events)


def _insert_events(rows: list[tuple]) -> None:
    table = CardEvent._meta.db_table
    names = (
        "card_id, board_id, kind, at, actor_id, from_column_id, to_column_id, lane, reason, data"
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            raw = cursor.cursor
            with raw.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row((*row, "{}"))
        return
    sql = f"INSERT INTO {table} ({names}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, '{{}}')"  # noqa: S608
    text = [
        (*row[:3], row[3].astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f"), *row[4:])
        for row in rows
    ]
    connection.ensure_connection()
    connection.connection.executemany(sql, text)
