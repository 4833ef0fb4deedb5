"""API operations of this app, added to the one NinjaAPI by leanmark/api.py."""

from typing import Literal

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Query, Router, Status

from leanmark.accounts.models import Role
from leanmark.lib.api_access import api_membership, object_for
from leanmark.lib.schemas import ERRORS

from . import exports, queries, services
from .models import MapRevision, Step
from .schemas import (
    CandidateOut,
    CandidatesOut,
    ColumnsIn,
    CompareOut,
    FutureIn,
    MapOut,
    RevisionOut,
    StepIn,
    StepMoveIn,
    StepOut,
    StepPatch,
    StreamIn,
    StreamOut,
    StreamPatch,
    SummaryOut,
    compare_out,
    map_out,
)

router = Router(tags=["value streams"])


def _step_out(step: Step) -> StepOut:
    fresh = queries.step_for(step.stream.workspace, step.pk)
    return StepOut.of(fresh, queries.map_view(fresh.stream))


@router.get(
    "/workspaces/{slug}/value-streams",
    response={200: list[StreamOut], **ERRORS},
    summary="Value stream maps of a workspace, with their totals",
)
def list_streams(request: HttpRequest, slug: str):
    membership = api_membership(request, slug)
    return [StreamOut.of(s, queries.map_view(s)) for s in queries.streams_of(membership.workspace)]


@router.post(
    "/workspaces/{slug}/value-streams",
    response={201: MapOut, **ERRORS},
    summary="Create a current-state value stream map",
)
def create_stream(request: HttpRequest, slug: str, payload: StreamIn):
    membership = api_membership(request, slug, Role.MEMBER)
    stream = services.create_stream(
        membership.workspace, services.StreamSettings(**payload.dict()), actor=request.user
    )
    return Status(201, map_out(stream))


@router.get(
    "/value-streams/{stream_id}",
    response={200: MapOut, **ERRORS},
    summary="A map with its steps, summary and measured times",
)
def get_stream(
    request: HttpRequest,
    stream_id: int,
    days: int = Query(90, ge=1, le=3650, description="Window of the measured times, in days"),
):
    return map_out(object_for(request, queries.stream_by_id, stream_id), days=days)


@router.patch(
    "/value-streams/{stream_id}",
    response={200: MapOut, **ERRORS},
    summary="Rename a map or change its time basis and working time",
)
def patch_stream(request: HttpRequest, stream_id: int, payload: StreamPatch):
    stream = object_for(request, queries.stream_by_id, stream_id, Role.MEMBER)
    current = {
        "name": stream.name,
        "description": stream.description,
        "time_basis": stream.time_basis,
        "hours_per_day": stream.hours_per_day,
        "days_per_week": stream.days_per_week,
    }
    current.update({k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None})
    services.update_stream(stream, services.StreamSettings(**current), actor=request.user)
    return map_out(stream)


@router.delete(
    "/value-streams/{stream_id}",
    response={204: None, **ERRORS},
    summary="Delete a map and its steps (owner)",
)
def delete_stream(request: HttpRequest, stream_id: int):
    stream = object_for(request, queries.stream_by_id, stream_id, Role.OWNER)
    services.delete_stream(stream, actor=request.user)
    return Status(204, None)


@router.get(
    "/value-streams/{stream_id}/summary",
    response={200: SummaryOut, **ERRORS},
    summary="Totals per stage and for the map (LT, PT, wait, activity ratio, rolled %C&A, cost)",
)
def get_summary(request: HttpRequest, stream_id: int):
    return SummaryOut.of(
        queries.map_view(object_for(request, queries.stream_by_id, stream_id)).summary
    )


@router.get(
    "/value-streams/{stream_id}/candidates",
    response={200: CandidatesOut, **ERRORS},
    summary="Steps to eliminate: waste, or no customer value between new lead and order",
)
def get_candidates(request: HttpRequest, stream_id: int):
    stream = object_for(request, queries.stream_by_id, stream_id)
    found = queries.elimination_candidates(stream)
    view = queries.map_view(stream)
    return CandidatesOut(
        note=found.note,
        items=[
            CandidateOut(step=StepOut.of(c.step, view), reasons=list(c.reasons))
            for c in found.items
        ],
    )


@router.get(
    "/value-streams/{stream_id}/revisions",
    response={200: list[RevisionOut], **ERRORS},
    summary="The map's change history, newest first",
)
def get_revisions(request: HttpRequest, stream_id: int, limit: int = Query(100, ge=1, le=1000)):
    stream = object_for(request, queries.stream_by_id, stream_id)
    return [RevisionOut.of(r) for r in MapRevision.objects.filter(stream=stream)[:limit]]


@router.post(
    "/value-streams/{stream_id}/future",
    response={201: MapOut, **ERRORS},
    summary="Create a future state: a copy of this current-state map",
)
def create_future(request: HttpRequest, stream_id: int, payload: FutureIn):
    stream = object_for(request, queries.stream_by_id, stream_id, Role.MEMBER)
    future = services.create_future_state(stream, name=payload.name, actor=request.user)
    return Status(201, map_out(future))


@router.get(
    "/value-streams/{stream_id}/compare/{future_id}",
    response={200: CompareOut, **ERRORS},
    summary="Compare a current and a future state: totals and step differences",
)
def compare(request: HttpRequest, stream_id: int, future_id: int):
    current = object_for(request, queries.stream_by_id, stream_id)
    future = object_for(request, queries.stream_by_id, future_id)
    if future.workspace_id != current.workspace_id:
        from django.http import Http404

        raise Http404("no such value stream in this workspace")
    return compare_out(current, future)


@router.get(
    "/value-streams/{stream_id}/export",
    response={200: None, **ERRORS},
    summary="The drawn map as SVG or PNG",
    description="Answers image/svg+xml or image/png (rasterised offline by cairosvg).",
)
def export(request: HttpRequest, stream_id: int, format: Literal["svg", "png"] = "svg"):
    stream = object_for(request, queries.stream_by_id, stream_id)
    content, content_type = exports.export(stream, format, today=timezone.localdate())
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{exports.filename(stream, format)}"'
    return response


@router.post(
    "/value-streams/{stream_id}/steps",
    response={201: StepOut, **ERRORS},
    summary="Add a step (checked: LT >= PT on the map's basis, %C&A 0-100)",
)
def add_step(request: HttpRequest, stream_id: int, payload: StepIn):
    stream = object_for(request, queries.stream_by_id, stream_id, Role.MEMBER)
    data = payload.dict()
    before_id = data.pop("before_id")
    before = stream.steps.filter(pk=before_id).first() if before_id else None
    step = services.add_step(stream, data, actor=request.user, before=before)
    return Status(201, _step_out(step))


@router.get("/value-stream-steps/{step_id}", response={200: StepOut, **ERRORS}, summary="A step")
def get_step(request: HttpRequest, step_id: int):
    step = object_for(request, queries.step_by_id, step_id, workspace_of=queries.step_workspace)
    return StepOut.of(
        queries.step_for(step.stream.workspace, step.pk), queries.map_view(step.stream)
    )


@router.patch(
    "/value-stream-steps/{step_id}",
    response={200: StepOut, **ERRORS},
    summary="Change a step's fields (the others keep their values)",
)
def patch_step(request: HttpRequest, step_id: int, payload: StepPatch):
    step = object_for(
        request, queries.step_by_id, step_id, Role.MEMBER, workspace_of=queries.step_workspace
    )
    changes = {k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None}
    services.edit_step(step, changes, actor=request.user)
    return _step_out(step)


@router.delete(
    "/value-stream-steps/{step_id}", response={204: None, **ERRORS}, summary="Remove a step"
)
def delete_step(request: HttpRequest, step_id: int):
    step = object_for(
        request, queries.step_by_id, step_id, Role.MEMBER, workspace_of=queries.step_workspace
    )
    services.delete_step(step, actor=request.user)
    return Status(204, None)


@router.post(
    "/value-stream-steps/{step_id}/move",
    response={200: StepOut, **ERRORS},
    summary="Move a step to a stage and set that stage's order",
)
def move_step(request: HttpRequest, step_id: int, payload: StepMoveIn):
    step = object_for(
        request, queries.step_by_id, step_id, Role.MEMBER, workspace_of=queries.step_workspace
    )
    services.move_step(step, stage=payload.stage, order=payload.order, actor=request.user)
    return _step_out(step)


@router.put(
    "/value-stream-steps/{step_id}/columns",
    response={200: StepOut, **ERRORS},
    summary="Measure the step on these board columns (replaces the links)",
)
def set_columns(request: HttpRequest, step_id: int, payload: ColumnsIn):
    step = object_for(
        request, queries.step_by_id, step_id, Role.MEMBER, workspace_of=queries.step_workspace
    )
    services.link_columns(step, payload.column_ids, actor=request.user)
    return _step_out(step)


@router.post(
    "/value-stream-steps/{step_id}/apply",
    response={200: RevisionOut, **ERRORS},
    summary="Apply a future-state step to the current map (standardise)",
)
def apply_step(request: HttpRequest, step_id: int):
    step = object_for(
        request, queries.step_by_id, step_id, Role.MEMBER, workspace_of=queries.step_workspace
    )
    return RevisionOut.of(services.apply_future_step(step, actor=request.user))
