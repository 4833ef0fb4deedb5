"""Hill and adstock fits recover the parameters of generated data; the bootstrap band and the
allocation's range (leanmark/domain/curves.py)."""

import numpy as np
import pytest

from leanmark.domain import curves as cv
from leanmark.domain import roi

M = cv.WEEKS_PER_MONTH


def test_it_carries_spend_over_geometrically():
    assert cv.adstock([100, 0, 0, 50], 0.5).tolist() == [100, 50, 25, 62.5]
    assert cv.adstock([[1, 1], [2, 0]], np.array([[0.0], [0.25]])).tolist() == [[1, 1], [2, 0.5]]


def test_it_gives_half_the_top_at_the_half_saturation_point():
    curve = roi.Curve("c", 10_000, 2_000, kind="hill", s=2.5)
    assert curve.value(2_000) == 5_000
    assert curve.value(0) == 0
    assert cv.hill(2_000, 10_000, 2_000, 2.5) == 5_000


@pytest.mark.parametrize("x", [1.0, 500.0, 2_000.0, 7_500.0])
@pytest.mark.parametrize("s", [0.7, 1.0, 2.5])
def test_its_hill_marginal_is_the_derivative(x, s):
    curve = roi.Curve("c", 10_000, 2_000, kind="hill", s=s)
    h = 1e-4 * x
    numeric = (curve.value(x + h) - curve.value(x - h)) / (2 * h)
    assert curve.marginal(x) == pytest.approx(numeric, rel=1e-6)


def test_it_refuses_an_unknown_kind_or_a_shape_at_zero():
    with pytest.raises(roi.RoiInputError, match="the curve kind is one of log, hill, not 'spline'"):
        roi.Curve("c", 1, 1, kind="spline")
    with pytest.raises(roi.RoiInputError, match=r"s must be above 0 \(it is 0.0\)"):
        roi.Curve("c", 1, 1, kind="hill", s=0.0)


def months_of_hill(top, k, s, n=24, noise=0.03, seed=7):
    rng = np.random.default_rng(seed)
    x = rng.uniform(0.2 * k, 3 * k, n)
    return x, cv.hill(x, top, k, s) * rng.normal(1, noise, n)


@pytest.mark.parametrize(
    ("top", "k", "s"),
    [(10_000, 2_000, 2.0), (4_000, 500, 1.0), (25_000, 8_000, 3.0), (6_000, 1_500, 0.8)],
)
def test_it_recovers_a_hill_curve_from_monthly_history(top, k, s):
    """24 months spread from 0.2·k to 3·k, 2 % noise: top within 5 %, k within 10 % (a flat
    curve, s ≤ 1, trades k against top), s within 5 %."""
    x, y = months_of_hill(top, k, s, noise=0.02)
    curve = cv.fit_response("c", x, y, kind="hill", resamples=0)
    assert curve.a == pytest.approx(top, rel=0.05)
    assert curve.b == pytest.approx(k, rel=0.10)
    assert curve.s == pytest.approx(s, rel=0.05)
    assert (curve.kind, curve.granularity, curve.adstock) == ("hill", "month", 0)


@pytest.mark.parametrize(("top", "k", "s"), [(10_000, 2_000, 2.0), (25_000, 8_000, 3.0)])
def test_the_aicc_picks_hill_for_an_s_curve(top, k, s):
    x, y = months_of_hill(top, k, s)
    curve = cv.fit_response("c", x, y, resamples=0)
    assert curve.kind == "hill"
    assert curve.selection.startswith("hill: AICc log ")


def weeks_of(kind, top, k, s, theta, n=52, noise=0.02, seed=3):
    rng = np.random.default_rng(seed)
    spend = rng.uniform(0, 2 * k, n) * (rng.uniform(size=n) > 0.15)  # some weeks without spend
    carried = cv.adstock(spend, theta)
    clean = cv.hill(carried, top, k, s) if kind == "hill" else top * np.log1p(carried / k)
    return spend, clean * rng.normal(1, noise, n)


@pytest.mark.parametrize(
    ("top", "k", "s", "theta"),
    [
        (3_000, 1_200, 1.5, 0.5),
        (800, 300, 2.0, 0.3),
        (5_000, 2_500, 1.0, 0.7),
        (2_000, 900, 2.5, 0.1),
    ],
)
def test_it_recovers_hill_and_carry_over_from_weekly_history(top, k, s, theta):
    """52 weeks, 2 % noise: θ within 0.02, s within 8 %, and the monthly steady-state curve
    within 5 % (top·m) and 8 % (k·m·(1 - θ))."""
    spend, ret = weeks_of("hill", top, k, s, theta)
    curve = cv.fit_response("c", spend, ret, weekly=True, kind="hill", resamples=0)
    assert curve.adstock == pytest.approx(theta, abs=0.02)
    assert curve.s == pytest.approx(s, rel=0.08)
    assert curve.a == pytest.approx(top * M, rel=0.05)
    assert curve.b == pytest.approx(k * M * (1 - theta), rel=0.08)
    assert (curve.granularity, curve.points, curve.selection) == ("week", 52, "chosen by hand")


@pytest.mark.parametrize(("a", "b", "theta"), [(4_000, 1_000, 0.4), (9_000, 3_000, 0.2)])
def test_it_recovers_a_log_curve_with_carry_over(a, b, theta):
    spend, ret = weeks_of("log", a, b, 1.0, theta)
    curve = cv.fit_response("c", spend, ret, weekly=True, kind="log", resamples=0)
    assert curve.adstock == pytest.approx(theta, abs=0.05)
    assert curve.a == pytest.approx(a * M, rel=0.08)
    assert curve.b == pytest.approx(b * M * (1 - theta), rel=0.08)


def test_its_monthly_curve_is_the_steady_state_of_even_weekly_spend():
    """A month of X spent evenly, long enough for the carry-over to settle, returns r(X)."""
    spend, ret = weeks_of("hill", 3_000, 1_200, 1.5, 0.5)
    curve = cv.fit_response("c", spend, ret, weekly=True, kind="hill", resamples=0)
    weekly = np.full(200, 4_000 / M)
    settled = cv.adstock(weekly, curve.adstock)[-1]
    top, k = curve.a / M, curve.b / (M * (1 - curve.adstock))
    assert M * cv.hill(settled, top, k, curve.s) == pytest.approx(curve.value(4_000), rel=1e-9)


def test_a_monthly_log_fit_is_fit_curves_exactly():
    """The reference fit (PRODUCT.md §11) is unchanged: auto keeps log when Hill does not win."""
    x = [1000, 2000, 3000, 4000, 5000, 6000]
    y = [1000 * np.log1p(v / 2000) for v in x]
    curve = cv.fit_response("c", x, y, resamples=0)
    reference = roi.fit_curve("c", x, y)
    assert (curve.kind, curve.a, curve.b) == ("log", reference.a, reference.b)
    assert curve.r_squared == reference.r_squared
    assert curve.selection == "log: fewer than 8 points, Hill not tried"


def test_it_keeps_log_when_hill_does_not_lower_the_aicc_enough():
    rng = np.random.default_rng(11)
    x = rng.uniform(500, 6_000, 12)
    y = 8_000 * np.log1p(x / 2_000) * rng.normal(1, 0.03, 12)
    curve = cv.fit_response("c", x, y, resamples=0)
    assert curve.kind == "log"
    assert curve.selection.startswith("log: AICc log ")
    assert curve.selection.endswith("(Hill needs 2 lower)")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"kind": "spline"}, "the curve model is auto, log or hill, not 'spline'"),
        ({"resamples": 5_000}, "the bootstrap takes 0 to 1,000 resamples, not 5,000"),
    ],
)
def test_it_refuses_a_bad_model_or_resample_count(kwargs, message):
    with pytest.raises(roi.RoiInputError, match=message):
        cv.fit_response("c", [1, 2, 3], [1, 2, 3], **kwargs)


def test_a_hill_curve_needs_five_points():
    with pytest.raises(roi.RoiInputError, match="c: a Hill curve needs at least 5 points"):
        cv.fit_response("c", [1, 2, 3, 4], [1, 2, 3, 3.5], kind="hill")


# ---- the bootstrap --------------------------------------------------------------------------


def test_its_band_contains_the_true_curve_over_the_history():
    """10 % noise, 24 months, 200 resamples: the true Hill curve lies inside the 10-90 % band at
    every one of 30 amounts across the history's range, and the band is narrower than 10 % of
    the top (it says something)."""
    x, y = months_of_hill(10_000, 2_000, 2.0, noise=0.10, seed=21)
    curve = cv.fit_response("c", x, y, seed=5)
    xs = np.linspace(x.min(), x.max(), 30)
    found = cv.band(curve, xs)
    assert found is not None
    low, high = found
    true = cv.hill(xs, 10_000, 2_000, 2.0)
    assert np.all((low <= true) & (true <= high))
    assert np.all(high - low < 1_000)
    boot = curve.bootstrap
    assert (boot.seed, boot.resamples, boot.failed, len(boot.params)) == (5, 200, 0, 200)


def test_its_weekly_band_contains_the_true_carry_over():
    spend, ret = weeks_of("hill", 3_000, 1_200, 1.5, 0.5, noise=0.05)
    curve = cv.fit_response("c", spend, ret, weekly=True, kind="hill")
    low, high = curve.bootstrap.interval("adstock")
    assert low <= 0.5 <= high
    assert high - low < 0.1


def test_the_same_seed_gives_the_same_band_and_another_seed_another():
    x, y = months_of_hill(10_000, 2_000, 2.0, noise=0.05)
    first = cv.fit_response("c", x, y, seed=3).bootstrap
    again = cv.fit_response("c", x, y, seed=3).bootstrap
    other = cv.fit_response("c", x, y, seed=4).bootstrap
    assert np.array_equal(first.params, again.params)
    assert not np.array_equal(first.params, other.params)


def test_each_channel_draws_its_own_stream():
    x, y = months_of_hill(10_000, 2_000, 2.0, noise=0.05)
    one = cv.fit_response("email", x, y, seed=3).bootstrap
    two = cv.fit_response("seo", x, y, seed=3).bootstrap
    assert not np.array_equal(one.params, two.params)


def test_too_few_points_give_no_band_and_say_why():
    curve = cv.fit_response("c", [1000, 2000, 4000], [3000, 4200, 6000])
    assert curve.bootstrap is None
    assert curve.warnings[-1] == (
        "3 points for 2 parameters: too few for an uncertainty band (it needs at least 4)"
    )
    four = cv.fit_response("c", [1000, 2000, 3000, 4000], [3000, 4200, 5000, 6000])
    assert four.bootstrap is not None


def test_a_hand_entered_curve_has_no_band():
    assert cv.band(roi.Curve("c", 1_000, 100), [1, 2]) is None


# ---- allocation with Hill curves, and its range ---------------------------------------------


def test_it_allocates_between_hill_curves_at_equal_marginal_return():
    """s = 1: r = top·x ÷ (x + k), r' = top·k ÷ (x + k)², so x_i = √(top_i·k_i / λ) - k_i with
    1/√λ = (budget + Σk) ÷ Σ√(top·k)."""
    tops, ks, budget = [10_000, 6_000, 8_000], [2_000, 1_000, 3_000], 9_000
    curves = [
        roi.Curve(f"c{i}", t, k, kind="hill", s=1.0)
        for i, (t, k) in enumerate(zip(tops, ks, strict=True))
    ]
    root = np.sqrt(np.multiply(tops, ks))
    inverse = (budget + sum(ks)) / root.sum()
    expected = root * inverse - np.array(ks)
    result = roi.allocate(curves, budget)
    assert [s.recommended for s in result.splits] == pytest.approx(expected, rel=1e-4)
    marginals = [s.marginal_roi for s in result.splits]
    assert max(marginals) - min(marginals) < 1e-4 * max(marginals)


def fitted_channels(n=3, resamples=200):
    rng = np.random.default_rng(2)
    curves = []
    for i in range(n):
        top, k = rng.uniform(5_000, 20_000), rng.uniform(1_000, 4_000)
        x, y = months_of_hill(top, k, 1.5, noise=0.08, seed=30 + i)
        curves.append(cv.fit_response(f"c{i}", x, y, kind="hill", resamples=resamples))
    return curves


def test_the_allocation_range_holds_the_point_recommendation():
    curves = fitted_channels()
    point = roi.allocate(curves, 9_000)
    band = cv.allocation_band(curves, point, lambda drawn: roi.allocate(drawn, 9_000))
    assert band is not None
    assert (band.seed, band.resamples, band.failed, band.percentiles) == (1, 200, 0, (10, 90))
    for split in point.splits:
        low, high = band.recommended[split.channel]
        assert low <= split.recommended <= high
        low, high = band.expected_return[split.channel]
        assert low <= split.expected_return <= high
    low, high = band.total_return
    assert low < point.expected_return < high


def test_a_channel_without_a_bootstrap_stays_put_in_the_range():
    curves = [*fitted_channels(2), roi.Curve("manual", 3_000, 500)]
    point = roi.allocate(curves, 6_000, {"manual": roi.Bounds(1_000, 1_000)})
    band = cv.allocation_band(
        curves,
        point,
        lambda drawn: roi.allocate(drawn, 6_000, {"manual": roi.Bounds(1_000, 1_000)}),
    )
    assert band.recommended["manual"] == pytest.approx((1_000, 1_000))


def test_there_is_no_range_without_fitted_curves():
    curves = [roi.Curve("a", 1_000, 100), roi.Curve("b", 2_000, 300)]
    point = roi.allocate(curves, 1_000)
    assert cv.allocation_band(curves, point, lambda d: roi.allocate(d, 1_000)) is None
