import math

import numpy as np
import pytest
from scipy import integrate
from scipy import stats as scipy_stats

from leanmark.domain import stats


@pytest.mark.parametrize(
    ("baseline", "mde", "exact", "per_variant"),
    [
        # §6 reference values
        (0.20, 0.05, 1030.2, 1031),
        (0.10, 0.01, None, 14313),
        # p > 0.5 uses 1 - p: 80 % with 5 pp is planned like 20 %
        (0.80, 0.05, 1030.2, 1031),
    ],
)
def test_it_plans_the_sample_size_of_section_6(baseline, mde, exact, per_variant):
    plan = stats.sample_size(baseline, mde)
    assert plan.per_variant == per_variant
    if exact is not None:
        assert round(plan.exact, 1) == exact
    assert "rounded up to" in plan.explanation


def test_it_finds_the_effect_a_given_traffic_can_detect():
    plan = stats.reachable_mde(0.20, 1031)
    assert plan.mde == pytest.approx(0.05, abs=1e-4)
    assert stats.sample_size(0.20, plan.mde).per_variant == 1031


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        ({"baseline": 0.0, "mde": 0.05}, "baseline", "the baseline rate must be between 0 and 1"),
        ({"baseline": 1.2, "mde": 0.05}, "baseline", "the baseline rate must be between 0 and 1"),
        ({"baseline": 0.2, "mde": 0.0}, "mde", "the minimum detectable effect must be above 0"),
        ({"baseline": 0.4, "mde": 0.7}, "mde", "p + δ = 0.4 + 0.7 ≥ 1"),
        ({"baseline": 0.2, "mde": 0.05, "alpha": 1.0}, "alpha", "α must be between 0 and 1"),
        ({"baseline": 0.2, "mde": 0.05, "power": 0.0}, "power", "the power must be between"),
    ],
)
def test_it_refuses_a_bad_plan_with_a_clear_message(kwargs, field, message):
    with pytest.raises(stats.StatsInputError) as caught:
        stats.sample_size(**kwargs)
    assert caught.value.field == field
    assert message in caught.value.message


def test_it_reproduces_the_z_test_reference_of_section_6():
    result = stats.two_proportion_ztest(5, 83, 12, 99)
    assert round(result.z, 3) == -1.408
    assert round(result.p_value, 3) == 0.159
    assert not result.significant
    assert result.ci_low < result.difference < result.ci_high
    assert result.ci_low < 0 < result.ci_high  # the interval agrees: no clear difference


def test_the_z_test_agrees_with_scipys_chi_square_test():
    table = np.array([[5, 78], [12, 87]])
    chi2 = scipy_stats.chi2_contingency(table, correction=False)
    result = stats.two_proportion_ztest(5, 83, 12, 99)
    assert result.z**2 == pytest.approx(chi2.statistic)
    assert result.p_value == pytest.approx(chi2.pvalue)


@pytest.mark.parametrize(
    ("counts", "field", "message"),
    [
        ((12, 10, 5, 50), "successes", "successes cannot exceed trials"),
        ((-1, 10, 5, 50), "trials", "counts cannot be negative"),
        ((0, 0, 5, 50), "trials", "zero trials"),
    ],
)
def test_it_refuses_impossible_counts(counts, field, message):
    with pytest.raises(stats.StatsInputError) as caught:
        stats.two_proportion_ztest(*counts)
    assert caught.value.field == field
    assert message in caught.value.message


def _integrated(a1, b1, a2, b2):
    first, second = scipy_stats.beta(a1, b1), scipy_stats.beta(a2, b2)
    value, _ = integrate.quad(lambda x: second.pdf(x) * first.cdf(x), 0, 1)
    return value


@pytest.mark.parametrize(
    ("posterior_a", "posterior_b", "expected"),
    [
        ((1, 1), (1, 1), 0.5),  # two flat priors: a coin toss
        ((2, 1), (1, 1), 1 / 3),  # Beta(2,1) vs Beta(1,1): ∫ x² dx
        ((6, 79), (13, 88), 0.9135),  # the §6 counts 5/83 vs 12/99 with a Beta(1,1) prior
        ((13, 88), (6, 79), 0.0865),
    ],
)
def test_it_computes_p_b_beats_a_exactly(posterior_a, posterior_b, expected):
    assert stats._prob_beats(*posterior_a, *posterior_b) == pytest.approx(expected, abs=5e-5)


def test_it_reads_the_section_6_counts_as_b_beats_a_with_91_percent():
    assert round(stats.bayes(5, 83, 12, 99).prob_b_beats_a, 3) == 0.914


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ((5, 83), (12, 99)),
        ((120, 1000), (131, 1000)),
        ((480, 500), (470, 500)),
        ((3, 2000), (9, 2100)),
    ],
)
def test_the_exact_sum_matches_numerical_integration(a, b):
    result = stats.bayes(*a, *b)
    posterior = (1 + a[0], 1 + a[1] - a[0], 1 + b[0], 1 + b[1] - b[0])
    assert result.prob_b_beats_a == pytest.approx(_integrated(*posterior), abs=1e-9)


def test_it_gives_the_expected_loss_of_each_choice():
    result = stats.bayes(5, 83, 12, 99)
    a = scipy_stats.beta(6, 79)
    b = scipy_stats.beta(13, 88)
    loss_b, _ = integrate.dblquad(
        lambda y, x: (y - x) * a.pdf(y) * b.pdf(x), 0, 1, lambda x: x, lambda x: 1
    )
    assert result.loss_choosing_b == pytest.approx(loss_b, abs=1e-7)
    # E[max(B-A,0)] - E[max(A-B,0)] = E[B] - E[A]
    assert result.loss_choosing_a - result.loss_choosing_b == pytest.approx(13 / 101 - 6 / 85)


def test_welch_from_summaries_matches_welch_on_the_raw_values():
    rng = np.random.default_rng(7)
    x, y = rng.normal(10, 2, 30), rng.normal(9, 3, 40)
    raw = scipy_stats.ttest_ind(x, y, equal_var=False)
    result = stats.welch_ttest(x.mean(), x.std(ddof=1), 30, y.mean(), y.std(ddof=1), 40)
    assert result.t == pytest.approx(raw.statistic)
    assert result.p_value == pytest.approx(raw.pvalue)
    interval = raw.confidence_interval(0.95)
    assert (result.ci_low, result.ci_high) == pytest.approx((interval.low, interval.high))


@pytest.mark.parametrize(
    ("p_values", "adjusted"),
    [
        ([0.01, 0.04, 0.03], [0.03, 0.06, 0.06]),
        ([0.2], [0.2]),
        ([0.5, 0.01], [0.5, 0.02]),
        ([0.6, 0.7], [1.0, 1.0]),
    ],
)
def test_it_corrects_several_treatments_with_holm(p_values, adjusted):
    assert stats.holm(p_values) == pytest.approx(adjusted)


@pytest.mark.parametrize(
    ("treatment", "control", "planned", "outcome"),
    [
        (60, 40, 100, "treatment_wins"),  # 20 ≥ 2√100
        (59, 40, 100, "continue"),
        (52, 48, 100, "no_winner"),  # T + C reached N
        (30, 35, 100, "continue"),
    ],
)
def test_it_applies_the_simple_sequential_rule(treatment, control, planned, outcome):
    state = stats.sequential_rule(treatment, control, planned)
    assert state.outcome == outcome
    assert state.threshold == 20.0


def test_the_sequential_plan_keeps_false_positives_near_five_percent():
    plan = stats.sequential_plan(0.20, 0.05)
    assert plan.achieved_power >= 0.8
    assert stats.sequential_power(plan.planned - 1, plan.share) < 0.8 or plan.planned == 1
    assert plan.false_positive < 0.05
    assert math.isclose(plan.share, 0.25 / 0.45)


def test_it_gives_the_wilson_interval_of_a_rate():
    low, high = stats.wilson_interval(12, 99)
    assert (round(low, 4), round(high, 4)) == (0.0707, 0.2000)


def _walk_power(planned, share):
    """The rule simulated exactly by dynamic programming over T - C (an independent oracle)."""
    threshold = math.ceil(2 * math.sqrt(planned) - 1e-12)
    walk = np.zeros(planned + threshold + 1)
    walk[planned] = 1.0
    won = 0.0
    for _ in range(planned):
        step = np.zeros_like(walk)
        step[1:] += walk[:-1] * share
        step[:-1] += walk[1:] * (1 - share)
        won += step[planned + threshold]
        step[planned + threshold] = 0.0
        walk = step
    return won


@pytest.mark.parametrize(
    ("planned", "share"), [(7, 0.7), (100, 0.6), (563, 0.25 / 0.45), (564, 0.25 / 0.45), (564, 0.5)]
)
def test_the_sequential_power_formula_matches_the_random_walk(planned, share):
    assert stats.sequential_power(planned, share) == pytest.approx(_walk_power(planned, share))


def test_the_sequential_plan_for_a_small_effect():
    plan = stats.sequential_plan(0.10, 0.01)
    assert plan.planned == 3047
    assert round(plan.achieved_power, 4) == 0.8001


def test_very_large_counts_are_integrated_and_agree_with_the_sum():
    args = (30001, 70001, 30401, 69601)
    summed = stats._prob_beats(*args)  # below the threshold: the finite sum
    assert stats._prob_beats_integrated(*args) == pytest.approx(summed, abs=1e-9)
    big = stats.bayes(500_000, 1_000_000, 501_000, 1_000_000)  # above it: quadrature
    assert round(big.prob_b_beats_a, 4) == 0.9214
    assert big.loss_choosing_a - big.loss_choosing_b == pytest.approx(0.001, abs=1e-6)


def test_fisher_s_exact_test_is_scipy_s_on_the_table_of_successes_and_failures():
    # §6's counts: treatment 12 of 99, control 5 of 83
    fisher = stats.fisher_exact(12, 99, 5, 83)
    assert fisher.table == ((12, 87), (5, 78))
    assert fisher.p_value == scipy_stats.fisher_exact([[12, 87], [5, 78]]).pvalue
    assert round(fisher.p_value, 4) == 0.2041
    assert round(fisher.odds_ratio, 4) == 2.1517
    assert round(stats.fisher_exact(10, 30, 3, 30).p_value, 4) == 0.0575


@pytest.mark.parametrize(
    ("counts", "small"),
    [
        ((12, 99, 5, 83), True),  # 5 successes
        ((10, 20, 10, 20), False),  # every cell exactly 10
        ((10, 20, 9, 20), True),
        ((91, 100, 50, 100), True),  # 9 failures
        ((200, 1000, 260, 1000), False),
    ],
)
def test_small_counts_means_a_cell_of_the_two_by_two_table_below_10(counts, small):
    assert stats.small_counts(*counts) is small
