"""This app's part of the Northwind demo; leanmark/demo/generator.py calls ``load(ctx)``.

Forty ideas in every state. The scores are chosen so the ranking tells a story: an expedite fix
on top, a few clear quick wins, big slow bets further down, and the "Holiday gift box
pre-orders" idea, whose fixed-date window opens eight days after the demo's "now" — rank the
backlog for a date a week or two ahead and watch it jump to the top. Three accepted ideas are
already on the board (linked to real demo cards), two carry "evidence changed" from a concluded
experiment, and the parked and rejected ones say why.
"""

from datetime import datetime, timedelta
from typing import Any

from leanmark.board import queries as board_queries
from leanmark.demo.context import DemoContext

from .services import HistoryIdea, ScoredAt, import_history

# title | stage | channel | tags | final status | reason (parked / rejected)
IDEAS: list[tuple[str, str, str, str, str, str, dict[str, Any]]] = [
    # ---- accepted, ranked by CD3 ---------------------------------------------------------------
    (
        "Fix the wrong delivery price on the checkout page",
        "buy",
        "seo",
        "incident",
        "accepted",
        "",
        {"cd3": ("expedite", 800, 0.5)},
    ),
    (
        "Holiday gift box pre-orders",
        "buy",
        "email",
        "seasonal,launch",
        "accepted",
        "",
        {"cd3": ("fixed_date", 600, 3, 35, 3000), "ice": (9, 7, 5)},
    ),
    (
        "Valentine's Day blend launch",
        "buy",
        "email",
        "seasonal,launch",
        "accepted",
        "",
        {"cd3": ("fixed_date", 500, 4, 84, 1800), "ice": (8, 6, 5)},
    ),
    (
        "Co-branded cups with the Harbour Street café",
        "know",
        "events",
        "partner",
        "accepted",
        "",
        {"cd3": ("fixed_date", 150, 2, 10, 400)},
    ),
    (
        "Subscription upsell on the order confirmation page",
        "repeat",
        "email",
        "subscription",
        "accepted",
        "",
        {"cd3": ("standard", 900, 1), "ice": (8, 8, 9)},
    ),
    (
        "Referral link in the account page",
        "refer",
        "email",
        "referral",
        "accepted",
        "",
        {"cd3": ("standard", 700, 2), "rice": (2000, 1, 80, 1)},
    ),
    (
        "Retargeting ads for abandoned subscription carts",
        "buy",
        "paid_search",
        "ads",
        "accepted",
        "",
        {"cd3": ("standard", 1200, 3), "rice": (800, 2, 50, 1)},
    ),
    (
        "Set up conversion tracking for the sample pack",
        "try",
        "paid_search",
        "analytics",
        "accepted",
        "",
        {"cd3": ("intangible", 400, 1, None, None, 21)},
    ),
    (
        "Wholesale brochure for offices",
        "trust",
        "email",
        "b2b",
        "accepted",
        "",
        {"cd3": ("standard", 1500, 6), "ice": (7, 5, 4)},
    ),
    (
        "Brew guide PDF for home baristas",
        "trust",
        "seo",
        "lead-magnet",
        "accepted",
        "",
        {"cd3": ("standard", 300, 2), "ice": (6, 7, 8)},
    ),
    # ---- evaluated, waiting for a decision ------------------------------------------------------
    (
        "Free sample pack for newsletter subscribers",
        "try",
        "email",
        "sampling",
        "evaluated",
        "",
        {"cd3": ("standard", 800, 2), "ice": (8, 5, 7)},
    ),
    (
        "Subject-line test for the sample offer",
        "try",
        "email",
        "sampling,test",
        "evaluated",
        "",
        {"ice": (6, 4, 9), "cd3": ("standard", 200, 1)},
    ),
    (
        "Podcast ad read on a local food show",
        "know",
        "social",
        "audio",
        "evaluated",
        "",
        {"cd3": ("standard", 450, 3), "rice": (5000, 0.5, 50, 1)},
    ),
    (
        "Latte art TikTok series",
        "know",
        "social",
        "video",
        "evaluated",
        "",
        {"ice": (7, 6, 8), "cd3": ("standard", 250, 4)},
    ),
    (
        "Office coffee trial for local businesses",
        "try",
        "events",
        "b2b",
        "evaluated",
        "",
        {"cd3": ("standard", 1000, 5), "rice": (120, 3, 80, 2)},
    ),
    (
        "Loyalty stamp card in the café",
        "repeat",
        "events",
        "loyalty",
        "evaluated",
        "",
        {"ice": (7, 8, 7), "cd3": ("standard", 350, 2)},
    ),
    (
        "Customer story: the bakery on Mill Lane",
        "trust",
        "social",
        "case-study",
        "evaluated",
        "",
        {"ice": (5, 7, 8), "cd3": ("standard", 120, 1)},
    ),
    (
        "Refresh meta descriptions on the brew guides",
        "know",
        "seo",
        "seo-hygiene",
        "evaluated",
        "",
        {"cd3": ("intangible", 200, 1, None, None, 60)},
    ),
    (
        "Spring origin webinar with the head roaster",
        "trust",
        "events",
        "webinar",
        "evaluated",
        "",
        {"cd3": ("fixed_date", 300, 3, 130, 900)},
    ),
    (
        "Google Ads test: 'espresso beans' keywords",
        "try",
        "paid_search",
        "ads,test",
        "evaluated",
        "",
        {"rice": (800, 1, 50, 0.5), "cd3": ("standard", 400, 2)},
    ),
    # ---- new, not scored yet --------------------------------------------------------------------
    ("Gift cards for corporate clients", "buy", "email", "b2b", "new", "", {}),
    ("Cold brew tasting at the farmers' market", "try", "events", "summer", "new", "", {}),
    ("Ask reviewers for a photo with their cup", "refer", "email", "reviews", "new", "", {}),
    ("Decaf range landing page", "know", "seo", "landing-page", "new", "", {}),
    ("Instagram collab with a ceramics studio", "like", "social", "partner", "new", "", {}),
    ("Win-back email for lapsed subscribers", "repeat", "email", "loyalty", "new", "", {}),
    ("Roastery tour video", "like", "social", "video", "new", "", {}),
    ("Coffee and cake pairing guide", "like", "seo", "content", "new", "", {}),
    # ---- parked and rejected, with the reason --------------------------------------------------
    (
        "Coffee festival stand in Leeds",
        "know",
        "events",
        "festival",
        "parked",
        "Stand fees doubled this year; revisit after the spring budget",
        {"ice": (7, 4, 3)},
    ),
    (
        "Branded delivery van wrap",
        "know",
        "events",
        "brand",
        "parked",
        "Wait until the lease renewal in March",
        {"cd3": ("standard", 200, 6)},
    ),
    (
        "Barista workshop series",
        "try",
        "events",
        "workshop",
        "parked",
        "No room on the board until the gift box ships",
        {"ice": (6, 6, 4)},
    ),
    (
        "Affiliate programme for coffee bloggers",
        "refer",
        "social",
        "referral",
        "parked",
        "Needs the referral link first",
        {"rice": (300, 1, 50, 2)},
    ),
    (
        "Print ad in the regional food magazine",
        "know",
        "social",
        "print",
        "parked",
        "Only if the podcast test works",
        {},
    ),
    (
        "Radio ad campaign",
        "know",
        "social",
        "audio",
        "rejected",
        "£8k for one week; our whole quarter's budget",
        {"ice": (6, 3, 2)},
    ),
    (
        "Daily discount codes on Instagram",
        "buy",
        "social",
        "discount",
        "rejected",
        "Trains customers to wait for discounts",
        {},
    ),
    (
        "Own coffee-shop app",
        "repeat",
        "seo",
        "app",
        "rejected",
        "Too big for a team of four; the loyalty card does the job",
        {"rice": (400, 2, 50, 12)},
    ),
    (
        "Cold-calling cafés",
        "buy",
        "events",
        "b2b",
        "rejected",
        "We tried it in 2024: 2 meetings from 150 calls",
        {"ice": (3, 8, 4)},
    ),
]
# Accepted ideas that are already cards on the board: (stage of the card to find, tags).
STARTED = 3
EVIDENCE = ("try", "email", "Experiment 'Sample pack subject lines' concluded: persevere")


def _scores(spec: dict[str, Any]) -> dict[str, dict[str, Any]]:
    scores: dict[str, dict[str, Any]] = {}
    if "ice" in spec:
        impact, confidence, ease = spec["ice"]
        scores["ice"] = {"impact": impact, "confidence": confidence, "ease": ease}
    if "rice" in spec:
        reach, impact, confidence, effort = spec["rice"]
        scores["rice"] = {
            "reach": reach,
            "impact": impact,
            "confidence": confidence,
            "effort": effort,
        }
    if "cd3" in spec:
        profile, rate, weeks, *rest = spec["cd3"]
        deadline_days, penalty, horizon_days = [*rest, None, None, None][:3]
        scores["cd3"] = {
            "profile": profile,
            "value_rate": rate,
            "duration_weeks": weeks,
            "deadline_days": deadline_days,
            "penalty": penalty,
            "horizon_days": horizon_days,
        }
    return scores


def _dated(values: dict[str, Any], now: datetime) -> dict[str, Any]:
    """Turn the deadline and horizon offsets (days from the demo's now) into dates."""
    dated = {k: v for k, v in values.items() if not k.endswith("_days")}
    if values.get("deadline_days") is not None:
        dated["deadline"] = (now + timedelta(days=values["deadline_days"])).date()
    if values.get("horizon_days") is not None:
        dated["horizon"] = (now + timedelta(days=values["horizon_days"])).date()
    return dated


def load(ctx: DemoContext) -> None:
    """Create this app's demo data in ``ctx.workspace`` (deterministic from ``ctx.seed``)."""
    rng = ctx.rng("backlog")
    now = ctx.now
    items: list[HistoryIdea] = []
    for title, stage, channel, tags, status, reason, spec in IDEAS:
        age = rng.randint(12, 110) if status != "new" else rng.randint(0, 20)
        created = now - timedelta(days=age, hours=rng.randint(0, 9), minutes=rng.randint(0, 59))
        author = rng.choice(ctx.workers)
        scorer = rng.choice(ctx.workers)
        scored_at = created + timedelta(days=rng.randint(1, min(10, age) or 1), hours=2)
        scored_at = min(scored_at, now - timedelta(hours=3))
        decided_at = min(
            scored_at + timedelta(days=rng.randint(0, 7), hours=1), now - timedelta(hours=2)
        )
        scores = [
            ScoredAt(model, _dated(values, now), scored_at + timedelta(minutes=i), scorer)
            for i, (model, values) in enumerate(_scores(spec).items())
        ]
        evidence = None
        if (stage, channel) == EVIDENCE[:2] and status in ("new", "evaluated", "accepted"):
            evidence = (now - timedelta(days=2), EVIDENCE[2])
        items.append(
            HistoryIdea(
                title=title,
                created_at=created,
                created_by=author,
                detail={
                    "stage": stage,
                    "channel": channel,
                    "tags": tags,
                    "source": rng.choice(
                        ("team meeting", "customer e-mail", "café staff", "competitor watch", "")
                    ),
                },
                scores=scores,
                status=status,
                status_at=decided_at,
                status_by=ctx.owner,
                reason=reason,
                evidence=evidence,
            )
        )
    items += _started(ctx)
    import_history(ctx.workspace, items)


def _started(ctx: DemoContext) -> list[HistoryIdea]:
    """Accepted ideas that became real demo cards: the idea is captured, scored and accepted a
    few days before its card was created, and linked to it."""
    rng = ctx.rng("backlog-started")
    cards = list(board_queries.staged_cards(ctx.board, lane="standard")[10:40:10][:STARTED])
    items = []
    for card in cards:
        created = card.created_at - timedelta(days=rng.randint(4, 9))
        items.append(
            HistoryIdea(
                title=card.title,
                created_at=created,
                created_by=rng.choice(ctx.workers),
                detail={"stage": card.stage, "channel": card.channel, "tags": ",".join(card.tags)},
                scores=[
                    ScoredAt(
                        "cd3",
                        {
                            "profile": "standard",
                            "value_rate": rng.choice((300, 500, 800)),
                            "duration_weeks": rng.choice((1, 2, 3)),
                        },
                        created + timedelta(days=1),
                        ctx.owner,
                    )
                ],
                status="accepted",
                status_at=created + timedelta(days=2),
                status_by=ctx.owner,
                card=card,
            )
        )
    return items
