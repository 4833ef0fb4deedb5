"""The export readers: each fixture file read whole, with its exact totals.

The expected figures were worked out from the fixture files with Python's csv module alone
(not these readers): e.g. for Google Ads,
``sum(Decimal(r[4].replace(",", "")) for r in rows if not r[0].startswith("Total"))`` over the
UTF-16 file split on tabs, and for Shopify the Total of each order's first line, paid and
partially refunded orders only, less the partial refund.
"""

import csv
import io
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook

from leanmark.domain.channeldata import MEASURES, DayRow, FileRefused, Parsed, read
from leanmark.domain.channeldata import numbers as num
from leanmark.domain.channeldata.grouping import channel_for
from leanmark.domain.channeldata.reader import summed_rows
from leanmark.domain.channeldata.tables import sniff

FIXTURES = Path(__file__).parent / "fixtures" / "channeldata"


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def totals(parsed: Parsed) -> dict[str, object]:
    found: dict[str, object] = {}
    for row in parsed.rows:
        for measure in MEASURES:
            value = getattr(row, measure)
            if value is not None:
                found[measure] = found.get(measure, 0) + value  # type: ignore[operator]
    return found


def row_of(parsed: Parsed, day: date, **dimensions: str) -> DayRow:
    found = [
        r
        for r in parsed.rows
        if r.day == day and all(getattr(r, k) == v for k, v in dimensions.items())
    ]
    assert len(found) == 1, found
    return found[0]


def refusal(name: str, data: bytes, **options: object) -> list[tuple[int, str]]:
    with pytest.raises(FileRefused) as caught:
        read(name, data, **options)  # type: ignore[arg-type]
    return [(p.line, p.message) for p in caught.value.problems]


# --- numbers and dates -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1,234.56", Decimal("1234.56")),
        ("1.234,56", Decimal("1234.56")),
        ("1 234,56", Decimal("1234.56")),
        ("1\u00a0234,56", Decimal("1234.56")),  # no-break space, as French Excel writes
        ("1\u202f234,56", Decimal("1234.56")),  # narrow no-break space
        ("£1,234.56", Decimal("1234.56")),
        ("€12,50", Decimal("12.50")),
        ("US$3.20", Decimal("3.20")),
        ("GBP 12.00", Decimal("12.00")),
        ("12,00 €", Decimal("12.00")),
        ("12.5%", Decimal("12.5")),
        ("(12.00)", Decimal("-12.00")),
        ("-£3.00", Decimal("-3.00")),
        ("1,234", Decimal("1234")),  # a lone comma before three digits groups thousands
        ("12,5", Decimal("12.5")),
        ("1.234.567", Decimal("1234567")),
        ("--", None),
        ("", None),
        ("  ", None),
    ],
)
def test_it_reads_numbers_as_each_locale_writes_them(text, value):
    assert num.number(text) == value


@pytest.mark.parametrize("text", ["abc", "12a", "1,23,4", "1.2.3,4,5", "£", "12..5"])
def test_it_refuses_what_is_not_a_number(text):
    with pytest.raises(num.NotReadable, match="is not a number"):
        num.number(text)


def test_a_files_decimal_comma_makes_a_lone_point_group_thousands():
    assert num.decimal_mark_of(["12,50", "1.234", "7"]) == ","
    assert num.number("1.234", decimal_mark=",") == Decimal("1234")
    assert num.decimal_mark_of(["1,234", "1.234"]) is None  # nothing tells
    assert num.whole_number("1,234") == 1234
    with pytest.raises(num.NotReadable, match=r"'12\.5' is not a whole number"):
        num.whole_number("12.5")


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("2026-12-01", date(2026, 12, 1)),
        ("20261201", date(2026, 12, 1)),  # GA4's Date dimension
        ("01/12/2026", date(2026, 12, 1)),  # day first by default
        ("1/12/26", date(2026, 12, 1)),
        ("01.12.2026", date(2026, 12, 1)),
        ("Dec 1, 2026", date(2026, 12, 1)),
        ("December 1, 2026", date(2026, 12, 1)),
        ("Dec 01, 2026 09:30 am", date(2026, 12, 1)),  # Mailchimp's Send Date
        ("1 Dec 2026", date(2026, 12, 1)),
        ("1-Dec-2026", date(2026, 12, 1)),
        ("2026-12-01T10:22:03+00:00", date(2026, 12, 1)),
        ("2026-12-01 10:22:03 +0100", date(2026, 12, 1)),  # Shopify: the shop's own date
        ("2026-12-01 23:59:59 -0800", date(2026, 12, 1)),  # not moved to UTC
        ("2026-12-01 10:22", date(2026, 12, 1)),  # HubSpot
    ],
)
def test_it_reads_dates_as_the_tools_write_them(text, day):
    assert num.day(text) == day


def test_month_first_when_told_and_judged_on_the_whole_file():
    assert num.day("01/12/2026", day_first=False) == date(2026, 1, 12)
    assert num.day_first_of(["01/12/2026", "13/12/2026"]) is True
    assert num.day_first_of(["12/01/2026", "12/13/2026"]) is False
    assert num.day_first_of(["01/12/2026", "02/12/2026"]) is True  # nothing tells: the default
    assert num.day_first_of(["12/01/2026 09:30 AM", "12/03/2026 8:00 pm"]) is False  # US
    with pytest.raises(num.NotReadable, match=r"'12/13/2026' is not a date when read day first"):
        num.day("12/13/2026")
    with pytest.raises(num.NotReadable, match="'31/02/2026' is not a date"):
        num.day("31/02/2026")


# --- GA4 ---------------------------------------------------------------------------------


def test_it_reads_a_ga4_traffic_acquisition_export_without_its_grand_total():
    parsed = read("ga4_traffic_acquisition.csv", fixture("ga4_traffic_acquisition.csv"))
    assert parsed.source == "ga4"
    assert (parsed.first_day, parsed.last_day) == (date(2026, 11, 23), date(2026, 12, 6))
    # 14 days x 7 source / medium pairs; the grand-total line (5029, 108, 3165.61) left out
    assert len(parsed.rows) == 98
    assert totals(parsed) == {
        "sessions": 5029,
        "conversions": Decimal("108"),
        "revenue": Decimal("3165.61"),
    }
    assert "Left out 1 grand-total row(s) of the GA4 export." in parsed.notes
    # 20261127,google / cpc,Brand search,98,4,134.12
    brand = row_of(parsed, date(2026, 11, 27), channel="Paid search")
    assert (brand.campaign, brand.utm_source, brand.utm_medium) == ("Brand search", "google", "cpc")
    assert (brand.sessions, brand.conversions, brand.revenue) == (98, Decimal(4), Decimal("134.12"))
    assert brand.spend is None and brand.impressions is None
    # the grouping gives every pair its channel; "(organic)" is no campaign
    channels = {(r.utm_source, r.utm_medium): r.channel for r in parsed.rows}
    assert channels == {
        ("google", "organic"): "Organic search",
        ("google", "cpc"): "Paid search",
        ("(direct)", "(none)"): "Direct",
        ("facebook", "paid_social"): "Paid social",
        ("newsletter", "email"): "Email",
        ("l.instagram.com", "referral"): "Organic social",
        ("coffee-partner.example", "partner"): "Unassigned",
    }
    assert row_of(parsed, date(2026, 11, 27), channel="Organic search").campaign == ""
    assert (
        "No channel rule matches these utm source / medium: coffee-partner.example / partner."
        in parsed.notes
    )


def test_it_reads_a_ga4_export_with_decimal_commas_semicolons_and_day_first_dates():
    parsed = read("ga4_channels_de.csv", fixture("ga4_channels_de.csv"))
    assert parsed.source == "ga4"
    assert parsed.notes[0] == "Read as Google Analytics 4 (UTF-8 text, semicolon-separated)."
    assert (parsed.first_day, parsed.last_day) == (date(2026, 11, 23), date(2026, 12, 6))
    assert len(parsed.rows) == 84
    assert totals(parsed) == {
        "sessions": 5306,
        "conversions": Decimal("167"),
        "revenue": Decimal("21227.07"),
    }
    # 01/12/2026;Organic Search;194;6;1.086,27 is the first of December, £1,086.27
    organic = row_of(parsed, date(2026, 12, 1), channel="Organic search")
    assert (organic.sessions, organic.revenue) == (194, Decimal("1086.27"))
    assert row_of(parsed, date(2026, 12, 1), channel="Paid social").revenue == Decimal("236.01")


GA4_SHORT = (
    "# Start date: 20261201\n# End date: 20261231\n\n"
    "Date,Session default channel group,Sessions,Key events,Total revenue\n"
    "01/12/2026,Paid Search,10,1,12.50\n"
    "02/12/2026,Paid Search,11,0,0\n"
)


def test_ambiguous_dates_read_day_first_unless_told_otherwise():
    parsed = read("ga4.csv", GA4_SHORT.encode())
    assert [r.day for r in parsed.rows] == [date(2026, 12, 1), date(2026, 12, 2)]
    assert refusal("ga4.csv", GA4_SHORT.encode(), day_first=False) == [
        (5, "the day 2026-01-12 is outside the report's range 2026-12-01 to 2026-12-31"),
        (6, "the day 2026-02-12 is outside the report's range 2026-12-01 to 2026-12-31"),
    ]


def test_a_file_with_both_date_orders_is_refused():
    data = GA4_SHORT.replace("02/12/2026", "12/13/2026").replace("01/12/2026", "13/12/2026")
    assert refusal("ga4.csv", data.encode()) == [
        (
            0,
            "the dates are written both day-first ('13/12/2026') and month-first "
            "('12/13/2026'); save the file with one date format",
        ),
        (6, "'12/13/2026' in column Date is not a date when read day first (DD/MM/YYYY)"),
    ]


def test_a_ga4_export_without_the_date_dimension_says_to_add_it():
    data = (
        "# Start date: 20261201\n# End date: 20261231\n\n"
        "Session default channel group,Sessions\nPaid Search,10\n"
    )
    assert refusal("ga4.csv", data.encode()) == [
        (
            4,
            "this GA4 export has no Date column: add the Date dimension to the report or "
            "exploration (rows by day) and download it again",
        )
    ]


# --- Google Ads --------------------------------------------------------------------------

GOOGLE_ADS_TOTALS = {
    "spend": Decimal("2623.10"),
    "impressions": 164339,
    "clicks": 5002,
    "conversions": Decimal("220.32"),
    "revenue": Decimal("6838.54"),
}


def test_it_reads_a_google_ads_utf16_campaign_report_without_its_total_lines():
    data = fixture("google_ads_campaigns.csv")
    assert data[:2] == b"\xff\xfe"  # UTF-16 LE with its BOM, as Google Ads writes it
    parsed = read("Campaign report.csv", data)
    assert parsed.source == "google_ads"
    assert parsed.notes[:2] == [
        "Read as Google Ads (UTF-16 text, tab-separated).",
        "Left out 3 'Total' line(s) of the Google Ads report.",
    ]
    assert len(parsed.rows) == 42  # 14 days x 3 campaigns
    # the same as the file's own "Total: Account" line
    assert totals(parsed) == GOOGLE_ADS_TOTALS
    # 2026-11-27  Sample pack - generic  Search  GBP  1,135.91  36,949  1,704  39.75  1,010.64
    friday = row_of(parsed, date(2026, 11, 27), campaign="Sample pack - generic")
    assert friday.channel == "Paid search" and friday.currency == "GBP"
    assert (friday.spend, friday.impressions, friday.clicks) == (Decimal("1135.91"), 36949, 1704)
    assert (friday.conversions, friday.revenue) == (Decimal("39.75"), Decimal("1010.64"))
    display = [r for r in parsed.rows if r.channel == "Display"]
    assert {r.campaign for r in display} == {"Retargeting - cart"}
    assert sum(r.spend or 0 for r in display) == Decimal("203.77")  # "Total: Display"


def test_it_reads_utf16_big_endian_and_utf8_copies_of_the_same_report():
    text = fixture("google_ads_campaigns.csv").decode("utf-16")
    for data in (b"\xfe\xff" + text.encode("utf-16-be"), text.encode("utf-8")):
        assert totals(read("report.csv", data)) == GOOGLE_ADS_TOTALS


# --- Meta Ads Manager ----------------------------------------------------------------------

META_TOTALS = {
    "spend": Decimal("778.20"),
    "impressions": 67131,
    "clicks": 873,
    "conversions": Decimal("32"),
    "revenue": Decimal("1057.08"),
}


def test_it_reads_a_meta_ads_manager_csv_export_by_ad_set_and_day():
    parsed = read("Northwind-Ad-sets-Dec-7-2026.csv", fixture("meta_ads_adsets.csv"))
    assert parsed.source == "meta_ads"
    assert len(parsed.rows) == 42  # 14 days x 3 ad sets; the summary line left out
    assert totals(parsed) == META_TOTALS
    assert "Left out 1 summary row(s) of the Meta export." in parsed.notes
    assert {(r.channel, r.currency) for r in parsed.rows} == {("Paid social", "GBP")}
    lookalike = row_of(parsed, date(2026, 12, 1), ad_set="Lookalike 1% purchasers")
    assert (lookalike.campaign, lookalike.spend) == ("Sample pack - prospecting", Decimal("13.47"))


def meta_workbook() -> bytes:
    """The Meta fixture as Ads Manager's .xlsx holds it: numbers as numbers, dates as dates."""
    book = Workbook()
    sheet = book.active
    rows = list(csv.reader(io.StringIO(fixture("meta_ads_adsets.csv").decode())))
    sheet.append(rows[0])
    for row in rows[1:]:
        cells: list[object] = [datetime.fromisoformat(row[0]), datetime.fromisoformat(row[1])]
        cells += row[2:5]
        cells += [float(v) if "." in v else int(v) if v else None for v in row[5:10]]
        cells += [row[10], int(row[11]) if row[11] else None]
        cells += [float(row[12]) if row[12] else None]
        sheet.append(cells)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_it_reads_the_same_meta_export_saved_as_xlsx():
    data = meta_workbook()
    parsed = read("Northwind-Ad-sets-Dec-7-2026.xlsx", data)
    assert parsed.source == "meta_ads"
    assert parsed.notes[0] == "Read as Meta Ads Manager (an Excel workbook)."
    assert totals(parsed) == META_TOTALS
    assert len(parsed.rows) == 42


def test_a_cut_short_workbook_is_refused():
    problems = refusal("ads.xlsx", meta_workbook()[:3000])
    assert len(problems) == 1 and problems[0][0] == 0
    assert problems[0][1].startswith(
        "the file looks like an Excel workbook but cannot be opened; it may be cut short"
    )


def test_a_meta_row_over_several_days_is_refused_with_its_line():
    data = (
        "Reporting starts,Reporting ends,Campaign name,Ad set name,Amount spent (EUR),Impressions\n"
        '2026-12-01,2026-12-01,Sample pack,Lookalike,"12,50",1000\n'
        "2026-12-01,2026-12-07,Sample pack,Lookalike,80.00,7000\n"
    )
    assert refusal("meta.csv", data.encode()) == [
        (
            3,
            "the row covers 2026-12-01 to 2026-12-07; export with Breakdown > By time > Day so "
            "each row is one day",
        )
    ]


# --- Mailchimp ------------------------------------------------------------------------------


def test_it_reads_mailchimp_campaign_reports_as_email_by_send_day():
    parsed = read("campaigns.csv", fixture("mailchimp_campaigns.csv"))
    assert parsed.source == "mailchimp"
    assert totals(parsed) == {
        "impressions": 23876,  # Successful Deliveries
        "clicks": 821,  # Unique Clicks
        "conversions": Decimal("83"),  # Total Orders
        "revenue": Decimal("2725.52"),  # Total Revenue
    }
    assert {r.channel for r in parsed.rows} == {"Email"}
    assert [(r.day, r.campaign) for r in parsed.rows][-2:] == [
        (date(2026, 12, 3), "Gift subscriptions"),
        (date(2026, 12, 3), "Gift subscriptions - resend"),
    ]
    gifts = row_of(parsed, date(2026, 12, 3), campaign="Gift subscriptions")
    assert (gifts.impressions, gifts.clicks, gifts.revenue) == (4007, 191, Decimal("1023.60"))


# --- Shopify --------------------------------------------------------------------------------


def test_it_reads_a_shopify_orders_export_one_order_once_paid_orders_only():
    data = fixture("shopify_orders.csv")
    assert data[:3] == b"\xef\xbb\xbf"  # Shopify's "CSV for Excel" starts with a BOM
    parsed = read("orders_export_1.csv", data)
    assert parsed.source == "shopify"
    # 54 line-item lines, 32 orders: 28 paid, 1 partially refunded (53.00 less 9.50),
    # 1 refunded, 1 pending, 1 voided
    assert totals(parsed) == {
        "conversions": Decimal("29"),
        "revenue": Decimal("1167.00"),
        "new_customers": 14,  # 14 e-mail addresses among the paid orders
    }
    assert "Left out orders that are not paid: 1 pending, 1 refunded, 1 voided." in parsed.notes
    by_day: dict[date, Decimal] = {}
    new_by_day: dict[date, int] = {}
    for row in parsed.rows:
        by_day[row.day] = by_day.get(row.day, Decimal(0)) + (row.revenue or 0)
        new_by_day[row.day] = new_by_day.get(row.day, 0) + (row.new_customers or 0)
    assert by_day[date(2026, 11, 26)] == Decimal("234.70")  # with order #1409 at 43.50
    assert by_day[date(2026, 12, 6)] == Decimal("50.15")
    assert {d: n for d, n in new_by_day.items() if n} == {
        date(2026, 11, 23): 3,
        date(2026, 11, 24): 3,
        date(2026, 11, 25): 1,
        date(2026, 11, 26): 1,
        date(2026, 11, 28): 3,
        date(2026, 12, 1): 1,
        date(2026, 12, 2): 1,
        date(2026, 12, 5): 1,
    }
    # the Landing Site's utm parameters give the channel; a landing without them has none
    assert {r.channel for r in parsed.rows} == {
        "",
        "Paid search",
        "Paid social",
        "Email",
        "Unassigned",
    }
    assert {r.currency for r in parsed.rows} == {"GBP"}


# --- Stripe ---------------------------------------------------------------------------------


def test_it_reads_stripe_payments_net_of_refunds_without_failed_ones():
    parsed = read("unified_payments.csv", fixture("stripe_payments.csv"))
    assert parsed.source == "stripe"
    # 24 payments: 22 Paid (one 54.00 with 20.00 refunded), 1 Refunded (112.00), 1 Failed;
    # gross 1091.00 less 132.00 refunded
    assert totals(parsed) == {"conversions": Decimal("22"), "revenue": Decimal("959.00")}
    assert "Left out payments that did not succeed: 1 failed." in parsed.notes
    by_day = {r.day: r.revenue for r in parsed.rows}
    assert by_day[date(2026, 12, 3)] == Decimal("218.00")  # with the 34.00 kept of 54.00
    assert by_day[date(2026, 12, 4)] == Decimal("166.00")  # the refunded 112.00 adds nothing
    assert date(2026, 11, 25) not in by_day
    assert {(r.channel, r.currency) for r in parsed.rows} == {("", "GBP")}


# --- HubSpot --------------------------------------------------------------------------------


def test_it_reads_hubspot_closed_won_deals_by_close_date_and_original_source():
    parsed = read("hubspot-crm-exports-all-deals.csv", fixture("hubspot_deals.csv"))
    assert parsed.source == "hubspot"
    assert totals(parsed) == {"conversions": Decimal("8"), "revenue": Decimal("8640.00")}
    assert "Left out 4 deal(s) not closed won." in parsed.notes
    referral = row_of(parsed, date(2026, 11, 26), channel="Referral")
    assert (referral.conversions, referral.revenue) == (Decimal(2), Decimal("1200"))
    direct = row_of(parsed, date(2026, 11, 30), channel="Direct")
    assert direct.revenue == Decimal("2400.00")
    assert row_of(parsed, date(2026, 11, 30), channel="Unassigned").revenue == Decimal("720")


def test_it_reads_hubspot_contacts_as_new_customers():
    data = (
        "Record ID,First Name,Create Date,Lifecycle Stage,Original Source,Became a Customer Date\n"
        "101,Amara,2026-11-02 10:00,Customer,Organic Search,2026-12-01 09:12\n"
        "102,Ben,2026-12-01 11:00,customer,ORGANIC_SEARCH,\n"
        "103,Chloe,2026-12-01 12:00,Lead,Paid Social,\n"
        "104,Dev,2026-11-20 08:00,Customer,Paid Social,2026-12-02 14:00\n"
    )
    parsed = read("contacts.csv", data.encode())
    assert [(r.day, r.channel, r.new_customers) for r in parsed.rows] == [
        (date(2026, 12, 1), "Organic search", 2),
        (date(2026, 12, 2), "Paid social", 1),
    ]
    assert "Left out 1 contact(s) whose stage is not Customer." in parsed.notes


# --- any other CSV, mapped -------------------------------------------------------------------

PINTEREST = (
    "Date;Campaign;Spend;Impressions;Outbound clicks;utm_source;utm_medium\n"
    "01/12/2026;Advent boards;12,40;3.210;41;pinterest;paid\n"
    "01/12/2026;Advent boards;7,60;1.100;9;pinterest;paid\n"
    "02/12/2026;Advent boards;;2.020;;pinterest;paid\n"
)
PINTEREST_MAP = {
    "day": "Date",
    "campaign": "Campaign",
    "spend": "Spend",
    "impressions": "Impressions",
    "clicks": "Outbound clicks",
    "utm_source": "utm_source",
    "utm_medium": "utm_medium",
}


def test_a_mapped_csv_is_summed_per_day_and_grouped_by_its_utm_values():
    parsed = read("pinterest.csv", PINTEREST.encode(), mapping=PINTEREST_MAP)
    assert parsed.source == "csv"
    assert [(r.day, r.channel, r.spend, r.impressions, r.clicks) for r in parsed.rows] == [
        (date(2026, 12, 1), "Paid social", Decimal("20.00"), 4310, 50),
        (date(2026, 12, 2), "Paid social", None, 2020, None),  # None stays None
    ]
    assert parsed.rows[0].line == 2  # the first line summed


def test_a_mapping_that_names_a_missing_column_lists_the_files_columns():
    mapping = {**PINTEREST_MAP, "revenue": "Checkout value"}
    assert refusal("pinterest.csv", PINTEREST.encode(), mapping=mapping) == [
        (
            0,
            "the file has no column 'Checkout value'; its columns are 'Date', 'Campaign', "
            "'Spend', 'Impressions', 'Outbound clicks', 'utm_source', 'utm_medium'",
        )
    ]
    assert refusal("p.csv", PINTEREST.encode(), mapping={"campaign": "Campaign"}) == [
        (0, "map a column to 'day': every row needs its date"),
        (0, "map at least one measure (" + ", ".join(MEASURES) + ")"),
    ]


def test_measures_add_up_none_aware():
    row = DayRow(day=date(2026, 12, 1), source="csv", campaign="A")
    rows = summed_rows(
        [
            row,
            DayRow(day=date(2026, 12, 1), source="csv", campaign="A", clicks=3),
            DayRow(day=date(2026, 12, 1), source="csv", campaign="A", clicks=4),
        ]
    )
    assert [(r.spend, r.clicks) for r in rows] == [(None, 7)]


# --- files refused ----------------------------------------------------------------------------


def test_an_unknown_file_is_refused_naming_the_tools_read_and_the_mapping():
    data = b"Week,Leads,Notes\n2026-W48,12,trade show\n"
    assert refusal("leads.csv", data) == [
        (
            0,
            "Leanmark does not recognise this file's columns. It reads the exports of Google "
            "Ads, Meta Ads Manager, Google Analytics 4, Shopify, Stripe, Mailchimp, HubSpot as "
            "they come; for any other CSV, map its columns to Leanmark's fields (day, campaign, "
            "spend…).",
        )
    ]


def test_every_bad_line_is_reported_and_nothing_is_read():
    lines = fixture("ga4_traffic_acquisition.csv").decode().splitlines()
    assert lines[13].startswith("20261123,google / organic")
    lines[13] = lines[13].replace(",178,", ",abc,")  # file line 14
    lines[20] = "2026-13-40" + lines[20][8:]  # file line 21
    lines[30] = lines[30] + ",extra"  # file line 31
    problems = refusal("ga4.csv", "\n".join(lines).encode())
    assert problems == [
        (14, "'abc' in column Sessions is not a number"),
        (21, "'2026-13-40' in column Date is not a date"),
        (
            31,
            "the line has 7 values where the header (line 12) has 6; the file may be cut short "
            "or a value holds an unquoted delimiter",
        ),
    ]
    with pytest.raises(FileRefused, match=r"^line 14: 'abc' in column Sessions is not a number;"):
        read("ga4.csv", "\n".join(lines).encode())


def test_a_bad_cost_names_its_line_and_column():
    text = fixture("google_ads_campaigns.csv").decode("utf-16").split("\r\n")
    cells = text[13].split("\t")
    cells[4] = "twelve"
    text[13] = "\t".join(cells)
    assert refusal("ads.csv", "\r\n".join(text).encode("utf-16")) == [
        (14, "'twelve' in column Cost is not a number")
    ]


def test_an_unterminated_quote_refuses_the_file_at_its_line():
    data = (
        "Title,Send Date,Total Recipients,Unique Clicks\n"
        '"Gift subscriptions","Dec 03, 2026 08:00 am",4007,191\n'
        '"Advent calendar,"Dec 01, 2026 09:30 am",3880,142\n'
    )
    assert refusal("campaigns.csv", data.encode()) == [
        (3, 'a " inside a quoted value must be written twice ("") or end the value')
    ]
    assert refusal("campaigns.csv", data.encode()[:-40]) == [
        (
            3,
            "a quoted value starts on this line and is never closed: the file may be cut "
            'short, or a " is missing',
        )
    ]


def test_a_cut_short_utf16_file_and_text_that_is_not_utf8_are_refused():
    data = fixture("google_ads_campaigns.csv")
    assert refusal("ads.csv", data[:-1]) == [
        (48, "the file is cut short (its last character is incomplete)")
    ]
    latin1 = "Title,Send Date,Total Recipients\nCafé news,2026-12-01,120\n".encode("latin-1")
    assert refusal("campaigns.csv", latin1) == [
        (
            2,
            "the file is not UTF-8 text (byte 0xE9); save it again as 'CSV UTF-8' (Excel) or "
            "export it again from the tool",
        )
    ]
    assert refusal("empty.csv", b"\n\n") == [(0, "the file is empty")]


def test_the_delimiter_is_sniffed_from_the_lines_under_the_comments():
    assert sniff("# a, b, c\nDay;Cost\n01/12/2026;12,50\n02/12/2026;3,20\n") == ";"
    assert sniff("Day\tCost\n2026-12-01\t1,234.50\n") == "\t"
    assert sniff("Day,Cost\n2026-12-01,12.50\n") == ","


@pytest.mark.parametrize(
    ("source", "medium", "channel"),
    [
        ("google", "cpc", "Paid search"),
        ("bing", "paid", "Paid search"),
        ("facebook", "paid_social", "Paid social"),
        ("l.instagram.com", "referral", "Organic social"),
        ("newsletter", "email", "Email"),
        ("(direct)", "(none)", "Direct"),
        ("google", "organic", "Organic search"),
        ("coffee-partner.example", "partner", "Unassigned"),
    ],
)
def test_the_fixture_utm_pairs_group_into_channels(source, medium, channel):
    assert channel_for(source, medium) == channel


def test_a_trailing_delimiter_on_the_data_lines_is_not_a_missing_column():
    data = b"Title,Send Date,Total Recipients\nGift subscriptions,2026-12-03,4007,\n"
    assert [(r.day, r.impressions) for r in read("m.csv", data).rows] == [(date(2026, 12, 3), 4007)]


def test_a_ga4_report_download_is_read_from_its_section_by_day():
    data = (
        "# ----------------------------------------\n"
        "# Traffic acquisition: Session default channel group\n"
        "# Start date: 20261201\n# End date: 20261207\n"
        "# ----------------------------------------\n\n"
        "Session default channel group,Sessions,Key events\n"
        "Paid Search,300,9\nOrganic Search,700,12\n\n"
        "# ----------------------------------------\n\n"
        "Nth day,Session default channel group,Sessions\n"
        "0000,Paid Search,40\n0000,Organic Search,100\n0006,Paid Search,45\n"
    )
    parsed = read("Traffic_acquisition.csv", data.encode())
    assert [(r.day, r.channel, r.sessions) for r in parsed.rows] == [
        (date(2026, 12, 1), "Organic search", 100),
        (date(2026, 12, 1), "Paid search", 40),
        (date(2026, 12, 7), "Paid search", 45),
    ]
    head, table, by_day = data.split("\n\n")[0], data.split("\n\n")[1], data.split("\n\n")[3]
    flipped = read("t.csv", f"{head}\n\n{by_day}\n\n# ---\n\n{table}".encode())
    assert [(r.day, r.sessions) for r in flipped.rows] == [(r.day, r.sessions) for r in parsed.rows]
    assert flipped.notes[-1] == (
        "Read the file's table by day; left out the 4 lines of the sections after it."
    )


def test_us_style_send_dates_with_am_pm_read_month_first():
    data = (
        b"Title,Send Date,Total Recipients,Unique Clicks\n"
        b"Advent calendar is here,12/01/2026 09:30 AM,3880,142\n"
        b"Gift subscriptions,12/03/2026 08:00 AM,4007,191\n"
    )
    assert [r.day for r in read("campaigns.csv", data).rows] == [
        date(2026, 12, 1),
        date(2026, 12, 3),
    ]
    assert [r.day for r in read("c.csv", data, day_first=True).rows] == [
        date(2026, 1, 12),
        date(2026, 3, 12),
    ]


def test_a_file_cut_short_in_the_middle_of_a_line_is_refused_at_that_line():
    text = fixture("google_ads_campaigns.csv").decode("utf-16")
    cut = text[: text.index("2026-11-24\tSample pack")] + "2026-11-24\tSample pack - generic\tSea"
    assert refusal("ads.csv", cut.encode("utf-16")) == [
        (
            8,
            "the line has 3 values where the header (line 3) has 9; the file may be cut short "
            "or a value holds an unquoted delimiter",
        )
    ]
