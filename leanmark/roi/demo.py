"""This app's part of the Northwind demo: a year of spend across five channels, revenue per
channel with diminishing returns built in (r = a·ln(1 + x/b) per month, with noise), time logs
on the board's cards, hourly costs, and a saved plan for this month.

The paid channels' spend (``PAID``) is not typed in here: the marketing-data part
(channeldata/demo.py) writes it as the ad platforms' export files and imports them, so the
demo goes through the importers. ``year()`` gives the same figures to both parts."""

import calendar
import math
import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from leanmark.dashboard import queries as dashboard_queries
from leanmark.dashboard import services as dashboard
from leanmark.demo.context import DemoContext
from leanmark.domain import roi as domain

from . import queries, services
from .models import Spend

# channel: (stage, a, b, typical monthly spend, entries a month, campaigns)
CHANNELS: dict[str, tuple[str, float, float, float, int, tuple[str, ...]]] = {
    "paid_search": ("buy", 9_000, 2_500, 3_000, 0, ("Brand search", "Sample pack", "Retargeting")),
    "paid_social": ("know", 6_000, 1_500, 2_000, 0, ("Reels", "Ambassadors")),
    "email": ("repeat", 3_500, 350, 600, 4, ("Newsletter", "Win-back")),
    "seo": ("know", 8_000, 3_000, 1_500, 2, ("Brew guides",)),
    "events": ("try", 5_000, 4_000, 2_500, 2, ("Tastings", "Festivals")),
}
LABELS = {
    "paid_search": "paid search",
    "paid_social": "paid social",
    "email": "email",
    "seo": "SEO",
    "events": "events",
}
# channels whose spend comes from Google Ads and Meta Ads Manager exports (channeldata/demo.py),
# in the channel keys those importers give them
PAID = ("paid_search", "paid_social")
HOURLY = (Decimal(65), Decimal(45), Decimal(42))  # owner, member, member
MONTHS = 12


@dataclass(frozen=True)
class SpendLine:
    on: date
    channel: str
    stage: str
    campaign: str
    amount: Decimal  # GBP, to the penny


@dataclass(frozen=True)
class Year:
    spend: list[SpendLine]
    revenue: list[tuple[str, date, float]]  # (channel, day, GBP)
    new_customers: list[tuple[date, float]]


def year(ctx: DemoContext) -> Year:
    """The demo's spend, revenue and new customers from twelve months ago to today: the same for
    the same seed and clock, whichever part asks."""
    return _year(ctx, ctx.rng("roi"))


def _year(ctx: DemoContext, rng: random.Random) -> Year:
    today = ctx.now.date()
    first = domain.add_months(today.replace(day=1), -MONTHS)
    spend: list[SpendLine] = []
    revenue: list[tuple[str, date, float]] = []
    customers: list[tuple[date, float]] = []
    month = first
    while month <= today:
        days = [
            month + timedelta(days=d)
            for d in range(calendar.monthrange(month.year, month.month)[1])
            if month + timedelta(days=d) <= today
        ]
        share = len(days) / calendar.monthrange(month.year, month.month)[1]
        new_customers = 0.0
        for channel, (stage, a, b, typical, entries, campaigns) in CHANNELS.items():
            monthly = typical * rng.uniform(0.45, 1.6) * share
            monthly_return = a * math.log1p(monthly / b) * rng.uniform(0.9, 1.1)
            new_customers += monthly_return / 38  # an average first order of about £38
            spend_days = days if entries == 0 else sorted(rng.sample(days, min(entries, len(days))))
            weights = [rng.uniform(0.6, 1.4) for _ in spend_days]
            for day, weight in zip(spend_days, weights, strict=True):
                amount = Decimal(repr(monthly * weight / sum(weights))).quantize(Decimal("0.01"))
                spend.append(SpendLine(day, channel, stage, rng.choice(campaigns), amount))
            weights = [rng.uniform(0.5, 1.5) for _ in days]
            for day, weight in zip(days, weights, strict=True):
                revenue.append((channel, day, round(monthly_return * weight / sum(weights), 2)))
        customers += [
            (day, float(round(new_customers / len(days) * rng.uniform(0.6, 1.4)))) for day in days
        ]
        month = domain.add_months(month, 1)
    return Year(spend, revenue, customers)


def load(ctx: DemoContext) -> None:
    rng = ctx.rng("roi")
    workspace = ctx.workspace
    services.update_settings(
        workspace,
        currency="GBP",
        contribution_margin=Decimal("0.6"),
        gross_margin=Decimal("0.55"),
        revenue_per_customer=Decimal(18),
        customers_metric="",
        actor=ctx.owner,
    )
    metrics = _revenue_metrics(ctx)
    customers_metric = _customers_metric(ctx)
    figures = _year(ctx, rng)
    Spend.objects.bulk_create(
        [
            Spend(
                workspace=workspace,
                on=line.on,
                amount=line.amount,
                currency="GBP",
                channel=line.channel,
                stage=line.stage,
                campaign=line.campaign,
                created_by=ctx.owner,
            )
            for line in figures.spend
            if line.channel not in PAID
        ],
        batch_size=1000,
    )
    revenue = [
        dashboard.RowIn(number, metrics[channel], day, value, channel)
        for number, (channel, day, value) in enumerate(figures.revenue, start=2)
    ]
    dashboard.upsert_measurements(workspace, revenue, source="demo", what="the ROI demo")
    if customers_metric:
        customers = [
            dashboard.RowIn(number, customers_metric, day, value)
            for number, (day, value) in enumerate(figures.new_customers, start=2)
        ]
        dashboard.upsert_measurements(workspace, customers, source="demo", what="the ROI demo")
        services.update_settings(workspace, customers_metric=customers_metric, actor=ctx.owner)
    for person, cost in zip(ctx.workers, HOURLY, strict=True):
        services.set_hourly_cost(workspace, person, cost, actor=ctx.owner)
    _time_logs(ctx, rng)


def plan(ctx: DemoContext) -> None:
    """This month's saved plan; a part of its own, after the paid channels' spend is imported
    (the curves it allocates by are fitted from all the spend)."""
    _plan(ctx, ctx.now.date())


def _revenue_metrics(ctx: DemoContext) -> dict[str, str]:
    """One revenue metric per channel (the dashboard's returns() attribute its stage); a metric
    the dashboard's own demo already made under that key or name is used as it is."""
    existing = {m.key: m for m in dashboard_queries.metrics_of(ctx.workspace)}
    names = {m.name.lower(): m for m in existing.values()}
    keys = {}
    for channel, (stage, *_rest) in CHANNELS.items():
        key = f"revenue-{channel.replace('_', '-')}"
        name = f"Revenue from {LABELS[channel]}"
        found = existing.get(key) or names.get(name.lower())
        if found is not None:
            keys[channel] = found.key
            continue
        dashboard.create_metric(
            ctx.workspace,
            name=name,
            key=key,
            kind="output",
            stage=stage,
            channel=channel,
            unit="GBP",
            aggregation="sum",
            is_revenue=True,
            description="Orders attributed to the channel (last click); the ROI demo's returns",
        )
        keys[channel] = key
    return keys


def _customers_metric(ctx: DemoContext) -> str:
    """The dashboard demo's new-customers metric if it has one, else one of ours."""
    for info in dashboard_queries.all_infos(ctx.workspace):
        if "customer" in info.key and "new" in info.key:
            return str(info.key)
    if any(
        m.name == "New customers (ROI demo)" for m in dashboard_queries.metrics_of(ctx.workspace)
    ):
        return ""
    dashboard.create_metric(
        ctx.workspace,
        name="New customers (ROI demo)",
        key="new-customers",
        kind="output",
        stage="buy",
        unit="customers",
        aggregation="sum",
        description="First orders; the ROI page's CAC divides acquisition cost by these",
    )
    return "new-customers"


def _time_logs(ctx: DemoContext, rng) -> None:  # type: ignore[no-untyped-def]
    cards = list(ctx.board.cards.filter(started_at__isnull=False).prefetch_related("assignees"))
    rows = []
    workers = {p.pk: p for p in ctx.workers}
    per_day: dict[tuple[int, date], Decimal] = {}
    for card in cards:
        people = [p for p in card.assignees.all() if p.pk in workers] or [ctx.workers[1]]
        start = card.started_at.date()
        end = (card.finished_at or ctx.now).date()
        span = max((end - start).days, 0)
        for _ in range(rng.randint(1, 4)):
            person = rng.choice(people)
            day = start + timedelta(days=rng.randint(0, span))
            if day.weekday() >= 5:
                day -= timedelta(days=day.weekday() - 4)
            hours = Decimal(rng.choice((0.5, 1, 1, 1.5, 2, 2, 3, 4)))
            if per_day.get((person.pk, day), Decimal(0)) + hours > 8:
                continue
            per_day[(person.pk, day)] = per_day.get((person.pk, day), Decimal(0)) + hours
            rows.append(services.TimeLogIn(card, person, day, hours))
    services.import_time_logs(ctx.workspace, rows, actor=ctx.owner)


def _plan(ctx: DemoContext, today: date) -> None:
    view = queries.allocation(ctx.workspace, unit="money", today=today)
    services.save_plan(
        ctx.workspace,
        view.allocation,
        curves=view.curves.curves,
        bounds={},
        name=f"Plan for {today:%B %Y}",
        month=today.replace(day=1),
        unit="money",
        actor=ctx.owner,
    )
