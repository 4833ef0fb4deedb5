"""Shopify: the orders export (Orders > Export > All orders, CSV for Excel or plain CSV).

The file has one line per line item of an order; the order's own fields (Financial Status,
Total, Created at…) are on its first line and blank on the others, so each order is counted
once, on its first line. An order counts when it is paid (``paid``, or ``partially_refunded``
less its Refunded Amount); revenue is its Total (with shipping and taxes, as Shopify's sales
reports show it), in its Currency, on the day of its Created at as the shop's time zone wrote it.
A new customer is the first counted order of each e-mail address in the file. UTM columns
(``UTM Source``, ``UTM Medium``, ``UTM Campaign``) or a ``Landing Site`` URL with utm
parameters, when the export has them (apps and Shopify Plus exports add them), give the
channel through the grouping.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

from leanmark.domain.channeldata import DayRow
from leanmark.domain.channeldata.sheet import Format, Sheet, find_header
from leanmark.domain.channeldata.tables import Row, Table

SOURCE = "shopify"
COUNTED = {"paid", "partially_refunded", "partially refunded"}


def find(table: Table) -> int | None:
    return find_header(
        table,
        "Name",
        "Financial Status",
        "Total",
        "Created at",
        ("Lineitem name", "Lineitem quantity"),
    )


@dataclass
class _Order:
    record: Row
    day: date
    email: str
    revenue: Decimal
    currency: str
    utm: tuple[str, str, str]


def _landing_utm(url: str) -> tuple[str, str, str]:
    query = parse_qs(urlsplit(url).query) if "?" in url else {}
    return tuple(  # type: ignore[return-value]
        (query.get(f"utm_{name}") or [""])[0].strip() for name in ("source", "medium", "campaign")
    )


def parse(sheet: Sheet) -> list[DayRow]:
    name, status = sheet.column("Name"), sheet.column("Financial Status")
    total, refunded = sheet.column("Total"), sheet.column("Refunded Amount")
    created, paid_at = sheet.column("Created at"), sheet.column("Paid at")
    email, currency = sheet.column("Email"), sheet.column("Currency")
    utm_columns = [
        sheet.column(f"UTM {part}", f"utm_{part}", f"Customer Journey: UTM {part}")
        for part in ("Source", "Medium", "Campaign")
    ]
    landing = sheet.column("Landing Site", "Landing site", "Landing Page URL", "Landing page")
    sheet.settle(numbers=(total, refunded), dates=(created, paid_at))
    seen: set[str] = set()
    orders: list[_Order] = []
    left_out: dict[str, int] = {}
    for record in sheet.records:
        order_name = sheet.text(record, name)
        if not order_name:
            sheet.context.problem(record.line, "the order Name is missing")
            continue
        if order_name in seen:
            continue  # another line item of an order already counted
        seen.add(order_name)
        state = sheet.text(record, status).casefold()
        if state not in COUNTED:
            left_out[state or "no status"] = left_out.get(state or "no status", 0) + 1
            continue
        day = sheet.day(record, created if sheet.text(record, created) else paid_at)
        amount = sheet.number(record, total)
        less = sheet.number(record, refunded) if "refunded" in state else None
        if day is None or amount is None:
            if amount is None and day is not None:
                sheet.context.problem(record.line, f"the Total of order {order_name} is missing")
            continue
        utm = tuple(sheet.text(record, column) for column in utm_columns)
        if not any(utm) and landing:
            utm = _landing_utm(sheet.text(record, landing))
        orders.append(
            _Order(
                record,
                day,
                sheet.text(record, email).casefold(),
                amount - (less or Decimal(0)),
                sheet.text(record, currency).upper(),
                (utm[0], utm[1], utm[2]),
            )
        )
    first_order: dict[str, _Order] = {}
    for order in sorted(orders, key=lambda o: (o.day, o.record.line)):
        if order.email:
            first_order.setdefault(order.email, order)
    firsts = {id(order) for order in first_order.values()}
    if left_out:
        said = ", ".join(f"{count} {state}" for state, count in sorted(left_out.items()))
        sheet.context.notes.append(f"Left out orders that are not paid: {said}.")
    return [
        DayRow(
            day=order.day,
            source=SOURCE,
            campaign=order.utm[2],
            utm_source=order.utm[0],
            utm_medium=order.utm[1],
            currency=order.currency,
            conversions=Decimal(1),
            revenue=order.revenue,
            new_customers=1 if id(order) in firsts else 0,
            line=order.record.line,
        )
        for order in orders
    ]


FORMAT: Format = Format(SOURCE, find, parse)
