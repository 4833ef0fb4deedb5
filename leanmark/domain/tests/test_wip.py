"""The WIP rule as a table: each row an arrival and the limits it breaks (hard or soft)."""

import pytest

from leanmark.domain.wip import Arrival, Column, breaches

SOFT3 = Column("Doing", wip_limit=3, per_person_limit=None, hard=False)
HARD3 = Column("Doing", wip_limit=3, per_person_limit=None, hard=True)
PERSON1 = Column("Doing", wip_limit=None, per_person_limit=1, hard=True)
OPEN = Column("Doing", wip_limit=None, per_person_limit=None, hard=False)


@pytest.mark.parametrize(
    ("column", "arrival", "expected"),
    [
        # the column's limit counts the cards already there, the arriving one left out
        (SOFT3, Arrival(moving_in=True, into_expedite=False, in_column=2), []),
        (SOFT3, Arrival(moving_in=True, into_expedite=False, in_column=3), [False]),
        (HARD3, Arrival(moving_in=True, into_expedite=False, in_column=3), [True]),
        (HARD3, Arrival(moving_in=True, into_expedite=False, in_column=7), [True]),  # over already
        # a card already in the column that changes lane or place is not arriving
        (HARD3, Arrival(moving_in=False, into_expedite=False, in_column=3), []),
        (OPEN, Arrival(moving_in=True, into_expedite=False, in_column=999), []),
        # per person: each assignee at the limit is one breach, in the column's policy
        (PERSON1, Arrival(True, False, 0, held=[("Ana", 0), ("Bo", 1), ("Cy", 2)]), [True, True]),
        (PERSON1, Arrival(False, False, 0, held=[("Bo", 1)]), []),
        # the expedite lane is always hard, even in a soft column, and counted on its own
        (SOFT3, Arrival(False, True, 0, expedite_in_progress=1), [True]),
        (SOFT3, Arrival(False, True, 0, expedite_in_progress=0), []),
        (SOFT3, Arrival(True, True, 3, expedite_in_progress=1), [False, True]),
    ],
)
def test_the_limits_an_arrival_breaks(column, arrival, expected):
    assert [b.hard for b in breaches(column, 1, arrival)] == expected


def test_the_messages_say_the_count_the_limit_and_what_to_do():
    soft, expedite = breaches(SOFT3, 1, Arrival(True, True, 3, expedite_in_progress=1))
    assert soft.message == (
        "Doing is at its WIP limit (3/3, soft). Finish or move a card out of it first, "
        "or give a reason to go over the limit."
    )
    assert expedite.message == (
        "the expedite lane already has 1 card(s) in progress; its limit is 1. "
        "Finish the expedite item first."
    )
    (hard,) = breaches(HARD3, 1, Arrival(True, False, 3))
    assert hard.message.endswith("Finish or move a card out of it first.")
    (person,) = breaches(PERSON1, 1, Arrival(True, False, 0, held=[("Bo", 1)]))
    assert person.message == "Bo already holds 1 card(s) in Doing; the per-person limit is 1."
