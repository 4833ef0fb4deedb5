"""What every reader needs: the header row found by its column names, and cells read as
numbers, counts and dates with each bad value collected as a line-numbered Problem (the file is
refused as a whole at the end, never half-read)."""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from leanmark.domain.channeldata import DayRow, Problem
from leanmark.domain.channeldata import numbers as num
from leanmark.domain.channeldata.tables import Row, Table

MAX_PROBLEMS = 100
HEADER_SEARCH_ROWS = 20  # the header is within the first rows (after GA4's comment lines)


def key(name: str) -> str:
    """A column name compared as people see it: case, spaces and a BOM do not matter."""
    return " ".join(name.replace("\ufeff", "").split()).casefold()


def find_header(table: Table, *required: str | tuple[str, ...]) -> int | None:
    """The index of the first row (of the first HEADER_SEARCH_ROWS) that has every required
    column; a tuple of names is alternatives ("Impressions" or "Impr.")."""
    for index, row in enumerate(table.rows[:HEADER_SEARCH_ROWS]):
        names = {key(cell) for cell in row.cells}
        if all(
            any(key(option) in names for option in (need if isinstance(need, tuple) else (need,)))
            for need in required
        ):
            return index
    return None


@dataclass
class Context:
    day_first: bool | None = None  # None: judged from the file's dates
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def problem(self, line: int, message: str) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(Problem(line, message))


class Sheet:
    """The records under a header row, with typed access to their cells by column name."""

    def __init__(
        self,
        table: Table,
        header_index: int,
        context: Context,
        ends: Callable[[Row], bool] | None = None,
    ) -> None:
        header = table.rows[header_index]
        self.table = table
        self.header = tuple(cell.strip().lstrip("\ufeff") for cell in header.cells)
        self.header_line = header.line
        self.context = context
        self.columns: dict[str, int] = {}
        for position, name in enumerate(self.header):
            self.columns.setdefault(key(name), position)
        # by the header's own spelling, as column() returns it: no key() on every cell
        self.positions = {self.header[p]: p for p in reversed(self.columns.values())}
        self.records: list[Row] = []
        self.left_over = 0  # lines after the table's end (a later section of the file)
        later = table.rows[header_index + 1 :]
        for position, row in enumerate(later):
            if ends is not None and ends(row):
                self.left_over = sum(1 for rest in later[position:] if not rest.blank)
                break
            if row.blank:
                continue
            if len(row.cells) > len(self.header) and not any(
                cell.strip() for cell in row.cells[len(self.header) :]
            ):
                row = Row(row.line, row.cells[: len(self.header)])  # a trailing delimiter
            if table.delimiter and len(row.cells) != len(self.header):
                context.problem(
                    row.line,
                    f"the line has {len(row.cells)} values where the header (line "
                    f"{header.line}) has {len(self.header)}; the file may be cut short or "
                    "a value holds an unquoted delimiter",
                )
                continue
            self.records.append(row)
        self.decimal_mark: str | None = None
        self.day_first = True

    def column(self, *names: str) -> str | None:
        """The first of ``names`` the header has, as the header writes it."""
        for name in names:
            if (position := self.columns.get(key(name))) is not None:
                return self.header[position]
        return None

    def matching(self, test: Callable[[str], bool]) -> list[str]:
        return [name for name in self.header if test(key(name))]

    def text(self, row: Row, name: str | None) -> str:
        if name is None:
            return ""
        try:
            return row.cells[self.positions[name]].strip()
        except KeyError:
            position = self.columns[key(name)]
        except IndexError:  # a workbook row without its trailing empty cells
            return ""
        return row.cells[position].strip() if position < len(row.cells) else ""

    def settle(
        self, *, numbers: Sequence[str | None] = (), dates: Sequence[str | None] = ()
    ) -> None:
        """Judge the file's decimal mark and date order on all the values of those columns,
        as a person reading the whole file would."""
        self.decimal_mark = num.decimal_mark_of(self._values(numbers))
        if self.context.day_first is not None:
            self.day_first = self.context.day_first
            return
        try:
            self.day_first = num.day_first_of(self._values(dates))
        except num.AmbiguousDates as error:
            self.context.problem(0, str(error))

    def _values(self, names: Sequence[str | None]) -> Iterable[str]:
        for name in names:
            if name is not None:
                for row in self.records:
                    yield self.text(row, name)

    def _refusal(self, row: Row, name: str, error: num.NotReadable) -> None:
        message = str(error)
        if message.startswith("'") and "' is not" in message:
            message = message.replace("' is not", f"' in column {name} is not", 1)
        else:
            message = f"column {name}: {message}"
        self.context.problem(row.line, message)

    def number(self, row: Row, name: str | None) -> Decimal | None:
        if name is None:
            return None
        text = self.text(row, name)
        if self.decimal_mark != "," and num.FAST_PLAIN.fullmatch(text):
            return Decimal(text)
        try:
            return num.number(text, decimal_mark=self.decimal_mark)
        except num.NotReadable as error:
            self._refusal(row, name, error)
            return None

    def count(self, row: Row, name: str | None) -> int | None:
        if name is None:
            return None
        text = self.text(row, name)
        if text.isdigit() and text.isascii():
            return int(text)
        try:
            return num.whole_number(text, decimal_mark=self.decimal_mark)
        except num.NotReadable as error:
            self._refusal(row, name, error)
            return None

    def day(self, row: Row, name: str | None) -> date | None:
        if name is None:
            return None
        text = self.text(row, name)
        if not text:
            self.context.problem(row.line, f"the date in column {name} is missing")
            return None
        try:
            return num.day(text, day_first=self.day_first)
        except num.NotReadable as error:
            self._refusal(row, name, error)
            return None


@dataclass(frozen=True)
class Format:
    """A tool's export: how to find its header row, and how to turn its records into rows."""

    source: str  # a key of SOURCES
    find: Callable[[Table], int | None]
    parse: Callable[[Sheet], list[DayRow]]
    ends: Callable[[Row], bool] | None = None  # the line that ends the table, when it has one


def total_row(*cells: str) -> bool:
    """A tool's summary line ("Total: Campaigns", "Grand total", "Totals")."""
    for cell in cells:
        start = cell.lstrip()[:11].casefold()
        if start.startswith(("total", "grand total")) and (
            key(cell) == "total" or key(cell).startswith(("total:", "totals", "grand total"))
        ):
            return True
    return False
