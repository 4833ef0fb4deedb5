"""Flow pages: the metrics of a board, the forecast, the card-history import, CSV exports."""

import csv
from collections.abc import Iterator
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, QueryDict, StreamingHttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from leanmark.accounts.models import Role
from leanmark.board import queries as board_queries
from leanmark.domain.forecast import MAX_AHEAD_DAYS, MAX_ITEMS, MAX_PERIODS
from leanmark.domain.hourglass import STAGE_CHOICES
from leanmark.lib.access import workspace_view
from leanmark.lib.errors import InvalidInput
from leanmark.lib.htmx import render_page

from . import charts, exports, queries, services
from .queries import FlowFilters, FlowInputError, ForecastInput

MAX_UPLOAD = 20 * 1024 * 1024  # bytes of CSV in one card-history upload

if TYPE_CHECKING:  # annotations only: pages reach the board's data through its queries
    from leanmark.board.models import Board


def _date(data: QueryDict, name: str, label: str) -> date | None:
    raw = (data.get(name) or "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise FlowInputError(
            f"the {label} {raw[:20]!r} is not a date (YYYY-MM-DD)", field=name
        ) from None


def _whole(data: QueryDict, name: str, label: str, default: int, low: int, high: int) -> int:
    raw = (data.get(name) or "").strip().replace(",", "").replace("_", "")
    if not raw:
        return default
    if not (raw.lstrip("-").isascii() and raw.lstrip("-").isdigit()) or len(raw) > 12:
        raise FlowInputError(f"the {label} must be a whole number, not {raw[:20]!r}", field=name)
    value = int(raw)
    if not low <= value <= high:
        raise FlowInputError(f"the {label} must be between {low:,} and {high:,}", field=name)
    return value


def report_range(request: HttpRequest, board: "Board") -> tuple[date, date]:
    start, end = queries.default_range(board, timezone.now())
    chosen_start = _date(request.GET, "from", "start date")
    chosen_end = _date(request.GET, "to", "end date")
    return chosen_start or start, chosen_end or end


def _common(request: HttpRequest, board: "Board") -> dict[str, Any]:
    slug = request.workspace.slug  # type: ignore[attr-defined]
    return {
        "board": board,
        "boards": board_queries.boards_of(request.workspace),  # type: ignore[attr-defined]
        "people": board_queries.people_of(request.workspace),  # type: ignore[attr-defined]
        "stages": STAGE_CHOICES,
        "lanes": board_queries.LANES,
        "can_write": request.membership.allows(Role.MEMBER),  # type: ignore[attr-defined]
        "query": request.GET.urlencode(),
        "card_base": reverse("card", kwargs={"ws": slug, "number": 0})[:-2],
    }


@require_GET
@workspace_view()
def index(request: HttpRequest) -> HttpResponse:
    boards = board_queries.boards_of(request.workspace)  # type: ignore[attr-defined]
    if boards:
        return redirect("flow-board", ws=request.workspace.slug, board_id=boards[0].pk)  # type: ignore[attr-defined]
    return render_page(request, "flow/no_board.html", {})


@require_GET
@workspace_view()
def board_flow(request: HttpRequest, board_id: int) -> HttpResponse:
    board = board_queries.board_for(request.workspace, board_id)  # type: ignore[attr-defined]
    context = _common(request, board)
    filters = FlowFilters.from_query(request.GET)
    context["filters"] = filters
    status = 200
    try:
        start, end = report_range(request, board)
        context["start"], context["end"] = start, end
        report = queries.flow_report(
            board, start=start, end=end, now=timezone.now(), filters=filters
        )
    except FlowInputError as error:
        context["error"] = error
        context["start"] = request.GET.get("from", "")
        context["end"] = request.GET.get("to", "")
        status = error.status
    else:
        context["report"] = report
        active = zip(report.columns, report.active_columns, strict=True)
        context["active_names"] = ", ".join(name for name, on in active if on)
        context["specs"] = _specs(report, context["card_base"], weekly=(end - start).days > 120)
        context["blocked_items"] = report.most_blocked(10)
    return render_page(request, "flow/board.html", context, fragment="flow", status=status)


def _specs(report: queries.FlowReport, card_base: str, *, weekly: bool) -> dict[str, Any]:
    def url(number: int) -> str:
        return f"{card_base}{number}/"

    return {
        "cfd": charts.cfd(report),
        "scatter": charts.scatter(report, url),
        "throughput": charts.throughput_run(report, weekly),
        "throughput_weekly": weekly,
        "histogram": charts.throughput_histogram(report),
        "wip": charts.wip_run(report),
        "aging": charts.aging(report, url),
        "efficiency": charts.efficiency(report),
        "blocked": charts.blocked_reasons(report),
    }


@require_GET
@workspace_view()
def flow_csv(request: HttpRequest, board_id: int, chart: str) -> HttpResponse:
    board = board_queries.board_for(request.workspace, board_id)  # type: ignore[attr-defined]
    if chart not in exports.REPORT_TABLES:
        return HttpResponse(
            f"unknown chart {chart[:30]!r}; one of {', '.join(exports.REPORT_TABLES)}",
            status=404,
            content_type="text/plain",
        )
    try:
        start, end = report_range(request, board)
        report = queries.flow_report(
            board,
            start=start,
            end=end,
            now=timezone.now(),
            filters=FlowFilters.from_query(request.GET),
        )
    except FlowInputError as error:
        return HttpResponse(error.message, status=error.status, content_type="text/plain")
    rows = exports.REPORT_TABLES[chart](report)
    return _csv_response(rows, f"{_slug(board)}-{chart}-{start}-{end}.csv")


def _slug(board: "Board") -> str:
    return "".join(c if c.isalnum() else "-" for c in board.name.lower()).strip("-") or "board"


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_response(rows: Iterator[list[Any]] | list[list[Any]], filename: str) -> HttpResponse:
    writer = csv.writer(_Echo())
    response = StreamingHttpResponse(
        (writer.writerow([exports.safe(v) for v in row]) for row in rows),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response  # type: ignore[return-value]


@require_GET
@workspace_view()
def events_csv(request: HttpRequest, board_id: int) -> HttpResponse:
    board = board_queries.board_for(request.workspace, board_id)  # type: ignore[attr-defined]
    return _csv_response(exports.event_rows(board), f"{_slug(board)}-events.csv")


def _forecast_input(data: QueryDict) -> ForecastInput:
    period = data.get("period") or "day"
    if period not in queries.PERIOD_DAYS:
        raise FlowInputError("the period must be 'day' or 'week'", field="period")
    return ForecastInput(
        period=period,
        window_from=_date(data, "window_from", "history window start"),
        window_to=_date(data, "window_to", "history window end"),
        trials=_whole(data, "trials", "number of trials", queries.DEFAULT_TRIALS, 1, 1_000_000),
        seed=_whole(data, "seed", "seed", queries.DEFAULT_SEED, 0, 2**32 - 1),
        filters=FlowFilters.from_query(data),
    )


def _answers(result: queries.ForecastReport) -> list[tuple[int, Any]]:
    found = result.result
    if found.kind == "how_many":
        return list(found.answers.items())
    return [
        (level, None if periods is None else (periods, result.date_after(periods)))
        for level, periods in found.answers.items()
    ]


def _run_forecast(board: "Board", data: QueryDict, mode: str) -> Any:
    now = timezone.now()
    spec = _forecast_input(data)
    if mode == "campaign":
        launch = _date(data, "launch", "launch date")
        if launch is None:
            raise FlowInputError("choose the launch date", field="launch")
        return queries.forecast_campaign(
            board,
            launch=launch,
            now=now,
            tag=data.get("campaign_tag", ""),
            channel=data.get("campaign_channel", ""),
            spec=spec,
        )
    if mode == "when":
        if not data.get("items", "").strip():
            raise FlowInputError("say how many items must be finished", field="items")
        items = _whole(data, "items", "number of items", 0, -(10**9), 10**9)
        return queries.forecast_when(board, items=items, now=now, spec=spec)
    until = _date(data, "until", "date")
    if until is None:
        raise FlowInputError("choose the date to forecast to", field="until")
    return queries.forecast_how_many(board, until=until, now=now, spec=spec)


@require_GET
@workspace_view()
def forecast(request: HttpRequest, board_id: int) -> HttpResponse:
    board = board_queries.board_for(request.workspace, board_id)  # type: ignore[attr-defined]
    context = _common(request, board)
    data = request.GET
    mode = data.get("mode") if data.get("mode") in ("when", "campaign") else "how_many"
    today = timezone.now().astimezone(queries.time_zone(board)).date()
    default_date = (today + timedelta(days=28)).isoformat()
    form = {"until": default_date, "launch": default_date, "items": "10", **data.dict()}
    context.update({"mode": mode, "form": form, "filters": FlowFilters.from_query(data)})
    context.update(_calendar_context(board, today))
    context["horizon"] = MAX_PERIODS
    context["max_until"] = (today + timedelta(days=MAX_AHEAD_DAYS)).isoformat()
    context["max_items"] = MAX_ITEMS
    asked = bool(data.get("mode"))
    if not asked:  # the first visit answers the form's default question
        data = data.copy()
        data.update({"mode": mode, "until": form["until"]})
    try:
        result = _run_forecast(board, data, mode)
    except FlowInputError as error:
        if data.get("format") == "csv":
            return HttpResponse(error.message, status=error.status, content_type="text/plain")
        context["error"] = error
        status = error.status if asked else 200  # nobody asked anything wrong
        return render_page(
            request, "flow/forecast.html", context, fragment="forecast", status=status
        )
    if mode == "campaign":
        context["campaign"] = result
        return render_page(request, "flow/forecast.html", context, fragment="forecast")
    if data.get("format") == "csv":
        return _csv_response(exports.forecast_rows(result), f"{_slug(board)}-forecast.csv")
    context.update(
        {
            "result": result,
            "answers": _answers(result),
            "spec": charts.forecast_histogram(result),
            "trials_text": f"{result.result.trials:,}",
        }
    )
    # The same question in calendar days (the backtest skips the calendar's days off itself).
    horizon = (result.until - result.today).days if result.until else 0
    window = (result.window_to - result.window_from).days + 1
    if result.result.kind == "how_many" and result.period == "day" and 1 <= horizon <= 366:
        try:
            backtest = queries.forecast_backtest(
                board,
                now=timezone.now(),
                horizon=horizon,
                window=max(7, window),
                filters=FlowFilters.from_query(data),
            )
        except FlowInputError:
            backtest = None
        if backtest is not None:
            context["backtest"] = backtest
            context["backtest_levels"] = [
                (c, backtest.result.hit_rate(c)) for c in backtest.result.confidences
            ]
    return render_page(request, "flow/forecast.html", context, fragment="forecast")


def _calendar_context(board: "Board", today: date) -> dict[str, Any]:
    found = queries.working_calendar(board)
    return {
        "calendar": found,
        "days_upcoming": found.upcoming(today),
        "days_past": found.past(today)[-10:],
        "days_past_count": len(found.past(today)),
    }


CALENDAR_ACTIONS = ("add", "remove", "weekends")


@require_http_methods(["POST"])
@workspace_view()
def calendar_edit(request: HttpRequest, board_id: int) -> HttpResponse:
    """Add or remove days off, or switch weekends off, from the forecast page (members)."""
    board = board_queries.board_for(request.workspace, board_id)  # type: ignore[attr-defined]
    data = request.POST
    action = data.get("action", "")
    status, message, trigger = 200, "", None
    try:
        if action == "add":
            added = services.add_days_off(
                board, data.get("day", ""), data.get("to") or None, reason=data.get("reason", "")
            )
            message = f"{len(added)} day{'s' if len(added) != 1 else ''} off added."
        elif action == "remove":
            removed = services.remove_days_off(board, data.get("day", ""), data.get("to") or None)
            message = f"{removed} day{'s' if removed != 1 else ''} off removed."
        elif action == "weekends":
            on = data.get("weekends_off") == "on"
            services.set_weekends_off(board, on)
            message = "Weekends are days off." if on else "Weekends are working days."
        else:
            raise FlowInputError(
                f"unknown action {action[:20]!r}; one of {', '.join(CALENDAR_ACTIONS)}",
                field="action",
            )
        trigger = "calendar-changed"
    except InvalidInput as error:
        status, message = error.status, error.message
    if not request.htmx and status == 200:  # type: ignore[attr-defined]
        messages.success(request, message)
        target = reverse(
            "flow-forecast",
            kwargs={"ws": request.workspace.slug, "board_id": board.pk},  # type: ignore[attr-defined]
        )
        return redirect(target)
    today = timezone.now().astimezone(queries.time_zone(board)).date()
    context = {**_common(request, board), **_calendar_context(board, today)}
    context.update({"calendar_message": message, "calendar_error": status != 200})
    return render_page(
        request, "flow/forecast.html", context, fragment="calendar", status=status, trigger=trigger
    )


@require_http_methods(["GET", "POST"])
@workspace_view(read=Role.MEMBER)
def card_history_import(request: HttpRequest, board_id: int) -> HttpResponse:
    board = board_queries.board_for(request.workspace, board_id)  # type: ignore[attr-defined]
    context = _common(request, board)
    context["columns"] = list(board.columns.order_by("position"))
    if request.method == "GET":
        return render_page(request, "flow/import.html", context)
    upload = request.FILES.get("file")
    error: str | None = None
    errors: list[str] = []
    if upload is None:
        error = "choose a CSV file to upload"
    elif upload.size and upload.size > MAX_UPLOAD:
        error = f"the file has {upload.size:,} bytes; at most {MAX_UPLOAD:,} are accepted"
    else:
        try:
            text = upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            error = "the file is not UTF-8 text; save it as CSV UTF-8 and upload it again"
        else:
            try:
                cards = services.import_card_history(
                    board,
                    text,
                    actor=request.user,  # type: ignore[arg-type]
                    max_rows=services.WEB_MAX_ROWS,
                )
            except services.ImportFailed as failed:
                error, errors = failed.message, failed.errors
            else:
                messages.success(
                    request, f"Imported {len(cards):,} cards with their history into {board.name}."
                )
                target = reverse(
                    "flow-board",
                    kwargs={"ws": request.workspace.slug, "board_id": board.pk},  # type: ignore[attr-defined]
                )
                if request.htmx:  # type: ignore[attr-defined]
                    done = HttpResponse(status=200)
                    done["HX-Redirect"] = target
                    return done
                return redirect(target)
    context.update({"error": error, "errors": errors})
    return render_page(request, "flow/import.html", context, fragment="result", status=422)
