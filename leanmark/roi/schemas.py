from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal

from ninja import Schema
from pydantic import ConfigDict, Field

from leanmark.domain import roi as domain
from leanmark.lib.schemas import ErrorOut, Id, Page, StageName, Strict

from .models import Spend, TimeLog

__all__ = ["ErrorOut"]

Amount = Annotated[Decimal, Field(max_digits=14, decimal_places=2)]
UnitName = Literal["money", "hours"]
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


class CurveOut(Schema):
    channel: str
    a: float
    b: float
    source: str
    months: int
    r_squared: float | None
    rmse: float | None
    warnings: list[str]


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
            )
            for c in view.curves.curves.values()
        ],
        channels_without_curve=view.curves.problems,
        notes=list(a.notes),
    )
