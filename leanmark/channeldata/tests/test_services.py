"""Importing the tools' real export files into the daily channel table, and what reads it."""

import csv
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from leanmark.channeldata import queries, services
from leanmark.channeldata.models import ChannelDay, DataImport
from leanmark.lib.errors import InvalidInput
from leanmark.roi import queries as roi_queries
from leanmark.roi import services as roi_services

FIXTURES = Path(__file__).resolve().parents[2] / "domain" / "tests" / "fixtures" / "channeldata"


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def ga4_rows() -> list[list[str]]:
    """The GA4 fixture's data rows, read with the csv module (an independent reading)."""
    lines = (FIXTURES / "ga4_traffic_acquisition.csv").read_text().splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("Date,"))
    return [r for r in csv.reader(lines[start + 1 :]) if r and r[0] != "Grand total"]


def ads_rows() -> list[list[str]]:
    lines = (FIXTURES / "google_ads_campaigns.csv").read_text(encoding="utf-16").splitlines()
    rows = list(csv.reader(lines[3:], delimiter="\t"))
    return [r for r in rows if r and not r[0].startswith("Total")]


@pytest.fixture
def gbp(world):
    roi_services.update_settings(world.acme, actor=world.alice, currency="GBP")
    return world


def test_a_ga4_export_fills_the_table_with_grouped_channels(gbp):
    result = services.import_file(
        gbp.acme, "ga4.csv", fixture("ga4_traffic_acquisition.csv"), actor=gbp.bob
    )
    assert result.data_import is not None
    rows = ChannelDay.objects.for_workspace(gbp.acme)
    assert rows.count() == len(ga4_rows()) == 98
    assert sum(r.sessions for r in rows) == sum(int(r[3]) for r in ga4_rows()) == 5029
    first = {r.channel: r.sessions for r in rows.filter(day=date(2026, 12, 1))}
    assert first == {
        "organic_search": 139,
        "paid_search": 59,
        "direct": 63,
        "paid_social": 48,
        "email": 20,
        "organic_social": 9,  # l.instagram.com / referral: a social site before referral
        "unassigned": 7,  # coffee-partner.example / partner matches no default rule
    }
    assert [(u.utm_source, u.utm_medium, u.rows) for u in queries.unassigned(gbp.acme)] == [
        ("coffee-partner.example", "partner", 14)
    ]
    record = DataImport.objects.get()
    assert (record.source, record.rows, record.replaced, record.changed_days) == (
        "ga4",
        98,
        0,
        14,
    )
    assert record.totals["sessions"] == [None, "5029"]


def test_importing_the_same_days_again_replaces_them_and_records_what_changed(gbp):
    data = fixture("ga4_traffic_acquisition.csv")
    services.import_file(gbp.acme, "ga4.csv", data, actor=gbp.bob)
    again = services.import_file(gbp.acme, "ga4.csv", data, actor=gbp.bob)
    assert (again.plan.replaced, again.plan.changed_days) == (98, 0)
    revised = data.replace(
        b"20261201,google / cpc,Brand search,59,", b"20261201,google / cpc,Brand search,71,"
    )
    plan = services.plan_import(gbp.acme, "ga4.csv", revised)
    changed = [d for d in plan.days if d.kind != "same"]
    assert [(d.day, d.before["sessions"], d.after["sessions"]) for d in changed] == [
        (date(2026, 12, 1), Decimal(345), Decimal(357))
    ]
    assert plan.totals()["sessions"] == [Decimal(5029), Decimal(5041)]
    assert ChannelDay.objects.count() == 98  # the plan wrote nothing
    services.import_file(gbp.acme, "ga4.csv", revised, actor=gbp.bob)
    assert ChannelDay.objects.count() == 98
    assert ChannelDay.objects.get(day=date(2026, 12, 1), channel="paid_search").sessions == 71
    assert list(DataImport.objects.values_list("changed_days", flat=True)) == [1, 0, 14]


def test_a_dry_run_writes_nothing(gbp):
    result = services.import_file(
        gbp.acme, "ga4.csv", fixture("ga4_traffic_acquisition.csv"), actor=None, dry_run=True
    )
    assert (result.data_import, len(result.plan.rows)) == (None, 98)
    assert not ChannelDay.objects.exists() and not DataImport.objects.exists()


def test_a_bad_file_imports_nothing_and_names_its_lines(gbp):
    data = fixture("ga4_traffic_acquisition.csv").replace(
        b"20261124,google / cpc,Brand search,", b"20261124,google / cpc,Brand search,lots"
    )
    with pytest.raises(InvalidInput, match=r"^nothing was imported: line \d+: .*lots") as error:
        services.import_file(gbp.acme, "ga4.csv", data, actor=gbp.bob)
    assert error.value.field == "file"
    assert not ChannelDay.objects.exists()
    with pytest.raises(services.NeedsMapping, match="does not recognise this file") as unknown:
        services.import_file(gbp.acme, "notes.csv", b"hello,world\n1,2\n", actor=gbp.bob)
    assert unknown.value.details["headers"] == ["hello", "world"]


def test_imported_spend_and_revenue_feed_the_roi_report_by_channel(gbp):
    services.import_file(gbp.acme, "ads.tsv", fixture("google_ads_campaigns.csv"), actor=gbp.bob)
    services.import_file(gbp.acme, "orders.csv", fixture("shopify_orders.csv"), actor=gbp.bob)
    view = roi_queries.report(
        gbp.acme, start=date(2026, 11, 23), end=date(2026, 12, 6), by="channel"
    )
    spend = sum(Decimal(r[4].replace(",", "")) for r in ads_rows())
    assert spend == Decimal("2623.10")
    assert view.report.total.spend == spend
    shop = queries.money(gbp.acme, start=date(2026, 11, 1), end=date(2026, 12, 31), currency="GBP")
    assert shop.revenue_source == "shopify"
    revenue = sum((m.revenue for m in shop.lines), Decimal(0))
    assert view.report.total.ret == revenue > 0
    assert "revenue imported from Shopify" in view.returns_source


def test_amounts_in_another_currency_count_once_a_rate_is_set(world):
    # The workspace keeps EUR; the Google Ads file is in GBP.
    plan = services.plan_import(world.acme, "ads.tsv", fixture("google_ads_campaigns.csv"))
    assert any("no exchange rate for GBP into EUR" in n for n in plan.notes)
    services.import_file(world.acme, "ads.tsv", fixture("google_ads_campaigns.csv"), actor=None)
    period = {"start": date(2026, 11, 23), "end": date(2026, 12, 6)}
    before = roi_queries.report(world.acme, **period, by="channel")
    assert before.report.total.spend == 0
    assert any("imported amounts in GBP are left out" in n for n in before.notes)
    services.set_rate(world.acme, "gbp", "1.16", actor=world.alice)
    after = roi_queries.report(world.acme, **period, by="channel")
    expected = sum(
        (
            (Decimal(r[4].replace(",", "")) * Decimal("1.16")).quantize(Decimal("0.01"))
            for r in ads_rows()
        ),
        Decimal(0),
    )
    assert after.report.total.spend == expected


@pytest.mark.parametrize(
    ("currency", "rate", "message"),
    [
        ("dollars", "1", "the currency has 7 characters; at most 3 are allowed"),
        ("US1", "1", "'US1' is not a currency code"),
        ("EUR", "1", "EUR is the workspace's own currency"),
        ("USD", "-2", "the rate must be more than 0"),
        ("USD", "0.000000001", "the rate must be more than 0"),
        ("USD", "abc", "the rate must be a number"),
    ],
)
def test_bad_rates_are_refused(world, currency, rate, message):
    with pytest.raises(InvalidInput, match=message.replace("(", r"\(")):
        services.set_rate(world.acme, currency, rate, actor=world.alice)


def test_workspace_rules_regroup_the_next_import(gbp):
    services.set_rules(
        gbp.acme,
        [{"channel": "Partners", "source": r".*partner.*", "medium": ""}],
        actor=gbp.alice,
    )
    services.import_file(gbp.acme, "ga4.csv", fixture("ga4_traffic_acquisition.csv"), actor=None)
    channels = set(ChannelDay.objects.values_list("channel", flat=True))
    assert channels == {"partners", "unassigned"}
    with pytest.raises(InvalidInput, match="rule 1: the source pattern"):
        services.set_rules(gbp.acme, [{"channel": "X", "source": "(", "medium": ""}], actor=None)
    services.set_rules(gbp.acme, None, actor=None)
    assert queries.uses_default_rules(gbp.acme)


def test_another_workspace_sees_nothing(gbp):
    services.import_file(gbp.acme, "ga4.csv", fixture("ga4_traffic_acquisition.csv"), actor=None)
    assert queries.rows(gbp.evil, start=date(2026, 1, 1), end=date(2026, 12, 31)) == ([], 0)
    assert queries.sources_of(gbp.evil) == []


def test_a_channel_stage_puts_its_imported_spend_in_that_stage_of_the_roi_report(gbp):
    services.import_file(gbp.acme, "ads.tsv", fixture("google_ads_campaigns.csv"), actor=None)
    period = {"start": date(2026, 11, 23), "end": date(2026, 12, 6), "by": "stage"}
    unstaged = {r.key: r.spend for r in roi_queries.report(gbp.acme, **period).report.rows}
    assert unstaged.get("") == Decimal("2623.10")
    assert services.set_stages(gbp.acme, {"Paid search": "buy"}, actor=gbp.alice) == {
        "paid_search": "buy"
    }
    staged = {r.key: r.spend for r in roi_queries.report(gbp.acme, **period).report.rows}
    search = sum(Decimal(r[4].replace(",", "")) for r in ads_rows() if r[2] == "Search")
    display = sum(Decimal(r[4].replace(",", "")) for r in ads_rows() if r[2] == "Display")
    assert (
        (staged["buy"], staged[""]) == (search, display) == (Decimal("2419.33"), Decimal("203.77"))
    )
    with pytest.raises(InvalidInput, match="unknown stage 'moon'"):
        services.set_stages(gbp.acme, {"paid_search": "moon"}, actor=None)
    assert services.set_stages(gbp.acme, {"paid_search": ""}, actor=None) == {}


def test_a_rule_with_control_characters_is_refused(gbp):
    with pytest.raises(InvalidInput, match="rule 1's channel"):
        services.set_rules(
            gbp.acme, [{"channel": "Paid\x0f", "source": "", "medium": ""}], actor=None
        )
