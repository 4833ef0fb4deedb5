"""The history import behind the Trello and card-history imports and the demo."""

from datetime import UTC, datetime, timedelta

import pytest

from leanmark.board import services
from leanmark.board.models import Card, CardEvent
from leanmark.lib.errors import InvalidInput

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def at(days: float) -> datetime:
    return T0 + timedelta(days=days)


def history(world, *moves, **card):
    ready = world.column("Ready")
    events = [services.HistoryEvent("created", at(0), world.bob, to_column=ready)]
    previous = ready
    for day, name in moves:
        column = world.column(name)
        events.append(
            services.HistoryEvent("moved", at(day), world.bob, column, from_column=previous)
        )
        previous = column
    return services.HistoryCard(title=card.pop("title", "Imported"), events=events, **card)


def test_it_derives_column_flow_stamps_and_version_from_the_events(world):
    [card] = services.import_history(
        world.board, [history(world, (1, "Writing"), (3, "Review"), (4, "Done"))]
    )
    card.refresh_from_db()
    assert card.column.name == "Done"
    assert (card.created_at, card.started_at, card.finished_at) == (at(0), at(1), at(4))
    assert card.column_entered_at == at(4)
    assert card.version == 4
    kinds = list(CardEvent.objects.filter(card=card).values_list("kind", flat=True))
    assert kinds == ["created", "moved", "moved", "moved"]


def test_it_numbers_imported_cards_after_the_existing_ones(world):
    existing = services.create_card(world.board, title="Live one", actor=world.bob)
    imported = services.import_history(world.board, [history(world), history(world)])
    assert [c.number for c in imported] == [existing.number + 1, existing.number + 2]
    after = services.create_card(world.board, title="Next", actor=world.bob)
    assert after.number == existing.number + 3


def test_it_ignores_wip_limits_because_history_already_happened(world):
    # Review has a limit of 2: history may hold more than that.
    items = [history(world, (1, "Review")) for _ in range(4)]
    services.import_history(world.board, items)
    assert Card.objects.filter(column=world.column("Review")).count() == 4


def test_it_refuses_events_out_of_order_and_saves_nothing(world):
    good = history(world, (1, "Writing"))
    bad = history(world, (3, "Writing"), (2, "Review"), title="Backwards")
    with pytest.raises(InvalidInput, match=r"card 2 .*'Backwards'.*out of order"):
        services.import_history(world.board, [good, bad])
    assert not Card.objects.filter(board=world.board).exists()


def test_it_refuses_a_column_of_another_board(world):
    foreign = world.evil_board.columns.first()
    item = services.HistoryCard(
        title="Sneaky", events=[services.HistoryEvent("created", at(0), None, to_column=foreign)]
    )
    with pytest.raises(InvalidInput, match="not on this board"):
        services.import_history(world.board, [item])


def test_it_refuses_assignees_from_outside_the_workspace(world):
    with pytest.raises(InvalidInput, match="member of this workspace"):
        services.import_history(world.board, [history(world, assignees=[world.mallory])])


def test_it_reports_progress_up_to_the_total(world):
    calls = []
    services.import_history(
        world.board, [history(world) for _ in range(3)], progress=lambda d, t: calls.append((d, t))
    )
    assert calls[-1][0] == calls[-1][1]
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)
