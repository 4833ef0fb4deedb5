from datetime import date
from decimal import Decimal as D  # noqa: N817 (short in tables of reference values)
from types import SimpleNamespace

import pytest

from leanmark.domain import curves as curve_fits
from leanmark.domain import roi as domain
from leanmark.roi import charts


def test_roi_bars_carry_their_inputs_in_the_tooltip():
    report = domain.roi_report(
        [domain.CostLine(date(2026, 7, 1), "buy", "email", "", spend=D(100))],
        [domain.ReturnLine(date(2026, 7, 2), "buy", "email", "", D(250))],
        dimension="stage",
        margin=D("0.6"),
    )
    spec = charts.roi_by_key(report, {"buy": "Buy"}, "EUR")
    assert spec["data"]["values"] == [{"key": "Buy", "roi": 1.5, "cost": 100.0, "return": 250.0}]
    assert {t["field"] for t in spec["encoding"]["tooltip"]} == {"key", "roi", "cost", "return"}


def test_the_split_chart_stacks_current_and_recommended_named_in_words():
    curves = [domain.Curve("email", 1000, 100), domain.Curve("seo", 2000, 300)]
    allocation = domain.allocate(curves, 1000, current={"email": 800, "seo": 200})
    values = charts.allocation_bars(allocation, "EUR")["data"]["values"]
    assert [(v["split"], v["channel"]) for v in values] == [
        ("Current", "Email"),
        ("Recommended", "Email"),
        ("Current", "SEO"),
        ("Recommended", "SEO"),
    ]
    layers = charts.response_curves({c.channel: c for c in curves}, {}, allocation, "EUR")["layer"]
    points = next(layer for layer in layers if layer["mark"]["type"] == "point")["data"]["values"]
    assert {p["which"] for p in points} == {"Current", "Recommended"}


def test_the_curves_chart_shades_the_bootstrap_band_of_a_fitted_curve():
    x = [1000, 2000, 3000, 4000, 5000, 6000]
    fitted = curve_fits.fit_response("email", x, [800, 1300, 1700, 1950, 2200, 2300], seed=1)
    manual = domain.Curve("seo", 2000, 300)
    history = {"email": [SimpleNamespace(x=v, ret=0, month=date(2026, 1, 1)) for v in x]}
    layers = charts.response_curves({"email": fitted, "seo": manual}, history, None, "EUR")
    area = layers["layer"][0]
    assert (area["mark"]["type"], area["encoding"]["y2"]) == ("area", {"field": "high"})
    values = area["data"]["values"]
    assert {v["channel"] for v in values} == {"Email"}  # a hand-entered curve has no band
    assert len(values) == 40
    low, high = curve_fits.band(fitted, [values[20]["x"]])
    assert values[20]["x"] == round(20 * 7500 / 39, 2)
    assert values[20]["low"] == pytest.approx(low[0], abs=0.01)
    assert values[20]["high"] == pytest.approx(high[0], abs=0.01)
    assert all(v["low"] <= fitted.value(v["x"]) <= v["high"] for v in values[1:])
