"""Reads that feed the ROI maths: costs and returns as domain lines, the monthly history each
channel's response curve is fitted from, and the contract other apps call (``hours_by_card``)."""

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.core.cache import cache
from django.db.models import Count, Max, OuterRef, QuerySet, Subquery, Sum
from django.http import Http404

from leanmark.accounts.models import Workspace
from leanmark.board import queries as board_queries
from leanmark.channeldata import queries as channeldata_queries
from leanmark.dashboard import queries as dashboard_queries
from leanmark.domain import curves as curve_fits
from leanmark.domain import roi as domain
from leanmark.domain import roi_steps
from leanmark.domain.channeldata import SOURCES
from leanmark.domain.hourglass import STAGES

from .models import (
    AllocationPlan,
    AllocationStep,
    ChannelCurve,
    MemberCost,
    RoiSettings,
    Spend,
    TimeLog,
    Unit,
)

ZERO = Decimal(0)
STAGE_ORDER = [s.value for s in STAGES]
HISTORY_MONTHS = 12  # curves are fitted from the last twelve whole months


# ---- the contract other apps call ---------------------------------------------------------------


def settings_of(workspace: Workspace) -> RoiSettings:
    """The workspace's settings, or the unsaved defaults."""
    found = RoiSettings.objects.filter(workspace=workspace).first()
    return found or RoiSettings(workspace=workspace)


def hours_by_card(workspace: Workspace, *, start: date, end: date) -> dict[int, Decimal]:
    """Card id → hours logged on it from ``start`` to ``end`` (both included), for cards with
    any. Time logs are dated (the day the work was done), not timed."""
    rows = (
        TimeLog.objects.filter(workspace=workspace, on__gte=start, on__lte=end)
        .values("card_id")
        .annotate(total=Sum("hours"))
        .order_by()
    )
    return {row["card_id"]: row["total"] for row in rows}


# ---- lookups ----------------------------------------------------------------------------------


def spend_for(workspace: Workspace, spend_id: int) -> Spend:
    found = Spend.objects.for_workspace(workspace).filter(pk=spend_id).first()
    if found is None:
        raise Http404("no such spend entry")
    return found


def time_log_for(workspace: Workspace, log_id: int) -> TimeLog:
    found = (
        TimeLog.objects.select_related("card", "card__board__workspace")
        .filter(workspace=workspace, pk=log_id)
        .first()
    )
    if found is None:
        raise Http404("no such time log")
    return found


def curve_for(workspace: Workspace, curve_id: int) -> ChannelCurve:
    found = ChannelCurve.objects.filter(workspace=workspace, pk=curve_id).first()
    if found is None:
        raise Http404("no such curve")
    return found


def plan_for(workspace: Workspace, plan_id: int) -> AllocationPlan:
    found = AllocationPlan.objects.filter(workspace=workspace, pk=plan_id).first()
    if found is None:
        raise Http404("no such plan")
    return found


def currency_of(workspace: object) -> str:
    """The workspace's currency code (one query; the default when nothing is saved)."""
    found = RoiSettings.objects.filter(workspace=workspace).values_list("currency", flat=True)
    return found.first() or RoiSettings._meta.get_field("currency").get_default()


def spend_page(
    workspace: Workspace,
    *,
    start: date | None = None,
    end: date | None = None,
    channel: str = "",
    stage: str = "",
    limit: int = 100,
    offset: int = 0,
) -> tuple[list[Spend], int]:
    rows = spend_rows(workspace, start=start, end=end, channel=channel, stage=stage)
    return list(rows[offset : offset + limit]), rows.count()


def spend_rows(
    workspace: Workspace,
    *,
    start: date | None = None,
    end: date | None = None,
    channel: str = "",
    stage: str = "",
) -> QuerySet[Spend]:
    """The spend that matches the filters, the latest first."""
    rows = Spend.objects.for_workspace(workspace).select_related("created_by")
    if stage:
        rows = rows.filter(stage="" if stage == "none" else stage)
    if start:
        rows = rows.filter(on__gte=start)
    if end:
        rows = rows.filter(on__lte=end)
    if channel:
        rows = rows.filter(channel=channel)
    return rows


def time_logs(
    workspace: Workspace, *, card_id: int | None = None, limit: int | None = 100
) -> QuerySet[TimeLog]:
    """The latest first; ``limit=None``: all of them (the time page shows them in pages)."""
    rows = TimeLog.objects.filter(workspace=workspace).select_related("card", "member")
    if card_id is not None:
        rows = rows.filter(card_id=card_id)
    return rows if limit is None else rows[:limit]


def workers_of(workspace: Workspace) -> list[Any]:
    """Members and owners (viewers do not log time), by name."""
    from leanmark.accounts.models import Membership, Role

    rows = (
        Membership.objects.filter(workspace=workspace, role__in=[Role.OWNER, Role.MEMBER])
        .select_related("user")
        .order_by("user__display_name", "user__username")
    )
    return [m.user for m in rows]


def members_with_costs(workspace: Workspace) -> list[tuple[Any, str, Decimal | None]]:
    """(user, role, hourly cost) of every member. Owner-only data."""
    from leanmark.accounts.models import Membership

    rates = hourly_costs(workspace)
    rows = Membership.objects.filter(workspace=workspace).select_related("user")
    return [
        (m.user, m.role, rates.get(m.user_id))
        for m in rows.order_by("user__display_name", "user__username")
    ]


def hourly_costs(workspace: Workspace) -> dict[int, Decimal]:
    """user id → hourly cost. Owner-only data: callers check the role before showing it."""
    return dict(
        MemberCost.objects.filter(workspace=workspace).values_list("user_id", "hourly_cost")
    )


def channels_of(workspace: Workspace) -> list[str]:
    """Channels named by spend entries, curves, cards and imported marketing data, for pickers."""
    names = set(Spend.objects.for_workspace(workspace).values_list("channel", flat=True).distinct())
    names |= set(ChannelCurve.objects.filter(workspace=workspace).values_list("channel", flat=True))
    names |= board_queries.card_channels(workspace)
    names |= set(channeldata_queries.channels_of(workspace))
    return sorted(n for n in names if n)


# ---- costs and returns as domain lines --------------------------------------------------------


def cost_lines(
    workspace: Workspace,
    *,
    start: date,
    end: date,
    imported: channeldata_queries.Money,
) -> list[domain.CostLine]:
    """Spend entries, the imported spend (``imported_money`` of the same days), and time logs
    priced at their member's hourly cost (at today's rate).

    Labour is attributed to the card's stage and channel; cards carry no campaign.
    """
    lines = [
        domain.CostLine(
            on=row["on"],
            stage=row["stage"],
            channel=row["channel"],
            campaign=row["campaign"],
            spend=row["amount"],
        )
        for row in Spend.objects.for_workspace(workspace)
        .filter(on__gte=start, on__lte=end)
        .values("on", "stage", "channel", "campaign", "amount")
        .order_by()
    ]
    lines += [
        domain.CostLine(
            on=m.on, stage=m.stage, channel=m.channel, campaign=m.campaign, spend=m.spend
        )
        for m in imported.lines
        if m.spend
    ]
    rates = hourly_costs(workspace)
    logged = (
        TimeLog.objects.filter(workspace=workspace, on__gte=start, on__lte=end)
        .values("on", "card__stage", "card__channel", "member_id")
        .annotate(total=Sum("hours"))
        .order_by()
    )
    for row in logged:
        rate = rates.get(row["member_id"])
        lines.append(
            domain.CostLine(
                on=row["on"],
                stage=row["card__stage"],
                channel=row["card__channel"],
                campaign="",
                hours=row["total"],
                labour=ZERO if rate is None else row["total"] * rate,
                unpriced_hours=row["total"] if rate is None else ZERO,
            )
        )
    return lines


@dataclass(frozen=True)
class Returns:
    lines: list[domain.ReturnLine]
    source: str


RETURNS_SOURCE = "revenue measurements, and output measurements × their value per unit (dashboard)"


def imported_money(workspace: Workspace, *, start: date, end: date) -> channeldata_queries.Money:
    """Spend and revenue imported from the tools' exports, in the workspace's currency."""
    currency = settings_of(workspace).currency
    return channeldata_queries.money(workspace, start=start, end=end, currency=currency)


def return_lines(
    workspace: Workspace,
    *,
    start: date,
    end: date,
    imported: channeldata_queries.Money,
) -> Returns:
    """Revenue measurements plus output measurements * value per unit, from the dashboard, and
    the revenue of one imported source (a shop's orders before an ad platform's attribution),
    from ``imported_money`` of the same days."""
    rows = dashboard_queries.returns(workspace, start=start, end=end)
    lines = [
        domain.ReturnLine(
            on=row.date,
            stage=row.stage or "",
            channel=(row.channel or "").lower(),
            campaign=row.campaign or "",
            amount=row.amount,
        )
        for row in rows
    ]
    lines += [
        domain.ReturnLine(
            on=m.on, stage=m.stage, channel=m.channel, campaign=m.campaign, amount=m.revenue
        )
        for m in imported.lines
        if m.revenue
    ]
    source = RETURNS_SOURCE
    if imported.revenue_source:
        source += f", and revenue imported from {SOURCES[imported.revenue_source]}"
    return Returns(lines, source)


# ---- the report -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportView:
    start: date
    end: date
    by: str
    currency: str
    report: domain.RoiReport
    monthly: list[tuple[date, Decimal, Decimal]]
    returns_source: str
    acquisition_cost: Decimal
    new_customers: Decimal | None
    cac: Decimal | None
    payback: Decimal | None
    settings: RoiSettings
    notes: list[str] = field(default_factory=list)
    ltv: Decimal | None = None  # lifetime value per customer (entered, or from churn)
    ltv_cac: Decimal | None = None
    channel_acquisition: dict[str, "ChannelAcquisition"] = field(default_factory=dict)


@dataclass(frozen=True)
class ChannelAcquisition:
    """A channel's new customers (imported), what each cost, and their value against it."""

    new_customers: int
    cac: Decimal | None
    ltv_cac: Decimal | None


def channel_acquisition(
    result: domain.RoiReport, workspace: Workspace, *, start: date, end: date, ltv: Decimal | None
) -> dict[str, ChannelAcquisition]:
    """Per channel of the report, CAC = its cost ÷ its new customers from the imported data
    (a shop's first orders by utm channel, a CRM's closed deals); channels without any are left
    out."""
    customers = channeldata_queries.new_customers_by_channel(workspace, start=start, end=end)
    found = {}
    for row in result.rows:
        count = customers.get(row.key)
        if not count:
            continue
        cac = domain.cac(row.cost, Decimal(count)) if row.cost else None  # no cost recorded
        found[row.key] = ChannelAcquisition(
            count, cac, None if ltv is None or cac is None else domain.ratio(ltv, cac)
        )
    return found


ACQUISITION_STAGES = ("know", "like", "trust", "try", "buy", "")


def report(workspace: Workspace, *, start: date, end: date, by: str) -> ReportView:
    settings = settings_of(workspace)
    imported = imported_money(workspace, start=start, end=end)  # read once for costs and returns
    costs = cost_lines(workspace, start=start, end=end, imported=imported)
    returns = return_lines(workspace, start=start, end=end, imported=imported)
    try:
        result = domain.roi_report(
            costs,
            returns.lines,
            dimension=by,
            margin=settings.contribution_margin,
            order=STAGE_ORDER if by == "stage" else (),
        )
    except domain.RoiInputError as error:
        from .errors import InvalidInput

        raise InvalidInput(error.message, field=error.field) from None
    acquisition = sum((c.spend + c.labour for c in costs if c.stage in ACQUISITION_STAGES), ZERO)
    customers = new_customers(workspace, settings, start=start, end=end)
    cac = None if customers is None else domain.cac(acquisition, customers)
    payback = (
        None
        if cac is None or settings.revenue_per_customer is None
        else domain.payback_months(cac, settings.revenue_per_customer, settings.gross_margin)
    )
    ltv = settings.lifetime_value
    if ltv is None and settings.revenue_per_customer is not None and settings.monthly_churn:
        ltv = domain.lifetime_value(
            settings.revenue_per_customer, settings.gross_margin, settings.monthly_churn
        )
    ltv_cac = None if ltv is None or cac is None else domain.ratio(ltv, cac)
    by_channel = (
        channel_acquisition(result, workspace, start=start, end=end, ltv=ltv)
        if by == "channel"
        else {}
    )
    notes = list(result.notes) + imported.notes
    if not returns.lines:
        notes.append(
            "No returns in this period: record revenue metrics, or give output metrics a value "
            "per unit, on the dashboard"
        )
    return ReportView(
        start=start,
        end=end,
        by=by,
        currency=settings.currency,
        report=result,
        monthly=domain.monthly_totals(costs, returns.lines),
        returns_source=returns.source,
        acquisition_cost=acquisition,
        new_customers=customers,
        cac=cac,
        payback=payback,
        settings=settings,
        notes=notes,
        ltv=ltv,
        ltv_cac=ltv_cac,
        channel_acquisition=by_channel,
    )


def new_customers(
    workspace: Workspace, settings: RoiSettings, *, start: date, end: date
) -> Decimal | None:
    """New customers in the period from the dashboard metric the owner named, if any."""
    if not settings.customers_metric:
        return None
    try:
        points = dashboard_queries.series(
            workspace, settings.customers_metric, start=start, end=end, period="month"
        )
    except Http404:
        return None
    total = sum((Decimal(str(v)) for _, v in points if v is not None), ZERO)
    return total


# ---- monthly history per channel (for the response curves) ------------------------------------


@dataclass(frozen=True)
class ChannelMonth:
    month: date
    x: Decimal  # spend or hours
    ret: Decimal


def channel_history(
    workspace: Workspace, *, unit: str, start: date, end: date
) -> dict[str, list[ChannelMonth]]:
    """Per channel, each month from start to end with its spend (or hours) and return.

    Months with no spend at all for a channel are left out of its history (a month the channel
    was not used says nothing about its curve)."""
    return histories(workspace, unit=unit, start=start, end=end)[0]


def histories(
    workspace: Workspace, *, unit: str, start: date, end: date
) -> tuple[dict[str, list[ChannelMonth]], dict[str, list[ChannelMonth]]]:
    """The monthly history (``channel_history``) and the weekly one, from one read of the days.

    A channel's weeks run Monday to Sunday, only whole weeks inside start..end, from its first
    week with spend to the last whole week, weeks without spend included (zero): carry-over
    (adstock) needs the quiet weeks too. ``ChannelMonth.month`` is then the week's Monday."""
    xs, rets = _days(workspace, unit=unit, start=start, end=end)
    monthly = {}
    for channel, days in sorted(xs.items()):
        returned = _by(rets[channel], _month_of)
        monthly[channel] = [
            ChannelMonth(m, x, returned.get(m, ZERO))
            for m, x in sorted(_by(days, _month_of).items())
            if x
        ]
    first = start + timedelta(days=(7 - start.weekday()) % 7)
    last = end - timedelta(days=(end.weekday() + 1) % 7)  # the last whole week's Sunday
    weekly = {}
    for channel, days in sorted(xs.items()):
        weeks = _by({d: x for d, x in days.items() if first <= d <= last}, _week_of)
        returned = _by({d: r for d, r in rets[channel].items() if first <= d <= last}, _week_of)
        spent = sorted(w for w, x in weeks.items() if x)
        if not spent:
            continue
        mondays = [spent[0] + timedelta(weeks=i) for i in range((last - spent[0]).days // 7 + 1)]
        weekly[channel] = [
            ChannelMonth(w, weeks.get(w, ZERO), returned.get(w, ZERO)) for w in mondays
        ]
    return monthly, weekly


def _month_of(day: date) -> date:
    return day.replace(day=1)


def _week_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _by(days: dict[date, Decimal], key: Any) -> dict[date, Decimal]:
    out: dict[date, Decimal] = defaultdict(Decimal)
    for day, amount in days.items():
        out[key(day)] += amount
    return out


def _days(
    workspace: Workspace, *, unit: str, start: date, end: date
) -> tuple[dict[str, dict[date, Decimal]], dict[str, dict[date, Decimal]]]:
    """Per channel, per day: the spend (or hours), and the return."""
    xs: dict[str, dict[date, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    imported = imported_money(workspace, start=start, end=end)
    if unit == Unit.MONEY:
        rows = (
            Spend.objects.for_workspace(workspace)
            .filter(on__gte=start, on__lte=end)
            .exclude(channel="")
            .values("channel", "on")
            .annotate(total=Sum("amount"))
            .order_by()
        )
        for row in rows:
            xs[row["channel"]][row["on"]] += row["total"]
        for line in imported.lines:
            if line.spend:
                xs[line.channel][line.on] += line.spend
    else:
        rows = (
            TimeLog.objects.filter(workspace=workspace, on__gte=start, on__lte=end)
            .exclude(card__channel="")
            .values("card__channel", "on")
            .annotate(total=Sum("hours"))
            .order_by()
        )
        for row in rows:
            xs[row["card__channel"]][row["on"]] += row["total"]
    rets: dict[str, dict[date, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for line in return_lines(workspace, start=start, end=end, imported=imported).lines:
        if line.channel:
            rets[line.channel][line.on] += line.amount
    return xs, rets


def _as_date(value: Any) -> date:
    return value.date() if hasattr(value, "date") and callable(value.date) else value


# ---- curves and the current split -------------------------------------------------------------


@dataclass(frozen=True)
class CurveSet:
    unit: str
    start: date  # the history the fitted curves come from
    end: date
    curves: dict[str, domain.Curve]
    history: dict[str, list[ChannelMonth]]
    manual: dict[str, ChannelCurve]
    problems: dict[str, str]  # channel → why it has no curve
    current: dict[str, float]  # the last whole month's spend (or hours) per channel
    current_month: date
    weeks: dict[str, list[ChannelMonth]] = field(default_factory=dict)  # the weekly history
    model: str = curve_fits.AUTO  # the curve kind asked for: auto, log or hill
    resamples: int = curve_fits.RESAMPLES  # bootstrap resamples per fitted curve
    seed: int = curve_fits.SEED
    key: str = ""  # the cache key it was stored under ("" when not cached)


CACHE_SECONDS = 600  # a fitted curve set lives this long in Django's cache at most


def _marker_of(qs: QuerySet[Any], group: str, **values: Any) -> dict[str, Subquery]:
    """Scalar subqueries of aggregates over ``qs`` (one workspace's rows), for ``data_marker``."""
    return {
        name: Subquery(qs.order_by().values(group).annotate(v=agg).values("v")[:1])
        for name, agg in values.items()
    }


def data_marker(workspace: Workspace) -> tuple[Any, ...]:
    """What the fitted curves depend on, in one query: per table the count, the newest id and
    the sum of its amounts (so a row added, removed or changed in amount moves it) of the
    spend, hours, test steps, imported days, rates, measurements and metrics (the last four
    through their apps' ``marker_rows``), and the newest edit of the settings and hand-entered
    curves. An edit that moves a row to
    another day without changing its amount is seen when the cache entry expires
    (``CACHE_SECONDS``)."""
    ref = OuterRef("pk")
    parts: dict[str, Subquery] = {}
    for prefix, qs, group, sums in [
        ("spend", Spend.objects.filter(workspace=ref), "workspace", ("amount",)),
        ("time", TimeLog.objects.filter(workspace=ref), "workspace", ("hours",)),
        (
            "step",
            AllocationStep.objects.filter(workspace=ref),
            "workspace",
            ("observed_spend", "observed_return"),
        ),
        *channeldata_queries.marker_rows(ref),
        *dashboard_queries.marker_rows(ref),
    ]:
        parts |= _marker_of(
            qs,
            group,
            **{f"{prefix}_n": Count("id"), f"{prefix}_id": Max("id")},
            **{f"{prefix}_{f}": Sum(f) for f in sums},
        )
    for prefix, qs in (
        ("curve", ChannelCurve.objects.filter(workspace=ref)),
        ("settings", RoiSettings.objects.filter(workspace=ref)),
    ):
        parts |= _marker_of(
            qs, "workspace", **{f"{prefix}_n": Count("id"), f"{prefix}_at": Max("updated_at")}
        )
    names = sorted(parts)
    row = Workspace.objects.filter(pk=workspace.pk).annotate(**parts).values_list(*names).first()
    return tuple(row or ())


def _curves_key(workspace: Workspace, *parts: Any) -> str:
    marker = hashlib.sha256(repr(parts).encode()).hexdigest()[:32]
    return f"roi-curves:{workspace.pk}:{workspace.created_at.timestamp():.6f}:{marker}"


def curves(
    workspace: Workspace,
    *,
    unit: str,
    today: date,
    model: str = curve_fits.AUTO,
    resamples: int = curve_fits.RESAMPLES,
    seed: int = curve_fits.SEED,
) -> CurveSet:
    """Each channel's response curve: the hand-entered one if there is one, else one fitted
    from the last twelve whole months; channels where neither works say why.

    A channel with spend and return in at least ``MIN_WEEKS`` (26) weeks, and no measured
    test steps, is fitted from its weeks with carry-over (adstock); the others from their
    months. ``model`` picks the kind (``auto``: domain/curves.py's AICc rule); each fitted
    curve carries ``resamples`` bootstrap refits drawn from ``seed``."""
    from .errors import InvalidInput

    if model != curve_fits.AUTO and model not in domain.KINDS:
        raise InvalidInput(
            f"the curve model is auto, log or hill, not {model[:20]!r}", field="model"
        )
    if not 0 <= resamples <= curve_fits.MAX_RESAMPLES:
        raise InvalidInput(
            f"the bootstrap takes 0 to {curve_fits.MAX_RESAMPLES:,} resamples, not {resamples:,}",
            field="resamples",
        )
    this_month = today.replace(day=1)
    key = _curves_key(workspace, unit, model, resamples, seed, this_month, data_marker(workspace))
    cached = cache.get(key)
    if isinstance(cached, CurveSet) and cached.key == key:
        return cached
    found_set = _fit_curves(
        workspace, unit=unit, this_month=this_month, model=model, resamples=resamples, seed=seed
    )
    found_set = replace(found_set, key=key)
    cache.set(key, found_set, CACHE_SECONDS)
    return found_set


def _fit_curves(
    workspace: Workspace, *, unit: str, this_month: date, model: str, resamples: int, seed: int
) -> CurveSet:
    start = domain.add_months(this_month, -HISTORY_MONTHS)
    end = this_month - timedelta(days=1)
    history, weeks = histories(workspace, unit=unit, start=start, end=end)
    manual = {c.channel: c for c in ChannelCurve.objects.filter(workspace=workspace, unit=unit)}
    observed = observations(workspace, unit=unit)  # measured test steps: points of their own
    found: dict[str, domain.Curve] = {}
    problems: dict[str, str] = {}
    for channel in sorted(set(history) | set(manual) | set(observed)):
        if channel in manual:
            entered = manual[channel]
            found[channel] = domain.Curve(channel, entered.a, entered.b, source="manual")
            continue
        months = history.get(channel, [])
        extra = observed.get(channel, [])
        options = {"kind": model, "resamples": resamples, "seed": seed}
        weekly = [] if extra else weeks.get(channel, [])
        try:
            if weekly_enough(weekly):
                fitted = curve_fits.fit_response(
                    channel,
                    [float(w.x) for w in weekly],
                    [float(w.ret) for w in weekly],
                    weekly=True,
                    months=len(months),
                    **options,
                )
                found[channel] = replace(fitted, max_x=max(float(m.x) for m in months))
            else:
                found[channel] = curve_fits.fit_response(
                    channel,
                    [float(m.x) for m in months] + [x for x, _ in extra],
                    [float(m.ret) for m in months] + [r for _, r in extra],
                    **options,
                )
        except domain.RoiInputError as error:
            problems[channel] = error.message
    last_month = domain.add_months(this_month, -1)
    current = {
        channel: float(next((m.x for m in months if m.month == last_month), ZERO))
        for channel, months in history.items()
    }
    for channel in found:
        current.setdefault(channel, 0.0)
    return CurveSet(
        unit,
        start,
        end,
        found,
        history,
        manual,
        problems,
        current,
        last_month,
        weeks=weeks,
        model=model,
        resamples=resamples,
        seed=seed,
    )


def weekly_enough(weeks: list[ChannelMonth]) -> bool:
    """Spend and return in at least ``MIN_WEEKS`` of the weeks: the history is weekly (a tool's
    daily export), not a monthly entry that would leave the other weeks empty."""
    return (
        sum(1 for w in weeks if w.x) >= curve_fits.MIN_WEEKS
        and sum(1 for w in weeks if w.ret) >= curve_fits.MIN_WEEKS
    )


def plans(workspace: Workspace) -> list[AllocationPlan]:
    rows = AllocationPlan.objects.filter(workspace=workspace).select_related("created_by")
    return list(rows.prefetch_related("lines"))


@dataclass(frozen=True)
class PlanActual:
    channel: str
    recommended: Decimal
    actual: Decimal
    expected_return: Decimal
    actual_return: Decimal
    share: Decimal  # of the month elapsed: 1 once it is over

    @property
    def planned_so_far(self) -> Decimal:
        return domain.money(self.recommended * self.share)

    @property
    def expected_so_far(self) -> Decimal:
        return domain.money(self.expected_return * self.share)


def month_share(month: date, today: date) -> Decimal:
    """How much of the month has passed by the end of ``today``: 0 before it, 1 after it."""
    end = domain.add_months(month, 1)
    if today >= end:
        return Decimal(1)
    if today < month:
        return Decimal(0)
    return Decimal((today - month).days + 1) / Decimal((end - month).days)


def plan_vs_actual(plan: AllocationPlan, *, today: date) -> list[PlanActual]:
    """Each planned channel beside what was actually spent (or logged) and returned in the
    plan's month, with the share of the month that has passed (the plan is pro-rated by it
    while the month runs)."""
    share = month_share(plan.month, today)
    month_end = domain.add_months(plan.month, 1) - timedelta(days=1)
    history = channel_history(plan.workspace, unit=plan.unit, start=plan.month, end=month_end)
    rets: dict[str, Decimal] = defaultdict(Decimal)
    imported = imported_money(plan.workspace, start=plan.month, end=month_end)
    for line in return_lines(
        plan.workspace, start=plan.month, end=month_end, imported=imported
    ).lines:
        rets[line.channel] += line.amount
    rows = []
    for line in plan.lines.all():
        months = history.get(line.channel, [])
        rows.append(
            PlanActual(
                channel=line.channel,
                recommended=line.recommended,
                actual=sum((m.x for m in months), ZERO),
                expected_return=line.expected_return,
                actual_return=rets.get(line.channel, ZERO),
                share=share,
            )
        )
    return rows


# ---- allocation -------------------------------------------------------------------------------


@dataclass(frozen=True)
class AllocationView:
    curves: CurveSet
    allocation: domain.Allocation
    bounds: dict[str, domain.Bounds]
    band: curve_fits.AllocationBand | None = None  # the range from the curves' bootstrap
    band_pending: bool = False  # the range was left for a later request (``with_band=False``)


def allocation(
    workspace: Workspace,
    *,
    unit: str,
    today: date,
    budget: float | None = None,
    bounds: dict[str, domain.Bounds] | None = None,
    override: dict[str, tuple[Any, ...]] | None = None,
    curve_set: CurveSet | None = None,
    max_move: float = roi_steps.DEFAULT_MAX_MOVE,
    objective: str = "return",
    target: float | None = None,
    model: str = curve_fits.AUTO,
    resamples: int = curve_fits.RESAMPLES,
    seed: int = curve_fits.SEED,
    with_band: bool = True,
) -> AllocationView:
    """The recommended split of ``budget`` (default: what the last whole month used) over the
    channels with a response curve, beside the current split (the last whole month's), each
    channel moving at most ``max_move`` of its current amount, for the ``objective`` (the most
    return, or the most return / new customers at a target ROAS / CPA; domain/roi_steps.py).
    ``override`` gives curves (a, b), or (a, b, kind, s), for this computation only, replacing
    fitted or saved ones. ``band``: the allocation re-solved once per bootstrap resample of the
    fitted curves (domain/curves.py), the range of each channel's recommendation. Both are cached
    with the curve set (``curves``) per question; ``with_band=False`` leaves an uncached range
    out (``band_pending``), for a page that fetches it afterwards."""
    from .errors import InvalidInput

    found = curve_set or curves(
        workspace, unit=unit, today=today, model=model, resamples=resamples, seed=seed
    )
    for channel, (a, b, *shape) in (override or {}).items():
        kind, s = shape if shape else ("log", 1.0)
        try:
            found.curves[channel] = domain.Curve(channel, a, b, source="request", kind=kind, s=s)
        except domain.RoiInputError as error:
            raise InvalidInput(f"{channel}: {error.message}", field=f"curves.{channel}") from None
        found.current.setdefault(channel, 0.0)
        found.problems.pop(channel, None)
    if not found.curves:
        raise InvalidInput(
            "no channel has a response curve yet: record a few months of spend and returns per "
            "channel, or enter a curve by hand",
            field="curves",
        )
    if budget is None:
        budget = sum(found.current.get(c, 0.0) for c in found.curves)
    key = ""
    if found.key and not override:  # the same curves and the same question: the same answer
        asked = (budget, sorted((bounds or {}).items()), max_move, objective, target)
        key = f"{found.key}:allocation:{hashlib.sha256(repr(asked).encode()).hexdigest()[:32]}"
        hit = cache.get(key)
        if isinstance(hit, tuple) and len(hit) == 2:
            return AllocationView(found, hit[0], dict(bounds or {}), hit[1])
    customers: list[domain.Curve] = []
    if objective == "cpa":
        customers = list(customer_curves(workspace, found, today=today).values())

    def solve(drawn: list[domain.Curve]) -> domain.Allocation:
        return roi_steps.recommend(
            drawn,
            budget,
            bounds or {},
            current={c: found.current.get(c, 0.0) for c in found.curves},
            max_move=max_move,
            objective=objective,
            target=target,
            customers=customers,
        )

    try:
        result = solve(list(found.curves.values()))
    except domain.RoiInputError as error:
        raise InvalidInput(error.message, field=error.field or "bounds") from None
    if not with_band:
        pending = any(c.bootstrap is not None for c in found.curves.values())
        return AllocationView(found, result, dict(bounds or {}), None, band_pending=pending)
    band = curve_fits.allocation_band(list(found.curves.values()), result, solve)
    if key:
        cache.set(key, (result, band), CACHE_SECONDS)
    return AllocationView(found, result, dict(bounds or {}), band)


def customer_curves(
    workspace: Workspace, found: CurveSet, *, today: date
) -> dict[str, domain.Curve]:
    """Per channel, a curve of new customers a month against its monthly spend, fitted like
    the return curves from the months of ``found``'s history that have imported new customers
    (a shop's first orders or a CRM's closed deals by channel). Channels with fewer than two
    such months get none: the CPA objective then says which channels lack the history."""
    if found.unit != Unit.MONEY:
        return {}
    months = sorted({m.month for history in found.history.values() for m in history})
    counted: dict[date, dict[str, int]] = {
        month: channeldata_queries.new_customers_by_channel(
            workspace, start=month, end=domain.add_months(month, 1) - timedelta(days=1)
        )
        for month in months
    }
    curves_found = {}
    for channel, history in found.history.items():
        pairs = [
            (float(m.x), float(counted[m.month][channel]))
            for m in history
            if channel in counted.get(m.month, {})
        ]
        if len(pairs) < 2 or channel not in found.curves:
            continue
        try:
            curves_found[channel] = domain.fit_curve(
                channel, [x for x, _ in pairs], [c for _, c in pairs]
            )
        except domain.RoiInputError:
            continue
    return curves_found


# ---- test steps (moves of a saved run turned into cards) --------------------------------------

MONTH_DAYS = 30.4375  # an average month: a test window's figures are scaled to a month by it


def observations(workspace: Workspace, *, unit: str) -> dict[str, list[tuple[float, float]]]:
    """Per channel, the measured test steps as (monthly x, monthly return) points: the spend and
    return observed over each test window, scaled to a month (by 30.44 over its days)."""
    found: dict[str, list[tuple[float, float]]] = defaultdict(list)
    rows = AllocationStep.objects.filter(
        workspace=workspace, unit=unit, observed_spend__isnull=False
    ).values_list("channel", "observed_spend", "observed_return", "starts_on", "ends_on")
    for channel, spend, ret, start, end in rows.order_by("id"):
        scale = MONTH_DAYS / ((end - start).days + 1)
        found[channel].append((float(spend) * scale, float(ret or 0) * scale))
    return dict(found)


def steps_of(workspace: Workspace, *, limit: int = 100) -> list[AllocationStep]:
    """The latest test steps first, with their cards and plans."""
    rows = AllocationStep.objects.filter(workspace=workspace).select_related(
        "card", "card__board", "plan", "measured_by"
    )
    return list(rows[:limit])


def step_for(workspace: Workspace, step_id: int) -> AllocationStep:
    found = (
        AllocationStep.objects.filter(workspace=workspace, pk=step_id)
        .select_related("card", "card__board", "plan", "measured_by")
        .first()
        if 0 < step_id < 2**63
        else None
    )
    if found is None:
        raise Http404("no such test step")
    return found


@dataclass(frozen=True)
class Refit:
    curve: domain.Curve | None  # None: no fit possible (``problem`` says why)
    points: int
    problem: str = ""
    manual: bool = False  # the channel has a hand-entered curve, which stays in use


def refit(workspace: Workspace, *, channel: str, unit: str, today: date) -> Refit:
    """The channel's curve fitted afresh from its history and every measured test step."""
    this_month = today.replace(day=1)
    start = domain.add_months(this_month, -HISTORY_MONTHS)
    end = this_month - timedelta(days=1)
    history = channel_history(workspace, unit=unit, start=start, end=end).get(channel, [])
    manual = ChannelCurve.objects.filter(workspace=workspace, unit=unit, channel=channel).exists()
    extra = observations(workspace, unit=unit).get(channel, [])
    points = len(history) + len(extra)
    try:  # as ``curves`` fits a channel with measured steps: its months and the steps
        curve = curve_fits.fit_response(
            channel,
            [float(m.x) for m in history] + [x for x, _ in extra],
            [float(m.ret) for m in history] + [r for _, r in extra],
            resamples=0,
        )
    except domain.RoiInputError as error:
        return Refit(None, points, error.message, manual)
    return Refit(curve, points, "", manual)
