"""Mailchimp: the campaign reports exported from Analytics > Reports (or Campaigns >
Reports) > Export as CSV, one line per sent campaign.

Columns read: ``Title`` (campaign), ``Send Date`` (the day), ``Successful Deliveries`` (or
``Total Recipients``) as impressions, ``Unique Clicks`` as clicks, ``Total Orders`` and ``Total
Revenue`` (with a connected store) as conversions and revenue. Opens are left out: privacy
features of mail apps open mail without a reader. The channel is Email.
"""

from leanmark.domain.channeldata import DayRow
from leanmark.domain.channeldata.sheet import Format, Sheet, find_header
from leanmark.domain.channeldata.tables import Table

SOURCE = "mailchimp"


def find(table: Table) -> int | None:
    return find_header(table, "Title", "Send Date", ("Total Recipients", "Successful Deliveries"))


def parse(sheet: Sheet) -> list[DayRow]:
    day_column, title = sheet.column("Send Date"), sheet.column("Title")
    delivered = sheet.column("Successful Deliveries", "Total Recipients")
    clicks = sheet.column("Unique Clicks")
    orders, revenue = sheet.column("Total Orders"), sheet.column("Total Revenue")
    sheet.settle(numbers=(revenue,), dates=(day_column,))
    rows = []
    for record in sheet.records:
        day = sheet.day(record, day_column)
        measures = (
            sheet.count(record, delivered),
            sheet.count(record, clicks),
            sheet.number(record, orders),
            sheet.number(record, revenue),
        )
        if day is None:
            continue
        rows.append(
            DayRow(
                day=day,
                source=SOURCE,
                channel="Email",
                campaign=sheet.text(record, title),
                utm_source="mailchimp",
                utm_medium="email",
                impressions=measures[0],
                clicks=measures[1],
                conversions=measures[2],
                revenue=measures[3],
                line=record.line,
            )
        )
    return rows


FORMAT: Format = Format(SOURCE, find, parse)
