"""API operations of this app, added to the one NinjaAPI by leanmark/api.py."""

from typing import Any, Literal

from django.http import HttpRequest
from ninja import Query, Router, Status

from leanmark.accounts.models import Role
from leanmark.lib.api_access import api_membership, object_for
from leanmark.lib.schemas import ERRORS

from . import ci, metrics, queries, services
from .models import Improvement
from .schemas import (
    CheckOut,
    ImprovementDecisionIn,
    ImprovementIn,
    ImprovementMetricOut,
    ImprovementOut,
    ImprovementPatch,
    PhaseIn,
    ReportOut,
    TaskIn,
    TaskOut,
)

router = Router(tags=["improvements"])
PhaseName = Literal["", "plan", "do", "check", "act", "closed"]


def _fields(payload: Any, *, exclude: set[str]) -> dict[str, Any]:
    data = payload.dict(exclude_unset=True, exclude=exclude)
    if "board_id" in data:
        data["board"] = data.pop("board_id")
    if "countermeasures" in data and data["countermeasures"] is not None:
        data["countermeasures"] = [dict(c) for c in data["countermeasures"]]
    return data


def _out(improvement: Improvement) -> ImprovementOut:
    return ImprovementOut.of(queries.improvement_for(improvement.workspace, improvement.number))


@router.get(
    "/workspaces/{slug}/improvements",
    response={200: list[ImprovementOut], **ERRORS},
    summary="Improvement cycles of a workspace, newest first",
)
def list_improvements(request: HttpRequest, slug: str, phase: PhaseName = ""):
    membership = api_membership(request, slug)
    rows = queries.improvements_of(membership.workspace, phase=phase or None)
    return [ImprovementOut.of(i, full=False) for i in rows]


@router.post(
    "/workspaces/{slug}/improvements",
    response={201: ImprovementOut, **ERRORS},
    summary="Start a cycle (in Plan), blank or from a source",
)
def create_improvement(request: HttpRequest, slug: str, payload: ImprovementIn):
    membership = api_membership(request, slug, Role.MEMBER)
    data = _fields(payload, exclude={"source", "source_id", "change_date"})
    created = services.start_improvement(
        membership.workspace,
        actor=request.user,  # type: ignore[arg-type]
        source=payload.source,
        source_id=payload.source_id,
        **data,
    )
    return Status(201, _out(created))


@router.get(
    "/workspaces/{slug}/improvement-metrics",
    response={200: list[ImprovementMetricOut], **ERRORS},
    summary="The metrics a cycle can take as its baseline (and why one is not available)",
)
def list_metrics(request: HttpRequest, slug: str):
    membership = api_membership(request, slug)
    return [
        ImprovementMetricOut(
            key=m.key,
            label=m.label,
            group=m.group,
            kind=m.kind,
            unit=m.unit,
            better=m.better,
            available=m.available,
            missing=m.missing,
            needs_param=m.needs_param,
        )
        for m in metrics.metrics_for(membership.workspace)
    ]


@router.get(
    "/workspaces/{slug}/improvement-report",
    response={200: ReportOut, **ERRORS},
    summary="Continuous-improvement metrics (§12): monthly series, trends, change dates",
)
def improvement_report(request: HttpRequest, slug: str):
    membership = api_membership(request, slug)
    return ci.as_dict(ci.continuous_improvement(membership.workspace))


@router.get(
    "/improvements/{improvement_id}",
    response={200: ImprovementOut, **ERRORS},
    summary="One cycle with its phase history and tasks",
)
def get_improvement(request: HttpRequest, improvement_id: int):
    return _out(object_for(request, queries.improvement_by_id, improvement_id))


@router.patch(
    "/improvements/{improvement_id}",
    response={200: ImprovementOut, **ERRORS},
    summary="Change the plan, the change date or the window",
)
def patch_improvement(request: HttpRequest, improvement_id: int, payload: ImprovementPatch):
    found = object_for(request, queries.improvement_by_id, improvement_id, Role.MEMBER)
    changes = _fields(payload, exclude={"version"})
    services.update_improvement(
        found,
        changes=changes,
        actor=request.user,
        expected_version=payload.version,  # type: ignore[arg-type]
    )
    return _out(found)


@router.delete(
    "/improvements/{improvement_id}",
    response={204: None, **ERRORS},
    summary="Delete an open cycle (its task cards stay)",
)
def delete_improvement(request: HttpRequest, improvement_id: int):
    services.delete_improvement(
        object_for(request, queries.improvement_by_id, improvement_id, Role.MEMBER)
    )
    return Status(204, None)


@router.post(
    "/improvements/{improvement_id}/phase",
    response={200: ImprovementOut, **ERRORS},
    summary="Move to the next phase (Do, Check or Act; one at a time)",
)
def change_phase(request: HttpRequest, improvement_id: int, payload: PhaseIn):
    found = object_for(request, queries.improvement_by_id, improvement_id, Role.MEMBER)
    services.advance(found, to=payload.to, note=payload.note, actor=request.user)  # type: ignore[arg-type]
    return _out(found)


@router.post(
    "/improvements/{improvement_id}/decision",
    response={200: ImprovementOut, **ERRORS},
    summary="Act: standardise, adjust (starts the next cycle) or abandon, with a reason",
)
def decide(request: HttpRequest, improvement_id: int, payload: ImprovementDecisionIn):
    found = object_for(request, queries.improvement_by_id, improvement_id, Role.MEMBER)
    services.decide(found, outcome=payload.outcome, reason=payload.reason, actor=request.user)  # type: ignore[arg-type]
    return _out(found)


@router.post(
    "/improvements/{improvement_id}/next",
    response={201: ImprovementOut, **ERRORS},
    summary="Start the next cycle after a closed one",
)
def next_cycle(request: HttpRequest, improvement_id: int):
    found = object_for(request, queries.improvement_by_id, improvement_id, Role.MEMBER)
    return Status(201, _out(services.follow_up(found, actor=request.user)))  # type: ignore[arg-type]


@router.post(
    "/improvements/{improvement_id}/tasks",
    response={201: TaskOut, **ERRORS},
    summary="A Do task: creates a card on the cycle's board, linked to the cycle",
)
def add_task(request: HttpRequest, improvement_id: int, payload: TaskIn):
    found = object_for(request, queries.improvement_by_id, improvement_id, Role.MEMBER)
    task = services.add_task(found, title=payload.title, reason=payload.reason, actor=request.user)  # type: ignore[arg-type]
    card = task.card
    return Status(
        201,
        TaskOut(
            card_id=card.pk, card_number=card.number, title=card.title, column=card.column.name
        ),
    )


@router.get(
    "/improvements/{improvement_id}/check",
    response={200: CheckOut, **ERRORS},
    summary="The Check: the metric before vs after the change date, with the test and verdict",
)
def check(
    request: HttpRequest,
    improvement_id: int,
    window_days: int | None = Query(None, ge=7, le=365),
):
    found = object_for(request, queries.improvement_by_id, improvement_id)
    return CheckOut.of(queries.check_for(found, window_days=window_days))
