import re
from datetime import date

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from leanmark.accounts.models import Role
from leanmark.lib.access import workspace_view
from leanmark.lib.errors import LeanmarkError
from leanmark.lib.htmx import render_page
from leanmark.lib.markdown import render as markdown
from leanmark.standups.queries import open_impediments

from . import drawing, queries, services
from .errors import OverrideReasonRequired
from .models import LANE_ORDER, STAGE_CHOICES, Column, Lane

ACTION_DONE = {"block": "blocked", "unblock": "unblocked", "archive": "archived"}
OPEN_CELL = re.compile(r"[0-9]{1,18}-[a-z_]{1,20}")


def _whole(raw: str, name: str) -> int:
    label = name.replace("_", " ")
    if not (raw.isascii() and raw.isdigit()) or int(raw) > services.MAX_ID:
        raise services.InvalidInput(
            f"the {label} must be a whole number, not {raw[:20]!r}", field=name
        )
    return int(raw)


def _id(data: QueryDict, name: str, *, required: bool = False) -> int | None:
    """A whole number from a form field; a bad one is a 422 naming the field, never a 500."""
    raw = (data.get(name) or "").strip()
    if not raw:
        if required:
            raise services.InvalidInput(f"the {name.replace('_', ' ')} is missing", field=name)
        return None
    return _whole(raw, name)


def _ids(data: QueryDict, name: str) -> list[int]:
    return [_whole(raw.strip(), name) for raw in data.getlist(name) if raw.strip()]


def _date(raw: str) -> date | None:
    if not raw.strip():
        return None
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        raise services.InvalidInput(
            f"{raw[:20]!r} is not a date (YYYY-MM-DD)", field="due_date"
        ) from None


def _opened(query: QueryDict) -> list[str]:
    """The long cells shown in full (``open=<column id>-<lane>``); anything else is ignored."""
    keys = [k for k in query.getlist("open")[:50] if OPEN_CELL.fullmatch(k)]
    return list(dict.fromkeys(keys))


def _board_context(
    request: HttpRequest,
    board,
    *,
    error: LeanmarkError | None = None,
    pending: QueryDict | None = None,
    pending_number: int | None = None,
):
    # Filters and paging always come from the URL; a POST body describes the change, not the view.
    filters = queries.Filters.from_query(request.GET)
    shown = request.GET.get("done", "")
    valid = shown.isascii() and shown.isdigit() and 0 < len(shown) < 6
    done_shown = min(int(shown), 5000) if valid and int(shown) > 0 else queries.DONE_PAGE
    if request.method != "GET":  # a write just bumped the counter: draw the board it made
        board.changes = queries.board_changes(request.workspace, board.pk)
    opened = _opened(request.GET)
    can_write = request.membership.allows(Role.MEMBER)
    people = queries.people_of(request.workspace)
    # one reverse() for every card link on the page instead of one per card
    card_base = reverse("card", kwargs={"ws": board.workspace.slug, "number": 0})[:-2]
    view, editing = drawing.board_drawing(
        board,
        now=timezone.now(),
        filters=filters,
        done_shown=done_shown,
        opened=opened,
        viewer=request.user,
        can_write=can_write,
        card_base=card_base,
        people=people,
    )
    # The live poll asks with the same filters and paging, and the counter this drawing shows.
    live = request.GET.copy()
    live["v"] = str(board.changes)
    shown = request.GET.copy()  # how the person looks at the board: for "show all" links
    shown.pop("v", None)
    return {
        "live_query": live.urlencode(),
        "board_query": shown,
        "board_url": reverse("board", kwargs={"ws": board.workspace.slug, "board_id": board.pk}),
        "opened": opened,
        "cell_shown": queries.CELL_SHOWN,
        "view": view,
        "editing": editing,
        "board": board,
        "boards": queries.boards_of(request.workspace),
        "people": people,
        "stages": STAGE_CHOICES,
        "lanes": [(lane.value, lane.label) for lane in LANE_ORDER],
        "can_write": can_write,
        "done_shown": done_shown,
        "error": error,
        "override": isinstance(error, OverrideReasonRequired),
        "pending": pending if pending is not None else QueryDict(),
        "pending_number": pending_number,
        "card_base": card_base,
    }


@require_GET
@workspace_view()
def workspace_home(request: HttpRequest) -> HttpResponse:
    boards = queries.boards_of(request.workspace)
    if boards:
        return redirect("board", ws=request.workspace.slug, board_id=boards[0].pk)
    return render_page(request, "board/no_board.html", {})


@require_POST
@workspace_view(write=Role.OWNER)
def board_create(request: HttpRequest) -> HttpResponse:
    try:
        board = services.create_board(request.workspace, request.POST.get("name", ""))
    except LeanmarkError as error:
        messages.error(request, error.message)
        return redirect("workspace", ws=request.workspace.slug)
    return redirect("board", ws=request.workspace.slug, board_id=board.pk)


@require_GET
@workspace_view()
def board(request: HttpRequest, board_id: int) -> HttpResponse:
    board = queries.board_for(request.workspace, board_id)
    context = _board_context(request, board)
    context["impediments"] = open_impediments(request.workspace)  # one query, any number
    return render_page(request, "board/board.html", context, fragment="board")


@require_GET
@workspace_view()
def board_changes(request: HttpRequest, board_id: int) -> HttpResponse:
    """The live poll: 204 while the board is as the page drew it (``v``), else the board redrawn.

    Every open board asks every few seconds, so the idle answer is one indexed query after the
    session and membership checks; other processes' changes show because the counter is in the
    database."""
    seen = request.GET.get("v", "")
    current = queries.board_changes(request.workspace, board_id)
    if seen.isascii() and seen.isdigit() and int(seen) == current:
        return HttpResponse(status=204)
    board = queries.board_for(request.workspace, board_id)
    return render_page(
        request, "board/board.html", _board_context(request, board), fragment="board"
    )


@require_POST
@workspace_view()
def card_move(request: HttpRequest, board_id: int, number: int) -> HttpResponse:
    board = queries.board_for(request.workspace, board_id)
    card = queries.card_for(request.workspace, number)
    if card.board_id != board.pk:
        raise Http404("no such card on this board")
    data = request.POST
    error = None
    try:
        column = queries.column_for(board, _id(data, "column", required=True))
        before_id = _id(data, "before")
        before = queries.card_by_id([request.workspace.pk], before_id) if before_id else None
        version = _id(data, "version")  # optional for moves; when given, a stale one is refused
        services.move_card(
            card,
            to_column=column,
            lane=data.get("lane") or None,
            before=before,
            reason=data.get("reason", ""),
            expected_version=version,
            actor=request.user,
        )
    except LeanmarkError as exc:
        error = exc
    if not request.htmx:  # the card page's Move form: back to the card, with the outcome
        if error:
            messages.error(request, f"Card #{card.number} not moved: {error.message}")
        else:
            messages.success(request, f"Card #{card.number} moved to {column.name}.")
        return redirect("card", ws=request.workspace.slug, number=card.number)
    context = _board_context(request, board, error=error, pending=data, pending_number=number)
    status = 200 if error is None else error.status
    return render_page(
        request,
        "board/board.html",
        context,
        fragment="board",
        status=status,
        trigger=None if error else "cardMoved",
    )


@require_POST
@workspace_view()
def card_create(request: HttpRequest, board_id: int) -> HttpResponse:
    board = queries.board_for(request.workspace, board_id)
    data = request.POST
    try:
        column_id = _id(data, "column")
        column = queries.column_for(board, column_id) if column_id else None
        card = services.create_card(
            board,
            title=data.get("title", ""),
            column=column,
            lane=data.get("lane") or Lane.STANDARD,
            stage=data.get("stage", ""),
            assignees=_ids(data, "assignees"),
            reason=data.get("reason", ""),
            actor=request.user,
        )
    except LeanmarkError as error:
        context = _board_context(request, board, error=error, pending=data)
        context["new_card_error"] = error
        return render_page(
            request, "board/board.html", context, fragment="board", status=error.status
        )
    if request.htmx:
        return render_page(
            request,
            "board/board.html",
            _board_context(request, board),
            fragment="board",
            trigger="cardCreated",
        )
    messages.success(request, f"Card #{card.number} created in {card.column.name}.")
    return redirect("board", ws=request.workspace.slug, board_id=board.pk)


def _card_context(request: HttpRequest, card, **extra):
    can_write = request.membership.allows(Role.MEMBER)
    editing = can_write and card.archived_at is None
    if editing and request.method == "GET":  # a refused save re-renders; it changes nothing
        services.start_editing(card, request.user)
    others = queries.editors_of(card.board, now=timezone.now(), viewer=request.user, card=card)
    return {
        "card": card,
        "editing": editing,
        "other_editors": others.get(card.pk, []),
        "description_html": markdown(card.description),
        "events": queries.card_events(card),
        "columns": list(card.board.columns.order_by("position")),
        "people": queries.people_of(request.workspace),
        "assigned": set(card.assignees.values_list("pk", flat=True)),
        "stages": STAGE_CHOICES,
        "lanes": [(lane.value, lane.label) for lane in LANE_ORDER],
        "can_write": can_write,
        "now": timezone.now(),
        **extra,
    }


@require_GET
@workspace_view()
def card_detail(request: HttpRequest, number: int) -> HttpResponse:
    card = queries.card_for(request.workspace, number)
    return render_page(request, "board/card.html", _card_context(request, card))


@require_POST
@workspace_view()
def card_editing(request: HttpRequest, number: int) -> HttpResponse:
    """The card page renews its editor's presence every 20 s; ``left=1`` when it closes."""
    card = queries.card_for(request.workspace, number)
    if request.POST.get("left") == "1":
        services.stop_editing(card, request.user)
    elif card.archived_at is None:
        services.start_editing(card, request.user)
    return HttpResponse(status=204)


@require_POST
@workspace_view()
def card_edit(request: HttpRequest, number: int) -> HttpResponse:
    card = queries.card_for(request.workspace, number)
    data = request.POST
    try:
        changes = {
            "title": data.get("title", ""),
            "description": data.get("description", ""),
            "stage": data.get("stage", ""),
            "channel": data.get("channel", ""),
            "tags": data.get("tags", ""),
            "estimate": data.get("estimate", ""),
            "assignees": _ids(data, "assignees"),
            "due_date": _date(data.get("due_date", "")),
        }
        # The version is required here: without it an edit could silently overwrite another.
        version = _id(data, "version", required=True)
        services.edit_card(
            card,
            changes=changes,
            expected_version=version,
            actor=request.user,
            reason=data.get("reason", ""),
        )
    except LeanmarkError as error:
        card.refresh_from_db()
        return render_page(
            request,
            "board/card.html",
            _card_context(request, card, error=error, posted=data),
            status=error.status,
        )
    messages.success(request, f"Card #{card.number} saved.")
    return redirect("card", ws=request.workspace.slug, number=card.number)


@require_POST
@workspace_view()
def card_action(request: HttpRequest, number: int, action: str) -> HttpResponse:
    card = queries.card_for(request.workspace, number)
    actions = {
        "block": lambda: services.block_card(
            card, reason=request.POST.get("reason", ""), actor=request.user
        ),
        "unblock": lambda: services.unblock_card(card, actor=request.user),
        "archive": lambda: services.archive_card(card, actor=request.user),
        "restore": lambda: services.restore_card(
            card, actor=request.user, reason=request.POST.get("reason", "")
        ),
    }
    if action not in actions:
        raise Http404(f"no card action {action!r}")
    back = request.POST.get("next", "")
    if request.htmx and back == "board":  # the board's card menu: answer the redrawn board
        return _board_action(request, card, actions[action], action)
    try:
        actions[action]()
    except LeanmarkError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"Card #{card.number}: {action} done.")
    if back == "board":
        return redirect("board", ws=request.workspace.slug, board_id=card.board_id)
    return redirect("card", ws=request.workspace.slug, number=card.number)


def _board_action(request: HttpRequest, card, act, action: str) -> HttpResponse:
    error = None
    try:
        act()
    except LeanmarkError as exc:
        error = exc
    board = queries.board_for(request.workspace, card.board_id)
    context = _board_context(request, board, error=error)
    context["error_title"] = f"Card #{card.number} not {ACTION_DONE.get(action, 'changed')}."
    return render_page(
        request,
        "board/board.html",
        context,
        fragment="board",
        status=200 if error is None else error.status,
        trigger=None if error else "cardChanged",
    )


def _column_spec(data) -> services.ColumnSpec:
    return services.ColumnSpec(
        name=data.get("name", ""),
        kind=data.get("kind", Column.Kind.ACTIVE),
        wip_limit=data.get("wip_limit", ""),
        policy=data.get("policy", Column.Policy.SOFT),
        per_person_limit=data.get("per_person_limit", ""),
    )


@require_http_methods(["GET", "POST"])
@workspace_view(write=Role.OWNER)
def board_settings(request: HttpRequest, board_id: int) -> HttpResponse:
    board = queries.board_for(request.workspace, board_id)
    error = None
    if request.method == "POST":
        data = request.POST
        try:
            services.update_board(
                board,
                name=data.get("name", ""),
                start_column=queries.column_for(board, _id(data, "start_column", required=True)),
                done_column=queries.column_for(board, _id(data, "done_column", required=True)),
                expedite_limit=data.get("expedite_limit", ""),
            )
        except LeanmarkError as exc:
            error = exc
        else:
            messages.success(request, "Board settings saved.")
            return redirect("board_settings", ws=request.workspace.slug, board_id=board.pk)
    view = queries.board_view(board, now=timezone.now(), done_shown=0)
    return render_page(
        request,
        "board/settings.html",
        {
            "board": board,
            "view": view,
            "error": error,
            "kinds": Column.Kind.choices,
            "policies": Column.Policy.choices,
            "is_owner": request.membership.allows(Role.OWNER),
        },
        status=error.status if error else 200,
    )


@require_POST
@workspace_view(write=Role.OWNER)
def column_action(request: HttpRequest, board_id: int, column_id: int, action: str) -> HttpResponse:
    board = queries.board_for(request.workspace, board_id)
    column = queries.column_for(board, column_id)
    actions = {
        "save": lambda: services.update_column(column, _column_spec(request.POST)),
        "left": lambda: services.move_column(column, -1),
        "right": lambda: services.move_column(column, +1),
        "delete": lambda: services.delete_column(column),
    }
    if action not in actions:
        raise Http404(f"no column action {action!r}")
    try:
        actions[action]()
    except LeanmarkError as error:
        messages.error(request, f"{column.name}: {error.message}")
    else:
        messages.success(request, f"Column {column.name}: {action} done.")
    return redirect("board_settings", ws=request.workspace.slug, board_id=board.pk)


@require_POST
@workspace_view(write=Role.OWNER)
def column_add(request: HttpRequest, board_id: int) -> HttpResponse:
    board = queries.board_for(request.workspace, board_id)
    try:
        column = services.add_column(board, _column_spec(request.POST), before=board.done_column)
    except LeanmarkError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"Column {column.name} added before {board.done_column}.")
    return redirect("board_settings", ws=request.workspace.slug, board_id=board.pk)
