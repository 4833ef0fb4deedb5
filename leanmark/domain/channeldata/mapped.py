"""Any other CSV, with its columns mapped: ``{canonical field: the file's column header}``.

The fields are ``day`` (needed), ``campaign``, ``ad_set``, ``channel``, ``utm_source``,
``utm_medium``, ``currency`` and the measures (``spend``, ``impressions``, ``clicks``,
``sessions``, ``conversions``, ``revenue``, ``new_customers``), at least one of them. The app
saves a mapping as a preset, so the next file from the same tool needs none.
"""

from collections.abc import Mapping
from dataclasses import replace

from leanmark.domain.channeldata import MEASURES, DayRow, FileRefused, Problem
from leanmark.domain.channeldata.sheet import Context, Sheet, find_header, key
from leanmark.domain.channeldata.tables import Table

SOURCE = "csv"
TEXTS = ("campaign", "ad_set", "channel", "utm_source", "utm_medium", "currency")
FIELDS = ("day", *TEXTS, *MEASURES)
COUNTS = {"impressions", "clicks", "sessions", "new_customers"}


def check(mapping: Mapping[str, str]) -> dict[str, str]:
    """The mapping with blank entries dropped; raises FileRefused naming what is wrong."""
    cleaned = {field: header.strip() for field, header in mapping.items() if header.strip()}
    problems = [
        Problem(0, f"'{field}' is not a field Leanmark stores; use one of {', '.join(FIELDS)}")
        for field in cleaned
        if field not in FIELDS
    ]
    if "day" not in cleaned:
        problems.append(Problem(0, "map a column to 'day': every row needs its date"))
    if not any(field in cleaned for field in MEASURES):
        problems.append(Problem(0, f"map at least one measure ({', '.join(MEASURES)})"))
    if problems:
        raise FileRefused(problems)
    return cleaned


def read(table: Table, mapping: Mapping[str, str], context: Context) -> list[DayRow]:
    fields = check(mapping)
    index = find_header(table, *fields.values())
    if index is None:
        headers = next((row.cells for row in table.rows if not row.blank), ())
        wanted = [h for h in fields.values() if key(h) not in {key(c) for c in headers}]
        raise FileRefused(
            [
                Problem(
                    0,
                    "the file has no column "
                    + ", ".join(f"'{h}'" for h in wanted)
                    + "; its columns are "
                    + ", ".join(f"'{c}'" for c in headers if c.strip()),
                )
            ]
        )
    sheet = Sheet(table, index, context)
    numeric = [fields.get(field) for field in MEASURES if field not in COUNTS]
    sheet.settle(numbers=numeric, dates=(fields["day"],))
    rows = []
    for record in sheet.records:
        day = sheet.day(record, fields["day"])
        measures = {
            field: (sheet.count if field in COUNTS else sheet.number)(record, fields.get(field))
            for field in MEASURES
        }
        if day is None:
            continue
        row = DayRow(day=day, source=SOURCE, line=record.line)
        texts = {field: sheet.text(record, fields.get(field)) for field in TEXTS}
        texts["currency"] = texts["currency"].upper()
        rows.append(replace(row, **texts, **measures))  # type: ignore[arg-type]
    return rows
