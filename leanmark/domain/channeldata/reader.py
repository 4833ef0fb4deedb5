"""``read(name, data)``: a tool's export file, whole, as canonical day rows.

Decode (UTF-8 with or without BOM, UTF-16, XLSX), recognise the tool by its header, read every
line, and sum the rows per day, source, channel, campaign, ad set and currency. A measure the
file does not give stays None (None + None is None, None + 3 is 3). Rows with utm values and no
channel get theirs from the channel grouping. All or nothing: the first hundred bad lines are
each reported with their number and the file is refused, never half-read.
"""

from collections.abc import Mapping, Sequence
from dataclasses import replace
from decimal import Decimal
from typing import TypeVar

from leanmark.domain.channeldata import (
    MEASURES,
    SOURCES,
    DayRow,
    FileRefused,
    Parsed,
    Problem,
    UnknownFormat,
    ga4,
    google_ads,
    hubspot,
    mailchimp,
    mapped,
    meta_ads,
    shopify,
    stripe,
)
from leanmark.domain.channeldata.grouping import DEFAULT_RULES, UNASSIGNED, Rule, channel_for
from leanmark.domain.channeldata.sheet import MAX_PROBLEMS, Context, Format, Sheet
from leanmark.domain.channeldata.tables import Table, table

# Tried in this order; the first whose header the file has reads it. Google Ads before GA4:
# a GA4 file never has Cost and Impr., a Google Ads report may have a Campaign column.
FORMATS: tuple[Format, ...] = (
    google_ads.FORMAT,
    meta_ads.FORMAT,
    ga4.FORMAT,
    shopify.FORMAT,
    stripe.FORMAT,
    mailchimp.FORMAT,
    hubspot.FORMAT,
)

N = TypeVar("N", int, Decimal)


def detect(found: Table) -> tuple[Format, int] | None:
    for format_ in FORMATS:
        if (index := format_.find(found)) is not None:
            return format_, index
    return None


def unknown(found: Table) -> UnknownFormat:
    tools = ", ".join(SOURCES[f.source] for f in FORMATS)
    headers = next((list(row.cells) for row in found.rows if not row.blank), [])
    return UnknownFormat(
        [
            Problem(
                0,
                f"Leanmark does not recognise this file's columns. It reads the exports of "
                f"{tools} as they come; for any other CSV, map its columns to Leanmark's "
                "fields (day, campaign, spend…).",
            )
        ],
        headers,
    )


def read(
    name: str,
    data: bytes,
    *,
    day_first: bool | None = None,
    mapping: Mapping[str, str] | None = None,
    rules: tuple[Rule, ...] | list[Rule] = DEFAULT_RULES,
) -> Parsed:
    """The rows of the export file ``name`` (its bytes ``data``); raises FileRefused.

    ``day_first`` decides how ``01/12/2026`` reads (None: from the file's own dates, day
    first when they do not tell); ``mapping`` reads any other CSV by its columns."""
    found = table(name, data)
    context = Context(day_first=day_first)
    if mapping is not None:
        source = mapped.SOURCE
        rows = mapped.read(found, mapping, context)
    else:
        detected = detect(found)
        if detected is None:
            raise unknown(found)
        format_, index = detected
        source = format_.source
        rows = format_.parse(Sheet(found, index, context, ends=format_.ends))
    if context.problems:
        raise FileRefused(sorted(context.problems, key=lambda p: p.line)[:MAX_PROBLEMS])
    if not rows:
        context.notes.append("The file has no rows to import.")
    grouped = [_grouped(row, rules) for row in rows]
    summed = summed_rows(grouped)
    unassigned = sorted(
        {
            (r.utm_source, r.utm_medium)
            for r in grouped
            if r.channel == UNASSIGNED and (r.utm_source or r.utm_medium)
        }
    )
    if unassigned:
        pairs = ", ".join(f"{s or '(none)'} / {m or '(none)'}" for s, m in unassigned[:20])
        context.notes.append(f"No channel rule matches these utm source / medium: {pairs}.")
    context.notes.insert(0, f"Read as {SOURCES[source]} ({found.described}).")
    return Parsed(source=source, rows=summed, notes=context.notes)


def _grouped(row: DayRow, rules: tuple[Rule, ...] | list[Rule]) -> DayRow:
    if row.channel or not (row.utm_source or row.utm_medium):
        return row
    return replace(row, channel=channel_for(row.utm_source, row.utm_medium, rules))


def _plus(a: N | None, b: N | None) -> N | None:
    if a is None:
        return b
    if b is None:
        return a
    return a + b


def summed_rows(rows: Sequence[DayRow]) -> list[DayRow]:
    """One row per day, source, channel, campaign, ad set and currency, measures added up
    None-aware; utm values kept when every summed row agrees on them, else blank."""
    totals: dict[tuple[object, ...], DayRow] = {}
    for row in rows:
        key = (row.day, row.source, row.channel, row.campaign, row.ad_set, row.currency)
        if (held := totals.get(key)) is None:
            totals[key] = row
            continue
        added = {m: _plus(getattr(held, m), getattr(row, m)) for m in MEASURES}
        totals[key] = replace(
            held,
            utm_source=held.utm_source if held.utm_source == row.utm_source else "",
            utm_medium=held.utm_medium if held.utm_medium == row.utm_medium else "",
            line=min(held.line, row.line),
            **added,  # type: ignore[arg-type]
        )
    return sorted(
        totals.values(), key=lambda r: (r.day, r.channel, r.campaign, r.ad_set, r.currency)
    )
