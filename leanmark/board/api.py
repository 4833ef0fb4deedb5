from collections.abc import Iterator
from contextlib import contextmanager
from typing import Literal

import orjson
from django.http import HttpRequest, HttpResponse
from django.utils.http import parse_etags
from ninja import Query, Router, Status

from leanmark.accounts.models import Role
from leanmark.lib.api_access import (
    api_membership,
    object_for,
    require_role,
)
from leanmark.lib.schemas import ERRORS

from . import exports, queries, services
from .models import Board, Card
from .schemas import (
    BlockIn,
    BoardIn,
    BoardOut,
    BoardWithCardsOut,
    CardIn,
    CardOut,
    CardPage,
    CardPatch,
    ColumnIn,
    ColumnOut,
    ColumnPatch,
    EventOut,
    EventPage,
    LaneName,
    MoveIn,
    StageName,
)

router = Router(tags=["boards"])
JSON = "application/json; charset=utf-8"  # as ninja writes it


def _card_to_change(request: HttpRequest, card_id: int) -> Card:
    """A card a member is about to change: the service locks and reads it whole."""
    card, role = queries.card_ref(request.user, card_id)  # with the role: no membership read
    require_role(role, Role.MEMBER)
    return card


@contextmanager
def _current_card_on_conflict(card: Card) -> Iterator[None]:
    """A stale version answers 409 with the current card, so the client can merge and retry."""
    try:
        yield
    except services.StaleVersion as error:
        error.details["current"] = _fresh(card).model_dump(mode="json")
        raise


def _board_out(board: Board, counts: dict[int, int] | None = None) -> BoardOut:
    if counts is None:
        counts = queries.column_counts(board)
    return BoardOut(
        id=board.pk,
        workspace=board.workspace.slug,
        name=board.name,
        start_column_id=board.start_column_id,
        done_column_id=board.done_column_id,
        expedite_limit=board.expedite_limit,
        columns=[ColumnOut.of(c, counts.get(c.pk, 0)) for c in board.columns.order_by("position")],
    )


def _fresh(card: Card) -> CardOut:
    return CardOut.of(
        Card.objects.select_related("column").prefetch_related("assignees").get(pk=card.pk)
    )


@router.get(
    "/workspaces/{slug}/boards",
    response={200: list[BoardOut], **ERRORS},
    summary="Boards of a workspace",
)
def list_boards(request: HttpRequest, slug: str):
    membership = api_membership(request, slug)
    return [_board_out(b) for b in queries.boards_of(membership.workspace)]


@router.post(
    "/workspaces/{slug}/boards",
    response={201: BoardOut, **ERRORS},
    summary="Create a board (owner)",
)
def create_board(request: HttpRequest, slug: str, payload: BoardIn):
    membership = api_membership(request, slug, Role.OWNER)
    return Status(201, _board_out(services.create_board(membership.workspace, payload.name)))


def _etag(board: Board, include: str | None) -> str:
    """The board's change counter (bumped by every change a viewer sees, services.changed)
    names the version; each representation has its own tag."""
    return f'"board-{board.pk}-{board.changes}{"-" + include if include else ""}"'


def _not_modified(request: HttpRequest, etag: str) -> bool:
    """If-None-Match names this tag (weak comparison, RFC 9110 §13.1.2) or is ``*``."""
    given = request.headers.get("If-None-Match", "")
    return any(t == "*" or t.removeprefix("W/") == etag for t in parse_etags(given))


@router.get(
    "/boards/{board_id}",
    response={200: BoardOut | BoardWithCardsOut, 304: None, **ERRORS},
    summary="A board with its columns, and with include=cards every live card",
    description="With `include=cards`, every live card of the board by id, in one answer (the "
    "paged `/boards/{board_id}/cards` writes the same card fields). Each answer has an `ETag`; "
    "send it back as `If-None-Match` and an unchanged board answers 304 with no body.",
)
def get_board(
    request: HttpRequest,
    response: HttpResponse,
    board_id: int,
    include: Literal["cards"] | None = Query(None, description="cards: every live card too"),
):
    board, role = queries.board_ref(request.user, board_id)  # with the role: one read
    require_role(role, Role.VIEWER)
    etag = _etag(board, include)
    headers = {"ETag": etag, "Cache-Control": "private, no-cache"}
    if _not_modified(request, etag):
        return HttpResponse(status=304, headers=headers)  # no card read at all
    if include is None:
        for name, value in headers.items():
            response[name] = value  # ninja's answer takes the headers set here
        return _board_out(board)
    # Written from the rows (exports.py), not validated through BoardWithCardsOut: no model
    # or pydantic object per card.
    written = queries.live_cards_json(board)  # SQLite: the database writes the cards' JSON
    if written is None:
        cards, counts = exports.live_cards(board)
    else:
        text, counts = written
        cards = orjson.Fragment(text)  # placed as it is: only the envelope is encoded
    document = {  # BoardOut field for field, without a model or pydantic object per column
        "id": board.pk,
        "workspace": board.workspace.slug,
        "name": board.name,
        "start_column_id": board.start_column_id,
        "done_column_id": board.done_column_id,
        "expedite_limit": board.expedite_limit,
        "columns": [{**c, "count": counts.get(c["id"], 0)} for c in queries.column_values(board)],
        "cards": cards,
    }
    return HttpResponse(exports.dumps(document), content_type=JSON, headers=headers)


@router.post(
    "/boards/{board_id}/columns",
    response={201: ColumnOut, **ERRORS},
    summary="Add a column before done (owner)",
)
def create_column(request: HttpRequest, board_id: int, payload: ColumnIn):
    board = object_for(request, queries.board_by_id, board_id, Role.OWNER)
    column = services.add_column(
        board, services.ColumnSpec(**payload.dict()), before=board.done_column
    )
    return Status(201, ColumnOut.of(column))


@router.patch(
    "/boards/{board_id}/columns/{column_id}",
    response={200: ColumnOut, **ERRORS},
    summary="Change a column (owner)",
)
def update_column(request: HttpRequest, board_id: int, column_id: int, payload: ColumnPatch):
    board = object_for(request, queries.board_by_id, board_id, Role.OWNER)
    column = queries.column_for(board, column_id)
    current = {
        "name": column.name,
        "kind": column.kind,
        "wip_limit": column.wip_limit,
        "policy": column.policy,
        "per_person_limit": column.per_person_limit,
    }
    current.update(payload.dict(exclude_unset=True))
    return ColumnOut.of(services.update_column(column, services.ColumnSpec(**current)))


@router.get(
    "/boards/{board_id}/cards",
    response={200: CardPage, **ERRORS},
    summary="Cards, filtered, by cursor",
)
def list_cards(
    request: HttpRequest,
    board_id: int,
    column_id: int | None = Query(None, ge=1, le=2**63 - 1),
    lane: LaneName | None = None,
    assignee: int | None = Query(None, ge=1, le=2**63 - 1),
    stage: StageName = "",
    tag: str = "",
    archived: bool = False,
    cursor: int = Query(0, ge=0, description="next_cursor of the previous page"),
    limit: int = Query(50, ge=1, le=200),
):
    board = object_for(request, queries.board_by_id, board_id)
    cards, next_cursor = queries.cards_page(
        board,
        column=column_id,
        lane=lane or "",
        assignee=assignee,
        stage=stage,
        tag=tag[:30].lower(),
        archived=archived,
        after_id=cursor,
        limit=limit,
    )
    return CardPage(items=[CardOut.of(c) for c in cards], next_cursor=next_cursor)


@router.post("/boards/{board_id}/cards", response={201: CardOut, **ERRORS}, summary="Create a card")
def create_card(request: HttpRequest, board_id: int, payload: CardIn):
    board, role = queries.board_ref(request.user, board_id)  # with the role: one read
    require_role(role, Role.MEMBER)
    data = payload.dict(exclude={"column_id"})
    # The column is looked up and locked on the board by the service (one read).
    card = services.create_card(board, column=payload.column_id, actor=request.user, **data)
    return Status(201, CardOut.of(card))


@router.get("/cards/{card_id}", response={200: CardOut, **ERRORS}, summary="One card")
def get_card(request: HttpRequest, card_id: int):
    return CardOut.of(
        object_for(request, queries.card_by_id, card_id, workspace_of=queries.card_workspace)
    )


@router.patch(
    "/cards/{card_id}", response={200: CardOut, **ERRORS}, summary="Edit a card (with its version)"
)
def patch_card(request: HttpRequest, card_id: int, payload: CardPatch):
    card = _card_to_change(request, card_id)
    changes = payload.dict(exclude_unset=True)
    version = changes.pop("version")
    with _current_card_on_conflict(card):
        edited = services.edit_card(
            card, changes=changes, expected_version=version, actor=request.user
        )
    return CardOut.of(edited)


@router.post(
    "/cards/{card_id}/move",
    response={200: CardOut, **ERRORS},
    summary="Move a card, checking WIP limits",
)
def move_card(request: HttpRequest, card_id: int, payload: MoveIn):
    card = _card_to_change(request, card_id)
    with _current_card_on_conflict(card):
        moved = services.move_card(
            card,
            to_column=payload.column_id,  # looked up and locked on the card's board
            lane=payload.lane,
            before=payload.before_id,  # read inside the lock, among the workspace's cards
            reason=payload.reason,
            expected_version=payload.version,
            actor=request.user,
        )
    return CardOut.of(moved)


@router.post(
    "/cards/{card_id}/block",
    response={200: CardOut, **ERRORS},
    summary="Block a card with a reason",
)
def block_card(request: HttpRequest, card_id: int, payload: BlockIn):
    card = _card_to_change(request, card_id)
    return CardOut.of(services.block_card(card, reason=payload.reason, actor=request.user))


@router.post(
    "/cards/{card_id}/unblock", response={200: CardOut, **ERRORS}, summary="Unblock a card"
)
def unblock_card(request: HttpRequest, card_id: int):
    card = _card_to_change(request, card_id)
    return CardOut.of(services.unblock_card(card, actor=request.user))


@router.post(
    "/cards/{card_id}/archive", response={200: CardOut, **ERRORS}, summary="Archive a card"
)
def archive_card(request: HttpRequest, card_id: int):
    card = _card_to_change(request, card_id)
    return CardOut.of(services.archive_card(card, actor=request.user))


@router.get(
    "/cards/{card_id}/events",
    response={200: list[EventOut], **ERRORS},
    summary="A card's event log",
)
def card_events(request: HttpRequest, card_id: int):
    return [
        EventOut.of(e)
        for e in queries.card_events(
            object_for(request, queries.card_by_id, card_id, workspace_of=queries.card_workspace)
        )
    ]


@router.get(
    "/boards/{board_id}/events",
    response={200: EventPage, **ERRORS},
    summary="A board's event log, by cursor",
)
def board_events(
    request: HttpRequest,
    board_id: int,
    cursor: int = Query(0, ge=0),
    limit: int = Query(500, ge=1, le=5000),
):
    events, next_cursor = queries.board_events(
        object_for(request, queries.board_by_id, board_id), after_id=cursor, limit=limit
    )
    return EventPage(items=[EventOut.of(e) for e in events], next_cursor=next_cursor)
