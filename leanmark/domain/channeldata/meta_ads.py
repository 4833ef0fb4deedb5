"""Meta Ads Manager: the campaigns, ad sets or ads table exported from Ads Manager (Reports >
Export table data, as .csv or .xlsx), broken down by day.

Its columns include ``Reporting starts, Reporting ends, Campaign name, Ad set name, Amount spent
(GBP), Impressions, Link clicks, Results, Purchases, Purchases conversion value``; the currency
is in the spend column's header. With Breakdown > By time > Day each row covers one day (its
Reporting starts and ends are that day, or a Day column says it); a row covering several days
cannot be put on one and is refused. The summary row (no campaign name) is left out. The
channel is Paid social.
"""

import re

from leanmark.domain.channeldata import DayRow
from leanmark.domain.channeldata.sheet import HEADER_SEARCH_ROWS, Format, Sheet, key
from leanmark.domain.channeldata.tables import Table

SOURCE = "meta_ads"
SPENT = re.compile(r"^amount spent(?: \(([a-z]{3})\))?$")


def find(table: Table) -> int | None:
    for index, row in enumerate(table.rows[:HEADER_SEARCH_ROWS]):
        names = {key(cell) for cell in row.cells}
        spent = any(SPENT.match(name) for name in names)
        dated = bool(names & {"reporting starts", "day"})
        if spent and dated and names & {"campaign name", "ad set name", "ad name"}:
            return index
    return None


def parse(sheet: Sheet) -> list[DayRow]:
    spent = next(name for name in sheet.header if SPENT.match(key(name)))
    match = SPENT.match(key(spent))
    header_currency = (match.group(1) or "") if match else ""
    currency_column = sheet.column("Currency")
    starts, ends, day_column = (
        sheet.column("Reporting starts"),
        sheet.column("Reporting ends"),
        sheet.column("Day"),
    )
    campaign, ad_set = sheet.column("Campaign name"), sheet.column("Ad set name")
    impressions = sheet.column("Impressions")
    clicks = sheet.column("Link clicks", "Clicks (all)")
    conversions = sheet.column("Purchases", "Website purchases", "Results")
    revenue = sheet.column(
        "Purchases conversion value",
        "Website purchases conversion value",
        "Purchase conversion value",
    )
    sheet.settle(numbers=(spent, revenue), dates=(day_column, starts, ends))
    if conversions == sheet.column("Results"):
        indicators = {sheet.text(r, sheet.column("Result indicator")) for r in sheet.records}
        if len(indicators - {""}) > 1:
            sheet.context.notes.append(
                "The Results column counts different things per campaign ("
                + ", ".join(sorted(indicators - {""}))
                + "); conversions add them up. Add the Purchases column for purchases only."
            )
    rows, summaries = [], 0
    for record in sheet.records:
        if not sheet.text(record, campaign) and not sheet.text(record, ad_set):
            summaries += 1
            continue
        if day_column:
            day = sheet.day(record, day_column)
        else:
            day = sheet.day(record, starts)
            last = sheet.day(record, ends) if ends else day
            if day is not None and last is not None and last != day:
                sheet.context.problem(
                    record.line,
                    f"the row covers {day.isoformat()} to {last.isoformat()}; export with "
                    "Breakdown > By time > Day so each row is one day",
                )
                continue
        measures = (
            sheet.number(record, spent),
            sheet.count(record, impressions),
            sheet.count(record, clicks),
            sheet.number(record, conversions),
            sheet.number(record, revenue),
        )
        if day is None:
            continue
        rows.append(
            DayRow(
                day=day,
                source=SOURCE,
                channel="Paid social",
                campaign=sheet.text(record, campaign),
                ad_set=sheet.text(record, ad_set),
                currency=(sheet.text(record, currency_column) or header_currency).upper(),
                spend=measures[0],
                impressions=measures[1],
                clicks=measures[2],
                conversions=measures[3],
                revenue=measures[4],
                line=record.line,
            )
        )
    if summaries:
        sheet.context.notes.append(f"Left out {summaries} summary row(s) of the Meta export.")
    return rows


FORMAT: Format = Format(SOURCE, find, parse)
