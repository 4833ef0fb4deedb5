# ruff: noqa: RUF003 (maths notation in comments: −, √, ·)
"""Secondary and guardrail metrics beside the primary one, and the guardrail's veto of a win
(issue 23, item 4)."""

import pytest

from leanmark.domain import bml, stats
from leanmark.domain.bml import MetricData, VariantData

WIN = [VariantData("A", True, 1000, 200), VariantData("B", False, 1000, 260)]


def unsubscribes(control: int, treatment: int, tolerance: float = 0.005) -> MetricData:
    return MetricData(
        "unsubscribe rate",
        bml.GUARDRAIL,
        bml.CONVERSION,
        bml.DECREASE,
        (VariantData("A", True, 1000, control), VariantData("B", False, 1000, treatment)),
        tolerance,
    )


def test_a_guardrail_clearly_worse_than_its_tolerance_vetoes_the_win():
    verdict = bml.analyse(
        "conversion", WIN, planned_per_variant=1000, metrics=[unsubscribes(10, 30)]
    )
    assert verdict.outcome == bml.TREATMENT_BETTER
    (guardrail,) = verdict.metrics
    (c,) = guardrail.comparisons
    # 30/1000 − 10/1000 = 0.02; SE = √(0.01·0.99/1000 + 0.03·0.97/1000) = √0.000039 = 0.0062450;
    # 1.959964 · 0.0062450 = 0.0122400 → 0.0077600 to 0.0322400: wholly above 0.005
    assert (c.difference, c.ci_low, c.ci_high) == pytest.approx((0.02, 0.00776, 0.03224), abs=1e-6)
    assert c.broken
    assert guardrail.broken_for == ("B",)
    (issue,) = bml.gate(verdict, bml.PERSEVERE)
    assert issue.code == "guardrail_broken"
    assert issue.message == (
        "Persevering on a win that breaks a guardrail: with B, unsubscribe rate is worse by 2 pp "
        "(interval 0.776 to 3.22 pp), beyond the 0.5 pp it may get worse. Fix the harm, or say "
        "why the win is worth it."
    )
    assert bml.gate(verdict, bml.STOP)[0].code == "against_evidence"  # the win still stands


@pytest.mark.parametrize(
    ("control", "treatment", "tolerance", "broken"),
    [
        (10, 14, 0.005, False),  # +0.4 pp, interval −0.55 to 1.35 pp: not clearly worse
        (10, 30, 0.05, False),  # 0.776 to 3.22 pp is worse, but within a 5 pp tolerance
        (10, 30, 0.0, True),  # any clear harm breaks a guardrail with no tolerance
        (30, 10, 0.0, False),  # better: fewer unsubscribes
    ],
)
def test_a_guardrail_holds_unless_its_whole_interval_is_beyond_the_tolerance(
    control, treatment, tolerance, broken
):
    verdict = bml.analyse(
        "conversion", WIN, planned_per_variant=1000,
        metrics=[unsubscribes(control, treatment, tolerance)],
    )  # fmt: skip
    assert verdict.metrics[0].comparisons[0].broken is broken
    assert [i.code for i in bml.gate(verdict, bml.PERSEVERE)] == (
        ["guardrail_broken"] if broken else []
    )


def test_a_guardrail_where_higher_is_better_is_broken_by_a_fall():
    revenue = MetricData(
        "revenue per visitor", bml.GUARDRAIL, bml.CONTINUOUS, bml.INCREASE,
        (VariantData("A", True, 500, mean=12.0, sd=4.0), VariantData("B", False, 500, mean=11.0,
                                                                    sd=4.0)),
        0.25,
    )  # fmt: skip
    verdict = bml.analyse("conversion", WIN, planned_per_variant=1000, metrics=[revenue])
    (c,) = verdict.metrics[0].comparisons
    # Welch: −1 ± t(0.975, 998)·√(16/500 + 16/500) = −1 ± 1.962344 · 0.252982 = −1 ± 0.496439
    assert (c.ci_low, c.ci_high) == pytest.approx((-1.496439, -0.503561), abs=1e-5)
    assert c.worse_by(bml.INCREASE) == pytest.approx((1.0, 0.503561, 1.496439), abs=1e-5)
    assert c.broken  # worse by at least 0.50 per visitor, beyond the 0.25 it may fall


def test_no_veto_without_a_win():
    flat = [VariantData("A", True, 1000, 200), VariantData("B", False, 1000, 205)]
    verdict = bml.analyse(
        "conversion", flat, planned_per_variant=1000, metrics=[unsubscribes(10, 30)]
    )
    assert verdict.outcome == bml.NO_DIFFERENCE
    assert [i.code for i in bml.gate(verdict, bml.PERSEVERE)] == ["against_evidence"]
    assert bml.gate(verdict, bml.STOP) == []


def test_secondary_metrics_never_veto_and_are_corrected_together():
    def clicks(name, treatment):
        return MetricData(
            name, bml.SECONDARY, bml.CONVERSION, bml.INCREASE,
            (VariantData("A", True, 1000, 100), VariantData("B", False, 1000, treatment)),
        )  # fmt: skip

    metrics = [clicks("newsletter clicks", 60), clicks("shares", 135)]
    verdict = bml.analyse(
        "conversion", WIN, planned_per_variant=1000, metrics=metrics, correction=stats.BH
    )
    p = [m.comparisons[0].p_value for m in verdict.metrics]
    assert [m.comparisons[0].p_adjusted for m in verdict.metrics] == pytest.approx(
        stats.benjamini_hochberg(p)
    )
    assert bml.gate(verdict, bml.PERSEVERE) == []  # a worse secondary is only reported


def test_a_metric_without_figures_for_every_variant_is_not_compared_yet():
    metric = MetricData(
        "unsubscribe rate", bml.GUARDRAIL, bml.CONVERSION, bml.DECREASE,
        (VariantData("A", True, 1000, 10), VariantData("B", False, 0, 0)),
    )  # fmt: skip
    (result,) = bml.analyse("conversion", WIN, planned_per_variant=1000, metrics=[metric]).metrics
    assert (result.comparisons, result.missing) == ((), ("B",))
