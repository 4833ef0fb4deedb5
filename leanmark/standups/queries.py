"""Reads of the stand-up: the day's entries, the agenda's inputs, impediments. Other apps call
``impediment_for``, ``open_impediments`` and ``impediments_per_week``."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django.db.models import Q
from django.http import Http404

from leanmark.accounts.models import Membership, Role, User, Workspace
from leanmark.board import queries as board_queries
from leanmark.domain.standup import (
    Agenda,
    AgendaCard,
    AgendaColumn,
    WeekCount,
    build_agenda,
    weekly_counts,
)
from leanmark.flow import queries as flow_queries
from leanmark.lib import zones

from .models import AgendaRecord, Entry, Impediment

if TYPE_CHECKING:  # annotations only: the board's rows are read through its queries
    from leanmark.board.models import Board, Card

# ---- days in the workspace's time zone ---------------------------------------------------------


def entry_by_id(workspace_ids: Any, entry_id: int) -> Entry:
    """A check-in in any of these workspaces (the API, which learns the workspace from it)."""
    entry = (
        Entry.objects.select_related("workspace", "member")
        .filter(pk=entry_id, workspace_id__in=workspace_ids)
        .first()
    )
    if entry is None:
        raise Http404("no such check-in")
    return entry


def zone(workspace: Workspace) -> ZoneInfo:
    return zones.zone(workspace)


def local_day(workspace: Workspace, at: datetime) -> date:
    """The calendar day ``at`` falls on in the workspace's time zone."""
    return at.astimezone(zone(workspace)).date()


def day_bounds(workspace: Workspace, day: date) -> tuple[datetime, datetime]:
    """[start, end) of the day in the workspace's time zone."""
    tz = zone(workspace)
    start = datetime.combine(day, time.min, tzinfo=tz)
    return start, datetime.combine(day + timedelta(days=1), time.min, tzinfo=tz)


# ---- people and entries ------------------------------------------------------------------------


def expected_people(workspace: Workspace) -> list[User]:
    """Who checks in: owners and members (viewers only read)."""
    rows = (
        Membership.objects.filter(workspace=workspace, role__in=[Role.OWNER, Role.MEMBER])
        .select_related("user")
        .order_by("user__display_name", "user__username")
    )
    return [m.user for m in rows]


def entries_on(workspace: Workspace, day: date) -> list[Entry]:
    rows = Entry.objects.filter(workspace=workspace, day=day).select_related("member")
    return list(rows.order_by("member__display_name", "member__username"))


def entry_of(workspace: Workspace, member: User, day: date) -> Entry | None:
    return Entry.objects.filter(workspace=workspace, member=member, day=day).first()


def entry_for(workspace: Workspace, entry_id: int) -> Entry:
    entry = (
        Entry.objects.select_related("member", "workspace")
        .filter(workspace=workspace, pk=entry_id)
        .first()
    )
    if entry is None:
        raise Http404("no such check-in")
    return entry


def days_with_entries(workspace: Workspace, *, limit: int = 30) -> list[date]:
    """The most recent days anyone checked in or an agenda was recorded, newest first."""
    entry_days = set(
        Entry.objects.filter(workspace=workspace)
        .order_by("-day")
        .values_list("day", flat=True)
        .distinct()[:limit]
    )
    agenda_days = set(
        AgendaRecord.objects.filter(workspace=workspace)
        .order_by("-day")
        .values_list("day", flat=True)[:limit]
    )
    return sorted(entry_days | agenda_days, reverse=True)[:limit]


# ---- impediments (called by other apps) ---------------------------------------------------------


def _impediments(workspace: Workspace) -> Any:
    return Impediment.objects.filter(workspace=workspace).select_related(
        "workspace", "card", "owner", "raised_by", "resolved_by", "entry"
    )


def impediment_for(workspace: Workspace, impediment_id: int) -> Impediment:
    """One impediment of the workspace (with its card and owner); 404 for any other."""
    impediment = _impediments(workspace).filter(pk=impediment_id).first()
    if impediment is None:
        raise Http404("no such impediment")
    return impediment


def open_impediments(workspace: Workspace) -> list[Impediment]:
    """Impediments not yet resolved, oldest first, with card and owner (one query)."""
    return list(_impediments(workspace).filter(resolved_at__isnull=True).order_by("raised_at"))


def impediments_of_card(workspace: Workspace, card: "Card") -> list[Impediment]:
    """The card's impediments, open ones first, then the latest resolved."""
    rows = _impediments(workspace).filter(card=card)
    return sorted(rows, key=lambda i: (i.resolved_at is not None, i.raised_at))


def resolved_impediments(workspace: Workspace, *, limit: int = 50) -> list[Impediment]:
    rows = _impediments(workspace).filter(resolved_at__isnull=False)
    return list(rows.order_by("-resolved_at")[:limit])


def impediments_open_on(workspace: Workspace, day: date) -> list[Impediment]:
    """Impediments open at the end of ``day``: raised by then and not resolved by then."""
    _start, end = day_bounds(workspace, day)
    rows = _impediments(workspace).filter(raised_at__lt=end)
    rows = rows.filter(Q(resolved_at__isnull=True) | Q(resolved_at__gte=end))
    return list(rows.order_by("raised_at"))


def impediments_resolved_on(workspace: Workspace, day: date) -> list[Impediment]:
    start, end = day_bounds(workspace, day)
    rows = _impediments(workspace).filter(resolved_at__gte=start, resolved_at__lt=end)
    return list(rows.order_by("resolved_at"))


def impediments_per_week(workspace: Workspace, *, start: date, end: date) -> list[WeekCount]:
    """Impediments raised and resolved per ISO week (Monday ``week_start``), every week from
    the one holding ``start`` to the one holding ``end`` (days in the workspace's time zone,
    both ends included; weeks with none are listed with zeros)."""
    low, _ = day_bounds(workspace, start)
    _, high = day_bounds(workspace, end)
    rows = Impediment.objects.filter(workspace=workspace)
    raised = rows.filter(raised_at__gte=low, raised_at__lt=high).values_list("raised_at", flat=True)
    resolved = rows.filter(resolved_at__gte=low, resolved_at__lt=high).values_list(
        "resolved_at", flat=True
    )
    return weekly_counts(
        [local_day(workspace, at) for at in raised],
        [local_day(workspace, at) for at in resolved],
        start=start,
        end=end,
    )


# ---- the agenda ---------------------------------------------------------------------------------


def cycle_time_p85(board: "Board") -> tuple[float | None, int]:
    """The 85th percentile (nearest rank, §5) of the cycle times in days of every item the board
    ever finished, from the flow app's event-based figures, and how many items that is.
    (None, 0) when nothing has finished yet."""
    found = flow_queries.cycle_time_percentiles(board)
    if not found:
        return None, 0
    return found[85], len(flow_queries.finished_items(board, since=None, until=None))


@dataclass(frozen=True)
class AgendaInputs:
    agenda: Agenda
    names: dict[int, str]


def agenda_for(board: "Board", *, now: datetime, day: date | None = None) -> AgendaInputs:
    """The walk-the-board agenda of ``board`` now, with the check-ins of ``day`` (default today),
    in a constant number of queries whatever the number of cards."""
    workspace = board.workspace
    day = day or local_day(workspace, now)
    columns = list(board.columns.order_by("position"))
    positions = {c.pk: c.position for c in columns}
    done = positions.get(board.done_column_id, len(columns))
    start = positions.get(board.start_column_id, 0)
    live = board_queries.unfinished_cards(board)
    rows = list(
        live.values_list(
            "pk",
            "number",
            "title",
            "column_id",
            "created_at",
            "lane",
            "started_at",
            "blocked_since",
            "blocked_reason",
        )
    )
    holders = board_queries.assignee_ids(live)
    cards = [
        AgendaCard(
            id=pk,
            number=number,
            title=title,
            column_id=column_id,
            created_at=created,
            lane=lane,
            started_at=started,
            blocked_since=blocked,
            blocked_reason=reason,
            assignees=tuple(sorted(holders.get(pk, ()))),
        )
        for pk, number, title, column_id, created, lane, started, blocked, reason in rows
    ]
    people = Membership.objects.filter(workspace=workspace).select_related("user")
    names = {m.user_id: m.user.label for m in people}
    expected = [m.user_id for m in people if m.role in (Role.OWNER, Role.MEMBER)]
    checked_in = set(
        Entry.objects.filter(workspace=workspace, day=day).values_list("member_id", flat=True)
    )
    limit, samples = cycle_time_p85(board)
    agenda = build_agenda(
        columns=[
            AgendaColumn(
                id=c.pk,
                name=c.name,
                position=c.position,
                kind=c.kind,
                wip_limit=c.wip_limit,
                per_person_limit=c.per_person_limit,
            )
            for c in columns
        ],
        cards=cards,
        start_position=start,
        done_position=done,
        now=now,
        aging_limit_days=limit,
        aging_samples=samples,
        people=names,
        expected=expected,
        checked_in=checked_in,
    )
    return AgendaInputs(agenda=agenda, names=names)


def agenda_data(inputs: AgendaInputs) -> dict[str, Any]:
    """The agenda as plain JSON: what the pages draw, and what the history keeps."""
    agenda, names = inputs.agenda, inputs.names
    return {
        "now": agenda.now.isoformat(),
        "aging_limit_days": agenda.aging_limit_days,
        "aging_samples": agenda.aging_samples,
        "missing": list(agenda.missing),
        "sections": [
            {
                "column": section.column.name,
                "flags": [{"kind": f.kind, "text": f.text} for f in section.flags],
                "flagged": sum(bool(item.flags) for item in section.items),
                "quiet": sum(not item.flags for item in section.items),
                "items": [
                    {
                        "number": item.card.number,
                        "title": item.card.title,
                        "lane": item.card.lane,
                        "age_days": item.age_days,
                        "blocked": item.card.blocked_since is not None,
                        "assignees": [names.get(p, f"user {p}") for p in item.card.assignees],
                        "assignee_ids": list(item.card.assignees),
                        "flags": [{"kind": f.kind, "text": f.text} for f in item.flags],
                    }
                    for item in section.items
                ],
            }
            for section in agenda.sections
        ],
    }


def agenda_record(board: "Board", day: date) -> AgendaRecord | None:
    return AgendaRecord.objects.filter(board=board, day=day).select_related("taken_by").first()


def agenda_records_on(workspace: Workspace, day: date) -> list[AgendaRecord]:
    rows = AgendaRecord.objects.filter(workspace=workspace, day=day)
    records = list(rows.select_related("board", "taken_by").order_by("board__name"))
    for record in records:  # records kept before sections counted their flagged items
        for section in record.data.get("sections", []):
            section.setdefault("flagged", sum(bool(i["flags"]) for i in section["items"]))
            section.setdefault("quiet", sum(not i["flags"] for i in section["items"]))
    return records
