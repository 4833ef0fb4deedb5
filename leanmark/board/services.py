"""Every write to boards, columns and cards. Each runs in one transaction and writes its events.

Concurrency: a move or create locks the target column row first (``select_for_update``) on
PostgreSQL; on SQLite every transaction is BEGIN IMMEDIATE (settings), which serialises writers.
Either way the WIP count and the write it guards cannot interleave with another writer's.
Row locks are FOR NO KEY UPDATE (``no_key=True``, everywhere in the project): they serialise the
writers of a row as FOR UPDATE does, but let other transactions' foreign-key checks (FOR KEY
SHARE, run at COMMIT for Django's deferred constraints) through. With FOR UPDATE, two moves
crossing between two columns deadlocked: each held its target column and, at COMMIT, the event's
from_column check waited for the other's (found by bench/load.py).
"""

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, F, Max, Q
from django.db.models.expressions import RawSQL
from django.utils import timezone

from leanmark.accounts.models import User, Workspace
from leanmark.accounts.services import next_card_number
from leanmark.domain import wip
from leanmark.domain.hourglass import Stage
from leanmark.lib import clean, notify
from leanmark.lib import text as text_rules
from leanmark.lib.errors import Duplicate, InvalidInput, NotFound, WrongState
from leanmark.lib.numbers import unsigned_zero

from .errors import CardBlocked, OverrideReasonRequired, StaleVersion, WipLimitExceeded
from .models import EDITING_TTL, TITLE_MAX, Board, Card, CardEditor, CardEvent, Column, Lane
from .queries import in_progress

REASON_MAX = 300
TAG_MAX = 30
MAX_TAGS = 20
DESCRIPTION_MAX = 20_000
CHANNEL_MAX = 60
MAX_ID = 2**63 - 1


def no_control_characters(text: str, field: str, *, allow_newlines: bool = False) -> str:
    """``text`` as it is, or InvalidInput: control characters, surrogates, bidi overrides."""
    problem = text_rules.problem(text, multiline=allow_newlines)
    if problem:
        raise InvalidInput(f"the {field} {problem}", field=field)
    return text


# ---- validation helpers -------------------------------------------------------------------------


def clean_title(title: object) -> str:
    return clean.text(title, "title", limit=TITLE_MAX, required=True)


def clean_description(text: object) -> str:
    if text is None:
        return ""
    if not isinstance(text, str):
        raise InvalidInput("the description must be text", field="description")
    if len(text) > DESCRIPTION_MAX:
        raise InvalidInput(
            f"the description has {len(text):,} characters; "
            f"at most {DESCRIPTION_MAX:,} are allowed",
            field="description",
        )
    return no_control_characters(text, "description", allow_newlines=True)


def clean_channel(channel: object) -> str:
    text = str(channel or "").strip()
    if len(text) > CHANNEL_MAX:
        raise InvalidInput(f"a channel name has at most {CHANNEL_MAX} characters", field="channel")
    return no_control_characters(text, "channel")


def clean_lane(lane: object) -> str:
    if lane not in Lane.values:
        raise InvalidInput(
            f"unknown lane {lane!r}; choose one of {', '.join(Lane.values)}", field="lane"
        )
    return str(lane)


def clean_stage(stage: object) -> str:
    if stage in ("", None):
        return ""
    if stage not in {s.value for s in Stage}:
        raise InvalidInput(
            f"unknown hourglass stage {stage!r}; choose one of {', '.join(s.value for s in Stage)}",
            field="stage",
        )
    return str(stage)


def clean_tags(tags: object) -> list[str]:
    if tags in (None, ""):
        return []
    if isinstance(tags, str):
        tags = tags.split(",")
    if not isinstance(tags, list | tuple):
        raise InvalidInput("tags must be a list of words", field="tags")
    cleaned: list[str] = []
    for tag in tags:
        word = no_control_characters(str(tag).strip().lower(), "tags")
        if not word:
            continue
        if len(word) > TAG_MAX:
            raise InvalidInput(
                f"the tag {word[:40]!r} is longer than {TAG_MAX} characters", field="tags"
            )
        if word not in cleaned:  # at most MAX_TAGS long: the refusal below stops it growing
            cleaned.append(word)
        if len(cleaned) > MAX_TAGS:
            raise InvalidInput(f"a card has at most {MAX_TAGS} tags", field="tags")
    return cleaned


def clean_estimate(value: object) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        estimate = Decimal(str(value))
    except InvalidOperation:
        raise InvalidInput(f"the estimate {value!r} is not a number", field="estimate") from None
    if not estimate.is_finite() or not 0 <= estimate < Decimal("1000000"):
        raise InvalidInput("the estimate must be between 0 and 999,999.99", field="estimate")
    rounded = unsigned_zero(
        estimate.quantize(Decimal("0.01"))
    )  # rounding may reach 1,000,000: check again
    if rounded >= Decimal("1000000"):
        raise InvalidInput("the estimate must be between 0 and 999,999.99", field="estimate")
    return rounded


def clean_reason(reason: object, field: str = "reason") -> str:
    text = str(reason or "").strip()
    if len(text) > REASON_MAX:
        raise InvalidInput(f"the reason has at most {REASON_MAX} characters", field=field)
    return no_control_characters(text, field)


def clean_limit(value: object, field: str) -> int | None:
    if value in (None, ""):
        return None
    try:
        limit = int(value)
    except (TypeError, ValueError):
        raise InvalidInput(f"the limit {value!r} is not a whole number", field=field) from None
    if limit < 0:
        raise InvalidInput("a limit cannot be negative; leave it empty for no limit", field=field)
    if limit > 999:
        raise InvalidInput("a limit above 999 is no limit; leave it empty instead", field=field)
    return limit


MAX_ASSIGNEES = 50  # more than a team; a million ids went into one query and answered 500


def assignees_in(workspace: Workspace, users: Iterable[User | int] | None) -> list[User]:
    if users is None or isinstance(users, str | bytes):
        raise InvalidInput(
            "assignees must be a list of user ids (empty for nobody)", field="assignees"
        )
    users = list(users)
    if len(users) > MAX_ASSIGNEES:
        raise InvalidInput(
            f"a card has at most {MAX_ASSIGNEES} assignees, not {len(users):,}", field="assignees"
        )
    ids = {u if isinstance(u, int) else u.pk for u in users}
    if any(not 0 < pk <= MAX_ID for pk in ids):
        raise InvalidInput("every assignee must be a member of this workspace", field="assignees")
    found = list(User.objects.filter(pk__in=ids, memberships__workspace=workspace))
    if len(found) != len(ids):
        raise InvalidInput("every assignee must be a member of this workspace", field="assignees")
    return found


def changed(board_id: int) -> None:
    """Tell the board's open pages that what they show is out of date (inside the change's
    transaction, so a rolled-back change tells nobody)."""
    table = connection.ops.quote_name(Board._meta.db_table)
    with connection.cursor() as cursor:  # fixed SQL: the ORM's compile cost more than the write
        cursor.execute(f"UPDATE {table} SET changes = changes + 1 WHERE id = %s", [board_id])  # noqa: S608 (fixed names)


@transaction.atomic
def start_editing(card: Card, user: User, *, now: datetime | None = None) -> None:
    """``user`` has the card's edit form open. Other viewers' boards redraw only when someone
    starts editing, not on every renewal, so an idle board stays idle."""
    now = now or timezone.now()
    row, created = CardEditor.objects.select_for_update(no_key=True).get_or_create(
        card=card, user=user, defaults={"board_id": card.board_id, "seen_at": now}
    )
    fresh = not created and row.seen_at > now - EDITING_TTL
    if not created:
        CardEditor.objects.filter(pk=row.pk).update(seen_at=now)
    if not fresh:
        changed(card.board_id)


@transaction.atomic
def stop_editing(card: Card, user: User) -> None:
    """The page was closed: the marker goes at once rather than when it expires."""
    deleted, _ = CardEditor.objects.filter(card=card, user=user).delete()
    if deleted:
        changed(card.board_id)


_WORKSPACE = Board._meta.get_field("workspace")


def _event(card: Card, kind: str, actor: User | None, at: datetime, **fields: Any) -> CardEvent:
    event = CardEvent.objects.create(
        card=card, board_id=card.board_id, kind=kind, actor=actor, at=at, **fields
    )
    changed(card.board_id)
    board = card.board
    # The workspace when it was read in this transaction (the locked card's or column's): its
    # flags let subscribers with nothing to do there be skipped (no webhook lookup).
    workspace = board.workspace if _WORKSPACE.is_cached(board) else None
    payload = event_payload(card, event)
    notify.publish(board.workspace_id, f"card.{kind}", payload, workspace=workspace)
    return event


def event_payload(card: Card, event: CardEvent) -> dict[str, Any]:
    """What subscribers (webhooks) learn of a card event: ids, names and the time, no secrets."""
    columns = {c.pk: c.name for c in (event.from_column, event.to_column) if c is not None}
    return {
        "board": card.board_id,
        "card": {"id": card.pk, "number": card.number, "title": card.title},
        "kind": event.kind,
        "at": event.at.isoformat(),
        "actor": event.actor.email if event.actor else None,
        "from_column": columns.get(event.from_column_id) if event.from_column_id else None,
        "to_column": columns.get(event.to_column_id) if event.to_column_id else None,
        "lane": event.lane,
        "reason": event.reason,
    }


# ---- limits -------------------------------------------------------------------------------------


LimitCheck = wip.Breach  # a limit the move would break: ``hard`` refuses, soft needs a reason


def _in_progress(board: Board, column: Column) -> bool:
    return in_progress(column, board.start_column, board.done_column)


def _rule(column: Column) -> wip.Column:
    return wip.Column(
        column.name, column.wip_limit, column.per_person_limit, column.policy == Column.Policy.HARD
    )


def _others(card: Card | None, column: Column) -> Any:
    """The live cards of the column but ``card``: what its limits count."""
    others = Card.objects.live().filter(column=column)
    return others.exclude(pk=card.pk) if card is not None else others


def _held(card: Card | None, column: Column, people: Sequence[User]) -> list[tuple[str, int]]:
    """How many cards of the column (``card`` left out) each person holds, in one query."""
    if column.per_person_limit is None or not people:
        return []
    counts = dict(
        _others(card, column)
        .filter(assignees__in=[p.pk for p in people])
        .values_list("assignees")
        .annotate(n=Count("pk"))
        .values_list("assignees", "n")
    )
    return [(person.label, counts.get(person.pk, 0)) for person in people]


def per_person_broken(
    card: Card | None, column: Column, people: Sequence[User]
) -> list[LimitCheck]:
    """People who would hold more cards in the column than its per-person limit allows."""
    return wip.person_breaches(_rule(column), _held(card, column, people))


def limits_broken(
    card: Card | None, board: Board, column: Column, lane: str, assignees: Sequence[User]
) -> list[LimitCheck]:
    """Which limits a card arriving in (column, lane) would exceed: the counts are loaded here,
    the rule is leanmark.domain.wip's. Counts exclude the card."""
    moving_in = card is None or card.column_id != column.pk
    was_expedite_in_progress = (
        card is not None and card.lane == Lane.EXPEDITE and _in_progress(board, card.column)
    )
    into_expedite = (
        lane == Lane.EXPEDITE and _in_progress(board, column) and not was_expedite_in_progress
    )
    expedite = 0
    if into_expedite:
        committed = [c.pk for c in board.columns.all() if _in_progress(board, c)]
        expedite = (
            Card.objects.live()
            .filter(board=board, lane=Lane.EXPEDITE, column_id__in=committed)
            .exclude(pk=card.pk if card else None)
            .count()
        )
    arrival = wip.Arrival(
        moving_in=moving_in,
        into_expedite=into_expedite,
        in_column=_others(card, column).count()
        if moving_in and column.wip_limit is not None
        else 0,
        held=_held(card, column, assignees) if moving_in else (),
        expedite_in_progress=expedite,
    )
    return wip.breaches(_rule(column), board.expedite_limit, arrival)


def _record_override(card: Card, reason: str, actor: User | None, at: datetime) -> None:
    """The event for a soft limit gone over (after _enforce allowed it), in the card's column."""
    _event(card, CardEvent.Kind.WIP_OVERRIDE, actor, at, to_column=card.column, reason=reason)


def _enforce(problems: list[LimitCheck], reason: str) -> bool:
    """Raise for a hard limit or a soft one without a reason; True when a soft override happens."""
    if not problems:
        return False
    hard = [p for p in problems if p.hard]
    if hard:
        raise WipLimitExceeded(" ".join(p.message for p in hard), field="column")
    if not reason:
        raise OverrideReasonRequired(" ".join(p.message for p in problems), field="reason")
    return True


def _locked_column(
    column: Column | int,
    board_id: int | None = None,
    *,
    first: bool = False,
    with_workspace: bool = False,
    missing: str = "no such column on this card's board",
) -> Column:
    """The column, locked, with its board. Given an id and the board it must be on (the API's
    move and create), a column of another board is not found: one round trip both checks and
    locks it. ``first``: the board's first column (``column`` is then the board's id);
    ``with_workspace``: the board's workspace too (a create's events read its flags)."""
    locked = Column.objects.select_for_update(no_key=True, of=("self",))
    related = ["board__start_column", "board__done_column"]
    locked = locked.select_related(*related, *(["board__workspace"] if with_workspace else []))
    if first:
        found = locked.filter(board_id=column).order_by("position").first()
        if found is None:
            raise InvalidInput("the board has no column to put a card in", field="column")
        return found
    if isinstance(column, Column):
        return locked.get(pk=column.pk)
    found = next(iter(locked.filter(pk=column, board_id=board_id).order_by()[:1]), None)
    if found is None:  # (one row by its key: no ORDER BY to compile)
        raise NotFound(missing, field="column_id")
    return found


def _known_assignees(card: Card, people: list[User]) -> None:
    """Let ``card.assignees.all()`` answer ``people`` without a query (they were just written),
    as a prefetch would."""
    cached = card.assignees.all()
    cached._result_cache = list(people)
    cached._prefetch_done = True
    card._prefetched_objects_cache = {"assignees": cached}


def _flow_stamps(card: Card, board: Board, column: Column, at: datetime) -> list[str]:
    """Keep the card's cached start/finish in step with §5 (the events stay the source of truth)."""
    changed: list[str] = []
    start_pos = board.start_column.position if board.start_column else 0
    if card.started_at is None and column.position >= start_pos:
        card.started_at = at
        changed.append("started_at")
    is_done = board.done_column_id == column.pk
    if is_done:
        card.finished_at = at
        changed.append("finished_at")
    elif card.finished_at is not None:
        card.finished_at = None
        changed.append("finished_at")
    return changed


# ---- boards and columns ------------------------------------------------------------------------


@dataclass(frozen=True)
class ColumnSpec:
    name: str
    kind: str = Column.Kind.ACTIVE
    wip_limit: int | None = None
    policy: str = Column.Policy.SOFT
    per_person_limit: int | None = None


DEFAULT_COLUMNS = [
    ColumnSpec("Ready", Column.Kind.QUEUE, 8),
    ColumnSpec("Doing", Column.Kind.ACTIVE, 3, Column.Policy.HARD),
    ColumnSpec("Review", Column.Kind.QUEUE, 3),
    ColumnSpec("Done", Column.Kind.QUEUE),
]


def _clean_board_name(name: Any) -> str:
    name = (name if isinstance(name, str) else "").strip()
    if text_rules.blank(name) or len(name) > 100:
        raise InvalidInput("a board needs a name of 1 to 100 characters", field="name")
    return no_control_characters(name, "name")


def _clean_column_name(name: Any) -> str:
    if not isinstance(name, str) or text_rules.blank(name):
        raise InvalidInput("a column needs a name", field="name")
    no_control_characters(name.strip(), "column name")
    if len(name.strip()) > 60:
        raise InvalidInput("a column name has at most 60 characters", field="name")
    return name.strip()


@transaction.atomic
def create_board(
    workspace: Workspace,
    name: str,
    columns: Sequence[ColumnSpec] = DEFAULT_COLUMNS,
    *,
    start: str | None = None,
    done: str | None = None,
) -> Board:
    """A board; start defaults to the second column (or the first), done to the last."""
    name = _clean_board_name(name)
    if len(columns) < 2:
        raise InvalidInput("a board needs at least two columns", field="columns")
    names = [_clean_column_name(c.name) for c in columns]
    if len(set(names)) != len(names):
        raise InvalidInput("column names must be different", field="columns")
    board = Board.objects.create(workspace=workspace, name=name)
    made = Column.objects.bulk_create(
        Column(
            board=board,
            name=n,
            position=i,
            kind=spec.kind,
            wip_limit=clean_limit(spec.wip_limit, "wip_limit"),
            policy=spec.policy,
            per_person_limit=clean_limit(spec.per_person_limit, "per_person_limit"),
        )
        for i, (n, spec) in enumerate(zip(names, columns, strict=True))
    )
    by_name = {c.name: c for c in made}
    board.start_column = by_name[start] if start else made[1 if len(made) > 2 else 0]
    board.done_column = by_name[done] if done else made[-1]
    board.save(update_fields=["start_column", "done_column"])
    return board


@transaction.atomic
def update_board(
    board: Board, *, name: str, start_column: Column, done_column: Column, expedite_limit: object
) -> Board:
    name = _clean_board_name(name)
    if start_column.board_id != board.pk or done_column.board_id != board.pk:
        raise InvalidInput(
            "the start and done columns must be columns of this board", field="start_column"
        )
    if start_column.position > done_column.position:
        raise InvalidInput(
            "the start column must come before the done column", field="start_column"
        )
    limit = clean_limit(expedite_limit, "expedite_limit")
    board.name = name
    board.start_column = start_column
    board.done_column = done_column
    board.expedite_limit = 1 if limit is None else limit
    board.save(update_fields=["name", "start_column", "done_column", "expedite_limit"])
    changed(board.pk)
    return board


@transaction.atomic
def add_column(board: Board, spec: ColumnSpec, *, before: Column | None = None) -> Column:
    name = _clean_column_name(spec.name)
    if board.columns.filter(name__iexact=name).exists():  # the CLI finds columns by any case
        raise Duplicate(f"this board already has a column called {name}", field="name")
    if before is None:
        position = (board.columns.aggregate(m=Max("position"))["m"] or 0) + 1
    else:
        position = before.position
        _shift_columns(board, position)
    changed(board.pk)
    return Column.objects.create(
        board=board,
        name=name,
        position=position,
        kind=_clean_kind(spec.kind),
        wip_limit=clean_limit(spec.wip_limit, "wip_limit"),
        policy=_clean_policy(spec.policy),
        per_person_limit=clean_limit(spec.per_person_limit, "per_person_limit"),
    )


def _shift_columns(board: Board, from_position: int) -> None:
    # Two steps so a unique index on position (if one is ever added) is never violated mid-update.
    for column in board.columns.filter(position__gte=from_position).order_by("-position"):
        Column.objects.filter(pk=column.pk).update(position=F("position") + 1)


def _clean_kind(kind: Any) -> str:
    if kind not in Column.Kind.values:
        raise InvalidInput(f"unknown column kind {kind!r}; choose queue or active", field="kind")
    return str(kind)


def _clean_policy(policy: Any) -> str:
    if policy not in Column.Policy.values:
        raise InvalidInput(f"unknown limit policy {policy!r}; choose soft or hard", field="policy")
    return str(policy)


@transaction.atomic
def update_column(column: Column, spec: ColumnSpec) -> Column:
    """Change a column. A limit below the current WIP is allowed; the board shows it as over."""
    name = _clean_column_name(spec.name)
    taken = Column.objects.filter(board_id=column.board_id, name__iexact=name)
    if taken.exclude(pk=column.pk).exists():
        raise Duplicate(f"this board already has a column called {name}", field="name")
    column.name = name
    column.kind = _clean_kind(spec.kind)
    column.policy = _clean_policy(spec.policy)
    column.wip_limit = clean_limit(spec.wip_limit, "wip_limit")
    column.per_person_limit = clean_limit(spec.per_person_limit, "per_person_limit")
    column.save(update_fields=["name", "kind", "policy", "wip_limit", "per_person_limit"])
    changed(column.board_id)
    return column


@transaction.atomic
def move_column(column: Column, direction: int) -> None:
    """Swap a column with its left (-1) or right (+1) neighbour."""
    columns = list(Column.objects.filter(board_id=column.board_id).order_by("position"))
    index = next(i for i, c in enumerate(columns) if c.pk == column.pk)
    other = index + direction
    if not 0 <= other < len(columns):
        raise InvalidInput("the column is already at that end of the board", field="position")
    columns[index], columns[other] = columns[other], columns[index]
    for position, col in enumerate(columns):
        if col.position != position:
            Column.objects.filter(pk=col.pk).update(position=position)
    board = Board.objects.select_related("start_column", "done_column").get(pk=column.board_id)
    if board.start_column and board.done_column:
        start = next(c for c in columns if c.pk == board.start_column_id)
        done = next(c for c in columns if c.pk == board.done_column_id)
        if columns.index(start) > columns.index(done):
            raise InvalidInput(
                "the start column must stay before the done column", field="position"
            )
    changed(column.board_id)


@transaction.atomic
def delete_column(column: Column) -> None:
    if Card.objects.filter(column=column).exists():
        raise InvalidInput(
            f"{column.name} still holds cards (archived ones count); move them out first",
            field="column",
        )
    if CardEvent.objects.filter(Q(from_column=column) | Q(to_column=column)).exists():
        raise InvalidInput(
            f"cards have passed through {column.name}, and their history names it; "
            "rename it or leave it empty instead of deleting it",
            field="column",
        )
    board = column.board
    if column.pk in (board.start_column_id, board.done_column_id):
        raise InvalidInput(
            "choose another start/done column before deleting this one", field="column"
        )
    if board.columns.count() <= 2:
        raise InvalidInput("a board needs at least two columns", field="column")
    column.delete()
    changed(board.pk)


# ---- cards --------------------------------------------------------------------------------------


def _next_number(board: Board) -> int:
    return next_card_number(board.workspace)


def _end_position(column: Column, lane: str) -> int:
    # Live cards only: restoring an archived card places it anew, and this filter is the prefix
    # of card_cell_idx, so the maximum is read off the index whatever the column's history.
    live = Card.objects.filter(column=column, archived_at__isnull=True, lane=lane)
    top = live.aggregate(m=Max("position"))["m"]
    return 0 if top is None else top + 1


def _place(
    card_pk: int | None, column: Column, lane: str, before: Card | int | None, workspace_id: int
) -> int:
    """The position for a card placed before ``before`` (a card of the workspace, read here,
    inside the lock; NotFound if there is none) or at the end of its cell.

    Positions only order a cell and may be negative, so a card placed where its neighbours
    leave a gap takes the position just above ``before`` and nothing else is written: a move
    to the top of a cell writes one row, whatever the cell holds. Only where there is no gap
    are the cards from ``before`` on shifted down (one UPDATE). ``before`` and the card just
    above it (in the cell's order, position then id) come in one read."""
    if before is None:
        return _end_position(column, lane)
    before_id = before.pk if isinstance(before, Card) else before
    cards, boards = Card._meta.db_table, Board._meta.db_table
    with connection.cursor() as cursor:  # fixed SQL: the ORM's compile of it cost more than it
        cursor.execute(
            f"""SELECT b.column_id, b.lane, b.position, (
                    SELECT p.position FROM "{cards}" p
                    WHERE p.column_id = b.column_id AND p.lane = b.lane
                      AND p.archived_at IS NULL AND p.id <> %s AND p.position <= b.position
                      AND (p.position < b.position OR p.id < b.id)
                    ORDER BY p.position DESC, p.id DESC LIMIT 1)
                FROM "{cards}" b JOIN "{boards}" w ON w.id = b.board_id
                WHERE b.id = %s AND w.workspace_id = %s""",  # noqa: S608 (fixed names)
            [card_pk or 0, before_id, workspace_id],
        )
        found = cursor.fetchone()
    if found is None:
        raise NotFound("no such card", field="before_id")
    before_column, before_lane, position, above_position = found
    if before_column != column.pk or before_lane != lane or before_id == card_pk:
        return _end_position(column, lane)
    if above_position is None or above_position < position - 1:
        return position - 1
    Card.objects.filter(column=column, archived_at__isnull=True, lane=lane).filter(
        Q(position__gt=position) | Q(position=position, pk__gte=before_id)
    ).exclude(pk=card_pk).update(position=F("position") + 1)
    return position


@transaction.atomic
def create_card(
    board: Board,
    *,
    title: object,
    actor: User | None,
    column: Column | int | None = None,
    lane: object = Lane.STANDARD,
    description: str = "",
    assignees: Iterable[User | int] = (),
    due_date: date | None = None,
    stage: object = "",
    channel: str = "",
    tags: object = (),
    estimate: object = None,
    reason: str = "",
    at: datetime | None = None,
) -> Card:
    at = at or timezone.now()
    title = clean_title(title)
    lane = clean_lane(lane)
    if isinstance(column, Column) and column.board_id != board.pk:
        raise InvalidInput("the column does not belong to this board", field="column")
    column = _locked_column(
        board.pk if column is None else column,
        board.pk,
        first=column is None,
        with_workspace=True,
        missing="no such column on this board",
    )
    nobody = isinstance(assignees, list | tuple) and not assignees
    people = [] if nobody else assignees_in(board.workspace, assignees)
    reason = clean_reason(reason)
    override = _enforce(limits_broken(None, column.board, column, lane, people), reason)
    card = Card(
        board=column.board,  # as locked-read: its workspace says whether webhooks listen
        number=_next_number(board),
        column=column,
        lane=lane,
        position=_end_position(column, lane),
        title=title,
        description=clean_description(description),
        due_date=due_date,
        stage=clean_stage(stage),
        channel=clean_channel(channel),
        tags=clean_tags(tags),
        estimate=clean_estimate(estimate),
        created_at=at,
        column_entered_at=at,
    )
    _flow_stamps(card, column.board, column, at)
    card.save()
    if people:  # a new card has nobody yet: add, without reading who is there
        Card.assignees.through.objects.bulk_create(
            [Card.assignees.through(card_id=card.pk, user_id=p.pk) for p in people]
        )
    _known_assignees(card, people)
    _event(card, CardEvent.Kind.CREATED, actor, at, to_column=column, lane=lane)
    if override:
        _record_override(card, reason, actor, at)
    return card


def _assignees_json(vendor: str) -> str:
    """SQL for the card's assignees (id, username, display name) as one JSON text, read in the
    card's own statement instead of a second round trip."""
    through = Card.assignees.through._meta.db_table
    users = User._meta.db_table
    card = Card._meta.db_table
    if vendor == "postgresql":
        rows = "coalesce(json_agg(json_build_array(u.id, u.username, u.display_name)), '[]')::text"
    else:
        rows = "json_group_array(json_array(u.id, u.username, u.display_name))"
    return (
        f'(SELECT {rows} FROM "{through}" a JOIN "{users}" u ON u.id = a.user_id '  # noqa: S608 (fixed names)
        f'WHERE a.card_id = "{card}"."id")'
    )


def _locked_card(card: Card) -> Card:
    """The card, locked, with what every write reads next: its column, its board (the event's
    workspace) and its assignees (limits, and the API's answer), in one statement."""
    found = (
        Card.objects.select_for_update(no_key=True, of=("self",))
        .select_related("column", "board__workspace")
        .annotate(people_json=RawSQL(_assignees_json(connection.vendor), ()))  # noqa: S611
        .get(pk=card.pk)
    )
    fields = ["id", "username", "display_name"]
    people = [User.from_db(connection.alias, fields, row) for row in json.loads(found.people_json)]
    _known_assignees(found, people)  # as .only("id", "username", "display_name") would load them
    return found


def _check_version(card: Card, expected_version: int | None) -> None:
    if expected_version is not None and expected_version != card.version:
        raise StaleVersion(
            f"card #{card.number} was changed by someone else (you had version {expected_version}, "
            f"it is now version {card.version}); reload it and apply your change again",
            field="version",
            card_id=card.pk,
            current_version=card.version,
        )


@transaction.atomic
def move_card(
    card: Card,
    *,
    to_column: Column | int,
    actor: User | None,
    lane: object = None,
    before: Card | int | None = None,
    reason: str = "",
    expected_version: int | None = None,
    at: datetime | None = None,
) -> Card:
    """Move a card to a column (and lane), before another card or at the end, checking limits.

    ``to_column`` may be a column id, looked up on the card's board (NotFound if not there);
    ``before`` a card or the id of one of the workspace's cards (NotFound if not there)."""
    column = _locked_column(to_column, card.board_id)
    card = _locked_card(card)
    if column.board_id != card.board_id:
        raise InvalidInput("the target column belongs to another board", field="column")
    _check_version(card, expected_version)
    if card.archived_at is not None:
        raise WrongState(
            f"card #{card.number} is archived; restore it before moving it", field="card"
        )
    lane = card.lane if lane in (None, "") else clean_lane(lane)
    moving = column.pk != card.column_id or lane != card.lane
    if card.is_blocked and moving:
        raise CardBlocked(
            f"card #{card.number} is blocked ({card.blocked_reason}); unblock it before moving it",
            field="card",
        )
    at = at or timezone.now()
    reason = clean_reason(reason)
    board = column.board
    override = False
    if moving:
        people = list(card.assignees.all())
        override = _enforce(limits_broken(card, board, column, lane, people), reason)
    from_column = card.column
    card.position = _place(card.pk, column, lane, before, card.board.workspace_id)
    fields = ["position", "version"]
    if moving:
        card.lane = lane
        fields.append("lane")
    if column.pk != card.column_id:
        card.column = column
        card.column_entered_at = at
        fields += ["column", "column_entered_at", *_flow_stamps(card, board, column, at)]
    card.version += 1
    card.save(update_fields=fields)
    if moving:
        _event(
            card,
            CardEvent.Kind.MOVED,
            actor,
            at,
            from_column=from_column,
            to_column=column,
            lane=lane,
        )
    if override:
        _record_override(card, reason, actor, at)
    return card


EDITABLE = ("title", "description", "due_date", "stage", "channel", "tags", "estimate")


@transaction.atomic
def edit_card(
    card: Card,
    *,
    changes: dict[str, object],
    expected_version: int | None,
    actor: User | None,
    reason: str = "",
) -> Card:
    """Apply field changes; a stale ``expected_version`` raises StaleVersion and changes nothing."""
    card = _locked_card(card)
    _check_version(card, expected_version)
    unknown = set(changes) - {*EDITABLE, "assignees"}
    if unknown:
        raise InvalidInput(
            f"these fields cannot be edited: {', '.join(sorted(unknown))}", field=sorted(unknown)[0]
        )
    cleaners = {
        "title": clean_title,
        "description": clean_description,
        "due_date": lambda v: v,
        "stage": clean_stage,
        "channel": clean_channel,
        "tags": clean_tags,
        "estimate": clean_estimate,
    }
    diff: dict[str, list[Any]] = {}
    for name, value in changes.items():
        if name == "assignees":
            continue
        new = cleaners[name](value)
        old = getattr(card, name)
        if new != old:
            diff[name] = [_jsonable(old), _jsonable(new)]
            setattr(card, name, new)
    assigned_changed = False
    if "assignees" in changes:
        people = assignees_in(card.board.workspace, changes["assignees"])
        before = set(card.assignees.values_list("pk", flat=True))
        after = {p.pk for p in people}
        if before != after:
            if card.archived_at is None:  # a new assignee counts against the per-person limit
                added = [p for p in people if p.pk not in before]
                reason = clean_reason(reason)
                if _enforce(per_person_broken(card, card.column, added), reason):
                    _record_override(card, reason, actor, timezone.now())
            card.assignees.set(people)
            assigned_changed = True
            _event(
                card,
                CardEvent.Kind.ASSIGNED,
                actor,
                timezone.now(),
                data={"from": sorted(before), "to": sorted(after)},
            )
    if not diff and not assigned_changed:
        return card
    card.version += 1
    card.save(update_fields=[*diff, "version"])
    if diff:
        _event(card, CardEvent.Kind.EDITED, actor, timezone.now(), data={"fields": diff})
    return card


def _jsonable(value: Any) -> Any:
    if isinstance(value, date | Decimal):
        return str(value)
    return value


def set_time_logged(card: Card, total: Decimal) -> None:
    """The card's cached total of logged hours. The roi app's time logs are the record (each
    with its member and date); it calls this inside its own transaction after every change."""
    Card.objects.filter(pk=card.pk).update(time_logged=total)
    card.time_logged = total
    changed(card.board_id)  # the API's cards show the total: a board's ETag must move with it


@transaction.atomic
def block_card(
    card: Card, *, reason: object, actor: User | None, at: datetime | None = None
) -> Card:
    card = _locked_card(card)
    reason = clean_reason(reason)
    if not reason:
        raise InvalidInput("say what blocks the card", field="reason")
    if card.is_blocked:
        raise WrongState(
            f"card #{card.number} is already blocked ({card.blocked_reason})", field="card"
        )
    at = at or timezone.now()
    card.blocked_reason, card.blocked_since = reason, at
    card.version += 1
    card.save(update_fields=["blocked_reason", "blocked_since", "version"])
    _event(card, CardEvent.Kind.BLOCKED, actor, at, reason=reason)
    return card


@transaction.atomic
def unblock_card(card: Card, *, actor: User | None, at: datetime | None = None) -> Card:
    card = _locked_card(card)
    if not card.is_blocked:
        raise WrongState(f"card #{card.number} is not blocked", field="card")
    at = at or timezone.now()
    reason = card.blocked_reason
    card.blocked_reason, card.blocked_since = "", None
    card.version += 1
    card.save(update_fields=["blocked_reason", "blocked_since", "version"])
    _event(card, CardEvent.Kind.UNBLOCKED, actor, at, reason=reason)
    return card


@transaction.atomic
def archive_card(card: Card, *, actor: User | None, at: datetime | None = None) -> Card:
    card = _locked_card(card)
    if card.archived_at is not None:
        raise WrongState(f"card #{card.number} is already archived", field="card")
    at = at or timezone.now()
    card.archived_at = at
    card.version += 1
    card.save(update_fields=["archived_at", "version"])
    _event(card, CardEvent.Kind.ARCHIVED, actor, at)
    return card


@transaction.atomic
def restore_card(card: Card, *, actor: User | None, reason: str = "") -> Card:
    """Bring an archived card back to its column; limits apply as to a card arriving there."""
    column = _locked_column(card.column)
    card = _locked_card(card)
    if card.archived_at is None:
        raise WrongState(f"card #{card.number} is not archived", field="card")
    reason = clean_reason(reason)
    people = list(card.assignees.all())
    override = _enforce(limits_broken(None, column.board, column, card.lane, people), reason)
    at = timezone.now()
    card.archived_at = None
    card.position = _end_position(column, card.lane)
    card.version += 1
    card.save(update_fields=["archived_at", "position", "version"])
    _event(card, CardEvent.Kind.RESTORED, actor, at)
    if override:
        _record_override(card, reason, actor, at)
    return card


# ---- imported history ---------------------------------------------------------------------------


@dataclass(frozen=True)
class HistoryEvent:
    """One back-dated event of an imported card. ``created`` and ``moved`` name ``to_column``."""

    kind: str  # a CardEvent.Kind value
    at: datetime  # timezone-aware
    actor: User | None = None
    to_column: Column | None = None
    from_column: Column | None = None
    reason: str = ""
    data: dict[str, Any] | None = None


@dataclass(frozen=True)
class HistoryCard:
    """A card with its whole history, from an import (Trello, card-history CSV) or the demo.

    ``events`` are in time order and start with ``created``; the card's column, flow stamps,
    blocked state, archive date and version are derived from them, as if the services had
    written them one by one. ``number`` None takes the workspace's next number."""

    title: str
    events: Sequence[HistoryEvent]
    lane: str = Lane.STANDARD
    description: str = ""
    stage: str = ""
    channel: str = ""
    tags: Sequence[str] = ()
    estimate: Decimal | None = None
    due_date: date | None = None
    assignees: Sequence[User] = ()
    number: int | None = None


HISTORY_BATCH = 2000
ProgressCallback = Any  # Callable[[int, int], None]: (done, total)


def _derived(board: Board, columns: dict[int, Column], item: HistoryCard, index: int) -> Card:
    from leanmark.domain.flow import Move, item_times

    where = f"card {index + 1} ({item.title[:40]!r})"
    events = list(item.events)
    if not events or events[0].kind != CardEvent.Kind.CREATED:
        raise InvalidInput(f"{where}: its history must start with 'created'", field="events")
    previous = events[0].at
    for event in events:
        if event.kind not in CardEvent.Kind.values:
            raise InvalidInput(f"{where}: unknown event kind {event.kind!r}", field="events")
        if event.at.tzinfo is None:
            raise InvalidInput(f"{where}: event times must carry a time zone", field="events")
        if event.at < previous:
            raise InvalidInput(
                f"{where}: events are out of order ({event.kind} at {event.at.isoformat()} comes "
                f"before {previous.isoformat()})",
                field="events",
            )
        previous = event.at
        for column in (event.to_column, event.from_column):
            if column is not None and column.pk not in columns:
                raise InvalidInput(f"{where}: a column is not on this board", field="events")
        if event.kind in (CardEvent.Kind.CREATED, CardEvent.Kind.MOVED) and not event.to_column:
            raise InvalidInput(f"{where}: a {event.kind} event needs a column", field="events")
    placed = [e for e in events if e.kind in (CardEvent.Kind.CREATED, CardEvent.Kind.MOVED)]
    moves = [Move(e.at, columns[e.to_column.pk].position) for e in placed if e.to_column]
    start = columns[board.start_column_id].position if board.start_column_id else 0
    done = columns[board.done_column_id].position if board.done_column_id else len(columns) - 1
    times = item_times(events[0].at, moves, start_index=start, done_index=done)
    blocked_since, blocked_reason, archived_at = None, "", None
    for event in events:
        if event.kind == CardEvent.Kind.BLOCKED:
            blocked_since, blocked_reason = event.at, event.reason
        elif event.kind == CardEvent.Kind.UNBLOCKED:
            blocked_since, blocked_reason = None, ""
        elif event.kind == CardEvent.Kind.ARCHIVED:
            archived_at = event.at
        elif event.kind == CardEvent.Kind.RESTORED:
            archived_at = None
    return Card(
        board=board,
        number=item.number or 0,
        column=placed[-1].to_column,
        lane=clean_lane(item.lane),
        title=clean_title(item.title),
        description=clean_description(item.description),
        due_date=item.due_date,
        stage=clean_stage(item.stage),
        channel=clean_channel(item.channel),
        tags=clean_tags(list(item.tags)),
        estimate=item.estimate,
        blocked_reason=blocked_reason[:REASON_MAX],
        blocked_since=blocked_since,
        # Like the services: one version per write; an override is part of its move's write.
        version=1
        + sum(e.kind not in (CardEvent.Kind.CREATED, CardEvent.Kind.WIP_OVERRIDE) for e in events),
        created_at=events[0].at,
        column_entered_at=placed[-1].at,
        started_at=times.started,
        finished_at=times.finished,
        archived_at=archived_at,
    )


@transaction.atomic
def import_history(
    board: Board,
    items: Sequence[HistoryCard],
    *,
    progress: ProgressCallback | None = None,
) -> list[Card]:
    """Create cards with their back-dated events, all or nothing.

    WIP limits are not checked: history is what happened. The cards go after the cards already
    in each cell; events are written in time order, so event ids grow with time as live ones do.
    Raises InvalidInput naming the card (1-based, in the order given) for a bad history.
    """
    columns = {c.pk: c for c in board.columns.all()}
    rows = [_derived(board, columns, item, i) for i, item in enumerate(items)]
    assignee_ids = {u.pk for item in items for u in item.assignees}
    if assignee_ids:
        assignees_in(board.workspace, assignee_ids)
    for item, row in zip(items, rows, strict=True):
        if item.number is None:
            row.number = _next_number(board)
    given = [i.number for i in items if i.number is not None]
    if given:
        taken = set(
            Card.objects.filter(board__workspace=board.workspace, number__in=given).values_list(
                "number", flat=True
            )
        )
        if taken or len(set(given)) != len(given):
            raise InvalidInput(
                f"card numbers already in use: {sorted(taken) or 'repeated in the import'}",
                field="number",
            )
        workspace = board.workspace
        type(workspace).objects.filter(pk=workspace.pk, card_counter__lt=max(given)).update(
            card_counter=max(given)
        )
    ends: dict[tuple[int, str], int] = {}
    for row in sorted(
        rows, key=lambda r: (r.archived_at is not None, r.column_entered_at, r.number)
    ):
        cell = (row.column_id, row.lane)
        if cell not in ends:
            ends[cell] = _end_position(row.column, row.lane)
        row.position = ends[cell]
        ends[cell] += 1
    total = 2 * len(rows) + 1
    done = 0
    created: list[Card] = []
    for start in range(0, len(rows), HISTORY_BATCH):
        created += Card.objects.bulk_create(rows[start : start + HISTORY_BATCH])
        done += len(rows[start : start + HISTORY_BATCH])
        if progress is not None:
            progress(done, total)
    timeline = sorted(
        ((event.at, n, i), card, item, event)
        for n, (card, item) in enumerate(zip(created, items, strict=True))
        for i, event in enumerate(item.events)
    )
    events = [
        CardEvent(
            card=card,
            board=board,
            kind=event.kind,
            at=event.at,
            actor=event.actor,
            from_column=event.from_column,
            to_column=event.to_column,
            lane=card.lane if event.kind in (CardEvent.Kind.CREATED, CardEvent.Kind.MOVED) else "",
            reason=event.reason[:REASON_MAX],
            data=event.data or {},
        )
        for _key, card, item, event in timeline
    ]
    for start in range(0, len(events), HISTORY_BATCH * 5):
        CardEvent.objects.bulk_create(events[start : start + HISTORY_BATCH * 5])
        done = len(rows) + round(len(rows) * min(1, (start + HISTORY_BATCH * 5) / len(events)))
        if progress is not None:
            progress(done, total)
    link = Card.assignees.through
    link.objects.bulk_create(
        link(card_id=card.pk, user_id=user.pk)
        for card, item in zip(created, items, strict=True)
        for user in {u.pk: u for u in item.assignees}.values()
    )
    changed(board.pk)
    if progress is not None:
        progress(total, total)
    return created


def delete_cards_of(workspace_ids: Iterable[int]) -> None:
    """Delete every card (with its events) of these workspaces' boards (the demo's reset, before
    it deletes the workspaces)."""
    Card.objects.filter(board__workspace__in=workspace_ids).delete()
