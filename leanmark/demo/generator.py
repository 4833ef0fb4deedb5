"""The Northwind Coffee Roasters demo workspace (docs/product.md §14), generated from a seed.

Two halves. ``simulate()`` is plain Python (it touches no Django API): a day-by-day simulation
of the marketing board driven by ``random.Random(seed)``, returning every card with its full event
history as dataclasses. ``load_demo()`` creates the people and the board through the services,
then writes the simulated cards and events with bulk inserts, all in one transaction.

The cards' cached fields (column, started/finished, blocked, version, position) are derived from
the simulated events afterwards, with the same ``item_times`` the flow metrics use, so the board
and every chart computed from the events tell the same story.
"""

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from leanmark.accounts.models import Membership, User, Workspace
from leanmark.accounts.services import audit, create_user, create_workspace
from leanmark.backlog import demo as backlog_demo
from leanmark.board.services import (
    ColumnSpec,
    HistoryCard,
    HistoryEvent,
    create_board,
    delete_cards_of,
    import_history,
)
from leanmark.channeldata import demo as channeldata_demo
from leanmark.dashboard import demo as dashboard_demo
from leanmark.demo.context import DemoContext
from leanmark.domain.flow import Move, item_times
from leanmark.experiments import demo as experiments_demo
from leanmark.improvement import demo as improvement_demo
from leanmark.roi import demo as roi_demo
from leanmark.standups import demo as standups_demo
from leanmark.valuestream import demo as valuestream_demo

if TYPE_CHECKING:  # annotations only: the board's rows are written through its services
    from leanmark.board.models import Board, Column

# ---- the demo cast and board --------------------------------------------------------------------

DEMO_WORKSPACE_NAME = "Northwind Coffee Roasters"
DEMO_BOARD_NAME = "Marketing"
# Documented demo passwords (printed by `make run`); set without the password validators.
DEMO_PEOPLE: list[tuple[str, str, str, str]] = [
    ("olivia@northwind.example", "Olivia Bennett", "owner", "northwind-olivia"),
    ("marco@northwind.example", "Marco Rossi", "member", "northwind-marco"),
    ("priya@northwind.example", "Priya Shah", "member", "northwind-priya"),
    ("sam@northwind.example", "Sam Carter", "viewer", "northwind-sam"),
]
WORKERS = (0, 1, 2)  # indexes into DEMO_PEOPLE: everyone but the viewer does the work
WORKER_WEIGHTS = (2, 4, 4)  # the owner takes fewer cards than the two members


@dataclass(frozen=True)
class ColumnPlan:
    name: str
    kind: str
    limit: int | None = None
    policy: str = "soft"
    per_person: int | None = None


COLUMNS = (
    ColumnPlan("Ready", "queue", 8),
    ColumnPlan("Writing", "active", 3, "hard", 2),
    ColumnPlan("Waiting for review", "queue", 4),
    ColumnPlan("Design", "active", 3),
    ColumnPlan("Scheduled", "queue", 6),
    ColumnPlan("Live", "active", 6),
    ColumnPlan("Measuring", "queue"),
    ColumnPlan("Done", "queue"),
)
READY, WRITING, REVIEW, DESIGN, SCHEDULED, LIVE, MEASURING, DONE = range(len(COLUMNS))
START, FINISH = WRITING, DONE
EXPEDITE_LIMIT = 1

# ---- simulation parameters (tuned so a 120-day run ends with ~130 of ~200 cards done) -----------

HISTORY_DAYS = 120
WEEKEND_WORK = 0.08  # chance that someone works on a Saturday or Sunday
DAILY_IDEAS = (1, 2, 2, 2, 3, 3)  # new ideas per working day, drawn uniformly
FIRST_DAY_CARDS = 8  # the team fills Ready when it starts using the board
# Cards move in two rounds a day (morning and afternoon), so durations are counted in half days.
TICKS_PER_DAY = 2  # the number of move_round() calls in run_day()
# Half days a card stays in a column before it can move on: (choices, weights).
DWELL = {
    READY: ((0,), (1,)),
    WRITING: ((1, 2, 3, 4, 6), (42, 35, 14, 6, 3)),
    REVIEW: ((1, 2, 3), (50, 35, 15)),
    DESIGN: ((1, 2, 3, 4), (30, 40, 20, 10)),
    SCHEDULED: ((1, 2, 3, 4, 6), (20, 30, 25, 15, 10)),
    LIVE: ((2, 3, 4, 6, 8), (25, 25, 25, 15, 10)),
    MEASURING: (tuple(range(20, 81)), tuple(range(61, 0, -1))),  # results take 2-8 weeks
    DONE: ((0,), (1,)),
}
START_BEFORE_DUE = timedelta(days=14)  # fixed-date work is started two weeks before its date
PROMOTION = timedelta(days=5)  # and goes live five days before it
REWORK_CHANCE = 0.10  # review sends the card back to Writing
BLOCK_CHANCE = 0.015  # per card in progress per working day
BLOCK_DAYS = (1, 6)  # working days until it is unblocked
OVERRIDE_CHANCE = 0.08  # a standard card waiting at a full soft limit goes over it anyway
DUE_SOON_OVERRIDE_CHANCE = 0.6  # the same for fixed-date work due within a week
DROP_CHANCE = 0.05  # per day: the oldest stale card in Ready is archived
CLEAR_DONE_CHANCE = 0.08  # per day: an old card in Done is archived
MIN_BLOCKED_AT_END = 2  # topped up on the last day, so the board shows some trouble
LANES = (("standard", 0.74), ("fixed_date", 0.14), ("intangible", 0.10), ("expedite", 0.02))
LANE_RANK = {"expedite": 0, "fixed_date": 1, "standard": 2, "intangible": 3}
ESTIMATES = (2, 3, 4, 6, 8, 12, 16)  # hours

ANY_BLOCKER = (
    "waiting for sign-off from the head roaster",
    "legal review of claims",
    "waiting for product photos",
)
BLOCKERS = {
    "email": ("email platform sending limit reached", "discount code not set up in the shop"),
    "social": ("waiting for the video edit", "ambassador hasn't sent the footage"),
    "seo": ("developer needed for the page template", "analytics tag missing on the page"),
    "events": ("venue not confirmed", "importer hasn't confirmed the tasting lot"),
    "paid_search": ("ad account suspended", "landing page form not submitting"),
}
OVERRIDE_REASONS = (
    "Olivia agreed: the review backlog clears tomorrow",
    "campaign already paid for, it cannot slip",
    "small change, in and out the same day",
    "wholesale partner asked for it this week",
    "pairing on it to finish faster",
)

# ---- card templates: title | hourglass stage | channel | tags | description -------------------


@dataclass(frozen=True)
class Template:
    title: str
    stage: str
    channel: str
    tags: tuple[str, ...]
    description: str


def templates(table: str) -> tuple[Template, ...]:
    """Parse one template a line: ``title | stage | channel | tag,tag | description``."""
    rows = []
    for line in table.strip().splitlines():
        title, stage, channel, tags, description = (part.strip() for part in line.split("|"))
        rows.append(Template(title, stage, channel, tuple(tags.split(",")), description))
    return tuple(rows)


STANDARD = templates("""
Blog post: how to brew {brew} at home | know | seo | brew-guide | A step-by-step guide with photos, ranking for '{brew} at home'.
Blog post: meet the growers of {origin} | like | seo | origin | Interview and photos from our sourcing trip.
Instagram reel: {brew} in 30 seconds | know | social | video | Short vertical video; hook in the first two seconds.
Instagram carousel: {origin} harvest photos | like | social | origin | Eight slides from farm to roaster.
TikTok: latte art with our {product} | know | social | video | Film with the café team on a quiet morning.
SEO page: best coffee for {brew} | know | seo | landing-page | Target the 'best coffee for {brew}' cluster; link to the shop.
SEO page: {product} | buy | seo | landing-page | Product page copy, FAQ and structured data.
Newsletter: {month} roast of the month, {origin} | repeat | email | newsletter | Tasting notes, brew recipe and a subscriber discount.
Newsletter: {brew} tips for {segment} | like | email | newsletter | Three practical tips and one product link.
Loyalty email: every 10th bag free for {segment} | repeat | email | loyalty | Explain the stamp card and show each reader's progress.
Win-back email for lapsed {segment} | repeat | email | loyalty | Send to people with no order in 90 days.
Welcome series: email {n} for new subscribers | like | email | onboarding | Part of the five-email welcome journey.
Referral programme: give £5, get £5 for {segment} | refer | email | referral | Referral link in the account page and the order confirmation.
Review request email after {product} orders | refer | email | reviews | Ask ten days after delivery; link straight to the review form.
Customer story: {segment} in {city} | trust | social | case-study | Quote, photo and the numbers they shared with us.
Google Ads: {product} search campaign | buy | paid_search | ads | Exact and phrase match; budget £20 a day to start.
Google Ads: '{brew} coffee' keyword test | try | paid_search | ads | Two-week test against the sample pack landing page.
Free sample pack offer for {segment} | try | email | sampling | Three 50 g bags, free postage, one per household.
Landing page: {product} trial offer | try | seo | landing-page | One offer, one form, no navigation.
Brew guide PDF: {brew} for {segment} | trust | seo | lead-magnet | Downloadable guide in exchange for an e-mail address.
Ambassador kit for {segment} | refer | social | referral | Discount codes, photo pack and posting guidelines.
Retargeting ads for abandoned {product} carts | buy | paid_search | ads | Show the exact product left in the cart, for seven days.
""")  # noqa: E501 (one template a line reads better than wrapped ones)
FIXED_DATE = templates("""
Webinar: cupping {origin} with our head roaster | trust | events | webinar | Send the tasting kit a week before; record it for the blog.
Tasting event: {city} pop-up | try | events | tasting | Saturday pop-up with a partner café; collect sign-ups on an iPad.
Barista workshop in {city} | try | events | workshop | Twelve places: milk steaming and latte art basics.
{season} launch: {product} | buy | email | launch,seasonal | Launch email, social posts and a homepage banner on the same day.
Coffee festival stand in {city} | know | events | festival | Stand design, sampling rota and a QR code to the sample offer.
{month} newsletter: subscriber-only {origin} release | repeat | email | newsletter | Limited lot; subscribers get 48 hours before everyone else.
""")  # noqa: E501
INTANGIBLE = templates("""
Tidy the email list: remove bounced {segment} | repeat | email | housekeeping | Improves deliverability; no visible change.
Update the photo library for {product} | like | social | housekeeping | New studio shots, tagged and filed.
Refresh meta descriptions on {brew} pages | know | seo | seo-hygiene | Rewrite the ten weakest snippets.
Set up conversion tracking for {product} | buy | paid_search | analytics | So the ads report sales, not clicks.
Audit {city} local listings | know | seo | local-seo | Opening hours, photos and categories on every map listing.
""")  # noqa: E501
EXPEDITE = templates("""
Urgent: wrong price on the {product} ad | buy | paid_search | incident | The ad shows last year's price; customers are complaining.
Urgent: broken checkout link in the {month} newsletter | repeat | email | incident | Send a correction and fix the template.
Urgent: reply to the viral complaint about {product} | trust | social | incident | Agree the reply with Olivia within the hour.
""")  # noqa: E501
TEMPLATES = {
    "standard": STANDARD,
    "fixed_date": FIXED_DATE,
    "intangible": INTANGIBLE,
    "expedite": EXPEDITE,
}
WORDS = {
    "origin": (
        "Ethiopia Yirgacheffe",
        "Colombia Huila",
        "Kenya Nyeri",
        "Guatemala Antigua",
        "Brazil Cerrado",
        "Sumatra Mandheling",
        "Costa Rica Tarrazú",
        "Rwanda Kivu",
    ),
    "brew": (
        "pour-over",
        "AeroPress",
        "French press",
        "cold brew",
        "moka pot",
        "espresso",
        "Chemex",
        "batch brew",
    ),
    "product": (
        "house espresso blend",
        "Swiss water decaf",
        "single-origin subscription",
        "cold brew concentrate",
        "gift box",
        "office coffee plan",
        "seasonal blend",
    ),
    "segment": (
        "subscribers",
        "café partners",
        "office managers",
        "first-time buyers",
        "home baristas",
        "gift buyers",
    ),
    "city": ("Leeds", "Manchester", "Bristol", "Edinburgh", "Brighton", "York", "Glasgow"),
}
EXTRA_TAGS = ("espresso", "subscription", "wholesale", "gifting", "sustainability")
SEASONS = {
    12: "Winter",
    1: "Winter",
    2: "Spring",
    3: "Spring",
    4: "Spring",
    5: "Summer",
    6: "Summer",
    7: "Summer",
    8: "Autumn",
    9: "Autumn",
    10: "Autumn",
    11: "Winter",
}


# ---- the simulated history ----------------------------------------------------------------------


UNSTAMPED = datetime.min.replace(tzinfo=UTC)


@dataclass
class SimEvent:
    kind: str  # a CardEvent.Kind value
    actor: int  # index into DEMO_PEOPLE
    to_column: int | None = None
    from_column: int | None = None
    reason: str = ""
    at: datetime = UNSTAMPED  # stamped at the end of its day


@dataclass(eq=False)  # a card is an entity: two cards are never "equal"
class SimCard:
    title: str
    description: str
    lane: str
    stage: str
    channel: str
    tags: list[str]
    assignees: tuple[int, ...]
    estimate: Decimal | None
    number: int = 0
    due_date: date | None = None
    events: list[SimEvent] = field(default_factory=list)
    # simulation state
    column: int = READY
    entered_tick: int = 0
    dwell: int = 0
    blocked_reason: str = ""
    unblock_tick: int = 0
    archived: bool = False
    # cached fields, derived from the events by settle()
    created_at: datetime | None = None
    column_entered_at: datetime | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    blocked_since: datetime | None = None
    archived_at: datetime | None = None
    version: int = 1
    position: int = 0


@dataclass(frozen=True)
class Window:
    """The working hours of one simulated day."""

    start: datetime
    end: datetime


def working_windows(rng: random.Random, now: datetime) -> list[Window | None]:
    """One entry per calendar day ending today: the hours worked (9:00-18:00), or None."""
    first = now.date() - timedelta(days=HISTORY_DAYS - 1)
    windows: list[Window | None] = []
    for offset in range(HISTORY_DAYS):
        day = first + timedelta(days=offset)
        worked = day.weekday() < 5 or rng.random() < WEEKEND_WORK
        start = datetime.combine(day, time(9), tzinfo=UTC)
        end = min(start + timedelta(hours=9), now - timedelta(minutes=1))
        windows.append(Window(start, end) if worked and end - start >= timedelta(hours=1) else None)
    return windows


class Simulation:
    """The board, one working day at a time. Each day's events get times in its working hours."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.cards: list[SimCard] = []
        self.backlog: list[SimCard] = []
        self.titles: set[str] = set()
        self.tick = 0
        self.days_worked = 0
        self.date = date.min
        self.today: list[list[SimEvent]] = []

    # -- a day --

    def run_day(self, window: Window, *, last: bool) -> None:
        self.date, self.today = window.start.date(), []
        self.unblock_due()
        self.move_round()
        self.block_some(MIN_BLOCKED_AT_END if last else 0)  # trouble shows up around midday
        self.move_round()
        self.arrive(FIRST_DAY_CARDS if self.days_worked == 0 else self.arrivals())
        self.archive_some()
        self.stamp(window)
        self.days_worked += 1

    def move_round(self) -> None:
        """Pull work rightwards, emptying the later columns first."""
        self.tick += 1
        for column in range(MEASURING, READY - 1, -1):
            self.advance(column)

    def stamp(self, window: Window) -> None:
        """Give the day's actions increasing, distinct times; events of one action share it."""
        seconds = int((window.end - window.start).total_seconds())
        offsets = sorted(self.rng.sample(range(seconds), len(self.today)))
        for action, offset in zip(self.today, offsets, strict=True):
            for event in action:
                event.at = window.start + timedelta(seconds=offset)

    def record(self, card: SimCard, *events: SimEvent) -> None:
        card.events.extend(events)
        self.today.append(list(events))

    def actor(self, card: SimCard) -> int:
        return self.rng.choice(card.assignees)

    # -- counting --

    def live_in(self, column: int) -> list[SimCard]:
        return [c for c in self.cards if c.column == column and not c.archived]

    def held_by(self, person: int, column: int) -> int:
        return sum(person in c.assignees for c in self.live_in(column))

    def expedite_in_progress(self) -> int:
        return sum(
            c.lane == "expedite" and START <= c.column < FINISH and not c.archived
            for c in self.cards
        )

    # -- moving right --

    def advance(self, column: int) -> None:
        leaving = [c for c in self.live_in(column) if self.can_leave(c)]
        for card in sorted(leaving, key=priority):
            target = self.target(card)
            reason = self.admission(card, target)
            if reason is not None:
                self.move(card, target, reason)

    def can_leave(self, card: SimCard) -> bool:
        if card.column == DONE or card.blocked_reason or self.tick - card.entered_tick < card.dwell:
            return False
        if card.due_date is not None and card.column in (READY, SCHEDULED):
            lead = START_BEFORE_DUE if card.column == READY else PROMOTION
            return self.date >= card.due_date - lead  # not too early: at the right moment
        return True

    def target(self, card: SimCard) -> int:
        if card.column == REVIEW and self.rng.random() < REWORK_CHANCE:
            return WRITING  # the reviewer asked for changes
        if card.column == REVIEW and (card.channel == "seo" or card.lane == "intangible"):
            return SCHEDULED  # text-only work needs no design
        if card.column == LIVE and card.lane == "expedite":
            return DONE  # a fix has nothing to measure
        return card.column + 1

    def admission(self, card: SimCard, target: int) -> str | None:
        """None: the card must wait; "": it fits; otherwise the reason for a soft override."""
        plan = COLUMNS[target]
        full = plan.limit is not None and len(self.live_in(target)) >= plan.limit
        person_full = plan.per_person is not None and any(
            self.held_by(p, target) >= plan.per_person for p in card.assignees
        )
        if self.expedite_blocked(card, target):
            return None
        if not (full or person_full):
            return ""
        return None if plan.policy == "hard" else self.override_reason(card)

    def expedite_blocked(self, card: SimCard, target: int) -> bool:
        entering = card.lane == "expedite" and START <= target < FINISH
        already = START <= card.column < FINISH
        return entering and not already and self.expedite_in_progress() >= EXPEDITE_LIMIT

    def override_reason(self, card: SimCard) -> str | None:
        if card.lane == "expedite":
            return "expedite: customers are affected right now"
        due = card.due_date
        if due is not None and due - self.date <= timedelta(days=7):
            if self.rng.random() < DUE_SOON_OVERRIDE_CHANCE:
                return f"fixed date: due on {due.day} {due:%b}"
        elif self.rng.random() < OVERRIDE_CHANCE:
            return self.rng.choice(OVERRIDE_REASONS)
        return None

    def move(self, card: SimCard, target: int, reason: str) -> None:
        actor = self.actor(card)
        events = [SimEvent("moved", actor, to_column=target, from_column=card.column)]
        if reason:
            events.append(SimEvent("wip_override", actor, to_column=target, reason=reason))
        self.record(card, *events)
        card.column, card.entered_tick, card.dwell = target, self.tick, self.dwell(target)

    def dwell(self, column: int) -> int:
        choices, weights = DWELL[column]
        return self.rng.choices(choices, weights=weights)[0]

    # -- new cards --

    def arrivals(self) -> int:
        return self.rng.choice(DAILY_IDEAS)

    def arrive(self, count: int) -> None:
        self.backlog.extend(self.new_card() for _ in range(count))
        self.backlog.sort(key=lambda c: LANE_RANK[c.lane])
        waiting = []
        for card in self.backlog:
            reason = self.admission_to_ready(card)
            if reason is None:
                waiting.append(card)
            else:
                self.create(card, reason)
        self.backlog = waiting

    def admission_to_ready(self, card: SimCard) -> str | None:
        """Like admission(); routine ideas stay in the backlog while Ready is full."""
        if len(self.live_in(READY)) < (COLUMNS[READY].limit or 0):
            return ""
        if card.lane in ("expedite", "fixed_date"):
            return self.override_reason(card)
        return None

    def create(self, card: SimCard, reason: str) -> None:
        card.number = len(self.cards) + 1
        card.entered_tick = self.tick
        actor = self.actor(card)
        events = [SimEvent("created", actor, to_column=READY)]
        if reason:
            events.append(SimEvent("wip_override", actor, to_column=READY, reason=reason))
        self.record(card, *events)
        self.cards.append(card)

    def new_card(self) -> SimCard:
        lane = self.rng.choices([n for n, _ in LANES], weights=[w for _, w in LANES])[0]
        template, title, description = self.unique_title(lane)
        tags = list(template.tags)
        if self.rng.random() < 0.3:
            tags.append(self.rng.choice(EXTRA_TAGS))
        estimate = Decimal(self.rng.choice(ESTIMATES)) if self.rng.random() < 0.55 else None
        due = self.date + timedelta(days=self.rng.randint(10, 24)) if lane == "fixed_date" else None
        return SimCard(
            title=title,
            description=description,
            lane=lane,
            stage=template.stage,
            channel=template.channel,
            tags=tags,
            assignees=self.people(),
            estimate=estimate,
            due_date=due,
        )

    def people(self) -> tuple[int, ...]:
        """One or two assignees, never the viewer."""
        first = self.rng.choices(WORKERS, weights=WORKER_WEIGHTS)[0]
        if self.rng.random() >= 0.3:
            return (first,)
        second = self.rng.choice([p for p in WORKERS if p != first])
        return tuple(sorted((first, second)))

    def unique_title(self, lane: str) -> tuple[Template, str, str]:
        """A template filled in with words, its title and description; avoids repeated titles."""
        for _ in range(6):
            template, words = self.rng.choice(TEMPLATES[lane]), self.words()
            title = template.title.format(**words)
            if title not in self.titles:
                break
        else:
            title = f"{title} (follow-up)"
        self.titles.add(title)
        return template, title[0].upper() + title[1:], template.description.format(**words)

    def words(self) -> dict[str, str]:
        chosen = {name: self.rng.choice(options) for name, options in WORDS.items()}
        month = self.date + timedelta(days=20)
        return {
            **chosen,
            "month": f"{month:%B}",
            "season": SEASONS[month.month],
            "n": str(self.rng.randint(2, 5)),
        }

    # -- blocking and archiving --

    def unblock_due(self) -> None:
        for card in self.cards:
            if card.blocked_reason and card.unblock_tick <= self.tick:
                event = SimEvent("unblocked", self.actor(card), reason=card.blocked_reason)
                self.record(card, event)
                card.blocked_reason = ""

    def block_some(self, at_least: int) -> None:
        candidates = [
            c
            for c in self.cards
            if START <= c.column < FINISH and not c.archived and not c.blocked_reason
        ]
        hits = [self.rng.random() < BLOCK_CHANCE for _ in candidates]
        chosen = [c for c, hit in zip(candidates, hits, strict=True) if hit]
        rest = [c for c, hit in zip(candidates, hits, strict=True) if not hit]
        missing = at_least - sum(bool(c.blocked_reason) for c in self.cards) - len(chosen)
        chosen += self.rng.sample(rest, max(0, min(missing, len(rest))))  # so the end shows some
        for card in chosen:
            self.block(card)

    def block(self, card: SimCard) -> None:
        card.blocked_reason = self.rng.choice((*ANY_BLOCKER, *BLOCKERS[card.channel]))
        card.unblock_tick = self.tick + TICKS_PER_DAY * self.rng.randint(*BLOCK_DAYS)
        self.record(card, SimEvent("blocked", self.actor(card), reason=card.blocked_reason))

    def archive_some(self) -> None:
        stale = [c for c in self.live_in(READY) if self.tick - c.entered_tick > 10 * TICKS_PER_DAY]
        if stale and self.rng.random() < DROP_CHANCE:
            self.archive(min(stale, key=lambda c: c.entered_tick))
        old = [c for c in self.live_in(DONE) if self.tick - c.entered_tick > 30 * TICKS_PER_DAY]
        if old and self.rng.random() < CLEAR_DONE_CHANCE:
            self.archive(min(old, key=lambda c: c.entered_tick))

    def archive(self, card: SimCard) -> None:
        card.archived = True
        self.record(card, SimEvent("archived", self.actor(card)))


def priority(card: SimCard) -> tuple[int, date, int, int]:
    """Expedite first, then fixed dates by due date, then first in, first out."""
    return (LANE_RANK[card.lane], card.due_date or date.max, card.entered_tick, card.number)


def simulate(
    *, seed: int, now: datetime, on_day: Callable[[int], None] | None = None
) -> list[SimCard]:
    """The board's whole history over the HISTORY_DAYS calendar days that end at ``now``."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    rng = random.Random(seed)
    sim = Simulation(rng)
    windows = working_windows(rng, now.astimezone(UTC))
    last = max(i for i, w in enumerate(windows) if w is not None)
    for index, window in enumerate(windows):
        if window is not None:
            sim.run_day(window, last=index == last)
        if on_day is not None:
            on_day(index + 1)
    return settle(sim.cards)


def settle(cards: list[SimCard]) -> list[SimCard]:
    """Fill every card's cached fields from its events, then number positions within each cell."""
    for card in cards:
        settle_card(card)
    cells: dict[tuple[int, str], list[SimCard]] = {}
    for card in cards:
        cells.setdefault((card.column, card.lane), []).append(card)
    for cell in cells.values():
        ordered = sorted(cell, key=lambda c: (c.archived, c.column_entered_at, c.number))
        for position, card in enumerate(ordered):
            card.position = position
    return cards


def settle_card(card: SimCard) -> None:
    entries = [e for e in card.events if e.kind in ("created", "moved")]
    moves = [Move(e.at, e.to_column) for e in entries if e.to_column is not None]
    times = item_times(entries[0].at, moves, start_index=START, done_index=FINISH)
    card.created_at, card.column_entered_at = entries[0].at, entries[-1].at
    card.started_at, card.finished_at = times.started, times.finished
    card.blocked_since = None
    for event in card.events:
        if event.kind == "blocked":
            card.blocked_since = event.at
        elif event.kind == "unblocked":
            card.blocked_since = None
        elif event.kind == "archived":
            card.archived_at = event.at
    # Like the services: one version per write; an override is part of its move's write.
    card.version = 1 + sum(e.kind not in ("created", "wip_override") for e in card.events)


# ---- writing it -------------------------------------------------------------------------------

DEMO_EMAILS = [email for email, *_ in DEMO_PEOPLE]
# Each capability's part of the demo (its ``demo.load(ctx)``), in dependency order. Flow and
# integrations have none: flow's charts read the board history written above. The marketing
# data imports the ad platforms' spend the ROI part leaves to it (and needs its currency), and
# ROI's plan for this month is fitted from all the spend, so it comes after both.
DEMO_PARTS: tuple[Callable[[DemoContext], None], ...] = (
    backlog_demo.load,
    experiments_demo.load,
    standups_demo.load,
    valuestream_demo.load,
    dashboard_demo.load,
    roi_demo.load,
    channeldata_demo.load,
    experiments_demo.load_fed,  # reads the Meta ad sets channeldata imported
    roi_demo.plan,
    improvement_demo.load,
)
ProgressCallback = Callable[[int, int], None]


class DemoExists(Exception):
    """The demo workspace, or one of its users, is already there."""


class Steps:
    """Counts finished steps and reports them as ``progress(done, total)``."""

    # people, board, simulated days, writes, one step per app's part, and the files imported
    TOTAL = len(DEMO_PEOPLE) + 1 + HISTORY_DAYS + 3 + len(DEMO_PARTS) + channeldata_demo.FILES

    def __init__(self, progress: ProgressCallback | None) -> None:
        self.progress = progress
        self.done = 0

    def step(self) -> None:
        self.done += 1
        if self.progress is not None:
            self.progress(self.done, self.TOTAL)


def demo_workspaces() -> QuerySet[Workspace]:
    return Workspace.objects.filter(
        name=DEMO_WORKSPACE_NAME, memberships__user__username__in=DEMO_EMAILS
    )


def demo_exists() -> bool:
    return User.objects.filter(username__in=DEMO_EMAILS).exists() or demo_workspaces().exists()


def delete_demo() -> None:
    """Delete the demo workspace (with its board, cards and events) and the four demo users."""
    ids = set(demo_workspaces().values_list("pk", flat=True))
    # Cards first: Card.column is PROTECT, which stops a cascade from the workspace reaching them.
    delete_cards_of(ids)
    Workspace.objects.filter(pk__in=ids).delete()
    User.objects.filter(username__in=DEMO_EMAILS).delete()


def load_demo(
    *,
    seed: int = 42,
    now: datetime | None = None,
    reset: bool = False,
    progress: ProgressCallback | None = None,
) -> Workspace:
    """Create the Northwind demo: the same seed and ``now`` always give the same workspace."""
    now = timezone.now() if now is None else now
    if timezone.is_naive(now):
        raise ValueError("now must be timezone-aware")
    steps = Steps(progress)
    with transaction.atomic():
        if demo_exists():
            if not reset:
                raise DemoExists(
                    f"the demo workspace {DEMO_WORKSPACE_NAME!r} (or one of its users) already "
                    "exists; reset deletes it and generates it again"
                )
            delete_demo()
        users = create_people(steps)
        workspace = create_demo_workspace(users, seed)
        board = create_demo_board(workspace)
        steps.step()
        cards = simulate(seed=seed, now=now, on_day=lambda _: steps.step())
        write_history(board, users, cards, steps)
        context = DemoContext(
            workspace=workspace, board=board, people=users, now=now, seed=seed, step=steps.step
        )
        for part in DEMO_PARTS:
            part(context)
            steps.step()
    return workspace


def create_people(steps: Steps) -> list[User]:
    users = []
    for email, name, _role, password in DEMO_PEOPLE:
        users.append(create_user(email=email, password=password, display_name=name, validate=False))
        steps.step()
    return users


def create_demo_workspace(users: list[User], seed: int) -> Workspace:
    workspace = create_workspace(name=DEMO_WORKSPACE_NAME, owner=users[0])
    for user, (_email, _name, role, _password) in zip(users, DEMO_PEOPLE, strict=True):
        if user != users[0]:
            Membership.objects.create(workspace=workspace, user=user, role=role)
    audit(workspace, users[0], "demo.loaded", f"demo workspace generated from seed {seed}")
    return workspace


def create_demo_board(workspace: Workspace) -> "Board":
    specs = [ColumnSpec(c.name, c.kind, c.limit, c.policy, c.per_person) for c in COLUMNS]
    return create_board(
        workspace, DEMO_BOARD_NAME, specs, start=COLUMNS[START].name, done=COLUMNS[FINISH].name
    )


def write_history(board: "Board", users: list[User], cards: list[SimCard], steps: Steps) -> None:
    """The simulated cards and events, through the board's history import."""
    columns = list(board.columns.order_by("position"))
    items = [
        HistoryCard(
            title=card.title,
            description=card.description,
            lane=card.lane,
            stage=card.stage,
            channel=card.channel,
            tags=card.tags,
            estimate=card.estimate,
            due_date=card.due_date,
            assignees=[users[person] for person in card.assignees],
            number=card.number,
            events=[
                HistoryEvent(
                    kind=event.kind,
                    at=event.at,
                    actor=users[event.actor],
                    to_column=column_at(columns, event.to_column),
                    from_column=column_at(columns, event.from_column),
                    reason=event.reason,
                )
                for event in card.events
            ],
        )
        for card in cards
    ]
    import_history(board, items)
    for _ in range(3):
        steps.step()


def column_at(columns: "list[Column]", index: int | None) -> "Column | None":
    return None if index is None else columns[index]
