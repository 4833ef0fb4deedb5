"""The cross-app contracts read from the event log: cycle_time_percentiles, daily_series and
finished_items, and the per-board cache keyed by the board's change counter."""

from datetime import date, timedelta

import pytest

from leanmark.board import services as board_services
from leanmark.flow import queries

from .builders import T0, at, finished_after, history, load

REFERENCE = [5, 6, 6, 7, 7, 6, 5, 4, 4, 3]  # docs/product.md §5: 50th 5, 70th 6, 85th 7, 95th 7


@pytest.fixture(autouse=True)
def fresh_cache():
    queries.clear_cache()
    yield
    queries.clear_cache()


def test_it_gives_the_reference_cycle_time_percentiles(world):
    load(world.board, *finished_after(world.board, REFERENCE))
    assert queries.cycle_time_percentiles(world.board) == {50: 5, 70: 6, 85: 7, 95: 7}


def test_percentiles_cover_only_items_finished_in_the_range(world):
    load(world.board, *finished_after(world.board, REFERENCE))
    # card i finishes on day 1 + i + cycle: days 6, 8, 9, 11, 12, 12, ...; up to day 11
    # (inclusive) that is the first four, with cycle times 5, 6, 6, 7
    first_four = queries.cycle_time_percentiles(
        world.board, since=T0.date(), until=(T0 + timedelta(days=11)).date()
    )
    assert first_four == {50: 6, 70: 6, 85: 7, 95: 7}
    assert queries.cycle_time_percentiles(world.board, since=date(2027, 1, 1)) == {}


def test_percentiles_of_an_empty_board_are_empty(world):
    assert queries.cycle_time_percentiles(world.board) == {}
    assert queries.finished_items(world.board, since=None, until=None) == []


def test_finished_items_list_cycle_and_lead_time_in_days(world):
    load(
        world.board,
        history(world.board, "Slow", [(2, "Writing"), (3.5, "Review"), (6.5, "Done")]),
        history(world.board, "Open", [(2, "Writing")]),
        history(world.board, "Quick", [(4, "Writing"), (4.25, "Done")], created=3),
    )
    items = queries.finished_items(world.board, since=None, until=None)
    assert [(i.number, i.cycle_days, i.lead_days) for i in items] == [
        (3, 0.25, 1.25),
        (1, 4.5, 6.5),
    ]
    assert items[1].finished_at == at(6.5)
    assert items[0].card_id == world.board.cards.get(number=3).pk


def test_a_card_moved_back_out_of_done_is_not_finished(world):
    load(world.board, history(world.board, "Back", [(1, "Writing"), (2, "Done"), (3, "Live")]))
    assert queries.finished_items(world.board, since=None, until=None) == []


def test_daily_series_counts_throughput_wip_blocked_and_median_cycle_time(world):
    load(
        world.board,
        history(world.board, "A", [(0.5, "Writing"), (2.5, "Done")]),
        history(world.board, "B", [(1.5, "Writing"), (2.75, "Done")], blocked=[(2, 2.5, "x")]),
        history(world.board, "C", [(1.2, "Writing")], blocked=[(3.5, None, "legal")]),
        history(world.board, "D", []),
    )
    series = queries.daily_series(world.board, start=T0.date(), end=T0.date() + timedelta(3))
    assert [(d.date.day, d.throughput, d.wip, d.blocked) for d in series] == [
        (2, 0, 1, 0),
        (3, 0, 3, 0),
        (4, 2, 1, 0),
        (5, 0, 1, 1),
    ]
    assert series[2].median_cycle_days == 1.25  # A took 2, B 1.25: nearest rank takes the lower
    assert series[0].median_cycle_days is None


def test_days_follow_the_workspace_time_zone(world):
    world.acme.time_zone = "America/New_York"  # UTC-5 in March before the 8th
    world.acme.save(update_fields=["time_zone"])
    load(world.board, history(world.board, "Late", [(1, "Writing"), (3.1, "Done")]))
    board = type(world.board).objects.select_related("workspace").get(pk=world.board.pk)
    # finished 2026-03-05 02:24 UTC = 2026-03-04 21:24 in New York
    series = queries.daily_series(board, start=date(2026, 3, 4), end=date(2026, 3, 5))
    assert [d.throughput for d in series] == [1, 0]


def test_the_cache_is_reused_until_the_board_changes(world, django_assert_num_queries):
    load(world.board, *finished_after(world.board, [1, 2]))
    queries.cycle_time_percentiles(world.board)
    with django_assert_num_queries(1):  # the board's change counter, no events
        assert queries.cycle_time_percentiles(world.board) == {50: 1, 70: 2, 85: 2, 95: 2}
    card = world.board.cards.get(number=1)
    board_services.move_card(card, to_column=world.column("Live"), actor=world.bob)
    assert queries.cycle_time_percentiles(world.board) == {50: 2, 70: 2, 85: 2, 95: 2}


def test_new_events_are_added_to_the_cached_log(world):
    load(
        world.board,
        history(world.board, "A", [(1, "Writing")], blocked=[(1.5, 2, "legal review")]),
    )
    card = world.board.cards.get(number=1)
    now = at(3)
    report = queries.flow_report(world.board, start=T0.date(), end=at(3).date(), now=now)
    assert [r.reason for r in report.reasons] == ["legal review"]
    board_services.block_card(card, reason="photos missing", actor=world.bob, at=at(2.5))
    board_services.unblock_card(card, actor=world.bob, at=at(2.75))
    board_services.move_card(card, to_column=world.column("Done"), actor=world.bob, at=at(2.8))
    report = queries.flow_report(world.board, start=T0.date(), end=at(3).date(), now=now)
    assert sorted((r.reason, r.times) for r in report.reasons) == [
        ("legal review", 1),
        ("photos missing", 1),
    ]
    assert report.percentiles == {
        50: pytest.approx(1.8),
        70: pytest.approx(1.8),
        85: pytest.approx(1.8),
        95: pytest.approx(1.8),
    }
    queries.clear_cache()
    fresh = queries.flow_report(world.board, start=T0.date(), end=at(3).date(), now=now)
    assert fresh.reasons == report.reasons and fresh.cfd == report.cfd
