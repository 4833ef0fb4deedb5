"""Lifetime value, LTV:CAC overall and per channel (from imported new customers)."""

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from leanmark.channeldata import services as channeldata
from leanmark.domain import roi as domain
from leanmark.roi import queries, services
from leanmark.roi.errors import InvalidInput

FIXTURES = Path(__file__).resolve().parents[2] / "domain" / "tests" / "fixtures" / "channeldata"


def test_the_reference_lifetime_value():
    assert domain.lifetime_value(Decimal(100), Decimal("0.8"), Decimal("0.05")) == Decimal(1600)
    assert domain.lifetime_value(Decimal(100), Decimal("0.8"), Decimal(0)) is None


def test_ltv_and_ltv_cac_in_the_report_with_the_channels_customers(world):
    services.update_settings(
        world.acme,
        actor=world.alice,
        currency="GBP",
        revenue_per_customer="20",
        gross_margin="0.5",
        monthly_churn="0.04",
    )
    channeldata.import_file(
        world.acme, "orders.csv", (FIXTURES / "shopify_orders.csv").read_bytes(), actor=None
    )
    channeldata.import_file(
        world.acme, "ads.tsv", (FIXTURES / "google_ads_campaigns.csv").read_bytes(), actor=None
    )
    view = queries.report(world.acme, start=date(2026, 11, 23), end=date(2026, 12, 6), by="channel")
    assert view.ltv == Decimal(250)  # 20 * 0.5 / 0.04
    acquisition = view.channel_acquisition
    # the Shopify file's 14 new customers by their utm channel; only paid search has a cost
    assert {c: a.new_customers for c, a in acquisition.items()} == {
        "email": 2, "paid_search": 5, "paid_social": 1, "unassigned": 6,
    }  # fmt: skip
    search = acquisition["paid_search"]
    assert search.cac == Decimal("2419.33") / 5
    assert (
        round(search.ltv_cac, 4)
        == round(Decimal(250) / (Decimal("2419.33") / 5), 4)
        == Decimal("0.5167")
    )
    assert (acquisition["email"].cac, acquisition["email"].ltv_cac) == (None, None)
    services.update_settings(world.acme, actor=world.alice, lifetime_value="400")
    assert (
        queries.report(world.acme, start=date(2026, 11, 23), end=date(2026, 12, 6), by="stage").ltv
        == 400
    )


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"monthly_churn": "0"}, "a monthly churn of 0 means customers never leave"),
        ({"monthly_churn": "1.5"}, "the monthly churn"),
        ({"lifetime_value": "-3"}, "lifetime value per customer"),
    ],
)
def test_bad_churn_and_lifetime_values_are_refused(world, values, message):
    with pytest.raises(InvalidInput, match=message):
        services.update_settings(world.acme, actor=world.alice, **values)


def test_the_settings_page_takes_churn_as_a_percentage(world, client_for):
    alice = client_for(world.alice)
    page = f"/w/{world.acme.slug}/roi/settings/"
    alice.post(
        page,
        {
            "currency": "EUR",
            "contribution_margin": "60",
            "gross_margin": "60",
            "monthly_churn": "5",
            "revenue_per_customer": "30",
        },
    )
    saved = queries.settings_of(world.acme)
    assert (saved.monthly_churn, saved.lifetime_value) == (Decimal("0.05"), None)
    report = alice.get(f"/w/{world.acme.slug}/roi/").content.decode()
    assert "<span>LTV</span><b>€360</b>" in report  # 30 * 0.6 / 0.05
