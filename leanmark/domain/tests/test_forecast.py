"""Monte Carlo forecasts (§5) against the exact distribution, computed by convolution."""

import numpy as np
import pytest

from leanmark.domain import forecast
from leanmark.domain.forecast import (
    MAX_TRIALS,
    ForecastError,
    History,
    how_many,
    period_totals,
    when,
)

HISTORY = History.of([0, 1, 2, 0, 3, 1, 0, 2])  # items finished per day, zero days included
# Confidence levels at least 1.5 points away from every exact cumulative probability below, so
# 100,000 trials (standard error about 0.16 points) cannot land on the other side by chance.
LEVELS = (60, 75, 88, 93)
WHEN_LEVELS = (60, 75, 85, 90)
TRIALS = 100_000


def exact_sum(history: History, periods: int) -> np.ndarray:
    """P(total = n) after ``periods`` periods sampled uniformly with replacement."""
    one = np.bincount(history.counts) / history.periods
    total = np.array([1.0])
    for _ in range(periods):
        total = np.convolve(total, one)
    return total


def at_least(history: History, periods: int) -> np.ndarray:
    """P(total >= n) for n = 0, 1, ..."""
    return np.cumsum(exact_sum(history, periods)[::-1])[::-1]


def far_from_every(probabilities: np.ndarray, level: int) -> bool:
    return bool(np.all(np.abs(probabilities - level / 100) > 0.015))


def test_how_many_matches_the_exact_distribution():
    tail = at_least(HISTORY, 5)
    result = how_many(HISTORY, 5, trials=TRIALS, seed=7, confidences=LEVELS)
    for level in LEVELS:
        assert far_from_every(tail, level)
        exact = max(n for n in range(tail.size) if tail[n] >= level / 100)
        assert result.answers[level] == exact, level
    assert result.answers == {60: 5, 75: 4, 88: 3, 93: 2}


def test_when_matches_the_exact_distribution():
    # P(done within n periods) = P(total after n periods >= 6): throughput is never negative.
    tails = [at_least(HISTORY, n) for n in range(30)]
    done_within = np.array([tail[6] if tail.size > 6 else 0.0 for tail in tails])
    # 100,000 trials fit the draw budget over 100 periods, not over the default 520; every
    # trial is done within 30 (beyond == 0), so the horizon does not change the answers.
    result = when(HISTORY, 6, trials=TRIALS, seed=11, confidences=WHEN_LEVELS, max_periods=100)
    for level in WHEN_LEVELS:
        assert far_from_every(done_within, level)
        exact = min(n for n in range(done_within.size) if done_within[n] >= level / 100)
        assert result.answers[level] == exact, level
    assert result.answers == {60: 6, 75: 7, 85: 8, 90: 9}
    assert result.beyond == 0


def test_the_default_levels_are_50_70_85_95_and_fall_as_confidence_rises():
    result = how_many(HISTORY, 30, seed=1)
    assert list(result.answers) == [50, 70, 85, 95]
    values = list(result.answers.values())
    assert values == sorted(values, reverse=True)
    assert sum(n for _value, n in result.histogram) == result.trials == 10_000
    later = when(HISTORY, 20, seed=1)
    assert list(later.answers.values()) == sorted(later.answers.values())


def test_the_same_seed_gives_the_same_answer_and_reports_itself():
    first = how_many(HISTORY, 10, trials=2_000, seed=123)
    again = how_many(HISTORY, 10, trials=2_000, seed=123)
    assert first.answers == again.answers and first.histogram == again.histogram
    assert (first.seed, first.trials, first.target) == (123, 2_000, 10)


def test_a_history_with_steady_throughput_gives_a_certain_answer():
    steady = History.of([2, 2, 2])
    assert how_many(steady, 7, trials=100, seed=0).answers == {50: 14, 70: 14, 85: 14, 95: 14}
    assert when(steady, 7, trials=100, seed=0).answers == {50: 4, 70: 4, 85: 4, 95: 4}


def test_trials_that_never_finish_are_reported_beyond_the_horizon():
    rare = History.of([0] * 99 + [1])
    result = when(rare, 5, trials=200, seed=3, max_periods=50)
    assert result.beyond > 190
    assert result.answers[95] is None


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: how_many(History.of([0, 0, 0]), 5, seed=1), "no item was finished"),
        (lambda: how_many(History.of([]), 5, seed=1), "no whole period"),
        (lambda: how_many(HISTORY, 0, seed=1), "at least one whole period ahead"),
        (lambda: when(HISTORY, 0, seed=1), "at least 1"),
        (lambda: when(HISTORY, -3, seed=1), "at least 1"),
        (lambda: how_many(HISTORY, 5, trials=MAX_TRIALS + 1, seed=1), "between 1 and 1,000,000"),
        (lambda: when(HISTORY, 5, trials=0, seed=1), "between 1 and 1,000,000"),
        (lambda: History.of([1, -1]), "cannot be negative"),
        (
            lambda: how_many(HISTORY, 1_827, seed=1),
            "periods ahead is at most 1,826 \\(five years of days\\); got 1,827",
        ),
        (lambda: when(HISTORY, 10_001, seed=1), "items is at most 10,000; got 10,001"),
        (
            lambda: how_many(HISTORY, 1_826, trials=20_000, seed=1),
            "at most 20,000,000 draws; got 20,000 × 1,826 = 36,520,000: use at most 10,952 "
            "trials for 1,826 periods",
        ),
        (
            lambda: when(HISTORY, 5, trials=40_000, seed=1),
            "at most 20,000,000 draws; got 40,000 × 520 = 20,800,000",
        ),
    ],
)
def test_bad_input_gets_a_clear_message(call, message):
    with pytest.raises(ForecastError, match=message):
        call()


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda: how_many(HISTORY, 10**9, seed=1), "until"),
        (lambda: how_many(HISTORY, 1_826, trials=MAX_TRIALS, seed=1), "trials"),
        (lambda: when(HISTORY, 10**9, trials=MAX_TRIALS, seed=1), "items"),
        (lambda: when(HISTORY, 5, trials=MAX_TRIALS, seed=1), "trials"),
    ],
)
def test_it_refuses_too_much_work_before_drawing_anything(monkeypatch, call, field):
    def no_drawing(seed):
        raise AssertionError("a refused forecast must not start drawing")

    monkeypatch.setattr(forecast.np.random, "default_rng", no_drawing)
    with pytest.raises(ForecastError) as refused:
        call()
    assert refused.value.field == field


def test_the_defaults_fit_the_draw_budget_at_the_longest_horizon():
    result = how_many(HISTORY, forecast.MAX_AHEAD_DAYS, seed=1)
    assert (result.trials, result.target) == (10_000, 1_826)
    assert when(HISTORY, forecast.MAX_ITEMS, seed=1).beyond == 10_000  # 1.1 a day: never done


def test_weekly_totals_leave_out_a_partial_week_at_the_start():
    daily = np.arange(1, 17)  # 16 days: 2 whole weeks and 2 days before them
    assert period_totals(daily, 7).tolist() == [sum(range(3, 10)), sum(range(10, 17))]
    assert period_totals(daily[:5], 7).tolist() == []
