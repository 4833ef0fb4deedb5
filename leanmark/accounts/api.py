from datetime import datetime

from django.http import HttpRequest
from ninja import Router, Schema

from leanmark.lib.api_access import api_membership
from leanmark.lib.schemas import ERRORS

from . import queries

router = Router(tags=["workspaces"])


class WorkspaceOut(Schema):
    slug: str
    name: str
    role: str
    time_zone: str


class MemberOut(Schema):
    user_id: int
    email: str
    name: str
    role: str
    joined_at: datetime


@router.get("/workspaces", response=list[WorkspaceOut], summary="The workspaces you belong to")
def list_workspaces(request: HttpRequest) -> list[WorkspaceOut]:
    return [
        WorkspaceOut(
            slug=m.workspace.slug,
            name=m.workspace.name,
            role=m.role,
            time_zone=m.workspace.time_zone,
        )
        for m in queries.workspaces_of(request.user)  # type: ignore[arg-type]
    ]


@router.get(
    "/workspaces/{slug}/members",
    response={200: list[MemberOut], **ERRORS},
    summary="Members and roles",
)
def list_members(request: HttpRequest, slug: str) -> list[MemberOut]:
    membership = api_membership(request, slug)
    return [
        MemberOut(
            user_id=m.user.pk,
            email=m.user.email,
            name=m.user.label,
            role=m.role,
            joined_at=m.joined_at,
        )
        for m in queries.members_of(membership.workspace)
    ]
