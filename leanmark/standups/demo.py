"""This app's part of the Northwind demo; leanmark/demo/generator.py calls ``load(ctx)``.

Check-ins for the last 10 working days, written from what the board's history says each person
did (cards they moved the working day before, cards they hold, cards blocked on them), two open
impediments and one resolved, and today's agenda kept as if the stand-up had been started.
"""

from datetime import date, datetime, time, timedelta

from leanmark.board import queries as board_queries
from leanmark.board.choices import EventKind
from leanmark.demo.context import DemoContext

from . import queries, services

WORKING_DAYS = 10
DONE_VERBS = {
    "Writing": "started writing",
    "Waiting for review": "sent for review",
    "Design": "moved into design",
    "Scheduled": "scheduled",
    "Live": "put live",
    "Measuring": "started measuring",
    "Done": "finished",
}
PLANS = (
    "keep going on #{n} {t}",
    "finish #{n} {t}",
    "review the copy of #{n} {t}",
    "pair with the designer on #{n} {t}",
)


def working_days(last: date, count: int) -> list[date]:
    days: list[date] = []
    day = last
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day)
        day -= timedelta(days=1)
    return sorted(days)


def load(ctx: DemoContext) -> None:
    """Create this app's demo data in ``ctx.workspace`` (deterministic from ``ctx.seed``)."""
    rng = ctx.rng("standups")
    workspace, board = ctx.workspace, ctx.board
    today = queries.local_day(workspace, ctx.now)
    days = working_days(today, WORKING_DAYS)
    since = datetime.combine(days[0] - timedelta(days=4), time.min, tzinfo=ctx.now.tzinfo)
    moves = board_queries.events_between(board, EventKind.MOVED, since=since, until=ctx.now)
    blocks = board_queries.events_between(board, EventKind.BLOCKED, since=since, until=ctx.now)
    holders = board_queries.assignee_ids(board)
    tz = queries.zone(workspace)
    entries = {}
    for index, day in enumerate(days):
        previous = (
            days[index - 1] if index else day - timedelta(days=3 if day.weekday() == 0 else 1)
        )
        for person in ctx.workers:
            if day != today and rng.random() < 0.12:
                continue  # people forget now and then; the history shows who did not check in
            did = [
                e
                for e in moves
                if e.at.astimezone(tz).date() == previous
                and person.pk in holders.get(e.card_id, ())
            ]
            did = list({e.card_id: e for e in did}.values())  # each card once, its last move
            yesterday = "; ".join(
                f"{DONE_VERBS.get(e.to_column.name, 'moved')} #{e.card.number} {e.card.title}"
                for e in did[:3]
            ) or rng.choice(("reviewed the numbers of last week", "caught up on comments"))
            held = [
                e.card
                for e in moves
                if e.at.astimezone(tz).date() <= day and person.pk in holders.get(e.card_id, ())
            ]
            plan = (
                rng.choice(PLANS).format(n=held[-1].number, t=held[-1].title)
                if held
                else "pick the next card from Ready"
            )
            blocked = [
                e
                for e in blocks
                if previous <= e.at.astimezone(tz).date() <= day
                and person.pk in holders.get(e.card_id, ())
            ]
            blockers = (
                f"#{blocked[0].card.number} is blocked: {blocked[0].reason}" if blocked else ""
            )
            at = datetime.combine(day, time(8, 40), tzinfo=tz) + timedelta(
                minutes=rng.randint(0, 50)
            )
            entries[(day, person.pk)] = services.check_in(
                workspace,
                member=person,
                actor=person,
                yesterday=yesterday[:2000],
                today=plan,
                blockers=blockers,
                now=min(at, ctx.now),
            )
    owner, marco, priya = ctx.workers
    blocked_now = board_queries.blocked_cards(board)
    if blocked_now:
        card = blocked_now[0]
        held_by = [p for p in ctx.workers if p.pk in holders.get(card.pk, ())] or [owner]
        entry = next(
            (
                e
                for (d, p), e in sorted(entries.items())
                if p == held_by[0].pk and e.blockers and f"#{card.number}" in e.blockers
            ),
            None,
        )
        services.raise_impediment(
            workspace,
            what=card.blocked_reason or f"#{card.number} is blocked",
            owner=held_by[0],
            actor=owner,
            card=card,
            entry=entry,
            now=max(card.blocked_since or ctx.now, ctx.now - timedelta(days=3)),
        )
    else:  # the simulation keeps two cards blocked at the end; this is only a safety net
        services.raise_impediment(
            workspace,
            what="Legal has not approved the loyalty programme's terms",
            owner=owner,
            actor=owner,
            now=ctx.now - timedelta(days=2),
        )
    services.raise_impediment(
        workspace,
        what="Google Ads spending limit: finance must sign off before the autumn campaign",
        owner=owner,
        actor=marco,
        now=ctx.now - timedelta(days=4, hours=3),
    )
    resolved = services.raise_impediment(
        workspace,
        what="No studio slot for the product photos of the new blend",
        owner=priya,
        actor=priya,
        now=ctx.now - timedelta(days=9, hours=2),
    )
    services.resolve_impediment(
        resolved,
        how="Booked the roastery's own studio every other Tuesday; first shoot done",
        actor=priya,
        now=ctx.now - timedelta(days=6, hours=5),
    )
    data = queries.agenda_data(queries.agenda_for(board, now=ctx.now))
    services.record_agenda(board, data=data, actor=owner, now=ctx.now)
