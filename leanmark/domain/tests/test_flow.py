from datetime import UTC, datetime, timedelta

import pytest

from leanmark.domain.flow import Move, days, item_times, percentiles

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def at(day: float) -> datetime:
    return T0 + timedelta(days=day)


# Board: 0 Ready (queue), 1 Writing (start), 2 Review, 3 Done.
START, DONE = 1, 3


@pytest.mark.parametrize(
    ("moves", "started", "finished", "lead_days", "cycle_days"),
    [
        # never moved: not started, not finished
        ([], None, None, None, None),
        # waiting in the queue column only: not started
        ([Move(at(1), 0)], None, None, None, None),
        # straight through
        ([Move(at(1), 1), Move(at(3), 2), Move(at(5), 3)], 1, 5, 5, 4),
        # skipped columns: Ready -> Done directly starts and finishes at once
        ([Move(at(2), 0), Move(at(4), 3)], 4, 4, 4, 0),
        # skipped the start column but entered a later one: started on entering Review
        ([Move(at(2), 2), Move(at(6), 3)], 2, 6, 6, 4),
        # moved back out of done: unfinished again
        ([Move(at(1), 1), Move(at(3), 3), Move(at(4), 2)], 1, None, None, None),
        # back out of done and finished again: the last entry into done counts
        ([Move(at(1), 1), Move(at(3), 3), Move(at(4), 2), Move(at(7), 3)], 1, 7, 7, 6),
        # moved back before the start column: the first start still counts
        ([Move(at(1), 1), Move(at(2), 0), Move(at(5), 1), Move(at(9), 3)], 1, 9, 9, 8),
        # a lane change inside done is not a new entry: the finish stays
        ([Move(at(1), 1), Move(at(3), 3), Move(at(4), 3)], 1, 3, 3, 2),
        # events given out of order are sorted by time
        ([Move(at(5), 3), Move(at(1), 1)], 1, 5, 5, 4),
    ],
)
def test_it_computes_start_finish_lead_and_cycle_time(
    moves, started, finished, lead_days, cycle_days
):
    result = item_times(T0, moves, start_index=START, done_index=DONE)
    assert result.started == (None if started is None else at(started))
    assert result.finished == (None if finished is None else at(finished))
    assert result.lead_time == (None if lead_days is None else timedelta(days=lead_days))
    assert result.cycle_time == (None if cycle_days is None else timedelta(days=cycle_days))
    assert result.moves_used == len(moves)


def test_it_explains_a_move_back_out_of_done():
    result = item_times(T0, [Move(at(1), 3), Move(at(2), 2)], start_index=START, done_index=DONE)
    assert result.notes == (f"moved back out of done at {at(2).isoformat()}",)


def test_it_keeps_exact_seconds_and_shows_days_with_one_decimal():
    result = item_times(
        T0, [Move(at(0.5), 1), Move(at(0.5) + timedelta(hours=30), 3)], start_index=1, done_index=3
    )
    assert result.cycle_time == timedelta(hours=30)
    assert days(result.cycle_time) == 1.2


def test_it_refuses_naive_datetimes():
    with pytest.raises(ValueError, match="timezone-aware"):
        item_times(datetime(2026, 1, 1), [], start_index=1, done_index=3)  # noqa: DTZ001


def test_percentiles_are_nearest_rank_with_the_reference_values():
    samples = [5, 6, 6, 7, 7, 6, 5, 4, 4, 3]
    assert percentiles(samples) == {50: 5, 70: 6, 85: 7, 95: 7}


def test_percentiles_of_nothing_is_none():
    assert percentiles([]) is None
