from datetime import UTC, date, datetime, timedelta

import pytest

from leanmark.accounts import services as accounts
from leanmark.board import services as board_services
from leanmark.domain.standup import WeekCount
from leanmark.lib.errors import WrongState
from leanmark.standups import queries, services
from leanmark.standups.errors import AlreadyCheckedIn, EntryClosed, InvalidInput, NotYours

NOW = datetime(2026, 3, 20, 9, 0, tzinfo=UTC)  # a Friday


def check_in(world, who=None, now=NOW, **texts):
    who = who or world.bob
    texts = texts or {"yesterday": "wrote the brew guide", "today": "edit it"}
    return services.check_in(world.acme, member=who, actor=who, now=now, **texts)


def test_it_records_a_check_in_with_its_mentioned_cards(world):
    card = board_services.create_card(world.board, title="Brew guide", actor=world.bob)
    entry = check_in(world, yesterday=f"drafted #{card.number}", today="", blockers="")
    assert entry.day == date(2026, 3, 20)
    assert list(entry.mentions.all()) == [card]


def test_it_refuses_a_second_check_in_the_same_day(world):
    check_in(world)
    with pytest.raises(AlreadyCheckedIn, match="already checked in for 2026-03-20"):
        check_in(world, now=NOW + timedelta(hours=3))


def test_the_next_day_is_a_new_entry(world):
    check_in(world)
    assert check_in(world, now=NOW + timedelta(days=1)).day == date(2026, 3, 21)


def test_it_refuses_an_empty_check_in(world):
    with pytest.raises(InvalidInput, match="the check-in is empty"):
        check_in(world, yesterday="  ", today="", blockers="\n")


def test_it_refuses_a_check_in_for_another_member(world):
    with pytest.raises(NotYours, match="only check in for yourself, not for Alice Owner"):
        services.check_in(world.acme, member=world.alice, actor=world.bob, today="x", now=NOW)


def test_it_refuses_a_future_day_and_a_past_one(world):
    with pytest.raises(InvalidInput, match="2026-03-21 is in the future"):
        check_in(world, day=date(2026, 3, 21), today="x")
    with pytest.raises(EntryClosed, match="the stand-up of 2026-03-19 is over"):
        check_in(world, day=date(2026, 3, 19), today="x")


def test_it_refuses_a_mention_of_a_card_in_another_workspace(world):
    theirs = board_services.create_card(world.evil_board, title="Secret", actor=world.mallory)
    with pytest.raises(InvalidInput, match=f"no card #{theirs.number} in this workspace") as e:
        check_in(world, blockers=f"waiting on #{theirs.number}")
    assert e.value.field == "blockers"


def test_a_viewer_cannot_check_in(world):
    with pytest.raises(InvalidInput, match="not a member of this workspace who can write"):
        services.check_in(world.acme, member=world.carol, actor=world.carol, today="x", now=NOW)


def test_the_day_follows_the_workspace_time_zone(world):
    world.acme.time_zone = "America/New_York"
    world.acme.save(update_fields=["time_zone"])
    late = datetime(2026, 3, 21, 2, 0, tzinfo=UTC)  # still the 20th in New York
    assert check_in(world, now=late).day == date(2026, 3, 20)


def test_an_entry_can_be_edited_on_its_day_only(world):
    entry = check_in(world)
    edited = services.edit_entry(
        entry, actor=world.bob, today="publish it", now=NOW + timedelta(hours=5)
    )
    assert (edited.yesterday, edited.today) == ("", "publish it")
    with pytest.raises(EntryClosed, match="the stand-up of 2026-03-20 is over; its entries"):
        services.edit_entry(entry, actor=world.bob, today="late", now=NOW + timedelta(days=1))
    with pytest.raises(NotYours):
        services.edit_entry(entry, actor=world.alice, today="mine now", now=NOW)


def test_save_today_creates_then_edits(world):
    _, created = services.save_today(world.acme, actor=world.bob, today="a", now=NOW)
    entry, again = services.save_today(world.acme, actor=world.bob, today="b", now=NOW)
    assert (created, again, entry.today) == (True, False, "b")


def test_an_impediment_blocks_its_card_and_resolving_it_unblocks(world):
    card = board_services.create_card(world.board, title="Launch", actor=world.bob)
    entry = check_in(world, blockers=f"legal has not approved #{card.number}")
    impediment = services.raise_impediment(
        world.acme,
        what="Legal approval",
        owner=world.alice,
        actor=world.bob,
        card=card,
        entry=entry,
        block_card=True,
        now=NOW,
    )
    card.refresh_from_db()
    assert card.blocked_reason == "Legal approval"
    assert queries.open_impediments(world.acme) == [impediment]
    services.resolve_impediment(
        impediment, how="Called legal", actor=world.alice, unblock_card=True, now=NOW
    )
    card.refresh_from_db()
    assert not card.is_blocked
    assert queries.open_impediments(world.acme) == []
    resolved = queries.impediment_for(world.acme, impediment.pk)
    assert (resolved.resolution, resolved.resolved_by) == ("Called legal", world.alice)


def test_it_refuses_impediments_without_text_or_with_a_foreign_card(world):
    theirs = board_services.create_card(world.evil_board, title="Secret", actor=world.mallory)
    with pytest.raises(InvalidInput, match="say what the impediment is"):
        services.raise_impediment(world.acme, what=" ", owner=world.bob, actor=world.bob)
    with pytest.raises(InvalidInput, match="another workspace"):
        services.raise_impediment(
            world.acme, what="x", owner=world.bob, actor=world.bob, card=theirs
        )
    with pytest.raises(InvalidInput, match="Mallory Outsider is not a member"):
        services.raise_impediment(world.acme, what="x", owner=world.mallory, actor=world.bob)


def test_it_refuses_to_resolve_twice_or_without_saying_how(world):
    impediment = services.raise_impediment(
        world.acme, what="x", owner=world.bob, actor=world.bob, now=NOW
    )
    with pytest.raises(InvalidInput, match="say how"):
        services.resolve_impediment(impediment, how="", actor=world.bob, now=NOW)
    services.resolve_impediment(impediment, how="done", actor=world.bob, now=NOW)
    with pytest.raises(WrongState, match="already resolved on 2026-03-20"):
        services.resolve_impediment(impediment, how="again", actor=world.bob, now=NOW)


def test_impediment_for_answers_404_for_another_workspace(world):
    from django.http import Http404

    theirs = services.raise_impediment(
        world.evil, what="x", owner=world.mallory, actor=world.mallory
    )
    with pytest.raises(Http404):
        queries.impediment_for(world.acme, theirs.pk)


def test_impediments_per_week(world):
    monday = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
    first = services.raise_impediment(
        world.acme, what="a", owner=world.bob, actor=world.bob, now=monday
    )
    services.raise_impediment(
        world.acme, what="b", owner=world.bob, actor=world.bob, now=monday + timedelta(days=8)
    )
    services.resolve_impediment(first, how="ok", actor=world.bob, now=monday + timedelta(days=9))
    assert queries.impediments_per_week(
        world.acme, start=date(2026, 3, 2), end=date(2026, 3, 22)
    ) == [
        WeekCount(date(2026, 3, 2), 1, 0),
        WeekCount(date(2026, 3, 9), 1, 1),
        WeekCount(date(2026, 3, 16), 0, 0),
    ]


def test_the_agenda_is_built_from_the_board_and_the_check_ins(world):
    writing = world.column("Writing")
    late = board_services.create_card(
        world.board, title="Old", column=writing, actor=world.bob, at=NOW - timedelta(days=5)
    )
    board_services.create_card(
        world.board, title="New", column=writing, assignees=[world.bob], actor=world.bob, at=NOW
    )
    board_services.block_card(late, reason="legal", actor=world.bob, at=NOW - timedelta(days=1))
    check_in(world)
    inputs = queries.agenda_for(world.board, now=NOW)
    data = queries.agenda_data(inputs)
    assert [s["column"] for s in data["sections"]] == ["Live", "Review", "Writing", "Ready"]
    writing_items = data["sections"][2]["items"]
    assert [i["title"] for i in writing_items] == ["Old", "New"]
    assert [f["text"] for f in writing_items[0]["flags"]] == [
        "blocked for 1.0 d: legal",
        "nobody owns this item",
    ]
    assert data["missing"] == ["Alice Owner"]
    assert data["aging_limit_days"] is None  # nothing finished yet


def agenda_queries(world) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    queries.agenda_for(world.board, now=NOW)  # the flow app caches a board's log between calls
    with CaptureQueriesContext(connection) as ctx:
        queries.agenda_for(world.board, now=NOW)
    return len(ctx.captured_queries)


def test_the_agenda_needs_a_constant_number_of_queries(world):
    def fill(n):
        for i in range(n):
            board_services.create_card(
                world.board,
                title=f"c{i}",
                assignees=[world.bob, world.alice],
                actor=world.bob,
                reason="filling the board",
            )

    fill(2)
    small = agenda_queries(world)
    fill(30)
    assert agenda_queries(world) == small


def test_other_apps_can_call_the_contracts(world):
    accounts.create_workspace(name="Empty", owner=world.mallory)
    assert queries.open_impediments(world.acme) == []
    assert queries.impediments_per_week(
        world.acme, start=date(2026, 3, 4), end=date(2026, 3, 4)
    ) == [WeekCount(date(2026, 3, 2), 0, 0)]


def test_aging_uses_the_85th_percentile_of_the_boards_finished_cycle_times(world):
    start = NOW - timedelta(days=30)
    for cycle_days in (2, 3, 4, 5, 10):  # nearest-rank 85th percentile: 10 d
        card = board_services.create_card(
            world.board, title=f"done in {cycle_days}", actor=world.bob, at=start
        )
        board_services.move_card(card, to_column=world.column("Writing"), actor=world.bob, at=start)
        board_services.move_card(
            card,
            to_column=world.column("Done"),
            actor=world.bob,
            at=start + timedelta(days=cycle_days),
        )
    for title, age in (("young", 9), ("old", 11)):
        card = board_services.create_card(
            world.board,
            title=title,
            actor=world.bob,
            assignees=[world.bob],
            at=NOW - timedelta(days=age),
        )
        board_services.move_card(
            card, to_column=world.column("Live"), actor=world.bob, at=NOW - timedelta(days=age)
        )
    data = queries.agenda_data(queries.agenda_for(world.board, now=NOW))
    assert (data["aging_limit_days"], data["aging_samples"]) == (10.0, 5)
    live = next(s for s in data["sections"] if s["column"] == "Live")
    assert [(i["title"], [f["kind"] for f in i["flags"]]) for i in live["items"]] == [
        ("old", ["aging"]),
        ("young", []),
    ]
    assert live["items"][0]["flags"][0]["text"] == (
        "11.0 d in progress, past the 85th percentile of 5 finished items' cycle times (10.0 d)"
    )
