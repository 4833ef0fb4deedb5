from datetime import date, datetime
from typing import Annotated, Literal

from ninja import Schema
from pydantic import Field

from leanmark.lib.api_input import Filled
from leanmark.lib.schemas import Strict

from .models import TEXT_MAX, WHAT_MAX, Entry, Impediment

Id = Annotated[int, Field(ge=1, le=2**63 - 1)]
Text = Annotated[str, Field(max_length=TEXT_MAX)]


class EntryIn(Strict):
    workspace: str | None = Field(
        None, description="The workspace's slug (default: your only workspace).", max_length=60
    )
    yesterday: Text = ""
    today: Text = ""
    blockers: Text = ""
    day: date | None = Field(None, description="Defaults to today (workspace time zone).")
    member: Id | None = Field(None, description="Your own user id, if given; nobody else's.")


class EntryPatch(Strict):
    yesterday: Text | None = None
    today: Text | None = None
    blockers: Text | None = None


class EntryOut(Schema):
    id: int
    workspace: str
    member_id: int
    member: str
    day: date
    yesterday: str
    today: str
    blockers: str
    mentions: list[int] = Field(description="Numbers of the cards mentioned as #123.")
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def of(entry: Entry) -> "EntryOut":
        return EntryOut(
            id=entry.pk,
            workspace=entry.workspace.slug,
            member_id=entry.member_id,
            member=entry.member.label,
            day=entry.day,
            yesterday=entry.yesterday,
            today=entry.today,
            blockers=entry.blockers,
            mentions=sorted(c.number for c in entry.mentions.all()),
            created_at=entry.created_at,
            updated_at=entry.updated_at,
        )


class ImpedimentIn(Strict):
    what: str = Field(max_length=WHAT_MAX)
    owner_id: Id
    card_id: Id | None = None
    entry_id: Id | None = Field(None, description="The check-in whose blocker this is.")
    block_card: bool = Field(False, description="Also block the card, with `what` as reason.")


class ResolveIn(Strict):
    how: Annotated[Filled, Field(max_length=TEXT_MAX)]
    unblock_card: bool = Field(False, description="Also unblock the card if it is blocked.")


class ImpedimentOut(Schema):
    id: int
    what: str
    card_id: int | None
    card_number: int | None
    owner_id: int
    owner: str
    entry_id: int | None
    raised_at: datetime
    raised_by_id: int | None
    resolved_at: datetime | None
    resolved_by_id: int | None
    resolution: str
    open_days: float = Field(description="Days from raised to resolved, or to now if open.")

    @staticmethod
    def of(item: Impediment, now: datetime) -> "ImpedimentOut":
        end = item.resolved_at or now
        return ImpedimentOut(
            id=item.pk,
            what=item.what,
            card_id=item.card_id,
            card_number=item.card.number if item.card else None,
            owner_id=item.owner_id,
            owner=item.owner.label,
            entry_id=item.entry_id,
            raised_at=item.raised_at,
            raised_by_id=item.raised_by_id,
            resolved_at=item.resolved_at,
            resolved_by_id=item.resolved_by_id,
            resolution=item.resolution,
            open_days=round((end - item.raised_at).total_seconds() / 86400, 1),
        )


class FlagOut(Schema):
    kind: Literal[
        "blocked", "aging", "expedite_waiting", "no_owner", "over_wip", "over_person_limit"
    ]
    text: str


class AgendaItemOut(Schema):
    number: int
    title: str
    lane: str
    age_days: float
    blocked: bool
    assignees: list[str]
    assignee_ids: list[int]
    flags: list[FlagOut]


class AgendaSectionOut(Schema):
    column: str
    flags: list[FlagOut]
    flagged: int = Field(description="Items with at least one flag.")
    quiet: int = Field(description="Items without flags.")
    items: list[AgendaItemOut]


class AgendaOut(Schema):
    board_id: int
    now: datetime
    aging_limit_days: float | None = Field(
        description="85th percentile of the board's finished cycle times (days)."
    )
    aging_samples: int
    missing: list[str] = Field(description="Members (not viewers) who have not checked in.")
    sections: list[AgendaSectionOut]
