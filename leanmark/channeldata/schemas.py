from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Literal

from ninja import Schema
from pydantic import Field

from leanmark.lib.schemas import Page, Strict

from .models import ChannelDay, Connection, DataImport

if TYPE_CHECKING:
    from .services import ImportResult


class MarketingDayChangeOut(Schema):
    date: date
    kind: str = Field(description="new, changed or same")
    before: dict[str, Decimal | None]
    after: dict[str, Decimal | None]


class MarketingImportOut(Schema):
    dry_run: bool
    id: int | None = Field(description="the import's id; null for a dry run")
    source: str
    source_name: str
    file_name: str
    first_day: date
    last_day: date
    rows: int = Field(description="canonical rows (day × channel × campaign × ad set × currency)")
    replaced: int = Field(description="rows of earlier imports of this source on these days")
    changed_days: int
    totals: dict[str, list[Decimal | None]] = Field(
        description="measure → [before, after] over the file's days"
    )
    days: list[MarketingDayChangeOut]
    notes: list[str]
    unassigned: list[list[str]] = Field(
        description="[utm_source, utm_medium] pairs no rule matched"
    )


class DataImportOut(Schema):
    id: int
    source: str
    file_name: str
    first_day: date
    last_day: date
    rows: int
    replaced: int
    changed_days: int
    totals: dict[str, list[str | None]]
    notes: list[str]
    by: str | None
    at: datetime

    @staticmethod
    def of(record: DataImport) -> "DataImportOut":
        return DataImportOut(
            id=record.pk,
            source=record.source,
            file_name=record.file_name,
            first_day=record.first_day,
            last_day=record.last_day,
            rows=record.rows,
            replaced=record.replaced,
            changed_days=record.changed_days,
            totals=record.totals,
            notes=record.notes,
            by=record.created_by.username if record.created_by else None,
            at=record.created_at,
        )


class ChannelDayOut(Schema):
    date: date
    source: str
    channel: str
    campaign: str
    ad_set: str
    utm_source: str
    utm_medium: str
    currency: str
    spend: Decimal | None
    impressions: int | None
    clicks: int | None
    sessions: int | None
    conversions: Decimal | None
    revenue: Decimal | None
    new_customers: int | None

    @staticmethod
    def of(row: ChannelDay) -> "ChannelDayOut":
        return ChannelDayOut(
            date=row.day,
            source=row.source,
            channel=row.channel,
            campaign=row.campaign,
            ad_set=row.ad_set,
            utm_source=row.utm_source,
            utm_medium=row.utm_medium,
            currency=row.currency,
            spend=row.spend,
            impressions=row.impressions,
            clicks=row.clicks,
            sessions=row.sessions,
            conversions=row.conversions,
            revenue=row.revenue,
            new_customers=row.new_customers,
        )


class ChannelDayPage(Page[ChannelDayOut]):
    pass


class MarketingDayValueOut(Schema):
    date: date
    value: float


class ChannelStagesIn(Strict):
    stages: dict[str, str] = Field(
        max_length=200, description="channel (key or name) → hourglass stage, or '' to remove"
    )


class CurrencyRateIn(Strict):
    rate: Decimal | None = Field(
        description="1 unit of the currency in the workspace's currency; null removes the rate"
    )


class CurrencyRateOut(Schema):
    currency: str
    rate: Decimal


class ChannelRuleIO(Strict):
    channel: str = Field(max_length=60)
    source: str = Field(
        "", max_length=500, description="regex on utm_source, whole value, any case"
    )
    medium: str = Field("", max_length=500, description="regex on utm_medium; empty matches any")


class ChannelGroupingIn(Strict):
    rules: list[ChannelRuleIO] | None = Field(
        max_length=200, description="tried in order; null or [] restores the default grouping"
    )


class ChannelGroupingOut(Schema):
    default: bool
    rules: list[ChannelRuleIO]


def import_out(result: "ImportResult") -> MarketingImportOut:
    plan = result.plan
    return MarketingImportOut(
        dry_run=result.data_import is None,
        id=result.data_import.pk if result.data_import else None,
        source=plan.source,
        source_name=plan.source_name,
        file_name=plan.file_name,
        first_day=plan.first_day,
        last_day=plan.last_day,
        rows=len(plan.rows),
        replaced=plan.replaced,
        changed_days=plan.changed_days,
        totals=plan.totals(),
        days=[
            {"date": d.day, "kind": d.kind, "before": d.before, "after": d.after} for d in plan.days
        ],
        notes=plan.notes,
        unassigned=[list(pair) for pair in plan.unassigned],
    )


# ---- pull connectors ------------------------------------------------------------------------


class MarketingConnectionIn(Strict):
    source: Literal["ga4", "meta_ads"]
    account: str = Field(
        max_length=40, description="the GA4 property id, or the Meta ad account id (act_ optional)"
    )
    credentials: str = Field(
        max_length=20_000,
        description="GA4: the service account's JSON key file's text; Meta: a system user's "
        "access token with ads_read. Stored encrypted, never answered back.",
    )
    name: str = Field("", max_length=120)


class MarketingConnectionOut(Schema):
    id: int
    source: str
    source_name: str
    name: str
    account: str
    credentials: str = Field(description='"saved on <date>": the credentials are never shown')
    last_pulled_at: datetime | None = Field(description="the last pull that imported")
    last_tried_at: datetime | None
    next_pull_at: datetime | None
    last_error: str = Field(description="why the last pull imported nothing; empty when it did")
    last_import_id: int | None

    @staticmethod
    def of(connection: Connection) -> "MarketingConnectionOut":
        return MarketingConnectionOut(
            id=connection.pk,
            source=connection.source,
            source_name=connection.get_source_display(),
            name=connection.name,
            account=connection.account,
            credentials=f"saved on {connection.secret_saved_at:%Y-%m-%d %H:%M} UTC",
            last_pulled_at=connection.last_pulled_at,
            last_tried_at=connection.last_tried_at,
            next_pull_at=connection.next_pull_at,
            last_error=connection.last_error,
            last_import_id=connection.last_import_id,
        )


class MarketingPullOut(Schema):
    connection: MarketingConnectionOut
    first_day: date
    last_day: date
    imported: MarketingImportOut | None = Field(description="null when the pull failed")
    error: str = Field(description="why nothing was imported; empty when the pull imported")
