from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal

from ninja import Schema
from pydantic import ConfigDict, Field

from leanmark.domain import curves as curve_fits
from leanmark.domain import roi as domain
from leanmark.domain import roi_steps
from leanmark.lib.schemas import ErrorOut, Id, Page, StageName, Strict

from .models import Spend, TimeLog

__all__ = ["ErrorOut"]

Amount = Annotated[Decimal, Field(max_digits=14, decimal_places=2)]
UnitName = Literal["money", "hours"]
ObjectiveName = Literal["return", "roas", "cpa"]
Dimension = Literal["stage", "channel", "campaign"]


class SpendIn(Strict):
    date: date
    amount: Decimal = Field(
        ge=0, le=Decimal("999999999999.99"), description="not negative; in the workspace's currency"
    )
    currency: str = Field("", description="ISO 4217; empty means the workspace's currency")
    channel: str = ""
    stage: StageName = ""
    campaign: str = ""
    note: str = ""


class SpendOut(Schema):
    id: int
    date: date
    amount: Decimal
    currency: str
    channel: str
    stage: str
    campaign: str
    note: str

    @staticmethod
    def of(row: Spend) -> "SpendOut":
        return SpendOut(
            id=row.pk,
            date=row.on,
            amount=row.amount,
            currency=row.currency,
            channel=row.channel,
            stage=row.stage,
            campaign=row.campaign,
            note=row.note,
        )


class SpendPage(Page[SpendOut]):
    pass


class SpendCsvIn(Strict):
    csv: str = Field(
        max_length=5_000_000,
        description="date,amount[,currency,channel,stage,campaign,note] with a header row",
    )


class ImportOut(Schema):
    created: int
    updated: int
    unchanged: int


class TimeLogIn(Strict):
    date: date
    hours: Decimal = Field(gt=0, le=24, description="more than 0, at most 24")
    member_id: Id | None = Field(None, description="who did the work; default: you")
    note: str = ""


class TimeLogOut(Schema):
    id: int
    card_id: int
    card_number: int
    member_id: int
    member: str
    date: date
    hours: Decimal
    note: str

    @staticmethod
    def of(log: TimeLog) -> "TimeLogOut":
        return TimeLogOut(
            id=log.pk,
            card_id=log.card_id,
            card_number=log.card.number,
            member_id=log.member_id,
            member=log.member.label,
            date=log.on,
            hours=log.hours,
            note=log.note,
        )


class HourlyCostIn(Strict):
    hourly_cost: Decimal | None = Field(
        ge=0, le=Decimal("99999999.99"), description="null clears it"
    )


class HourlyCostOut(Schema):
    user_id: int
    member: str
    role: str
    hourly_cost: Decimal | None


class RoiRowOut(Schema):
    model_config = ConfigDict(populate_by_name=True)

    key: str
    spend: Decimal
    labour: Decimal
    hours: Decimal
    cost: Decimal
    ret: Decimal = Field(alias="return")
    roi: Decimal | None
    romi: Decimal | None
    hours_share: Decimal | None
    return_share: Decimal | None
    cost_lines: int
    return_lines: int

    @staticmethod
    def of(row: domain.RoiRow) -> "RoiRowOut":
        def r4(value: Decimal | None) -> Decimal | None:
            return None if value is None else value.quantize(Decimal("0.0001"))

        return RoiRowOut(
            key=row.key,
            spend=domain.money(row.spend),
            labour=domain.money(row.labour),
            hours=row.hours,
            cost=domain.money(row.cost),
            ret=domain.money(row.ret),
            roi=r4(row.roi),
            romi=r4(row.romi),
            hours_share=r4(row.hours_share),
            return_share=r4(row.return_share),
            cost_lines=row.cost_lines,
            return_lines=row.return_lines,
        )


class RoiReportOut(Schema):
    start: date
    end: date
    by: Dimension
    currency: str
    contribution_margin: Decimal
    rows: list[RoiRowOut]
    total: RoiRowOut
    acquisition_cost: Decimal
    new_customers: Decimal | None
    cac: Decimal | None
    payback_months: Decimal | None
    lifetime_value: Decimal | None = Field(
        None,
        description="per customer: entered, or monthly revenue × gross margin ÷ monthly churn",
    )
    ltv_cac: Decimal | None = Field(None, description="lifetime value ÷ CAC")
    channel_acquisition: dict[str, "ChannelAcquisitionOut"] = Field(
        default_factory=dict,
        description="by channel: new customers from the imported data, CAC and LTV:CAC",
    )
    notes: list[str]


class ChannelAcquisitionOut(Schema):
    new_customers: int
    cac: Decimal | None
    ltv_cac: Decimal | None


class BoundIn(Strict):
    min: float = Field(0, ge=0)
    max: float | None = Field(None, ge=0)


class CurveIn(Strict):
    a: float
    b: float
    kind: Literal["log", "hill"] = Field(
        "log", description="log: a·ln(1 + x/b); hill: a·x^s ÷ (x^s + b^s), a the top, b half-way"
    )
    s: float = Field(1.0, gt=0, le=20, description="the Hill shape (unused by log)")


class AllocationIn(Strict):
    workspace: str = Field(description="the workspace's slug")
    budget: float | None = Field(
        None, description="total per month; default: what the last whole month used"
    )
    unit: UnitName = "money"
    bounds: dict[str, BoundIn] = Field(default_factory=dict, max_length=domain.MAX_CHANNELS)
    curves: dict[str, CurveIn] = Field(
        default_factory=dict,
        max_length=domain.MAX_CHANNELS,
        description="hand-entered curves for this request only (they replace fitted ones)",
    )
    model: Literal["auto", "log", "hill"] = Field(
        "auto",
        description="the kind of fitted curve: auto (log, or Hill when its AICc is lower by "
        "more than 2, with at least 8 points), log or hill",
    )
    resamples: int = Field(
        curve_fits.RESAMPLES,
        ge=0,
        le=curve_fits.MAX_RESAMPLES,
        description="bootstrap resamples per fitted curve for the bands (0: no band)",
    )
    seed: int = Field(curve_fits.SEED, ge=0, le=2**32 - 1, description="the bootstrap's seed")
    max_move: float = Field(
        roi_steps.DEFAULT_MAX_MOVE,
        ge=0,
        le=1,
        description="each channel moves at most this share of its amount in the last whole "
        "month, either way (1: no limit)",
    )
    objective: ObjectiveName = Field(
        "return",
        description="return: the most return for the budget; roas / cpa: the most return (new "
        "customers) whose ROAS stays at or above (CPA at or below) the target, budget left free",
    )
    target: float | None = Field(None, gt=0, description="the target ROAS or CPA")


class RangeOut(Schema):
    low: float
    high: float


class CurveBandOut(Schema):
    """The 10th-90th percentile of each parameter over the bootstrap's refitted curves."""

    seed: int
    resamples: int
    failed: int
    percentiles: list[float]
    a: RangeOut
    b: RangeOut
    s: RangeOut
    adstock: RangeOut


class AllocationBandOut(Schema):
    seed: int
    resamples: int
    failed: int
    percentiles: list[float]


class CurveOut(Schema):
    channel: str
    a: float
    b: float
    source: str
    months: int
    r_squared: float | None
    rmse: float | None
    warnings: list[str]
    kind: str
    s: float
    adstock: float
    granularity: str
    points: int
    selection: str
    formula: str
    band: CurveBandOut | None


class SplitOut(Schema):
    channel: str
    current: float | None
    recommended: float
    current_return: float | None
    expected_return: float
    marginal_roi: float
    current_marginal_roi: float | None
    at_minimum: bool
    at_maximum: bool
    beyond_history: bool
    step_bound: bool = False
    change: float | None = None
    expected_customers: float | None = None
    recommended_range: RangeOut | None = None
    expected_return_range: RangeOut | None = None


class AllocationOut(Schema):
    unit: UnitName
    budget: float
    expected_return: float
    current_return: float | None
    unallocated: float
    method: str
    splits: list[SplitOut]
    curves: list[CurveOut]
    channels_without_curve: dict[str, str]
    notes: list[str]
    expected_return_range: RangeOut | None = None
    band: AllocationBandOut | None = None
    objective: ObjectiveName = "return"
    target: float | None = None
    max_move: float = 1.0
    total: float | None = None
    roas: float | None = None
    expected_customers: float | None = None
    cpa: float | None = None


def report_out(view: Any) -> RoiReportOut:
    """The API's (and the CLI's --json) shape of ``queries.report``."""
    return RoiReportOut(
        start=view.start,
        end=view.end,
        by=view.by,
        currency=view.currency,
        contribution_margin=view.report.margin,
        rows=[RoiRowOut.of(r) for r in view.report.rows],
        total=RoiRowOut.of(view.report.total),
        acquisition_cost=domain.money(view.acquisition_cost),
        new_customers=view.new_customers,
        cac=None if view.cac is None else domain.money(view.cac),
        payback_months=None if view.payback is None else view.payback.quantize(domain.CENT),
        lifetime_value=None if view.ltv is None else domain.money(view.ltv),
        ltv_cac=None if view.ltv_cac is None else view.ltv_cac.quantize(domain.CENT),
        channel_acquisition={
            channel: ChannelAcquisitionOut(
                new_customers=a.new_customers,
                cac=None if a.cac is None else domain.money(a.cac),
                ltv_cac=None if a.ltv_cac is None else a.ltv_cac.quantize(domain.CENT),
            )
            for channel, a in view.channel_acquisition.items()
        },
        notes=view.notes,
    )


def allocation_out(view: Any, unit: str) -> AllocationOut:
    a = view.allocation
    band = view.band
    return AllocationOut(
        unit=unit,
        budget=a.budget,
        expected_return=round(a.expected_return, 2),
        current_return=None if a.current_return is None else round(a.current_return, 2),
        unallocated=round(a.unallocated, 2),
        method=a.method,
        splits=[
            SplitOut(
                channel=s.channel,
                current=s.current,
                recommended=round(s.recommended, 2),
                current_return=None if s.current_return is None else round(s.current_return, 2),
                expected_return=round(s.expected_return, 2),
                marginal_roi=round(s.marginal_roi, 6),
                current_marginal_roi=(
                    None if s.current_marginal_roi is None else round(s.current_marginal_roi, 6)
                ),
                at_minimum=s.at_minimum,
                at_maximum=s.at_maximum,
                beyond_history=s.extrapolated,
                step_bound=getattr(s, "step_bound", False),
                change=None if s.current is None else round(s.recommended - s.current, 2),
                expected_customers=_round(getattr(s, "expected_customers", None), 2),
                recommended_range=_interval(band and band.recommended.get(s.channel)),
                expected_return_range=_interval(band and band.expected_return.get(s.channel)),
            )
            for s in a.splits
        ],
        curves=[
            CurveOut(
                channel=c.channel,
                a=c.a,
                b=c.b,
                source=c.source,
                months=c.months,
                r_squared=c.r_squared,
                rmse=c.rmse,
                warnings=list(c.warnings),
                kind=c.kind,
                s=c.s,
                adstock=round(c.adstock, 6),
                granularity=c.granularity,
                points=c.points,
                selection=c.selection,
                formula=c.formula,
                band=curve_band_out(c.bootstrap),
            )
            for c in view.curves.curves.values()
        ],
        channels_without_curve=view.curves.problems,
        notes=list(a.notes),
        expected_return_range=_interval(band and band.total_return),
        objective=getattr(a, "objective", "return"),
        target=getattr(a, "target", None),
        max_move=getattr(a, "max_move", 1.0),
        total=round(sum(s.recommended for s in a.splits), 2),
        roas=_round(getattr(a, "roas", None), 4),
        expected_customers=_round(getattr(a, "expected_customers", None), 2),
        cpa=_round(getattr(a, "cpa", None), 2),
        band=None
        if band is None
        else AllocationBandOut(
            seed=band.seed,
            resamples=band.resamples,
            failed=band.failed,
            percentiles=list(band.percentiles),
        ),
    )


def _interval(pair: tuple[float, float] | None) -> RangeOut | None:
    return None if not pair else RangeOut(low=round(pair[0], 2), high=round(pair[1], 2))


def curve_band_out(boot: Any) -> CurveBandOut | None:
    """A fitted curve's bootstrap as the API shows it (None for hand-entered curves)."""
    if boot is None or not len(boot.params):
        return None

    def interval(name: str, digits: int) -> RangeOut:
        low, high = boot.interval(name)
        return RangeOut(low=round(low, digits), high=round(high, digits))

    return CurveBandOut(
        seed=boot.seed,
        resamples=boot.resamples,
        failed=boot.failed,
        percentiles=list(curve_fits.BAND),
        a=interval("a", 2),
        b=interval("b", 2),
        s=interval("s", 4),
        adstock=interval("adstock", 4),
    )


def _round(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


# ---- test steps ---------------------------------------------------------------------------------


class AllocationStepsIn(Strict):
    """An allocation (as POST /allocation, without the workspace) and how to test its moves."""

    budget: float | None = Field(
        None, description="total per month; default: what the last whole month used"
    )
    unit: UnitName = "money"
    bounds: dict[str, BoundIn] = Field(default_factory=dict, max_length=domain.MAX_CHANNELS)
    max_move: float = Field(roi_steps.DEFAULT_MAX_MOVE, ge=0, le=1)
    objective: ObjectiveName = "return"
    target: float | None = Field(None, gt=0)
    board_id: Id = Field(description="the board the test cards go on (its first column)")
    check: Literal["holdout", "before_after"] = Field(
        description="holdout: a share of the channel kept at today's amount over the window; "
        "before_after: the window against the same number of days just before it"
    )
    holdout_share: Decimal | None = Field(
        None, gt=0, lt=1, description="for a holdout: the share kept at today's amount (0.2)"
    )
    starts_on: date
    ends_on: date
    name: str = Field("", max_length=100, description="the saved run's name")


class AllocationStepCurveOut(Schema):
    kind: str
    a: float
    b: float
    s: float
    formula: str


class AllocationStepResultOut(Schema):
    spend: Decimal
    returned: Decimal = Field(alias="return")
    note: str
    measured_at: Any

    model_config = ConfigDict(populate_by_name=True)


class CurveRefitOut(Schema):
    curve: AllocationStepCurveOut | None
    r_squared: float | None
    points: int | None
    problem: str


class AllocationStepOut(Schema):
    id: int
    plan_id: int | None
    channel: str
    unit: UnitName
    current: Decimal
    recommended: Decimal
    change: Decimal
    expected_return_change: Decimal
    check: str
    holdout_share: Decimal | None
    starts_on: date
    ends_on: date
    compared_with: list[date] | None = Field(
        description="before_after: the first and last day of the window it is compared with"
    )
    card_id: int | None
    card_number: int | None
    card_title: str | None
    curve: AllocationStepCurveOut
    result: AllocationStepResultOut | None
    refit: CurveRefitOut | None

    @staticmethod
    def of(step: Any) -> "AllocationStepOut":
        before = None
        if step.check_kind == "before_after":
            length = step.ends_on - step.starts_on
            one = date(2000, 1, 2) - date(2000, 1, 1)
            before = [step.starts_on - length - one, step.starts_on - one]
        return AllocationStepOut(
            id=step.pk,
            plan_id=step.plan_id,
            channel=step.channel,
            unit=step.unit,
            current=step.current,
            recommended=step.recommended,
            change=step.change,
            expected_return_change=step.expected_return_change,
            check=step.check_kind,
            holdout_share=step.holdout_share,
            starts_on=step.starts_on,
            ends_on=step.ends_on,
            compared_with=before,
            card_id=step.card_id,
            card_number=step.card.number if step.card else None,
            card_title=step.card.title if step.card else None,
            curve=AllocationStepCurveOut(
                kind=step.curve_kind,
                a=step.curve_a,
                b=step.curve_b,
                s=step.curve_s,
                formula=step.formula,
            ),
            result=None
            if not step.measured
            else AllocationStepResultOut(
                spend=step.observed_spend,
                returned=step.observed_return,
                note=step.note,
                measured_at=step.measured_at,
            ),
            refit=None
            if not step.measured
            else CurveRefitOut(
                curve=None
                if step.refit_a is None
                else AllocationStepCurveOut(
                    kind=step.refit_kind or "log",
                    a=step.refit_a,
                    b=step.refit_b,
                    s=step.refit_s or 1.0,
                    formula=step.refit_formula,
                ),
                r_squared=step.refit_r_squared,
                points=step.refit_points,
                problem=step.refit_problem,
            ),
        )


class AllocationStepsOut(Schema):
    plan_id: int
    steps: list[AllocationStepOut]


class AllocationStepResultIn(Strict):
    spend: Decimal = Field(
        ge=0,
        le=Decimal("999999999999.99"),
        description="the channel's spend (or hours) over the window",
    )
    returned: Decimal = Field(
        alias="return",
        ge=0,
        le=Decimal("999999999999.99"),
        description="its return over the window",
    )
    note: str = Field("", max_length=300)

    model_config = ConfigDict(**Strict.model_config, populate_by_name=True)
