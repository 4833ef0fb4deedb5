"""Reads for the board: the page model with a constant number of queries, card lists, events."""

from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from typing import Any

import orjson
from django.db import connection
from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Value, When, Window
from django.db.models.functions import RowNumber, TruncMonth
from django.http import Http404

from leanmark.accounts.models import User, Workspace
from leanmark.domain.flow import days
from leanmark.lib.sql_json import DecimalText, IsoDate, IsoDateTime, JsonText

from .models import EDITING_TTL, LANE_ORDER, Board, Card, CardEditor, CardEvent, Column, Lane

DONE_PAGE = 50
# A cell of a queue column (or of any column without a WIP limit) shows this many cards and a
# "show all" link; a WIP limit already keeps an active column short, so it shows every card.
CELL_SHOWN = 8
MAX_CELL = 2**31 - 1  # the cap of a cell drawn in full


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
    cells: dict[str, list[Any]] = field(default_factory=dict)  # lane -> CardTile, in order
    done_more: int = 0
    hidden: dict[str, int] = field(default_factory=dict)  # lane -> cards left out of the cell
    opened: frozenset[str] = frozenset()  # lanes whose long cell is shown in full

    @property
    def collapses(self) -> bool:
        return not self.is_done and (
            self.column.kind == Column.Kind.QUEUE or self.column.wip_limit is None
        )

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


def board_ref(user: User, board_id: int) -> tuple[Board, str]:
    """The board with its workspace and the user's role there, in one read (what a create needs
    before its service locks the column). A board of a workspace the user is not in is not
    found."""
    board = (
        Board.objects.select_related("workspace")
        .filter(pk=board_id, workspace__memberships__user=user)
        .annotate(role=F("workspace__memberships__role"))
        .order_by()
        .first()
    )
    if board is None:
        raise Http404("no such board")
    return board, board.role  # type: ignore[attr-defined]


def _with_people(cards: QuerySet[Card]) -> QuerySet[Card]:
    return cards.prefetch_related("assignees")


@dataclass(frozen=True, slots=True)
class Person:
    """An assignee as a card tile draws it."""

    pk: int
    label: str


@dataclass(slots=True)
class CardTile:
    """The fields of a card the board draws, read as one row (no model instance per card)."""

    pk: int
    number: int
    version: int
    title: str
    stage: str
    due_date: date | None
    tags: list[str]
    blocked_reason: str
    blocked_since: datetime | None
    created_at: datetime
    started_at: datetime | None
    column_entered_at: datetime
    people: list[Person] = field(default_factory=list)
    editing_by: list[str] = field(default_factory=list)

    @property
    def is_blocked(self) -> bool:
        return self.blocked_since is not None


TILE_FIELDS = (
    "id",
    "number",
    "version",
    "title",
    "stage",
    "due_date",
    "tags",
    "blocked_reason",
    "blocked_since",
    "created_at",
    "started_at",
    "column_entered_at",
)
IN_CHUNK = 5000  # ids per IN list: under SQLite's 32,766 parameters, one query up to 5,000 drawn


def tile_people(card_ids: list[int]) -> dict[int, list[Person]]:
    """Card id -> its assignees as tiles draw them (by display name, then id), one query on the
    assignment table joined to the users per 5,000 cards."""
    link = Card.assignees.through
    found: dict[int, list[Person]] = {}
    for start in range(0, len(card_ids), IN_CHUNK):
        rows = (
            link.objects.filter(card_id__in=card_ids[start : start + IN_CHUNK])
            .order_by("user__display_name", "user_id")
            .values_list("card_id", "user_id", "user__display_name", "user__username")
        )
        for card_id, user_id, name, username in rows:
            found.setdefault(card_id, []).append(Person(user_id, name or username))
    return found


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
    long cell of a queue column (or of a column without a WIP limit) shows its first CELL_SHOWN
    cards. Only the cards drawn are read, and only the fields a tile draws: the database numbers
    the cards of each cell and counts them (window functions), so a 10,000-card board hands over
    a thousand rows, not ten thousand model instances."""
    columns = list(board.columns.order_by("position"))
    cells = cell_counts(board)
    counts = column_counts_from(cells)
    done_id = board.done_column_id
    views = [
        ColumnView(
            column=column,
            count=counts.get(column.pk, 0),
            is_start=column.pk == board.start_column_id,
            is_done=column.pk == done_id,
            cells={lane: [] for lane in LANE_ORDER},
        )
        for column in columns
    ]
    by_id = {v.column.pk: v for v in views}
    wanted = set(opened)
    drawn = _open_cards(board, filters, [v for v in views if v.collapses], wanted)
    sizes = _filtered_counts(board, filters) if filters.active else cells
    tiles: list[CardTile] = []
    for column_id, lane, *row in drawn:
        view = by_id[column_id]
        tile = CardTile(*row)
        view.cells[lane].append(tile)
        tiles.append(tile)
    for view in views:
        for lane in view.cells if view.collapses else ():
            size = sizes.get((view.column.pk, lane), 0)
            if size <= CELL_SHOWN:
                continue
            if f"{view.column.pk}-{lane}" in wanted:
                view.opened |= {lane}
            else:
                view.hidden[lane] = size - CELL_SHOWN
    if done_id in by_id:
        done = filters.apply(Card.objects.live().filter(board=board, column_id=done_id))
        rows = done.order_by("-column_entered_at", "-id").values_list("lane", *TILE_FIELDS)
        done_rows = list(rows[: done_shown + 1])
        done_view = by_id[done_id]
        for lane, *row in done_rows[:done_shown]:
            tile = CardTile(*row)
            done_view.cells[lane].append(tile)
            tiles.append(tile)
        done_view.done_more = 1 if len(done_rows) > done_shown else 0
    people = tile_people([t.pk for t in tiles])
    editing = editors_of(board, now=now, viewer=viewer)
    for tile in tiles:
        tile.people = people.get(tile.pk, [])
        tile.editing_by = editing.get(tile.pk, [])
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


def _open_cards(
    board: Board, filters: Filters, collapsing: list[ColumnView], opened: set[str]
) -> list[tuple[Any, ...]]:
    """The drawn cards outside the done column, cell by cell in board order, each row as
    (column id, lane, *TILE_FIELDS): every card of a cell that does not collapse or is opened,
    the first CELL_SHOWN of the others. One query: an inner one numbers the cards of each cell
    on narrow rows (the live-cell index's order), the outer reads the tile fields of those kept
    only (in SQLite a quarter of the time of numbering the wide rows)."""
    cap = Case(
        *(
            When(
                Q(column_id=view.column.pk)
                & ~Q(
                    lane__in=[lane for lane in Lane.values if f"{view.column.pk}-{lane}" in opened]
                ),
                then=Value(CELL_SHOWN),
            )
            for view in collapsing
        ),
        default=Value(MAX_CELL),
        output_field=IntegerField(),
    )
    cell = [F("column_id"), F("lane")]
    live = filters.apply(Card.objects.live().filter(board=board))
    kept = (
        live.exclude(column_id=board.done_column_id)
        .annotate(
            rank=Window(RowNumber(), partition_by=cell, order_by=[F("position"), F("id")]),
            cap=cap,
        )
        .filter(rank__lte=F("cap"))
        .values("id")
    )
    rows = (
        Card.objects.filter(pk__in=kept)
        .order_by("column_id", "lane", "position", "id")
        .values_list("column_id", "lane", *TILE_FIELDS)
    )
    return list(rows)


def _filtered_counts(board: Board, filters: Filters) -> dict[tuple[int, str], int]:
    """Live cards the filters keep per (column id, lane), in one query (a filtered cell's
    "Show all N")."""
    rows = filters.apply(Card.objects.live().filter(board=board)).values_list("column", "lane")
    return {(column, lane): n for column, lane, n in rows.annotate(n=Count("id")).order_by()}


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


def live_card_rows(board: Board) -> list[tuple[Any, ...]]:
    """Every live card of the board by id, as one row of what the API writes of it (one query;
    date-times, decimals, the due date and the tags as the API's JSON text, lib.sql_json):
    id, number, column id, column name, lane, position, title, description, due date, stage,
    channel, tags (JSON), estimate, time logged, blocked reason, blocked since, version,
    created, entered the column, started, finished."""
    places = Card._meta.get_field("estimate").decimal_places  # type: ignore[union-attr]
    logged = Card._meta.get_field("time_logged").decimal_places  # type: ignore[union-attr]
    return list(
        Card.objects.live()
        .filter(board=board)
        .order_by("id")
        .values_list(
            "id",
            "number",
            "column_id",
            "column__name",
            "lane",
            "position",
            "title",
            "description",
            IsoDate("due_date"),
            "stage",
            "channel",
            JsonText("tags"),
            DecimalText("estimate", places),
            DecimalText("time_logged", logged),
            "blocked_reason",
            IsoDateTime("blocked_since"),
            "version",
            IsoDateTime("created_at"),
            IsoDateTime("column_entered_at"),
            IsoDateTime("started_at"),
            IsoDateTime("finished_at"),
        )
    )


def live_assignees(board: Board) -> dict[int, list[int]]:
    """Card id → the ids of its assignees, smallest first, for the board's live cards (one
    query on the assignment table joined to the cards)."""
    link = Card.assignees.through
    holders: dict[int, list[int]] = {}
    rows = link.objects.filter(card__board=board, card__archived_at__isnull=True)
    for card_id, user_id in rows.order_by("user_id").values_list("card_id", "user_id"):
        holders.setdefault(card_id, []).append(user_id)
    return holders


# The whole-board read on SQLite: the database writes the card array itself (json_object per
# card, json_group_array around them), so Python only places its text in the envelope. The
# statement is built once from the table names and lib.sql_json's SQLite templates.
_LIVE_CARDS_SQL: str | None = None


def _live_cards_sql() -> str:
    global _LIVE_CARDS_SQL
    if _LIVE_CARDS_SQL is None:
        places = Card._meta.get_field("estimate").decimal_places  # type: ignore[union-attr]
        logged = Card._meta.get_field("time_logged").decimal_places  # type: ignore[union-attr]

        def text(kind: type[IsoDateTime] | type[IsoDate] | type[JsonText], column: str) -> str:
            return kind.sqlite.format(x=column)

        def decimal(column: str, n: int) -> str:
            return DecimalText("x", n).sqlite.format(x=column)

        link = Card.assignees.through._meta.db_table
        fields = {
            "id": "c.id",
            "number": "c.number",
            "board_id": "c.board_id",
            "column_id": "c.column_id",
            "column": "col.name",
            "lane": "c.lane",
            "position": "c.position",
            "title": "c.title",
            "description": "c.description",
            # The link table's (card_id, user_id) unique index gives the ids smallest first.
            "assignees": f"json((SELECT json_group_array(a.user_id) FROM {link} a "  # noqa: S608 (fixed names)
            "WHERE a.card_id = c.id))",
            "due_date": text(IsoDate, "c.due_date"),
            "stage": "c.stage",
            "channel": "c.channel",
            "tags": "json(c.tags)",
            "estimate": decimal("c.estimate", places),
            "time_logged": decimal("c.time_logged", logged),
            "blocked": "json(CASE WHEN c.blocked_since IS NULL THEN 'false' ELSE 'true' END)",
            "blocked_reason": "c.blocked_reason",
            "blocked_since": text(IsoDateTime, "c.blocked_since"),
            "version": "c.version",
            "created_at": text(IsoDateTime, "c.created_at"),
            "column_entered_at": text(IsoDateTime, "c.column_entered_at"),
            "started_at": text(IsoDateTime, "c.started_at"),
            "finished_at": text(IsoDateTime, "c.finished_at"),
            "archived_at": "NULL",  # live cards only
        }
        pairs = ", ".join(f"'{name}', {sql}" for name, sql in fields.items())
        cards, columns = Card._meta.db_table, Column._meta.db_table
        _LIVE_CARDS_SQL = (
            # The cards are joined as text: json_group_array would parse each one again.
            f"SELECT (SELECT '[' || coalesce(group_concat(card, ','), '') || ']' FROM ("  # noqa: S608 (fixed names)
            f"SELECT json_object({pairs}) AS card FROM {cards} c "
            f"JOIN {columns} col ON col.id = c.column_id "
            "WHERE c.board_id = %s AND c.archived_at IS NULL ORDER BY c.id)), "
            "(SELECT coalesce(json_group_object(column_id, n), '{}') FROM ("
            f"SELECT column_id, count(*) AS n FROM {cards} "
            "WHERE board_id = %s AND archived_at IS NULL GROUP BY column_id))"
        )
    return _LIVE_CARDS_SQL


def live_cards_json(board: Board) -> tuple[str, dict[int, int]] | None:
    """The board's live cards by id as the API's JSON array text, written by the database, and
    the live cards per column id, in one statement; None on a database other than SQLite (the
    caller writes the cards from ``live_card_rows``). Card for card what ``CardOut`` writes."""
    if connection.vendor != "sqlite":
        return None
    with connection.cursor() as cursor:
        cursor.execute(_live_cards_sql(), [board.pk, board.pk])
        cards, counts = cursor.fetchone()
    return cards, {int(k): v for k, v in orjson.loads(counts).items()}


COLUMN_FIELDS = ("id", "name", "position", "kind", "wip_limit", "policy", "per_person_limit")


def column_values(board: Board) -> list[dict[str, Any]]:
    """The board's columns by position as plain dicts of ``COLUMN_FIELDS`` (what ``ColumnOut``
    writes but the count), for a document written without a model per column."""
    return list(Column.objects.filter(board=board).order_by("position").values(*COLUMN_FIELDS))


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


# ---- what the other apps read of boards, columns, cards and events -----------------------------
# No other app imports the board's models (the import-linter contracts in pyproject.toml): the
# flow maths, the value stream, the stand-up, the improvement cycles and the demo read here.

# The two tables the flow app reads in bulk, as arrays of numbers (leanmark.lib.sql_arrays).
EVENTS_TABLE = CardEvent._meta.db_table
CARDS_TABLE = Card._meta.db_table


def board_in(workspace: Workspace, board_id: int) -> Board | None:
    """The workspace's board with this id, or None."""
    return Board.objects.filter(workspace=workspace, pk=board_id).first()


def columns_in_order(board: Board) -> list[Column]:
    return list(Column.objects.filter(board=board).order_by("position"))


def workspace_columns(workspace: Workspace) -> list[Column]:
    """Every column of the workspace's boards, board by board, with its board."""
    return list(
        Column.objects.filter(board__workspace=workspace)
        .select_related("board")
        .order_by("board__name", "board_id", "position")
    )


def column_kinds(board_ids: Collection[int]) -> dict[int, str]:
    """Column id → kind (queue or active) of every column of these boards."""
    return dict(Column.objects.filter(board_id__in=board_ids).values_list("pk", "kind"))


def columns_in(workspace_id: int, column_ids: Collection[int]) -> set[int]:
    """Those of ``column_ids`` that are columns of the workspace's boards."""
    return set(
        Column.objects.filter(pk__in=column_ids, board__workspace_id=workspace_id).values_list(
            "pk", flat=True
        )
    )


def card_with_id(card_id: int | None) -> Card | None:
    """The card with this id, or None (callers hold a link to it from their own rows)."""
    return Card.objects.filter(pk=card_id).first()


def card_afresh(card: Card) -> Card:
    """The card as stored now (another write may have changed it since it was read)."""
    return Card.objects.get(pk=card.pk)


def cards_numbered(workspace: Workspace, numbers: Collection[int]) -> dict[int, Card]:
    """Number → card, for those of ``numbers`` that are cards of the workspace (one query)."""
    return {
        c.number: c for c in Card.objects.filter(board__workspace=workspace, number__in=numbers)
    }


def card_ids_matching(board: Board, filters: Filters) -> list[int]:
    """Ids of the board's cards (live, archived or done) the filters keep."""
    return list(filters.apply(Card.objects.filter(board=board)).values_list("id", flat=True))


def card_titles(board: Board, card_ids: Collection[int] | None = None) -> dict[int, str]:
    """Card id → title of the board's cards (of those ids, or of every card with None)."""
    cards = Card.objects.filter(board=board).order_by()  # no join for the model's ordering
    if card_ids is not None:
        cards = cards.filter(pk__in=card_ids)
    return dict(cards.values_list("id", "title"))


def card_channels(workspace: Workspace) -> set[str]:
    """The channels the workspace's cards name ('' included when a card names none)."""
    return set(Card.objects.for_workspace(workspace).values_list("channel", flat=True).distinct())


def descriptions_starting(board: Board, prefix: str) -> set[str]:
    """The descriptions of the board's cards that start with ``prefix`` (an import's marker)."""
    return set(
        Card.objects.filter(board=board, description__startswith=prefix).values_list(
            "description", flat=True
        )
    )


def unfinished_cards(board: Board) -> QuerySet[Card]:
    """The board's live cards outside its done column (what a stand-up walks)."""
    return Card.objects.live().filter(board=board).exclude(column_id=board.done_column_id)


def blocked_cards(board: Board) -> list[Card]:
    """The board's live blocked cards, longest blocked first."""
    return list(
        Card.objects.live()
        .filter(board=board, blocked_since__isnull=False)
        .order_by("blocked_since")
    )


def assignee_ids(of: Board | QuerySet[Card]) -> dict[int, list[int]]:
    """Card id → ids of the people assigned to it, for the board's cards or these cards, in
    one query on the assignment table (no card or user rows)."""
    link = Card.assignees.through
    rows = (
        link.objects.filter(card__board=of)
        if isinstance(of, Board)
        else link.objects.filter(card__in=of)
    )
    holders: dict[int, list[int]] = {}
    for card_id, user_id in rows.values_list("card_id", "user_id"):
        holders.setdefault(card_id, []).append(user_id)
    return holders


def staged_cards(board: Board, *, lane: str) -> QuerySet[Card]:
    """The board's cards of this lane that name a hourglass stage, by number."""
    return Card.objects.filter(board=board, lane=lane).exclude(stage="").order_by("number")


def first_card_number(board: Board, *, stage: str, channel: str, not_lane: str) -> int | None:
    """The lowest number of the board's cards of this stage and channel outside ``not_lane``."""
    return (
        Card.objects.filter(board=board, stage=stage, channel=channel)
        .exclude(lane=not_lane)
        .order_by("number")
        .values_list("number", flat=True)
        .first()
    )


def last_event_id(board: Board) -> int:
    """The id of the board's newest event (0 before any): the log is append-only, so a cache
    keyed by it is fresh while it stays the same."""
    found = CardEvent.objects.filter(board=board).order_by("-id").values_list("id", flat=True)
    return found.first() or 0


def first_event_at(board: Board) -> datetime | None:
    return CardEvent.objects.filter(board=board).order_by("at").values_list("at", flat=True).first()


def event_log(board: Board, *, chunk: int = 2000) -> Iterator[tuple[Any, ...]]:
    """The board's whole event log, oldest first, streamed in chunks: (event id, card number,
    kind, at, actor's username, from column id, to column id, lane, reason) per event."""
    return (
        CardEvent.objects.filter(board=board)
        .order_by("id")
        .values_list(
            "id",
            "card__number",
            "kind",
            "at",
            "actor__username",
            "from_column_id",
            "to_column_id",
            "lane",
            "reason",
        )
        .iterator(chunk)
    )


def events_between(board: Board, kind: str, *, since: datetime, until: datetime) -> list[CardEvent]:
    """The board's events of this kind from ``since`` to ``until`` (both included), in order,
    with their card and the column they went to."""
    return list(
        CardEvent.objects.filter(board=board, kind=kind, at__gte=since, at__lte=until)
        .select_related("card", "to_column")
        .order_by("at", "id")
    )


def passage_events(
    board_ids: Collection[int], column_ids: Collection[int], since: datetime, until: datetime
) -> Iterator[tuple[int, str, datetime, int | None]]:
    """(card id, kind, at, to column id) of every created, moved, blocked and unblocked event
    before ``until`` of the cards that left one of ``column_ids`` in [since, until), card by
    card in time order (one query, streamed)."""
    leaving = CardEvent.objects.filter(
        board_id__in=board_ids,
        kind=CardEvent.Kind.MOVED,
        from_column_id__in=column_ids,
        at__gte=since,
        at__lt=until,
    ).values("card_id")
    return (
        CardEvent.objects.filter(
            card_id__in=leaving,
            kind__in=[
                CardEvent.Kind.CREATED,
                CardEvent.Kind.MOVED,
                CardEvent.Kind.BLOCKED,
                CardEvent.Kind.UNBLOCKED,
            ],
            at__lt=until,
        )
        .order_by("card_id", "at", "id")
        .values_list("card_id", "kind", "at", "to_column_id")
        .iterator(chunk_size=5000)
    )


def events_per_month(
    board: Board, kind: str, *, since: datetime, until: datetime, zone: tzinfo
) -> list[tuple[date | datetime, int]]:
    """(month, count) of the board's events of this kind in [since, until), months cut in
    ``zone`` (one query; the database hands the month over as a date or a date-time)."""
    rows = (
        CardEvent.objects.filter(board=board, kind=kind, at__gte=since, at__lt=until)
        .annotate(month=TruncMonth("at", tzinfo=zone))
        .values("month")
        .annotate(n=Count("id"))
        .order_by()
    )
    return [(r["month"], r["n"]) for r in rows]
