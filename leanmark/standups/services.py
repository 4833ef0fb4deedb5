"""Every write of the stand-up: check-ins, impediments, the recorded agenda. Each runs in one
transaction; quick actions on cards go through the board's own services."""

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from leanmark.accounts.models import Membership, Role, User, Workspace
from leanmark.board import queries as board_queries
from leanmark.board import services as board_services
from leanmark.domain.standup import mentioned_numbers
from leanmark.lib import clean
from leanmark.lib.errors import WrongState
from leanmark.lib.notify import publish

from .errors import AlreadyCheckedIn, EntryClosed, InvalidInput, NotYours
from .models import TEXT_MAX, WHAT_MAX, AgendaRecord, Entry, Impediment
from .queries import local_day

if TYPE_CHECKING:  # annotations only: the board's rows are read through its queries
    from leanmark.board.models import Board, Card

FIELDS = ("yesterday", "today", "blockers")


def clean_text(value: object, field: str, limit: int = TEXT_MAX) -> str:
    return clean.text(value, field, limit=limit, multiline=True)


def _texts(yesterday: Any, today: Any, blockers: Any) -> dict[str, str]:
    texts = {
        "yesterday": clean_text(yesterday, "yesterday"),
        "today": clean_text(today, "today"),
        "blockers": clean_text(blockers, "blockers"),
    }
    if not any(texts.values()):
        raise InvalidInput(
            "the check-in is empty: say what you did yesterday, what you will do today, "
            "or what blocks you",
            field="today",
        )
    return texts


def _mentioned_cards(workspace: Workspace, texts: dict[str, str]) -> "list[Card]":
    """The cards mentioned as #123; a number that is not a card of this workspace is refused."""
    wanted: dict[int, str] = {}
    for field in FIELDS:
        for number in mentioned_numbers(texts[field]):
            wanted.setdefault(number, field)
    if not wanted:
        return []
    found = board_queries.cards_numbered(workspace, wanted)
    for number, field in wanted.items():
        if number not in found:
            raise InvalidInput(
                f"there is no card #{number} in this workspace; mention only this workspace's "
                "cards (or write the number without #)",
                field=field,
            )
    return [found[n] for n in wanted]


def _writer(workspace: Workspace, user: User, field: str = "member") -> Membership:
    membership = Membership.objects.filter(workspace=workspace, user=user).first()
    if membership is None or not membership.allows(Role.MEMBER):
        raise InvalidInput(
            f"{user.label} is not a member of this workspace who can write", field=field
        )
    return membership


@transaction.atomic
def check_in(
    workspace: Workspace,
    *,
    member: User,
    actor: User,
    yesterday: object = "",
    today: object = "",
    blockers: object = "",
    day: date | None = None,
    now: datetime | None = None,
) -> Entry:
    """The member's entry for today; refused for someone else, another day, or a second time."""
    now = now or timezone.now()
    if member.pk != actor.pk:
        raise NotYours(
            f"you can only check in for yourself, not for {member.label}", field="member"
        )
    _writer(workspace, member)
    current = local_day(workspace, now)
    day = day or current
    if day > current:
        raise InvalidInput(
            f"{day.isoformat()} is in the future; check in on the day itself", field="day"
        )
    if day < current:
        raise EntryClosed(
            f"the stand-up of {day.isoformat()} is over; check-ins are written on their day",
            field="day",
        )
    texts = _texts(yesterday, today, blockers)
    cards = _mentioned_cards(workspace, texts)
    existing = Entry.objects.filter(workspace=workspace, member=member, day=day).first()
    if existing is not None:
        raise AlreadyCheckedIn(
            f"you already checked in for {day.isoformat()}; edit that entry instead",
            field="day",
            entry_id=existing.pk,
        )
    try:
        with transaction.atomic():
            entry = Entry.objects.create(
                workspace=workspace, member=member, day=day, created_at=now, updated_at=now, **texts
            )
    except IntegrityError:  # a concurrent check-in won the race
        raise AlreadyCheckedIn(
            f"you already checked in for {day.isoformat()}; edit that entry instead", field="day"
        ) from None
    entry.mentions.set(cards)
    publish(workspace.pk, "standup.checked_in", {"entry": entry.pk, "member": member.pk})
    return entry


@transaction.atomic
def edit_entry(
    entry: Entry,
    *,
    actor: User,
    yesterday: object = "",
    today: object = "",
    blockers: object = "",
    now: datetime | None = None,
) -> Entry:
    """Change an entry on its day; afterwards it is read-only."""
    now = now or timezone.now()
    entry = (
        Entry.objects.select_for_update(no_key=True).select_related("workspace").get(pk=entry.pk)
    )
    if entry.member_id != actor.pk:
        raise NotYours("you can only change your own check-in", field="member")
    if local_day(entry.workspace, now) != entry.day:
        raise EntryClosed(
            f"the stand-up of {entry.day.isoformat()} is over; its entries are read-only",
            field="day",
        )
    texts = _texts(yesterday, today, blockers)
    cards = _mentioned_cards(entry.workspace, texts)
    for name, value in texts.items():
        setattr(entry, name, value)
    entry.updated_at = now
    entry.save(update_fields=[*FIELDS, "updated_at"])
    entry.mentions.set(cards)
    return entry


@transaction.atomic
def save_today(
    workspace: Workspace,
    *,
    actor: User,
    yesterday: object = "",
    today: object = "",
    blockers: object = "",
    now: datetime | None = None,
) -> tuple[Entry, bool]:
    """Check in for today, or change today's entry if there is one; True when it was created."""
    now = now or timezone.now()
    entry = Entry.objects.filter(
        workspace=workspace, member=actor, day=local_day(workspace, now)
    ).first()
    texts = {"yesterday": yesterday, "today": today, "blockers": blockers}
    if entry is not None:
        return edit_entry(entry, actor=actor, now=now, **texts), False
    return check_in(workspace, member=actor, actor=actor, now=now, **texts), True


# ---- impediments -------------------------------------------------------------------------------


@transaction.atomic
def raise_impediment(
    workspace: Workspace,
    *,
    what: object,
    owner: User,
    actor: User | None,
    card: "Card | None" = None,
    entry: Entry | None = None,
    block_card: bool = False,
    now: datetime | None = None,
) -> Impediment:
    """Track what blocks the team, with an owner; optionally block the card it holds up."""
    now = now or timezone.now()
    what = clean_text(what, "what", WHAT_MAX)
    if not what:
        raise InvalidInput("say what the impediment is", field="what")
    _writer(workspace, owner, "owner")
    if card is not None and card.board.workspace_id != workspace.pk:
        raise InvalidInput("the card belongs to another workspace", field="card")
    if entry is not None and entry.workspace_id != workspace.pk:
        raise InvalidInput("the check-in belongs to another workspace", field="entry")
    if block_card and card is None:
        raise InvalidInput("name the card to block", field="card")
    impediment = Impediment.objects.create(
        workspace=workspace,
        what=what,
        card=card,
        owner=owner,
        entry=entry,
        raised_at=now,
        raised_by=actor,
    )
    if block_card and card is not None and not board_queries.card_afresh(card).is_blocked:
        board_services.block_card(card, reason=what, actor=actor, at=now)
    publish(workspace.pk, "impediment.raised", {"impediment": impediment.pk})
    return impediment


@transaction.atomic
def resolve_impediment(
    impediment: Impediment,
    *,
    how: object,
    actor: User | None,
    unblock_card: bool = False,
    now: datetime | None = None,
) -> Impediment:
    """Record when and how an impediment was resolved; optionally unblock its card."""
    now = now or timezone.now()
    impediment = Impediment.objects.select_for_update(no_key=True).get(pk=impediment.pk)
    if impediment.resolved_at is not None:
        raise WrongState(
            f"this impediment was already resolved on {impediment.resolved_at:%Y-%m-%d}",
            field="how",
        )
    how = clean_text(how, "how")
    if not how:
        raise InvalidInput("say how the impediment was resolved", field="how")
    if now < impediment.raised_at:
        raise InvalidInput("an impediment cannot be resolved before it was raised", field="at")
    impediment.resolved_at, impediment.resolved_by, impediment.resolution = now, actor, how
    impediment.save(update_fields=["resolved_at", "resolved_by", "resolution"])
    card = board_queries.card_with_id(impediment.card_id)
    if unblock_card and card is not None and card.is_blocked:
        board_services.unblock_card(card, actor=actor, at=now)
    publish(impediment.workspace_id, "impediment.resolved", {"impediment": impediment.pk})
    return impediment


# ---- the agenda as it was ----------------------------------------------------------------------


@transaction.atomic
def record_agenda(
    board: "Board", *, data: dict[str, object], actor: User | None, now: datetime | None = None
) -> AgendaRecord:
    """Keep the day's agenda (what stand-up mode showed when it was started) for the history."""
    now = now or timezone.now()
    day = local_day(board.workspace, now)
    record, _ = AgendaRecord.objects.update_or_create(
        board=board,
        day=day,
        defaults={"workspace": board.workspace, "taken_at": now, "taken_by": actor, "data": data},
    )
    return record
