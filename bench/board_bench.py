"""Board page and card move timings on the database configured by the environment.

Run by bench/run.py once per backend, in a fresh process with DATABASE_URL (or none, for SQLite),
LEANMARK_DATA_DIR (a temp dir) and SECRET_KEY set. Writes its figures as JSON to the path given
as the only argument; prints progress only. It never judges: run.py prints the table.
"""

import io
import json
import os
import re
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "leanmark.settings")

import django  # noqa: E402

django.setup()

from board_data import BenchBoard, build_board, extra_members, movable_cards  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, override_settings  # noqa: E402
from django.utils import timezone  # noqa: E402

from leanmark.accounts.services import create_token  # noqa: E402
from leanmark.board import queries, services  # noqa: E402
from leanmark.testing.personas import build_world  # noqa: E402

SIZES = (300, 2000, 5000)  # 5,000: docs/product.md §13's "boards with 5,000 cards stay usable"
WARMUPS = 3
PAGE_RUNS = {300: 50, 2000: 30, 5000: 10}
VIEW_RUNS = {300: 30, 2000: 15, 5000: 5}  # board_view() alone, to split query time from rendering
MOVES = 200
MOVE_POOL = 5


def log(message: str) -> None:
    print(f"  {message}", flush=True)


def stats(wall: list[float], cpu: list[float]) -> dict[str, float]:
    ms = [s * 1000 for s in wall]
    return {
        "median": statistics.median(ms),
        "p95": statistics.quantiles(ms, n=100, method="inclusive")[94],
        "cpu_median": statistics.median(s * 1000 for s in cpu),
        "n": len(ms),
    }


def timed(fn: Callable[[], object], runs: int, warmups: int = WARMUPS) -> dict[str, float]:
    """Wall time (perf_counter) and this process's CPU time (process_time) of each run."""
    for _ in range(warmups):
        fn()
    wall, cpu = [], []
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    return stats(wall, cpu)


@contextmanager
def capture_queries() -> Iterator[list[dict[str, object]]]:
    """The SQL of what runs inside (CaptureQueriesContext), each with its execute time in ms."""
    queries: list[dict[str, object]] = []
    times: list[float] = []

    def timer(execute, sql, params, many, context):  # Django's execute_wrapper signature
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            times.append((time.perf_counter() - started) * 1000)

    with connection.execute_wrapper(timer), CaptureQueriesContext(connection) as captured:
        yield queries
    # Read now: the next request's reset_queries empties the log CaptureQueriesContext slices.
    # BEGIN/COMMIT are logged but bypass execute wrappers: keep Django's own (1 ms) figure there.
    pending = iter(times)
    for q in captured.captured_queries:
        transactional = TRANSACTION.match(q["sql"])
        ms = float(q["time"]) * 1000 if transactional else next(pending, float("nan"))
        queries.append({"sql": q["sql"], "ms": ms, "approx": bool(transactional)})


TRANSACTION = re.compile(r"(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE SAVEPOINT)\b", re.IGNORECASE)


def collect_static() -> str:
    """Collect static files into the temp data dir so {% static %} finds its manifest entries."""
    try:
        call_command("collectstatic", interactive=False, verbosity=0, stderr=io.StringIO())
        return ""
    except Exception as error:  # reported below, then worked around
        first = str(error).strip().splitlines()[0]
    # Work-around for the bench only: skip the sourceMappingURL rewriting that fails on a
    # missing .map file. Pages still render with the real storage reading this manifest.
    with override_settings(
        STORAGES={
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "static_storage.NoSourceMapStorage"},
        }
    ):
        call_command("collectstatic", interactive=False, verbosity=0, clear=True)
    return f"collectstatic fails with DEBUG off: {first} (bench worked around it)"


def board_page(client: Client, url: str, bench: BenchBoard) -> dict[str, object]:
    def get() -> None:
        response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"GET {url} answered {response.status_code}")

    get()
    with capture_queries() as sql:
        response = client.get(url)
    rendered = response.content.decode().count('data-card="')
    timing = timed(get, PAGE_RUNS[bench.cards])
    board = bench.board
    view_timing = timed(
        lambda: queries.board_view(board, now=timezone.now()), VIEW_RUNS[bench.cards]
    )
    return {
        "page": timing,
        "view": view_timing,
        "queries": sql,
        "rendered": rendered,
        "bytes": len(response.content),
    }


def api_moves(client: Client, token: str, bench: BenchBoard) -> dict[str, object]:
    pool = movable_cards(bench, "Live", MOVE_POOL)
    targets = [bench.columns["Done"].pk, bench.columns["Live"].pk]
    step = 0

    def move() -> None:
        nonlocal step
        card = pool[(step // 2) % len(pool)]
        response = client.post(
            f"/api/v1/cards/{card.pk}/move",
            data=json.dumps({"column_id": targets[step % 2]}),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {token}",
        )
        if response.status_code != 200:
            raise RuntimeError(f"move answered {response.status_code}: {response.content[:300]!r}")
        step += 1

    timing = timed(move, MOVES, warmups=4)  # even counts: every card ends where it started
    with capture_queries() as sql:
        move()
    move()
    return {"timing": timing, "queries": sql}


def service_moves(bench: BenchBoard, actor: object) -> dict[str, object]:
    pool = movable_cards(bench, "Live", MOVE_POOL)
    targets = [bench.columns["Done"], bench.columns["Live"]]
    step = 0

    def move() -> None:
        nonlocal step
        card = pool[(step // 2) % len(pool)]
        services.move_card(card, to_column=targets[step % 2], actor=actor)
        step += 1

    timing = timed(move, MOVES, warmups=4)
    with capture_queries() as sql:
        move()
    move()
    return {"timing": timing, "queries": sql}


def main(out_path: str) -> None:
    began = time.perf_counter()
    notes: list[str] = []
    started = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    log(f"migrated in {time.perf_counter() - started:.1f} s")
    note = collect_static()
    if note:
        notes.append(note)
        log(note)
    started = time.perf_counter()
    # Persona passwords hashed with MD5 only to build faster; nothing measured checks a password.
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        world = build_world()
    people = [world.alice, world.bob, *extra_members(world.acme)]
    boards = {n: build_board(world.acme, f"Bench {n}", n, people, world.bob, seed=n) for n in SIZES}
    with connection.cursor() as cursor:  # fresh planner statistics, as a live database would have
        cursor.execute("ANALYZE")
    sizes = " and ".join(map(str, SIZES))
    log(f"built boards of {sizes} cards in {time.perf_counter() - started:.1f} s")

    client = Client()
    client.force_login(world.bob)
    token = create_token(world.bob, "bench").secret
    results: dict[str, object] = {"boards": {}, "notes": notes}
    for n, bench in boards.items():
        started = time.perf_counter()
        url = f"/w/{world.acme.slug}/boards/{bench.board.pk}/"
        page = board_page(client, url, bench)
        api = api_moves(Client(), token, bench)
        service = service_moves(bench, world.bob)
        results["boards"][n] = {"page": page, "api": api, "service": service}  # type: ignore[index]
        log(f"measured the {n}-card board in {time.perf_counter() - started:.1f} s")

    vendor = connection.vendor
    version = (
        ".".join(map(str, connection.Database.sqlite_version_info))
        if vendor == "sqlite"
        else f"{connection.pg_version // 10000}.{connection.pg_version % 10000}"
    )
    results.update(
        {
            "backend": vendor,
            "server_version": version,
            "django": django.get_version(),
            "seconds": time.perf_counter() - began,
        }
    )
    Path(out_path).write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main(sys.argv[1])
