"""The rows behind every flow chart, and the board's event log, as CSV tables (header first)."""

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from leanmark.board import queries as board_queries

from .queries import FlowReport, ForecastReport

if TYPE_CHECKING:  # annotations only: the board's rows are read through its queries
    from leanmark.board.models import Board


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


def event_rows(board: "Board") -> Iterator[list[Any]]:
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
    for pk, number, kind, at, actor, from_id, to_id, lane, reason in board_queries.event_log(board):
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


# ---- JSON for the API and the CLI ----------------------------------------------------------------


def _round(value: float | None, digits: int = 3) -> float | None:
    return None if value is None else round(float(value), digits)


def report_dict(report: FlowReport) -> dict[str, Any]:
    """Every metric of the report, as the API and `leanmark flow report --json` give it."""
    law = report.littles_law
    eff = report.efficiency
    return {
        "board_id": report.board_id,
        "board": report.board_name,
        "from": report.start.isoformat(),
        "to": report.end.isoformat(),
        "generated_at": report.now.isoformat(),
        "last_event_id": report.last_event_id,
        "filters": {
            "lane": report.filters.lane,
            "stage": report.filters.stage,
            "person": report.filters.person,
            "tag": report.filters.tag,
        },
        "columns": [
            {"name": n, "active": a}
            for n, a in zip(report.columns, report.active_columns, strict=True)
        ],
        "start_column": report.start_column,
        "done_column": report.done_column,
        "items": report.items,
        "throughput": {
            "total": report.total_throughput,
            "per_day": _round(law.throughput_per_day),
            "daily": [
                {"date": d.isoformat(), "count": n}
                for d, n in zip(report.days, report.throughput, strict=True)
            ],
            "weekly": [
                {"start": p.start.isoformat(), "count": p.throughput} for p in report.weekly
            ],
            "monthly": [
                {"start": p.start.isoformat(), "count": p.throughput} for p in report.monthly
            ],
        },
        "cycle_time": {
            "items": len(report.finished),
            "percentiles": {str(k): _round(v) for k, v in report.percentiles.items()},
            "finished": [
                {
                    "card_id": i.card_id,
                    "number": i.number,
                    "title": i.title,
                    "started_at": i.started_at.isoformat(),
                    "finished_at": i.finished_at.isoformat(),
                    "cycle_days": _round(i.cycle_days),
                    "lead_days": _round(i.lead_days),
                    "active_days": _round(i.active_days),
                    "blocked_days": _round(i.blocked_days),
                    "flow_efficiency": _round(i.efficiency),
                }
                for i in report.finished
            ],
        },
        "wip": [
            {"date": d.isoformat(), "wip": w, "blocked": b}
            for d, w, b in zip(report.days, report.wip, report.blocked, strict=True)
        ],
        "cfd": [
            {"date": d.isoformat(), "at_or_after": row}
            for d, row in zip(report.days, report.cfd, strict=True)
        ],
        "aging": [
            {
                "card_id": a.card_id,
                "number": a.number,
                "title": a.title,
                "column": a.column,
                "age_days": _round(a.age_days),
                "blocked": a.blocked,
                "past_85th": a.over_85,
            }
            for a in report.aging
        ],
        "flow_efficiency": {
            "items": eff.items,
            "ratio": _round(eff.ratio, 4),
            "active_days": _round(eff.active_seconds / 86400),
            "cycle_days": _round(eff.cycle_seconds / 86400),
        },
        "blocked_reasons": [
            {"reason": r.reason, "times": r.times, "blocked_days": _round(r.blocked_days)}
            for r in report.reasons
        ],
        "littles_law": {
            "days": law.days,
            "mean_wip": _round(law.mean_wip),
            "throughput_per_day": _round(law.throughput_per_day),
            "mean_cycle_days": _round(law.mean_cycle_days),
            "predicted_wip": _round(law.predicted_wip),
            "ratio": _round(law.ratio),
            "finished": law.finished,
            "assumptions": list(law.assumptions),
        },
    }


def forecast_dict(report: ForecastReport) -> dict[str, Any]:
    found = report.result
    answers = []
    for level, value in found.answers.items():
        row: dict[str, Any] = {"confidence": level}
        if found.kind == "how_many":
            row["items"] = value
        else:
            done = report.date_after(value)
            row["periods"] = value
            row["date"] = None if done is None else done.isoformat()
        answers.append(row)
    return {
        "board_id": report.board_id,
        "board": report.board_name,
        "question": found.kind,
        "today": report.today.isoformat(),
        "until": None if report.until is None else report.until.isoformat(),
        "items": report.items,
        "period": report.period,
        "periods_ahead": found.target if found.kind == "how_many" else None,
        "window_from": report.window_from.isoformat(),
        "window_to": report.window_to.isoformat(),
        "history": report.history,
        "history_items": found.history.items,
        "trials": found.trials,
        "seed": found.seed,
        "beyond_horizon": found.beyond,
        "answers": answers,
        "histogram": [{"outcome": v, "trials": n} for v, n in found.histogram],
        "calendar": {
            "weekends_off": report.calendar.weekends_off,
            "days_off_in_window": report.days_off_in_window,
            "days_off_ahead": report.days_off_ahead,
        },
    }
