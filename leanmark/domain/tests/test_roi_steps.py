"""Bounded steps and the ROAS / CPA objectives (issue 23, item 8).

Reference values: with curves email 1000·ln(1 + x/100) and seo 2000·ln(1 + x/300) the free
optimum of a budget of 1,000 is 1100/3 and 1900/3 (the closed form in test_roi.py). Today's split
800 / 200 and a step limit m hold seo at 200·(1 + m) (its marginal ROI there, 2000 ÷ 540 = 3.70
at m = 0.2, stays far above email's), and email takes the rest while it stays inside 800·(1 ± m).
The target solutions are checked against the equal-marginal closed form x_i = a_i/μ - b_i, with
μ solved independently from Σ a_i·ln(a_i ÷ (μ·b_i)) = T·Σ(a_i/μ - b_i).
"""

import math

import numpy as np
import pytest
from scipy.optimize import brentq

from leanmark.domain.roi import Bounds, Curve, RoiInputError
from leanmark.domain.roi_steps import best_ratio, recommend

CURVES = [Curve("email", 1_000, 100), Curve("seo", 2_000, 300)]
CUSTOMERS = [Curve("email", 10, 100), Curve("seo", 40, 300)]
TODAY = {"email": 800.0, "seo": 200.0}


def closed_form(a, b, ratio):
    """The free optimum of 'most Σa·ln(1 + x/b) with Σr ≥ ratio·Σx' (every channel above 0)."""
    a, b = np.array(a, dtype=float), np.array(b, dtype=float)

    def gap(mu):
        return float((a * np.log(a / (mu * b))).sum() - ratio * (a / mu - b).sum())

    mu = brentq(gap, 1e-9, float(min(a / b)) - 1e-12, xtol=1e-15)
    return a / mu - b, mu


@pytest.mark.parametrize(
    ("max_move", "email", "seo", "seo_held"),
    [
        (0.0, 800.0, 200.0, True),  # no step at all: today's split
        (0.2, 760.0, 240.0, True),  # the default: seo +20 %, email takes the rest
        (0.5, 700.0, 300.0, True),
        (1.0, 1_100 / 3, 1_900 / 3, False),  # no limit: the closed-form optimum
    ],
)
def test_the_step_limit_caps_each_move_from_todays_split(max_move, email, seo, seo_held):
    result = recommend(CURVES, 1_000, current=TODAY, max_move=max_move)
    got = {s.channel: s for s in result.splits}
    assert got["email"].recommended == pytest.approx(email, abs=1e-4)
    assert got["seo"].recommended == pytest.approx(seo, abs=1e-4)
    assert got["seo"].step_bound is seo_held
    assert result.total == pytest.approx(1_000, abs=1e-6)
    assert got["seo"].change == pytest.approx(seo - 200, abs=1e-4)


def test_the_default_step_is_twenty_percent_and_says_so_in_the_method():
    result = recommend(CURVES, 1_000, current=TODAY)
    assert result.max_move == 0.2
    assert result.method.endswith("; each channel within ±20 % of today")
    seo = result.splits[1]
    assert seo.marginal_roi == pytest.approx(2_000 / 540)
    assert seo.return_change == pytest.approx(2_000 * (math.log(1.8) - math.log(1 + 200 / 300)))


def test_a_budget_below_what_the_steps_allow_is_refused_with_the_least_budget():
    with pytest.raises(RoiInputError, match=r"the budget \(700\) is below what steps of at most "
                       r"±20 % from today's split allow \(at least 800\)") as caught:  # fmt: skip
        recommend(CURVES, 700, current=TODAY)
    assert caught.value.field == "budget"


def test_a_budget_above_what_the_steps_take_leaves_the_rest_unallocated():
    result = recommend(CURVES, 2_000, current=TODAY)
    assert [s.recommended for s in result.splits] == pytest.approx([960, 240])
    assert result.unallocated == pytest.approx(800)
    assert result.notes == (
        "the step limit (±20 % of today's split) and the maximums take 1,200 of the budget; 800 "
        "stays unallocated (allow larger steps to place it)",
    )


def test_a_channel_with_nothing_today_stays_at_zero_and_says_how_to_start_it():
    result = recommend(CURVES, 1_000, current={"email": 1_000, "seo": 0})
    assert [s.recommended for s in result.splits] == pytest.approx([1_000, 0], abs=1e-6)
    assert result.notes[0] == (
        "seo had nothing in the current split, so a step of ±20 % keeps it at 0; allow steps of "
        "100% to start it"
    )


def test_without_any_spend_today_the_step_limit_is_not_applied():
    result = recommend(CURVES, 1_000, current={"email": 0, "seo": 0})
    assert [s.recommended for s in result.splits] == pytest.approx([1_100 / 3, 1_900 / 3])
    assert result.max_move == 1.0
    assert "there is no split to step from" in result.notes[0]


@pytest.mark.parametrize(
    ("kwargs", "message", "field"),
    [
        ({"max_move": 1.5}, "the step limit is a share from 0 to 1 (0 % to 100 %), not 1.5",
         "max_move"),
        ({"max_move": -0.1}, "not -0.1", "max_move"),
        ({"max_move": float("nan")}, "not nan", "max_move"),
        ({"bounds": {"seo": Bounds(500, None)}},
         "seo: its bounds (500–no maximum) lie outside a step of ±20 % from today's 200 (160–240)",
         "bounds"),
        ({"objective": "profit"}, "the objective is one of return, roas, cpa, not 'profit'",
         "objective"),
        ({"objective": "roas"}, "give the target ROAS (return per unit spent), a number above 0",
         "target"),
        ({"objective": "roas", "target": -1}, "a number above 0", "target"),
        ({"objective": "cpa", "target": 50},
         "the CPA objective needs new-customer history per channel (imported first orders or "
         "closed deals by channel); none for email, seo", "objective"),
    ],
)  # fmt: skip
def test_impossible_steps_and_objectives_are_refused_with_a_reason(kwargs, message, field):
    with pytest.raises(RoiInputError) as caught:
        recommend(CURVES, 1_000, current=TODAY, **kwargs)
    assert message in caught.value.message
    assert caught.value.field == field


def test_a_roas_target_without_limits_meets_the_equal_marginal_closed_form():
    result = recommend(CURVES, 0, current=TODAY, objective="roas", target=3, max_move=1)
    expected, mu = closed_form([1_000, 2_000], [100, 300], 3)
    assert [s.recommended for s in result.splits] == pytest.approx(expected, abs=0.01)
    assert [s.recommended for s in result.splits] == pytest.approx([584.31, 1_068.62], abs=0.01)
    assert result.total == pytest.approx(1_652.93, abs=0.01)
    assert result.roas == pytest.approx(3, abs=1e-6)
    assert [s.marginal_roi for s in result.splits] == pytest.approx([mu, mu], rel=1e-5)
    assert result.budget == result.total and result.objective == "roas" and result.target == 3


def test_a_roas_target_within_the_steps_holds_seo_at_its_step_and_grows_email():
    result = recommend(CURVES, 0, current=TODAY, objective="roas", target=3)
    email, seo = result.splits
    assert seo.recommended == pytest.approx(240, abs=1e-6) and seo.step_bound
    # email solves 1000·ln(1 + x/100) + 2000·ln(1.8) = 3·(x + 240)
    exact = brentq(lambda x: 1_000 * math.log1p(x / 100) + 2_000 * math.log(1.8) - 3 * (x + 240),
                   640, 960)  # fmt: skip
    assert email.recommended == pytest.approx(exact, abs=0.01)
    assert email.recommended == pytest.approx(928.87, abs=0.01)
    assert result.roas == pytest.approx(3, abs=1e-6)
    assert result.notes[-1] == (
        "the most spend whose expected ROAS stays at 3 or higher: 1,168.87 (expected ROAS 3; "
        "the best any split reaches is 3.61, at less spend)"
    )


def test_a_roas_target_every_split_beats_spends_all_the_steps_allow():
    result = recommend(CURVES, 0, current=TODAY, objective="roas", target=2)
    assert [s.recommended for s in result.splits] == pytest.approx([960, 240])
    assert result.roas == pytest.approx(
        (1_000 * math.log(10.6) + 2_000 * math.log(1.8)) / 1_200, rel=1e-9
    )


@pytest.mark.parametrize(
    ("max_move", "message"),
    [
        (0.2, "no split with steps of at most ±20 % reaches a ROAS of 30: the best achievable is "
              "3.61; lower the target or allow larger steps"),
        # free: the ratio is best as the spend shrinks to nothing, email's r'(0) = 1000/100
        (1.0, "no split reaches a ROAS of 30: the best achievable is 10; lower the target"),
    ],
)  # fmt: skip
def test_an_unreachable_roas_names_the_best_achievable(max_move, message):
    with pytest.raises(RoiInputError) as caught:
        recommend(CURVES, 0, current=TODAY, objective="roas", target=30, max_move=max_move)
    assert caught.value.message == message
    assert caught.value.field == "target"


def test_the_best_ratio_within_the_steps_is_not_simply_the_least_spend():
    # email at its lowest, but seo at its highest: seo's r'(x) ≥ 2000/540 = 3.70 beats the ratio
    low, high = np.array([640.0, 160.0]), np.array([960.0, 240.0])
    best, x, _ = best_ratio(CURVES, low, high)
    assert list(x) == pytest.approx([640, 240], abs=1e-6)
    assert best == pytest.approx((1_000 * math.log(7.4) + 2_000 * math.log(1.8)) / 880)
    assert best == pytest.approx(3.6103, abs=1e-4)


def test_a_cpa_target_finds_the_most_customers_at_that_cost_each():
    result = recommend(
        CURVES, 0, current=TODAY, objective="cpa", target=50, customers=CUSTOMERS, max_move=1
    )
    expected, _ = closed_form([10, 40], [100, 300], 1 / 50)
    assert [s.recommended for s in result.splits] == pytest.approx(expected, abs=0.01)
    assert [s.recommended for s in result.splits] == pytest.approx([1_472.79, 5_991.17], abs=0.01)
    assert result.cpa == pytest.approx(50, abs=1e-6)
    assert result.expected_customers == pytest.approx(149.28, abs=0.01)
    # the return still comes from the return curves
    assert result.splits[0].expected_return == pytest.approx(1_000 * math.log1p(1_472.7914 / 100))


def test_an_unreachable_cpa_names_the_best_achievable():
    with pytest.raises(RoiInputError) as caught:
        recommend(CURVES, 0, current=TODAY, objective="cpa", target=5, customers=CUSTOMERS)
    assert caught.value.message == (
        "no split with steps of at most ±20 % reaches a CPA of 5: the best achievable is 20.22 "
        "per new customer; raise the target or allow larger steps"
    )


def test_a_roas_target_on_hill_curves_beats_every_other_split_that_meets_it():
    # S-curves (s > 1): r' rises before the bend, so the split is found past it
    hill = [
        Curve("video", 5_000, 800, kind="hill", s=2.0),
        Curve("search", 3_000, 300, kind="hill", s=1.5),
    ]
    result = recommend(hill, 0, objective="roas", target=2, max_move=1, bounds={
        "video": Bounds(0, 5_000), "search": Bounds(0, 5_000)
    })  # fmt: skip
    assert result.roas == pytest.approx(2, abs=1e-6)
    video, search = result.splits
    assert video.marginal_roi == pytest.approx(search.marginal_roi, rel=1e-6)
    rng = np.random.default_rng(3)
    for x in rng.uniform(0, 5_000, size=(2_000, 2)):
        ret = sum(c.value(float(v)) for c, v in zip(hill, x, strict=True))
        if ret >= 2 * x.sum():
            assert ret <= result.expected_return + 1e-6


def test_the_best_ratio_of_s_curves_is_found_at_some_spend_not_at_none():
    hill = [
        Curve("video", 5_000, 800, kind="hill", s=2.0),
        Curve("search", 3_000, 300, kind="hill", s=1.5),
    ]
    best, x, _ = best_ratio(hill, np.zeros(2), np.array([5_000.0, 5_000.0]))
    grid = np.linspace(0, 5_000, 2_001)  # every 2.5, each channel may also get nothing
    xs, ys = np.meshgrid(grid, grid)
    total = np.where(xs + ys > 0, xs + ys, np.nan)
    brute = np.nanmax((hill[0].response(xs) + hill[1].response(ys)) / total)
    assert best == pytest.approx(float(brute), rel=1e-4)
    assert best >= float(brute)
    assert x.sum() > 0
    with pytest.raises(RoiInputError, match=f"the best achievable is {best:.4g}; lower the target"):
        recommend(hill, 0, objective="roas", target=best * 1.01, max_move=1,
                  bounds={"video": Bounds(0, 5_000), "search": Bounds(0, 5_000)})  # fmt: skip
