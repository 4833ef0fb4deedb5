"""Pages of the metrics dashboard: the dashboard, a metric's chart, metrics and targets, the
entry grid, CSV import, the layout and the funnel."""

from datetime import date, datetime, time, timedelta
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from leanmark.accounts.models import Role
from leanmark.domain.hourglass import Stage
from leanmark.domain.metrics import (
    FIRST_YEAR,
    YEARS,
    Period,
    attainment,
    outside_years,
    period_start,
    prorated,
    verdict,
)
from leanmark.experiments import queries as experiments_queries
from leanmark.improvement import queries as improvement_queries
from leanmark.lib.access import workspace_view
from leanmark.lib.htmx import render_page

from . import charts, csvimport, queries, services
from .errors import ImportRejected, MetricError
from .models import STAGE_CHOICES, Aggregation, Kind, PeriodChoice

PERIOD_LETTERS = (("day", "D"), ("week", "W"), ("month", "M"), ("year", "Y"))
GRID_DAYS = 14
MAX_CHART_DAYS = {
    Period.DAY: 366,
    Period.WEEK: 5 * 366,
    Period.MONTH: 20 * 366,
    Period.YEAR: 60 * 366,
}


def _period(request: HttpRequest, default: str = "week") -> Period:
    raw = request.GET.get("period", default)
    return Period(raw) if raw in Period.__members__.values() else Period(default)


def _day_or_today(request: HttpRequest, name: str) -> date:
    """The day in ``?name=``, at most today; today when it is absent or not a date, and, with a
    message, when it is outside the years 1900 to 2100 (0001-01-01 answered 500)."""
    today = queries.today(request.workspace, timezone.now())
    raw = request.GET.get(name, "").strip()
    try:
        day = date.fromisoformat(raw) if raw else today
    except ValueError:
        return today
    if outside_years(day):
        messages.error(request, f"{name}={day} is outside {YEARS}; showing today instead.")
        return today
    return min(day, today)


def _as_of(request: HttpRequest) -> date:
    return _day_or_today(request, "as_of")


def _can_write(request: HttpRequest) -> bool:
    return request.membership.allows(Role.MEMBER)


# ---- the dashboard ------------------------------------------------------------------------------


def _spark(tile: queries.Tile) -> charts.Sparkline:
    summed = tile.info.aggregation.value == "sum"
    return charts.sparkline(tile.spark, partial=tile.spark_partial, summed=summed)


@require_GET
@workspace_view()
def dashboard(request: HttpRequest) -> HttpResponse:
    period, as_of = _period(request), _as_of(request)
    view = queries.dashboard(request.workspace, period=period, as_of=as_of)
    context = {
        "view": view,
        "periods": PERIOD_LETTERS,
        "can_write": _can_write(request),
        "sparks": {
            tile.info.key: _spark(tile) for row in view.stages for tile in row.inputs + row.outputs
        }
        | {tile.info.key: _spark(tile) for tile in view.flow},
    }
    return render_page(request, "dashboard/dashboard.html", context, fragment="dash")


# ---- one metric ---------------------------------------------------------------------------------


def _annotations(request: HttpRequest, first: date, last: date) -> list[tuple[date, str, str]]:
    """PDCA change dates and experiment decisions in the range, drawn as rules on the chart."""
    found = improvement_queries.change_dates(request.workspace, start=first, end=last)
    found += experiments_queries.decisions(request.workspace, start=first, end=last)
    return sorted(found)


@require_GET
@workspace_view()
def metric_detail(request: HttpRequest, key: str) -> HttpResponse:
    info = queries.info_for(request.workspace, key)
    period = _period(request, "week")
    last = _as_of(request)
    first = queries.default_range(period, last)[0]
    raw_from = request.GET.get("from", "").strip()
    if raw_from:
        try:
            first = min(date.fromisoformat(raw_from), last)
        except ValueError:
            messages.error(request, f"{raw_from[:20]!r} is not a date (YYYY-MM-DD)")
    earliest = last - timedelta(days=MAX_CHART_DAYS[period])
    if first < earliest:
        messages.warning(
            request,
            f"Per {period.value}, a chart shows at most {MAX_CHART_DAYS[period] // 365 or 1} "
            f"year(s): it starts on {earliest:%d %b %Y}. Choose a longer period to see more.",
        )
        first = earliest
    first = max(first, date(FIRST_YEAR, 1, 1))  # where roll-ups start (queries.rollup_report)
    rows = queries.rollup_report(request.workspace, info, first=first, last=last, period=period)
    revisions = queries.target_revisions(info.metric) if info.metric else []
    tz = queries.tz_of(request.workspace)
    # A period under way is compared like for like (its days so far with the same days of the
    # period before, as on its tile), never as a fall against a whole period.
    # Today is under way too: its day (or a period ending today) reads "so far".
    under_way = queries.today(request.workspace, timezone.now())
    so_far = None
    if rows and (rows[-1].bucket.end > last or rows[-1].bucket.end >= under_way):
        [tile] = queries.tiles_for(request.workspace, [info], period=period, as_of=last)
        so_far = tile
    chart_rows, table = [], []
    for row in rows:
        target = row.target
        if revisions:  # the target in force at the end of each period, from its history
            end = datetime.combine(row.bucket.end + timedelta(days=1), time.min, tzinfo=tz)
            target = queries.target_at(revisions, period.value, end)
        partial = row.bucket.end > last or row.bucket.end >= under_way
        moved = so_far.change if partial and so_far is not None else row.change
        chart_rows.append(
            {
                "start": row.bucket.start,
                "end": row.bucket.end + timedelta(days=1),
                "label": row.bucket.label + (" (so far)" if partial else ""),
                "value": row.bucket.value,
                "target": target,
                "rows": row.bucket.rows,
                "change": moved.absolute,
                "partial": partial,
            }
        )
        due, attained = target, row.attainment
        if partial and target is not None and info.aggregation.value == "sum":
            due = prorated(target, row.bucket.start, last, period)
            attained = attainment(row.bucket.value, due, higher_is_better=info.higher_is_better)
        table.append(
            {
                "row": row,
                "partial": partial,
                "due": due,
                "attained": attained,
                "change": moved,
                "verdict": verdict(moved, higher_is_better=info.higher_is_better),
                # a day so far is against the whole day before: no "same days" to name
                "since": so_far.previous
                if partial and so_far is not None and period is not Period.DAY
                else None,
            }
        )
    annotations = _annotations(request, first, last)
    spec = charts.metric_chart(
        chart_rows,
        unit=info.unit,
        annotations=annotations,
        bars=info.aggregation.value == "sum",
        period=period.value,
    )
    targets = (
        {t.period: t.value for t in info.metric.targets.all()} if info.metric is not None else {}
    )
    context = {
        "info": info,
        "period": period,
        "periods": PERIOD_LETTERS,
        "first": first,
        "last": last,
        "rows": list(reversed(table)),
        "spec": spec,
        "annotations": annotations,
        "revisions": revisions,
        "targets": [(p, label, targets.get(p)) for p, label in PeriodChoice.choices],
        "can_write": _can_write(request),
        "is_owner": request.membership.allows(Role.OWNER),
        "time_zone": queries.tz_of(request.workspace),
    }
    return render_page(request, "dashboard/metric.html", context)


@require_POST
@workspace_view()
def target_set(request: HttpRequest, key: str) -> HttpResponse:
    info = queries.info_for(request.workspace, key)
    if info.metric is None:
        raise Http404("built-in metrics have no targets")
    data = request.POST
    try:
        revision = services.set_target(
            info.metric,
            period=data.get("period", ""),
            value=data.get("value", "").strip(),
            reason=data.get("reason", ""),
            actor=request.user,
        )
    except MetricError as error:
        messages.error(request, f"Target not saved: {error.message}")
        query = QueryDict(mutable=True)
        query.update(
            {
                "period": data.get("period", "week"),
                "target_value": data.get("value", ""),
                "target_reason": data.get("reason", ""),
            }
        )
        url = reverse("dashboard-metric", kwargs={"ws": request.workspace.slug, "key": key})
        return redirect(f"{url}?{query.urlencode()}")
    if revision is None:
        messages.success(request, "The target was already that; nothing changed.")
    else:
        messages.success(request, f"Target per {revision.period} saved.")
    return redirect("dashboard-metric", ws=request.workspace.slug, key=key)


# ---- metrics: list, create, edit, delete -------------------------------------------------------


def _metric_form_context(request: HttpRequest, **extra: Any) -> dict[str, Any]:
    return {
        "stages": STAGE_CHOICES,
        "kinds": Kind.choices,
        "aggregations": Aggregation.choices,
        "can_write": _can_write(request),
        "is_owner": request.membership.allows(Role.OWNER),
        **extra,
    }


def _metric_values(data: QueryDict) -> dict[str, Any]:
    return {
        "name": data.get("name", ""),
        "key": data.get("key", ""),
        "kind": data.get("kind", ""),
        "stage": data.get("stage", ""),
        "channel": data.get("channel", ""),
        "unit": data.get("unit", ""),
        "aggregation": data.get("aggregation", "sum"),
        "value_per_unit": data.get("value_per_unit", ""),
        "is_revenue": data.get("is_revenue") == "on",
        "higher_is_better": data.get("higher_is_better", "on") == "on",
        "description": data.get("description", ""),
    }


@require_http_methods(["GET", "POST"])
@workspace_view()
def metric_list(request: HttpRequest) -> HttpResponse:
    error, posted = None, None
    if request.method == "POST":
        posted = request.POST
        try:
            metric = services.create_metric(request.workspace, **_metric_values(posted))
        except MetricError as exc:
            error = exc
        else:
            messages.success(request, f"Metric {metric.name} created (key {metric.key}).")
            return redirect("dashboard-metric", ws=request.workspace.slug, key=metric.key)
    context = _metric_form_context(
        request,
        metrics=queries.metrics_of(request.workspace),
        builtins=queries.builtin_infos(),
        error=error,
        posted=posted,
    )
    return render_page(
        request, "dashboard/metrics.html", context, status=error.status if error else 200
    )


@require_http_methods(["GET", "POST"])
@workspace_view()
def metric_edit(request: HttpRequest, key: str) -> HttpResponse:
    info = queries.info_for(request.workspace, key)
    if info.metric is None:
        raise Http404("built-in metrics are computed, not edited")
    error, posted = None, None
    if request.method == "POST":
        posted = request.POST
        try:
            values = _metric_values(posted)
            if not values["key"].strip():
                values.pop("key")  # left empty: keep the key
            metric = services.update_metric(info.metric, **values)
        except MetricError as exc:
            error = exc
            info.metric.refresh_from_db()
        else:
            messages.success(request, f"Metric {metric.name} saved.")
            return redirect("dashboard-metric", ws=request.workspace.slug, key=metric.key)
    context = _metric_form_context(request, metric=info.metric, error=error, posted=posted)
    return render_page(
        request, "dashboard/metric_edit.html", context, status=error.status if error else 200
    )


@require_POST
@workspace_view(write=Role.OWNER)
def metric_delete(request: HttpRequest, key: str) -> HttpResponse:
    info = queries.info_for(request.workspace, key)
    if info.metric is None:
        raise Http404("built-in metrics cannot be deleted")
    if request.POST.get("confirm", "").strip() != info.metric.key:
        messages.error(request, f"Type the key {info.metric.key} to confirm the deletion.")
        return redirect("dashboard-metric-edit", ws=request.workspace.slug, key=key)
    count = services.delete_metric(info.metric)
    messages.success(request, f"Metric {info.name} deleted with its {count} measurement(s).")
    return redirect("dashboard-metrics", ws=request.workspace.slug)


# ---- the entry grid -----------------------------------------------------------------------------


@require_GET
@workspace_view()
def grid(request: HttpRequest) -> HttpResponse:
    today = queries.today(request.workspace, timezone.now())
    end = _day_or_today(request, "end")
    days = [end - timedelta(days=i) for i in range(GRID_DAYS)][::-1]
    metrics = queries.metrics_of(request.workspace)
    cells = queries.grid_cells([m.pk for m in metrics], days[0], days[-1])
    context = {
        "metrics": metrics,
        "days": days,
        "cells": cells,
        "earlier": (days[0] - timedelta(days=1)).isoformat(),
        "later": (end + timedelta(days=GRID_DAYS)).isoformat() if end < today else None,
        "can_write": _can_write(request),
    }
    return render_page(request, "dashboard/grid.html", context)


@require_POST
@workspace_view()
def grid_save(request: HttpRequest) -> HttpResponse:
    """Cells named ``c:<metric id>:<YYYY-MM-DD>``: values are upserted, emptied cells deleted,
    all or nothing."""
    metrics = {str(m.pk): m for m in queries.metrics_of(request.workspace)}
    rows, cleared, names, errors = [], [], [], []
    for field, raw in request.POST.items():
        if not field.startswith("c:"):
            continue
        _c, metric_id, day_text = [*field.split(":", 2), "", ""][:3]
        metric = metrics.get(metric_id)
        try:
            day = date.fromisoformat(day_text)
        except ValueError:
            day = None
        if metric is None or day is None:
            errors.append(f"{field[:40]}: no such cell")
            continue
        names.append(f"{metric.name} on {day:%d %b}")
        if raw.strip() == "":
            cleared.append((metric, day))
        else:
            rows.append(services.RowIn(len(names), metric.key, day, raw.strip()))  # type: ignore[arg-type]
    status, saved = 200, 0
    try:
        if errors:
            raise MetricError("; ".join(errors))
        if rows:
            result = services.upsert_measurements(
                request.workspace, rows, source="web", what="the grid"
            )
            saved = result.created + result.updated
        removed = services.delete_measurements(cleared) if cleared else 0
        text = f"Saved {saved} value(s)" + (f", cleared {removed}" if removed else "") + "."
        level = "ok"
    except ImportRejected as error:
        status, level = 422, "error"
        text = "Nothing saved: " + "; ".join(
            f"{names[e.line - 1]}: {e.message}" for e in error.errors[:8]
        )
    except MetricError as error:
        status, level, text = 422, "error", f"Nothing saved: {error.message}"
    return render_page(
        request,
        "dashboard/grid.html",
        {"status_text": text, "status_level": level},
        fragment="status",
        status=status,
        trigger="measurementsSaved" if status == 200 else None,
    )


# ---- CSV import ---------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@workspace_view()
def import_csv(request: HttpRequest) -> HttpResponse:
    context: dict[str, Any] = {
        "can_write": _can_write(request),
        "max_mb": csvimport.MAX_BYTES // 1_048_576,
    }
    status = 200
    if request.method == "POST":
        upload = request.FILES.get("file")
        text = request.POST.get("csv_text", "")
        apply = request.POST.get("action") == "import"
        try:
            if upload is not None:
                if upload.size > csvimport.MAX_BYTES:
                    raise MetricError(csvimport._too_big(upload.size), field="file")
                text = csvimport.decode(upload.read())
            if not text.strip():
                raise MetricError("choose a CSV file or paste its text", field="file")
            result = csvimport.import_csv(
                request.workspace,
                text,
                tz=queries.tz_of(request.workspace),
                source="csv",
                dry_run=not apply,
            )
        except ImportRejected as error:
            status = error.status
            context.update(error=error, line_errors=error.errors[:200], csv_text=text)
        except MetricError as error:
            status = error.status
            context.update(error=error, csv_text=text)
        else:
            if apply:
                messages.success(request, f"Imported: {result.summary}.")
                return redirect("dashboard-import", ws=request.workspace.slug)
            context.update(preview=result, changes=result.changes[:200], csv_text=text)
    return render_page(request, "dashboard/import.html", context, status=status)


# ---- layout -------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@workspace_view()
def layout(request: HttpRequest) -> HttpResponse:
    infos = queries.all_infos(request.workspace)
    saved = queries.layout_of(request.workspace)
    error = None
    if request.method == "POST":
        if request.POST.get("action") == "reset":
            services.reset_layout(request.workspace)
            messages.success(request, "The dashboard shows every metric again.")
            return redirect("dashboard", ws=request.workspace.slug)
        chosen = []
        for info in infos:
            if request.POST.get(f"show:{info.key}") == "on":
                raw = request.POST.get(f"order:{info.key}", "").strip()
                order = int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 6 else 9999
                chosen.append((order, len(chosen), info.key))
        try:
            services.save_layout(
                request.workspace,
                [key for *_o, key in sorted(chosen)],
                known={i.key for i in infos},
            )
        except MetricError as exc:
            error = exc
        else:
            messages.success(request, f"Dashboard layout saved: {len(chosen)} tile(s).")
            return redirect("dashboard", ws=request.workspace.slug)
    order = {key: i + 1 for i, key in enumerate(saved or [i.key for i in infos])}
    rows = sorted(
        (
            {
                "info": info,
                "shown": saved is None or info.key in order,
                "order": order.get(info.key),
            }
            for info in infos
        ),
        key=lambda r: (r["order"] is None, r["order"] or 0, r["info"].name),
    )
    context = {
        "rows": rows,
        "customised": saved is not None,
        "error": error,
        "can_write": _can_write(request),
    }
    return render_page(
        request, "dashboard/layout.html", context, status=error.status if error else 200
    )


# ---- the funnel ---------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@workspace_view()
def funnel(request: HttpRequest) -> HttpResponse:
    error = None
    if request.method == "POST":
        try:
            services.set_funnel(
                request.workspace,
                {s.value: request.POST.get(f"stage:{s.value}", "") for s in Stage},
            )
        except MetricError as exc:
            error = exc
        else:
            messages.success(request, "Funnel stages saved.")
            return redirect("dashboard-funnel", ws=request.workspace.slug)
    period = _period(request, "month")
    as_of = _as_of(request)
    first = queries.default_range(period, as_of)[0]
    view = queries.funnel_view(request.workspace, period=period, first=first, last=as_of)
    latest = view.latest
    drop_stage = None
    if latest is not None and latest.funnel.biggest_drop is not None:
        drop_stage = latest.funnel.conversions[latest.funnel.biggest_drop].to_stage
    context = {
        "view": view,
        "period": period,
        "periods": PERIOD_LETTERS,
        "stages": STAGE_CHOICES,
        "metrics": queries.metrics_of(request.workspace),
        "error": error,
        "can_write": _can_write(request),
        "latest": latest,
        "drop": latest.funnel.conversions[latest.funnel.biggest_drop]
        if latest is not None and latest.funnel.biggest_drop is not None
        else None,
        "funnel_spec": charts.funnel_chart(
            [(s.value, latest.volumes.get(s.value)) for s in Stage if s.value in view.steps],
            drop_stage,
        )
        if latest is not None and view.configured
        else None,
        "trend_spec": charts.conversion_trend_chart(
            [(p.start, p.label, p.funnel.conversions) for p in view.periods]
        )
        if view.configured
        else None,
        "recent": list(reversed(view.periods))[:12],
        "period_start": period_start(as_of, period),
    }
    return render_page(
        request, "dashboard/funnel.html", context, status=error.status if error else 200
    )
