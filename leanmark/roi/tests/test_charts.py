from datetime import date
from decimal import Decimal as D  # noqa: N817 (short in tables of reference values)

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
    points = layers[2]["data"]["values"]
    assert {p["which"] for p in points} == {"Current", "Recommended"}
