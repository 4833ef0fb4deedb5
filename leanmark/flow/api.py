"""API operations of this app, added to the one NinjaAPI by leanmark/api.py."""

from datetime import date
from typing import Annotated, Literal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router
from pydantic import WithJsonSchema

from leanmark.accounts.models import Role
from leanmark.board import queries as board_queries
from leanmark.domain.forecast import MAX_AHEAD_DAYS, MAX_DRAWS, MAX_ITEMS, MAX_PERIODS, MAX_TRIALS
from leanmark.lib.api_access import object_for
from leanmark.lib.api_input import Day
from leanmark.lib.schemas import ERRORS, LaneName, StageName

from . import exports, queries, services
from .schemas import (
    BacktestOut,
    CalendarOut,
    CalendarPatch,
    CampaignOut,
    DaysOffIn,
    DaysRemovedOut,
    FlowOut,
    ForecastOut,
)

router = Router(tags=["flow"])
Period = Literal["day", "week"]
SEED = Query(queries.DEFAULT_SEED, ge=0, le=2**63 - 1, description="reported with the answer")
TRIALS = Query(
    queries.DEFAULT_TRIALS,
    description=f"1 to {MAX_TRIALS:,}, and trials × periods at most {MAX_DRAWS:,} draws (a "
    f"`when` trial may run {MAX_PERIODS} periods, so at most {MAX_DRAWS // MAX_PERIODS:,} trials "
    "there); more answers 422",
)
UNTIL = Query(
    ...,
    description=f"the last day counted: after today and at most 5 years ({MAX_AHEAD_DAYS:,} "
    "days) ahead; later answers 422",
)
LAUNCH = Query(..., description="the launch date: after today, at most 5 years ahead")
ITEMS = Query(..., description=f"how many items, 1 to {MAX_ITEMS:,}; more answers 422")
# The bounds are in the document, and refused by the forecast itself (422 `invalid`, saying the
# value it got), not by the schema's validator, whose message does not say it.
Items = Annotated[int, WithJsonSchema({"type": "integer", "minimum": 1, "maximum": MAX_ITEMS})]
Trials = Annotated[int, WithJsonSchema({"type": "integer", "minimum": 1, "maximum": MAX_TRIALS})]
PERSON = Query(None, ge=1, le=2**63 - 1, description="cards assigned to this user id")
FROM = Query(None, alias="from", description="first day (default: 89 days before `to`)")


def _filters(lane: str | None, stage: str, person: int | None, tag: str) -> queries.FlowFilters:
    return queries.FlowFilters(
        lane=lane or "", stage=stage, person=person, tag=tag.strip().lower()[:30]
    )


@router.get(
    "/boards/{board_id}/flow",
    response={200: FlowOut, **ERRORS},
    by_alias=True,
    summary="All flow metrics of a board for a date range",
    description="Throughput, WIP, CFD, cycle-time percentiles (nearest rank) with every finished "
    "item, aging WIP, flow efficiency, blocker reasons and Little's Law, computed from the event "
    "log. `from`/`to` are inclusive dates in the workspace's time zone (default: the last 90 "
    "days).",
)
def board_flow(
    request: HttpRequest,
    board_id: int,
    from_: Day | None = FROM,
    to: Day | None = None,
    lane: LaneName | None = None,
    stage: StageName = "",
    person: int | None = PERSON,
    tag: str = "",
):
    board = object_for(request, board_queries.board_by_id, board_id)
    now = timezone.now()
    start, end = queries.default_range(board, now)
    report = queries.flow_report(
        board,
        start=from_ or start,
        end=to or end,
        now=now,
        filters=_filters(lane, stage, person, tag),
    )
    return exports.report_dict(report)


def _spec(
    period: str,
    window_from: date | None,
    window_to: date | None,
    trials: int,
    seed: int,
    filters: queries.FlowFilters,
) -> queries.ForecastInput:
    return queries.ForecastInput(
        period=period,
        window_from=window_from,
        window_to=window_to,
        trials=trials,
        seed=seed,
        filters=filters,
    )


@router.get(
    "/boards/{board_id}/forecast/how-many",
    response={200: ForecastOut, **ERRORS},
    summary="Monte Carlo: how many items will be finished by a date",
    description="At confidence c, the largest N such that at least c of the trials finish N or "
    "more items between tomorrow and `until`. The history window defaults to the last 90 full "
    "days; zero periods count.",
)
def forecast_how_many(
    request: HttpRequest,
    board_id: int,
    until: Day = UNTIL,
    period: Period = "day",
    window_from: Day | None = None,
    window_to: Day | None = None,
    trials: Trials = TRIALS,
    seed: int = SEED,
    lane: LaneName | None = None,
    stage: StageName = "",
    person: int | None = PERSON,
    tag: str = "",
):
    board = object_for(request, board_queries.board_by_id, board_id)
    spec = _spec(period, window_from, window_to, trials, seed, _filters(lane, stage, person, tag))
    report = queries.forecast_how_many(board, until=until, now=timezone.now(), spec=spec)
    return exports.forecast_dict(report)


@router.get(
    "/boards/{board_id}/forecast/when",
    response={200: ForecastOut, **ERRORS},
    summary="Monte Carlo: when will N items be finished",
    description="At confidence c, the c-percentile of the trials' durations, in periods from "
    "today, with the date it falls on.",
)
def forecast_when(
    request: HttpRequest,
    board_id: int,
    items: Items = ITEMS,
    period: Period = "day",
    window_from: Day | None = None,
    window_to: Day | None = None,
    trials: Trials = TRIALS,
    seed: int = SEED,
    lane: LaneName | None = None,
    stage: StageName = "",
    person: int | None = PERSON,
    tag: str = "",
):
    board = object_for(request, board_queries.board_by_id, board_id)
    spec = _spec(period, window_from, window_to, trials, seed, _filters(lane, stage, person, tag))
    report = queries.forecast_when(board, items=items, now=timezone.now(), spec=spec)
    return exports.forecast_dict(report)


@router.get(
    "/boards/{board_id}/forecast/backtest",
    response={200: BacktestOut, **ERRORS},
    summary="How often the board's past forecasts came true (backtest and predictability)",
    description="Every `step` days of the last year, the 'how many in `horizon` days' forecast "
    "made from the `window` days before it, against the items really finished; per confidence, "
    "the share of forecasts the outcome reached. A well-calibrated forecast's 85 % comes true "
    "about 85 % of the time.",
)
def forecast_backtest(
    request: HttpRequest,
    board_id: int,
    horizon: int = Query(14, ge=1, le=366),
    window: int = Query(90, ge=7, le=3660),
    step: int = Query(7, ge=1, le=366),
    trials: int = Query(2_000, ge=1, le=20_000),
    seed: int = SEED,
    lane: LaneName | None = None,
    stage: StageName = "",
    person: int | None = PERSON,
    tag: str = "",
):
    board = object_for(request, board_queries.board_by_id, board_id)
    report = queries.forecast_backtest(
        board,
        now=timezone.now(),
        horizon=horizon,
        window=window,
        step=step,
        trials=trials,
        seed=seed,
        filters=_filters(lane, stage, person, tag),
    )
    return BacktestOut.of(report)


@router.get(
    "/boards/{board_id}/forecast/campaign",
    response={200: CampaignOut, **ERRORS},
    summary="Monte Carlo: the probability that a campaign's cards are all done by its launch",
    description="The campaign is the board's live cards outside the done column with this `tag` "
    "and/or `channel` (at least one of them); they are listed in the answer. The probability is "
    "the share of trials that finish that many items in the working periods from tomorrow to "
    "`launch` (inclusive), sampling the board's throughput on the working days of the history "
    "window (see the board's calendar).",
)
def forecast_campaign(
    request: HttpRequest,
    board_id: int,
    launch: Day = LAUNCH,
    tag: str = "",
    channel: str = "",
    period: Period = "day",
    window_from: Day | None = None,
    window_to: Day | None = None,
    trials: Trials = TRIALS,
    seed: int = SEED,
):
    board = object_for(request, board_queries.board_by_id, board_id)
    spec = _spec(period, window_from, window_to, trials, seed, queries.FlowFilters())
    report = queries.forecast_campaign(
        board, launch=launch, now=timezone.now(), tag=tag, channel=channel, spec=spec
    )
    return CampaignOut.of(report)


@router.get(
    "/boards/{board_id}/calendar",
    response={200: CalendarOut, **ERRORS},
    summary="The board's working calendar: its days off",
    description="Days off (blackout days, and every weekend with `weekends_off`) are not "
    "sampled from a forecast's history and not counted in its horizon.",
)
def get_calendar(request: HttpRequest, board_id: int):
    board = object_for(request, board_queries.board_by_id, board_id)
    return CalendarOut.of(queries.working_calendar(board))


@router.patch(
    "/boards/{board_id}/calendar",
    response={200: CalendarOut, **ERRORS},
    summary="Turn weekends off (or on) for the board's forecasts",
)
def patch_calendar(request: HttpRequest, board_id: int, payload: CalendarPatch):
    board = object_for(request, board_queries.board_by_id, board_id, Role.MEMBER)
    services.set_weekends_off(board, payload.weekends_off)
    return CalendarOut.of(queries.working_calendar(board))


@router.post(
    "/boards/{board_id}/calendar/days",
    response={200: CalendarOut, **ERRORS},
    summary="Add days off (one day, or `day` to `to`)",
    description="A day already off takes the new reason. At most 366 days at once.",
)
def add_days_off(request: HttpRequest, board_id: int, payload: DaysOffIn):
    board = object_for(request, board_queries.board_by_id, board_id, Role.MEMBER)
    services.add_days_off(board, payload.day, payload.to, reason=payload.reason)
    return CalendarOut.of(queries.working_calendar(board))


@router.delete(
    "/boards/{board_id}/calendar/days/{day}",
    response={200: DaysRemovedOut, **ERRORS},
    summary="Make days off working days again (one day, or `day` to `to`)",
)
def remove_days_off(request: HttpRequest, board_id: int, day: date, to: Day | None = None):
    board = object_for(request, board_queries.board_by_id, board_id, Role.MEMBER)
    return DaysRemovedOut(removed=services.remove_days_off(board, day, to))
