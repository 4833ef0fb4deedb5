from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from leanmark.accounts.models import Role
from leanmark.board import queries as board_queries
from leanmark.domain import pdca
from leanmark.lib.access import workspace_view
from leanmark.lib.errors import LeanmarkError
from leanmark.lib.htmx import render_page
from leanmark.lib.paging import paged

from . import ci, metrics, queries, report, services, sources
from .models import Outcome, Phase, Source


def _can_write(request: HttpRequest) -> bool:
    return request.membership.allows(Role.MEMBER)  # type: ignore[attr-defined]


def _to_detail(request: HttpRequest, number: int, anchor: str = "") -> HttpResponse:
    response = redirect("improvement-detail", ws=request.workspace.slug, number=number)  # type: ignore[attr-defined]
    if anchor:
        response["Location"] += f"#{anchor}"
    return response


def _plan_changes(data: QueryDict) -> dict[str, Any]:
    """The Plan/Do fields present in a form post, as the service takes them."""
    changes: dict[str, Any] = {}
    for name in (
        "title",
        "problem",
        "background",
        "current_condition",
        "metric",
        "metric_param",
        "target_value",
        "target_date",
        "root_cause",
        "board",
        "change_date",
        "window_days",
    ):
        if name in data:
            changes[name] = data.get(name, "")
    if "why" in data:
        changes["whys"] = data.getlist("why")
    if "cm_text" in data:
        rows = zip(
            data.getlist("cm_text"), data.getlist("cm_pros"), data.getlist("cm_cons"), strict=False
        )
        changes["countermeasures"] = [
            {"text": t, "pros": p, "cons": c} for t, p, c in rows if t.strip() or p or c
        ]
    return changes


def _window(request: HttpRequest) -> int | None:
    raw = request.GET.get("window", "").strip()
    if raw.isascii() and raw.isdigit() and 7 <= int(raw) <= services.WINDOW_MAX:
        return int(raw)
    return None


NEXT_HELP = {
    Phase.DO: "needs the problem, the baseline metric and at least one countermeasure",
    Phase.CHECK: "needs the change date (today or earlier)",
    Phase.ACT: "when the Check has told you enough to decide",
}


def _detail_context(request: HttpRequest, improvement, **extra: Any) -> dict[str, Any]:
    window = _window(request)
    check = queries.check_for(improvement, window_days=window)
    workspace = request.workspace  # type: ignore[attr-defined]
    countermeasures = list(improvement.countermeasures or [])
    next_phase = services.next_phase(improvement.phase)
    return {
        "imp": improvement,
        "source_url": _source_url(workspace, improvement),
        "check": check,
        "window": window or improvement.window_days,
        "window_bad": bool(request.GET.get("window")) and window is None,
        "chart": report.check_chart(check),
        "svg": report.check_svg(check),
        "next_phase": next_phase,
        "next_phase_help": NEXT_HELP.get(next_phase or "", ""),
        "metrics": metrics.metrics_for(workspace),
        "boards": board_queries.boards_of(workspace),
        "hints": pdca.solution_hints(improvement.problem or ""),
        "whys": (list(improvement.whys or []) + [""] * 5)[:5],
        "countermeasures": countermeasures + [{"text": "", "pros": "", "cons": ""}] * 2,
        "phases": [Phase.PLAN, Phase.DO, Phase.CHECK, Phase.ACT],
        "reached": {c.to_phase: c for c in improvement.phase_changes.all()},
        "outcomes": Outcome.choices,
        "can_write": _can_write(request),
        "today": services.local_today(workspace),
        **extra,
    }


def _source_url(workspace, improvement) -> str:
    """A link to the cycle's source, if it is still there (it may have been deleted since)."""
    if improvement.source_kind == Source.BLANK or improvement.source_id is None:
        return ""
    try:
        return sources.resolve(workspace, improvement.source_kind, improvement.source_id).url
    except LeanmarkError:
        return ""


def _shown_with(improvement, changes: dict[str, Any]):
    """The cycle as the person typed it (not saved), so a refused form loses nothing."""
    for name, value in changes.items():
        if name == "board":
            continue
        setattr(improvement, name, value)
    return improvement


# ---- pages ------------------------------------------------------------------------------------


@require_GET
@workspace_view()
def index(request: HttpRequest) -> HttpResponse:
    workspace = request.workspace  # type: ignore[attr-defined]
    cycles = queries.improvements_of(workspace)
    made = ci.continuous_improvement(workspace)
    context = {
        "charts": [(s, report.series_chart(s, made.changes)) for s in made.shown],
        "open_cycles": [c for c in cycles if not c.is_closed],
        "closed_cycles": paged(request, [c for c in cycles if c.is_closed], noun="closed cycle"),
        "can_write": _can_write(request),
        "ci": made,
    }
    return render_page(request, "improvement/index.html", context)


@require_http_methods(["GET", "POST"])
@workspace_view()
def new(request: HttpRequest) -> HttpResponse:
    workspace = request.workspace  # type: ignore[attr-defined]
    data = request.POST if request.method == "POST" else request.GET
    kind, source_id = data.get("source", Source.BLANK), data.get("source_id", "")
    error = None
    origin = None
    try:
        origin = sources.resolve(workspace, kind, source_id)
    except LeanmarkError as exc:
        error = exc
    if request.method == "POST" and error is None:
        try:
            improvement = services.start_improvement(
                workspace,
                actor=request.user,  # type: ignore[arg-type]
                source=kind,
                source_id=source_id,
                title=data.get("title", ""),
                problem=data.get("problem", ""),
                board=data.get("board", ""),
            )
        except LeanmarkError as exc:
            error = exc
        else:
            messages.success(request, f"{improvement.code} started in Plan.")
            return _to_detail(request, improvement.number)
    draft = origin.draft if origin else {}
    context = {
        "origin": origin,
        "kind": kind,
        "source_id": source_id,
        "title": data.get("title") or draft.get("title", ""),
        "problem": data.get("problem", ""),
        "boards": board_queries.boards_of(workspace),
        "board_id": data.get("board", ""),
        "error": error,
        "hints": pdca.solution_hints(data.get("problem", "")),
        "can_write": _can_write(request),
    }
    status = error.status if error and request.method == "POST" else 200
    if error and request.method == "GET" and kind != Source.BLANK:
        status = 404 if "there is no" in error.message else 200
    return render_page(request, "improvement/new.html", context, status=status)


@require_GET
@workspace_view()
def detail(request: HttpRequest, number: int) -> HttpResponse:
    improvement = queries.improvement_for(request.workspace, number)  # type: ignore[attr-defined]
    return render_page(request, "improvement/detail.html", _detail_context(request, improvement))


@require_POST
@workspace_view()
def edit(request: HttpRequest, number: int) -> HttpResponse:
    improvement = queries.improvement_for(request.workspace, number)  # type: ignore[attr-defined]
    changes = _plan_changes(request.POST)
    raw_version = request.POST.get("version", "")
    version = int(raw_version) if raw_version.isascii() and raw_version.isdigit() else None
    try:
        services.update_improvement(
            improvement,
            changes=changes,
            actor=request.user,
            expected_version=version,  # type: ignore[arg-type]
        )
    except LeanmarkError as error:
        shown = _shown_with(improvement, changes)
        context = _detail_context(request, shown, error=error, error_at="plan")
        return render_page(request, "improvement/detail.html", context, status=error.status)
    messages.success(request, f"{improvement.code} saved.")
    return _to_detail(request, number, request.POST.get("section", ""))


@require_POST
@workspace_view()
def phase(request: HttpRequest, number: int) -> HttpResponse:
    improvement = queries.improvement_for(request.workspace, number)  # type: ignore[attr-defined]
    try:
        services.advance(
            improvement,
            to=request.POST.get("to", ""),
            actor=request.user,  # type: ignore[arg-type]
            note=request.POST.get("note", ""),
        )
    except LeanmarkError as error:
        context = _detail_context(request, improvement, error=error, error_at="phase")
        return render_page(request, "improvement/detail.html", context, status=error.status)
    improvement.refresh_from_db(fields=["phase"])
    messages.success(request, f"{improvement.code} moved to {improvement.get_phase_display()}.")
    return _to_detail(request, number, improvement.phase)


@require_POST
@workspace_view()
def decide(request: HttpRequest, number: int) -> HttpResponse:
    improvement = queries.improvement_for(request.workspace, number)  # type: ignore[attr-defined]
    outcome = request.POST.get("outcome", "")
    try:
        services.decide(
            improvement,
            outcome=outcome,
            reason=request.POST.get("reason", ""),
            actor=request.user,  # type: ignore[arg-type]
        )
    except LeanmarkError as error:
        context = _detail_context(
            request,
            improvement,
            error=error,
            error_at="act",
            posted_outcome=outcome,
            posted_reason=request.POST.get("reason", ""),
        )
        return render_page(request, "improvement/detail.html", context, status=error.status)
    improvement.refresh_from_db()
    text = f"{improvement.code} closed: {improvement.get_outcome_display().lower()}."
    follower = improvement.next_cycles.order_by("-number").first()
    if outcome == Outcome.ADJUST and follower:
        messages.success(request, f"{text} The next cycle, {follower.code}, starts in Plan.")
        return _to_detail(request, follower.number)
    if improvement.map_revision_id:
        text += " The future step was applied to the current value stream map."
    messages.success(request, text)
    return _to_detail(request, number)


@require_POST
@workspace_view()
def follow_up(request: HttpRequest, number: int) -> HttpResponse:
    improvement = queries.improvement_for(request.workspace, number)  # type: ignore[attr-defined]
    try:
        new_cycle = services.follow_up(improvement, actor=request.user)  # type: ignore[arg-type]
    except LeanmarkError as error:
        messages.error(request, error.message)
        return _to_detail(request, number)
    messages.success(request, f"{new_cycle.code} follows {improvement.code}; it starts in Plan.")
    return _to_detail(request, new_cycle.number)


@require_POST
@workspace_view()
def task(request: HttpRequest, number: int) -> HttpResponse:
    improvement = queries.improvement_for(request.workspace, number)  # type: ignore[attr-defined]
    try:
        created = services.add_task(
            improvement,
            title=request.POST.get("title", ""),
            reason=request.POST.get("reason", ""),
            actor=request.user,  # type: ignore[arg-type]
        )
    except LeanmarkError as error:
        context = _detail_context(
            request,
            improvement,
            error=error,
            error_at="task",
            posted_task=request.POST.get("title", ""),
        )
        return render_page(request, "improvement/detail.html", context, status=error.status)
    messages.success(request, f"Card #{created.card.number} created on {created.card.board.name}.")
    return _to_detail(request, number, "do")


@require_GET
@workspace_view()
def a3(request: HttpRequest, number: int) -> HttpResponse:
    improvement = queries.improvement_for(request.workspace, number)  # type: ignore[attr-defined]
    check = queries.check_for(improvement, window_days=_window(request))
    context = {
        "imp": improvement,
        "check": check,
        "svg": report.check_svg(check),
        "reached": {c.to_phase: c for c in improvement.phase_changes.all()},
        "today": services.local_today(request.workspace),  # type: ignore[attr-defined]
    }
    return render_page(request, "improvement/a3.html", context)
