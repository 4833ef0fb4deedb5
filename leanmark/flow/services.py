"""Card-history CSV import (the format flow-analytics tools use): one row per item with an id, a
title and one column per board column holding the date-time the item entered it.

The whole file is checked before anything is written; errors name their line. Then the cards and
their back-dated events are written by the board's history import, in one transaction.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from itertools import pairwise
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from django.db import transaction

from leanmark.accounts.models import User
from leanmark.board import queries as board_queries
from leanmark.board.services import (
    HistoryCard,
    HistoryEvent,
    clean_lane,
    clean_stage,
    clean_tags,
    clean_title,
    import_history,
)
from leanmark.lib import clean, csvrows, formats
from leanmark.lib.errors import InvalidInput

from .models import REASON_MAX, BlackoutDay, BoardCalendar
from .queries import time_zone

if TYPE_CHECKING:  # annotations only: the board's rows are read through its queries
    from leanmark.board.models import Board, Card, Column

MAX_ROWS = 100_000  # from the CLI, with a progress bar (about 100 s at the cap)
WEB_MAX_ROWS = 20_000  # from a page, within the server's 30 s request limit (about 20 s)
MAX_ERRORS = 50
OPTIONAL = ("lane", "stage", "tags")
MARKER = "Imported from a card-history CSV, id "
Progress = Callable[[int, int], None]


class ImportFailed(InvalidInput):
    """The file was refused as a whole; ``errors`` lists every problem with its line number."""

    def __init__(self, errors: list[str]) -> None:
        shown = errors[:MAX_ERRORS]
        more = f" (and {len(errors) - MAX_ERRORS} more)" if len(errors) > MAX_ERRORS else ""
        super().__init__(
            f"nothing was imported: {len(errors)} problem(s){more}. " + " ".join(shown[:3]),
            field="file",
        )
        self.errors = shown


@dataclass
class Parsed:
    items: list[HistoryCard] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def _when(raw: str, tz: ZoneInfo) -> datetime:
    text = raw.strip().replace("/", "-")
    try:
        if len(text) == 10:
            return datetime.combine(date.fromisoformat(text), time.min, tzinfo=tz)
        value = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(
            f"{raw.strip()[:30]!r} is not a date or date-time (YYYY-MM-DD HH:MM)"
        ) from None
    return value if value.tzinfo is not None else value.replace(tzinfo=tz)


def _header(
    names: list[str], columns: "list[Column]"
) -> "tuple[dict[str, int], dict[int, Column]]":
    """Positions of id/title/optional fields and of the board's columns; raises on unknowns."""
    by_name = {c.name.strip().lower(): c for c in columns}
    fields: dict[str, int] = {}
    found: dict[int, Column] = {}
    unknown = []
    for position, raw in enumerate(names):
        name = raw.strip().lower()
        if name in ("id", "title", *OPTIONAL) and name not in fields:
            fields[name] = position
        elif name in by_name and by_name[name] not in found.values():
            found[position] = by_name[name]
        else:
            unknown.append(raw.strip() or f"(empty, column {position + 1})")
    problems = []
    if unknown:
        problems.append(
            f"line 1: unknown or repeated column(s) {', '.join(repr(u) for u in unknown)}; "
            f"the board's columns are {', '.join(c.name for c in columns)}"
        )
    problems += [
        f"line 1: the header needs an '{needed}' column"
        for needed in ("id", "title")
        if needed not in fields
    ]
    if not found:
        problems.append("line 1: no column of the header is a column of this board")
    if problems:
        raise ImportFailed(problems)
    return fields, found


def parse_card_history(
    board: "Board", text: str, *, actor: User | None = None, max_rows: int = MAX_ROWS
) -> Parsed:
    """Check the whole file; the result holds the cards to create or every error found."""
    columns = list(board.columns.order_by("position"))
    tz = time_zone(board)
    reader = csvrows.records(text)
    parsed = Parsed()
    seen: dict[str, int] = {}
    try:
        header = next(reader, (1, []))[1]
        if not header or not any(h.strip() for h in header):
            raise ImportFailed(["line 1: the file is empty; the first line must be the header"])
        fields, found = _header(header, columns)
        for line, row in reader:
            if not any(cell.strip() for cell in row):
                continue
            if len(seen) >= max_rows:
                larger = (
                    "; import larger files with `leanmark import card-history`"
                    if max_rows < MAX_ROWS
                    else ""
                )
                parsed.errors.append(
                    f"line {line}: a file holds at most {max_rows:,} items{larger}"
                )
                break
            _row(parsed, row, line, fields, found, tz, seen, actor)
    except csvrows.CsvMalformed as error:  # the reader cannot go on past a broken record
        raise ImportFailed([*parsed.errors, error.message]) from None
    if not seen and not parsed.errors:
        parsed.errors.append("the file has a header but no items")
    taken = _already_imported(board, list(seen))
    parsed.errors += [
        f"line {seen[key]}: id {key!r} was already imported to this board" for key in taken
    ]
    return parsed


def _row(
    parsed: Parsed,
    row: list[str],
    line: int,
    fields: dict[str, int],
    found: "dict[int, Column]",
    tz: ZoneInfo,
    seen: dict[str, int],
    actor: User | None,
) -> None:
    def cell(position: int) -> str:
        return row[position].strip() if position < len(row) else ""

    key = cell(fields["id"])
    errors = parsed.errors
    if not key:
        errors.append(f"line {line}: the id is empty")
        return
    if key in seen:
        errors.append(f"line {line}: id {key!r} is repeated (first on line {seen[key]})")
        return
    seen[key] = line
    try:
        title = clean_title(cell(fields["title"]))
        lane = clean_lane(cell(fields["lane"]) or "standard") if "lane" in fields else "standard"
        stage = clean_stage(cell(fields["stage"])) if "stage" in fields else ""
        tags = clean_tags(cell(fields["tags"])) if "tags" in fields else []
    except InvalidInput as error:
        errors.append(f"line {line}: {error.message}")
        return
    entered: list[tuple[datetime, Column]] = []
    for position, column in sorted(found.items(), key=lambda pair: pair[1].position):
        raw = cell(position)
        if not raw:
            continue
        try:
            entered.append((_when(raw, tz), column))
        except ValueError as error:
            errors.append(f"line {line}, {column.name}: {error}")
            return
    if not entered:
        errors.append(f"line {line}: no date in any column; when did the item enter the board?")
        return
    for (before, first), (after, second) in pairwise(entered):
        if after < before:
            errors.append(
                f"line {line}: dates out of order: {second.name} ({after:%Y-%m-%d %H:%M}) is "
                f"before {first.name} ({before:%Y-%m-%d %H:%M}), which comes earlier on the board"
            )
            return
    events = [HistoryEvent("created", entered[0][0], actor=actor, to_column=entered[0][1])]
    events += [
        HistoryEvent("moved", at, actor=actor, to_column=column, from_column=previous)
        for (_, previous), (at, column) in pairwise(entered)
    ]
    parsed.items.append(
        HistoryCard(
            title=title,
            description=f"{MARKER}{key}",
            events=events,
            lane=lane,
            stage=stage,
            tags=tags,
        )
    )


def _already_imported(board: "Board", keys: list[str]) -> list[str]:
    if not keys:
        return []
    existing = board_queries.descriptions_starting(board, MARKER)
    return [key for key in keys if f"{MARKER}{key}" in existing]


def import_card_history(
    board: "Board",
    text: str,
    *,
    actor: User | None = None,
    progress: Progress | None = None,
    max_rows: int = MAX_ROWS,
) -> "list[Card]":
    """All or nothing: raises ImportFailed listing every problem, or creates every card."""
    parsed = parse_card_history(board, text, actor=actor, max_rows=max_rows)
    if parsed.errors:
        raise ImportFailed(parsed.errors)
    return import_history(board, parsed.items, progress=progress)


# ---- the board's working calendar ---------------------------------------------------------------

MAX_RANGE_OFF = 366  # days off added or removed in one go


def _days(first: object, last: object | None) -> list[date]:
    start = clean.day(first, "day", label="the first day off")
    end = start if last in (None, "") else clean.day(last, "to", label="the last day off")
    if end < start:
        raise InvalidInput(
            f"the last day off ({formats.day(end)}) is before the first ({formats.day(start)}); "
            "swap them",
            field="to",
        )
    count = (end - start).days + 1
    if count > MAX_RANGE_OFF:
        raise InvalidInput(
            f"at most {MAX_RANGE_OFF} days off at once; {formats.day(start)} to "
            f"{formats.day(end)} is {count:,} days",
            field="to",
        )
    return [start + timedelta(days=i) for i in range(count)]


@transaction.atomic
def add_days_off(
    board: "Board", first: object, last: object | None = None, *, reason: object = ""
) -> list[BlackoutDay]:
    """Mark the days ``first`` to ``last`` (one day without ``last``) as days off for the
    board's forecasts; a day already off takes the new reason. Returns the days, in order."""
    days = _days(first, last)
    why = clean.text(reason, "reason", limit=REASON_MAX)
    rows = BlackoutDay.objects.filter(board=board, day__in=days)
    known = {row.day: row for row in rows}
    BlackoutDay.objects.filter(pk__in=[r.pk for r in known.values()]).update(reason=why)
    BlackoutDay.objects.bulk_create(
        BlackoutDay(workspace_id=board.workspace_id, board=board, day=d, reason=why)
        for d in days
        if d not in known
    )
    return list(BlackoutDay.objects.filter(board=board, day__in=days).order_by("day"))


@transaction.atomic
def remove_days_off(board: "Board", first: object, last: object | None = None) -> int:
    """Working days again: how many of ``first`` to ``last`` were off."""
    days = _days(first, last)
    deleted, _ = BlackoutDay.objects.filter(board=board, day__in=days).delete()
    return deleted


@transaction.atomic
def set_weekends_off(board: "Board", weekends_off: object) -> BoardCalendar:
    """Whether Saturdays and Sundays are days off for the board's forecasts."""
    if not isinstance(weekends_off, bool):
        raise InvalidInput("weekends_off must be true or false", field="weekends_off")
    calendar, _ = BoardCalendar.objects.get_or_create(
        board=board, defaults={"workspace_id": board.workspace_id}
    )
    if calendar.weekends_off != weekends_off:
        calendar.weekends_off = weekends_off
        calendar.save(update_fields=["weekends_off"])
    return calendar
