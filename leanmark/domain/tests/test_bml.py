import pytest

from leanmark.domain import bml
from leanmark.domain.bml import VariantData


def conv(control, treatment, *more):
    variants = [VariantData("A", True, control[1], control[0])]
    names = "BCDE"
    for i, (s, n) in enumerate((treatment, *more)):
        variants.append(VariantData(names[i], False, n, s))
    return variants


def test_it_reads_the_section_6_counts_in_plain_language():
    verdict = bml.analyse("conversion", conv((5, 83), (12, 99)), planned_per_variant=130)
    assert verdict.outcome == bml.INCONCLUSIVE
    assert verdict.reached_per_variant == 83
    assert verdict.progress == pytest.approx(83 / 130)
    assert verdict.reading.startswith("B beats A with 91 % probability")
    assert "the planned sample is 64 % collected — keep running." in verdict.reading
    (comparison,) = verdict.comparisons
    assert round(comparison.statistic, 3) == 1.408  # treatment - control
    assert round(comparison.p_value, 3) == 0.159


def test_a_complete_sample_with_a_clear_winner_favours_the_treatment():
    verdict = bml.analyse("conversion", conv((200, 1000), (260, 1000)), planned_per_variant=1000)
    assert verdict.outcome == bml.TREATMENT_BETTER
    assert verdict.winner == "B"
    assert verdict.may_decide
    assert "persevere" in verdict.reading


def test_a_complete_sample_with_no_difference_says_so():
    verdict = bml.analyse("conversion", conv((200, 1000), (205, 1000)), planned_per_variant=1000)
    assert verdict.outcome == bml.NO_DIFFERENCE


def test_several_treatments_are_holm_corrected():
    verdict = bml.analyse(
        "conversion", conv((200, 1000), (240, 1000), (201, 1000)), planned_per_variant=1000
    )
    b, c = verdict.comparisons
    assert b.p_adjusted == pytest.approx(min(1.0, 2 * b.p_value))
    assert c.p_adjusted == pytest.approx(max(b.p_adjusted, c.p_value))
    assert "Holm" in verdict.notes[0]
    # 0.0336 alone would pass alpha = 0.05; doubled by Holm it does not
    assert 0.025 < b.p_value < 0.05
    assert verdict.outcome == bml.NO_DIFFERENCE


def test_continuous_metrics_use_welch():
    variants = [
        VariantData("A", True, 400, mean=31.0, sd=12.0),
        VariantData("B", False, 400, mean=34.0, sd=14.0),
    ]
    verdict = bml.analyse("continuous", variants, planned_per_variant=400)
    assert verdict.outcome == bml.TREATMENT_BETTER
    assert verdict.comparisons[0].prob_beats_control is None
    assert verdict.reading.startswith("B's mean is +3 against A")


def test_the_sequential_rule_may_stop_early():
    verdict = bml.analyse(
        "conversion", conv((40, 500), (60, 500)), planned_per_variant=2000, sequential_n=100
    )
    assert verdict.sequential is not None and verdict.sequential.outcome == "treatment_wins"
    assert verdict.outcome == bml.TREATMENT_BETTER
    assert verdict.may_decide and not verdict.sample_complete
    assert bml.gate(verdict, bml.PERSEVERE) == []


@pytest.mark.parametrize(
    ("counts", "planned", "decision", "codes"),
    [
        # too early, whatever the decision
        (((5, 83), (12, 99)), 1031, bml.PERSEVERE, ["too_early"]),
        (((5, 83), (12, 99)), 1031, bml.STOP, ["too_early"]),
        (((5, 83), (12, 99)), None, bml.PIVOT, ["too_early"]),
        # sample in, treatment won: persevere passes, pivot/stop contradict
        (((200, 1000), (260, 1000)), 1000, bml.PERSEVERE, []),
        (((200, 1000), (260, 1000)), 1000, bml.PIVOT, ["against_evidence"]),
        (((200, 1000), (260, 1000)), 1000, bml.STOP, ["against_evidence"]),
        # sample in, no difference or worse: persevering contradicts
        (((200, 1000), (205, 1000)), 1000, bml.PERSEVERE, ["against_evidence"]),
        (((200, 1000), (205, 1000)), 1000, bml.PIVOT, []),
        (((260, 1000), (200, 1000)), 1000, bml.PERSEVERE, ["against_evidence"]),
        (((260, 1000), (200, 1000)), 1000, bml.STOP, []),
    ],
)
def test_the_gate_refuses_early_or_contrary_decisions(counts, planned, decision, codes):
    verdict = bml.analyse("conversion", conv(*counts), planned_per_variant=planned)
    assert [issue.code for issue in bml.gate(verdict, decision)] == codes


def test_the_gate_explains_how_far_the_sample_is():
    verdict = bml.analyse("conversion", conv((5, 83), (12, 99)), planned_per_variant=1031)
    (issue,) = bml.gate(verdict, bml.PERSEVERE)
    assert issue.message.startswith(
        "Too early to decide: the planned sample is not reached (83 of 1,031 per variant, 8 %)"
    )


def test_no_data_yet():
    verdict = bml.analyse("conversion", conv((0, 0), (0, 0)), planned_per_variant=100)
    assert verdict.outcome == bml.NO_DATA
    assert verdict.reading == "No result yet: no observations for A, B."
