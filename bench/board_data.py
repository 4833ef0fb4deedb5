"""Synthetic boards for the benchmarks, written with bulk_create but consistent with the services.

Every card walks the columns left to right (Ready → Writing → Review → Live → Done) up to the
column it sits in, and gets the events that walk would have written (created, one move per step,
blocked), so its cached fields agree with its events: ``started_at`` is when it entered the start
column, ``finished_at`` when it entered Done, ``column_entered_at`` its last move, ``version`` one
more per move and block, and the board's ``card_counter`` is the highest card number.
"""

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from leanmark.accounts.models import Membership, Role, User, Workspace
from leanmark.board import services
from leanmark.board.models import Board, Card, CardEvent, Column, Lane
from leanmark.domain.hourglass import Stage
from leanmark.testing.personas import COLUMNS

# Share of cards per column (Ready, Writing, Review, Live, Done): many are done.
COLUMN_WEIGHTS = [15, 10, 8, 12, 55]
LANE_WEIGHTS = {Lane.EXPEDITE: 3, Lane.FIXED_DATE: 12, Lane.STANDARD: 65, Lane.INTANGIBLE: 20}
BLOCKED_SHARE = 0.04  # of the cards not yet done
TAGS = ["seo", "email", "launch", "video", "blog", "ads", "social", "webinar", "pricing", "brand"]
WORDS = ["landing", "newsletter", "case study", "pricing", "teaser", "webinar", "funnel", "launch"]
EXTRA_MEMBERS = 6


@dataclass
class BenchBoard:
    board: Board
    columns: dict[str, Column]
    cards: int


def extra_members(workspace: Workspace) -> list[User]:
    """A few more members so cards carry varied avatars (no password: nothing to hash)."""
    people = []
    for i in range(EXTRA_MEMBERS):
        user = User.objects.create(
            username=f"member{i}@acme.example",
            email=f"member{i}@acme.example",
            display_name=f"Member {i} Bench",
        )
        Membership.objects.create(workspace=workspace, user=user, role=Role.MEMBER)
        people.append(user)
    return people


@transaction.atomic
def build_board(
    workspace: Workspace, name: str, n_cards: int, people: list[User], actor: User, *, seed: int
) -> BenchBoard:
    rng = random.Random(seed)
    board = services.create_board(workspace, name, COLUMNS, start="Writing", done="Done")
    columns = list(board.columns.order_by("position"))
    start_index = next(i for i, c in enumerate(columns) if c.pk == board.start_column_id)
    done_index = next(i for i, c in enumerate(columns) if c.pk == board.done_column_id)
    now = timezone.now()
    next_position: dict[tuple[int, str], int] = {}
    cards: list[Card] = []
    walks: list[list[datetime]] = []
    first = workspace.card_counter + 1  # card numbers are unique across a workspace's boards
    for number in range(first, first + n_cards):
        index = rng.choices(range(len(columns)), weights=COLUMN_WEIGHTS)[0]
        lane = rng.choices(list(LANE_WEIGHTS), weights=list(LANE_WEIGHTS.values()))[0]
        # Entry times into columns[0..index], newest last, all in the past.
        times = [now - timedelta(days=rng.uniform(0.05, 12))]
        for _ in range(index):
            times.insert(0, times[0] - timedelta(days=rng.uniform(0.2, 9)))
        column = columns[index]
        key = (column.pk, lane)
        position = next_position.get(key, 0)
        next_position[key] = position + 1
        blocked = index != done_index and rng.random() < BLOCKED_SHARE
        card = Card(
            board=board,
            number=number,
            column=column,
            lane=lane,
            position=position,
            title=f"{rng.choice(WORDS).capitalize()} {rng.choice(WORDS)} {number}",
            description="",
            due_date=(now + timedelta(days=rng.randint(3, 40))).date()
            if lane == Lane.FIXED_DATE
            else None,
            stage=rng.choice([*(s.value for s in Stage), ""]),
            tags=rng.sample(TAGS, rng.randint(1, 3)),
            created_at=times[0],
            column_entered_at=times[-1],
            started_at=times[start_index] if index >= start_index else None,
            finished_at=times[done_index] if index == done_index else None,
            version=1 + index + (1 if blocked else 0),
        )
        if blocked:
            card.blocked_reason = "waiting for legal sign-off"
            card.blocked_since = times[-1] + (now - times[-1]) / 2
        cards.append(card)
        walks.append(times)
    Card.objects.bulk_create(cards, batch_size=500)
    ids = dict(Card.objects.filter(board=board).values_list("number", "id"))
    through = Card.assignees.through
    links = []
    events = []
    for card, times in zip(cards, walks, strict=True):
        card_id = ids[card.number]
        links += [
            through(card_id=card_id, user_id=p.pk) for p in rng.sample(people, rng.randint(1, 2))
        ]
        events.append(
            CardEvent(
                card_id=card_id,
                board=board,
                kind=CardEvent.Kind.CREATED,
                at=times[0],
                actor=actor,
                to_column=columns[0],
                lane=card.lane,
            )
        )
        events += [
            CardEvent(
                card_id=card_id,
                board=board,
                kind=CardEvent.Kind.MOVED,
                at=times[i],
                actor=actor,
                from_column=columns[i - 1],
                to_column=columns[i],
                lane=card.lane,
            )
            for i in range(1, len(times))
        ]
        if card.blocked_since is not None:
            events.append(
                CardEvent(
                    card_id=card_id,
                    board=board,
                    kind=CardEvent.Kind.BLOCKED,
                    at=card.blocked_since,
                    actor=actor,
                    reason=card.blocked_reason,
                )
            )
    through.objects.bulk_create(links, batch_size=1000)
    CardEvent.objects.bulk_create(events, batch_size=1000)
    Workspace.objects.filter(pk=workspace.pk).update(card_counter=first + n_cards - 1)
    workspace.refresh_from_db()
    board.refresh_from_db()
    return BenchBoard(board, {c.name: c for c in columns}, n_cards)


def movable_cards(bench: BenchBoard, column: str, count: int) -> list[Card]:
    """Unblocked standard-lane cards of a column: they can go back and forth freely."""
    cards = list(
        Card.objects.live()
        .filter(
            board=bench.board,
            column=bench.columns[column],
            lane=Lane.STANDARD,
            blocked_since__isnull=True,
        )
        .order_by("number")[:count]
    )
    if len(cards) < count:
        raise RuntimeError(f"only {len(cards)} movable cards in {column} of {bench.board.name}")
    return cards
