"""This app's part of the Northwind demo; leanmark/demo/generator.py calls ``load(ctx)``.

Sixteen metrics across the seven hourglass stages with a year of daily measurements: a slow
growth trend, a weekly rhythm (coffee sells at weekends, the team posts on weekdays), a
December peak and a summer dip, and noise. Weekly and monthly targets on the main outputs, each
revised once with a reason; each stage's volume metric is named for the funnel.
"""

import math
from dataclasses import dataclass
from datetime import date, timedelta

from leanmark.demo.context import DemoContext

from . import queries, services

HISTORY_DAYS = 365


@dataclass(frozen=True)
class Plan:
    name: str
    kind: str
    stage: str
    unit: str
    base: float  # a typical weekday value at the start of the year
    weekend: float  # weekend multiplier
    season: float  # amplitude of the yearly wave (peak in December)
    noise: float  # relative standard deviation
    channel: str = ""
    aggregation: str = "sum"
    value_per_unit: str | None = None
    is_revenue: bool = False
    decimals: int = 0
    volume: bool = False  # the stage's volume in the funnel
    growth: float = 0.25  # over the year


PLANS = (
    Plan("Social posts published", "input", "know", "posts", 2.2, 0.2, 0.1, 0.35, "social"),
    Plan("Website visits", "output", "know", "visits", 820, 1.25, 0.3, 0.12, volume=True),
    Plan("Social reach", "output", "know", "people", 3400, 1.3, 0.25, 0.25, "social"),
    Plan("Blog posts published", "input", "like", "posts", 0.45, 0.0, 0.0, 0.6, "seo"),
    Plan(
        "Newsletter sign-ups", "output", "like", "sign-ups", 38, 1.2, 0.3, 0.2, "email",
        volume=True,
    ),
    Plan("Tastings and webinars held", "input", "trust", "events", 0.12, 2.5, 0.3, 0.8, "events"),
    Plan(
        "Brew guide downloads", "output", "trust", "leads", 16, 1.1, 0.25, 0.25, "seo",
        value_per_unit="4.00", volume=True,
    ),
    Plan("Sample packs sent", "input", "try", "packs", 9, 0.3, 0.3, 0.25, "email"),
    Plan("Sample pack requests", "output", "try", "requests", 8.5, 1.2, 0.35, 0.25, volume=True),
    Plan("Ad spend", "input", "buy", "GBP", 42, 1.1, 0.4, 0.1, "paid_search", decimals=2),
    Plan("Orders", "output", "buy", "orders", 6.5, 1.5, 0.45, 0.22, volume=True),
    Plan(
        "Revenue", "output", "buy", "GBP", 210, 1.5, 0.45, 0.22, is_revenue=True, decimals=2
    ),
    Plan("Repeat orders", "output", "repeat", "orders", 3.1, 1.3, 0.4, 0.3, volume=True),
    Plan(
        "Active subscribers", "output", "repeat", "subscribers", 410, 1.0, 0.05, 0.004,
        "email", aggregation="last", growth=0.45,
    ),
    Plan("Referral emails sent", "input", "refer", "emails", 28, 0.4, 0.2, 0.3, "email"),
    Plan(
        "Referrals", "output", "refer", "customers", 0.7, 1.2, 0.4, 0.6, "email",
        value_per_unit="25.00", volume=True,
    ),
)  # fmt: skip

# (metric, period, first target, revised target, reason for the revision)
TARGETS = (
    ("website-visits", "week", 6000, 9500, "new brew-guide pages rank on page one"),
    ("newsletter-sign-ups", "month", 1200, 1800, "sign-up box added to every blog post"),
    ("orders", "week", 60, 90, "Christmas gift campaign booked"),
    ("revenue", "month", 9000, 14000, "wholesale price rise in the autumn"),
    ("sample-pack-requests", "week", 60, 110, "free postage on sample packs"),
    ("referrals", "month", 30, 45, "referral reward doubled for the holidays"),
)


def value_on(plan: Plan, day: date, index: int, rng_gauss: float) -> float:
    """A plausible value for ``plan`` on ``day`` (``index`` days into the year)."""
    trend = 1 + plan.growth * index / HISTORY_DAYS
    # The yearly wave peaks around 10 December and bottoms out in early June.
    angle = 2 * math.pi * (day.timetuple().tm_yday - 344) / 365.25
    season = 1 + plan.season * math.cos(angle)
    weekly = plan.weekend if day.weekday() >= 5 else 1.0
    value = plan.base * trend * season * weekly * max(0.0, 1 + plan.noise * rng_gauss)
    return round(value, plan.decimals) if plan.decimals else float(round(value))


def load(ctx: DemoContext) -> None:
    """Create this app's demo data in ``ctx.workspace`` (deterministic from ``ctx.seed``)."""
    rng = ctx.rng("dashboard")
    workspace = ctx.workspace
    metrics = {}
    for plan in PLANS:
        metric = services.create_metric(
            workspace,
            name=plan.name,
            kind=plan.kind,
            stage=plan.stage,
            unit=plan.unit,
            channel=plan.channel,
            aggregation=plan.aggregation,
            value_per_unit=plan.value_per_unit,
            is_revenue=plan.is_revenue,
            higher_is_better=True,
        )
        metrics[plan.name] = metric
    last = queries.today(workspace, ctx.now)
    first = last - timedelta(days=HISTORY_DAYS - 1)
    rows = []
    for index in range(HISTORY_DAYS):
        day = first + timedelta(days=index)
        for plan in PLANS:
            value = value_on(plan, day, index, rng.gauss(0, 1))
            rows.append(services.RowIn(len(rows) + 1, metrics[plan.name].key, day, value))
    services.upsert_measurements(workspace, rows, source="demo", what="the demo")
    set_at = ctx.now - timedelta(days=HISTORY_DAYS - 5)
    revised_at = ctx.now - timedelta(days=rng.randint(80, 120))
    for key, period, target, revised, reason in TARGETS:
        metric = next(m for m in metrics.values() if m.key == key)
        services.set_target(
            metric, period=period, value=target, reason="plan for the year", actor=ctx.owner,
            at=set_at,
        )  # fmt: skip
        services.set_target(
            metric, period=period, value=revised, reason=reason, actor=ctx.owner, at=revised_at
        )
    services.set_funnel(
        workspace, {plan.stage: metrics[plan.name].key for plan in PLANS if plan.volume}
    )
