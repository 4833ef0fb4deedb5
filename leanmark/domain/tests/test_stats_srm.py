import pytest
from scipy import stats as scipy_stats

from leanmark.domain import bml, stats


def test_an_even_split_passes_and_a_skewed_one_is_flagged():
    even = stats.sample_ratio([5_000, 5_040])
    assert even is not None and not even.mismatch
    assert even.p_value == pytest.approx(scipy_stats.chisquare([5_000, 5_040]).pvalue)
    skewed = stats.sample_ratio([5_000, 5_400])
    assert skewed is not None and skewed.mismatch
    assert skewed.statistic == pytest.approx((200**2 + 200**2) / 5_200)  # Pearson, by hand
    assert stats.sample_ratio([0, 0]) is None


def _verdict(trials_a: int, trials_b: int) -> bml.Verdict:
    return bml.analyse(
        bml.CONVERSION,
        [
            bml.VariantData("Control", True, trials_a, successes=trials_a // 10),
            bml.VariantData("Treatment", False, trials_b, successes=trials_b // 8),
        ],
        planned_per_variant=1_000,
    )


def test_persevering_on_a_broken_split_needs_a_reason():
    broken = _verdict(5_000, 5_400)
    assert broken.ratio is not None and broken.ratio.mismatch
    assert broken.notes[0].startswith(
        "sample-ratio mismatch: the arms should be equal but are Control 5,000, Treatment 5,400"
    )
    codes = [i.code for i in bml.gate(broken, bml.PERSEVERE)]
    assert "sample_ratio_mismatch" in codes
    assert "sample_ratio_mismatch" not in [i.code for i in bml.gate(broken, bml.STOP)]
    fine = _verdict(5_000, 5_040)
    assert [i.code for i in bml.gate(fine, bml.PERSEVERE)] == []


def test_relative_lift_with_its_delta_method_interval():
    # 20 % against 25 % in 1,000 visitors each: +25 %, se = √(0.0046875 + 0.00625) = 0.10458
    found = stats.relative_lift(0.25, 0.25 * 0.75 / 1_000, 0.20, 0.20 * 0.80 / 1_000)
    assert found is not None
    assert found.lift == pytest.approx(0.25)
    assert (found.ci_low, found.ci_high) == pytest.approx(
        (0.25 - 0.204979, 0.25 + 0.204979), abs=1e-5
    )
    assert stats.relative_lift(0.1, 0.001, 0.0, 0.0) is None
    verdict = bml.analyse(
        bml.CONVERSION,
        [
            bml.VariantData("Control", True, 1_000, successes=200),
            bml.VariantData("Treatment", False, 1_000, successes=250),
        ],
    )
    assert verdict.comparisons[0].lift == found
