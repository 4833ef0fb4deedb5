"""API operations of this app, added to the one NinjaAPI by leanmark/api.py."""

import json
from datetime import date, timedelta
from typing import Literal

from django.http import HttpRequest
from django.utils import timezone
from ninja import File, Form, Query, Router, Status, UploadedFile

from leanmark.accounts.models import Role
from leanmark.domain.metrics import YEARS, outside_years
from leanmark.lib import formats
from leanmark.lib.api_access import api_membership
from leanmark.lib.api_input import Day
from leanmark.lib.errors import InvalidInput
from leanmark.lib.schemas import ERRORS, Id

from . import connectors, queries, services
from .schemas import (
    ChannelDayOut,
    ChannelDayPage,
    ChannelGroupingIn,
    ChannelGroupingOut,
    ChannelRuleIO,
    ChannelStagesIn,
    CurrencyRateIn,
    CurrencyRateOut,
    DataImportOut,
    MarketingConnectionIn,
    MarketingConnectionOut,
    MarketingDayValueOut,
    MarketingImportOut,
    MarketingPullOut,
    import_out,
)

router = Router(tags=["marketing data"])

Measure = Literal[
    "spend", "impressions", "clicks", "sessions", "conversions", "revenue", "new_customers"
]


def mapping_from(text: str) -> dict[str, str] | None:
    if not text.strip():
        return None
    try:
        found = json.loads(text)
    except ValueError:
        found = None
    if not isinstance(found, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in found.items()
    ):
        raise InvalidInput(
            'the mapping must be a JSON object of field → column header, e.g. {"day": "Date", '
            '"spend": "Cost"}',
            field="mapping",
        )
    return found


def _span(start: date | None, end: date | None) -> tuple[date, date]:
    """The days asked for: by default the last 28 up to today."""
    for day, field in ((start, "from"), (end, "to")):
        if day is not None and outside_years(day):  # 0001-01-01 minus 27 days answered 500
            raise InvalidInput(f"{field} must be a day from {YEARS}, not {day}", field=field)
    last = end or timezone.localdate()
    first = start or last - timedelta(days=27)
    if first > last:
        raise InvalidInput("from must not be after to", field="from")
    if (last - first).days > 366 * 20:
        raise InvalidInput("read at most 20 years at once", field="from")
    return first, last


@router.post(
    "/workspaces/{slug}/marketing-data/import",
    response={200: MarketingImportOut, **ERRORS},
    summary="Import a tool's export file (GA4, Google Ads, Meta, Mailchimp, Shopify, Stripe, "
    "HubSpot, or a mapped CSV)",
    description="Multipart upload of `file`. The tool is recognised by the file's headers. All or "
    "nothing: the source's rows on the file's days are replaced and the import is recorded. "
    "`dry_run=true` answers the same day-by-day change without writing anything. `day_first` "
    "reads 01/12/2026 as 1 December (true) or 12 January (false); by default the file decides. "
    "`mapping` (a JSON object field → header) reads any other CSV.",
)
def import_data(
    request: HttpRequest,
    slug: str,
    file: UploadedFile | None = File(None),  # noqa: B008 (ninja's way to declare an upload)
    dry_run: bool = Form(False),
    day_first: bool | None = Form(None),
    mapping: str = Form(""),
):
    membership = api_membership(request, slug, Role.MEMBER)  # before the file: outsiders 404
    if file is None:
        raise InvalidInput("send the export as the multipart field 'file'", field="file")
    result = services.import_file(
        membership.workspace,
        file.name or "upload",
        file.read(),
        actor=request.user,  # type: ignore[arg-type]
        dry_run=dry_run,
        day_first=day_first,
        mapping=mapping_from(mapping),
    )
    return import_out(result)


@router.get(
    "/workspaces/{slug}/marketing-data/imports",
    response={200: list[DataImportOut], **ERRORS},
    summary="Past imports, newest first, with what each replaced",
)
def imports(request: HttpRequest, slug: str, limit: int = Query(50, ge=1, le=1000)):
    membership = api_membership(request, slug, Role.VIEWER)
    return [DataImportOut.of(r) for r in queries.imports_of(membership.workspace, limit=limit)]


@router.get(
    "/workspaces/{slug}/marketing-data",
    response={200: ChannelDayPage, **ERRORS},
    summary="Rows of the daily channel table (default: the last 28 days)",
)
def channel_days(
    request: HttpRequest,
    slug: str,
    start: Day | None = Query(None, alias="from"),  # noqa: B008
    end: Day | None = Query(None, alias="to"),  # noqa: B008
    source: str = "",
    channel: str = "",
    campaign: str = "",
    limit: int = Query(1000, ge=1, le=1000),
    offset: int = Query(0, ge=0),
):
    membership = api_membership(request, slug, Role.VIEWER)
    first, last = _span(start, end)
    found, total = queries.rows(
        membership.workspace,
        start=first,
        end=last,
        source=source,
        channel=channel,
        campaign=campaign,
        limit=limit,
        offset=offset,
    )
    return ChannelDayPage(items=[ChannelDayOut.of(r) for r in found], total=total)


@router.get(
    "/workspaces/{slug}/marketing-data/daily/{measure}",
    response={200: list[MarketingDayValueOut], **ERRORS},
    summary="One measure per day over every source (money in the workspace's currency)",
    description="`measure`: spend, impressions, clicks, sessions, conversions, revenue or "
    "new_customers. Revenue comes from one source (a shop's or payments export first); amounts "
    "in a currency without a rate are left out. Days without the measure are left out.",
)
def daily(
    request: HttpRequest,
    slug: str,
    measure: Measure,
    start: Day | None = Query(None, alias="from"),  # noqa: B008
    end: Day | None = Query(None, alias="to"),  # noqa: B008
    channel: str | None = None,
):
    membership = api_membership(request, slug, Role.VIEWER)
    first, last = _span(start, end)
    workspace = membership.workspace
    found = queries.daily(
        workspace,
        measure,
        start=first,
        end=last,
        currency=formats.currency_code(workspace),
        channel=channel,
    )
    return [MarketingDayValueOut(date=d, value=v) for d, v in sorted(found.items())]


@router.get(
    "/workspaces/{slug}/marketing-data/rates",
    response={200: list[CurrencyRateOut], **ERRORS},
    summary="Exchange rates into the workspace's currency",
)
def rates(request: HttpRequest, slug: str):
    membership = api_membership(request, slug, Role.VIEWER)
    return [
        CurrencyRateOut(currency=c, rate=r)
        for c, r in sorted(queries.rates_of(membership.workspace).items())
    ]


@router.put(
    "/workspaces/{slug}/marketing-data/rates/{currency}",
    response={200: list[CurrencyRateOut], **ERRORS},
    summary="Set (or with rate null, remove) a currency's rate into the workspace's currency",
)
def set_rate(request: HttpRequest, slug: str, currency: str, payload: CurrencyRateIn):
    membership = api_membership(request, slug, Role.OWNER)
    services.set_rate(membership.workspace, currency, payload.rate, actor=request.user)  # type: ignore[arg-type]
    return rates(request, slug)


@router.get(
    "/workspaces/{slug}/marketing-data/grouping",
    response={200: ChannelGroupingOut, **ERRORS},
    summary="The channel grouping: rules from utm source and medium to a channel, in order",
)
def grouping(request: HttpRequest, slug: str):
    membership = api_membership(request, slug, Role.VIEWER)
    workspace = membership.workspace
    return ChannelGroupingOut(
        default=queries.uses_default_rules(workspace),
        rules=[
            ChannelRuleIO(channel=r.channel, source=r.source, medium=r.medium)
            for r in queries.rules_of(workspace)
        ],
    )


@router.put(
    "/workspaces/{slug}/marketing-data/grouping",
    response={200: ChannelGroupingOut, **ERRORS},
    summary="Replace the channel grouping (owners); rules apply to the next import of a source",
)
def set_grouping(request: HttpRequest, slug: str, payload: ChannelGroupingIn):
    membership = api_membership(request, slug, Role.OWNER)
    rules = None if payload.rules is None else [r.model_dump() for r in payload.rules]
    services.set_rules(membership.workspace, rules, actor=request.user)  # type: ignore[arg-type]
    return grouping(request, slug)


@router.get(
    "/workspaces/{slug}/marketing-data/stages",
    response={200: dict[str, str], **ERRORS},
    summary="The hourglass stage of each channel's imported spend and revenue (ROI by stage)",
)
def stages(request: HttpRequest, slug: str):
    membership = api_membership(request, slug, Role.VIEWER)
    return queries.stages_of(membership.workspace)


@router.put(
    "/workspaces/{slug}/marketing-data/stages",
    response={200: dict[str, str], **ERRORS},
    summary="Set channels' stages (owners): {channel: stage}; an empty stage removes one",
)
def set_stages(request: HttpRequest, slug: str, payload: ChannelStagesIn):
    membership = api_membership(request, slug, Role.OWNER)
    return services.set_stages(membership.workspace, dict(payload.stages), actor=request.user)  # type: ignore[arg-type]


# ---- pull connectors ----------------------------------------------------------------------------


@router.get(
    "/workspaces/{slug}/marketing-data/connections",
    response={200: list[MarketingConnectionOut], **ERRORS},
    summary="Accounts pulled daily through the platforms' APIs, each with its last pull, next "
    "pull and last error (never its credentials)",
)
def connections(request: HttpRequest, slug: str):
    membership = api_membership(request, slug, Role.VIEWER)
    return [MarketingConnectionOut.of(c) for c in connectors.connections_of(membership.workspace)]


@router.post(
    "/workspaces/{slug}/marketing-data/connections",
    response={201: MarketingConnectionOut, **ERRORS},
    summary="Connect a GA4 property or a Meta ad account (owners); connecting a source again "
    "replaces its account and credentials",
    description="The credentials are checked, stored encrypted and never answered back. The "
    "first pull is queued for the job worker (`leanmark worker`); then one runs every day and "
    "re-pulls the last 28 days up to yesterday.",
)
def connect(request: HttpRequest, slug: str, payload: MarketingConnectionIn):
    membership = api_membership(request, slug, Role.OWNER)
    found = connectors.connect(
        membership.workspace,
        payload.source,
        account=payload.account,
        credentials=payload.credentials.encode(),
        name=payload.name,
        actor=request.user,  # type: ignore[arg-type]
    )
    return Status(201, MarketingConnectionOut.of(found))


@router.delete(
    "/workspaces/{slug}/marketing-data/connections/{connection_id}",
    response={204: None, **ERRORS},
    summary="Forget a connection and its credentials (owners); the rows it imported stay",
)
def disconnect(request: HttpRequest, slug: str, connection_id: Id):
    membership = api_membership(request, slug, Role.OWNER)
    found = connectors.connection_for(membership.workspace, connection_id)
    connectors.disconnect(found, actor=request.user)  # type: ignore[arg-type]
    return Status(204, None)


@router.post(
    "/workspaces/{slug}/marketing-data/connections/{connection_id}/pull",
    response={200: MarketingPullOut, **ERRORS},
    summary="Pull the last 28 days now (members) and import them, replacing the source's days",
    description="Waits for the platform's API (at most LEANMARK_CONNECTOR_TIMEOUT seconds a "
    "call). A pull the platform refused answers 200 with `error` saying why and `imported` "
    "null; nothing is written then. The daily schedule is not changed.",
)
def pull(request: HttpRequest, slug: str, connection_id: Id):
    membership = api_membership(request, slug, Role.MEMBER)
    found = connectors.connection_for(membership.workspace, connection_id)
    pulled = connectors.pull(found, actor=request.user)  # type: ignore[arg-type]
    found.refresh_from_db()
    return MarketingPullOut(
        connection=MarketingConnectionOut.of(found),
        first_day=pulled.first_day,
        last_day=pulled.last_day,
        imported=import_out(pulled.result) if pulled.result else None,
        error=pulled.error,
    )
