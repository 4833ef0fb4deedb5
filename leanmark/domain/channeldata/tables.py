"""A file's bytes as rows of text cells, each with the line of the file it starts on.

The tools write their exports differently: GA4 and Shopify UTF-8 comma-separated (Shopify and
Excel with a byte-order mark), Google Ads UTF-16 with tabs, spreadsheets in decimal-comma
locales semicolons, Meta Ads Manager XLSX. ``table(name, data)`` takes any of them; a file
that is none of them, cut short or not valid CSV is refused with the line where it breaks,
never half-read.
"""

import csv
import io
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal

from leanmark.domain.channeldata import FileRefused, Problem

XLSX_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # the binary .xls Excel wrote before 2007
DELIMITERS = ("\t", ";", ",")
NAMES = {"\t": "tab", ";": "semicolon", ",": "comma"}


@dataclass(frozen=True)
class Row:
    line: int  # 1-based line of the file (the sheet's row number in a workbook)
    cells: tuple[str, ...]

    @property
    def blank(self) -> bool:
        return not any(cell.strip() for cell in self.cells)


@dataclass(frozen=True)
class Table:
    rows: tuple[Row, ...]
    encoding: str  # "utf-8", "utf-8-sig", "utf-16", "xlsx"
    delimiter: str  # "" for a workbook

    @property
    def described(self) -> str:
        if self.encoding == "xlsx":
            return "an Excel workbook"
        kind = {"utf-8-sig": "UTF-8 with BOM", "utf-16": "UTF-16"}.get(self.encoding, "UTF-8")
        return f"{kind} text, {NAMES[self.delimiter]}-separated"


def refuse(line: int, message: str) -> FileRefused:
    return FileRefused([Problem(line, message)])


def table(name: str, data: bytes) -> Table:
    """The rows of ``data`` (the file called ``name``); raises FileRefused."""
    if not data.strip():
        raise refuse(0, "the file is empty")
    if data.startswith(XLSX_MAGIC) or name.lower().endswith(".xlsx"):
        return workbook(data)
    if data.startswith(OLE_MAGIC):
        raise refuse(0, "this is an old Excel .xls file; save it as .xlsx or CSV and upload that")
    text, encoding = decode(data)
    delimiter = sniff(text)
    return Table(rows=tuple(split(text, delimiter)), encoding=encoding, delimiter=delimiter)


def decode(data: bytes) -> tuple[str, str]:
    """The text of ``data`` and its encoding, from its byte-order mark (UTF-8, UTF-16 LE or
    BE); without one, UTF-16 when every other byte of the start is NUL, else UTF-8."""
    if data.startswith(b"\xef\xbb\xbf"):
        encoding, body = "utf-8-sig", data[3:]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding, body = "utf-16", data
    elif len(data) >= 4 and data[1:8:2].count(0) >= 3 and data[0:8:2].count(0) == 0:
        encoding, body = "utf-16-le", data
    elif len(data) >= 4 and data[0:8:2].count(0) >= 3 and data[1:8:2].count(0) == 0:
        encoding, body = "utf-16-be", data
    else:
        encoding, body = "utf-8", data
    try:
        text = body.decode(encoding)
    except UnicodeDecodeError as error:
        if encoding.startswith("utf-16"):
            width = 2
            line = body[: error.start].decode(encoding, errors="replace").count("\n") + 1
            if len(body) % width:
                raise refuse(
                    line, "the file is cut short (its last character is incomplete)"
                ) from None
            raise refuse(line, "the UTF-16 text is damaged here") from None
        line = body[: error.start].count(b"\n") + 1
        byte = body[error.start]
        raise refuse(
            line,
            f"the file is not UTF-8 text (byte 0x{byte:02X}); save it again as "
            "'CSV UTF-8' (Excel) or export it again from the tool",
        ) from None
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise refuse(line, "the file holds binary data, not text; export it again as CSV")
    return text.lstrip("\ufeff"), "utf-16" if encoding.startswith("utf-16") else encoding


def _lines_for_sniffing(text: str) -> list[str]:
    lines = []
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            lines.append(line)
        if len(lines) == 40:
            break
    return lines


def sniff(text: str) -> str:
    """The delimiter of ``text``: the one that splits the most of its first lines into the
    same number of cells, more than one (ties go to tab, then semicolon, then comma)."""
    lines = _lines_for_sniffing(text)
    best, best_score = ",", (0, 0)
    for delimiter in DELIMITERS:
        counts: dict[int, int] = {}
        for values in csv.reader(lines, delimiter=delimiter):
            if len(values) > 1:
                counts[len(values)] = counts.get(len(values), 0) + 1
        if not counts:
            continue
        width, lines_of_width = max(counts.items(), key=lambda item: (item[1], item[0]))
        score = (lines_of_width, width)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _reason(error: csv.Error) -> str:
    text = str(error)
    if "unexpected end of data" in text:
        return (
            "a quoted value starts on this line and is never closed: the file may be cut "
            'short, or a " is missing'
        )
    if "expected after" in text:
        return 'a " inside a quoted value must be written twice ("") or end the value'
    if "field larger than field limit" in text:
        return f"a value is longer than {csv.field_size_limit():,} characters"
    return f"the line is not valid CSV ({text})"


def split(text: str, delimiter: str) -> list[Row]:
    """The rows of CSV ``text``, strictly: a broken quote refuses the file at its line."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    rows: list[Row] = []
    start = 1
    while True:
        try:
            values = next(reader)
        except StopIteration:
            return rows
        except csv.Error as error:
            raise refuse(start, _reason(error)) from None
        rows.append(Row(start, tuple(values)))
        start = reader.line_num + 1


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.isoformat()
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return format(Decimal(repr(value)), "f")
    return str(value)


def workbook(data: bytes) -> Table:
    """The first sheet of an XLSX workbook, its cells as text (numbers with a decimal point,
    dates ISO), each row numbered as the spreadsheet numbers it."""
    from openpyxl import load_workbook  # type: ignore[import-untyped]  # no stubs

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise refuse(
            0,
            "the file looks like an Excel workbook but cannot be opened; it may be cut short "
            f"or damaged ({error.__class__.__name__}); export it again",
        ) from None
    try:
        sheet = book.worksheets[0]
        rows: list[Row] = []
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            cells = [_cell_text(value) for value in values]
            while cells and cells[-1] == "":
                cells.pop()
            rows.append(Row(number, tuple(cells)))
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise refuse(
            0, f"the workbook is damaged ({error.__class__.__name__}); export it again"
        ) from None
    finally:
        book.close()
    return Table(rows=tuple(rows), encoding="xlsx", delimiter="")
