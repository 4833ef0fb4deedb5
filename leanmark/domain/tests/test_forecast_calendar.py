"""Calendar-aware forecasts (issue 23 item 11): days off are neither sampled nor counted in the
horizon, and a launch date has a probability of being met."""

from datetime import date, timedelta

import numpy as np
import pytest

from leanmark.domain import forecast
from leanmark.domain.forecast import (
    Calendar,
    ForecastError,
    History,
    carried,
    chance_by,
    horizon_periods,
    how_many,
    period_ends,
    when,
    working_history,
)

THURSDAY = date(2026, 12, 3)
WEEKENDS = Calendar.of(weekends_off=True)


def test_the_mask_marks_weekends_and_blackout_days():
    calendar = Calendar.of([date(2026, 12, 8)], weekends_off=True)
    found = calendar.mask(THURSDAY, 7)  # Thu Fri Sat Sun Mon Tue(off) Wed
    assert found.tolist() == [True, True, False, False, True, False, True]
    assert calendar.days_off(THURSDAY, THURSDAY + timedelta(days=6)) == 3
    assert Calendar().every_day and not calendar.every_day


def test_ten_items_at_one_a_working_day_from_a_friday_finish_the_thursday_after_next():
    # Every working day of the history finished one item: the history is all ones, so "when"
    # is certain and its date skips the weekends. Today is Thursday; counting starts Friday.
    working = WEEKENDS.mask(date(2026, 11, 5), 28)
    history = History.of(working_history(working.astype(np.int64), working))
    assert history.counts == (1,) * 20  # 20 working days of the 28, no zero weekend day
    result = when(history, 10, trials=1_000, seed=1)
    assert result.answers == {50: 10, 70: 10, 85: 10, 95: 10}
    ends = period_ends(THURSDAY, 10, WEEKENDS)
    assert ends[9] == date(2026, 12, 17)  # Friday 4th + 10 working days: Thursday the 17th
    assert ends[9].weekday() == 3
    # Without the calendar the same history would say ten calendar days: Sunday the 13th.
    assert period_ends(THURSDAY, 10)[9] == date(2026, 12, 13)


def test_blackout_days_of_the_history_are_not_sampled_as_zeros():
    daily = np.array([2, 0, 2, 0, 2, 0, 2], dtype=np.int64)
    off = Calendar.of([date(2026, 11, 2), date(2026, 11, 4), date(2026, 11, 6)])
    mask = off.mask(date(2026, 11, 1), 7)
    assert working_history(daily, mask).tolist() == [2, 2, 2, 2]
    assert working_history(daily, np.ones(7, bool)).tolist() == daily.tolist()


def test_work_finished_on_a_day_off_counts_on_the_next_working_day():
    mask = np.array([True, False, False, True, True, False])
    assert carried(np.array([1, 2, 3, 0, 1, 4]), mask).tolist() == [1, 0, 0, 5, 5, 0]
    assert working_history(np.array([1, 2, 3, 0, 1, 4]), mask).tolist() == [1, 5, 5]
    assert carried(np.array([3, 1]), np.array([False, False])).tolist() == [0, 0]


def test_weeks_with_no_working_day_are_left_out_of_the_history():
    daily = [1] * 7 + [0] * 7 + [2] * 7
    first = date(2026, 12, 14)  # a Monday: weeks 14-20, 21-27 (all off), 28 Dec-3 Jan
    calendar = Calendar.of(first + timedelta(days=7 + i) for i in range(7))
    assert working_history(daily, calendar.mask(first, 21), 7).tolist() == [7, 14]


@pytest.mark.parametrize(
    ("until", "calendar", "period", "periods"),
    [
        (date(2026, 12, 17), Calendar(), 1, 14),
        (date(2026, 12, 17), WEEKENDS, 1, 10),
        (date(2026, 12, 17), Calendar.of([date(2026, 12, 8)], weekends_off=True), 1, 9),
        (date(2026, 12, 4), WEEKENDS, 1, 1),
        (date(2026, 12, 6), WEEKENDS, 1, 1),  # Fri, Sat, Sun: one working day
        (date(2026, 12, 3), WEEKENDS, 1, 0),
        (date(2026, 12, 24), Calendar(), 7, 3),
        (
            date(2026, 12, 24),
            Calendar.of(date(2026, 12, 11) + timedelta(i) for i in range(7)),
            7,
            2,
        ),
    ],
)
def test_the_horizon_counts_only_working_periods(until, calendar, period, periods):
    assert horizon_periods(THURSDAY, until, calendar, period) == periods


def test_how_many_by_a_date_counts_only_working_days_ahead():
    history = History.of([1] * 20)
    periods = horizon_periods(THURSDAY, date(2026, 12, 17), WEEKENDS)
    assert how_many(history, periods, trials=500, seed=3).answers == {
        50: 10,
        70: 10,
        85: 10,
        95: 10,
    }


def test_a_week_answer_date_skips_a_week_that_is_all_off():
    holiday = Calendar.of(date(2026, 12, 11) + timedelta(days=i) for i in range(7))
    assert period_ends(THURSDAY, 2, holiday, 7) == [date(2026, 12, 10), date(2026, 12, 24)]


# ---- the chance of a launch date -------------------------------------------------------------


def test_the_chance_of_finishing_matches_the_exact_probability():
    # Periods of 0 or 1 items, equally likely: all 2 items in 2 periods needs two ones, 1/4;
    # in 3 periods at least two ones of three, 1/2.
    history = History.of([0, 1])
    two = chance_by(history, 2, 2, trials=100_000, seed=5)
    three = chance_by(history, 2, 3, trials=100_000, seed=5)
    assert two.probability == pytest.approx(0.25, abs=0.005)
    assert three.probability == pytest.approx(0.5, abs=0.005)
    assert (two.done, two.trials, two.items, two.periods, two.seed) == (24_939, 100_000, 2, 2, 5)
    assert chance_by(history, 2, 2, trials=100_000, seed=5) == two  # the seed repeats it


def test_the_chance_agrees_with_when_trials():
    history = History.of([0, 1, 2, 0, 3, 1, 0, 2])
    chance = chance_by(history, 6, 8, trials=20_000, seed=9)
    durations = when(history, 6, trials=20_000, seed=9, max_periods=100).histogram
    share = sum(n for periods, n in durations if periods <= 8) / 20_000
    assert chance.probability == pytest.approx(share, abs=0.015)


@pytest.mark.parametrize(
    ("items", "periods", "probability"),
    [(0, 5, 1.0), (0, 0, 1.0), (3, 0, 0.0), (1, 1, 1.0)],
)
def test_nothing_left_is_certain_and_no_time_left_is_impossible(items, periods, probability):
    assert chance_by(History.of([1, 2]), items, periods, seed=1).probability == probability


def test_the_chance_refuses_bad_input_with_a_message():
    with pytest.raises(ForecastError, match="cannot be negative"):
        chance_by(History.of([1]), -1, 3, seed=1)
    with pytest.raises(ForecastError, match="no item was finished"):
        chance_by(History.of([0, 0]), 1, 3, seed=1)
    with pytest.raises(ForecastError, match="holds no whole period"):
        chance_by(History.of([]), 1, 3, seed=1)


# ---- the backtest with the calendar -----------------------------------------------------------


def test_the_backtest_samples_and_simulates_only_working_days():
    # One item every weekday, none at weekends: with the calendar every past two-week forecast
    # is exactly ten, and comes true every time; without it weekends are sampled as zeros.
    first = date(2025, 12, 1)  # a Monday
    working = WEEKENDS.mask(first, 7 * 30)
    daily = working.astype(np.int64).tolist()
    aware = forecast.backtest(
        daily, horizon=14, window=28, step=7, trials=500, seed=2, working=working
    )
    assert len(aware.runs) == 25
    assert all(run.answers == {50: 10, 70: 10, 85: 10, 95: 10} for run in aware.runs)
    assert all(run.actual == 10 for run in aware.runs)
    assert aware.hit_rate(95) == 1.0
    blind = forecast.backtest(daily, horizon=14, window=28, step=7, trials=500, seed=2)
    assert blind.runs[0].answers == {50: 10, 70: 9, 85: 8, 95: 7}  # zeros sampled: too cautious


def test_a_backtest_run_whose_horizon_is_all_off_is_left_out():
    daily = [1] * 40
    working = np.ones(40, bool)
    working[30:37] = False  # the horizon of the run at day 30 is all off
    found = forecast.backtest(daily, horizon=7, window=30, step=7, working=working)
    assert [r.as_of for r in found.runs] == []
    with pytest.raises(ForecastError, match="one flag per day"):
        forecast.backtest(daily, horizon=7, window=30, step=7, working=working[:5])
