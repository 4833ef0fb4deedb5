from datetime import date, timedelta
from typing import TYPE_CHECKING

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from leanmark.accounts.models import Role, User
from leanmark.board import queries as board_queries
from leanmark.board import services as board_services
from leanmark.board.errors import OverrideReasonRequired
from leanmark.domain.metrics import YEARS, outside_years
from leanmark.lib.access import workspace_view
from leanmark.lib.errors import LeanmarkError
from leanmark.lib.htmx import render_page

from . import charts, queries, services
from .errors import InvalidInput
from .summary import summary_markdown

WEEKS_CHARTED = 12

if TYPE_CHECKING:  # annotations only: pages reach the board's data through its queries
    from leanmark.board.models import Board, Card


def _board(request: HttpRequest) -> "Board | None":
    """The board the stand-up walks: ?board=<id>, or the workspace's first board."""
    raw = request.GET.get("board", "") or request.POST.get("board", "")
    if raw:
        if not (raw.isascii() and raw.isdigit() and len(raw) < 19):
            raise Http404("no such board")
        return board_queries.board_for(request.workspace, int(raw))
    boards = board_queries.boards_of(request.workspace)
    return board_queries.board_for(request.workspace, boards[0].pk) if boards else None


def _card_base(request: HttpRequest) -> str:
    return reverse("card", kwargs={"ws": request.workspace.slug, "number": 0})[:-2]


def _improvement_url(request: HttpRequest) -> str | None:
    """The improvement app's "new" page, once that app has landed (no dead button before)."""
    try:
        return reverse("improvement-new", kwargs={"ws": request.workspace.slug})
    except NoReverseMatch:
        return None


def _day(raw: str) -> date:
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        raise Http404(f"{raw[:20]!r} is not a date (YYYY-MM-DD)") from None
    if outside_years(day):  # the day before 0001-01-01 answered 500
        raise Http404(f"{day} is outside {YEARS}")
    return day


def _standup_context(request: HttpRequest, **extra):
    now = timezone.now()
    workspace = request.workspace
    today = queries.local_day(workspace, now)
    board = _board(request)
    agenda = queries.agenda_data(queries.agenda_for(board, now=now)) if board else None
    mine = queries.entry_of(workspace, request.user, today)
    entries = queries.entries_on(workspace, today)
    checked = {e.member_id for e in entries}
    return {
        "now": now,
        "today": today,
        "board": board,
        "boards": board_queries.boards_of(workspace),
        "agenda": agenda,
        "mine": mine,
        "entries": entries,
        "missing": [p for p in queries.expected_people(workspace) if p.pk not in checked],
        "impediments": queries.open_impediments(workspace),
        "people": queries.expected_people(workspace),
        "can_write": request.membership.allows(Role.MEMBER),
        "card_base": _card_base(request),
        "history": queries.days_with_entries(workspace, limit=10),
        "improvement_url": _improvement_url(request),
        "posted": QueryDict(),
        "error": None,
        **extra,
    }


@require_GET
@workspace_view()
def standup(request: HttpRequest) -> HttpResponse:
    return render_page(request, "standups/standup.html", _standup_context(request))


@require_POST
@workspace_view()
def check_in(request: HttpRequest) -> HttpResponse:
    data = request.POST
    try:
        _entry, created = services.save_today(
            request.workspace,
            actor=request.user,
            yesterday=data.get("yesterday", ""),
            today=data.get("today", ""),
            blockers=data.get("blockers", ""),
        )
    except LeanmarkError as error:
        context = _standup_context(request, posted=data, error=error)
        return render_page(
            request,
            "standups/standup.html",
            context,
            fragment="checkin",
            status=error.status,
        )
    if request.htmx:
        return render_page(
            request,
            "standups/standup.html",
            _standup_context(request, saved=True),
            fragment="checkin",
            trigger="checkedIn",
        )
    messages.success(request, "Checked in for today." if created else "Your check-in is updated.")
    return redirect("standup", ws=request.workspace.slug)


# ---- stand-up mode -----------------------------------------------------------------------------


def _mode_context(request: HttpRequest, board: "Board", **extra):
    now = timezone.now()
    workspace = request.workspace
    today = queries.local_day(workspace, now)
    return {
        "now": now,
        "today": today,
        "board": board,
        "agenda": queries.agenda_data(queries.agenda_for(board, now=now)),
        "record": queries.agenda_record(board, today),
        "entries": queries.entries_on(workspace, today),
        "impediments": queries.open_impediments(workspace),
        "people": queries.expected_people(workspace),
        "can_write": request.membership.allows(Role.MEMBER),
        "card_base": _card_base(request),
        "error": None,
        "focus": request.GET.get("focus", "") or request.POST.get("focus", ""),
        "flagged_only": request.GET.get("flagged") == "1",
        **extra,
    }


def _board_or_404(request: HttpRequest) -> "Board":
    board = _board(request)
    if board is None:
        raise Http404("this workspace has no board yet")
    return board


@require_GET
@workspace_view()
def mode(request: HttpRequest) -> HttpResponse:
    board = _board_or_404(request)
    return render_page(request, "standups/mode.html", _mode_context(request, board))


@require_POST
@workspace_view()
def start(request: HttpRequest) -> HttpResponse:
    """Keep the agenda as it is now for the day's history; the timer runs in the page."""
    board = _board_or_404(request)
    now = timezone.now()
    data = queries.agenda_data(queries.agenda_for(board, now=now))
    services.record_agenda(board, data=data, actor=request.user, now=now)
    if request.htmx:
        return HttpResponse(status=204)
    messages.success(request, "Stand-up started; today's agenda is kept in the history.")
    return redirect(
        reverse("standup-mode", kwargs={"ws": request.workspace.slug}) + f"?board={board.pk}"
    )


def _member(request: HttpRequest, raw: str, field: str) -> User:
    people = {str(p.pk): p for p in queries.expected_people(request.workspace)}
    if raw not in people:
        raise InvalidInput("choose a member of this workspace", field=field)
    return people[raw]


def _quick_action(request: HttpRequest, card: "Card", action: str) -> str:
    data = request.POST
    if action == "block":
        board_services.block_card(card, reason=data.get("reason", ""), actor=request.user)
        return f"#{card.number} blocked."
    if action == "unblock":
        board_services.unblock_card(card, actor=request.user)
        return f"#{card.number} unblocked."
    if action == "assign":
        raw = data.getlist("assignees")
        people = [_member(request, r, "assignees") for r in raw if r]
        board_services.edit_card(
            card,
            changes={"assignees": people},
            expected_version=None,
            actor=request.user,
            reason=data.get("reason", ""),
        )
        names = ", ".join(p.label for p in people) or "nobody"
        return f"#{card.number} assigned to {names}."
    if action == "impediment":
        owner = _member(request, data.get("owner", ""), "owner")
        services.raise_impediment(
            request.workspace,
            what=data.get("what", ""),
            owner=owner,
            actor=request.user,
            card=card,
            block_card=data.get("block") == "on",
        )
        return f"Impediment raised on #{card.number}, owned by {owner.label}."
    raise Http404(f"no quick action {action!r}")


@require_POST
@workspace_view()
def card_action(request: HttpRequest, number: int, action: str) -> HttpResponse:
    """The quick actions of stand-up mode; they write through the board's and our services."""
    board = _board_or_404(request)
    card = board_queries.card_for(request.workspace, number)
    if card.board_id != board.pk:
        raise Http404("no such card on this board")
    error, done = None, ""
    try:
        done = _quick_action(request, card, action)
    except LeanmarkError as exc:
        error = exc
    if not request.htmx:
        if error:
            messages.error(request, f"#{card.number}: {error.message}")
        else:
            messages.success(request, done)
        url = reverse("standup-mode", kwargs={"ws": request.workspace.slug})
        return redirect(f"{url}?board={board.pk}&focus={card.number}")
    context = _mode_context(
        request,
        board,
        error=error,
        done=done,
        focus=str(card.number),
        override=isinstance(error, OverrideReasonRequired),
        pending=request.POST,
        pending_url=request.get_full_path(),
    )
    return render_page(
        request,
        "standups/mode.html",
        context,
        fragment="agenda",
        status=error.status if error else 200,
        trigger=None if error else "agendaChanged",
    )


# ---- impediments -------------------------------------------------------------------------------


def _impediments_context(request: HttpRequest, **extra):
    workspace = request.workspace
    now = timezone.now()
    today = queries.local_day(workspace, now)
    start = today - timedelta(weeks=WEEKS_CHARTED - 1)
    weeks = queries.impediments_per_week(workspace, start=start, end=today)
    return {
        "now": now,
        "open": queries.open_impediments(workspace),
        "resolved": queries.resolved_impediments(workspace, limit=30),
        "weeks": weeks,
        "raised_total": sum(w.opened for w in weeks),
        "resolved_total": sum(w.resolved for w in weeks),
        "chart": charts.impediments_per_week(weeks),
        "people": queries.expected_people(workspace),
        "can_write": request.membership.allows(Role.MEMBER),
        "card_base": _card_base(request),
        "posted": QueryDict(),
        "error": None,
        **extra,
    }


@require_GET
@workspace_view()
def impediments(request: HttpRequest) -> HttpResponse:
    return render_page(request, "standups/impediments.html", _impediments_context(request))


@require_POST
@workspace_view()
def impediment_new(request: HttpRequest) -> HttpResponse:
    data = request.POST
    workspace = request.workspace
    try:
        owner = _member(request, data.get("owner", ""), "owner")
        card = None
        number = data.get("card", "").strip().lstrip("#")
        if number:
            if not (number.isascii() and number.isdigit() and len(number) < 10):
                raise InvalidInput(f"{number[:20]!r} is not a card number", field="card")
            card = board_queries.card_numbered(workspace, int(number))
            if card is None:
                raise InvalidInput(f"there is no card #{number} in this workspace", field="card")
        entry_id = data.get("entry", "")
        entry = None
        if entry_id:
            if not (entry_id.isascii() and entry_id.isdigit() and len(entry_id) < 19):
                raise InvalidInput("the check-in is not a number", field="entry")
            entry = queries.entry_for(workspace, int(entry_id))
        impediment = services.raise_impediment(
            workspace,
            what=data.get("what", ""),
            owner=owner,
            actor=request.user,
            card=card,
            entry=entry,
            block_card=data.get("block") == "on",
        )
    except LeanmarkError as error:
        context = _impediments_context(request, posted=data, error=error)
        return render_page(request, "standups/impediments.html", context, status=error.status)
    messages.success(request, f"Impediment raised: {impediment.what}")
    back = data.get("next", "")
    if back == "standup":
        return redirect("standup", ws=workspace.slug)
    return redirect("standup-impediment", ws=workspace.slug, impediment_id=impediment.pk)


def _impediment_context(request: HttpRequest, impediment, **extra):
    return {
        "impediment": impediment,
        "now": timezone.now(),
        "can_write": request.membership.allows(Role.MEMBER),
        "card_base": _card_base(request),
        "improvement_url": _improvement_url(request),
        "error": None,
        "posted": QueryDict(),
        **extra,
    }


@require_GET
@workspace_view()
def impediment(request: HttpRequest, impediment_id: int) -> HttpResponse:
    item = queries.impediment_for(request.workspace, impediment_id)
    return render_page(request, "standups/impediment.html", _impediment_context(request, item))


@require_POST
@workspace_view()
def impediment_resolve(request: HttpRequest, impediment_id: int) -> HttpResponse:
    item = queries.impediment_for(request.workspace, impediment_id)
    data = request.POST
    try:
        services.resolve_impediment(
            item,
            how=data.get("how", ""),
            actor=request.user,
            unblock_card=data.get("unblock") == "on",
        )
    except LeanmarkError as error:
        context = _impediment_context(request, item, error=error, posted=data)
        return render_page(request, "standups/impediment.html", context, status=error.status)
    messages.success(request, "Impediment resolved.")
    return redirect("standup-impediment", ws=request.workspace.slug, impediment_id=item.pk)


# ---- history -----------------------------------------------------------------------------------


@require_GET
@workspace_view()
def day(request: HttpRequest, day: str) -> HttpResponse:
    when = _day(day)
    workspace = request.workspace
    today = queries.local_day(workspace, timezone.now())
    if when > today:
        raise Http404("that day has not come yet")
    return render_page(
        request,
        "standups/day.html",
        {
            "day": when,
            "today": today,
            "entries": queries.entries_on(workspace, when),
            "records": queries.agenda_records_on(workspace, when),
            "open": queries.impediments_open_on(workspace, when),
            "resolved": queries.impediments_resolved_on(workspace, when),
            "summary": summary_markdown(workspace, when),
            "card_base": _card_base(request),
            "previous": when - timedelta(days=1),
            "next": when + timedelta(days=1) if when < today else None,
            "history": queries.days_with_entries(workspace, limit=30),
        },
    )


@require_GET
@workspace_view()
def summary(request: HttpRequest, day: str) -> HttpResponse:
    when = _day(day)
    text = summary_markdown(request.workspace, when)
    return HttpResponse(text, content_type="text/markdown; charset=utf-8")
