"""API operations of this app, added to the one NinjaAPI by leanmark/api.py."""

from typing import Literal

from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Query, Router, Status

from leanmark.accounts.models import Role, User, Workspace
from leanmark.board import queries as board_queries
from leanmark.lib.api_access import api_membership, object_for, require_role_in, roles_by_workspace
from leanmark.lib.api_input import Day
from leanmark.lib.schemas import ERRORS

from . import queries, services
from .errors import InvalidInput, NotYours
from .models import Entry, Impediment
from .schemas import (
    AgendaOut,
    EntryIn,
    EntryOut,
    EntryPatch,
    Id,
    ImpedimentIn,
    ImpedimentOut,
    ResolveIn,
)

router = Router(tags=["standups"])


def _fresh(entry: Entry) -> EntryOut:
    return EntryOut.of(
        Entry.objects.select_related("workspace", "member")
        .prefetch_related("mentions")
        .get(pk=entry.pk)
    )


def _slug(request: HttpRequest, slug: str | None) -> str:
    """The workspace named, or the caller's only one."""
    if slug:
        return slug
    ids = list(roles_by_workspace(request))
    if len(ids) != 1:
        raise InvalidInput(
            'you belong to several workspaces (or none); name one with "workspace": "slug"',
            field="workspace",
        )
    return Workspace.objects.get(pk=ids[0]).slug


@router.post(
    "/standups",
    response={201: EntryOut, **ERRORS},
    summary="Check in for today (member): yesterday, today, blockers",
)
def check_in(request: HttpRequest, payload: EntryIn):
    membership = api_membership(request, _slug(request, payload.workspace), Role.MEMBER)
    if payload.member is not None and payload.member != request.user.pk:
        other = User.objects.filter(pk=payload.member).first()
        name = (
            other.label
            if other and other in queries.expected_people(membership.workspace)
            else "another member"
        )
        raise NotYours(f"you can only check in for yourself, not for {name}", field="member")
    entry = services.check_in(
        membership.workspace,
        member=request.user,
        actor=request.user,
        yesterday=payload.yesterday,
        today=payload.today,
        blockers=payload.blockers,
        day=payload.day,
    )
    return Status(201, _fresh(entry))


@router.patch(
    "/standups/{entry_id}",
    response={200: EntryOut, **ERRORS},
    summary="Change your check-in, on its day only",
)
def edit_entry(request: HttpRequest, entry_id: int, payload: EntryPatch):
    entry = object_for(request, queries.entry_by_id, entry_id, Role.MEMBER)
    texts = {
        name: getattr(entry, name) if value is None else value
        for name, value in payload.dict().items()
    }
    return _fresh(services.edit_entry(entry, actor=request.user, **texts))


@router.get(
    "/workspaces/{slug}/standups",
    response={200: list[EntryOut], **ERRORS},
    summary="The check-ins of a day (default today)",
)
def list_entries(request: HttpRequest, slug: str, day: Day | None = None):
    workspace = api_membership(request, slug).workspace
    day = day or queries.local_day(workspace, timezone.now())
    entries = Entry.objects.filter(pk__in=[e.pk for e in queries.entries_on(workspace, day)])
    rows = entries.select_related("workspace", "member").prefetch_related("mentions")
    return [EntryOut.of(e) for e in rows.order_by("member__display_name", "member__username")]


@router.get(
    "/workspaces/{slug}/standups/agenda",
    response={200: AgendaOut, **ERRORS},
    summary="The walk-the-board agenda now, with its flags",
)
def agenda(request: HttpRequest, slug: str, board_id: int | None = Query(None, ge=1, le=2**63 - 1)):
    workspace = api_membership(request, slug).workspace
    if board_id is None:
        boards = board_queries.boards_of(workspace)
        if not boards:
            raise Http404("this workspace has no board yet")
        board_id = boards[0].pk
    board = board_queries.board_for(workspace, board_id)
    data = queries.agenda_data(queries.agenda_for(board, now=timezone.now()))
    return {**data, "board_id": board.pk}


@router.get(
    "/workspaces/{slug}/impediments",
    response={200: list[ImpedimentOut], **ERRORS},
    summary="Impediments: open (default), resolved or all",
)
def list_impediments(
    request: HttpRequest, slug: str, state: Literal["open", "resolved", "all"] = "open"
):
    workspace = api_membership(request, slug).workspace
    if state not in ("open", "resolved", "all"):
        raise InvalidInput("state is one of open, resolved, all", field="state")
    now = timezone.now()
    items: list[Impediment] = []
    if state in ("open", "all"):
        items += queries.open_impediments(workspace)
    if state in ("resolved", "all"):
        items += queries.resolved_impediments(workspace, limit=1000)
    return [ImpedimentOut.of(i, now) for i in items]


@router.post(
    "/workspaces/{slug}/impediments",
    response={201: ImpedimentOut, **ERRORS},
    summary="Raise an impediment (member), optionally on a card and from a check-in",
)
def raise_impediment(request: HttpRequest, slug: str, payload: ImpedimentIn):
    workspace = api_membership(request, slug, Role.MEMBER).workspace
    owner = next((p for p in queries.expected_people(workspace) if p.pk == payload.owner_id), None)
    if owner is None:
        raise InvalidInput("the owner must be a member of this workspace", field="owner_id")
    card = None
    if payload.card_id is not None:
        card = board_queries.card_in(workspace, payload.card_id)
        if card is None:
            raise InvalidInput("there is no such card in this workspace", field="card_id")
    entry = None
    if payload.entry_id is not None:
        entry = Entry.objects.filter(pk=payload.entry_id, workspace=workspace).first()
        if entry is None:
            raise InvalidInput("there is no such check-in in this workspace", field="entry_id")
    item = services.raise_impediment(
        workspace,
        what=payload.what,
        owner=owner,
        actor=request.user,
        card=card,
        entry=entry,
        block_card=payload.block_card,
    )
    return Status(201, ImpedimentOut.of(queries.impediment_for(workspace, item.pk), timezone.now()))


@router.post(
    "/impediments/{impediment_id}/resolve",
    response={200: ImpedimentOut, **ERRORS},
    summary="Resolve an impediment (member): say how",
)
def resolve_impediment(request: HttpRequest, impediment_id: Id, payload: ResolveIn):
    item = (
        Impediment.objects.filter(
            pk=impediment_id, workspace_id__in=roles_by_workspace(request).keys()
        )
        .select_related("workspace")
        .first()
    )
    if item is None:
        raise Http404("no such impediment")
    require_role_in(request, item.workspace_id, Role.MEMBER)
    services.resolve_impediment(
        item, how=payload.how, actor=request.user, unblock_card=payload.unblock_card
    )
    return ImpedimentOut.of(queries.impediment_for(item.workspace, item.pk), timezone.now())
