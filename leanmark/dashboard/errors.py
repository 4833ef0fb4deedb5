"""Errors of the dashboard app. They extend the board's ``LeanmarkError`` so the one API error
envelope (leanmark/api.py) answers them with their status and code."""

from dataclasses import dataclass

from leanmark.lib.errors import LeanmarkError


class MetricError(LeanmarkError):
    code = "invalid"
    status = 422


class DuplicateMetric(MetricError):
    """The name or key is another metric's: a conflict with what is stored."""

    code = "duplicate"
    status = 409


class UnknownMetric(MetricError):
    code = "unknown_metric"
    status = 404


@dataclass(frozen=True)
class LineError:
    """A problem with one row of an import: ``line`` is the file's line number (1 = header), or
    the item's position in an API batch (1 = first)."""

    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


class ImportRejected(MetricError):
    """A file or batch with at least one bad row: nothing was saved."""

    code = "import_rejected"
    status = 422

    def __init__(self, errors: list[LineError], *, what: str = "the file") -> None:
        shown = "; ".join(str(e) for e in errors[:5])
        more = f" (and {len(errors) - 5} more)" if len(errors) > 5 else ""
        super().__init__(
            f"{what} has {len(errors)} bad row(s), nothing was saved: {shown}{more}",
            errors=[{"line": e.line, "message": e.message} for e in errors],
        )
        self.errors = errors
