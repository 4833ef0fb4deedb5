"""The vectorised flow maths (timeline, per-day series, CFD, efficiency, blockers, Little's Law)
on small boards whose answers can be counted by hand."""

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from leanmark.domain import flow
from leanmark.domain.flow import (
    ARCHIVED,
    BLOCKED,
    CREATED,
    DAY,
    DISCARDED,
    MOVED,
    RESTORED,
    UNBLOCKED,
    BoardShape,
    EventLog,
    Move,
    item_times,
)

T0 = datetime(2026, 3, 2, tzinfo=UTC).timestamp()
# 0 Ready (queue), 1 Writing (active, start), 2 Review (queue), 3 Live (active), 4 Done
SHAPE = BoardShape(
    columns=("Ready", "Writing", "Review", "Live", "Done"),
    active=(False, True, False, True, False),
    start_index=1,
    done_index=4,
)


def log_of(cards: dict[int, list[tuple]], reasons: tuple[str, ...] = ()) -> EventLog:
    """{card id: [(day, kind, column or reason index), ...]} -> an EventLog."""
    rows = []
    for card, events in cards.items():
        for day, kind, arg in events:
            placing = kind in (CREATED, MOVED)
            rows.append(
                (card, T0 + day * DAY, kind, arg if placing else -1, -1 if placing else arg)
            )
    card, at, kind, column, reason = zip(*rows, strict=True)
    return EventLog.build(card, at, kind, column, reason, reasons)


def edges(days: int) -> np.ndarray:
    return T0 + DAY * np.arange(days + 1, dtype=float)


def days_or_none(value: float) -> float | None:
    return None if np.isnan(value) else round((value - T0) / DAY, 6)


MOVES_CASES = [
    [],
    [(1, 0)],
    [(1, 1), (3, 2), (5, 4)],
    [(2, 0), (4, 4)],
    [(2, 2), (6, 4)],
    [(1, 1), (3, 4), (4, 2)],
    [(1, 1), (3, 4), (4, 2), (7, 4)],
    [(1, 1), (2, 0), (5, 1), (9, 4)],
    [(1, 1), (3, 4), (3.5, 4)],  # a lane change inside Done is not a new entry
]


@pytest.mark.parametrize("moves", MOVES_CASES)
def test_the_timeline_agrees_with_item_times_for_one_card(moves):
    log = log_of({7: [(0, CREATED, 0)] + [(d, MOVED, c) for d, c in moves]})
    tl = flow.timeline(log, SHAPE)
    created = datetime.fromtimestamp(T0, tz=UTC)
    expected = item_times(
        created,
        [Move(created + timedelta(days=d), c) for d, c in moves],
        start_index=1,
        done_index=4,
    )

    def as_days(value):
        return None if value is None else (value - created).total_seconds() / DAY

    assert tl.ids.tolist() == [7]
    assert days_or_none(tl.started[0]) == as_days(expected.started)
    assert days_or_none(tl.finished[0]) == as_days(expected.finished)


def test_a_card_archived_before_it_finished_is_discarded_until_restored():
    log = log_of(
        {
            1: [(0, CREATED, 0), (1, MOVED, 1), (2, ARCHIVED, -1)],
            2: [(0, CREATED, 0), (1, MOVED, 1), (2, MOVED, 4), (3, ARCHIVED, -1)],
            3: [(0, CREATED, 1), (1, ARCHIVED, -1), (2, RESTORED, -1)],
        }
    )
    tl = flow.timeline(log, SHAPE)
    assert tl.column.tolist() == [DISCARDED, 4, 1]
    assert tl.in_progress().tolist() == [False, False, True]
    assert days_or_none(tl.finished[1]) == 2  # archived from Done: still finished
    wip = flow.wip_per_day(tl, SHAPE, edges(4))
    # end of day 0: cards 1? no (Ready); 3 started in Writing. Day 1: 1 and 3... 3 archived at 1
    assert wip.tolist() == [1, 2, 1, 1]


def test_wip_throughput_and_cfd_per_day():
    log = log_of(
        {
            1: [(0.2, CREATED, 0), (0.5, MOVED, 1), (1.5, MOVED, 2), (2.5, MOVED, 4)],
            2: [(0.3, CREATED, 0), (1.2, MOVED, 1), (3.4, MOVED, 3)],
            3: [(1.1, CREATED, 0)],
            4: [(2.0, CREATED, 1), (2.6, MOVED, 4), (3.1, MOVED, 2)],  # back out of done
        }
    )
    tl = flow.timeline(log, SHAPE)
    days = edges(4)
    assert flow.wip_per_day(tl, SHAPE, days).tolist() == [1, 2, 1, 2]
    assert flow.throughput_per_day(tl, days).tolist() == [0, 0, 1, 0]
    # [day][column k] = items at column k or later at the end of the day
    assert flow.cfd(tl, SHAPE, days).tolist() == [
        [2, 1, 0, 0, 0],
        [3, 2, 1, 0, 0],
        [4, 3, 2, 2, 2],
        [4, 3, 3, 2, 1],
    ]


def test_a_day_starts_at_midnight_and_an_event_at_midnight_belongs_to_the_new_day():
    log = log_of({1: [(0, CREATED, 1), (1.0, MOVED, 4)]})
    tl = flow.timeline(log, SHAPE)
    assert flow.throughput_per_day(tl, edges(2)).tolist() == [0, 1]
    assert flow.wip_per_day(tl, SHAPE, edges(2)).tolist() == [1, 0]  # still WIP at 23:59:59


def test_median_cycle_time_per_day_is_nearest_rank():
    cards = {
        i: [(0, CREATED, 1), (d, MOVED, 4)] for i, d in enumerate([1.1, 1.3, 1.7, 2.5], start=1)
    }
    tl = flow.timeline(log_of(cards), SHAPE)
    median = flow.median_cycle_per_day(tl, edges(3)) / DAY
    assert np.isnan(median[0])
    assert median[1] == pytest.approx(1.3)  # 1.1, 1.3, 1.7 -> the 2nd
    assert median[2] == pytest.approx(2.5)


def test_flow_efficiency_counts_blocked_time_in_an_active_column_as_waiting():
    log = log_of(
        {
            1: [
                (0, CREATED, 0),
                (1, MOVED, 1),  # Writing (active) 2 days
                (3, MOVED, 2),  # Review (queue) 1 day
                (4, MOVED, 3),  # Live (active) 1 day, half of it blocked
                (4.25, BLOCKED, 0),
                (4.75, UNBLOCKED, -1),
                (5, MOVED, 4),
            ],
            2: [(0, CREATED, 1), (2, MOVED, 4)],  # 2 days active
        },
        reasons=("waiting for photos",),
    )
    tl = flow.timeline(log, SHAPE)
    measures = flow.item_measures(tl, SHAPE, now=T0 + 10 * DAY)
    assert (measures.active / DAY).tolist() == pytest.approx([2.5, 2.0])
    assert (measures.blocked / DAY).tolist() == pytest.approx([0.5, 0.0])
    overall = flow.flow_efficiency(tl, measures, np.ones(2, dtype=bool))
    assert overall.items == 2
    assert overall.ratio == pytest.approx(4.5 / 6)


def test_blocker_reasons_are_counted_most_frequent_first():
    log = log_of(
        {
            1: [(0, CREATED, 1), (1, BLOCKED, 0), (2, UNBLOCKED, -1), (3, BLOCKED, 1)],
            2: [(0, CREATED, 1), (1.5, BLOCKED, 1), (1.75, UNBLOCKED, -1)],
            3: [(0, CREATED, 1), (2.5, BLOCKED, 1)],
        },
        reasons=("legal review", "waiting for photos"),
    )
    tl = flow.timeline(log, SHAPE)
    now = T0 + 4 * DAY
    found = flow.blocker_reasons(log, tl, since=T0, until=now, now=now)
    assert [(r.reason, r.times, round(r.blocked_seconds / DAY, 2)) for r in found] == [
        ("waiting for photos", 3, 2.75),  # 1 (still) + 0.25 + 1.5 (still)
        ("legal review", 1, 1.0),
    ]
    assert tl.blocked_since[0] == T0 + 3 * DAY
    assert np.isnan(tl.blocked_since[1])
    # at the end of each day: #1 was unblocked at midnight ending day 1 (still blocked then)
    assert flow.blocked_per_day(tl, SHAPE, edges(4)).tolist() == [0, 1, 1, 2]


def test_littles_law_compares_mean_wip_with_throughput_times_cycle_time():
    law = flow.littles_law(
        np.array([4, 4, 6, 6]), np.array([1, 2, 0, 1]), np.array([4, 6, 2, np.nan]) * DAY
    )
    assert law.mean_wip == 5
    assert law.throughput_per_day == 1
    assert law.mean_cycle_days == 4
    assert law.predicted_wip == 4
    assert law.ratio == 1.25
    assert law.finished == 3


def test_an_empty_log_gives_an_empty_timeline_and_zero_series():
    tl = flow.timeline(EventLog.build([], [], [], []), SHAPE)
    assert len(tl) == 0
    assert flow.wip_per_day(tl, SHAPE, edges(2)).tolist() == [0, 0]
    assert flow.cfd(tl, SHAPE, edges(1)).tolist() == [[0, 0, 0, 0, 0]]
    assert flow.littles_law(np.array([]), np.array([]), np.array([])).mean_cycle_days is None


def test_a_history_must_start_by_placing_the_card():
    with pytest.raises(ValueError, match="start with 'created'"):
        flow.timeline(log_of({1: [(0, BLOCKED, 0), (1, CREATED, 1)]}), SHAPE)
