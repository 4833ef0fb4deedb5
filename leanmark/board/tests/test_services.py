from datetime import UTC, datetime, timedelta

import pytest

from leanmark.board import services
from leanmark.board.errors import (
    CardBlocked,
    OverrideReasonRequired,
    StaleVersion,
    WipLimitExceeded,
)
from leanmark.board.models import Card, CardEvent, Lane
from leanmark.domain.flow import Move, item_times
from leanmark.lib.errors import InvalidInput


def add(world, title="Post", column="Ready", **kw):
    return services.create_card(
        world.board, title=title, column=world.column(column), actor=world.bob, **kw
    )


def move(world, card, column, **kw):
    return services.move_card(card, to_column=world.column(column), actor=world.bob, **kw)


def test_it_writes_a_created_and_a_moved_event_in_the_same_transaction(world):
    card = add(world)
    move(world, card, "Writing")
    kinds = list(card.events.values_list("kind", "from_column__name", "to_column__name"))
    assert kinds == [("created", None, "Ready"), ("moved", "Ready", "Writing")]


def test_it_numbers_cards_per_board(world):
    assert [add(world, f"c{i}").number for i in range(3)] == [1, 2, 3]


def test_it_refuses_a_move_into_a_full_hard_limited_column(world):
    cards = [add(world, f"c{i}") for i in range(4)]
    for card in cards[:3]:
        move(world, card, "Writing")
    with pytest.raises(WipLimitExceeded, match=r"Writing is at its WIP limit \(3/3, hard\)"):
        move(world, cards[3], "Writing")
    cards[3].refresh_from_db()
    assert cards[3].column.name == "Ready"
    assert cards[3].events.filter(kind="moved").count() == 0


def test_it_asks_for_a_reason_then_records_a_soft_override(world):
    cards = [add(world, f"c{i}") for i in range(3)]
    for card in cards[:2]:
        move(world, card, "Review")
    with pytest.raises(OverrideReasonRequired, match=r"Review is at its WIP limit \(2/2, soft\)"):
        move(world, cards[2], "Review")
    move(world, cards[2], "Review", reason="launch day")
    override = CardEvent.objects.get(kind="wip_override")
    assert (override.card_id, override.reason, override.to_column.name) == (
        cards[2].pk,
        "launch day",
        "Review",
    )


def test_it_enforces_the_per_person_limit(world):
    cards = [add(world, f"c{i}", assignees=[world.bob]) for i in range(3)]
    move(world, cards[0], "Writing")
    move(world, cards[1], "Writing")
    with pytest.raises(WipLimitExceeded, match="Bob Member already holds 2 card"):
        move(world, cards[2], "Writing")


def test_it_limits_the_expedite_lane_to_one_in_progress(world):
    first = add(world, "urgent 1", lane=Lane.EXPEDITE)
    second = add(world, "urgent 2", lane=Lane.EXPEDITE)
    move(world, first, "Writing")
    with pytest.raises(WipLimitExceeded, match="expedite lane already has 1 card"):
        move(world, second, "Writing")
    move(world, first, "Done")
    move(world, second, "Writing")


def test_it_refuses_to_move_a_blocked_card_until_unblocked(world):
    card = add(world)
    services.block_card(card, reason="waiting for photos", actor=world.bob)
    with pytest.raises(CardBlocked, match="blocked \\(waiting for photos\\)"):
        move(world, card, "Writing")
    services.unblock_card(card, actor=world.bob)
    assert move(world, card, "Writing").column.name == "Writing"
    assert list(card.events.values_list("kind", flat=True)) == [
        "created",
        "blocked",
        "unblocked",
        "moved",
    ]


def test_a_stale_edit_is_refused_and_changes_nothing(world):
    card = add(world, "Original")
    services.edit_card(card, changes={"title": "First edit"}, expected_version=1, actor=world.bob)
    with pytest.raises(StaleVersion, match="you had version 1, it is now version 2"):
        services.edit_card(
            card, changes={"title": "Second edit"}, expected_version=1, actor=world.alice
        )
    card.refresh_from_db()
    assert (card.title, card.version) == ("First edit", 2)


@pytest.mark.parametrize(
    ("title", "message"),
    [
        ("", "the title cannot be empty"),
        ("   ", "the title cannot be empty"),
        ("x" * 201, "the title has 201 characters; at most 200 are allowed"),
    ],
)
def test_it_rejects_bad_titles_and_creates_nothing(world, title, message):
    with pytest.raises(InvalidInput, match=message):
        add(world, title)
    assert Card.objects.count() == 0


def test_it_rejects_a_column_of_another_board(world):
    card = add(world)
    foreign = world.evil_board.columns.first()
    with pytest.raises(InvalidInput, match="another board"):
        services.move_card(card, to_column=foreign, actor=world.bob)


def test_it_rejects_negative_limits(world):
    column = world.column("Writing")
    with pytest.raises(InvalidInput, match="cannot be negative"):
        services.update_column(column, services.ColumnSpec("Writing", wip_limit=-1))


def test_a_limit_below_current_wip_is_allowed(world):
    cards = [add(world, f"c{i}") for i in range(3)]
    for card in cards:
        move(world, card, "Writing")
    column = services.update_column(
        world.column("Writing"), services.ColumnSpec("Writing", wip_limit=1)
    )
    assert column.wip_limit == 1


def test_cached_flow_stamps_agree_with_the_pure_function(world):
    t0 = datetime(2026, 5, 4, 9, tzinfo=UTC)
    card = add(world, at=t0)
    for day, column in [(1, "Writing"), (2, "Review"), (4, "Done"), (5, "Live"), (7, "Done")]:
        move(world, card, column, at=t0 + timedelta(days=day))
    card.refresh_from_db()
    order = {c.pk: c.position for c in world.board.columns.all()}
    moves = [Move(e.at, order[e.to_column_id]) for e in card.events.filter(kind="moved")]
    times = item_times(card.created_at, moves, start_index=1, done_index=4)
    assert (card.started_at, card.finished_at) == (times.started, times.finished)
    assert times.cycle_time == timedelta(days=6)


def test_events_are_append_only(world):
    event = add(world).events.first()
    with pytest.raises(RuntimeError, match="append-only"):
        event.save()
    with pytest.raises(RuntimeError, match="append-only"):
        event.delete()


def test_it_places_a_card_before_another(world):
    a, _b, c = (add(world, t) for t in "abc")
    move(world, c, "Ready", before=a)
    ordered = list(
        Card.objects.filter(column=world.column("Ready"))
        .order_by("position")
        .values_list("title", flat=True)
    )
    assert ordered == ["c", "a", "b"]


def test_restoring_an_archived_card_respects_the_column_limit(world):
    archived = add(world, "old", column="Writing")
    services.archive_card(archived, actor=world.bob)
    for i in range(3):
        add(world, f"c{i}", column="Writing")
    with pytest.raises(WipLimitExceeded, match=r"Writing is at its WIP limit \(3/3, hard\)"):
        services.restore_card(archived, actor=world.bob)
    archived.refresh_from_db()
    assert archived.archived_at is not None
