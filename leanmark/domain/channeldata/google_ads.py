"""Google Ads: a campaign report downloaded from Campaigns (or Reports) > Download >
CSV, segmented by day.

Google Ads writes the file in UTF-16 with tabs; its first line is the report's title
("Campaign report"), its second the date range, then the header (``Day, Campaign, Currency
code, Cost, Impr. (or Impressions), Clicks, Conversions, Conv. value``) and the rows; the
``Total: …`` lines at the end are left out. Cost keeps its thousands separators (``1,234.56``).
The Campaign type column, when present, gives the channel (Search: Paid search, Display:
Display, Video: Paid video, Shopping: Paid shopping, Performance Max: Cross-network); without it
every campaign is Paid search.
"""

from leanmark.domain.channeldata import DayRow
from leanmark.domain.channeldata.sheet import Format, Sheet, find_header, key, total_row
from leanmark.domain.channeldata.tables import Table

SOURCE = "google_ads"
DAY = ("Day", "Date")
IMPRESSIONS = ("Impr.", "Impressions")
CHANNELS = {
    "search": "Paid search",
    "display": "Display",
    "video": "Paid video",
    "shopping": "Paid shopping",
    "performance max": "Cross-network",
    "demand gen": "Paid other",
    "discovery": "Paid other",
    "app": "Paid other",
    "smart": "Cross-network",
}


def find(table: Table) -> int | None:
    return find_header(table, DAY, "Campaign", "Cost", IMPRESSIONS, "Clicks")


def parse(sheet: Sheet) -> list[DayRow]:
    day_column = sheet.column(*DAY)
    campaign, ad_group = sheet.column("Campaign"), sheet.column("Ad group")
    currency, kind = sheet.column("Currency code", "Currency"), sheet.column("Campaign type")
    cost, impressions = sheet.column("Cost"), sheet.column(*IMPRESSIONS)
    clicks, conversions = sheet.column("Clicks"), sheet.column("Conversions")
    value = sheet.column("Conv. value", "Conversion value", "Total conv. value")
    sheet.settle(numbers=(cost, conversions, value), dates=(day_column,))
    rows, totals = [], 0
    for record in sheet.records:
        if total_row(*record.cells[:3]):
            totals += 1
            continue
        day = sheet.day(record, day_column)
        measures = (
            sheet.number(record, cost),
            sheet.count(record, impressions),
            sheet.count(record, clicks),
            sheet.number(record, conversions),
            sheet.number(record, value),
        )
        if day is None:
            continue
        campaign_type = key(sheet.text(record, kind))
        rows.append(
            DayRow(
                day=day,
                source=SOURCE,
                channel=CHANNELS.get(campaign_type, "Paid search" if not kind else "Paid other"),
                campaign=sheet.text(record, campaign),
                ad_set=sheet.text(record, ad_group),
                currency=sheet.text(record, currency).upper(),
                spend=measures[0],
                impressions=measures[1],
                clicks=measures[2],
                conversions=measures[3],
                revenue=measures[4],
                line=record.line,
            )
        )
    if totals:
        sheet.context.notes.append(f"Left out {totals} 'Total' line(s) of the Google Ads report.")
    return rows


FORMAT: Format = Format(SOURCE, find, parse)
