"""The WIP rule (docs/product.md §2): which limits a card arriving in a cell would break.

Three limits guard a board: the column's WIP limit, its per-person limit, and the expedite
lane's limit on the cards in progress. A card already in the column does not count against the
column's limits when it only changes lane or position; the counts given here always leave the
arriving card out. A hard limit refuses; a soft one asks for a reason (``hard`` False). The
expedite limit is always hard. The services load the counts (in the same transaction as the
write they guard) and call ``breaches``; this module only decides.
"""

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Breach:
    """A limit the arrival would break: ``hard`` refuses, soft needs a reason."""

    message: str
    hard: bool


@dataclass(frozen=True)
class Column:
    name: str
    wip_limit: int | None
    per_person_limit: int | None
    hard: bool  # the column's policy


@dataclass(frozen=True)
class Arrival:
    """Where the card goes and what is already there (the card itself never counted).

    ``moving_in``: the card comes from another column (or is new). ``into_expedite``: it enters
    the expedite lane of an in-progress column and was not already expedite in progress.
    ``in_column``: cards in the column. ``held``: for each assignee (by label), the cards they
    hold in the column. ``expedite_in_progress``: expedite cards in progress on the board."""

    moving_in: bool
    into_expedite: bool
    in_column: int
    held: Sequence[tuple[str, int]] = ()
    expedite_in_progress: int = 0


def column_breach(column: Column, in_column: int) -> Breach | None:
    if column.wip_limit is None or in_column < column.wip_limit:
        return None
    policy = "hard" if column.hard else "soft"
    return Breach(
        f"{column.name} is at its WIP limit ({in_column}/{column.wip_limit}, {policy}). "
        "Finish or move a card out of it first"
        + ("." if column.hard else ", or give a reason to go over the limit."),
        column.hard,
    )


def person_breaches(column: Column, held: Sequence[tuple[str, int]]) -> list[Breach]:
    """People who would hold more cards in the column than its per-person limit allows."""
    if column.per_person_limit is None:
        return []
    return [
        Breach(
            f"{person} already holds {count} card(s) in {column.name}; "
            f"the per-person limit is {column.per_person_limit}.",
            column.hard,
        )
        for person, count in held
        if count >= column.per_person_limit
    ]


def expedite_breach(expedite_limit: int, in_progress: int) -> Breach | None:
    if in_progress < expedite_limit:
        return None
    return Breach(
        f"the expedite lane already has {in_progress} card(s) in progress; its limit is "
        f"{expedite_limit}. Finish the expedite item first.",
        True,
    )


def breaches(column: Column, expedite_limit: int, arrival: Arrival) -> list[Breach]:
    """Every limit the arrival breaks, column first, then people, then the expedite lane."""
    found: list[Breach] = []
    if arrival.moving_in:
        breach = column_breach(column, arrival.in_column)
        found += [breach] if breach else []
        found += person_breaches(column, arrival.held)
    if arrival.into_expedite:
        breach = expedite_breach(expedite_limit, arrival.expedite_in_progress)
        found += [breach] if breach else []
    return found
