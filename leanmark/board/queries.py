"""Reads for the board: the page model with a constant number of queries, card lists, events."""

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, F, Prefetch, Q, QuerySet, prefetch_related_objects
from django.http import Http404

from leanmark.accounts.models import User, Workspace
from leanmark.domain.flow import days

from .models import EDITING_TTL, LANE_ORDER, Board, Card, CardEditor, CardEvent, Column, Lane

DONE_PAGE = 50
# A cell of a queue column (or of any column without a WIP limit) shows this many cards and a
# "show all" link; a WIP limit already keeps an active column short, so it shows every card.
CELL_SHOWN = 8


@dataclass(frozen=True)
class Filters:
    person: int | None = None
    lane: str = ""
    stage: str = ""
    tag: str = ""
    text: str = ""

    @classmethod
    def from_query(cls, query: Any) -> "Filters":
        person = query.get("person") or ""
        return cls(
            person=int(person)
            if person.isascii() and person.isdigit() and len(person) < 19
            else None,
            lane=query.get("lane", "") if query.get("lane", "") in Lane.values else "",
            stage=query.get("stage", "")[:8],
            tag=query.get("tag", "").strip().lower()[:30],
            text=query.get("q", "").strip()[:100],
        )

    @property
    def active(self) -> bool:
        return bool(self.person or self.lane or self.stage or self.tag or self.text)

    def apply(self, cards: QuerySet[Card]) -> QuerySet[Card]:
        if self.person:
            cards = cards.filter(assignees=self.person)
        if self.lane:
            cards = cards.filter(lane=self.lane)
        if self.stage:
            cards = cards.filter(stage=self.stage)
        if self.tag:
            cards = cards.filter(tags__icontains=f'"{self.tag}"')
        if self.text:
            cards = cards.filter(
                Q(title__icontains=self.text) | Q(description__icontains=self.text)
            )
        return cards


@dataclass
class ColumnView:
    column: Column
    count: int
    is_start: bool
    is_done: bool
    cells: dict[str, list[Card]] = field(default_factory=dict)
    done_more: int = 0
    hidden: dict[str, int] = field(default_factory=dict)  # lane -> cards left out of the cell
    opened: frozenset[str] = frozenset()  # lanes whose long cell is shown in full

    @property
    def collapses(self) -> bool:
        return not self.is_done and (
            self.column.kind == Column.Kind.QUEUE or self.column.wip_limit is None
        )

    def collapse(self, opened: Collection[str], shown: int = CELL_SHOWN) -> None:
        """Keep the first ``shown`` cards of each long cell, except the lanes in ``opened``."""
        if not self.collapses:
            return
        self.opened = frozenset(lane for lane in opened if len(self.cells.get(lane, ())) > shown)
        for lane, cards in self.cells.items():
            if len(cards) > shown and lane not in self.opened:
                self.hidden[lane] = len(cards) - shown
                self.cells[lane] = cards[:shown]

    @property
    def limit_state(self) -> str:
        limit = self.column.wip_limit
        if limit is None:
            return "ok"
        if self.count > limit:
            return "over"
        return "at" if self.count == limit else "ok"


@dataclass
class BoardView:
    board: Board
    columns: list[ColumnView]
    lanes: list[tuple[str, str]]
    now: datetime
    filters: Filters
    expedite_in_progress: int


def cell_counts(board: Board) -> dict[tuple[int, str], int]:
    """Live cards per (column id, lane), in one query: column WIP and the expedite count."""
    rows = Card.objects.live().filter(board=board).values_list("column", "lane")
    return {(column, lane): n for column, lane, n in rows.annotate(n=Count("id")).order_by()}


def column_counts(board: Board) -> dict[int, int]:
    """Live cards per column id (the WIP shown in each header)."""
    return column_counts_from(cell_counts(board))


def column_counts_from(cells: dict[tuple[int, str], int]) -> dict[int, int]:
    totals: dict[int, int] = {}
    for (column, _lane), n in cells.items():
        totals[column] = totals.get(column, 0) + n
    return totals


def in_progress(column: Column, start: Column | None, done: Column | None) -> bool:
    """From the start column up to, not including, the done column (§2 commitment to delivery)."""
    low = start.position if start else 0
    return low <= column.position and (done is None or column.position < done.position)


def board_by_id(workspace_ids: Collection[int], board_id: int) -> Board:
    """A board in any of these workspaces (the API, which learns the workspace from the board)."""
    board = (
        Board.objects.select_related("workspace")
        .filter(pk=board_id, workspace_id__in=workspace_ids)
        .first()
    )
    if board is None:
        raise Http404("no such board")
    return board


def card_numbered(workspace: Workspace, number: int) -> Card | None:
    """The workspace's card #number, or None."""
    return Card.objects.filter(board__workspace=workspace, number=number).first()


def card_in(workspace: Workspace, card_id: int) -> Card | None:
    """The workspace's card with this id, or None."""
    return Card.objects.filter(board__workspace=workspace, pk=card_id).first()


def card_workspace(card: Card) -> int:
    return card.board.workspace_id


LANES = [(lane.value, lane.label) for lane in LANE_ORDER]  # for a lane picker


def board_for(workspace: Workspace, board_id: int) -> Board:
    board = (
        Board.objects.select_related("start_column", "done_column", "workspace")
        .filter(workspace=workspace, pk=board_id)
        .first()
    )
    if board is None:
        raise Http404("no such board")
    return board


def board_changes(workspace: Workspace, board_id: int) -> int:
    """The board's change counter: one primary-key lookup, what an idle live poll costs."""
    changes = (
        Board.objects.filter(workspace=workspace, pk=board_id)
        .values_list("changes", flat=True)
        .first()
    )
    if changes is None:
        raise Http404("no such board")
    return changes


def boards_of(workspace: Workspace) -> list[Board]:
    return list(Board.objects.filter(workspace=workspace).order_by("name", "id"))


def column_for(board: Board, column_id: int) -> Column:
    column = Column.objects.filter(board=board, pk=column_id).first()
    if column is None:
        raise Http404("no such column")
    return column


def card_for(workspace: Workspace, number: int) -> Card:
    card = (
        Card.objects.select_related("board", "column", "board__workspace")
        .filter(board__workspace=workspace, number=number)
        .first()
    )
    if card is None:
        raise Http404("no such card")
    return card


def card_by_id(workspace_ids: Any, card_id: int) -> Card:
    card = (
        Card.objects.select_related("board", "column", "board__workspace")
        .filter(board__workspace_id__in=workspace_ids, pk=card_id)
        .order_by()
        .first()
    )
    if card is None:
        raise Http404("no such card")
    return card


def card_ref(user: User, card_id: int) -> tuple[Card, str]:
    """Only what a write needs before its service locks and reads the card afresh (the id and
    the board), with the user's role in the card's workspace: one read. A card of a workspace
    the user is not in is not found."""
    card = (
        Card.objects.select_related("board")
        .only("id", "board_id", "board__workspace_id")
        .filter(pk=card_id, board__workspace__memberships__user=user)
        .annotate(role=F("board__workspace__memberships__role"))
        .order_by()  # one row by its key: the default ordering would join the columns
        .first()
    )
    if card is None:
        raise Http404("no such card")
    return card, card.role  # type: ignore[attr-defined]


def _with_people(cards: QuerySet[Card]) -> QuerySet[Card]:
    return cards.prefetch_related("assignees")


def _people() -> Prefetch:
    """Assignees as the board draws them: three columns, in a plain list ``card.people``.

    The board draws hundreds of cards; a related manager per card costs more than the SQL.
    """
    people = User.objects.only("id", "username", "display_name").order_by("display_name", "id")
    return Prefetch("assignees", queryset=people, to_attr="people")


def editors_of(
    board: Board, *, now: datetime, viewer: User | None = None, card: Card | None = None
) -> dict[int, list[str]]:
    """Who else has a card of the board open for editing: card id -> names (one query)."""
    rows = CardEditor.objects.filter(board=board, seen_at__gt=now - EDITING_TTL)
    if viewer is not None:
        rows = rows.exclude(user=viewer)
    if card is not None:
        rows = rows.filter(card=card)
    found: dict[int, list[str]] = {}
    for card_id, name, username in rows.order_by("seen_at").values_list(
        "card_id", "user__display_name", "user__username"
    ):
        found.setdefault(card_id, []).append(name or username)
    return found


def board_view(
    board: Board,
    *,
    now: datetime,
    filters: Filters = Filters(),
    done_shown: int = DONE_PAGE,
    viewer: User | None = None,
    opened: Collection[str] = (),
) -> BoardView:
    """Everything the board page draws, in six queries whatever the number of cards.

    ``opened`` names the long cells shown in full, as ``"<column id>-<lane>"``; every other
    long cell of a queue column shows its first CELL_SHOWN cards (ColumnView.collapse)."""
    columns = list(board.columns.order_by("position"))
    cells = cell_counts(board)
    counts = column_counts_from(cells)
    live = filters.apply(Card.objects.live().filter(board=board))
    done_id = board.done_column_id
    others = list(live.exclude(column_id=done_id).order_by("position", "id"))
    done_cards = list(
        live.filter(column_id=done_id).order_by("-column_entered_at", "-id")[: done_shown + 1]
    )
    prefetch_related_objects([*others, *done_cards], _people())
    editing = editors_of(board, now=now, viewer=viewer)
    for card in (*others, *done_cards):
        card.editing_by = editing.get(card.pk, [])
    views = []
    for column in columns:
        view = ColumnView(
            column=column,
            count=counts.get(column.pk, 0),
            is_start=column.pk == board.start_column_id,
            is_done=column.pk == done_id,
            cells={lane: [] for lane in LANE_ORDER},
        )
        views.append(view)
    by_id = {v.column.pk: v for v in views}
    for card in others:
        by_id[card.column_id].cells[card.lane].append(card)
    if done_id in by_id:
        done_view = by_id[done_id]
        for card in done_cards[:done_shown]:
            done_view.cells[card.lane].append(card)
        done_view.done_more = 1 if len(done_cards) > done_shown else 0
    for view in views:
        prefix = f"{view.column.pk}-"
        view.collapse([key.removeprefix(prefix) for key in opened if key.startswith(prefix)])
    committed = [c.pk for c in columns if in_progress(c, board.start_column, board.done_column)]
    expedite = sum(cells.get((pk, Lane.EXPEDITE), 0) for pk in committed)
    return BoardView(
        board=board,
        columns=views,
        lanes=[(lane.value, lane.label) for lane in LANE_ORDER],
        now=now,
        filters=filters,
        expedite_in_progress=expedite,
    )


def age_days(since: datetime | None, now: datetime) -> float | None:
    return None if since is None else days(max(now - since, timedelta(0)))


def card_events(card: Card) -> list[CardEvent]:
    return list(
        card.events.select_related("actor", "from_column", "to_column").order_by("at", "id")
    )


def cards_page(
    board: Board,
    *,
    column: int | None = None,
    lane: str = "",
    assignee: int | None = None,
    stage: str = "",
    tag: str = "",
    archived: bool = False,
    after_id: int = 0,
    limit: int = 50,
) -> tuple[list[Card], int | None]:
    """A page of cards ordered by id, and the cursor for the next page (None at the end)."""
    cards = Card.objects.filter(board=board, archived_at__isnull=not archived, pk__gt=after_id)
    cards = Filters(person=assignee, lane=lane, stage=stage, tag=tag).apply(cards)
    if column is not None:
        cards = cards.filter(column_id=column)
    page = list(_with_people(cards.select_related("column").order_by("id")[: limit + 1]))
    cursor = page[limit - 1].pk if len(page) > limit else None
    return page[:limit], cursor


def board_events(
    board: Board, *, after_id: int = 0, limit: int = 500
) -> tuple[list[CardEvent], int | None]:
    events = list(
        CardEvent.objects.filter(board=board, pk__gt=after_id)
        .select_related("card", "actor")
        .order_by("id")[: limit + 1]
    )
    cursor = events[limit - 1].pk if len(events) > limit else None
    return events[:limit], cursor


def people_of(workspace: Workspace) -> list[User]:
    return list(
        User.objects.filter(memberships__workspace=workspace).order_by("display_name", "username")
    )
