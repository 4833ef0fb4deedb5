"""The flow page computes from the board's event arrays cached per board and keyed by its change
counter (issue 24 item 6): a repeat view reads no event, a change to the board is shown at once."""

import pytest

from leanmark.board import services as board_services
from leanmark.flow import queries

from .builders import at, finished_after, load
from .test_views import REFERENCE, WHOLE, url


def test_a_warm_flow_page_reads_no_event_and_runs_a_fixed_number_of_queries(
    world, client_for, django_assert_num_queries, monkeypatch
):
    load(world.board, *finished_after(world.board, REFERENCE))
    client = client_for(world.carol)
    client.get(url(world, "flow-board", **WHOLE))
    monkeypatch.setattr(queries, "_read_log", lambda *a, **k: pytest.fail("events were read"))
    # session, user, membership, the board, the board list, the people, the change counter and
    # the membership of the page's workspace menu: no event, column or card-title query
    with django_assert_num_queries(8):
        page = client.get(url(world, "flow-board", **WHOLE)).content.decode()
    assert "10 items, Writing → Done" in page


def test_a_move_on_the_board_is_on_the_next_flow_page(world, client_for):
    load(world.board, *finished_after(world.board, REFERENCE))
    client = client_for(world.carol)
    assert (
        "10 items, Writing → Done" in client.get(url(world, "flow-board", **WHOLE)).content.decode()
    )
    card = world.board.cards.get(number=1)  # finished on day 6 after a cycle of 5 days
    board_services.move_card(card, to_column=world.column("Writing"), actor=world.bob, at=at(8))
    page = client.get(url(world, "flow-board", **WHOLE)).content.decode()
    assert "9 items, Writing → Done" in page  # moved back out of done: unfinished again


def test_a_change_without_events_keeps_the_arrays(world, client_for, django_assert_num_queries):
    load(world.board, *finished_after(world.board, REFERENCE))
    first = queries.flow_data(world.board)
    board_services.start_editing(world.board.cards.get(number=1), world.bob)  # moves the counter
    with django_assert_num_queries(3):  # the counter, the columns, the last event id
        again = queries.flow_data(world.board)
    assert again.changes == first.changes + 1
    assert again.timeline is first.timeline and again.log is first.log


def test_another_process_takes_the_arrays_from_djangos_cache(world, no_event_read_after_load):
    data = queries.flow_data(world.board)
    queries._cache.clear()  # this process's copy gone, as in a second app process
    again = queries.flow_data(world.board)
    assert again is not data and again.key == data.key
    assert again.timeline.ids.tolist() == data.timeline.ids.tolist()


@pytest.fixture
def no_event_read_after_load(world, monkeypatch):
    load(world.board, *finished_after(world.board, [1, 2, 3]))
    queries.flow_data(world.board)  # the first read fills both caches
    monkeypatch.setattr(queries, "_read_log", lambda *a, **k: pytest.fail("events were read"))
