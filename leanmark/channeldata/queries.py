"""Reads of the marketing-data table: the rows, the imports, rates, the grouping, and the money
and daily figures the ROI report, the response curves and the dashboard take from it."""

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, Max, Min, QuerySet, Sum
from django.http import Http404

from leanmark.accounts.models import Workspace
from leanmark.domain.channeldata import MEASURES, SOURCES, grouping

from .models import ChannelDay, CurrencyRate, DataImport, Grouping, MappingPreset

# Revenue is counted once: from the first of these sources with rows in the period. A shop or
# payments export is the money itself; analytics and ad platforms attribute the same money again.
REVENUE_SOURCES = ("shopify", "stripe", "hubspot", "csv", "ga4", "google_ads", "meta_ads")


def _first_source(sources: set[str]) -> str | None:
    """The one source money and customers are counted from, in ``REVENUE_SOURCES`` order."""
    return next((s for s in REVENUE_SOURCES if s in sources), None)


def channel_key(name: str) -> str:
    """'Paid search' → 'paid_search': the key spend, ROI and the curves use for a channel."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", plain.lower()).strip("_")[:60] or "unassigned"


def rules_of(workspace: Workspace) -> list[grouping.Rule]:
    found = Grouping.objects.filter(workspace=workspace).first()
    if found is None or not found.rules:
        return list(grouping.DEFAULT_RULES)
    return grouping.rules_from(found.rules)


def stages_of(workspace: Workspace) -> dict[str, str]:
    """channel key → the hourglass stage its imported spend and revenue count in (ROI by stage)."""
    found = Grouping.objects.filter(workspace=workspace).first()
    return dict(found.stages) if found is not None else {}


def uses_default_rules(workspace: Workspace) -> bool:
    found = Grouping.objects.filter(workspace=workspace).first()
    return found is None or not found.rules


def rates_of(workspace: Workspace) -> dict[str, Decimal]:
    return dict(CurrencyRate.objects.for_workspace(workspace).values_list("currency", "rate"))


def imports(workspace: Workspace) -> QuerySet[DataImport]:
    """Every import, newest first (a page reads one page of it)."""
    return DataImport.objects.for_workspace(workspace).select_related("created_by")


def imports_of(workspace: Workspace, *, limit: int = 50) -> list[DataImport]:
    return list(imports(workspace)[: max(1, limit)])


def import_for(workspace: Workspace, import_id: int) -> DataImport:
    found = DataImport.objects.for_workspace(workspace).filter(pk=import_id).first()
    if found is None:
        raise Http404("no such import")
    return found


def rows(
    workspace: Workspace,
    *,
    start: date,
    end: date,
    source: str = "",
    channel: str = "",
    campaign: str = "",
    limit: int = 1000,
    offset: int = 0,
) -> tuple[list[ChannelDay], int]:
    found = ChannelDay.objects.for_workspace(workspace).filter(day__range=(start, end))
    if source:
        found = found.filter(source=source)
    if channel:
        found = found.filter(channel=channel)
    if campaign:
        found = found.filter(campaign=campaign)
    return list(found[offset : offset + limit]), found.count()


@dataclass(frozen=True)
class SourceSummary:
    source: str
    first_day: date | None
    last_day: date | None
    rows: int
    last_import: DataImport | None


def sources_of(workspace: Workspace) -> list[SourceSummary]:
    spans = (
        ChannelDay.objects.for_workspace(workspace)
        .values("source")
        .annotate(rows=Count("id"), first=Min("day"), last=Max("day"))
        .order_by("source")
    )
    last: dict[str, DataImport] = {}
    for record in DataImport.objects.for_workspace(workspace).order_by("created_at", "id"):
        last[record.source] = record
    return [
        SourceSummary(s["source"], s["first"], s["last"], s["rows"], last.get(s["source"]))
        for s in spans
    ]


@dataclass(frozen=True)
class Unassigned:
    utm_source: str
    utm_medium: str
    rows: int
    sessions: int | None


def unassigned(workspace: Workspace) -> list[Unassigned]:
    """The utm source/medium pairs no channel rule matched, most rows first."""
    found = (
        ChannelDay.objects.for_workspace(workspace)
        .filter(channel="unassigned")
        .values("utm_source", "utm_medium")
        .annotate(rows=Count("id"), sessions=Sum("sessions"))
        .order_by("-rows", "utm_source", "utm_medium")
    )
    return [Unassigned(r["utm_source"], r["utm_medium"], r["rows"], r["sessions"]) for r in found]


@dataclass(frozen=True)
class MoneyLine:
    """A day's spend or revenue of one channel and campaign, in the workspace's currency."""

    on: date
    channel: str
    campaign: str
    spend: Decimal
    revenue: Decimal
    stage: str = ""  # the channel's stage (stages_of), "" when none is set


@dataclass(frozen=True)
class Money:
    lines: list[MoneyLine]
    revenue_source: str | None  # the source revenue was taken from, if any
    notes: list[str]


def money(workspace: Workspace, *, start: date, end: date, currency: str) -> Money:
    """Spend of every source and revenue of one (``REVENUE_SOURCES``), converted with the
    workspace's rates; amounts in a currency without a rate are left out and said so."""
    rates = rates_of(workspace) | {currency: Decimal(1), "": Decimal(1)}
    grouped = (
        ChannelDay.objects.for_workspace(workspace)
        .filter(day__range=(start, end))
        .values("day", "source", "channel", "campaign", "currency")
        .annotate(spend=Sum("spend"), revenue=Sum("revenue"))
        .order_by()
    )
    by_source: dict[str, list[dict[str, object]]] = defaultdict(list)
    for row in grouped:
        by_source[row["source"]].append(row)
    revenue_source = _first_source(
        {s for s, found in by_source.items() if any(r["revenue"] is not None for r in found)}
    )
    stages = stages_of(workspace)
    lines, unrated = [], set()
    for source, found in by_source.items():
        for row in found:
            rate = rates.get(str(row["currency"]))
            if rate is None:
                unrated.add(str(row["currency"]))
                continue
            spend = row["spend"] if isinstance(row["spend"], Decimal) else Decimal(0)
            revenue = (
                row["revenue"]
                if source == revenue_source and isinstance(row["revenue"], Decimal)
                else Decimal(0)
            )
            if spend or revenue:
                lines.append(
                    MoneyLine(
                        on=row["day"],  # type: ignore[arg-type]
                        channel=str(row["channel"]),
                        campaign=str(row["campaign"]),
                        spend=(spend * rate).quantize(Decimal("0.01")),
                        revenue=(revenue * rate).quantize(Decimal("0.01")),
                        stage=stages.get(str(row["channel"]), ""),
                    )
                )
    notes = []
    if unrated:
        notes.append(
            f"imported amounts in {', '.join(sorted(unrated))} are left out: no exchange rate "
            f"into {currency} (Marketing data → Currency rates)"
        )
    return Money(lines, revenue_source, notes)


MONEY = ("spend", "revenue")


def daily(
    workspace: Workspace,
    measure: str,
    *,
    start: date,
    end: date,
    currency: str | None = None,
    channel: str | None = None,
) -> dict[date, float]:
    """A measure summed per day over every source (revenue: the one revenue source only);
    money in ``currency`` (the workspace's), amounts without a rate left out."""
    if measure not in MEASURES:
        raise Http404(f"no measure {measure[:40]!r}")
    if measure in MONEY:
        per_day: dict[date, float] = defaultdict(float)
        for line in money(workspace, start=start, end=end, currency=currency or "").lines:
            if channel is None or line.channel == channel:
                per_day[line.on] += float(getattr(line, measure))
        return {day: value for day, value in sorted(per_day.items()) if value}
    found = ChannelDay.objects.for_workspace(workspace).filter(
        day__range=(start, end), **{f"{measure}__isnull": False}
    )
    if channel is not None:
        found = found.filter(channel=channel)
    return {
        row["day"]: float(row["total"])
        for row in found.values("day").annotate(total=Sum(measure)).order_by()
    }


def presets_of(workspace: Workspace) -> list[MappingPreset]:
    return list(MappingPreset.objects.for_workspace(workspace))


def preset_for(workspace: Workspace, preset_id: int) -> MappingPreset:
    found = MappingPreset.objects.for_workspace(workspace).filter(pk=preset_id).first()
    if found is None:
        raise Http404("no such column mapping")
    return found


def channels_of(workspace: Workspace) -> list[str]:
    """The channel keys imported rows carry, for choosing a channel's stage."""
    found = ChannelDay.objects.for_workspace(workspace).values_list("channel", flat=True)
    return sorted(set(found.distinct().order_by()))


def new_customers_by_channel(workspace: Workspace, *, start: date, end: date) -> dict[str, int]:
    """New customers per channel over the days, from the first source that gives them (a shop
    before a CRM before analytics), so that one customer is not counted by two tools."""
    found = ChannelDay.objects.for_workspace(workspace).filter(
        day__range=(start, end), new_customers__isnull=False
    )
    source = _first_source(set(found.values_list("source", flat=True).distinct().order_by()))
    if source is None:
        return {}
    rows = found.filter(source=source).values("channel").annotate(total=Sum("new_customers"))
    return {r["channel"]: int(r["total"]) for r in rows.order_by()}


def measures_present(workspace: Workspace) -> set[str]:
    """The measures some imported row of the workspace gives (one query)."""
    found = ChannelDay.objects.for_workspace(workspace).aggregate(**{m: Count(m) for m in MEASURES})
    return {m for m, n in found.items() if n}


# ---- counts by campaign and ad set (experiments fed by the daily table) ------------------------

COUNTS = ("impressions", "clicks", "sessions", "conversions", "new_customers")


@dataclass(frozen=True)
class RowSet:
    """The rows of one source with this campaign and/or ad set ("" = any), over the days seen."""

    source: str
    channel: str  # the channels of the rows, comma-separated when several
    campaign: str
    ad_set: str
    first_day: date
    last_day: date
    rows: int

    @property
    def source_name(self) -> str:
        return SOURCES.get(self.source, self.source)

    @property
    def label(self) -> str:
        where = f"campaign “{self.campaign}”" if self.campaign else ""
        if self.ad_set:
            where += f"{', ' if where else ''}ad set “{self.ad_set}”"
        return f"{self.source_name} {where}"


def campaigns_and_ad_sets(workspace: Workspace, *, channel: str = "") -> list[RowSet]:
    """Every campaign of each source (all its ad sets together) and each of its ad sets, with
    the days their rows cover: what an experiment's variant may read its counts from. Only the
    rows of ``channel`` (a channel key) when given; rows with neither campaign nor ad set are
    left out."""
    found = ChannelDay.objects.for_workspace(workspace).exclude(campaign="", ad_set="")
    if channel:
        found = found.filter(channel=channel)
    grouped = (
        found.values("source", "campaign", "ad_set", "channel")
        .annotate(rows=Count("id"), first=Min("day"), last=Max("day"))
        .order_by()
    )
    channels: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    counted: dict[tuple[str, str, str], int] = defaultdict(int)
    spans: dict[tuple[str, str, str], tuple[date, date]] = {}
    for row in grouped:
        keys = [(row["source"], row["campaign"], row["ad_set"])]
        if row["campaign"] and row["ad_set"]:
            keys.append((row["source"], row["campaign"], ""))  # the campaign as a whole
        for key in keys:
            channels[key].add(row["channel"])
            counted[key] += row["rows"]
            first, last = spans.get(key, (row["first"], row["last"]))
            spans[key] = (min(first, row["first"]), max(last, row["last"]))
    return [
        RowSet(
            source=key[0],
            channel=", ".join(sorted(channels[key])),
            campaign=key[1],
            ad_set=key[2],
            first_day=spans[key][0],
            last_day=spans[key][1],
            rows=counted[key],
        )
        for key in sorted(spans)
    ]


def _of_link(workspace: Workspace, *, campaign: str, ad_set: str) -> QuerySet[ChannelDay]:
    found = ChannelDay.objects.for_workspace(workspace)
    if campaign:
        found = found.filter(campaign=campaign)
    if ad_set:
        found = found.filter(ad_set=ad_set)
    return found


def sources_with(workspace: Workspace, *, campaign: str, ad_set: str) -> list[RowSet]:
    """Per source, the rows with this campaign and/or ad set ("" = any) and the days they
    cover (one query): which source a link means, and where its rows are."""
    grouped = (
        _of_link(workspace, campaign=campaign, ad_set=ad_set)
        .values("source")
        .annotate(rows=Count("id"), first=Min("day"), last=Max("day"))
        .order_by("source")
    )
    return [
        RowSet(g["source"], "", campaign, ad_set, g["first"], g["last"], g["rows"]) for g in grouped
    ]


def rows_shared(workspace: Workspace, *, source: str, campaign: str, ad_set: str) -> bool:
    """Whether any row of the source has this campaign and ad set ("" = any): whether two links
    that together name them would read a row twice."""
    return _of_link(workspace, campaign=campaign, ad_set=ad_set).filter(source=source).exists()


@dataclass(frozen=True)
class CountDay:
    """One day's counts of a campaign or ad set: each measure summed over its rows, and how many
    rows gave it (a measure a row does not give is NULL, not 0)."""

    day: date
    rows: int
    totals: dict[str, Decimal | None]  # measure → sum over the rows that give it
    given: dict[str, int]  # measure → rows that give it
    currencies: tuple[str, ...]


def daily_counts(
    workspace: Workspace,
    *,
    source: str,
    campaign: str,
    ad_set: str,
    start: date,
    end: date,
    measures: tuple[str, ...] = COUNTS,
) -> list[CountDay]:
    """The counts of one source's campaign and/or ad set ("" = any) per day from ``start`` to
    ``end``, oldest first; days without a row are absent. Currencies are listed, never used:
    counts do not depend on them."""
    for measure in measures:
        if measure not in COUNTS:
            raise Http404(f"no count {measure[:40]!r}")
    found = _of_link(workspace, campaign=campaign, ad_set=ad_set).filter(
        source=source, day__range=(start, end)
    )
    sums = {f"sum_{m}": Sum(m) for m in measures}
    counts = {f"given_{m}": Count(m) for m in measures}
    grouped = found.values("day").annotate(rows=Count("id"), **sums, **counts).order_by("day")
    currencies: dict[date, set[str]] = defaultdict(set)
    for day, currency in found.values_list("day", "currency").distinct().order_by():
        currencies[day].add(currency)
    return [
        CountDay(
            day=g["day"],
            rows=g["rows"],
            totals={m: None if g[f"sum_{m}"] is None else Decimal(g[f"sum_{m}"]) for m in measures},
            given={m: g[f"given_{m}"] for m in measures},
            currencies=tuple(sorted(c for c in currencies[g["day"]] if c)),
        )
        for g in grouped
    ]


def marker_rows(workspace_ref: Any) -> list[tuple[str, QuerySet[Any], str, tuple[str, ...]]]:
    """The imported days and the currency rates of one workspace (``workspace_ref``: its id or
    an ``OuterRef``), as (name, rows, workspace field, amounts) for another app's change marker
    (roi's cached curves): a count, newest id and sum of each amount moves when a row does."""
    return [
        (
            "day",
            ChannelDay.objects.filter(workspace=workspace_ref),
            "workspace",
            ("spend", "revenue", "new_customers"),
        ),
        ("rate", CurrencyRate.objects.filter(workspace=workspace_ref), "workspace", ("rate",)),
    ]
