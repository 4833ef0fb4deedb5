"""HubSpot: a deals or a contacts export (CRM > Deals or Contacts > Export view, CSV).

Deals (``Deal Name, Deal Stage, Close Date, Amount, Original Source Type``…): each closed-won
deal is one conversion and its Amount revenue, on its Close Date. Contacts (``Create Date,
Original Source, Lifecycle Stage``…): each contact whose lifecycle stage is Customer is a new
customer, on its ``Became a Customer Date`` when the export has it, else its Create Date. The
channel comes from HubSpot's original source (Organic Search, Paid Search, Email Marketing,
Social Media, Paid Social, Referrals, Direct Traffic…); Other Campaigns and Offline Sources are
Unassigned. Open and lost deals and other contacts are left out.
"""

from decimal import Decimal

from leanmark.domain.channeldata import DayRow
from leanmark.domain.channeldata.sheet import Format, Sheet, find_header, key
from leanmark.domain.channeldata.tables import Table

SOURCE = "hubspot"
ORIGINAL_SOURCE = (
    "Original Source Type",
    "Original Source",
    "Original Traffic Source",
    "Latest Traffic Source",
)
CHANNELS = {
    "organic search": "Organic search",
    "paid search": "Paid search",
    "email marketing": "Email",
    "social media": "Organic social",
    "organic social": "Organic social",
    "paid social": "Paid social",
    "referrals": "Referral",
    "ai referrals": "Referral",
    "direct traffic": "Direct",
    "other campaigns": "Unassigned",
    "offline sources": "Unassigned",
}
WON = {"closed won", "closedwon"}


def find(table: Table) -> int | None:
    deals = find_header(table, "Deal Name", "Deal Stage", "Close Date", "Amount")
    if deals is not None:
        return deals
    return find_header(table, "Create Date", "Lifecycle Stage", ORIGINAL_SOURCE)


def channel_of(text: str) -> str:
    """HubSpot's label ("Paid Search") or internal value ("PAID_SEARCH") as a channel."""
    return CHANNELS.get(key(text.replace("_", " ")), "Unassigned")


def parse(sheet: Sheet) -> list[DayRow]:
    if sheet.column("Deal Stage"):
        return _deals(sheet)
    return _contacts(sheet)


def _deals(sheet: Sheet) -> list[DayRow]:
    stage, closed = sheet.column("Deal Stage"), sheet.column("Close Date")
    amount, origin = sheet.column("Amount"), sheet.column(*ORIGINAL_SOURCE)
    currency = sheet.column("Currency", "Deal currency code", "Currency code")
    sheet.settle(numbers=(amount,), dates=(closed,))
    rows, left_out = [], 0
    for record in sheet.records:
        if key(sheet.text(record, stage)) not in WON:
            left_out += 1
            continue
        day, value = sheet.day(record, closed), sheet.number(record, amount)
        if day is None:
            continue
        rows.append(
            DayRow(
                day=day,
                source=SOURCE,
                channel=channel_of(sheet.text(record, origin)),
                currency=sheet.text(record, currency).upper(),
                conversions=Decimal(1),
                revenue=value,
                line=record.line,
            )
        )
    if left_out:
        sheet.context.notes.append(f"Left out {left_out} deal(s) not closed won.")
    return rows


def _contacts(sheet: Sheet) -> list[DayRow]:
    stage, origin = sheet.column("Lifecycle Stage"), sheet.column(*ORIGINAL_SOURCE)
    created = sheet.column("Create Date")
    became = sheet.column("Became a Customer Date")
    sheet.settle(dates=(created, became))
    rows, left_out = [], 0
    for record in sheet.records:
        if key(sheet.text(record, stage)) != "customer":
            left_out += 1
            continue
        day = sheet.day(record, became if sheet.text(record, became) else created)
        if day is None:
            continue
        rows.append(
            DayRow(
                day=day,
                source=SOURCE,
                channel=channel_of(sheet.text(record, origin)),
                new_customers=1,
                line=record.line,
            )
        )
    if left_out:
        sheet.context.notes.append(f"Left out {left_out} contact(s) whose stage is not Customer.")
    return rows


FORMAT: Format = Format(SOURCE, find, parse)
