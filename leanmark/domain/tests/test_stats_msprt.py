# ruff: noqa: RUF002, RUF003 (maths notation in comments: Λ, τ, Δ, √, ·)
"""The always-valid mSPRT and the corrections for several comparisons (issue 23, items 3 and 4).

The mSPRT reference values are Johari, Koomen, Pekelis & Walsh's closed form of the two-stream
normal mixture likelihood ratio ("Peeking at A/B Tests", KDD 2017, §4; "Always Valid Inference",
Operations Research 2022): with n per arm, per-arm variance σ², mixing N(0, τ²),
    Λₙ = √(2σ² ÷ (2σ² + nτ²)) · exp(n²τ²Δ² ÷ (4σ²(2σ² + nτ²))),
worked by hand below; in terms of the estimate's variance v = 2σ²/n it is
    Λ = √(v ÷ (v + τ²)) · exp(τ²Δ² ÷ (2v(v + τ²))).
"""

import numpy as np
import pytest

from leanmark.domain import bml, stats
from leanmark.domain.bml import VariantData


@pytest.mark.parametrize(
    ("difference", "variance", "tau", "likelihood_ratio", "p_value"),
    [
        # v = 0.0004, τ² = 0.0021, v + τ² = 0.0025: √(0.0004 ÷ 0.0025) = 0.4;
        # exponent 0.0021 · 0.05² ÷ (2 · 0.0004 · 0.0025) = 0.00000525 ÷ 0.000002 = 2.625;
        # Λ = 0.4 · e^2.625 = 0.4 · 13.804574 = 5.521830; p = 1 ÷ Λ = 0.181099
        (0.05, 0.0004, 0.0021**0.5, 5.521830, 0.181099),
        # the paper's n-form: σ² = 1 per arm, n = 100, τ² = 0.02, Δ = 0.4 (v = 2 ÷ 100 = 0.02):
        # √(2 ÷ (2 + 100 · 0.02)) = √0.5 = 0.707107; exponent 100² · 0.02 · 0.4² ÷ (4 · 1 · 4)
        # = 32 ÷ 16 = 2; Λ = 0.707107 · e² = 0.7071068 · 7.3890561 = 5.224852; p = 0.191393
        (0.4, 0.02, 0.02**0.5, 5.224852, 0.191393),
        # no difference at all: Λ = √(v ÷ (v + τ²)) = √(0.01 ÷ 0.02) = 0.707107 < 1, so p = 1
        (0.0, 0.01, 0.1, 0.707107, 1.0),
        # a large difference: v = 0.0001, τ² = 0.0024 (v + τ² = 0.0025): √(1 ÷ 25) = 0.2;
        # exponent 0.0024 · 0.04² ÷ (2 · 0.0001 · 0.0025) = 0.00000384 ÷ 0.0000005 = 7.68;
        # Λ = 0.2 · e^7.68 = 0.2 · 2164.6198 = 432.9240; p = 0.00230987
        (0.04, 0.0001, 0.0024**0.5, 432.9240, 0.00230987),
    ],
)
def test_it_computes_the_mixture_likelihood_ratio_of_the_paper(
    difference, variance, tau, likelihood_ratio, p_value
):
    result = stats.always_valid_p([difference], [variance], tau=tau)
    assert result.likelihood_ratio == pytest.approx(likelihood_ratio, rel=1e-6)
    assert result.p_value == pytest.approx(p_value, rel=1e-5)


def test_the_always_valid_p_value_is_the_smallest_over_the_looks():
    # look 1: p = 0.181099 (the first row above); look 2: no difference, 1 ÷ Λ above 1
    result = stats.always_valid_p([0.05, 0.0], [0.0004, 0.0002], tau=0.0021**0.5)
    assert result.looks == 2
    assert result.p_value == pytest.approx(0.181099, rel=1e-5)
    assert result.likelihood_ratio < 1  # the latest look alone shows nothing


def test_the_always_valid_interval_is_where_the_ratio_stays_below_one_over_alpha():
    # v = 0.0004, τ² = 0.0021, α = 0.05: half-width² = 2v(v + τ²)/τ² · (ln 20 + ½ ln 6.25)
    # = (0.000002 ÷ 0.0021) · ln 50 = 0.000952381 · 3.912023 = 0.00372574 → 0.0610388
    result = stats.always_valid_p([0.05], [0.0004], tau=0.0021**0.5, alpha=0.05)
    assert result.ci_low == pytest.approx(0.05 - 0.0610388, abs=1e-7)
    assert result.ci_high == pytest.approx(0.05 + 0.0610388, abs=1e-7)


def test_it_refuses_a_mixing_spread_that_is_not_above_zero():
    with pytest.raises(stats.StatsInputError, match="τ must be above 0") as error:
        stats.always_valid_p([0.1], [0.01], tau=0.0)
    assert error.value.field == "tau"


def test_the_plan_is_the_smallest_sample_whose_last_look_reaches_the_power():
    plan = stats.msprt_plan_proportions(0.20, 0.05)
    assert plan.tau == 0.05  # the default: τ = δ
    # V = 0.2 · 0.8 + 0.25 · 0.75 = 0.16 + 0.1875 = 0.3475
    assert plan.unit_variance == pytest.approx(0.3475)
    assert plan.per_variant == 2115  # against 1,031 for the fixed horizon (§6)
    assert stats.msprt_power(2115, 0.3475, 0.05, 0.05, 0.05) >= 0.8
    assert stats.msprt_power(2114, 0.3475, 0.05, 0.05, 0.05) < 0.8


def test_the_plan_of_a_continuous_metric_uses_twice_the_variance():
    plan = stats.msprt_plan_means(10, 2)
    assert plan.unit_variance == 200
    assert plan.per_variant == 761  # against 393 for the fixed horizon


def test_peeking_every_day_keeps_the_always_valid_false_positive_rate_under_alpha():
    """2,000 A/A tests (both arms convert at 10 %), 100 visitors per arm a day, looked at every
    day for 30 days: stopping at the first look with the naive z-test's p < 0.05 declares a
    winner in about a quarter of them; the always-valid p-value stays under α."""
    rng = np.random.default_rng(20231)
    runs, days, daily, rate = 2000, 30, 100, 0.10
    control = np.cumsum(rng.binomial(daily, rate, (runs, days)), axis=1)
    treatment = np.cumsum(rng.binomial(daily, rate, (runs, days)), axis=1)
    n = daily * np.arange(1, days + 1)
    pooled = (control + treatment) / (2 * n)
    variance = pooled * (1 - pooled) * 2 / n
    difference = (treatment - control) / n
    z = difference / np.sqrt(variance)
    naive = float(np.mean((np.abs(z) > 1.959964).any(axis=1)))
    always = stats.always_valid_p_values(stats.msprt_log_lr(difference, variance, 0.02))
    valid = float(np.mean(always[:, -1] <= 0.05))
    assert naive > 0.2  # 0.261 with this seed: more than five times α
    assert valid <= 0.05  # 0.007 with this seed
    assert (naive, valid) == (0.261, 0.007)


# Benjamini & Hochberg (1995), J. R. Statist. Soc. B 57(1), §4.1: the 15 p-values of their
# worked example; at q = 0.05 their procedure rejects the four smallest. The adjusted values are
# R's p.adjust(p, "BH") definition, min over j ≥ i of m·p₍ⱼ₎/j, worked by hand with m = 15:
# 15·0.0001/1 = 0.0015, 15·0.0004/2 = 0.003, 15·0.0019/3 = 0.0095, 15·0.0095/4 = 0.035625,
# 15·0.0201/5 = 0.0603, 15·0.0278/6 = 0.0695 (but 15·0.0298/7 = 0.0638571 is smaller later),
# 0.0638571, 15·0.0344/8 = 0.0645, 15·0.0459/9 = 0.0765, 15·0.3240/10 = 0.486,
# 15·0.4262/11 = 0.5811818, 15·0.5719/12 = 0.714875, 15·0.6528/13 = 0.7532308,
# 15·0.7590/14 = 0.8132143, 15·1/15 = 1.
BH_1995 = [
    0.0001, 0.0004, 0.0019, 0.0095, 0.0201, 0.0278, 0.0298, 0.0344, 0.0459, 0.3240, 0.4262,
    0.5719, 0.6528, 0.7590, 1.000,
]  # fmt: skip
BH_ADJUSTED = [
    0.0015, 0.003, 0.0095, 0.035625, 0.0603, 0.0638571, 0.0638571, 0.0645, 0.0765, 0.486,
    0.5811818, 0.714875, 0.7532308, 0.8132143, 1.0,
]  # fmt: skip
# Holm on the same p-values, max over j ≤ i of min(1, (m − j + 1)·p₍ⱼ₎), by hand:
# 15·0.0001 = 0.0015, 14·0.0004 = 0.0056, 13·0.0019 = 0.0247, 12·0.0095 = 0.114,
# 11·0.0201 = 0.2211, 10·0.0278 = 0.278, 9·0.0298 = 0.2682 → 0.278, 8·0.0344 = 0.2752 → 0.278,
# 7·0.0459 = 0.3213, 6·0.3240 = 1.944 → 1, and 1 from there on.
HOLM_ADJUSTED = [
    0.0015, 0.0056, 0.0247, 0.114, 0.2211, 0.278, 0.278, 0.278, 0.3213, 1, 1, 1, 1, 1, 1,
]  # fmt: skip


def test_it_adjusts_the_benjamini_hochberg_example_as_the_paper():
    adjusted = stats.adjust(BH_1995, stats.BH)
    assert adjusted == pytest.approx(BH_ADJUSTED, abs=1e-7)
    assert sum(p <= 0.05 for p in adjusted) == 4  # the paper's four rejections


def test_holm_rejects_fewer_of_the_same_p_values():
    adjusted = stats.adjust(BH_1995, stats.HOLM)
    assert adjusted == pytest.approx(HOLM_ADJUSTED, abs=1e-9)
    assert sum(p <= 0.05 for p in adjusted) == 3


def test_the_corrections_keep_the_order_given():
    shuffled = [BH_1995[3], BH_1995[0], BH_1995[14]]
    # m = 3: 0.0001·3 = 0.0003, 0.0095·3/2 = 0.01425, 1
    assert stats.adjust(shuffled, stats.BH) == pytest.approx([0.01425, 0.0003, 1.0])


def test_it_refuses_an_unknown_correction():
    with pytest.raises(stats.StatsInputError, match="unknown correction 'bonferroni'"):
        stats.adjust([0.01, 0.02], "bonferroni")


# ---- the verdict and the gate under an always-valid plan -------------------------------------


def conv(control, treatment, *more):
    variants = [VariantData("A", True, control[1], control[0])]
    for name, (s, n) in zip("BCDE", (treatment, *more), strict=False):
        variants.append(VariantData(name, False, n, s))
    return variants


def test_an_always_valid_plan_may_decide_before_the_planned_sample():
    verdict = bml.analyse(
        "conversion", conv((100, 1000), (160, 1000)), planned_per_variant=2115, msprt_tau=0.05
    )
    (c,) = verdict.comparisons
    assert c.always_valid is not None
    assert round(c.always_valid.p_value, 4) == 0.0024
    assert verdict.method == bml.MSPRT
    assert verdict.outcome == bml.TREATMENT_BETTER
    assert verdict.may_decide and not verdict.sample_complete
    assert "the always-valid p-value reached α = 0.05 before the planned sample" in (
        verdict.reading
    )
    assert bml.gate(verdict, bml.PERSEVERE) == []


def test_a_fixed_horizon_p_below_alpha_does_not_open_an_always_valid_gate():
    # z-test p = 0.035 here, but the always-valid p is 0.472: keep running
    verdict = bml.analyse(
        "conversion", conv((100, 1000), (130, 1000)), planned_per_variant=2115, msprt_tau=0.05
    )
    (c,) = verdict.comparisons
    assert round(c.p_value, 3) == 0.035
    assert round(c.p_adjusted, 3) == 0.472
    assert verdict.outcome == bml.INCONCLUSIVE
    (issue,) = bml.gate(verdict, bml.PERSEVERE)
    assert issue.code == "too_early"
    assert issue.message == (
        "Too early to decide: the planned sample is not reached (1,000 of 2,115 per variant, "
        "47 %) and the always-valid p-value (p = 0.472) is above α = 0.05. You may keep "
        "looking: the always-valid test opens the gate as soon as its p-value reaches α, or at "
        "the planned sample."
    )


def test_an_always_valid_plan_at_its_sample_without_crossing_finds_no_difference():
    verdict = bml.analyse(
        "conversion", conv((100, 2200), (112, 2200)), planned_per_variant=2115, msprt_tau=0.05
    )
    assert verdict.comparisons[0].always_valid.p_value == 1.0
    assert verdict.outcome == bml.NO_DIFFERENCE
    assert [i.code for i in bml.gate(verdict, bml.PERSEVERE)] == ["against_evidence"]


def test_the_always_valid_p_value_keeps_an_earlier_crossing():
    early = conv((100, 1000), (160, 1000))
    later = conv((220, 2000), (250, 2000))  # the lead shrank: this look alone would not cross
    alone = bml.analyse("conversion", later, planned_per_variant=2115, msprt_tau=0.05)
    assert alone.comparisons[0].always_valid.p_value > 0.05
    verdict = bml.analyse(
        "conversion", later, planned_per_variant=2115, msprt_tau=0.05, looks=[early, later]
    )
    assert verdict.comparisons[0].always_valid.looks == 2
    assert verdict.comparisons[0].always_valid.p_value == pytest.approx(0.0023516, rel=1e-4)
    assert verdict.may_decide


def test_several_treatments_can_be_corrected_by_benjamini_hochberg():
    variants = conv((100, 1000), (135, 1000), (133, 1000))
    holm = bml.analyse("conversion", variants, planned_per_variant=1000)
    bh = bml.analyse("conversion", variants, planned_per_variant=1000, correction=stats.BH)
    p = [c.p_value for c in holm.comparisons]
    assert [c.p_adjusted for c in holm.comparisons] == pytest.approx(stats.holm(p))
    # BH with two: the larger p stays, the smaller becomes min(2·p₍₁₎, p₍₂₎)
    assert [c.p_adjusted for c in bh.comparisons] == pytest.approx(
        [min(2 * min(p), max(p)) if q == min(p) else max(p) for q in p]
    )
    assert "p-values Benjamini-Hochberg-corrected" in " ".join(bh.notes)
    assert bh.correction_name == "Benjamini-Hochberg"
