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
