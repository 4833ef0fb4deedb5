"""Google Analytics 4: a report or exploration downloaded as CSV (Share this report >
Download file > Download CSV).

The file starts with comment lines (``# Start date: 20261201``, ``# End date: 20261228``), a
blank line, then a header such as ``Date,Session source / medium,Session campaign,Sessions,
Key events,Total revenue``. The Date dimension is written ``20261201``; a channel group
dimension (``Session default channel group``, ``First user default channel group``) gives the
channel, otherwise the source / medium does, through the channel grouping. The grand-total row
is left out. GA4 names no currency in the file: revenue is in the property's currency.
"""

from datetime import date, timedelta

from leanmark.domain.channeldata import DayRow
from leanmark.domain.channeldata import numbers as num
from leanmark.domain.channeldata.sheet import Format, Sheet, key, total_row
from leanmark.domain.channeldata.tables import Row, Table

SOURCE = "ga4"
DATE = ("Date", "Day")
NTH_DAY = ("Nth day",)  # 0000, 0001…: days from the report's start date
SOURCE_MEDIUM = (
    "Session source / medium",
    "First user source / medium",
    "Source / medium",
    "Session manual source / medium",
)
SOURCE_ONLY = ("Session source", "First user source", "Source", "Session manual source")
MEDIUM_ONLY = ("Session medium", "First user medium", "Medium", "Session manual medium")
CAMPAIGN = ("Session campaign", "First user campaign", "Campaign", "Session manual campaign name")
SESSIONS = ("Sessions",)
CONVERSIONS = ("Key events", "Conversions")
REVENUE = ("Total revenue", "Purchase revenue")
NEW_CUSTOMERS = ("First time purchasers",)
DIMENSIONS = (*SOURCE_MEDIUM, *SOURCE_ONLY, *MEDIUM_ONLY, *CAMPAIGN)

GA4_CHANNELS = {
    "organic shopping": "Organic shopping",
    "paid shopping": "Paid shopping",
    "cross-network": "Cross-network",
    "mobile push notifications": "Mobile push notifications",
    "sms": "SMS",
    "(other)": "Unassigned",
    "(not set)": "Unassigned",
}


PLACEHOLDERS = {
    "(not set)",
    "(organic)",
    "(direct)",
    "(referral)",
    "(none)",
    "(data not available)",
}


def channel_named(text: str) -> str:
    """GA4's channel names ("Paid Search", "Organic Social") in Leanmark's ("Paid search")."""
    cleaned = " ".join(text.split())
    if not cleaned:
        return ""
    return GA4_CHANNELS.get(cleaned.casefold(), cleaned[:1].upper() + cleaned[1:].lower())


def _campaign(text: str) -> str:
    """GA4 writes "(organic)", "(direct)" or "(not set)" where a visit had no campaign."""
    return "" if text.casefold() in PLACEHOLDERS else text


def _is_channel_group(name: str) -> bool:
    return "channel group" in name


def find(table: Table) -> int | None:
    """The header of the file's best table: one by day with a channel, source or campaign
    dimension before one by day alone, before any other GA4 table (which parse refuses)."""
    commented = (
        bool(table.rows)
        and table.rows[0].cells[:1] != ()
        and (table.rows[0].cells[0].startswith("#"))
    )
    best: tuple[int, int] | None = None  # (rank, index)
    for index, row in enumerate(table.rows[:200]):
        names = {key(cell) for cell in row.cells}
        dimension = any(_is_channel_group(name) for name in names) or bool(
            names & {key(name) for name in DIMENSIONS}
        )
        metric = bool(names & {key(name) for name in (*SESSIONS, *CONVERSIONS, *REVENUE)})
        if not (metric and (dimension or commented)):
            continue
        by_day = bool(names & {key(name) for name in (*DATE, *NTH_DAY)})
        rank = 2 * by_day + dimension
        if best is None or rank > best[0]:
            best = (rank, index)
    return None if best is None else best[1]


def _range(table: Table) -> tuple[date | None, date | None]:
    found: dict[str, date] = {}
    for row in table.rows[:40]:
        text = ",".join(row.cells)
        if not text.startswith("#"):
            continue
        label, _, value = text.lstrip("# ").partition(":")
        if key(label) in {"start date", "end date"}:
            try:
                found[key(label)] = num.day(value.strip().strip(","))
            except num.NotReadable:
                continue
    return found.get("start date"), found.get("end date")


def section_end(row: Row) -> bool:
    """GA4 writes a report's chart data and its table as sections, each under comment lines."""
    return bool(row.cells) and row.cells[0].startswith("#")


def parse(sheet: Sheet) -> list[DayRow]:
    day_column = sheet.column(*DATE)
    nth_day = sheet.column(*NTH_DAY)
    channel_column = next(iter(sheet.matching(_is_channel_group)), None)
    source_medium = sheet.column(*SOURCE_MEDIUM)
    source_only, medium_only = sheet.column(*SOURCE_ONLY), sheet.column(*MEDIUM_ONLY)
    campaign = sheet.column(*CAMPAIGN)
    sessions, conversions = sheet.column(*SESSIONS), sheet.column(*CONVERSIONS)
    revenue, new_customers = sheet.column(*REVENUE), sheet.column(*NEW_CUSTOMERS)
    sheet.settle(numbers=(sessions, conversions, revenue, new_customers), dates=(day_column,))
    start, end = _range(sheet.table)
    if day_column is None and not (nth_day and start):
        sheet.context.problem(
            sheet.header_line,
            "this GA4 export has no Date column: add the Date dimension to the report or "
            "exploration (rows by day) and download it again",
        )
        return []
    rows = []
    totals = 0
    for record in sheet.records:
        labels = [
            sheet.text(record, name)
            for name in (
                day_column or nth_day,
                channel_column,
                campaign,
                source_medium,
                source_only,
            )
        ]
        if total_row(*labels):
            totals += 1
            continue
        day = (
            _nth(sheet, record, nth_day, start)
            if day_column is None
            else sheet.day(record, day_column)
        )
        if day is not None and start and end and not start <= day <= end:
            sheet.context.problem(
                record.line,
                f"the day {day.isoformat()} is outside the report's range "
                f"{start.isoformat()} to {end.isoformat()}",
            )
        utm_source, utm_medium = sheet.text(record, source_only), sheet.text(record, medium_only)
        if source_medium:
            pair = sheet.text(record, source_medium)
            utm_source, _, utm_medium = (part.strip() for part in pair.partition(" / "))
        values = (
            sheet.count(record, sessions),
            sheet.number(record, conversions),
            sheet.number(record, revenue),
            sheet.count(record, new_customers),
        )
        if day is None:
            continue
        rows.append(
            DayRow(
                day=day,
                source=SOURCE,
                channel=channel_named(sheet.text(record, channel_column)),
                campaign=_campaign(sheet.text(record, campaign)),
                utm_source=utm_source,
                utm_medium=utm_medium,
                sessions=values[0],
                conversions=values[1],
                revenue=values[2],
                new_customers=values[3],
                line=record.line,
            )
        )
    if totals:
        sheet.context.notes.append(f"Left out {totals} grand-total row(s) of the GA4 export.")
    if sheet.left_over:
        sheet.context.notes.append(
            f"Read the file's table by day; left out the {sheet.left_over} lines of the "
            "sections after it."
        )
    return rows


def _nth(sheet: Sheet, record: Row, column: str | None, start: date | None) -> date | None:
    text = sheet.text(record, column)
    if start is None or not text.isdigit():
        sheet.context.problem(record.line, f"'{text}' in column {column} is not a day number")
        return None
    return start + timedelta(days=int(text))


FORMAT: Format = Format(SOURCE, find, parse, ends=section_end)
