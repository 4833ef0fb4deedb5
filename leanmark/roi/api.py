"""API operations of this app, added to the one NinjaAPI by leanmark/api.py."""

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from ninja import Query, Router, Status

from leanmark.accounts.models import Role
from leanmark.board import queries as board_queries
from leanmark.domain import roi as domain
from leanmark.lib.api_access import api_membership, require_role_in, roles_by_workspace
from leanmark.lib.api_input import Day
from leanmark.lib.schemas import ERRORS

from . import queries, services
from .errors import InvalidInput
from .schemas import (
    AllocationIn,
    AllocationOut,
    AllocationStepOut,
    AllocationStepResultIn,
    AllocationStepsIn,
    AllocationStepsOut,
    Dimension,
    HourlyCostIn,
    HourlyCostOut,
    ImportOut,
    RoiReportOut,
    SpendCsvIn,
    SpendIn,
    SpendOut,
    SpendPage,
    TimeLogIn,
    TimeLogOut,
    allocation_out,
    report_out,
)

router = Router(tags=["roi"])


def _spend_in(payload: SpendIn) -> services.SpendIn:
    return services.SpendIn(
        on=payload.date,
        amount=payload.amount,
        currency=payload.currency,
        channel=payload.channel,
        stage=payload.stage,
        campaign=payload.campaign,
        note=payload.note,
    )


@router.get(
    "/workspaces/{slug}/spend", response={200: SpendPage, **ERRORS}, summary="Spend entries"
)
def list_spend(
    request: HttpRequest,
    slug: str,
    start: Day | None = None,
    end: Day | None = None,
    channel: str = "",
    limit: int = Query(100, ge=1, le=1000),
    offset: int = Query(0, ge=0, le=10_000_000),
):
    membership = api_membership(request, slug)
    rows, total = queries.spend_page(
        membership.workspace,
        start=start,
        end=end,
        channel=channel.strip().lower()[:60],
        limit=limit,
        offset=offset,
    )
    return SpendPage(items=[SpendOut.of(r) for r in rows], total=total)


@router.post("/workspaces/{slug}/spend", response={201: SpendOut, **ERRORS}, summary="Record spend")
def create_spend(request: HttpRequest, slug: str, payload: SpendIn):
    membership = api_membership(request, slug, Role.MEMBER)
    row = services.record_spend(membership.workspace, _spend_in(payload), actor=request.user)
    return Status(201, SpendOut.of(row))


@router.post(
    "/workspaces/{slug}/spend/import",
    response={200: ImportOut, **ERRORS},
    summary="Import spend from CSV (all or nothing; re-importing changes nothing)",
)
def import_spend(request: HttpRequest, slug: str, payload: SpendCsvIn):
    membership = api_membership(request, slug, Role.MEMBER)
    result = services.import_spend_csv(membership.workspace, payload.csv, actor=request.user)
    return ImportOut(created=result.created, updated=result.updated, unchanged=result.unchanged)


@router.put(
    "/workspaces/{slug}/spend/{spend_id}",
    response={200: SpendOut, **ERRORS},
    summary="Change a spend entry",
)
def update_spend(request: HttpRequest, slug: str, spend_id: int, payload: SpendIn):
    membership = api_membership(request, slug, Role.MEMBER)
    row = queries.spend_for(membership.workspace, spend_id)
    return SpendOut.of(services.change_spend(row, _spend_in(payload), actor=request.user))


@router.delete(
    "/workspaces/{slug}/spend/{spend_id}",
    response={204: None, **ERRORS},
    summary="Delete a spend entry",
)
def delete_spend(request: HttpRequest, slug: str, spend_id: int):
    membership = api_membership(request, slug, Role.MEMBER)
    services.delete_spend(queries.spend_for(membership.workspace, spend_id), actor=request.user)
    return Status(204, None)


@router.get(
    "/workspaces/{slug}/time-logs",
    response={200: list[TimeLogOut], **ERRORS},
    summary="Time logged on cards, newest first",
)
def list_time_logs(
    request: HttpRequest,
    slug: str,
    card_id: int | None = Query(None, ge=1, le=2**63 - 1),
    limit: int = Query(100, ge=1, le=1000),
):
    membership = api_membership(request, slug)
    logs = queries.time_logs(membership.workspace, card_id=card_id, limit=limit)
    return [TimeLogOut.of(log) for log in logs]


@router.post(
    "/cards/{card_id}/time-logs",
    response={201: TimeLogOut, **ERRORS},
    summary="Log time on a card",
)
def log_time(request: HttpRequest, card_id: int, payload: TimeLogIn):
    card = board_queries.card_by_id(roles_by_workspace(request).keys(), card_id)
    require_role_in(request, card.board.workspace_id, Role.MEMBER)
    log = services.log_time(
        card,
        member=payload.member_id or request.user.pk,
        on=payload.date,
        hours=payload.hours,
        note=payload.note,
        actor=request.user,
    )
    return Status(201, TimeLogOut.of(log))


@router.delete(
    "/workspaces/{slug}/time-logs/{log_id}",
    response={204: None, **ERRORS},
    summary="Delete a time log",
)
def delete_time_log(request: HttpRequest, slug: str, log_id: int):
    membership = api_membership(request, slug, Role.MEMBER)
    services.delete_time_log(
        queries.time_log_for(membership.workspace, log_id),
        actor=request.user,
        is_owner=membership.allows(Role.OWNER),
    )
    return Status(204, None)


@router.get(
    "/workspaces/{slug}/hourly-costs",
    response={200: list[HourlyCostOut], **ERRORS},
    summary="Members' hourly costs (owner)",
)
def list_hourly_costs(request: HttpRequest, slug: str):
    membership = api_membership(request, slug, Role.OWNER)
    return [
        HourlyCostOut(user_id=user.pk, member=user.label, role=role, hourly_cost=cost)
        for user, role, cost in queries.members_with_costs(membership.workspace)
    ]


@router.put(
    "/workspaces/{slug}/hourly-costs/{user_id}",
    response={200: HourlyCostOut, **ERRORS},
    summary="Set or clear a member's hourly cost (owner)",
)
def set_hourly_cost(request: HttpRequest, slug: str, user_id: int, payload: HourlyCostIn):
    membership = api_membership(request, slug, Role.OWNER)
    services.set_hourly_cost(
        membership.workspace,
        user_id,
        "" if payload.hourly_cost is None else payload.hourly_cost,
        actor=request.user,
    )
    for user, role, cost in queries.members_with_costs(membership.workspace):
        if user.pk == user_id:
            return HourlyCostOut(user_id=user.pk, member=user.label, role=role, hourly_cost=cost)
    raise InvalidInput("the member must belong to this workspace", field="member")


@router.get(
    "/workspaces/{slug}/roi",
    response={200: RoiReportOut, **ERRORS},
    summary="ROI report per stage, channel or campaign",
    by_alias=True,
)
def roi_report(
    request: HttpRequest,
    slug: str,
    period: str = Query("last-12-months", description="2026-Q3, 2026-07, 2026, a..b, ytd, …"),
    by: Dimension = "stage",
):
    membership = api_membership(request, slug)
    try:
        start, end = domain.parse_period(period[:40], timezone.localdate())
    except domain.RoiInputError as error:
        raise InvalidInput(error.message, field="period") from None
    return report_out(queries.report(membership.workspace, start=start, end=end, by=by))


@router.post(
    "/allocation",
    response={200: AllocationOut, **ERRORS},
    summary="Recommended split of a budget (money or hours) over the channels",
)
def allocate(request: HttpRequest, payload: AllocationIn):
    membership = api_membership(request, payload.workspace)
    bounds = {
        channel: domain.Bounds(bound.min, bound.max) for channel, bound in payload.bounds.items()
    }
    view = queries.allocation(
        membership.workspace,
        unit=payload.unit,
        today=timezone.localdate(),
        budget=payload.budget,
        bounds=bounds,
        override={
            c: (curve.a, curve.b, curve.kind, curve.s) for c, curve in payload.curves.items()
        },
        model=payload.model,
        resamples=payload.resamples,
        seed=payload.seed,
        max_move=payload.max_move,
        objective=payload.objective,
        target=payload.target,
    )
    return allocation_out(view, payload.unit)


# ---- test steps ---------------------------------------------------------------------------------


def _step_link(slug: str) -> Any:
    def link(step: Any) -> str:
        return reverse("roi-step", kwargs={"ws": slug, "step_id": step.pk})

    return link


@router.post(
    "/workspaces/{slug}/allocation/steps",
    response={201: AllocationStepsOut, **ERRORS},
    summary="Turn the recommended moves into test cards (the run is saved as a plan)",
    by_alias=True,
)
def create_steps(request: HttpRequest, slug: str, payload: AllocationStepsIn):
    membership = api_membership(request, slug, Role.MEMBER)
    workspace = membership.workspace
    board = board_queries.board_in(workspace, payload.board_id)
    if board is None:
        raise InvalidInput(f"no board {payload.board_id} in this workspace", field="board_id")
    check = services.clean_check(
        payload.check, payload.starts_on, payload.ends_on, payload.holdout_share
    )
    view = queries.allocation(
        workspace,
        unit=payload.unit,
        today=timezone.localdate(),
        budget=payload.budget,
        bounds={c: domain.Bounds(b.min, b.max) for c, b in payload.bounds.items()},
        max_move=payload.max_move,
        objective=payload.objective,
        target=payload.target,
        resamples=0,
    )
    plan, steps = services.create_steps(
        workspace,
        view.allocation,
        curves=view.curves.curves,
        bounds=view.bounds,
        board=board,
        check=check,
        name=payload.name,
        month=check.starts_on.replace(day=1),
        unit=payload.unit,
        actor=request.user,
        link=_step_link(slug),
    )
    return Status(
        201, AllocationStepsOut(plan_id=plan.pk, steps=[AllocationStepOut.of(s) for s in steps])
    )


@router.get(
    "/workspaces/{slug}/allocation/steps",
    response={200: list[AllocationStepOut], **ERRORS},
    summary="Test steps, newest first",
    by_alias=True,
)
def list_steps(request: HttpRequest, slug: str, limit: int = Query(100, ge=1, le=1000)):
    membership = api_membership(request, slug)
    return [AllocationStepOut.of(s) for s in queries.steps_of(membership.workspace, limit=limit)]


@router.get(
    "/workspaces/{slug}/allocation/steps/{step_id}",
    response={200: AllocationStepOut, **ERRORS},
    summary="A test step: its move, check, result and refitted curve",
    by_alias=True,
)
def get_step(request: HttpRequest, slug: str, step_id: int):
    membership = api_membership(request, slug)
    return AllocationStepOut.of(queries.step_for(membership.workspace, step_id))


@router.post(
    "/workspaces/{slug}/allocation/steps/{step_id}/result",
    response={200: AllocationStepOut, **ERRORS},
    summary="Record a test step's spend and return over its window; refits the channel's curve",
    by_alias=True,
)
def record_step_result(
    request: HttpRequest, slug: str, step_id: int, payload: AllocationStepResultIn
):
    membership = api_membership(request, slug, Role.MEMBER)
    step = queries.step_for(membership.workspace, step_id)
    services.record_step_result(
        step,
        spend=payload.spend,
        ret=payload.returned,
        note=payload.note,
        actor=request.user,
        today=timezone.localdate(),
    )
    return AllocationStepOut.of(queries.step_for(membership.workspace, step_id))
