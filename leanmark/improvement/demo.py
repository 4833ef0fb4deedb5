"""This app's part of the Northwind demo; leanmark/demo/generator.py calls ``load(ctx)``.

Three cycles (docs/product.md §14): one standardised, whose Check shows a real, significant fall in
the number of blocked cards in the demo's own flow data; one being checked (cycle time, the change
two weeks ago); one abandoned in Do. Everything goes through the services, back-dated, so the
phase history reads like a team's.

The board simulation has no intervention in it, so the standardised cycle's change date is the
day, between three and nine weeks back, after which the blocked count measurably fell: the
Check the page shows is computed from the data like any other, and says so when it is not
significant.
"""

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from leanmark.demo.context import DemoContext
from leanmark.domain import pdca
from leanmark.flow import queries as flow_queries
from leanmark.standups import queries as standups_queries
from leanmark.valuestream import queries as valuestream_queries

from . import services
from .models import Improvement

WINDOW = 21


def _at(ctx: DemoContext, day: date, hour: int = 10) -> datetime:
    zone = ZoneInfo(ctx.workspace.time_zone or "UTC")
    return datetime.combine(day, time(hour), tzinfo=zone)


def _blocked_drop(ctx: DemoContext, today: date) -> date:
    """The change date whose 21-day windows show the clearest fall in blocked cards."""
    fallback = today - timedelta(days=30)
    days = flow_queries.daily_series(ctx.board, start=today - timedelta(days=100), end=today)
    best: tuple[float, date] | None = None
    for back in range(WINDOW, 64):
        change = today - timedelta(days=back)
        w = pdca.windows(change, WINDOW, today=today)
        before = [d.blocked for d in days if w.before_start <= d.date <= w.before_end]
        after = [d.blocked for d in days if w.after_start <= d.date <= w.after_end]
        result = pdca.compare_daily(before, after, metric="blocked", better="lower")
        if (
            result.improved
            and result.p_value is not None
            and (best is None or result.p_value < best[0])
        ):
            best = (result.p_value, change)
    return best[1] if best else fallback


def _waste_step(ctx: DemoContext) -> Any:
    """The current map's waste step about sign-off waits (any waste step otherwise), when the
    value stream demo has drawn a current map with a future state."""
    maps = valuestream_queries.streams_of(ctx.workspace)
    drawn = {m.derived_from_id for m in maps if m.state == "future"}
    waste = [
        step
        for stream in maps
        if stream.state == "current" and stream.pk in drawn
        for step in valuestream_queries.steps_of(stream)
        if step.customer_value == "waste"
    ]
    signoff = [s for s in waste if "sign-off" in s.name.lower()]
    return (signoff or waste or [None])[0]


def _impediment(ctx: DemoContext) -> Any:
    impediments = standups_queries.open_impediments(ctx.workspace)
    return impediments[0] if impediments else None


def _run(
    ctx: DemoContext,
    imp: Improvement,
    *,
    do: date,
    change: date | None = None,
    check: date | None = None,
    act: date | None = None,
) -> Improvement:
    owner, member = ctx.people[0], ctx.people[1]
    services.advance(imp, to="do", actor=owner, at=_at(ctx, do), note="plan agreed at the review")
    if change is not None:
        services.update_improvement(imp, changes={"change_date": change}, actor=member)
    if check is not None:
        services.advance(imp, to="check", actor=member, at=_at(ctx, check))
    if act is not None:
        services.advance(imp, to="act", actor=owner, at=_at(ctx, act))
    return imp


def standardised(ctx: DemoContext, today: date) -> Improvement:
    change = _blocked_drop(ctx, today)
    step = _waste_step(ctx)
    source: dict[str, Any] = {"source": "vsm_step", "source_id": step.pk} if step else {}
    imp = services.start_improvement(
        ctx.workspace,
        actor=ctx.owner,
        at=_at(ctx, change - timedelta(days=12)),
        title="Fewer cards stuck waiting for sign-off",
        problem=(
            "On an average day six cards sit blocked, most of them waiting for the head roaster's "
            "sign-off or a legal check of a claim; each waits two to five working days."
        ),
        background=(
            "Blocked cards hold WIP slots, so new work waits behind them. Found in the monthly "
            "waste walk (waiting)."
        ),
        current_condition="Blocked cards at the end of the day: about 6 (flow analytics).",
        metric="blocked",
        target_value=4,
        target_date=change + timedelta(days=42),
        whys=[
            "Cards wait for the head roaster to sign off copy and claims.",
            "He reviews only when he has a free hour, about twice a week.",
            "Every post needs his sign-off, even routine ones.",
            "Nobody agreed which claims are safe to publish without him.",
        ],
        root_cause="No agreed list of pre-approved claims, so every post queues for one person.",
        countermeasures=[
            {
                "text": "A pre-approved claims list; only new claims go to the head roaster",
                "pros": "most posts skip the queue",
                "cons": "the list must be kept up to date",
            },
            {
                "text": "Fixed sign-off slots on Tuesday and Thursday mornings",
                "pros": "predictable waits",
                "cons": "still a queue for new claims",
            },
        ],
        window_days=WINDOW,
        **source,
    )
    _run(
        ctx,
        imp,
        do=change - timedelta(days=5),
        change=change,
        check=change + timedelta(days=WINDOW),
        act=change + timedelta(days=WINDOW + 2),
    )
    services.decide(
        imp,
        outcome="standardise",
        reason="Blocked cards fell and stayed down; the claims list is now part of the checklist.",
        actor=ctx.owner,
        at=_at(ctx, change + timedelta(days=WINDOW + 2), 16),
    )
    return imp


def being_checked(ctx: DemoContext, today: date) -> Improvement:
    change = today - timedelta(days=14)
    imp = services.start_improvement(
        ctx.workspace,
        actor=ctx.people[1],
        at=_at(ctx, change - timedelta(days=10)),
        title="Shorter wait for review",
        problem=(
            "Drafts wait a day or more in “Waiting for review”, and 85 % of cards take more "
            "than six weeks from Writing to Done."
        ),
        background="Raised at the stand-up: reviews pile up on Fridays.",
        current_condition="85th-percentile cycle time over the last four weeks (flow analytics).",
        metric="cycle_time",
        whys=[
            "Drafts wait for a reviewer.",
            "Reviews are done in one batch at the end of the week.",
            "Reviewing feels like an interruption, so people save it up.",
        ],
        root_cause="Reviews are batched weekly instead of pulled as they arrive.",
        countermeasures=[
            {
                "text": "Review before starting anything new (pull from the right)",
                "pros": "no new tool",
                "cons": "needs the habit",
            },
        ],
        window_days=28,
    )
    return _run(
        ctx,
        imp,
        do=change - timedelta(days=3),
        change=change,
        check=today - timedelta(days=1),
    )


def abandoned(ctx: DemoContext, today: date) -> Improvement:
    impediment = _impediment(ctx)
    source: dict[str, Any] = (
        {"source": "impediment", "source_id": impediment.pk} if impediment is not None else {}
    )
    start = today - timedelta(days=50)
    imp = services.start_improvement(
        ctx.workspace,
        actor=ctx.people[2],
        at=_at(ctx, start),
        title="Paid search landing form loses sign-ups",
        problem="One sign-up in five on the paid search landing page never reaches the list.",
        current_condition="Throughput of paid search cards is unaffected; sign-ups are not.",
        metric="throughput",
        countermeasures=[
            {"text": "Move the form to the shop's own page builder", "pros": "", "cons": "a week"}
        ],
        **source,
    )
    _run(ctx, imp, do=start + timedelta(days=4))
    services.decide(
        imp,
        outcome="abandon",
        reason="The agency fixed the form on their side; nothing left for us to improve.",
        actor=ctx.owner,
        at=_at(ctx, start + timedelta(days=9)),
    )
    return imp


def load(ctx: DemoContext) -> None:
    """Create this app's demo data in ``ctx.workspace`` (deterministic from ``ctx.seed``)."""
    today = ctx.now.astimezone(ZoneInfo(ctx.workspace.time_zone or "UTC")).date()
    abandoned(ctx, today)
    standardised(ctx, today)
    being_checked(ctx, today)
