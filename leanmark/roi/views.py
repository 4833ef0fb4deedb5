"""Pages: the ROI report, spend, time, settings with hourly costs (owner only), allocation and
saved plans. Every page is role-checked by ``workspace_view``."""

from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from leanmark.accounts.models import Role
from leanmark.board import queries as board_queries
from leanmark.domain import curves as curve_fits
from leanmark.domain import roi as domain
from leanmark.domain.hourglass import STAGE_CHOICES
from leanmark.lib import formats
from leanmark.lib.access import workspace_view
from leanmark.lib.htmx import render_page
from leanmark.lib.paging import paged

from . import charts, queries, services
from .errors import InvalidInput, LeanmarkError
from .models import CheckKind, Objective, Unit

DEFAULT_PERIOD = "last-12-months"
PERIODS = [
    ("this-month", "This month"),
    ("last-month", "Last month"),
    ("this-quarter", "This quarter"),
    ("last-quarter", "Last quarter"),
    ("ytd", "Year to date"),
    ("last-12-months", "Last 12 months"),
]
DIMENSIONS = [("stage", "Hourglass stage"), ("channel", "Channel"), ("campaign", "Campaign")]
STAGE_LABELS = dict(STAGE_CHOICES)
UPLOAD_MAX = 5 * 1024 * 1024


def _today(request: HttpRequest) -> date:
    return timezone.localdate()


def _period(request: HttpRequest) -> tuple[str, date, date, LeanmarkError | None]:
    text = request.GET.get("period", "").strip() or DEFAULT_PERIOD
    try:
        start, end = domain.parse_period(text, _today(request))
    except domain.RoiInputError as error:
        start, end = domain.parse_period(DEFAULT_PERIOD, _today(request))
        return text, start, end, InvalidInput(error.message, field="period")
    return text, start, end, None


# ---- the report -------------------------------------------------------------------------------


@require_GET
@workspace_view()
def report(request: HttpRequest) -> HttpResponse:
    period, start, end, error = _period(request)
    by = request.GET.get("by", "stage")
    if by not in dict(DIMENSIONS):
        error, by = InvalidInput(f"report by stage, channel or campaign, not {by[:20]!r}"), "stage"
    view = queries.report(request.workspace, start=start, end=end, by=by)
    labels = STAGE_LABELS if by == "stage" else {}
    context = {
        "view": view,
        "period": period,
        "periods": PERIODS,
        "by": by,
        "dimensions": DIMENSIONS,
        "labels": labels,
        "error": error,
        "roi_chart": charts.roi_by_key(view.report, labels, view.currency),
        "money_chart": charts.cost_vs_return(view.monthly, view.currency),
        "spend_url": reverse("roi-spend", kwargs={"ws": request.workspace.slug}),
        "is_owner": request.membership.allows(Role.OWNER),
    }
    return render_page(
        request, "roi/report.html", context, fragment="report", status=422 if error else 200
    )


# ---- spend ------------------------------------------------------------------------------------


def _spend_context(request: HttpRequest, **extra: Any) -> dict[str, Any]:
    data = request.GET
    start = _optional_date(data.get("from", ""))
    end = _optional_date(data.get("to", ""))
    channel = data.get("channel", "").strip().lower()
    stage = data.get("stage", "").strip().lower()
    stage = stage if stage in dict(STAGE_CHOICES) or stage == "none" else ""
    rows = queries.spend_rows(request.workspace, start=start, end=end, channel=channel, stage=stage)
    settings = queries.settings_of(request.workspace)
    return {
        "paging": paged(request, rows),
        "filters": {"from": start, "to": end, "channel": channel, "stage": stage},
        "currency": settings.currency,
        "channels": queries.channels_of(request.workspace),
        "stages": STAGE_CHOICES,
        "can_write": request.membership.allows(Role.MEMBER),
        "posted": QueryDict(),
        "today": _today(request).isoformat(),
        **extra,
    }


def _optional_date(raw: str) -> date | None:
    try:
        return date.fromisoformat(raw.strip()) if raw.strip() else None
    except ValueError:
        return None


def _spend_in(data: QueryDict) -> services.SpendIn:
    return services.SpendIn(
        on=data.get("on", ""),
        amount=data.get("amount", ""),
        currency=data.get("currency", ""),
        channel=data.get("channel", ""),
        stage=data.get("stage", ""),
        campaign=data.get("campaign", ""),
        note=data.get("note", ""),
    )


@require_http_methods(["GET", "POST"])
@workspace_view()
def spend(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        try:
            row = services.record_spend(
                request.workspace, _spend_in(request.POST), actor=request.user
            )
        except LeanmarkError as error:
            context = _spend_context(request, error=error, posted=request.POST)
            return render_page(request, "roi/spend.html", context, status=error.status)
        amount = formats.money(row.amount, row.currency, exact=True)
        channel = formats.label(row.channel) if row.channel else "no channel"
        messages.success(request, f"Recorded {amount} on {formats.day(row.on)} ({channel}).")
        return redirect("roi-spend", ws=request.workspace.slug)
    return render_page(request, "roi/spend.html", _spend_context(request))


@require_POST
@workspace_view()
def spend_import(request: HttpRequest) -> HttpResponse:
    upload = request.FILES.get("file")
    try:
        if upload is None:
            raise InvalidInput("choose a CSV file to import", field="file")
        if upload.size and upload.size > UPLOAD_MAX:
            raise InvalidInput("the file is larger than 5 MB; split it", field="file")
        try:
            text = upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise InvalidInput(
                "the file is not UTF-8 text; save it as CSV (UTF-8)", field="file"
            ) from None
        result = services.import_spend_csv(request.workspace, text, actor=request.user)
    except LeanmarkError as error:
        context = _spend_context(request, import_error=error)
        return render_page(request, "roi/spend.html", context, status=error.status)
    messages.success(
        request,
        f"Imported {result.total} rows: {result.created} added, {result.updated} updated, "
        f"{result.unchanged} unchanged.",
    )
    return redirect("roi-spend", ws=request.workspace.slug)


@require_http_methods(["GET", "POST"])
@workspace_view()
def spend_edit(request: HttpRequest, spend_id: int) -> HttpResponse:
    row = queries.spend_for(request.workspace, spend_id)
    error, posted = None, None
    if request.method == "POST":
        try:
            services.change_spend(row, _spend_in(request.POST), actor=request.user)
        except LeanmarkError as exc:
            error, posted = exc, request.POST
            row.refresh_from_db()
        else:
            amount = formats.money(row.amount, row.currency, exact=True)
            messages.success(request, f"Saved the spend of {amount} on {formats.day(row.on)}.")
            return redirect("roi-spend", ws=request.workspace.slug)
    context = {
        "row": row,
        "error": error,
        "posted": posted
        or {
            "on": row.on.isoformat(),
            "amount": row.amount,
            "currency": row.currency,
            "channel": row.channel,
            "stage": row.stage,
            "campaign": row.campaign,
            "note": row.note,
        },
        "stages": STAGE_CHOICES,
        "channels": queries.channels_of(request.workspace),
    }
    return render_page(
        request, "roi/spend_edit.html", context, status=error.status if error else 200
    )


@require_POST
@workspace_view()
def spend_delete(request: HttpRequest, spend_id: int) -> HttpResponse:
    row = queries.spend_for(request.workspace, spend_id)
    services.delete_spend(row, actor=request.user)
    messages.success(
        request,
        f"Deleted the spend of {formats.money(row.amount, row.currency, exact=True)} on {row.on}.",
    )
    return redirect("roi-spend", ws=request.workspace.slug)


# ---- time -------------------------------------------------------------------------------------


@require_POST
@workspace_view()
def time_log(request: HttpRequest, number: int) -> HttpResponse:
    card = board_queries.card_for(request.workspace, number)
    data = request.POST
    member = data.get("member", "").strip()
    try:
        if not (member.isascii() and member.isdigit()):
            raise InvalidInput("choose who did the work", field="member")
        log = services.log_time(
            card,
            member=int(member),
            on=data.get("on", ""),
            hours=data.get("hours", ""),
            note=data.get("note", ""),
            actor=request.user,
        )
    except LeanmarkError as error:
        messages.error(
            request,
            f"Time not logged on #{card.number}: {error.message} "
            f"(you entered {data.get('hours', '')[:10]} h on {data.get('on', '')[:10]}).",
        )
    else:
        messages.success(
            request, f"Logged {domain.plain(log.hours)} h on #{card.number} for {log.member.label}."
        )
    return redirect("card", ws=request.workspace.slug, number=card.number)


@require_POST
@workspace_view()
def time_delete(request: HttpRequest, log_id: int) -> HttpResponse:
    log = queries.time_log_for(request.workspace, log_id)
    number = log.card.number
    try:
        services.delete_time_log(
            log, actor=request.user, is_owner=request.membership.allows(Role.OWNER)
        )
    except LeanmarkError as error:
        messages.error(request, f"Not deleted: {error.message}.")
    else:
        messages.success(request, f"Deleted {domain.plain(log.hours)} h from #{number}.")
    if request.POST.get("next") == "time":  # back to the page of the list it was on
        page = request.POST.get("page", "")
        url = reverse("roi-time", kwargs={"ws": request.workspace.slug})
        return redirect(f"{url}?page={page}" if page.isascii() and page.isdigit() else url)
    return redirect("card", ws=request.workspace.slug, number=number)


@require_GET
@workspace_view()
def time_list(request: HttpRequest) -> HttpResponse:
    paging = paged(request, queries.time_logs(request.workspace, limit=None))
    return render_page(
        request,
        "roi/time.html",
        {"paging": paging, "can_write": request.membership.allows(Role.MEMBER)},
    )


# ---- settings and hourly costs (owner only, reading included) --------------------------------


def _settings_context(request: HttpRequest, **extra: Any) -> dict[str, Any]:
    return {
        "settings": queries.settings_of(request.workspace),
        "members": queries.members_with_costs(request.workspace),
        "metrics": services.customer_metric_keys(request.workspace),
        "posted": QueryDict(),
        **extra,
    }


def _percent(raw: str, field: str, label: str) -> Decimal:
    value = services.clean_decimal(
        raw.strip().rstrip("%"), field, label=label, maximum=Decimal(100), places="0.01"
    )
    return value / 100


@require_http_methods(["GET", "POST"])
@workspace_view(read=Role.OWNER, write=Role.OWNER)
def settings_page(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        data = request.POST
        try:
            services.update_settings(
                request.workspace,
                currency=data.get("currency", ""),
                contribution_margin=_percent(
                    data.get("contribution_margin", ""),
                    "contribution_margin",
                    "contribution margin",
                ),
                gross_margin=_percent(data.get("gross_margin", ""), "gross_margin", "gross margin"),
                revenue_per_customer=data.get("revenue_per_customer", ""),
                monthly_churn=_percent(data["monthly_churn"], "monthly_churn", "monthly churn")
                if data.get("monthly_churn", "").strip()
                else None,
                lifetime_value=data.get("lifetime_value", ""),
                customers_metric=data.get("customers_metric", ""),
                actor=request.user,
            )
        except LeanmarkError as error:
            context = _settings_context(request, error=error, posted=data)
            return render_page(request, "roi/settings.html", context, status=error.status)
        messages.success(request, "ROI settings saved.")
        return redirect("roi-settings", ws=request.workspace.slug)
    return render_page(request, "roi/settings.html", _settings_context(request))


@require_POST
@workspace_view(read=Role.OWNER, write=Role.OWNER)
def hourly_cost(request: HttpRequest, user_id: int) -> HttpResponse:
    try:
        services.set_hourly_cost(
            request.workspace, user_id, request.POST.get("hourly_cost", ""), actor=request.user
        )
    except LeanmarkError as error:
        context = _settings_context(
            request, cost_error=error, cost_user=user_id, posted=request.POST
        )
        return render_page(request, "roi/settings.html", context, status=error.status)
    messages.success(request, "Hourly cost saved.")
    return redirect("roi-settings", ws=request.workspace.slug)


# ---- allocation -------------------------------------------------------------------------------


def _float(raw: str, field: str, label: str) -> float | None:
    text = raw.strip().replace(",", "")
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        raise InvalidInput(f"the {label} {raw[:20]!r} is not a number", field=field) from None
    if value != value or value in (float("inf"), float("-inf")):
        raise InvalidInput(f"the {label} must be a finite number", field=field)
    return value


def _bounds(data: QueryDict, channels: list[str]) -> dict[str, domain.Bounds]:
    bounds = {}
    for channel in channels:
        low = _float(data.get(f"min_{channel}", ""), f"min_{channel}", f"minimum of {channel}")
        high = _float(data.get(f"max_{channel}", ""), f"max_{channel}", f"maximum of {channel}")
        if low is not None or high is not None:
            bounds[channel] = domain.Bounds(low or 0.0, high)
    return bounds


def _step_limit(data: QueryDict) -> float:
    """The step limit from the form's percentage (default 20 %)."""
    raw = data.get("max_move", "").strip().rstrip("%").strip()
    if not raw:
        return services.clean_max_move(None)
    percent = services.clean_decimal(
        raw, "max_move", label="step limit", maximum=Decimal(100), places="0.01"
    )
    return float(percent / 100)


CURVE_MODELS = [
    (curve_fits.AUTO, "best fit (log or Hill, by AICc)"),
    ("log", "log: a·ln(1 + x/b)"),
    ("hill", "Hill: top·xˢ ÷ (xˢ + kˢ)"),
]


def _allocation_context(request: HttpRequest, data: QueryDict) -> dict[str, Any]:
    unit = data.get("unit", Unit.MONEY)
    if unit not in Unit.values:
        unit = Unit.MONEY
    settings = queries.settings_of(request.workspace)
    unit_label = settings.currency if unit == Unit.MONEY else "hours"
    model = data.get("model", "")
    if model not in dict(CURVE_MODELS):
        model = curve_fits.AUTO
    curve_set = queries.curves(request.workspace, unit=unit, today=_today(request), model=model)
    channels = sorted(curve_set.curves)
    error, view = None, None
    try:
        budget = _float(data.get("budget", ""), "budget", "budget")
        bounds = _bounds(data, channels)
        max_move = _step_limit(data)
        objective, target = services.clean_objective(
            data.get("objective", ""), data.get("target", "")
        )
        if curve_set.curves:
            view = queries.allocation(
                request.workspace,
                unit=unit,
                today=_today(request),
                budget=budget,
                bounds=bounds,
                curve_set=curve_set,
                max_move=max_move,
                objective=objective,
                target=target,
                # a what-if change shows the split at once and fetches its range afterwards
                with_band=not getattr(request, "htmx", False) or bool(data.get("band")),
            )
    except LeanmarkError as exc:
        error = exc
    current_total = sum(curve_set.current.get(c, 0.0) for c in channels)
    shown_budget = view.allocation.budget if view else (data.get("budget") or current_total)
    slider_max = max(current_total * 3, float(view.allocation.budget if view else 0) * 2, 100)
    return {
        "unit": unit,
        "units": Unit.choices,
        "unit_label": unit_label,
        "currency": settings.currency,
        "curve_set": curve_set,
        "channels": channels,
        "view": view,
        "error": error,
        "data": data,
        "budget": shown_budget,
        "current_total": current_total,
        "slider_max": round(slider_max, -2) or 100,
        "slider_step": max(round(slider_max / 200, -1), 1),
        "curves_chart": charts.response_curves(
            curve_set.curves, curve_set.history, view.allocation if view else None, unit_label
        ),
        "split_chart": charts.allocation_bars(view.allocation, unit_label) if view else None,
        "plans": queries.plans(request.workspace),
        "can_write": request.membership.allows(Role.MEMBER),
        "next_month": domain.add_months(_today(request).replace(day=1), 1).strftime("%Y-%m"),
        "rows": _rows(view, curve_set, data),
        "model": model,
        "models": CURVE_MODELS,
        "band": view.band if view else None,
        "band_pending": view.band_pending if view else False,
        "band_url": f"{request.path}?{urlencode({**data.dict(), 'band': '1'})}",
        "objectives": Objective.choices,
        "objective": data.get("objective", "") or Objective.RETURN,
        "target": data.get("target", ""),
        "max_move": data.get("max_move", "") or "20",
        "checks": CheckKind.choices,
        "boards": board_queries.boards_of(request.workspace),
        "steps": queries.steps_of(request.workspace, limit=20),
        "moves": services.moves_of(view.allocation) if view else [],
        "test_start": _next_month(request),
        "test_end": domain.add_months(_next_month(request), 1) - timedelta(days=1),
    }


def _next_month(request: HttpRequest) -> date:
    return domain.add_months(_today(request).replace(day=1), 1)


def _rows(view: queries.AllocationView | None, curve_set: queries.CurveSet, data: QueryDict):
    splits = {s.channel: s for s in view.allocation.splits} if view else {}
    return [
        {
            "channel": channel,
            "curve": curve,
            "manual": curve_set.manual.get(channel),
            "split": splits.get(channel),
            "min": data.get(f"min_{channel}", ""),
            "max": data.get(f"max_{channel}", ""),
            "months": curve_set.history.get(channel, []),
        }
        for channel, curve in sorted(curve_set.curves.items())
    ]


@require_GET
@workspace_view()
def allocation(request: HttpRequest) -> HttpResponse:
    context = _allocation_context(request, request.GET)
    status = context["error"].status if context["error"] else 200
    return render_page(request, "roi/allocation.html", context, fragment="result", status=status)


@require_POST
@workspace_view()
def curve_save(request: HttpRequest) -> HttpResponse:
    data = request.POST
    try:
        curve = services.save_curve(
            request.workspace,
            channel=data.get("channel", ""),
            unit=data.get("unit", Unit.MONEY),
            a=data.get("a", ""),
            b=data.get("b", ""),
            note=data.get("note", ""),
            actor=request.user,
        )
    except LeanmarkError as error:
        messages.error(
            request,
            f"Curve not saved: {error.message} (you entered a = {data.get('a', '')[:20]}, "
            f"b = {data.get('b', '')[:20]} for {data.get('channel', '')[:60] or 'no channel'}).",
        )
        return redirect(_allocation_url(request, data.get("unit", Unit.MONEY)))
    messages.success(request, f"Curve for {curve.channel} saved: it replaces the fitted one.")
    return redirect(_allocation_url(request, curve.unit))


def _allocation_url(request: HttpRequest, unit: str) -> str:
    url = reverse("roi-allocation", kwargs={"ws": request.workspace.slug})
    return f"{url}?{urlencode({'unit': unit if unit in Unit.values else Unit.MONEY})}"


@require_POST
@workspace_view()
def curve_delete(request: HttpRequest, curve_id: int) -> HttpResponse:
    curve = queries.curve_for(request.workspace, curve_id)
    services.delete_curve(curve, actor=request.user)
    messages.success(request, f"Hand-entered curve for {curve.channel} removed; the fit is used.")
    return redirect(_allocation_url(request, curve.unit))


@require_POST
@workspace_view()
def plan_save(request: HttpRequest) -> HttpResponse:
    data = request.POST
    context = _allocation_context(request, data)
    view = context["view"]
    try:
        if context["error"]:
            raise context["error"]
        if view is None:
            raise InvalidInput("there is no allocation to save yet", field="budget")
        month_text = data.get("month", "").strip()
        try:
            month = date.fromisoformat(f"{month_text}-01")
        except ValueError:
            raise InvalidInput(
                f"the month {month_text[:10]!r} is not a month (YYYY-MM)", field="month"
            ) from None
        plan = services.save_plan(
            request.workspace,
            view.allocation,
            curves=view.curves.curves,
            bounds=view.bounds,
            name=data.get("name", ""),
            month=month,
            unit=context["unit"],
            actor=request.user,
        )
    except LeanmarkError as error:
        context["error"] = error
        return render_page(request, "roi/allocation.html", context, status=error.status)
    messages.success(request, f"Plan {plan.name!r} saved.")
    return redirect("roi-plan", ws=request.workspace.slug, plan_id=plan.pk)


@require_GET
@workspace_view()
def plan_detail(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = queries.plan_for(request.workspace, plan_id)
    rows = queries.plan_vs_actual(plan, today=_today(request))
    share = queries.month_share(plan.month, _today(request))
    settings = queries.settings_of(request.workspace)
    return render_page(
        request,
        "roi/plan.html",
        {
            "plan": plan,
            "rows": rows,
            "lines": list(plan.lines.all()),
            "unit_label": settings.currency if plan.unit == Unit.MONEY else "hours",
            "can_write": request.membership.allows(Role.MEMBER),
            "total_actual": sum((r.actual for r in rows), Decimal(0)),
            "total_actual_return": sum((r.actual_return for r in rows), Decimal(0)),
            "month_over": share == 1,
            "share": share,
            "total_planned_so_far": sum((r.planned_so_far for r in rows), Decimal(0)),
            "total_expected_so_far": sum((r.expected_so_far for r in rows), Decimal(0)),
        },
    )


@require_POST
@workspace_view()
def plan_delete(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = queries.plan_for(request.workspace, plan_id)
    services.delete_plan(plan, actor=request.user)
    messages.success(request, f"Plan {plan.name!r} deleted.")
    return redirect("roi-allocation", ws=request.workspace.slug)


# ---- test steps: the moves of a run as cards, and their measured results ------------------------


def _step_link(request: HttpRequest) -> Any:
    def link(step: Any) -> str:
        return reverse("roi-step", kwargs={"ws": request.workspace.slug, "step_id": step.pk})

    return link


def _board_of(request: HttpRequest, raw: str) -> Any:
    text = raw.strip()
    board = (
        board_queries.board_in(request.workspace, int(text))
        if text.isascii() and text.isdigit() and 0 < int(text) < 2**63
        else None
    )
    if board is None:
        raise InvalidInput("choose the board the test cards go on", field="board")
    return board


@require_POST
@workspace_view()
def steps_create(request: HttpRequest) -> HttpResponse:
    data = request.POST
    context = _allocation_context(request, data)
    view = context["view"]
    try:
        if context["error"]:
            raise context["error"]
        if view is None:
            raise InvalidInput("there is no allocation to test yet", field="budget")
        board = _board_of(request, data.get("board", ""))
        check = services.clean_check(
            data.get("check", ""),
            data.get("starts_on", ""),
            data.get("ends_on", ""),
            _percent(data["holdout_share"], "holdout_share", "holdout share")
            if data.get("holdout_share", "").strip()
            else None,
        )
        plan, steps = services.create_steps(
            request.workspace,
            view.allocation,
            curves=view.curves.curves,
            bounds=view.bounds,
            board=board,
            check=check,
            name=data.get("name", ""),
            month=check.starts_on.replace(day=1),
            unit=context["unit"],
            actor=request.user,
            link=_step_link(request),
        )
    except LeanmarkError as error:
        context["error"] = error
        return render_page(request, "roi/allocation.html", context, status=error.status)
    messages.success(
        request,
        f"{len(steps)} test card(s) on {board.name}: "
        + ", ".join(f"#{s.card.number} {s.card.title}" for s in steps if s.card)
        + f". The run is saved as {plan.name!r}.",
    )
    return redirect(_allocation_url(request, context["unit"]))


def _step_context(request: HttpRequest, step: Any, **extra: Any) -> dict[str, Any]:
    settings = queries.settings_of(request.workspace)
    before = services.StepCheck(step.check_kind, step.starts_on, step.ends_on).before
    return {
        "step": step,
        "unit_label": settings.currency if step.unit == Unit.MONEY else "hours",
        "before": before,
        "can_write": request.membership.allows(Role.MEMBER),
        "posted": QueryDict(),
        **extra,
    }


@require_http_methods(["GET", "POST"])
@workspace_view()
def step_detail(request: HttpRequest, step_id: int) -> HttpResponse:
    step = queries.step_for(request.workspace, step_id)
    if request.method == "POST":
        data = request.POST
        try:
            services.record_step_result(
                step,
                spend=data.get("spend", ""),
                ret=data.get("return", ""),
                note=data.get("note", ""),
                actor=request.user,
                today=_today(request),
            )
        except LeanmarkError as error:
            step = queries.step_for(request.workspace, step_id)
            context = _step_context(request, step, error=error, posted=data)
            return render_page(request, "roi/step.html", context, status=error.status)
        messages.success(request, f"Result recorded; the curve of {step.channel} is refitted.")
        return redirect("roi-step", ws=request.workspace.slug, step_id=step.pk)
    return render_page(request, "roi/step.html", _step_context(request, step))
