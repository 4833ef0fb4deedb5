"""The Check of a PDCA cycle (docs/product.md §8): windows, the three comparisons, the verdicts."""

from datetime import date

import pytest

from leanmark.domain import pdca

BEFORE = [5.0, 6.0, 6.5, 7.0, 7.5, 8.0, 8.5, 9.0, 9.1, 10.0]
AFTER = [3.0, 3.5, 4.0, 4.5, 5.0, 5.5, 6.0, 6.2, 6.4, 7.0]


def test_it_compares_cycle_times_with_mann_whitney_and_the_85th_percentile():
    result = pdca.compare_durations(BEFORE, AFTER)
    assert result.enough
    assert result.test == "Mann-Whitney U, two-sided"
    assert result.statistic == 89.5  # pairs where before > after, ties counting a half
    assert result.p_value == pytest.approx(0.00316, abs=1e-5)
    assert [(s.label, s.before, s.after) for s in result.shifts] == [
        ("85th-percentile cycle time", 9.1, 6.4),
        ("median cycle time", 7.5, 5.0),
    ]
    assert result.verdict == (
        "85th-percentile cycle time fell from 9.1 to 6.4 days; the difference is significant, "
        "p = 0.003. The median cycle time went from 7.5 to 5.0 days."
    )
    assert result.improved is True


def test_it_calls_a_small_shift_not_significant():
    result = pdca.compare_durations(BEFORE, [x - 0.2 for x in BEFORE])
    assert result.enough and not result.significant
    assert "the difference is not significant (p = 0.68), so it may be chance" in result.verdict
    assert result.improved is False


def test_it_says_a_worse_cycle_time_did_not_improve():
    result = pdca.compare_durations(AFTER, BEFORE)
    assert result.verdict.startswith("85th-percentile cycle time rose from 6.4 to 9.1 days")
    assert result.significant and result.improved is False


@pytest.mark.parametrize(
    ("before", "after", "message"),
    [
        (
            [1.0, 2.0],
            AFTER,
            "Not enough data: 2 items finished before the change; at least 5 are needed on each "
            "side. Widen the windows or wait for more data.",
        ),
        (
            [],
            [],
            "Not enough data: 0 items finished before the change and 0 items finished after it; "
            "at least 5 are needed on each side. Widen the windows or wait for more data.",
        ),
    ],
)
def test_it_says_not_enough_data_when_a_window_is_too_small(before, after, message):
    result = pdca.compare_durations(before, after)
    assert not result.enough
    assert result.verdict == message
    assert result.p_value is None and result.improved is None


def test_it_uses_the_section_6_z_test_for_rates():
    z = pdca.two_proportion_z(5, 83, 12, 99)
    assert round(z.z, 3) == -1.408
    assert round(z.p_value, 3) == 0.159
    result = pdca.compare_rates((5, 83), (12, 99), metric="share finished within 7 days")
    assert result.verdict.startswith(
        "Share finished within 7 days rose from 6.0 % to 12.1 %; the difference is not "
        "significant (p = 0.16), so it may be chance. (5 of 83 before, 12 of 99 after;"
    )
    assert not pdca.compare_rates((1, 4), (3, 50), metric="x").enough


def test_it_compares_daily_means_and_leaves_out_days_without_a_value():
    result = pdca.compare_daily(
        [1, 2, 3, 2, 1, 2, 3, None], [3, 4, 3, 4, 5, 3, 4, 4], metric="throughput", unit="items"
    )
    assert (result.before_n, result.after_n) == (7, 8)
    assert result.notes == ("1 day(s) without a value left out",)
    assert result.shifts[0].before == 2.0 and result.shifts[0].after == 3.75
    assert result.verdict == (
        "Daily mean throughput rose from 2.0 to 3.8 items; the difference is significant, "
        "p < 0.001."
    )
    assert not pdca.compare_daily([1] * 6, [2] * 9, metric="throughput").enough


def test_it_keeps_both_windows_equal_when_the_change_is_recent():
    w = pdca.windows(date(2026, 3, 10), 28, today=date(2026, 3, 24))
    assert (w.days, w.shortened) == (14, True)
    assert (w.before_start, w.before_end) == (date(2026, 2, 24), date(2026, 3, 9))
    assert (w.after_start, w.after_end) == (date(2026, 3, 10), date(2026, 3, 23))
    assert "shortened from 28 days because only 14 days have passed" in w.describe()
    with pytest.raises(ValueError, match="future"):
        pdca.windows(date(2026, 3, 25), 28, today=date(2026, 3, 24))


@pytest.mark.parametrize(
    ("problem", "hints"),
    [
        ("38 % of leads wait more than two days for a first reply", []),
        ("We need a new CRM", ["“need a” asks for something"]),
        ("Lack of a content calendar", ["“Lack of” names a missing thing, i.e. a solution"]),
        ("Implement a review checklist", ["“Implement” names an action"]),
    ],
)
def test_it_warns_when_a_problem_names_a_solution(problem, hints):
    assert pdca.solution_hints(problem) == hints


@pytest.mark.parametrize(
    ("value", "target", "better", "reached"),
    [(6.4, 7.0, "lower", True), (7.5, 7.0, "lower", False), (12, 10, "higher", True)],
)
def test_it_checks_the_target_the_better_way(value, target, better, reached):
    assert pdca.target_reached(value, target, better) is reached
