"""The daily stand-up (docs/product.md §9): the agenda that walks the board, card mentions, and the
weekly count of impediments. No Django here.

The agenda walks the board right to left: from the column just before done back to the first
column (done work needs no talk). Within a column, blocked items come first, then the oldest.
Flags say why an item or a column deserves the team's attention; each flag's text carries the
numbers it was computed from, so the page can show where a flag comes from.
"""

import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from .flow import days

EXPEDITE = "expedite"
QUEUE = "queue"

# Flag kinds, in the order a person reads them on an item or a column.
BLOCKED = "blocked"
AGING = "aging"
EXPEDITE_WAITING = "expedite_waiting"
NO_OWNER = "no_owner"
OVER_WIP = "over_wip"
OVER_PERSON_LIMIT = "over_person_limit"


@dataclass(frozen=True)
class AgendaColumn:
    id: int
    name: str
    position: int
    kind: str = "active"  # "queue" (work waits) or "active"
    wip_limit: int | None = None
    per_person_limit: int | None = None


@dataclass(frozen=True)
class AgendaCard:
    id: int
    number: int
    title: str
    column_id: int
    created_at: datetime
    lane: str = "standard"
    started_at: datetime | None = None
    blocked_since: datetime | None = None
    blocked_reason: str = ""
    assignees: tuple[int, ...] = ()


@dataclass(frozen=True)
class Flag:
    kind: str
    text: str


@dataclass(frozen=True)
class AgendaItem:
    card: AgendaCard
    age_days: float  # since started, or since created for items not started yet
    flags: tuple[Flag, ...]

    def has(self, kind: str) -> bool:
        return any(f.kind == kind for f in self.flags)


@dataclass(frozen=True)
class AgendaSection:
    column: AgendaColumn
    flags: tuple[Flag, ...]
    items: tuple[AgendaItem, ...]


@dataclass(frozen=True)
class Agenda:
    now: datetime
    sections: tuple[AgendaSection, ...]
    missing: tuple[str, ...]  # who has not checked in, by name
    aging_limit_days: float | None  # the 85th percentile of past cycle times; None: no history
    aging_samples: int  # how many finished items that percentile comes from

    @property
    def items(self) -> tuple[AgendaItem, ...]:
        return tuple(item for section in self.sections for item in section.items)

    def count(self, kind: str) -> int:
        """How many items and columns carry a flag of this kind."""
        return sum(f.kind == kind for s in self.sections for f in s.flags) + sum(
            item.has(kind) for item in self.items
        )


def _age(card: AgendaCard, now: datetime) -> timedelta:
    return max(now - (card.started_at or card.created_at), timedelta(0))


def _item_flags(
    card: AgendaCard,
    column: AgendaColumn,
    *,
    in_progress: bool,
    now: datetime,
    aging_limit_days: float | None,
    aging_samples: int,
) -> tuple[Flag, ...]:
    flags: list[Flag] = []
    if card.blocked_since is not None:
        how_long = days(max(now - card.blocked_since, timedelta(0)))
        reason = f": {card.blocked_reason}" if card.blocked_reason else ""
        flags.append(Flag(BLOCKED, f"blocked for {how_long:.1f} d{reason}"))
    age = _age(card, now).total_seconds() / 86400
    if (
        in_progress
        and card.started_at is not None
        and aging_limit_days is not None
        and age > aging_limit_days
    ):
        flags.append(
            Flag(
                AGING,
                f"{days(_age(card, now)):.1f} d in progress, past the 85th percentile of "
                f"{aging_samples} finished items' cycle times ({aging_limit_days:.1f} d)",
            )
        )
    if card.lane == EXPEDITE and column.kind == QUEUE:
        flags.append(Flag(EXPEDITE_WAITING, f"expedite item waiting in {column.name}"))
    if in_progress and not card.assignees:
        flags.append(Flag(NO_OWNER, "nobody owns this item"))
    return tuple(flags)


def _column_flags(
    column: AgendaColumn, cards: Sequence[AgendaCard], people: Mapping[int, str]
) -> tuple[Flag, ...]:
    flags: list[Flag] = []
    if column.wip_limit is not None and len(cards) > column.wip_limit:
        flags.append(
            Flag(OVER_WIP, f"{len(cards)} items, over the WIP limit of {column.wip_limit}")
        )
    if column.per_person_limit is not None:
        held: dict[int, int] = {}
        for card in cards:
            for person in card.assignees:
                held[person] = held.get(person, 0) + 1
        over = sorted(
            (people.get(p, f"user {p}"), n) for p, n in held.items() if n > column.per_person_limit
        )
        flags.extend(
            Flag(
                OVER_PERSON_LIMIT,
                f"{name} holds {n} items here; the limit is {column.per_person_limit} per person",
            )
            for name, n in over
        )
    return tuple(flags)


def build_agenda(
    *,
    columns: Sequence[AgendaColumn],
    cards: Iterable[AgendaCard],
    start_position: int,
    done_position: int,
    now: datetime,
    aging_limit_days: float | None = None,
    aging_samples: int = 0,
    people: Mapping[int, str] | None = None,
    expected: Sequence[int] = (),
    checked_in: Collection[int] = (),
) -> Agenda:
    """The walk-the-board agenda.

    ``columns`` are the board's columns; those at or after ``done_position`` are left out.
    ``start_position`` is the commitment point: items in it or later are in progress (aging and
    "no owner" only apply to them). ``aging_limit_days`` is the 85th percentile of past cycle
    times (``aging_samples`` finished items); None turns the aging flag off. ``expected`` are the
    people who should check in today, ``checked_in`` those who did; ``people`` names them.
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    names = dict(people or {})
    by_column: dict[int, list[AgendaCard]] = {}
    for card in cards:
        by_column.setdefault(card.column_id, []).append(card)
    sections = []
    for column in sorted(columns, key=lambda c: c.position, reverse=True):
        if column.position >= done_position:
            continue
        held = by_column.get(column.id, [])
        in_progress = column.position >= start_position
        ordered = sorted(
            held, key=lambda c: (c.blocked_since is None, -_age(c, now).total_seconds(), c.number)
        )
        items = tuple(
            AgendaItem(
                card=card,
                age_days=days(_age(card, now)),
                flags=_item_flags(
                    card,
                    column,
                    in_progress=in_progress,
                    now=now,
                    aging_limit_days=aging_limit_days,
                    aging_samples=aging_samples,
                ),
            )
            for card in ordered
        )
        sections.append(AgendaSection(column, _column_flags(column, held, names), items))
    done = set(checked_in)
    missing = tuple(sorted(names.get(p, f"user {p}") for p in expected if p not in done))
    return Agenda(
        now=now,
        sections=tuple(sections),
        missing=missing,
        aging_limit_days=aging_limit_days,
        aging_samples=aging_samples,
    )


# ---- mentions -----------------------------------------------------------------------------------

# "#123" not preceded by a word character, "&" (an HTML entity) or another "#" or "/" (a URL).
MENTION = re.compile(r"(?<![\w&#/])#(\d{1,9})\b")


def mentioned_numbers(text: str) -> list[int]:
    """Card numbers mentioned as ``#123``, in order of first mention, each once."""
    seen: list[int] = []
    for match in MENTION.finditer(text or ""):
        number = int(match.group(1))
        if number not in seen:
            seen.append(number)
    return seen


def split_mentions(text: str) -> list[tuple[str, int | None]]:
    """The text cut into plain pieces (number None) and mentions (the piece is ``#123``)."""
    pieces: list[tuple[str, int | None]] = []
    last = 0
    for match in MENTION.finditer(text or ""):
        if match.start() > last:
            pieces.append((text[last : match.start()], None))
        pieces.append((match.group(0), int(match.group(1))))
        last = match.end()
    if last < len(text or ""):
        pieces.append((text[last:], None))
    return pieces


# ---- impediments per week -----------------------------------------------------------------------


@dataclass(frozen=True)
class WeekCount:
    week_start: date  # the Monday of the ISO week
    opened: int
    resolved: int


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def weekly_counts(
    opened: Iterable[date], resolved: Iterable[date], *, start: date, end: date
) -> list[WeekCount]:
    """Impediments opened and resolved per ISO week, for every week from the one holding
    ``start`` to the one holding ``end`` (weeks with none included). Dates outside are ignored."""
    if end < start:
        raise ValueError("end must not be before start")
    first, last = week_start(start), week_start(end)
    counts: dict[date, list[int]] = {}
    week = first
    while week <= last:
        counts[week] = [0, 0]
        week += timedelta(days=7)
    for index, dates in ((0, opened), (1, resolved)):
        for day in dates:
            if start <= day <= end:
                counts[week_start(day)][index] += 1
    return [WeekCount(w, o, r) for w, (o, r) in counts.items()]
