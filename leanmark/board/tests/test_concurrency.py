"""A WIP limit holds under concurrent moves: exactly `limit` succeed, the event log agrees."""

import os
import subprocess
import sys
import threading
import time

import pytest
from django.db import connections

from leanmark.board import services
from leanmark.board.errors import WipLimitExceeded
from leanmark.board.models import Card, CardEvent
from leanmark.testing.databases import url_of_test_database
from leanmark.testing.personas import build_world


def _racers(world, n):
    services.update_column(
        world.column("Ready"), services.ColumnSpec("Ready", "queue", wip_limit=None)
    )
    return [
        services.create_card(
            world.board, title=f"racer {i}", column=world.column("Ready"), actor=world.bob
        )
        for i in range(n)
    ]


def _assert_exactly_three_got_in(world, succeeded):
    writing = world.column("Writing")
    assert len(succeeded) == 3
    assert Card.objects.filter(column=writing).count() == 3
    moved_in = CardEvent.objects.filter(kind="moved", to_column=writing)
    assert sorted(moved_in.values_list("card_id", flat=True)) == sorted(succeeded)


@pytest.mark.django_db(transaction=True)
def test_twenty_threads_racing_into_a_column_with_limit_three():
    world = build_world()
    cards = _racers(world, 20)
    writing = world.column("Writing")
    barrier = threading.Barrier(20)
    results: dict[int, str] = {}

    def race(card):
        try:
            barrier.wait()
            services.move_card(card, to_column=writing, actor=None)
            results[card.pk] = "ok"
        except WipLimitExceeded:
            results[card.pk] = "wip"
        except Exception as error:
            results[card.pk] = repr(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=race, args=(c,)) for c in cards]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(set(results.values())) == ["ok", "wip"], results
    assert list(results.values()).count("wip") == 17
    _assert_exactly_three_got_in(world, [pk for pk, r in results.items() if r == "ok"])


@pytest.mark.django_db(transaction=True)
def test_two_processes_racing_into_a_column_with_limit_three():
    world = build_world()
    cards = _racers(world, 20)
    writing = world.column("Writing")
    env = {**os.environ, "DATABASE_URL": url_of_test_database()}
    start_at = str(time.time() + 2.0)
    halves = [cards[0::2], cards[1::2]]
    processes = [
        subprocess.Popen(  # noqa: S603 (our own module, fixed arguments)
            [
                sys.executable,
                "-m",
                "leanmark.board.tests.race_worker",
                start_at,
                str(writing.pk),
                *[str(c.pk) for c in half],
            ],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for half in halves
    ]
    lines = []
    for process in processes:
        stdout, stderr = process.communicate(timeout=120)
        assert process.returncode == 0, stderr
        lines += stdout.split()
    outcomes = dict(zip(lines[0::2], lines[1::2], strict=True))
    assert list(outcomes.values()).count("wip") == 17
    _assert_exactly_three_got_in(world, [int(pk) for pk, r in outcomes.items() if r == "ok"])


@pytest.mark.django_db(transaction=True)
def test_two_moves_crossing_between_columns_both_commit():
    """Card a goes Review → Live and, before a's transaction commits, card b goes Live → Review:
    b locks Review, then waits for the board row a's move updated. At a's COMMIT PostgreSQL runs
    the deferred foreign-key check of a's event (from_column = Review, FOR KEY SHARE). Under
    FOR UPDATE that waited for b while b waited for a: a deadlock, a 500 under bench/load.py.
    FOR NO KEY UPDATE lets the key check through, so both moves commit."""
    from django.db import connection, transaction

    if connection.vendor != "postgresql":
        pytest.skip("row locks are PostgreSQL's; SQLite serialises writers (the PostgreSQL run)")
    world = build_world()
    review, live = world.column("Review"), world.column("Live")
    a = services.create_card(world.board, title="a", column=review, actor=world.bob)
    b = services.create_card(world.board, title="b", column=live, actor=world.bob)
    a_moved, commit_a = threading.Event(), threading.Event()
    results: dict[str, str] = {}

    def run(name, work):
        try:
            work()
            results[name] = "ok"
        except Exception as error:
            results[name] = repr(error)
        finally:
            connections.close_all()

    def move_a():
        with transaction.atomic():
            services.move_card(a, to_column=live, actor=None)
            a_moved.set()
            commit_a.wait(timeout=30)

    def move_b():
        a_moved.wait(timeout=30)
        services.move_card(b, to_column=review, actor=None)

    threads = [
        threading.Thread(target=run, args=("a", move_a)),
        threading.Thread(target=run, args=("b", move_b)),
    ]
    for thread in threads:
        thread.start()
    a_moved.wait(timeout=30)
    deadline = time.monotonic() + 20
    with connection.cursor() as cursor:  # commit a only once b is waiting for a lock
        while time.monotonic() < deadline:
            cursor.execute("SELECT count(*) FROM pg_locks WHERE NOT granted")
            if cursor.fetchone()[0]:
                break
            time.sleep(0.05)
    commit_a.set()
    for thread in threads:
        thread.join(timeout=60)
    assert results == {"a": "ok", "b": "ok"}
    assert Card.objects.get(pk=a.pk).column_id == live.pk
    assert Card.objects.get(pk=b.pk).column_id == review.pk
