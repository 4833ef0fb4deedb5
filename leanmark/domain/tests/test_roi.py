from datetime import date
from decimal import Decimal as D  # noqa: N817 (short in tables of reference values)

import numpy as np
import pytest

from leanmark.domain import roi
from leanmark.domain.roi import Bounds, CostLine, Curve, ReturnLine, RoiInputError


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (roi.romi(D(50_000), D("0.6"), D(10_000)), D("2.0")),
        (roi.cac(D(75_000), D(75)), D(1_000)),
        (roi.payback_months(D(1_000), D(100), D("0.8")), D("12.5")),
        (roi.roi(D(15_000), D(10_000)), D("0.5")),
        (roi.roi(D(5_000), D(10_000)), D("-0.5")),
    ],
)
def test_the_ratios_give_the_spec_reference_values(value, expected):
    assert value == expected
    assert isinstance(value, D)


@pytest.mark.parametrize(
    "value",
    [
        roi.roi(D(100), D(0)),
        roi.romi(D(100), D("0.5"), D(0)),
        roi.cac(D(100), D(0)),
        roi.payback_months(D(100), D(0), D("0.8")),
    ],
)
def test_a_ratio_without_a_denominator_is_none_not_a_crash(value):
    assert value is None


def cost(stage, channel, spend=0, hours=0, labour=0, on=date(2026, 7, 1), campaign=""):
    return CostLine(on, stage, channel, campaign, D(spend), D(hours), D(labour))


def ret(stage, channel, amount, on=date(2026, 7, 15), campaign=""):
    return ReturnLine(on, stage, channel, campaign, D(amount))


def test_the_report_sums_spend_and_labour_per_stage_in_hourglass_order():
    costs = [
        cost("buy", "email", spend=1_000),
        cost("know", "seo", spend=2_000, hours=30, labour=1_500),
        cost("buy", "email", hours=10, labour=500),
    ]
    returns = [ret("buy", "email", 6_000), ret("know", "seo", 3_500)]
    report = roi.roi_report(
        costs, returns, dimension="stage", margin=D("0.6"), order=["know", "like", "buy"]
    )
    know, buy = report.rows
    assert (know.key, know.cost, know.ret, know.roi) == ("know", D(3_500), D(3_500), D(0))
    assert (buy.key, buy.cost, buy.ret, buy.roi) == ("buy", D(1_500), D(6_000), D(3))
    assert buy.romi == (D(6_000) * D("0.6") - D(1_000)) / D(1_000)
    assert know.hours_share == D("0.75") and buy.hours_share == D("0.25")
    assert know.return_share == D(3_500) / D(9_500)
    assert report.total.cost == D(5_000) and report.total.ret == D(9_500)
    assert report.total.cost_lines == 3 and report.total.return_lines == 2


def test_the_report_says_when_hours_have_no_price():
    line = CostLine(date(2026, 7, 1), "buy", "email", "", D(0), D(4), D(0), D(4))
    report = roi.roi_report([line], [], dimension="channel", margin=D("0.5"))
    assert report.rows[0].roi is None
    assert report.notes == (
        "4 hours were logged by members with no hourly cost; they count in the hours but not "
        "in the cost",
    )


def test_the_report_refuses_a_margin_above_100_percent():
    with pytest.raises(RoiInputError, match="between 0 and 100"):
        roi.roi_report([], [], dimension="stage", margin=D("1.2"))


def test_monthly_totals_group_cost_and_return_by_month():
    rows = roi.monthly_totals(
        [cost("buy", "email", spend=10, on=date(2026, 1, 5)), cost("", "", labour=5)],
        [ret("buy", "email", 40, on=date(2026, 1, 31))],
    )
    assert rows == [(date(2026, 1, 1), D(10), D(40)), (date(2026, 7, 1), D(5), D(0))]


# ---- curves ----------------------------------------------------------------------------------


def test_a_fit_recovers_the_curve_that_generated_the_data():
    rng = np.random.default_rng(7)
    spend = rng.uniform(500, 6_000, size=12)
    true = 9_000 * np.log1p(spend / 2_000)
    fitted = roi.fit_curve("email", spend, true * rng.normal(1, 0.02, size=12))
    assert fitted.a == pytest.approx(9_000, rel=0.1)
    assert fitted.b == pytest.approx(2_000, rel=0.2)
    assert fitted.r_squared > 0.95
    assert fitted.months == 12 and fitted.warnings == ()


def test_a_fit_on_fewer_than_six_months_warns():
    fitted = roi.fit_curve("seo", [1_000, 2_000, 4_000], [2_000, 3_000, 4_100])
    assert fitted.warnings[0].startswith("only 3 months of history (fewer than 6)")


def test_a_fit_needs_two_months():
    with pytest.raises(RoiInputError, match="at least 2 months"):
        roi.fit_curve("seo", [1_000], [2_000])


@pytest.mark.parametrize(("a", "b", "field"), [(100, 0, "b"), (100, -5, "b"), (0, 10, "a")])
def test_a_curve_with_b_at_or_below_zero_is_refused(a, b, field):
    with pytest.raises(RoiInputError) as error:
        Curve("email", a, b)
    assert error.value.field == field


# ---- allocation ------------------------------------------------------------------------------


def test_two_hand_entered_curves_get_the_closed_form_optimum():
    # a/(b + x) equal for both: 1000/(100 + x) = 2000/(300 + y), x + y = 1000
    # → λ = 3000/1400, x = 1000/λ - 100 = 366.67, y = 2000/λ - 300 = 633.33
    curves = [Curve("email", 1_000, 100), Curve("seo", 2_000, 300)]
    result = roi.allocate(curves, 1_000)
    email, seo = result.splits
    assert email.recommended == pytest.approx(1_100 / 3, abs=0.01)
    assert seo.recommended == pytest.approx(1_900 / 3, abs=0.01)
    assert [email.recommended, seo.recommended] == pytest.approx(
        roi.equal_marginal_split(curves, 1_000), abs=0.01
    )
    # the equal-marginal-ROI condition itself
    assert email.marginal_roi == pytest.approx(seo.marginal_roi, rel=1e-5)
    assert email.marginal_roi == pytest.approx(3_000 / 1_400, rel=1e-5)
    assert result.unallocated == pytest.approx(0, abs=1e-6)


def test_the_optimum_beats_every_other_split_of_the_budget():
    curves = [Curve("email", 1_000, 100), Curve("seo", 2_000, 300), Curve("social", 500, 50)]
    best = roi.allocate(curves, 3_000).expected_return
    rng = np.random.default_rng(1)
    for shares in rng.dirichlet([1, 1, 1], size=200):
        other = sum(c.value(3_000 * s) for c, s in zip(curves, shares, strict=True))
        assert other <= best + 1e-6


def test_bounds_hold_and_the_free_channels_share_one_marginal_roi():
    curves = [Curve("email", 1_000, 100), Curve("seo", 2_000, 300), Curve("social", 5_000, 50)]
    bounds = {"social": Bounds(0, 200), "email": Bounds(400, None)}
    result = roi.allocate(curves, 2_000, bounds)
    email, seo, social = result.splits
    assert social.recommended == pytest.approx(200, abs=1e-4) and social.at_maximum
    assert email.recommended >= 400 - 1e-6
    assert email.recommended + seo.recommended + social.recommended == pytest.approx(2_000)
    if not email.at_minimum:
        assert email.marginal_roi == pytest.approx(seo.marginal_roi, rel=1e-4)
    # the bound channel would earn more per unit: it is held back by its maximum
    assert social.marginal_roi > seo.marginal_roi


def test_current_spend_is_compared_with_the_recommendation():
    curves = [Curve("email", 1_000, 100), Curve("seo", 2_000, 300)]
    result = roi.allocate(curves, 1_000, current={"email": 800, "seo": 200})
    assert result.current_return == pytest.approx(1_000 * np.log(9) + 2_000 * np.log(1 + 200 / 300))
    assert result.expected_return > result.current_return


def test_maximums_below_the_budget_leave_the_rest_unallocated():
    curves = [Curve("email", 1_000, 100), Curve("seo", 2_000, 300)]
    result = roi.allocate(curves, 1_000, {"email": Bounds(0, 100), "seo": Bounds(0, 300)})
    assert result.unallocated == pytest.approx(600)
    assert "600 stays unallocated" in result.notes[0]


@pytest.mark.parametrize(
    ("budget", "bounds", "message"),
    [
        (100, {"email": Bounds(80, None), "seo": Bounds(50, None)}, "below the sum of the minim"),
        (1_000, {"email": Bounds(500, 100)}, r"minimum \(500\) is above the maximum \(100\)"),
        (1_000, {"email": Bounds(-1, None)}, "minimum cannot be negative"),
        (-5, {}, "budget must be a number of at least 0"),
        (1_000, {"tv": Bounds(0, 1)}, "bounds name channels with no curve: tv"),
    ],
)
def test_impossible_allocations_are_refused_with_a_reason(budget, bounds, message):
    curves = [Curve("email", 1_000, 100), Curve("seo", 2_000, 300)]
    with pytest.raises(RoiInputError, match=message):
        roi.allocate(curves, budget, bounds)


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("2026-Q3", date(2026, 7, 1), date(2026, 9, 30)),
        ("2026-q1", date(2026, 1, 1), date(2026, 3, 31)),
        ("2026-02", date(2026, 2, 1), date(2026, 2, 28)),
        ("2026", date(2026, 1, 1), date(2026, 12, 31)),
        ("2026-07-03..2026-07-09", date(2026, 7, 3), date(2026, 7, 9)),
        ("this-month", date(2026, 11, 1), date(2026, 11, 30)),
        ("last-month", date(2026, 10, 1), date(2026, 10, 31)),
        ("this-quarter", date(2026, 10, 1), date(2026, 12, 31)),
        ("last-quarter", date(2026, 7, 1), date(2026, 9, 30)),
        ("ytd", date(2026, 1, 1), date(2026, 11, 24)),
        ("last-12-months", date(2025, 11, 1), date(2026, 10, 31)),
    ],
)
def test_periods_are_read_the_way_people_type_them(text, start, end):
    assert roi.parse_period(text, date(2026, 11, 24)) == (start, end)


@pytest.mark.parametrize("text", ["2026-Q5", "2026-13", "soon", "2026-07-09..2026-07-01"])
def test_an_unknown_period_is_refused_with_examples(text):
    with pytest.raises(RoiInputError) as error:
        roi.parse_period(text, date(2026, 11, 24))
    assert error.value.field == "period"


def test_a_recommendation_far_beyond_the_history_is_flagged():
    fitted = roi.fit_curve(
        "email", [100, 200, 300, 400, 500, 600], [690, 1100, 1390, 1610, 1790, 1950]
    )
    assert fitted.max_x == 600
    split = roi.allocate([fitted, Curve("seo", 10, 1_000)], 5_000).splits[0]
    assert split.recommended > 750 and split.extrapolated


def test_a_fit_to_returns_that_ignore_the_spend_says_so():
    fitted = roi.fit_curve(
        "seo", [100, 900, 300, 700, 500, 200], [1000, 990, 1010, 1005, 995, 1000]
    )
    assert any(w.startswith("b is close to 0") for w in fitted.warnings)
