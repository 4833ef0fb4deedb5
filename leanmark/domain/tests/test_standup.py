from datetime import UTC, date, datetime, timedelta

import pytest

from leanmark.domain.standup import (
    AGING,
    BLOCKED,
    EXPEDITE_WAITING,
    NO_OWNER,
    OVER_PERSON_LIMIT,
    OVER_WIP,
    AgendaCard,
    AgendaColumn,
    Flag,
    WeekCount,
    build_agenda,
    mentioned_numbers,
    split_mentions,
    weekly_counts,
)

NOW = datetime(2026, 3, 20, 9, 0, tzinfo=UTC)

# Board: 0 Ready (queue), 1 Writing (start, limit 2, 1 per person), 2 Review (queue), 3 Done.
READY = AgendaColumn(1, "Ready", 0, "queue", wip_limit=8)
WRITING = AgendaColumn(2, "Writing", 1, "active", wip_limit=2, per_person_limit=1)
REVIEW = AgendaColumn(3, "Review", 2, "queue")
DONE = AgendaColumn(4, "Done", 3, "queue")
COLUMNS = [READY, WRITING, REVIEW, DONE]
PEOPLE = {10: "Alice", 11: "Bob", 12: "Carol"}


def ago(d: float) -> datetime:
    return NOW - timedelta(days=d)


def card(number: int, column: AgendaColumn, age: float = 1, **kw) -> AgendaCard:
    started = kw.pop("started", column.position >= 1 and column.position < 3)
    return AgendaCard(
        id=number,
        number=number,
        title=f"card {number}",
        column_id=column.id,
        created_at=ago(age + 1),
        started_at=ago(age) if started else None,
        assignees=kw.pop("assignees", (10,)),
        **kw,
    )


def agenda(cards, **kw):
    defaults = {
        "columns": COLUMNS,
        "start_position": 1,
        "done_position": 3,
        "now": NOW,
        "people": PEOPLE,
    }
    return build_agenda(cards=cards, **{**defaults, **kw})


def test_it_walks_the_board_right_to_left_and_leaves_done_out():
    cards = [card(1, READY), card(2, WRITING), card(3, REVIEW), card(4, DONE)]
    result = agenda(cards)
    assert [s.column.name for s in result.sections] == ["Review", "Writing", "Ready"]
    assert [i.card.number for i in result.items] == [3, 2, 1]


@pytest.mark.parametrize(
    ("cards", "order"),
    [
        # oldest first
        ([card(1, REVIEW, 1), card(2, REVIEW, 5), card(3, REVIEW, 3)], [2, 3, 1]),
        # blocked first, even when younger; blocked ones among themselves oldest first
        (
            [
                card(1, REVIEW, 9),
                card(2, REVIEW, 1, blocked_since=ago(0.5)),
                card(3, REVIEW, 4, blocked_since=ago(0.2)),
            ],
            [3, 2, 1],
        ),
        # same age: by card number
        ([card(7, REVIEW, 2), card(5, REVIEW, 2)], [5, 7]),
        # not started items are aged from their creation
        ([card(1, READY, 1), card(2, READY, 3)], [2, 1]),
    ],
)
def test_it_orders_a_column_blocked_first_then_oldest(cards, order):
    assert [i.card.number for i in agenda(cards).items] == order


def flags_of(item) -> list[str]:
    return [f.kind for f in item.flags]


@pytest.mark.parametrize(
    ("the_card", "kinds"),
    [
        (card(1, WRITING, 1), []),
        (card(1, WRITING, 1, blocked_since=ago(2.5), blocked_reason="legal"), [BLOCKED]),
        # 85th percentile 9.0 d: 9.5 d old is past it, 9.0 d is not
        (card(1, WRITING, 9.5), [AGING]),
        (card(1, WRITING, 9.0), []),
        (card(1, REVIEW, 12), [AGING]),
        # not started (Ready): never aging, and no owner is fine there
        (card(1, READY, 30, assignees=()), []),
        (card(1, READY, 1, lane="expedite"), [EXPEDITE_WAITING]),
        (card(1, REVIEW, 1, lane="expedite"), [EXPEDITE_WAITING]),
        # an expedite item being worked on (active column) is not waiting
        (card(1, WRITING, 1, lane="expedite"), []),
        (card(1, WRITING, 1, assignees=()), [NO_OWNER]),
        (
            card(1, REVIEW, 10, assignees=(), blocked_since=ago(1), lane="expedite"),
            [BLOCKED, AGING, EXPEDITE_WAITING, NO_OWNER],
        ),
    ],
)
def test_each_item_flag(the_card, kinds):
    result = agenda([the_card], aging_limit_days=9.0, aging_samples=40)
    assert flags_of(result.items[0]) == kinds


def test_the_flags_say_where_their_numbers_come_from():
    blocked = card(1, WRITING, 10, blocked_since=ago(2.5), blocked_reason="waiting for legal")
    result = agenda([blocked], aging_limit_days=9.0, aging_samples=40)
    assert result.items[0].flags == (
        Flag(BLOCKED, "blocked for 2.5 d: waiting for legal"),
        Flag(
            AGING,
            "10.0 d in progress, past the 85th percentile of 40 finished items' cycle times "
            "(9.0 d)",
        ),
    )


def test_without_history_nothing_is_aging():
    assert agenda([card(1, WRITING, 300)], aging_limit_days=None).items[0].flags == ()


def test_it_flags_a_column_over_its_wip_limit_but_not_one_at_it():
    at_limit = agenda([card(1, WRITING, assignees=(10,)), card(2, WRITING, assignees=(11,))])
    assert at_limit.sections[1].flags == ()
    over = agenda([card(n, WRITING, assignees=(9 + n,)) for n in (1, 2, 3)])
    assert over.sections[1].flags == (Flag(OVER_WIP, "3 items, over the WIP limit of 2"),)
    assert over.count(OVER_WIP) == 1


def test_it_flags_a_person_holding_more_than_the_per_person_limit():
    result = agenda([card(1, WRITING, assignees=(11,)), card(2, WRITING, assignees=(10, 11))])
    assert result.sections[1].flags == (
        Flag(OVER_PERSON_LIMIT, "Bob holds 2 items here; the limit is 1 per person"),
    )


def test_it_lists_who_has_not_checked_in():
    result = agenda([], expected=[10, 11, 12], checked_in={11})
    assert result.missing == ("Alice", "Carol")


def test_it_refuses_a_naive_clock():
    with pytest.raises(ValueError, match="timezone-aware"):
        build_agenda(
            columns=COLUMNS,
            cards=[],
            start_position=1,
            done_position=3,
            now=NOW.replace(tzinfo=None),
        )


@pytest.mark.parametrize(
    ("text", "numbers"),
    [
        ("finished #12 and #7, then #12 again", [12, 7]),
        ("no mentions", []),
        ("issue#12 is not a mention, nor &#39; or https://x.example/#3", []),
        ("(#5) at the start of a line\n#6", [5, 6]),
        ("##4 is not one either", []),
    ],
)
def test_it_finds_card_mentions(text, numbers):
    assert mentioned_numbers(text) == numbers


def test_it_splits_text_around_mentions():
    assert split_mentions("did #3, next #4.") == [
        ("did ", None),
        ("#3", 3),
        (", next ", None),
        ("#4", 4),
        (".", None),
    ]


def test_it_counts_impediments_per_iso_week_including_empty_weeks():
    # 2026-03-02 is a Monday
    opened = [date(2026, 3, 3), date(2026, 3, 4), date(2026, 3, 17), date(2026, 2, 1)]
    resolved = [date(2026, 3, 8), date(2026, 3, 18)]
    assert weekly_counts(opened, resolved, start=date(2026, 3, 4), end=date(2026, 3, 18)) == [
        WeekCount(date(2026, 3, 2), 1, 1),
        WeekCount(date(2026, 3, 9), 0, 0),
        WeekCount(date(2026, 3, 16), 1, 1),
    ]
