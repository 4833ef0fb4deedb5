"""The Northwind demo's marketing data: its paid channels' year of spend arrives as a Google Ads
campaign report and a Meta Ads Manager export, its visits as a GA4 report, all imported through
the importers (docs/product.md §14)."""

import random
from collections import defaultdict
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from leanmark.channeldata import demo, queries
from leanmark.demo.context import DemoContext
from leanmark.demo.generator import load_demo
from leanmark.domain import channeldata as domain
from leanmark.roi import demo as roi_demo
from leanmark.roi import queries as roi_queries

NOW = datetime(2026, 3, 16, 17, 30, tzinfo=UTC)
START, END = date(2025, 3, 1), date(2026, 3, 16)


@pytest.mark.django_db
def test_the_demo_imports_the_paid_channels_spend_from_the_ad_platforms_files():
    workspace = load_demo(seed=42, now=NOW)
    imports = {i.source: i for i in queries.imports_of(workspace)}
    assert {s: (i.file_name, i.first_day, i.last_day, i.rows) for s, i in imports.items()} == {
        "google_ads": ("Campaign report 2025-03-01 to 2026-03-16.csv", START, END, 381),
        "meta_ads": ("Northwind-Ad-sets-01-Mar-2025-16-Mar-2026.csv", START, END, 381),
        "ga4": ("Traffic_acquisition_Session_source_medium.csv", START, END, 1905),
    }
    assert imports["google_ads"].totals == {
        "spend": [None, "39597.09"],
        "impressions": [None, "2316837"],
        "clicks": [None, "71618"],
        "conversions": [None, "3931.90"],
    }
    assert imports["google_ads"].notes[1] == "Left out 2 'Total' line(s) of the Google Ads report."
    assert imports["meta_ads"].totals["spend"] == [None, "29891.80"]
    assert imports["ga4"].totals == {
        "sessions": [None, "225077"],
        "conversions": [None, "7279"],
    }
    # the pennies the ROI part's year gives for the paid channels, none of them typed in
    year = roi_demo.year(DemoContext(workspace, None, [], NOW, 42))  # type: ignore[arg-type]
    given: dict[str, Decimal] = defaultdict(Decimal)
    for line in year.spend:
        given[line.channel] += line.amount
    assert given["paid_search"] == Decimal("39597.09")
    assert given["paid_social"] == Decimal("29891.80")
    assert not roi_queries.spend_rows(workspace, channel="paid_search").exists()
    assert not roi_queries.spend_rows(workspace, channel="paid_social").exists()
    assert queries.stages_of(workspace) == {"paid_search": "buy", "paid_social": "know"}
    # no file gives revenue, so the returns stay the ROI part's revenue metrics, counted once
    assert queries.money(workspace, start=START, end=END, currency="GBP").revenue_source is None
    report = roi_queries.report(workspace, start=START, end=END, by="channel").report
    rows = {r.key: (r.spend, r.ret) for r in report.rows}
    assert rows["paid_search"] == (Decimal("39597.09"), Decimal("86982.39"))
    assert rows["paid_social"] == (Decimal("29891.80"), Decimal("71638.07"))
    assert report.total.spend == Decimal("126449.39")
    stages = roi_queries.report(workspace, start=START, end=END, by="stage").report
    assert {r.key: r.spend for r in stages.rows if r.spend} == {
        "know": Decimal("50062.34"),  # paid social and SEO
        "try": Decimal("30591.62"),
        "buy": Decimal("39597.09"),
        "repeat": Decimal("6198.34"),
    }


def test_the_google_ads_file_is_the_utf16_report_and_reads_back_to_the_penny():
    spend = [
        roi_demo.SpendLine(
            date(2026, 3, 1), "paid_search", "buy", "Brand search", Decimal("98.45")
        ),
        roi_demo.SpendLine(
            date(2026, 3, 2), "paid_search", "buy", "Sample pack", Decimal("1234.50")
        ),
    ]
    ads = demo.google_ads_rows(random.Random(1), spend)
    data = demo.google_ads_file(ads, date(2026, 3, 1), date(2026, 3, 2))
    assert data[:2] == b"\xff\xfe"
    assert data.decode("utf-16").split("\r\n") == [
        "Campaign report",
        "1 March 2026 - 2 March 2026",
        "Day\tCampaign\tCampaign type\tCurrency code\tCost\tImpr.\tClicks\tConversions",
        "2026-03-01\tBrand search\tSearch\tGBP\t98.45\t2,846\t201\t20.69",
        "2026-03-02\tSample pack\tSearch\tGBP\t1,234.50\t47,882\t1,625\t74.85",
        "Total: Account\t--\t--\tGBP\t1,332.95\t50,728\t1,826\t95.54",
        "Total: Search\t--\t--\tGBP\t1,332.95\t50,728\t1,826\t95.54",
        "",
    ]
    parsed = domain.read("Campaign report.csv", data)
    assert [(r.day, r.channel, r.campaign, r.spend, r.clicks, r.revenue) for r in parsed.rows] == [
        (date(2026, 3, 1), "Paid search", "Brand search", Decimal("98.45"), 201, None),
        (date(2026, 3, 2), "Paid search", "Sample pack", Decimal("1234.50"), 1625, None),
    ]


def test_the_meta_and_ga4_files_read_back_as_paid_social_and_visits_without_revenue():
    spend = [roi_demo.SpendLine(date(2026, 3, 1), "paid_social", "know", "Reels", Decimal("61.07"))]
    meta = demo.meta_rows(random.Random(1), spend)
    parsed = domain.read("ads.csv", demo.meta_file(meta, date(2026, 3, 1), date(2026, 3, 1)))
    [row] = parsed.rows
    assert (row.source, row.channel, row.campaign, row.ad_set, row.spend, row.revenue) == (
        "meta_ads",
        "Paid social",
        "Reels",
        "UK coffee lovers 25-54",
        Decimal("61.07"),
        None,
    )
    visits = [(date(2026, 3, 1), "google / cpc", "Brand search", 180, 12)]
    parsed = domain.read("ga4.csv", demo.ga4_file(visits, date(2026, 3, 1), date(2026, 3, 1)))
    [row] = parsed.rows
    assert (row.source, row.utm_source, row.utm_medium, row.sessions, row.revenue) == (
        "ga4",
        "google",
        "cpc",
        180,
        None,
    )
    assert row.conversions == Decimal(12)
