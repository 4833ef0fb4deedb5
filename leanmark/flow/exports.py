"""The rows behind every flow chart, and the board's event log, as CSV tables (header first)."""

from collections.abc import Callable, Iterator
from typing import Any

from leanmark.board.models import Board, CardEvent

from .queries import FlowReport, ForecastReport


def safe(value: Any) -> Any:
    """Text a spreadsheet would run as a formula is prefixed with an apostrophe."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _days(value: float | None) -> str:
    return "" if value is None else f"{value:.3f}"


def cfd_rows(report: FlowReport) -> list[list[Any]]:
    names = list(report.columns)
    rows: list[list[Any]] = [["date", *(f"in {n}" for n in names), "on the board"]]
    for day, row in zip(report.days, report.cfd, strict=True):
        bands = [row[k] - (row[k + 1] if k + 1 < len(row) else 0) for k in range(len(row))]
        rows.append([day.isoformat(), *bands, row[0] if row else 0])
    return rows


def cycle_rows(report: FlowReport) -> list[list[Any]]:
    rows: list[list[Any]] = [
        [
            "card",
            "title",
            "started",
            "finished",
            "cycle time (days)",
            "lead time (days)",
            "active, not blocked (days)",
            "blocked (days)",
            "flow efficiency",
        ]
    ]
    rows.extend(
        [
            i.number,
            i.title,
            i.started_at.isoformat(),
            i.finished_at.isoformat(),
            _days(i.cycle_days),
            _days(i.lead_days),
            _days(i.active_days),
            _days(i.blocked_days),
            "" if i.efficiency is None else f"{i.efficiency:.3f}",
        ]
        for i in report.finished
    )
    return rows


def throughput_rows(report: FlowReport) -> list[list[Any]]:
    rows: list[list[Any]] = [["date", "items finished"]]
    rows += [[d.isoformat(), n] for d, n in zip(report.days, report.throughput, strict=True)]
    return rows


def wip_rows(report: FlowReport) -> list[list[Any]]:
    rows: list[list[Any]] = [["date", "in progress at the end of the day", "of which blocked"]]
    rows += [
        [d.isoformat(), w, b]
        for d, w, b in zip(report.days, report.wip, report.blocked, strict=True)
    ]
    return rows


def aging_rows(report: FlowReport) -> list[list[Any]]:
    rows: list[list[Any]] = [["card", "title", "column", "age (days)", "blocked", "past 85th"]]
    rows += [
        [a.number, a.title, a.column, _days(a.age_days), a.blocked, a.over_85] for a in report.aging
    ]
    return rows


def blocked_rows(report: FlowReport) -> list[list[Any]]:
    rows: list[list[Any]] = [["reason", "times blocked", "days blocked"]]
    rows += [[r.reason, r.times, _days(r.blocked_days)] for r in report.reasons]
    return rows


REPORT_TABLES: dict[str, Callable[[FlowReport], list[list[Any]]]] = {
    "cfd": cfd_rows,
    "cycle-times": cycle_rows,
    "throughput": throughput_rows,
    "wip": wip_rows,
    "aging": aging_rows,
    "efficiency": cycle_rows,
    "blocked": blocked_rows,
}


def event_rows(board: Board) -> Iterator[list[Any]]:
    """The board's whole event log, oldest first, streamed in chunks."""
    columns = dict(board.columns.values_list("id", "name"))
    yield [
        "event",
        "card",
        "kind",
        "at",
        "actor",
        "from column",
        "to column",
        "lane",
        "reason",
    ]
    events = (
        CardEvent.objects.filter(board=board)
        .order_by("id")
        .values_list(
            "id",
            "card__number",
            "kind",
            "at",
            "actor__username",
            "from_column_id",
            "to_column_id",
            "lane",
            "reason",
        )
    )
    for pk, number, kind, at, actor, from_id, to_id, lane, reason in events.iterator(2000):
        yield [
            pk,
            number,
            kind,
            at.isoformat(),
            actor or "",
            columns.get(from_id, ""),
            columns.get(to_id, ""),
            lane,
            reason,
        ]


def forecast_rows(report: ForecastReport) -> list[list[Any]]:
    found = report.result
    unit = (
        "items finished" if found.kind == "how_many" else f"{report.period}s from today until done"
    )
    rows: list[list[Any]] = [[unit, "trials", "share of trials"]]
    rows += [[value, n, f"{n / found.trials:.5f}"] for value, n in found.histogram]
    if found.beyond:
        rows.append(["more than the horizon", found.beyond, f"{found.beyond / found.trials:.5f}"])
    return rows
