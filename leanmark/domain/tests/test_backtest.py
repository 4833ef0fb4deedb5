import pytest

from leanmark.domain import forecast


def test_a_steady_team_s_past_forecasts_come_true_at_least_as_often_as_they_claim():
    daily = [1, 0, 2, 1, 1, 0, 0] * 40  # 5 items a week, every week
    found = forecast.backtest(daily, horizon=14, window=28, step=7, trials=2_000, seed=3)
    assert len(found.runs) == (len(daily) - 14 - 28) // 7 + 1 == 35
    assert all(run.actual == 10 for run in found.runs)  # two weeks are always ten items
    for c in (50, 70, 85, 95):
        assert found.hit_rate(c) == 1.0  # the real ten is never below the answer
    assert found.predictability == pytest.approx(1 - (0.5 + 0.3 + 0.15 + 0.05) / 4)


def test_a_team_that_slowed_down_is_caught_overconfident():
    daily = [2] * 120 + [0, 1, 0, 0, 0, 0, 1] * 20  # fast, then nearly stopped
    found = forecast.backtest(daily, horizon=7, window=56, step=7, trials=1_000, seed=1)
    late = [r for r in found.runs if r.as_of >= 130]
    assert late and all(r.actual < (r.answers[95] or 0) for r in late[:3])
    assert found.hit_rate(95) < 0.95


def test_runs_with_no_finished_work_in_their_history_are_left_out_and_bad_input_refused():
    daily = [0] * 60 + [1] * 60
    found = forecast.backtest(daily, horizon=7, window=30, step=10)
    assert all(sum(daily[r.as_of - 30 : r.as_of]) > 0 for r in found.runs)
    with pytest.raises(forecast.ForecastError, match="the horizon is 1 to 366 days"):
        forecast.backtest(daily, horizon=0, window=30, step=7)
    with pytest.raises(forecast.ForecastError, match="too many"):
        forecast.backtest([1] * 4_000, horizon=7, window=30, step=1)
    assert forecast.backtest([1] * 10, horizon=7, window=30, step=7).predictability is None
