from datetime import date

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


def test_small_counts_let_fisher_s_exact_test_decide():
    # 3/30 against 10/30: the z-test alone says p = 0.028 (significant), Fisher's says 0.0575
    verdict = bml.analyse("conversion", conv((3, 30), (10, 30)), planned_per_variant=30)
    (c,) = verdict.comparisons
    assert round(c.p_value, 3) == 0.028
    assert c.small_counts and verdict.small_counts
    assert round(c.fisher_p_value, 4) == 0.0575
    assert c.p_adjusted == c.fisher_p_value
    assert not c.significant
    assert verdict.outcome == bml.NO_DIFFERENCE
    assert "Fisher's exact p = 0.057" in verdict.reading
    assert "Fisher's exact test decides" in verdict.notes[0]


def test_large_counts_compute_no_fisher_test():
    verdict = bml.analyse("conversion", conv((200, 1000), (260, 1000)), planned_per_variant=1000)
    (c,) = verdict.comparisons
    assert not c.small_counts and c.fisher_p_value is None
    assert c.p_adjusted == c.p_value


@pytest.mark.parametrize("planned", [1000, 2000])
def test_identical_arms_read_no_difference(planned):
    verdict = bml.analyse("conversion", conv((50, 1000), (100, 2000)), planned_per_variant=planned)
    (c,) = verdict.comparisons
    assert c.identical and verdict.identical and not c.significant
    assert c.p_value == 1.0
    assert verdict.reading.startswith("No difference: B and A have exactly the same rate;")
    assert verdict.outcome == (bml.NO_DIFFERENCE if planned == 1000 else bml.INCONCLUSIVE)


@pytest.mark.parametrize(
    ("remaining", "reached", "days", "expected"),
    [
        (531, 500, 5, 6),  # 100 a day: 5.31 days, rounded up
        (500, 500, 5, 5),  # exactly 5
        (1, 1000, 1, 1),
        (0, 500, 5, 0),
        (-3, 500, 5, 0),  # past the plan
        (180, 83, 1, 3),  # §6's counts in one day, 263 planned
    ],
)
def test_days_to_the_planned_sample(remaining, reached, days, expected):
    assert bml.days_to_sample(remaining, reached, days) == expected


def test_the_schedule_counts_the_days_left_from_today():
    verdict = bml.analyse("conversion", conv((100, 500), (110, 500)), planned_per_variant=1031)
    schedule = bml.schedule(
        verdict,
        today=date(2026, 12, 7),
        start=date(2026, 12, 2),
        latest=date(2026, 12, 6),
        planned_end=date(2026, 12, 10),
    )
    assert schedule.step == bml.KEEP_RUNNING
    assert schedule.days_observed == 5 and schedule.per_day == 100
    assert schedule.remaining_per_variant == 531
    assert schedule.projected == date(2026, 12, 12)  # 6 days after the latest figures
    assert schedule.days_left == 5
    assert schedule.after_end and not schedule.end_passed and not schedule.overdue
    later = bml.schedule(
        verdict,
        today=date(2026, 12, 14),
        start=date(2026, 12, 2),
        latest=date(2026, 12, 6),
        planned_end=date(2026, 12, 10),
    )
    assert later.end_passed and later.overdue and later.days_left == 0


def test_the_schedule_says_ready_when_the_sample_is_in():
    verdict = bml.analyse("conversion", conv((200, 1000), (205, 1000)), planned_per_variant=1000)
    schedule = bml.schedule(
        verdict, today=date(2026, 12, 7), start=date(2026, 12, 1), latest=date(2026, 12, 6)
    )
    assert schedule.step == bml.READY
    assert schedule.projected is None and schedule.remaining_per_variant == 0
    none = bml.analyse("conversion", conv((0, 0), (0, 0)), planned_per_variant=100)
    assert bml.schedule(none, today=date(2026, 12, 7), start=None, latest=None).step == (
        bml.NO_FIGURES
    )
    unplanned = bml.analyse("conversion", conv((20, 100), (25, 100)))
    assert bml.schedule(
        unplanned, today=date(2026, 12, 7), start=date(2026, 12, 1), latest=date(2026, 12, 6)
    ).step == (bml.NO_PLAN)
