"""This app's part of the Northwind demo; leanmark/demo/generator.py calls ``load(ctx)``, and
``load_fed(ctx)`` once the marketing data is imported.

Eight experiments, from a draft to four decided ones (one decided against the evidence), with
daily cumulative counts simulated from true rates, so each verdict is what the data say; and a
ninth that reads its counts from the imported Meta ad sets (experiments/feed.py)."""

import math
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.utils import timezone

from leanmark.board import queries as board_queries
from leanmark.board.choices import Lane
from leanmark.demo.context import DemoContext

from . import feed, services
from .errors import DecisionRefused
from .models import Experiment


@dataclass(frozen=True)
class Plan:
    title: str
    change: str
    audience: str
    outcome: str
    metric: str
    stage: str
    channel: str
    baseline: float
    mde: float
    true_rates: tuple[float, ...]  # control first
    daily: int  # visitors per variant per day
    days_ago: int  # when it started
    days: int  # how many days of data (up to now)
    decision: str = ""  # persevere, pivot or stop: decided at the end of its data
    pivot_type: str = ""
    override: str = ""
    statement: str = ""
    variants: tuple[str, ...] = ("Control", "Treatment")
    sequential: bool = False
    continuous: tuple[tuple[float, float], ...] = field(default_factory=tuple)  # (mean, sd)
    state: str = "running"  # draft, running or analysing when not decided


PLANS = (
    Plan(
        "Free-shipping banner on the shop",
        "a free-shipping-over-£30 banner on every shop page",
        "first-time shop visitors",
        "raise the order rate",
        "order rate",
        "buy",
        "paid_search",
        0.03,
        0.012,
        (0.030, 0.047),
        330,
        112,
        12,
        decision="persevere",
        statement="A free-shipping threshold lifts first orders from paid search by about a "
        "third; keep it on every shop page.",
    ),
    Plan(
        "Roast date in the subject line",
        "putting the roast date in the newsletter subject line",
        "newsletter subscribers",
        "raise the open rate",
        "open rate",
        "like",
        "email",
        0.22,
        0.04,
        (0.22, 0.265),
        260,
        88,
        10,
        decision="persevere",
        statement="Freshness sells: subject lines with the roast date are opened more often.",
    ),
    Plan(
        "Reels instead of static posts",
        "short brewing reels instead of static product photos",
        "Instagram followers",
        "raise profile-to-shop clicks",
        "click-through rate",
        "know",
        "social",
        0.05,
        0.015,
        (0.050, 0.051),
        420,
        70,
        14,
        decision="pivot",
        pivot_type="channel",
        statement="Reels did not move shop clicks on Instagram; try the brewing videos on "
        "YouTube search instead.",
    ),
    Plan(
        "Tasting box at 15 % off",
        "a 15 % discount on the tasting box instead of 10 %",
        "visitors of the tasting-box page",
        "raise tasting-box orders",
        "tasting-box order rate",
        "try",
        "seo",
        0.08,
        0.03,
        (0.080, 0.086),
        90,
        45,
        6,
        decision="persevere",
        override="The printed autumn flyers already promise 15 % off; we keep it until they run "
        "out, then re-test.",
        statement="The deeper discount showed no clear lift before the sample was in; kept for "
        "the flyers' sake.",
    ),
    Plan(
        "Referral card in every parcel",
        "a give-£5-get-£5 referral card in every parcel",
        "customers receiving an order",
        "raise referred first orders",
        "referral rate",
        "refer",
        "email",
        0.02,
        0.01,
        (0.020, 0.027),
        150,
        20,
        18,
        sequential=True,
    ),
    Plan(
        "Subscription offer after the second order",
        "a subscription offer on the second order's confirmation page",
        "repeat customers",
        "raise subscription sign-ups",
        "subscription rate",
        "repeat",
        "email",
        0.06,
        0.025,
        (0.060, 0.075, 0.064),
        60,
        25,
        24,
        variants=("Control", "10 % off", "Free grinder"),
    ),
    Plan(
        "Bundle suggestion at checkout",
        "suggesting a grinder-and-beans bundle at checkout",
        "shop customers",
        "raise the average order value",
        "order value (£)",
        "buy",
        "seo",
        0.0,
        3.0,
        (),
        40,
        16,
        14,
        continuous=((31.0, 12.0), (33.4, 13.5)),
        state="analysing",
    ),
    Plan(
        "Wholesale landing page for cafés",
        "a landing page with wholesale prices and a sample request form",
        "independent café owners",
        "raise sample requests",
        "sample request rate",
        "trust",
        "events",
        0.04,
        0.02,
        (0.04, 0.05),
        0,
        0,
        0,
        state="draft",
    ),
)


def _binomial(rng: random.Random, n: int, p: float) -> int:
    """A binomial draw (normal approximation, clamped): enough for demo counts."""
    value = round(rng.gauss(n * p, math.sqrt(n * p * (1 - p))))
    return max(0, min(n, value))


def _card_for(ctx: DemoContext, plan: Plan) -> int | None:
    return board_queries.first_card_number(
        ctx.board,
        stage=plan.stage,
        channel=plan.channel,
        not_lane=Lane.EXPEDITE,  # an urgent fix is no experiment
    )


def load(ctx: DemoContext) -> None:
    """Create this app's demo data in ``ctx.workspace`` (deterministic from ``ctx.seed``)."""
    rng = ctx.rng("experiments")
    for index, plan in enumerate(PLANS):
        _load_one(ctx, rng, index, plan)


FED_DAYS = 28  # the fed experiment started this many days before the demo's now


def load_fed(ctx: DemoContext) -> None:
    """Two Meta campaigns of the imported data as the arms of a test, read from the table: the
    way a small team tests ad sets with no SDK. Its counts are what channeldata/demo.py wrote."""
    owner = ctx.workers[1]
    start = ctx.now - timedelta(days=FED_DAYS)
    spec = services.ExperimentSpec(
        title="Purchaser lookalikes against Reels",
        change="moving the social budget to a lookalike audience of our purchasers",
        audience="people who click a Meta ad",
        outcome="turn more ad clicks into orders",
        metric_name="orders per click",
        metric_baseline=0.022,
        metric_target=0.032,
        stage="try",
        channel="paid_social",
        owner_id=owner.pk,
        start_date=timezone.localdate(start),
        plan_baseline=0.022,
        plan_mde=0.01,
        variants=["Reels", "Ambassadors"],
    )
    experiment = services.create_experiment(
        ctx.workspace, spec, actor=owner, at=start - timedelta(days=2)
    )
    services.start(experiment, at=start)
    feed.link_data(  # GA4 names its sessions after the same campaigns: the source is Meta's
        experiment,
        trials="clicks",
        successes="conversions",
        links=[
            feed.LinkIn("Reels", "Reels", source="meta_ads"),
            feed.LinkIn("Ambassadors", "Ambassadors", source="meta_ads"),
        ],
        actor=owner,
    )
    feed.pull_data(experiment, actor=owner, today=timezone.localdate(ctx.now), at=ctx.now)


def _load_one(ctx: DemoContext, rng: random.Random, index: int, plan: Plan) -> None:
    owner = ctx.workers[index % len(ctx.workers)]
    start = ctx.now - timedelta(days=plan.days_ago)
    created = start - timedelta(days=2 + index % 3)
    continuous = bool(plan.continuous)
    spec = services.ExperimentSpec(
        title=plan.title,
        change=plan.change,
        audience=plan.audience,
        outcome=plan.outcome,
        metric_name=plan.metric,
        metric_baseline=plan.continuous[0][0] if continuous else plan.baseline,
        metric_target=(plan.continuous[0][0] + plan.mde)
        if continuous
        else plan.baseline + plan.mde,
        target_date=(start + timedelta(days=max(plan.days, 14))).date(),
        stage=plan.stage,
        channel=plan.channel,
        metric_type="continuous" if continuous else "conversion",
        owner_id=owner.pk,
        card_number=_card_for(ctx, plan),
        start_date=start.date() if plan.state != "draft" else None,
        planned_end=(start + timedelta(days=max(plan.days, 14))).date(),
        plan_baseline=None if continuous else plan.baseline,
        plan_sd=plan.continuous[0][1] if continuous else None,
        plan_mde=plan.mde,
        sequential=plan.sequential,
        variants=list(plan.variants),
    )
    experiment = services.create_experiment(ctx.workspace, spec, actor=owner, at=created)
    if plan.state == "draft":
        return
    services.start(experiment, at=start)
    rows = _simulate(rng, plan, start)
    last = start + timedelta(days=plan.days)
    services.record_observations(experiment, rows, actor=owner, source="demo", at=last)
    if plan.decision:
        _decide(ctx, experiment, plan, last)
    elif plan.state == "analysing":
        services.to_analysis(experiment, at=last)


def _decide(ctx: DemoContext, experiment: Experiment, plan: Plan, last: datetime) -> None:
    try:
        services.decide(
            experiment,
            decision=plan.decision,
            pivot_type=plan.pivot_type,
            override_reason=plan.override,
            statement=plan.statement,
            note="Reviewed at the Monday experiment review.",
            actor=ctx.owner,
            at=last + timedelta(hours=20),
            # The backlog's demo sets its own "evidence changed" ideas, and its flag would be
            # stamped with today's date inside a history that ends at ctx.now.
            flag_backlog=False,
        )
    except DecisionRefused:
        # Another seed drew data that do not support the scripted decision: the demo never
        # fakes one, so the experiment waits in analysis like a real one would.
        services.to_analysis(experiment, at=last)


def _simulate(rng: random.Random, plan: Plan, start: datetime) -> list[services.ObservationIn]:
    rows: list[services.ObservationIn] = []
    totals = [[0, 0] for _ in plan.variants]
    sums = [[0.0, 0.0] for _ in plan.variants]  # Σx, Σx² for continuous metrics
    today = timezone.localdate(start)
    for day in range(plan.days):
        date = today + timedelta(days=day)
        for i, name in enumerate(plan.variants):
            n = max(1, round(plan.daily * rng.uniform(0.8, 1.2)))
            totals[i][0] += n
            if plan.continuous:
                mean, sd = plan.continuous[i]
                for _ in range(n):
                    x = max(0.0, rng.gauss(mean, sd))
                    sums[i][0] += x
                    sums[i][1] += x * x
                count = totals[i][0]
                average = sums[i][0] / count
                spread = math.sqrt(max(0.0, (sums[i][1] - count * average**2) / (count - 1)))
                rows.append(
                    services.ObservationIn(
                        name, date, count, mean=round(average, 3), sd=round(spread, 3)
                    )
                )
            else:
                totals[i][1] += _binomial(rng, n, plan.true_rates[i])
                rows.append(services.ObservationIn(name, date, totals[i][0], totals[i][1]))
    return rows
