"""Pages of value stream maps: the list, the map (drawing, summary, inline step editing with
drag and drop), the waste walk, future state and comparison, the hourglass view, and exports."""

from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from leanmark.accounts.models import Role
from leanmark.domain import vsm
from leanmark.lib.access import workspace_view
from leanmark.lib.errors import LeanmarkError
from leanmark.lib.htmx import render_page

from . import charts, exports, queries, services
from .drawing import draw
from .errors import ValueStreamError
from .models import (
    BASIS_CHOICES,
    MILESTONE_CHOICES,
    STAGE_CHOICES,
    UNIT_CHOICES,
    VALUE_CHOICES,
    WASTE_CHOICES,
    State,
    Step,
    ValueStream,
)

WINDOWS = (30, 90, 180, 365)
DEFAULT_WINDOW = 90
QUESTIONS = [
    ("why", "Why do we do this?"),
    ("value_to_customer", "What value does it give the customer?"),
    ("how_to_eliminate", "How can we eliminate its waste?"),
    ("simpler_step", "What is the new, simpler step?"),
]


def _can_write(request: HttpRequest) -> bool:
    return request.membership.allows(Role.MEMBER)  # type: ignore[attr-defined]


def _stream(request: HttpRequest, stream_id: int) -> ValueStream:
    return queries.stream_for(request.workspace, stream_id)  # type: ignore[attr-defined]


def _step(stream: ValueStream, step_id: int) -> Step:
    step = stream.steps.filter(pk=step_id).select_related("stream", "origin").first()
    if step is None:
        raise Http404("no such step on this map")
    step.stream = stream
    return step


def _window(request: HttpRequest) -> int:
    raw = request.GET.get("window", "")
    return int(raw) if raw.isdigit() and int(raw) in WINDOWS else DEFAULT_WINDOW


def improvement_url(request: HttpRequest, step: Step) -> str | None:
    """The improvement app's "new improvement from this step" link, once that app is there."""
    try:
        base = reverse("improvement-new", kwargs={"ws": request.workspace.slug})  # type: ignore[attr-defined]
    except NoReverseMatch:
        return None
    return f"{base}?source=vsm_step&source_id={step.pk}"


def headline(view: queries.MapView) -> dict[str, Any]:
    """A map's totals as shown in lists, each with the formula behind it."""
    t = view.summary.total
    fmt = view.fmt
    return {
        "steps": t.steps,
        "lt": fmt(t.lt),
        "pt": fmt(t.pt),
        "wait": fmt(t.wait),
        "ratio": vsm.percent(t.activity_ratio),
        "ratio_tip": f"Σ PT ÷ Σ LT = {fmt(t.pt)} ÷ {fmt(t.lt)}",
        "rolled": vsm.percent(t.rolled_ca),
        "va": vsm.percent(t.value_adding_share),
        "waste": t.waste_steps,
        "cost": f"{t.monthly_cost:,.0f}",
        "basis": view.summary.basis_label,
    }


# ---- the list of maps -------------------------------------------------------------------------


@require_GET
@workspace_view()
def index(request: HttpRequest) -> HttpResponse:
    return _index(request)


def _index(
    request: HttpRequest,
    *,
    error: ValueStreamError | None = None,
    posted: QueryDict | None = None,
) -> HttpResponse:
    streams = queries.streams_of(request.workspace)  # type: ignore[attr-defined]
    currents = [s for s in streams if s.state == State.CURRENT]
    futures = [s for s in streams if s.state == State.FUTURE]
    rows = []
    for stream in currents:
        view = queries.map_view(stream)
        rows.append(
            {
                "stream": stream,
                "fig": headline(view),
                "futures": [f for f in futures if f.derived_from_id == stream.pk],
            }
        )
    orphans = [f for f in futures if f.derived_from_id is None]
    return render_page(
        request,
        "valuestream/index.html",
        {
            "rows": rows,
            "orphans": [{"stream": f, "fig": headline(queries.map_view(f))} for f in orphans],
            "can_write": _can_write(request),
            "error": error,
            "posted": posted or QueryDict(),
            "bases": BASIS_CHOICES,
        },
        status=error.status if error else 200,
    )


@require_POST
@workspace_view()
def create(request: HttpRequest) -> HttpResponse:
    data = request.POST
    try:
        stream = services.create_stream(
            request.workspace,  # type: ignore[attr-defined]
            services.StreamSettings(
                name=data.get("name", ""),
                description=data.get("description", ""),
                time_basis=data.get("time_basis", "calendar"),
                hours_per_day=data.get("hours_per_day", ""),
                days_per_week=data.get("days_per_week", ""),
            ),
            actor=request.user,  # type: ignore[arg-type]
        )
    except ValueStreamError as error:
        return _index(request, error=error, posted=data)
    messages.success(request, f"Value stream “{stream.name}” created: add its first step.")
    return redirect("valuestream-map", ws=request.workspace.slug, stream_id=stream.pk)  # type: ignore[attr-defined]


# ---- one map ----------------------------------------------------------------------------------


def _map_context(
    request: HttpRequest,
    stream: ValueStream,
    *,
    error: ValueStreamError | None = None,
    posted: QueryDict | None = None,
    editing: int | None = None,
    adding: bool = False,
) -> dict[str, Any]:
    ws = request.workspace.slug  # type: ignore[attr-defined]
    view = queries.map_view(stream)
    window = _window(request)
    until = timezone.now()
    measured = queries.measured_times(view, since=until - timedelta(days=window), until=until)
    found = queries.elimination_candidates(stream)
    candidate_ids = {c.step.pk for c in found.items}
    drawing = draw(
        view,
        today=timezone.localdate(),
        candidates=candidate_ids,
        measured=measured,
        links={s.pk: f"#step-{s.pk}" for s in view.steps},
    )
    future = queries.future_of(stream) if stream.state == State.CURRENT else None
    rows = _rows(view, measured, candidate_ids)
    add_values = dict(ADD_DEFAULTS)
    edit_values: dict[str, Any] = {}
    edit_columns: set[int] = set()
    if adding and posted is not None:
        add_values.update(posted.dict())
    if editing is not None:
        step = next((s for s in view.steps if s.pk == editing), None)
        if step is not None:
            edit_values = {k: _plain(v) for k, v in services.step_values(step).items()}
            edit_columns = {link.column_id for link in step.column_links.all()}
            if posted is not None:
                edit_values.update(posted.dict())
                edit_columns = {int(c) for c in posted.getlist("columns") if c.isdigit()}
    return {
        "stream": stream,
        "view": view,
        "rows": rows,
        "stage_rows": [
            (stage, [r for r in rows if r["step"].stage == stage.value], totals)
            for stage, _steps, totals in view.by_stage
        ],
        "add_values": add_values,
        "edit_values": edit_values,
        "edit_columns": edit_columns,
        "questions": QUESTIONS,
        "drawing": drawing,
        "measured": measured,
        "window": window,
        "windows": WINDOWS,
        "candidate_ids": candidate_ids,
        "future": future,
        "can_write": _can_write(request),
        "is_owner": request.membership.allows(Role.OWNER),  # type: ignore[attr-defined]
        "error": error,
        "posted": posted if posted is not None else QueryDict(),
        "editing": editing,
        "adding": adding,
        "stages": STAGE_CHOICES,
        "units": UNIT_CHOICES,
        "cv_choices": VALUE_CHOICES,
        "wastes": WASTE_CHOICES,
        "milestones": MILESTONE_CHOICES,
        "bases": BASIS_CHOICES,
        "columns": queries.columns_of(request.workspace),  # type: ignore[attr-defined]
        "revisions": queries.revisions_of(stream),
        "base": reverse("valuestream-map", kwargs={"ws": ws, "stream_id": stream.pk}),
    }


ADD_DEFAULTS = {
    "stage": "know",
    "pt_unit": "h",
    "lt_unit": "d",
    "ca_percent": "100",
    "customer_value": "value_adding",
}


def _plain(value: Any) -> Any:
    """Decimals as a person types them: 1.5, not 1.50."""
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    return value


def _rows(
    view: queries.MapView, measured: dict[int, queries.MeasuredStep], candidates: set[int]
) -> list[dict[str, Any]]:
    rows = []
    for step in view.steps:
        pt, lt = view.minutes(step)
        found = measured.get(step.pk)
        rows.append(
            {
                "step": step,
                "pt": f"{_plain(step.pt_value)} {step.pt_unit}",
                "lt": f"{_plain(step.lt_value)} {step.lt_unit}",
                "pt_basis": view.fmt(pt),
                "lt_basis": view.fmt(lt),
                "wait": view.fmt(lt - pt),
                "ca": _plain(step.ca_percent),
                "monthly": step.cost_per_run * step.runs_per_month,
                "cost": _plain(step.cost_per_run),
                "runs": _plain(step.runs_per_month),
                "measured": found,
                "measured_lt": view.fmt(found.lt) if found and found.lt is not None else None,
                "measured_pt": view.fmt(found.pt) if found and found.pt is not None else None,
                "candidate": step.pk in candidates,
                "columns": [link.column for link in step.column_links.all()],
            }
        )
    return rows


def _render_map(request: HttpRequest, stream: ValueStream, **kw: Any) -> HttpResponse:
    error = kw.get("error")
    trigger = kw.pop("trigger", None)
    return render_page(
        request,
        "valuestream/map.html",
        _map_context(request, stream, **kw),
        fragment="main",
        status=error.status if error else 200,
        trigger=None if error else trigger,
    )


@require_GET
@workspace_view()
def map_page(request: HttpRequest, stream_id: int) -> HttpResponse:
    return _render_map(request, _stream(request, stream_id))


def _settings_spec(data: QueryDict, stream: ValueStream) -> services.StreamSettings:
    return services.StreamSettings(
        name=data.get("name", stream.name),
        description=data.get("description", stream.description),
        time_basis=data.get("time_basis", stream.time_basis),
        hours_per_day=data.get("hours_per_day", stream.hours_per_day),
        days_per_week=data.get("days_per_week", stream.days_per_week),
    )


@require_POST
@workspace_view()
def settings(request: HttpRequest, stream_id: int) -> HttpResponse:
    stream = _stream(request, stream_id)
    try:
        services.update_stream(stream, _settings_spec(request.POST, stream), actor=request.user)  # type: ignore[arg-type]
    except ValueStreamError as error:
        stream.refresh_from_db()
        return _render_map(request, stream, error=error, posted=request.POST)
    if request.htmx:  # type: ignore[attr-defined]
        return _render_map(request, stream, trigger="vsmChanged")
    messages.success(request, "Map settings saved.")
    return redirect("valuestream-map", ws=request.workspace.slug, stream_id=stream.pk)  # type: ignore[attr-defined]


@require_POST
@workspace_view(write=Role.OWNER)
def delete(request: HttpRequest, stream_id: int) -> HttpResponse:
    stream = _stream(request, stream_id)
    name = stream.name
    services.delete_stream(stream, actor=request.user)  # type: ignore[arg-type]
    messages.success(request, f"Value stream “{name}” deleted.")
    return redirect("valuestream", ws=request.workspace.slug)  # type: ignore[attr-defined]


def _step_data(data: QueryDict) -> dict[str, str]:
    return {name: data[name] for name in services.STEP_FIELDS if name in data}


@require_POST
@workspace_view()
def step_add(request: HttpRequest, stream_id: int) -> HttpResponse:
    stream = _stream(request, stream_id)
    try:
        step = services.add_step(stream, _step_data(request.POST), actor=request.user)  # type: ignore[arg-type]
    except ValueStreamError as error:
        return _render_map(request, stream, error=error, posted=request.POST, adding=True)
    if request.htmx:  # type: ignore[attr-defined]
        return _render_map(request, stream, trigger="vsmChanged")
    messages.success(request, f"Step “{step.name}” added.")
    return redirect("valuestream-map", ws=request.workspace.slug, stream_id=stream.pk)  # type: ignore[attr-defined]


@require_http_methods(["GET", "POST"])
@workspace_view()
def step_edit(request: HttpRequest, stream_id: int, step_id: int) -> HttpResponse:
    """GET opens the step's inline edit form (HTMX) or its page; POST saves it."""
    stream = _stream(request, stream_id)
    step = _step(stream, step_id)
    if request.method == "GET":
        if not _can_write(request):  # a viewer following the link sees the step on the map
            ws = request.workspace.slug  # type: ignore[attr-defined]
            url = reverse("valuestream-map", kwargs={"ws": ws, "stream_id": stream.pk})
            return redirect(f"{url}#step-{step.pk}")
        return _render_map(request, stream, editing=step.pk)
    try:
        services.edit_step(step, _step_data(request.POST), actor=request.user)  # type: ignore[arg-type]
        if "columns" in request.POST or "columns_sent" in request.POST:
            ids = [_whole(c) for c in request.POST.getlist("columns") if c.strip()]
            services.link_columns(step, ids, actor=request.user)  # type: ignore[arg-type]
    except ValueStreamError as error:
        return _render_map(request, stream, error=error, posted=request.POST, editing=step.pk)
    if request.htmx:  # type: ignore[attr-defined]
        return _render_map(request, stream, trigger="vsmChanged")
    messages.success(request, f"Step “{step.name}” saved.")
    return redirect("valuestream-map", ws=request.workspace.slug, stream_id=stream.pk)  # type: ignore[attr-defined]


def _whole(raw: str) -> int:
    raw = raw.strip()
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 18:
        raise ValueStreamError(f"{raw[:20]!r} is not a column id", field="columns")
    return int(raw)


@require_POST
@workspace_view()
def step_delete(request: HttpRequest, stream_id: int, step_id: int) -> HttpResponse:
    stream = _stream(request, stream_id)
    step = _step(stream, step_id)
    name = step.name
    services.delete_step(step, actor=request.user)  # type: ignore[arg-type]
    if request.htmx:  # type: ignore[attr-defined]
        return _render_map(request, stream, trigger="vsmChanged")
    messages.success(request, f"Step “{name}” removed.")
    return redirect("valuestream-map", ws=request.workspace.slug, stream_id=stream.pk)  # type: ignore[attr-defined]


@require_POST
@workspace_view()
def step_move(request: HttpRequest, stream_id: int, step_id: int) -> HttpResponse:
    """Drag and drop: the step's new stage and the order of that stage's steps."""
    stream = _stream(request, stream_id)
    step = _step(stream, step_id)
    try:
        order = [_whole(raw) for raw in request.POST.get("order", "").split(",") if raw.strip()]
        services.move_step(
            step,
            stage=request.POST.get("stage", ""),
            order=order,
            actor=request.user,  # type: ignore[arg-type]
        )
    except ValueStreamError as error:
        return _render_map(request, stream, error=error)
    if request.htmx:  # type: ignore[attr-defined]
        return _render_map(request, stream, trigger="vsmChanged")
    return redirect("valuestream-map", ws=request.workspace.slug, stream_id=stream.pk)  # type: ignore[attr-defined]


@require_GET
@workspace_view()
def export(request: HttpRequest, stream_id: int, fmt: str) -> HttpResponse:
    stream = _stream(request, stream_id)
    if fmt not in exports.FORMATS:
        raise Http404(f"no export format {fmt!r}; use svg or png")
    try:
        content, content_type = exports.export(stream, fmt, today=timezone.localdate())
    except exports.ExportUnavailable as error:
        messages.error(request, str(error))
        return redirect("valuestream-map", ws=request.workspace.slug, stream_id=stream.pk)  # type: ignore[attr-defined]
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{exports.filename(stream, fmt)}"'
    return response


# ---- waste walk -------------------------------------------------------------------------------


@require_GET
@workspace_view()
def walk(request: HttpRequest, stream_id: int) -> HttpResponse:
    stream = _stream(request, stream_id)
    view = queries.map_view(stream)
    if not view.steps:
        messages.error(request, "The map has no steps yet: add some before walking it.")
        return redirect("valuestream-map", ws=request.workspace.slug, stream_id=stream.pk)  # type: ignore[attr-defined]
    raw = request.GET.get("step", "")
    ids = [s.pk for s in view.steps]
    current = int(raw) if raw.isdigit() and int(raw) in ids else None
    if current is None:  # start at the first step not yet reviewed
        current = next((s.pk for s in view.steps if s.reviewed_at is None), ids[0])
    return _render_walk(request, stream, view, current)


def _render_walk(
    request: HttpRequest,
    stream: ValueStream,
    view: queries.MapView,
    current: int,
    *,
    error: ValueStreamError | None = None,
    posted: QueryDict | None = None,
) -> HttpResponse:
    ids = [s.pk for s in view.steps]
    index = ids.index(current)
    step = view.steps[index]
    found = queries.elimination_candidates(stream)
    candidates = [{"item": c, "improve": improvement_url(request, c.step)} for c in found.items]
    pt, lt = view.minutes(step)
    return render_page(
        request,
        "valuestream/walk.html",
        {
            "stream": stream,
            "view": view,
            "step": step,
            "index": index,
            "count": len(ids),
            "previous": ids[index - 1] if index > 0 else None,
            "next": ids[index + 1] if index + 1 < len(ids) else None,
            "reviewed": sum(1 for s in view.steps if s.reviewed_at),
            "pt": view.fmt(pt),
            "lt": view.fmt(lt),
            "wait": view.fmt(lt - pt),
            "questions": [(name, label, getattr(step, name)) for name, label in QUESTIONS],
            "candidates": candidates,
            "candidate_note": found.note,
            "is_candidate": any(c.step.pk == step.pk for c in found.items),
            "improve": improvement_url(request, step),
            "cv_choices": VALUE_CHOICES,
            "wastes": WASTE_CHOICES,
            "can_write": _can_write(request),
            "error": error,
            "posted": posted,
        },
        status=error.status if error else 200,
    )


@require_POST
@workspace_view()
def walk_answer(request: HttpRequest, stream_id: int, step_id: int) -> HttpResponse:
    stream = _stream(request, stream_id)
    step = _step(stream, step_id)
    data = request.POST
    try:
        services.answer_questions(
            step,
            {name: data.get(name, "") for name, _ in QUESTIONS},
            actor=request.user,  # type: ignore[arg-type]
            customer_value=data.get("customer_value", step.customer_value),
            waste_type=data.get("waste_type", step.waste_type),
        )
    except ValueStreamError as error:
        return _render_walk(
            request, stream, queries.map_view(stream), step.pk, error=error, posted=data
        )
    view = queries.map_view(stream)
    ids = [s.pk for s in view.steps]
    index = ids.index(step.pk)
    ws = request.workspace.slug  # type: ignore[attr-defined]
    if index + 1 < len(ids):
        messages.success(request, f"“{step.name}” reviewed.")
        url = reverse("valuestream-walk", kwargs={"ws": ws, "stream_id": stream.pk})
        return redirect(f"{url}?step={ids[index + 1]}")
    messages.success(request, "Walk finished: every step has been reviewed.")
    return redirect("valuestream-walk", ws=ws, stream_id=stream.pk)


# ---- future state and comparison --------------------------------------------------------------


@require_POST
@workspace_view()
def future_create(request: HttpRequest, stream_id: int) -> HttpResponse:
    stream = _stream(request, stream_id)
    try:
        future = services.create_future_state(
            stream,
            name=request.POST.get("name", ""),
            actor=request.user,  # type: ignore[arg-type]
        )
    except ValueStreamError as error:
        messages.error(request, error.message)
        return redirect("valuestream-map", ws=request.workspace.slug, stream_id=stream.pk)  # type: ignore[attr-defined]
    messages.success(
        request, f"Future state “{future.name}” created from {stream.name}: edit it freely."
    )
    return redirect("valuestream-map", ws=request.workspace.slug, stream_id=future.pk)  # type: ignore[attr-defined]


@require_GET
@workspace_view()
def compare(request: HttpRequest, stream_id: int, future_id: int) -> HttpResponse:
    current = _stream(request, stream_id)
    future = _stream(request, future_id)
    result = queries.compare(current, future)
    current_view = queries.map_view(current)
    future_view = queries.map_view(future)
    marks = {d.future.key: d.kind for d in result.steps if d.future and d.kind != "same"}
    today = timezone.localdate()
    ws = request.workspace.slug  # type: ignore[attr-defined]
    return render_page(
        request,
        "valuestream/compare.html",
        {
            "current": current,
            "future": future,
            "result": result,
            "rows": charts.change_rows(result),
            "steps": charts.step_rows(result),
            "chart": charts.comparison_chart(result, current.name, future.name),
            "current_drawing": draw(current_view, today=today),
            "future_drawing": draw(future_view, today=today, highlight=marks),
            "can_write": _can_write(request),
            "apply_base": reverse("valuestream-map", kwargs={"ws": ws, "stream_id": future.pk}),
        },
    )


@require_POST
@workspace_view()
def apply(request: HttpRequest, stream_id: int, step_id: int) -> HttpResponse:
    """Standardise one future-state step onto the current map."""
    stream = _stream(request, stream_id)
    step = _step(stream, step_id)
    try:
        revision = services.apply_future_step(step, actor=request.user)  # type: ignore[arg-type]
    except LeanmarkError as error:  # not a future step, or a rule the current map refuses
        messages.error(request, error.message)
    else:
        messages.success(request, revision.summary)
    back = request.POST.get("next", "")
    if back.startswith("/") and not back.startswith("//"):
        return redirect(back)
    return redirect("valuestream-map", ws=request.workspace.slug, stream_id=stream.pk)  # type: ignore[attr-defined]


# ---- hourglass --------------------------------------------------------------------------------


@require_GET
@workspace_view()
def hourglass(request: HttpRequest, stream_id: int) -> HttpResponse:
    stream = _stream(request, stream_id)
    view = queries.map_view(stream)
    volumes = queries.stage_volumes(request.workspace)  # type: ignore[attr-defined]
    return render_page(
        request,
        "valuestream/hourglass.html",
        {
            "stream": stream,
            "view": view,
            "rows": charts.hourglass_rows(view, volumes),
            "volumes": volumes,
            "candidate_ids": {c.step.pk for c in queries.elimination_candidates(stream).items},
        },
    )
