"""Stripe: the payments export (Payments > Export, "Default" or "All" columns, CSV).

Columns read: ``Created date (UTC)`` (the day, in UTC as Stripe writes it), ``Amount`` and
``Amount Refunded`` (in major units, ``49.00``), ``Currency``, ``Status`` and, when present,
``Captured``. A payment counts when it succeeded (Status ``Paid``, ``succeeded``, ``Refunded``
or ``Partially refunded``) and was captured; its revenue is Amount less Amount Refunded, on the
day it was created (a later refund lowers that day, not the refund's). Failed, canceled,
blocked and incomplete payments are left out. A payment with money kept is a conversion.
Stripe knows no channel; ``utm_source (metadata)`` and ``utm_medium (metadata)`` columns,
when the shop sends them as payment metadata, give one.
"""

from decimal import Decimal

from leanmark.domain.channeldata import DayRow
from leanmark.domain.channeldata.sheet import Format, Sheet, find_header, key
from leanmark.domain.channeldata.tables import Table

SOURCE = "stripe"
CREATED = ("Created date (UTC)", "Created (UTC)", "Created")
COUNTED = {"paid", "succeeded", "refunded", "partially refunded", "partially_refunded"}


def find(table: Table) -> int | None:
    return find_header(table, "id", CREATED, "Amount", "Currency", "Status")


def parse(sheet: Sheet) -> list[DayRow]:
    created = sheet.column(*CREATED)
    amount, refunded = sheet.column("Amount"), sheet.column("Amount Refunded")
    currency, status, captured = (
        sheet.column("Currency"),
        sheet.column("Status"),
        sheet.column("Captured"),
    )
    utm_source = sheet.column("utm_source (metadata)", "utm_source")
    utm_medium = sheet.column("utm_medium (metadata)", "utm_medium")
    utm_campaign = sheet.column("utm_campaign (metadata)", "utm_campaign")
    sheet.settle(numbers=(amount, refunded), dates=(created,))
    rows = []
    left_out: dict[str, int] = {}
    for record in sheet.records:
        state = key(sheet.text(record, status))
        if state not in COUNTED or key(sheet.text(record, captured)) == "false":
            label = state if state not in COUNTED else "not captured"
            left_out[label or "no status"] = left_out.get(label or "no status", 0) + 1
            continue
        day = sheet.day(record, created)
        paid, back = sheet.number(record, amount), sheet.number(record, refunded)
        if day is None or paid is None:
            continue
        kept = paid - (back or Decimal(0))
        rows.append(
            DayRow(
                day=day,
                source=SOURCE,
                campaign=sheet.text(record, utm_campaign),
                utm_source=sheet.text(record, utm_source),
                utm_medium=sheet.text(record, utm_medium),
                currency=sheet.text(record, currency).upper(),
                conversions=Decimal(1) if kept > 0 else Decimal(0),
                revenue=kept,
                line=record.line,
            )
        )
    if left_out:
        said = ", ".join(f"{count} {state}" for state, count in sorted(left_out.items()))
        sheet.context.notes.append(f"Left out payments that did not succeed: {said}.")
    return rows


FORMAT: Format = Format(SOURCE, find, parse)
