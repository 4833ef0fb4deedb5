"""The flow page from cached event arrays (issue 24, item 6): the board's flow page at 2,000
cards, cold (nothing cached) and warm (the arrays cached per board, keyed by its change counter),
against the raw SQL read of the board's events, the floor a page that reads them cannot beat.

`make bench` runs it; `python bench/flow_page.py` alone works too. It runs itself in a child
process with a throwaway SQLite database (and PostgreSQL when DATABASE_URL is set, in a scratch
database as bench/board_read.py does), builds the board with bench/board_data.py and prints p50
and p95 of:

- raw SQL floor: a plain SELECT of the four event columns the metrics use (card, kind, time,
  column) for the board, every row fetched, through connection.cursor;
- flow page cold: a viewer's GET of the flow page (full request through Django's test Client)
  with the flow caches emptied first, so the events are read and the timeline built;
- flow page warm: the same GET again, the arrays from the cache;
- of which flow_report warm: the metrics alone (leanmark.flow.queries.flow_report);
- warm divided by the floor, the goal being at most 3 times.

Figures only; nothing is judged.
"""

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "bench")]

from board_read import run_on_both, timed  # noqa: E402

SIZE = 2000
RUNS = 15


def child() -> None:
    sys.path[:0] = [str(ROOT), str(ROOT / "bench")]
    import django

    django.setup()

    from django.conf import settings
    from django.test.utils import override_settings

    plain = {  # plain static URLs: no collectstatic manifest in a throwaway data directory
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with override_settings(STORAGES=plain):
        measure()


def measure() -> None:
    from board_data import build_board, extra_members
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from leanmark.board.models import CardEvent
    from leanmark.flow import queries
    from leanmark.testing.personas import build_world

    began = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    world = build_world()
    people = [world.alice, world.bob, world.carol, *extra_members(world.acme)]
    bench = build_board(world.acme, f"Flow {SIZE}", SIZE, people, world.bob, seed=SIZE)
    board = bench.board
    events = CardEvent.objects.filter(board=board).count()
    print(f"  built {SIZE:,} cards and {events:,} events in {time.perf_counter() - began:.0f} s")
    client = Client()
    client.force_login(world.carol)  # a viewer
    path = f"/w/{world.acme.slug}/flow/boards/{board.pk}/"

    def page() -> None:
        response = client.get(path)
        if response.status_code != 200:
            raise RuntimeError(f"GET {path} answered {response.status_code}")

    def cold() -> None:
        queries.clear_cache()
        page()

    table = CardEvent._meta.db_table

    def raw() -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT card_id, kind, at, to_column_id FROM {table} WHERE board_id = %s",  # noqa: S608
                [board.pk],
            )
            cursor.fetchall()

    counted: list[str] = []

    def count(execute, sql, params, many, context):
        counted.append(sql)
        return execute(sql, params, many, context)

    page()
    with connection.execute_wrapper(count):
        page()
    warm_queries = len(counted)
    start, end = queries.default_range(board, timezone.now())
    figures = {
        "raw SQL floor (SELECT the board's events, fetchall)": timed(raw, RUNS),
        "flow page cold (caches emptied, events read)": timed(cold, RUNS, warmups=1),
        f"flow page warm (cached arrays, {warm_queries} queries)": timed(page, RUNS),
        "  of which flow_report warm": timed(
            lambda: queries.flow_report(board, start=start, end=end, now=timezone.now()), RUNS
        ),
    }
    width = max(len(name) for name in figures)
    print(f"  {SIZE:,} cards, {events:,} events")
    print(f"  {'':{width}}  {'p50 ms':>9}  {'p95 ms':>9}")
    for name, (p50, p95) in figures.items():
        print(f"  {name:{width}}  {p50:>9.1f}  {p95:>9.1f}")
    floor = figures["raw SQL floor (SELECT the board's events, fetchall)"][0]
    names = list(figures)
    cold_p50, warm_p50 = figures[names[1]][0], figures[names[2]][0]
    print(
        f"  cold ÷ floor {cold_p50 / floor:.1f}×, warm ÷ floor {warm_p50 / floor:.1f}× (goal ≤ 3×)"
    )
    print(f"  ({time.perf_counter() - began:.0f} s)", flush=True)


def main() -> int:
    return run_on_both("flow page from cached arrays", __file__)


if __name__ == "__main__":
    if "--child" in sys.argv:
        child()
    else:
        sys.exit(main())
