"""The ideas API: capture (one call with a token, for a chat bot or a bookmarklet), read, edit,
score, triage, rank for a date, and start as a card."""

from typing import Literal

from django.http import HttpRequest
from ninja import Query, Router, Status

from leanmark.accounts.models import Membership, Role, Workspace
from leanmark.board import queries as board_queries
from leanmark.lib.api_access import api_membership, object_for, roles_by_workspace
from leanmark.lib.api_input import Day
from leanmark.lib.errors import InvalidInput
from leanmark.lib.schemas import ERRORS, StageName

from . import queries, services
from .models import Idea
from .schemas import (
    BulkOut,
    BulkTriageIn,
    IdeaEventOut,
    IdeaIn,
    IdeaList,
    IdeaOut,
    IdeaPatch,
    ModelName,
    ScoreIn,
    SettingsIn,
    SettingsOut,
    StartIn,
    StartOut,
    TriageIn,
)

router = Router(tags=["ideas"])
RANK = Query(None, description="ice, rice or cd3; default: the workspace's choice")
ON = Query(None, description="Rank for this date; default: today in the workspace")
STATUS = Query("open", description="open (default), all, or one status")


def _workspace(request: HttpRequest, slug: str | None, need: str) -> Workspace:
    """The named workspace, or the caller's only one."""
    if slug:
        return api_membership(request, slug, need).workspace
    roles = roles_by_workspace(request)
    if len(roles) != 1:
        raise InvalidInput(
            "you belong to several workspaces (or none): name one with 'workspace'",
            field="workspace",
        )
    membership = Membership.objects.select_related("workspace").get(
        user=request.user, workspace_id=next(iter(roles))
    )
    return api_membership(request, membership.workspace.slug, need).workspace


def _out(idea: Idea, rank: int | None = None) -> IdeaOut:
    return IdeaOut.of(idea, queries.scores_of(idea, queries.today(idea.workspace)), rank)


def _fresh(idea: Idea) -> IdeaOut:
    return _out(queries.idea_for(idea.workspace, idea.pk))


@router.get("/ideas", response={200: IdeaList, **ERRORS}, summary="Ideas, ranked for a date")
def list_ideas(
    request: HttpRequest,
    workspace: str | None = None,
    rank: ModelName | None = RANK,
    on: Day | None = ON,
    status: Literal["open", "all", "new", "evaluated", "accepted", "parked", "rejected"] = STATUS,
    stage: StageName = "",
    channel: str = Query("", max_length=60),
    tag: str = Query("", max_length=30),
    limit: int = Query(200, ge=1, le=1000),
):
    ws = _workspace(request, workspace, Role.VIEWER)
    if status not in queries.STATUS_FILTERS:
        raise InvalidInput(
            f"unknown status {status!r}; choose one of {', '.join(queries.STATUS_FILTERS)}",
            field="status",
        )
    model = services.clean_model(rank) if rank else queries.default_model(ws)
    day = on or queries.today(ws)
    filters = queries.IdeaFilters(status=status, stage=stage, channel=channel, tag=tag.lower())
    rows = queries.ranked_ideas(ws, model=model, on=day, filters=filters)[:limit]
    items = [IdeaOut.of(row.idea, row.scores, row.rank) for row in rows]
    return IdeaList(model=model.value, on=day, items=items)


@router.post("/ideas", response={201: IdeaOut, **ERRORS}, summary="Capture an idea")
def create_idea(request: HttpRequest, payload: IdeaIn):
    ws = _workspace(request, payload.workspace, Role.MEMBER)
    data = payload.dict(exclude={"workspace", "title"})
    idea = services.capture_idea(ws, title=payload.title, actor=request.user, **data)
    return Status(201, _fresh(idea))


@router.post(
    "/ideas/triage",
    response={200: BulkOut, **ERRORS},
    summary="Set the status of many ideas (all or none)",
)
def bulk_triage(request: HttpRequest, payload: BulkTriageIn):
    ws = _workspace(request, payload.workspace, Role.MEMBER)
    changed = services.bulk_set_status(
        ws, payload.ids, status=payload.status, reason=payload.reason, actor=request.user
    )
    return BulkOut(changed=changed)


@router.get("/ideas/{idea_id}", response={200: IdeaOut, **ERRORS}, summary="One idea")
def get_idea(request: HttpRequest, idea_id: int):
    return _out(object_for(request, queries.idea_by_id, idea_id))


@router.patch("/ideas/{idea_id}", response={200: IdeaOut, **ERRORS}, summary="Edit an idea")
def patch_idea(request: HttpRequest, idea_id: int, payload: IdeaPatch):
    idea = object_for(request, queries.idea_by_id, idea_id, Role.MEMBER)
    changes = payload.dict(exclude_unset=True)
    version = changes.pop("version", None)
    services.edit_idea(idea, changes=changes, actor=request.user, expected_version=version)
    return _fresh(idea)


@router.delete("/ideas/{idea_id}", response={204: None, **ERRORS}, summary="Delete an idea")
def delete_idea(request: HttpRequest, idea_id: int):
    services.delete_idea(
        object_for(request, queries.idea_by_id, idea_id, Role.MEMBER), actor=request.user
    )
    return Status(204, None)


@router.post(
    "/ideas/{idea_id}/score",
    response={200: IdeaOut, **ERRORS},
    summary="Score an idea with ICE, RICE or CD3",
)
def score_idea(request: HttpRequest, idea_id: int, payload: ScoreIn):
    idea = object_for(request, queries.idea_by_id, idea_id, Role.MEMBER)
    values = payload.dict(exclude={"model", "version"})
    values["profile"] = payload.profile
    services.score_idea(
        idea,
        model=payload.model,
        values=values,
        actor=request.user,
        expected_version=payload.version,
    )
    return _fresh(idea)


@router.post(
    "/ideas/{idea_id}/triage",
    response={200: IdeaOut, **ERRORS},
    summary="Accept, park, reject or reopen an idea",
)
def triage_idea(request: HttpRequest, idea_id: int, payload: TriageIn):
    idea = object_for(request, queries.idea_by_id, idea_id, Role.MEMBER)
    services.set_status(idea, status=payload.status, reason=payload.reason, actor=request.user)
    return _fresh(idea)


@router.post(
    "/ideas/{idea_id}/start",
    response={201: StartOut, **ERRORS},
    summary="Start an accepted idea as a card (WIP limits apply)",
)
def start_idea(request: HttpRequest, idea_id: int, payload: StartIn):
    idea = object_for(request, queries.idea_by_id, idea_id, Role.MEMBER)
    board = board_queries.board_for(idea.workspace, payload.board_id) if payload.board_id else None
    card = services.start_idea(idea, actor=request.user, board=board, reason=payload.reason)
    return Status(
        201,
        StartOut(
            idea_id=idea.pk,
            card_id=card.pk,
            card_number=card.number,
            column=card.column.name,
            lane=card.lane,
        ),
    )


@router.get(
    "/ideas/{idea_id}/events",
    response={200: list[IdeaEventOut], **ERRORS},
    summary="An idea's history",
)
def idea_events(request: HttpRequest, idea_id: int):
    return [
        IdeaEventOut.of(e)
        for e in queries.history(object_for(request, queries.idea_by_id, idea_id))
    ]


@router.get(
    "/workspaces/{slug}/backlog",
    response={200: SettingsOut, **ERRORS},
    summary="The backlog's settings",
)
def get_settings(request: HttpRequest, slug: str):
    ws = api_membership(request, slug, Role.VIEWER).workspace
    return SettingsOut(default_model=queries.default_model(ws).value)


@router.put(
    "/workspaces/{slug}/backlog",
    response={200: SettingsOut, **ERRORS},
    summary="Choose the default scoring model (owner)",
)
def put_settings(request: HttpRequest, slug: str, payload: SettingsIn):
    ws = api_membership(request, slug, Role.OWNER).workspace
    chosen = services.set_default_model(ws, payload.default_model, actor=request.user)
    return SettingsOut(default_model=chosen.default_model)
