"""Reading measurements from CSV (or tab-separated text pasted from a spreadsheet).

Two layouts, told apart by the header:
- long: ``date,metric,value`` with optional ``channel`` and ``campaign`` columns, one row per
  measurement;
- wide: ``date`` then one column per metric (its key or its name), one row per day; an empty
  cell is no measurement.
Dates are ``YYYY-MM-DD``; an ISO timestamp with an offset is filed under its day in the
workspace's time zone. Every problem is collected with its line number (the header is line 1);
one bad row rejects the file (see ``services.upsert_measurements``).
"""

from collections.abc import Iterator
from datetime import date, datetime, tzinfo

from leanmark.accounts.models import Workspace
from leanmark.domain.metrics import local_day
from leanmark.lib import csvrows

from .errors import ImportRejected, LineError, MetricError
from .services import ProgressCallback, RowIn, UpsertResult, metric_lookup, upsert_measurements

MAX_BYTES = 5 * 1024 * 1024  # about 150,000 long rows; split bigger files
MAX_ROWS = 200_000
LONG = {"date", "metric", "value"}
LONG_OPTIONAL = {"channel", "campaign"}


def parse_day(raw: str, tz: tzinfo) -> date:
    text = raw.strip()
    try:
        if len(text) == 10:
            return date.fromisoformat(text)
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{text[:30]!r} is not a date (YYYY-MM-DD)") from None
    return local_day(moment, tz) if moment.tzinfo else moment.date()


def decode(data: bytes | str) -> str:
    if isinstance(data, str):
        if len(data.encode()) > MAX_BYTES:
            raise MetricError(_too_big(len(data.encode())), field="file")
        return data
    if len(data) > MAX_BYTES:
        raise MetricError(_too_big(len(data)), field="file")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise MetricError(
            "the file is not UTF-8 text; save it as CSV UTF-8", field="file"
        ) from None


def _too_big(size: int) -> str:
    return (
        f"the file has {size / 1_048_576:.1f} MB; at most {MAX_BYTES // 1_048_576} MB "
        "can be imported at once (split it by year)"
    )


def parse(
    data: bytes | str, workspace: Workspace, tz: tzinfo
) -> tuple[list[RowIn], list[LineError]]:
    """The rows of a long or wide CSV and the rows that could not be read (bad dates, missing
    values, wrong cell counts). A bad header raises MetricError or ImportRejected."""
    text = decode(data)
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first_line and "," not in first_line else ","
    reader = csvrows.records(text, delimiter=delimiter)
    try:
        header = [h.strip() for h in next(reader)[1]]
    except StopIteration:
        raise MetricError("the file is empty", field="file") from None
    except csvrows.CsvMalformed as error:
        raise MetricError(error.message, field="file") from None
    names = [h.lower() for h in header]
    try:
        if "metric" in names and "value" in names:
            return _long(reader, names, tz)
        if names and names[0] == "date" and len(names) > 1:
            return _wide(reader, header, workspace, tz)
    except csvrows.CsvMalformed as error:
        raise ImportRejected([LineError(error.line, error.reason)]) from None
    raise MetricError(
        "the header must be date,metric,value[,channel,campaign] (long) or date followed by "
        f"one column per metric (wide); it is {','.join(header)[:120]!r}",
        field="file",
    )


def _long(
    reader: Iterator[tuple[int, list[str]]], names: list[str], tz: tzinfo
) -> tuple[list[RowIn], list[LineError]]:
    missing = LONG - set(names)
    unknown = set(names) - LONG - LONG_OPTIONAL
    problems = []
    if missing:
        problems.append(LineError(1, f"missing column(s) {', '.join(sorted(missing))}"))
    if unknown:
        problems.append(
            LineError(
                1,
                f"unknown column(s) {', '.join(sorted(unknown))}; "
                "a long file has date, metric, value, channel, campaign",
            )
        )
    if problems:
        raise ImportRejected(problems)
    at = {name: names.index(name) for name in LONG | (LONG_OPTIONAL & set(names))}
    rows, errors = [], []
    for line, cells in reader:
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(names):
            errors.append(LineError(line, f"has {len(cells)} cells; the header has {len(names)}"))
            continue
        try:
            day = parse_day(cells[at["date"]], tz)
        except ValueError as error:
            errors.append(LineError(line, str(error)))
            continue
        raw = cells[at["value"]].strip()
        if not raw:
            errors.append(LineError(line, "the value is missing"))
            continue
        rows.append(
            RowIn(
                line=line,
                metric=cells[at["metric"]].strip(),
                day=day,
                value=raw,  # type: ignore[arg-type] (checked by the service, with its line)
                channel=cells[at["channel"]] if "channel" in at else "",
                campaign=cells[at["campaign"]] if "campaign" in at else "",
            )
        )
        if len(rows) > MAX_ROWS:
            raise MetricError(f"at most {MAX_ROWS:,} rows can be imported at once", field="file")
    return rows, errors


def _wide(
    reader: Iterator[tuple[int, list[str]]], header: list[str], workspace: Workspace, tz: tzinfo
) -> tuple[list[RowIn], list[LineError]]:
    lookup = metric_lookup(workspace)
    columns = header[1:]
    unknown = [c for c in columns if c not in lookup and c.lower() not in lookup]
    if unknown:
        raise ImportRejected(
            [
                LineError(
                    1,
                    f"unknown column(s) {', '.join(repr(c) for c in unknown[:10])}: each column "
                    "after date must be a metric's key or name",
                )
            ]
        )
    repeated = {c for c in columns if columns.count(c) > 1}
    if repeated:
        raise ImportRejected([LineError(1, f"repeated column(s) {', '.join(sorted(repeated))}")])
    rows, errors = [], []
    for line, cells in reader:
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(header):
            errors.append(LineError(line, f"has {len(cells)} cells; the header has {len(header)}"))
            continue
        try:
            day = parse_day(cells[0], tz)
        except ValueError as error:
            errors.append(LineError(line, str(error)))
            continue
        for column, raw in zip(columns, cells[1:], strict=True):
            if raw.strip():
                rows.append(RowIn(line=line, metric=column, day=day, value=raw.strip()))  # type: ignore[arg-type]
        if len(rows) > MAX_ROWS:
            raise MetricError(f"at most {MAX_ROWS:,} values can be imported at once", field="file")
    return rows, errors


def import_csv(
    workspace: Workspace,
    data: bytes | str,
    *,
    tz: tzinfo,
    source: str = "csv",
    dry_run: bool = False,
    progress: ProgressCallback | None = None,
) -> UpsertResult:
    """Parse and upsert a CSV, all or nothing: every bad row of the file is reported at once
    (unreadable ones and unknown metrics, bad values, duplicates alike), sorted by line."""
    rows, errors = parse(data, workspace, tz)
    if errors:
        try:  # find the other problems too, without saving anything
            if rows:
                upsert_measurements(workspace, rows, source=source, dry_run=True)
        except ImportRejected as rejected:
            errors += rejected.errors
        raise ImportRejected(sorted(errors, key=lambda e: e.line))
    return upsert_measurements(
        workspace, rows, source=source, dry_run=dry_run, progress=progress, what="the file"
    )
