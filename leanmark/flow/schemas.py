"""API shapes of the flow report and the forecasts (built by exports.report_dict/forecast_dict)."""

from datetime import date
from typing import TYPE_CHECKING

from ninja import Schema
from pydantic import Field

from leanmark.lib.schemas import Strict

from .models import REASON_MAX

if TYPE_CHECKING:
    from .queries import BacktestReport, CampaignReport, WorkingCalendar


class FiltersOut(Schema):
    lane: str
    stage: str
    person: int | None
    tag: str


class ColumnFlag(Schema):
    name: str
    active: bool


class DayCount(Schema):
    date: str
    count: int


class PeriodOut(Schema):
    start: str
    count: int


class ThroughputOut(Schema):
    total: int
    per_day: float | None
    daily: list[DayCount]
    weekly: list[PeriodOut]
    monthly: list[PeriodOut]


class FinishedOut(Schema):
    card_id: int
    number: int
    title: str
    started_at: str
    finished_at: str
    cycle_days: float
    lead_days: float
    active_days: float
    blocked_days: float
    flow_efficiency: float | None


class CycleTimeOut(Schema):
    items: int
    percentiles: dict[str, float] = Field(description="nearest rank, days; keys 50, 70, 85, 95")
    finished: list[FinishedOut]


class WipDay(Schema):
    date: str
    wip: int
    blocked: int


class CfdDay(Schema):
    date: str
    at_or_after: list[int] = Field(
        description="per board column, items at that column or a later one at the end of the day"
    )


class AgingOut(Schema):
    card_id: int
    number: int
    title: str
    column: str
    age_days: float
    blocked: bool
    past_85th: bool


class EfficiencyOut(Schema):
    items: int
    ratio: float | None
    active_days: float | None
    cycle_days: float | None


class ReasonOut(Schema):
    reason: str
    times: int
    blocked_days: float | None


class LittlesLawOut(Schema):
    days: int
    mean_wip: float | None
    throughput_per_day: float | None
    mean_cycle_days: float | None
    predicted_wip: float | None
    ratio: float | None
    finished: int
    assumptions: list[str]


class FlowOut(Schema):
    board_id: int
    board: str
    from_: str = Field(alias="from")
    to: str
    generated_at: str
    last_event_id: int
    filters: FiltersOut
    columns: list[ColumnFlag]
    start_column: str
    done_column: str
    items: int
    throughput: ThroughputOut
    cycle_time: CycleTimeOut
    wip: list[WipDay]
    cfd: list[CfdDay]
    aging: list[AgingOut]
    flow_efficiency: EfficiencyOut
    blocked_reasons: list[ReasonOut]
    littles_law: LittlesLawOut


class AnswerOut(Schema):
    confidence: int
    items: int | None = None
    periods: int | None = None
    date: str | None = None


class OutcomeOut(Schema):
    outcome: int
    trials: int


class CalendarUseOut(Schema):
    weekends_off: bool
    days_off_in_window: int = Field(description="days off of the history window, not sampled")
    days_off_ahead: int = Field(
        description="days off from tomorrow to the date asked for (how many, campaign) or to "
        "the 95 % answer (when), not counted"
    )


class ForecastOut(Schema):
    board_id: int
    board: str
    question: str
    today: str
    until: str | None
    items: int | None
    period: str
    periods_ahead: int | None
    window_from: str
    window_to: str
    history: list[int]
    history_items: int
    trials: int
    seed: int
    beyond_horizon: int
    answers: list[AnswerOut]
    histogram: list[OutcomeOut]
    calendar: CalendarUseOut


class BacktestRunOut(Schema):
    as_of: date = Field(description="the first day the past forecast looked at")
    answers: dict[int, int | None] = Field(description="confidence → at least this many items")
    actual: int = Field(description="items really finished in the horizon")


class BacktestLevelOut(Schema):
    confidence: int
    hit_rate: float | None = Field(description="share of past forecasts whose outcome reached it")


class BacktestOut(Schema):
    board_id: int
    today: date
    horizon: int
    window: int
    runs: list[BacktestRunOut]
    levels: list[BacktestLevelOut]
    predictability: float | None = Field(
        description="1 minus the mean gap between each confidence and how often it came true"
    )

    @staticmethod
    def of(report: "BacktestReport") -> "BacktestOut":
        result = report.result
        return BacktestOut(
            board_id=report.board_id,
            today=report.today,
            horizon=result.horizon,
            window=result.window,
            runs=[
                BacktestRunOut(as_of=report.as_of(r.as_of), answers=r.answers, actual=r.actual)
                for r in result.runs
            ],
            levels=[
                BacktestLevelOut(confidence=c, hit_rate=result.hit_rate(c))
                for c in result.confidences
            ],
            predictability=result.predictability,
        )


# ---- the working calendar and a campaign's launch --------------------------------------------


class DayOffOut(Schema):
    day: date
    reason: str


class CalendarOut(Schema):
    board_id: int
    weekends_off: bool = Field(description="Saturdays and Sundays are days off")
    days_off: list[DayOffOut] = Field(description="every blackout day, in order")

    @staticmethod
    def of(found: "WorkingCalendar") -> "CalendarOut":
        return CalendarOut(
            board_id=found.board_id,
            weekends_off=found.weekends_off,
            days_off=[DayOffOut(day=d.day, reason=d.reason) for d in found.days],
        )


class CalendarPatch(Strict):
    weekends_off: bool


class DaysOffIn(Strict):
    day: date = Field(description="the first day off, YYYY-MM-DD")
    to: date | None = Field(None, description="the last day off (default: `day`); at most 366")
    reason: str = Field("", max_length=REASON_MAX, description="a holiday, a team off-day …")


class DaysRemovedOut(Schema):
    removed: int = Field(description="days of the range that were off and are working days again")


class CampaignCardOut(Schema):
    number: int
    title: str
    column: str


class CampaignOut(Schema):
    board_id: int
    board: str
    today: date
    launch: date
    tag: str
    channel: str
    items: int = Field(description="the campaign's cards not done yet (listed in `cards`)")
    probability: float = Field(
        description="share of trials that finished all `items` by the launch date"
    )
    done_trials: int
    trials: int
    seed: int
    period: str
    periods_ahead: int = Field(description="working periods from tomorrow to the launch")
    window_from: date
    window_to: date
    history: list[int]
    history_items: int
    calendar: CalendarUseOut
    cards: list[CampaignCardOut]

    @staticmethod
    def of(report: "CampaignReport") -> "CampaignOut":
        found = report.result
        return CampaignOut(
            board_id=report.board_id,
            board=report.board_name,
            today=report.today,
            launch=report.launch,
            tag=report.tag,
            channel=report.channel,
            items=found.items,
            probability=found.probability,
            done_trials=found.done,
            trials=found.trials,
            seed=found.seed,
            period=report.period,
            periods_ahead=found.periods,
            window_from=report.window_from,
            window_to=report.window_to,
            history=report.history,
            history_items=found.history.items,
            calendar=CalendarUseOut(
                weekends_off=report.calendar.weekends_off,
                days_off_in_window=report.days_off_in_window,
                days_off_ahead=report.days_off_ahead,
            ),
            cards=[
                CampaignCardOut(number=c.number, title=c.title, column=c.column)
                for c in report.cards
            ],
        )
