"""The 10,000-card board page (issue 24, item 4): server time cold and warm, the query and
grouping behind it, and the raw SQL floor.

`make bench` runs it; `python bench/board_page.py` alone works too. It runs itself once per
engine in a child process with a throwaway database: SQLite in a temp LEANMARK_DATA_DIR always,
and PostgreSQL when DATABASE_URL is set (a scratch database created on that server and dropped
afterwards, bench/board_read.py). Each child migrates, collects the static files (the page
resolves them through the manifest, DEBUG off), builds a 10,000-card board with
bench/board_data.py and prints, p50 and p95 of:

- page, cold: `GET /w/<slug>/boards/<id>/` through Django's test Client as bob (a member), the
  board's fragment cache emptied before each request (what the first viewer after a change pays);
- page, warm: the same GET with the fragments of the board's current change counter cached;
- page, warm, as carol (a viewer: her own fragments, without the card menus);
- board_view(): `leanmark.board.queries.board_view` alone (the card queries and the grouping
  into cells, no HTML);
- raw SQL floor: the SELECTs board_view() runs on the cards and their assignees, captured from
  one call and run again through connection.cursor with every row fetched (nothing built).

Beside the wall-clock p50 and p95 it prints the p50 of this process's CPU time, which a busy
machine moves less. It also prints the queries of one cold and one warm page, the cards drawn
and the page's size.
Figures only; nothing is judged. About a minute per engine on a 2-core machine.
"""

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "bench")]

from board_read import WARMUPS, run_on_both  # noqa: E402

CARDS = 10_000
RUNS = 10
CARD_TABLES = ("board_card", "board_card_assignees")


def timed(fn, runs: int, warmups: int = WARMUPS) -> tuple[float, float, float]:
    """p50 and p95 wall time and p50 CPU time of this process (less moved by a busy machine:
    on SQLite nearly all the work is here), in ms, of ``runs`` calls after ``warmups``."""
    for _ in range(warmups):
        fn()
    wall, cpu = [], []
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        fn()
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    p95 = statistics.quantiles(wall, n=100, method="inclusive")[94]
    return statistics.median(wall), p95, statistics.median(cpu)


def child() -> None:
    sys.path[:0] = [str(ROOT)]
    import django

    django.setup()

    from board_bench import collect_static
    from board_data import build_board, extra_members
    from django.conf import settings
    from django.core.cache import caches
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from leanmark.board import queries
    from leanmark.testing.personas import build_world

    began = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    note = collect_static()
    if note:
        print(f"  {note}", flush=True)
    world = build_world()
    people = [world.alice, world.bob, world.carol, *extra_members(world.acme)]
    bench = build_board(world.acme, "Page 10k", CARDS, people, world.bob, seed=CARDS)
    with connection.cursor() as cursor:  # fresh planner statistics, as a live database has
        cursor.execute("ANALYZE")
    print(f"  built {CARDS:,} cards in {time.perf_counter() - began:.0f} s", flush=True)
    board = bench.board
    url = f"/w/{world.acme.slug}/boards/{board.pk}/"
    alias = "board" if "board" in settings.CACHES else "default"
    cache = caches[alias]
    member, viewer = Client(), Client()
    member.force_login(world.bob)
    viewer.force_login(world.carol)

    def get(client: Client = member) -> bytes:
        response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"GET {url} answered {response.status_code}")
        return response.content

    def cold() -> None:
        cache.clear()
        get()

    def counted(fn) -> list[str]:
        seen: list[str] = []

        def count(execute, sql, params, many, context):
            seen.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            fn()
        return seen

    cache.clear()
    cold_sql = counted(get)
    warm_sql = counted(get)
    page = get().decode()
    with CaptureQueriesContext(connection) as captured:
        queries.board_view(queries.board_for(world.acme, board.pk), now=timezone.now())
    card_sql = [
        q["sql"] for q in captured.captured_queries if any(t in q["sql"] for t in CARD_TABLES)
    ]

    def raw() -> None:
        with connection.cursor() as cursor:
            for sql in card_sql:  # already interpolated by Django's query log
                cursor.execute(sql)
                cursor.fetchall()

    def view() -> None:
        queries.board_view(queries.board_for(world.acme, board.pk), now=timezone.now())

    figures = {
        "page, cold (fragment cache empty), member": timed(cold, RUNS),
        "page, warm (fragments cached), member": timed(get, RUNS),
        "page, warm, viewer": timed(lambda: get(viewer), RUNS),
        "board_view(): card queries + grouping": timed(view, RUNS),
        f"raw SQL floor ({len(card_sql)} card SELECTs, fetchall)": timed(raw, RUNS),
    }
    drawn = page.count('data-card="')
    print(
        f"  {CARDS:,} cards, {drawn:,} drawn, {len(page) / 1e6:.2f} MB; queries: "
        f"{len(cold_sql)} cold, {len(warm_sql)} warm; cache: {alias} "
        f"({type(cache).__name__})"
    )
    width = max(map(len, figures))
    print(f"  {'':{width}}  {'p50 ms':>9}  {'p95 ms':>9}  {'CPU p50':>9}")
    for name, (p50, p95, cpu) in figures.items():
        print(f"  {name:{width}}  {p50:>9.1f}  {p95:>9.1f}  {cpu:>9.1f}")
    print(f"  ({time.perf_counter() - began:.0f} s)", flush=True)


def main() -> int:
    # no sign-in lines in the figures
    return run_on_both("10,000-card board page", __file__, {"LEANMARK_LOG_LEVEL": "WARNING"})


if __name__ == "__main__":
    if sys.argv[1:] == ["--child"]:
        child()
    else:
        sys.exit(main())
