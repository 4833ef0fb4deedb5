"""Reading CSV files that people made: every record with the line it starts on, and a file that
is not valid CSV refused with that line, never half-read.

Python's csv module in its default (non-strict) mode reads ``"Launch, 3`` with no closing quote
as one value that swallows the rest of the file, and ``"Lau"nch`` as ``Launch``: an import then
saved what the file did not say. Here the reader is strict, and its complaint names the line
where the broken record starts, in words a spreadsheet user can act on. Line numbers count
physical lines, so a quoted value spanning lines does not shift the numbers of later records.
"""

import csv
import io
from collections.abc import Iterator


class CsvMalformed(ValueError):
    """The file is not valid CSV at ``line``; ``message`` says where and what to fix."""

    def __init__(self, line: int, reason: str) -> None:
        self.line = line
        self.reason = reason
        self.message = f"line {line}: {reason}"
        super().__init__(self.message)


def _reason(error: csv.Error) -> str:
    text = str(error)
    if "unexpected end of data" in text:
        return (
            'a quoted value starts on this line and is never closed; add the closing " '
            '(a " inside a value is written twice: "")'
        )
    if "expected after" in text:
        return (
            'a " inside a quoted value must be written twice ("") or the value must end '
            "at the quote"
        )
    if "field larger than field limit" in text:
        return f"a value is longer than {csv.field_size_limit():,} characters"
    return f"the line is not valid CSV ({text})"


def records(text: str, *, delimiter: str = ",") -> Iterator[tuple[int, list[str]]]:
    """``(line, values)`` for each record of ``text`` (a leading BOM is dropped); raises
    CsvMalformed at the first record that is not valid CSV."""
    reader = csv.reader(
        io.StringIO(text.lstrip("\ufeff"), newline=""), delimiter=delimiter, strict=True
    )
    start = 1
    while True:
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise CsvMalformed(start, _reason(error)) from None
        yield start, values
        start = reader.line_num + 1


def dict_records(
    text: str, *, delimiter: str = ","
) -> tuple[list[str], Iterator[tuple[int, dict[str | None, str | list[str] | None]]]]:
    """The header and ``(line, row)`` for each later record, the row keyed by the header as
    csv.DictReader keys it (values beyond the header under None, missing values None)."""
    found = records(text, delimiter=delimiter)
    first = next(found, None)
    header = first[1] if first else []

    def rows() -> Iterator[tuple[int, dict[str | None, str | list[str] | None]]]:
        for line, values in found:
            if not values:
                continue
            row: dict[str | None, str | list[str] | None] = dict(
                zip(header, values[: len(header)], strict=False)
            )
            for name in header[len(values) :]:
                row[name] = None
            if len(values) > len(header):
                row[None] = values[len(header) :]
            yield line, row

    return header, rows()
