"""leanmark.lib.sql_arrays: integer columns handed over in bulk, identical on both engines."""

from datetime import UTC, datetime

import numpy as np
import pytest

from leanmark.board import services as board_services
from leanmark.board.models import CardEvent
from leanmark.flow import queries
from leanmark.lib.sql_arrays import int_columns

EVENTS = CardEvent._meta.db_table


def test_columns_come_back_exactly_and_in_step(world):
    cards = [
        board_services.create_card(world.board, title=f"c{i}", actor=world.bob) for i in range(5)
    ]
    ids, card_ids, big = int_columns(
        ["id", "card_id", "id * 1000000000 + card_id"],
        f"FROM {EVENTS} WHERE board_id = %s",
        [world.board.pk],
    )
    order = np.argsort(ids)
    expected = list(
        CardEvent.objects.filter(board=world.board).order_by("id").values_list("id", "card_id")
    )
    assert list(zip(ids[order].tolist(), card_ids[order].tolist(), strict=True)) == expected
    assert (big == ids * 1_000_000_000 + card_ids).all()  # beyond 2**32, no float on the way
    assert sorted(card_ids.tolist()) == sorted(c.pk for c in cards)


def test_no_rows_give_empty_arrays(world):
    found = int_columns(["id", "card_id"], f"FROM {EVENTS} WHERE board_id = %s", [-1])
    assert [a.size for a in found] == [0, 0]
    assert all(a.dtype == np.int64 for a in found)


def test_a_null_is_refused_rather_than_misaligning_the_columns(world):
    board_services.create_card(world.board, title="c", actor=world.bob)  # created: no from column
    with pytest.raises(ValueError, match="NULL"):
        int_columns(
            ["id", "from_column_id"], f"FROM {EVENTS} WHERE board_id = %s", [world.board.pk]
        )


def test_event_times_reach_the_flow_maths_to_the_microsecond(world):
    moment = datetime(2026, 3, 2, 9, 30, 15, 123456, tzinfo=UTC)
    whole = datetime(2026, 3, 3, 10, 0, 0, tzinfo=UTC)  # stored without a fraction on SQLite
    card = board_services.create_card(world.board, title="timed", actor=world.bob, at=moment)
    board_services.move_card(card, to_column=world.column("Writing"), actor=world.bob, at=whole)
    queries.clear_cache()
    log = queries.flow_data(world.board).log
    assert log.at[log.card == card.pk].tolist() == [moment.timestamp(), whole.timestamp()]
