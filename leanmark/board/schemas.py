from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from ninja import Schema
from pydantic import BeforeValidator, Field

from leanmark.lib.schemas import CursorPage, Filled, Id, LaneName, StageName, Strict

from .models import Card, CardEvent, Column
from .services import MAX_ASSIGNEES, MAX_TAGS

# Documented only: the service says "between 0 and 999,999.99" itself, also for text like "1e400".
ESTIMATE_RANGE = {"minimum": 0, "maximum": 999999.99}


def _at_most(limit: int, what: str) -> BeforeValidator:
    """A list's cap said as the service says it ("a card has at most 20 tags"), before
    pydantic's own "List should have at most 20 items" (``max_length`` documents it)."""

    def check(value: Any) -> Any:
        if isinstance(value, list) and len(value) > limit:
            raise ValueError(f"a card has at most {limit} {what}, not {len(value):,}")
        return value

    return BeforeValidator(check)


Tags = Annotated[list[str], Field(max_length=MAX_TAGS), _at_most(MAX_TAGS, "tags")]
Assignees = Annotated[
    list[Id], Field(max_length=MAX_ASSIGNEES), _at_most(MAX_ASSIGNEES, "assignees")
]


class ColumnOut(Schema):
    id: int
    name: str
    position: int
    kind: str
    wip_limit: int | None
    policy: str
    per_person_limit: int | None
    count: int | None = None

    @staticmethod
    def of(column: Column, count: int | None = None) -> "ColumnOut":
        return ColumnOut(
            id=column.pk,
            name=column.name,
            position=column.position,
            kind=column.kind,
            wip_limit=column.wip_limit,
            policy=column.policy,
            per_person_limit=column.per_person_limit,
            count=count,
        )


class BoardOut(Schema):
    id: int
    workspace: str
    name: str
    start_column_id: int | None
    done_column_id: int | None
    expedite_limit: int
    columns: list[ColumnOut]


class BoardIn(Strict):
    name: Filled = Field(max_length=100)


class ColumnIn(Strict):
    name: Filled = Field(max_length=60)
    kind: Literal["queue", "active"] = "active"
    wip_limit: int | None = Field(None, ge=0, le=999, description="null: no limit")
    policy: Literal["soft", "hard"] = "soft"
    per_person_limit: int | None = Field(None, ge=0, le=999, description="null: no limit")


class ColumnPatch(Strict):
    """Fields left out keep their value; null is only meaningful for the limits (no limit)."""

    name: Filled = Field(None, max_length=60)  # type: ignore[assignment]  (not nullable)
    kind: Literal["queue", "active"] = None  # type: ignore[assignment]
    wip_limit: int | None = Field(None, ge=0, le=999, description="null: no limit")
    policy: Literal["soft", "hard"] = None  # type: ignore[assignment]
    per_person_limit: int | None = Field(None, ge=0, le=999, description="null: no limit")


class CardOut(Schema):
    id: int
    number: int
    board_id: int
    column_id: int
    column: str
    lane: str
    position: int
    title: str
    description: str
    assignees: list[int]
    due_date: date | None
    stage: str
    channel: str
    tags: list[str]
    estimate: Decimal | None
    time_logged: Decimal
    blocked: bool
    blocked_reason: str
    blocked_since: datetime | None
    version: int
    created_at: datetime
    column_entered_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    archived_at: datetime | None

    @staticmethod
    def of(card: Card) -> "CardOut":
        return CardOut(
            id=card.pk,
            number=card.number,
            board_id=card.board_id,
            column_id=card.column_id,
            column=card.column.name,
            lane=card.lane,
            position=card.position,
            title=card.title,
            description=card.description,
            assignees=sorted(u.pk for u in card.assignees.all()),
            due_date=card.due_date,
            stage=card.stage,
            channel=card.channel,
            tags=list(card.tags),
            estimate=card.estimate,
            time_logged=card.time_logged,
            blocked=card.is_blocked,
            blocked_reason=card.blocked_reason,
            blocked_since=card.blocked_since,
            version=card.version,
            created_at=card.created_at,
            column_entered_at=card.column_entered_at,
            started_at=card.started_at,
            finished_at=card.finished_at,
            archived_at=card.archived_at,
        )


class CardPage(CursorPage[CardOut]):
    pass


class BoardWithCardsOut(BoardOut):
    """``GET /boards/{id}?include=cards``: the board, its columns and every live card, by id."""

    cards: list[CardOut]


class CardIn(Strict):
    title: Filled
    column_id: Id | None = None
    lane: LaneName = "standard"
    description: str = Field("", max_length=20000)
    assignees: Assignees = []
    due_date: date | None = None
    stage: StageName = ""
    channel: str = Field("", max_length=60)
    tags: Tags = []
    estimate: Decimal | None = Field(None, json_schema_extra=ESTIMATE_RANGE)
    reason: str = Field("", max_length=300, description="Needed to go over a full soft limit")


class CardPatch(Strict):
    version: int = Field(description="The version you last read; a stale one answers 409")
    title: Filled = None  # type: ignore[assignment]  (optional, not nullable)
    description: str | None = Field(None, max_length=20000)
    assignees: Assignees | None = None
    due_date: date | None = None
    stage: StageName | None = None
    channel: str | None = Field(None, max_length=60)
    tags: Tags | None = None
    estimate: Decimal | None = Field(None, json_schema_extra=ESTIMATE_RANGE)


class MoveIn(Strict):
    column_id: Id
    lane: LaneName | None = None
    before_id: Id | None = Field(
        None, description="Place the card before this card; omit for the end"
    )
    reason: str = Field("", max_length=300, description="Needed to go over a full soft limit")
    version: int | None = Field(None, description="If given, a stale version answers 409")


class BlockIn(Strict):
    reason: Filled = Field(max_length=300)


class EventOut(Schema):
    id: int
    card_id: int
    card_number: int
    kind: str
    at: datetime
    actor_id: int | None
    from_column_id: int | None
    to_column_id: int | None
    lane: str
    reason: str
    data: dict[str, object]

    @staticmethod
    def of(event: CardEvent) -> "EventOut":
        return EventOut(
            id=event.pk,
            card_id=event.card_id,
            card_number=event.card.number,
            kind=event.kind,
            at=event.at,
            actor_id=event.actor_id,
            from_column_id=event.from_column_id,
            to_column_id=event.to_column_id,
            lane=event.lane,
            reason=event.reason,
            data=event.data,
        )


class EventPage(CursorPage[EventOut]):
    pass
