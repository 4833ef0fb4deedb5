"""Backlog pages: the ranked list, capture (from any page), triage, one idea, CSV import."""

from datetime import date
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from leanmark.accounts.models import Role
from leanmark.board.errors import OverrideReasonRequired
from leanmark.domain.hourglass import STAGE_CHOICES
from leanmark.domain.value import MODEL_LABELS, Model, fmt
from leanmark.lib.access import workspace_view
from leanmark.lib.errors import InvalidInput, LeanmarkError
from leanmark.lib.htmx import render_page
from leanmark.lib.markdown import render as markdown

from . import charts, queries, services
from .models import PROFILE_CHOICES, Idea, Status, ValueUnit

MODELS = [(m.value, MODEL_LABELS[m]) for m in Model]
STATUS_CHOICES = [("open", "Open (new, evaluated, accepted)"), ("all", "All"), *Status.choices]


PAGE = 100  # rows drawn before "show all"; the ranking and the chart always cover every idea


def _with_query(request: HttpRequest, **changes: str) -> str:
    query = request.GET.copy()
    for key, value in changes.items():
        query[key] = value
    return f"{request.path}?{query.urlencode()}"


def _model(request: HttpRequest) -> Model:
    raw = request.GET.get("model", "")
    return (
        Model(raw) if raw in {m.value for m in Model} else queries.default_model(request.workspace)
    )


def _on(request: HttpRequest) -> tuple[date, str]:
    """The ranking date from ?on=, or today; a bad date falls back to today with a message."""
    raw = (request.GET.get("on") or "").strip()
    today = queries.today(request.workspace)
    if not raw:
        return today, ""
    try:
        return date.fromisoformat(raw), ""
    except ValueError:
        return today, f"{raw[:20]!r} is not a date (YYYY-MM-DD); ranked for today instead"


def _can_write(request: HttpRequest) -> bool:
    return request.membership.allows(Role.MEMBER)


def _back(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return fallback


def _list_url(request: HttpRequest) -> str:
    return reverse("backlog", kwargs={"ws": request.workspace.slug})


def _idea_url(request: HttpRequest, idea: Idea) -> str:
    return reverse("backlog-idea", kwargs={"ws": request.workspace.slug, "idea_id": idea.pk})


# ---- the ranked backlog -------------------------------------------------------------------------


def _backlog_context(request: HttpRequest, **extra: Any) -> dict[str, Any]:
    model = _model(request)
    on, on_error = _on(request)
    filters = queries.IdeaFilters.from_query(request.GET)
    rows = queries.ranked_ideas(request.workspace, model=model, on=on, filters=filters)
    base = reverse("backlog-idea", kwargs={"ws": request.workspace.slug, "idea_id": 0})[:-2]
    chart = charts.cd3_against_duration(rows, on=on, url_base=base)
    show_all = request.GET.get("all") == "1"
    return {
        "rows": rows if show_all else rows[:PAGE],
        "total": len(rows),
        "more": 0 if show_all else max(0, len(rows) - PAGE),
        "all_url": _with_query(request, all="1"),
        "model": model,
        "model_label": MODEL_LABELS[model],
        "default_model": queries.default_model(request.workspace),
        "models": MODELS,
        "on": on,
        "is_today": on == queries.today(request.workspace),
        "on_error": on_error,
        "filters": filters,
        "statuses": STATUS_CHOICES,
        "bulk_statuses": [(v, label) for v, label in Status.choices if v != Status.EVALUATED],
        "stages": STAGE_CHOICES,
        "channels": queries.channels_of(request.workspace),
        "counts": queries.status_counts(request.workspace),
        "chart": chart if chart["data"]["values"] else None,
        "can_write": _can_write(request),
        "is_owner": request.membership.allows(Role.OWNER),
        "here": request.get_full_path(),
        **extra,
    }


@require_GET
@workspace_view()
def backlog(request: HttpRequest) -> HttpResponse:
    return render_page(request, "backlog/backlog.html", _backlog_context(request), fragment="ideas")


@require_POST
@workspace_view()
def capture(request: HttpRequest) -> HttpResponse:
    """The one-line capture box (any page, keys i and n): Enter saves, the box stays open."""
    data = request.POST
    try:
        idea = services.capture_idea(
            request.workspace,
            title=data.get("title", ""),
            actor=request.user,
            stage=data.get("stage", ""),
            channel=data.get("channel", ""),
        )
    except LeanmarkError as error:
        if request.htmx:
            context = {"capture_error": error, "posted": data, "stages": STAGE_CHOICES}
            return render_page(
                request, "backlog/capture.html", context, fragment="capture-form", status=422
            )
        messages.error(request, f"Idea not saved: {error.message}")
        return redirect(_back(request, _list_url(request)))
    if request.htmx:
        return render_page(
            request,
            "backlog/capture.html",
            {"saved": idea, "posted": QueryDict(), "stages": STAGE_CHOICES},
            fragment="capture-form",
            trigger="ideaCaptured",
        )
    messages.success(request, f"Idea {idea.pk} captured: {idea.title}")
    return redirect(_back(request, _list_url(request)))


@require_POST
@workspace_view()
def bulk(request: HttpRequest) -> HttpResponse:
    data = request.POST
    try:
        ids = [int(raw) for raw in data.getlist("ids") if raw.isascii() and raw.isdigit()]
        changed = services.bulk_set_status(
            request.workspace,
            ids,
            status=data.get("status", ""),
            reason=data.get("reason", ""),
            actor=request.user,
        )
    except LeanmarkError as error:
        messages.error(request, f"Nothing changed: {error.message}")
    else:
        messages.success(request, f"{changed} idea(s) now {data.get('status')}.")
    return redirect(_back(request, _list_url(request)))


@require_POST
@workspace_view(write=Role.OWNER)
def settings(request: HttpRequest) -> HttpResponse:
    try:
        chosen = services.set_default_model(
            request.workspace, request.POST.get("default_model", ""), actor=request.user
        )
    except LeanmarkError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, f"The backlog is now ranked by {MODEL_LABELS[Model(chosen.default_model)]}."
        )
    return redirect(_list_url(request))


# ---- one idea -----------------------------------------------------------------------------------


def _stored(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    # No thousands separators in an input's value: "3000", not "3,000".
    return fmt(float(value)).replace(",", "") if not isinstance(value, str) else value


def _form_values(idea: Idea, posted: QueryDict) -> dict[Model, dict[str, str]]:
    """Each score form's values: what was just posted (after a refusal), else what is stored."""
    stored = {
        Model.ICE: {k: idea.__dict__[f"ice_{k}"] for k in ("impact", "confidence", "ease")},
        Model.RICE: {
            k: idea.__dict__[f"rice_{k}"] for k in ("reach", "impact", "confidence", "effort")
        },
        Model.CD3: {
            "profile": idea.cod_profile,
            "value_rate": idea.value_rate,
            "value_unit": idea.value_unit,
            "duration_weeks": idea.duration_weeks,
            "deadline": idea.deadline,
            "penalty": idea.penalty,
            "horizon": idea.horizon,
        },
    }
    values = {}
    for model, fields in stored.items():
        if posted.get("model") == model.value:
            values[model] = {k: posted.get(k, "") for k in fields}
        else:
            values[model] = {k: _stored(v) for k, v in fields.items()}
    return values


def _idea_context(request: HttpRequest, idea: Idea, **extra: Any) -> dict[str, Any]:
    on, _ = _on(request)
    scores = queries.scores_of(idea, on)
    default = queries.default_model(request.workspace)
    values = _form_values(idea, extra.get("posted") or QueryDict())
    order = [default, *(m for m in Model if m != default)]
    return {
        "idea": idea,
        "description_html": markdown(idea.description),
        "scores": [(m, MODEL_LABELS[m], scores[m], values[m]) for m in order],
        "default_model": default,
        "cod": queries.cost_of_delay(idea),
        "history": queries.history(idea),
        "on": on,
        "stages": STAGE_CHOICES,
        "profiles": PROFILE_CHOICES,
        "units": ValueUnit.choices,
        "rice_impacts": ["3", "2", "1", "0.5", "0.25"],
        "rice_confidences": ["100", "80", "50"],
        "calibration": {
            m: queries.calibration(request.workspace, m) for m in (Model.ICE, Model.RICE)
        },
        "can_write": _can_write(request),
        "posted": extra.pop("posted", QueryDict()),
        **extra,
    }


@require_GET
@workspace_view()
def idea_detail(request: HttpRequest, idea_id: int) -> HttpResponse:
    idea = queries.idea_for(request.workspace, idea_id)
    return render_page(request, "backlog/idea.html", _idea_context(request, idea))


def _idea_error(
    request: HttpRequest, idea: Idea, error: LeanmarkError, **extra: Any
) -> HttpResponse:
    idea = queries.idea_for(request.workspace, idea.pk)
    context = _idea_context(request, idea, error=error, posted=request.POST, **extra)
    return render_page(request, "backlog/idea.html", context, status=error.status)


@require_POST
@workspace_view()
def idea_edit(request: HttpRequest, idea_id: int) -> HttpResponse:
    idea = queries.idea_for(request.workspace, idea_id)
    data = request.POST
    changes = {name: data[name] for name in services.CLEANERS if name in data}
    try:
        version = data.get("version", "")
        expected = int(version) if version.isascii() and version.isdigit() else None
        services.edit_idea(idea, changes=changes, actor=request.user, expected_version=expected)
    except LeanmarkError as error:
        return _idea_error(request, idea, error, failed="edit")
    messages.success(request, "Idea saved.")
    return redirect(_idea_url(request, idea))


@require_POST
@workspace_view()
def idea_score(request: HttpRequest, idea_id: int) -> HttpResponse:
    idea = queries.idea_for(request.workspace, idea_id)
    data = request.POST
    model = data.get("model", "")
    try:
        idea = services.score_idea(idea, model=model, values=data.dict(), actor=request.user)
    except LeanmarkError as error:
        if data.get("next") == "triage":
            return _triage_page(request, idea, error=error, posted=data, status=error.status)
        return _idea_error(request, idea, error, failed=f"score-{model}")
    score = queries.score_of(idea, Model(model), queries.today(request.workspace))
    messages.success(request, f"Scored: {score.explanation if score else model}")
    if data.get("next") == "triage":
        return redirect(_triage_url(request, idea))
    return redirect(_idea_url(request, idea))


@require_POST
@workspace_view()
def idea_status(request: HttpRequest, idea_id: int) -> HttpResponse:
    idea = queries.idea_for(request.workspace, idea_id)
    data = request.POST
    try:
        idea = services.set_status(
            idea, status=data.get("status", ""), reason=data.get("reason", ""), actor=request.user
        )
    except LeanmarkError as error:
        if data.get("next") == "triage":
            return _triage_page(request, idea, error=error, posted=data, status=error.status)
        return _idea_error(request, idea, error, failed="status")
    label = idea.get_status_display().lower()
    messages.success(
        request,
        f"Idea {idea.pk} {label}" + (f": {idea.status_reason}" if idea.status_reason else "."),
    )
    if data.get("next") == "triage":
        return redirect(_triage_url(request, None))
    return redirect(_back(request, _idea_url(request, idea)))


@require_POST
@workspace_view()
def idea_start(request: HttpRequest, idea_id: int) -> HttpResponse:
    idea = queries.idea_for(request.workspace, idea_id)
    try:
        card = services.start_idea(idea, actor=request.user, reason=request.POST.get("reason", ""))
    except LeanmarkError as error:
        if request.POST.get("next") and not isinstance(error, OverrideReasonRequired):
            messages.error(request, f"Not started: {error.message}")
            return redirect(_back(request, _idea_url(request, idea)))
        return _idea_error(
            request, idea, error, failed="start", override=isinstance(error, OverrideReasonRequired)
        )
    link = reverse("card", kwargs={"ws": request.workspace.slug, "number": card.number})
    messages.success(request, f"Started as card #{card.number} in {card.column.name} ({link}).")
    return redirect(_back(request, _idea_url(request, idea)))


@require_POST
@workspace_view()
def idea_delete(request: HttpRequest, idea_id: int) -> HttpResponse:
    idea = queries.idea_for(request.workspace, idea_id)
    title = idea.title
    services.delete_idea(idea, actor=request.user)
    messages.success(request, f"Idea deleted: {title}")
    return redirect(_list_url(request))


# ---- triage -------------------------------------------------------------------------------------


def _triage_url(request: HttpRequest, idea: Idea | None) -> str:
    url = reverse("backlog-triage", kwargs={"ws": request.workspace.slug})
    return f"{url}?{urlencode({'idea': idea.pk})}" if idea is not None else url


def _triage_page(
    request: HttpRequest, idea: Idea | None, *, status: int = 200, **extra: Any
) -> HttpResponse:
    queue = queries.triage_queue(request.workspace)
    position = next((i for i, q in enumerate(queue) if idea and q.pk == idea.pk), None)
    following = queue[position + 1 :] if position is not None else queue
    posted = extra.pop("posted", QueryDict())
    context: dict[str, Any] = {"can_write": _can_write(request), "posted": posted}
    if idea is not None:
        context.update(_idea_context(request, idea, posted=posted))
    context.update(
        queue=queue,
        position=None if position is None else position + 1,
        next_idea=next((q for q in following if idea is None or q.pk != idea.pk), None),
        triage=True,
        **extra,
    )
    return render_page(request, "backlog/triage.html", context, status=status)


@require_GET
@workspace_view()
def triage(request: HttpRequest) -> HttpResponse:
    """Undecided ideas (new, then evaluated), one after another, scored from the keyboard."""
    queue = queries.triage_queue(request.workspace)
    wanted = request.GET.get("idea", "")
    idea = queue[0] if queue else None
    if wanted.isascii() and wanted.isdigit() and len(wanted) < 19:
        idea = queries.idea_for(request.workspace, int(wanted))
    return _triage_page(request, idea)


# ---- CSV import ---------------------------------------------------------------------------------


def _import_context(**extra: Any) -> dict[str, Any]:
    return {
        "columns": services.CSV_COLUMNS.items(),
        "max_mb": services.CSV_MAX_BYTES // (1024 * 1024),
        **extra,
    }


@require_GET
@workspace_view()
def import_form(request: HttpRequest) -> HttpResponse:
    return render_page(
        request, "backlog/import.html", _import_context(can_write=_can_write(request))
    )


@require_POST
@workspace_view()
def import_upload(request: HttpRequest) -> HttpResponse:
    upload = request.FILES.get("file")
    error: LeanmarkError | None = None
    if upload is None:
        error = InvalidInput("choose a CSV file to import", field="file")
    elif upload.size and upload.size > services.CSV_MAX_BYTES:
        error = services.ImportRejected(
            f"the file is larger than {services.CSV_MAX_BYTES // (1024 * 1024)} MB"
        )
    else:
        try:
            result = services.import_csv(request.workspace, upload.read(), actor=request.user)
        except LeanmarkError as exc:
            error = exc
    if error is not None:
        context = _import_context(
            can_write=True,
            error=error,
            problems=getattr(error, "problems", []),
            filename=getattr(upload, "name", ""),
        )
        return render_page(request, "backlog/import.html", context, status=422)
    messages.success(request, f"{len(result.created)} idea(s) imported from {upload.name}.")
    return redirect(_list_url(request))
