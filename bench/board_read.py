"""The whole-board read (issue 24, item 1): `GET /api/v1/boards/{id}?include=cards` against the
paged card list and the raw SQL floor, at 500, 2,000 and 10,000 cards.

`make bench` runs it; `python bench/board_read.py` alone works too. It runs itself once per
engine in a child process with a throwaway database: SQLite in a temp LEANMARK_DATA_DIR always,
and PostgreSQL when DATABASE_URL is set (a scratch database `leanmark_read_<pid>` created on
that server and dropped afterwards; the database the URL names is never written). Each child
migrates, builds the boards with bench/board_data.py (bulk_create, events included) and prints,
per size, p50 and p95 wall time and p50 CPU time of:

- whole read: one bearer-token GET ?include=cards through Django's test Client (full request);
- of which exports.live_cards + orjson (the card query, the assignees and the JSON), and of
  that the card query alone (queries.live_card_rows: the database writes the JSON text);
- on SQLite, the one statement the whole read runs for its cards (queries.live_cards_json: the
  database writes the cards' JSON array and the counts per column; Python places the text);
- 304: the same GET with If-None-Match (no card read);
- paged read: every page of GET /boards/{id}/cards?limit=200, the old way to read a board;
- raw SQL floor: a plain SELECT of the card columns the read writes, through connection.cursor,
  every row fetched (no JSON at all).

Figures only; nothing is judged. About a minute per engine on a 2-core machine.
"""

import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SIZES = tuple(int(n) for n in os.environ.get("BOARD_READ_SIZES", "500,2000,10000").split(","))
RUNS = {500: 30, 2000: 20, 10000: 8}  # whole read, its export part, 304, raw SQL
PAGED_RUNS = {500: 8, 2000: 4, 10000: 2}  # a 10,000-card paged read takes seconds
WARMUPS = 2
RAW_SQL = """
    SELECT c.id, c.number, c.column_id, col.name, c.lane, c.position, c.title, c.description,
           c.due_date, c.stage, c.channel, c.tags, c.estimate, c.time_logged, c.blocked_reason,
           c.blocked_since, c.version, c.created_at, c.column_entered_at, c.started_at,
           c.finished_at
    FROM board_card c JOIN board_column col ON col.id = c.column_id
    WHERE c.board_id = %s AND c.archived_at IS NULL ORDER BY c.id
"""


def timed(
    fn: Callable[[], object], runs: int, warmups: int = WARMUPS
) -> tuple[float, float, float]:
    """p50 and p95 wall ms of ``runs`` calls after ``warmups``, and the p50 CPU ms of this
    process (the test Client serves in-process: the server's CPU, less exposed to the load of
    other work on the machine than the wall time)."""
    for _ in range(warmups):
        fn()
    ms, cpu = [], []
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        fn()
        ms.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    p95 = statistics.quantiles(ms, n=100, method="inclusive")[94] if len(ms) > 1 else ms[0]
    return statistics.median(ms), p95, statistics.median(cpu)


def child() -> None:
    sys.path[:0] = [str(ROOT), str(ROOT / "bench")]
    import django

    django.setup()

    from board_data import build_board, extra_members
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from leanmark.accounts.services import create_token
    from leanmark.board import exports
    from leanmark.board import queries as board_queries
    from leanmark.testing.personas import build_world

    began = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    world = build_world()
    people = [world.alice, world.bob, world.carol, *extra_members(world.acme)]
    boards = {n: build_board(world.acme, f"Read {n}", n, people, world.bob, seed=n) for n in SIZES}
    print(f"  built {sum(SIZES):,} cards in {time.perf_counter() - began:.0f} s", flush=True)
    auth = {"Authorization": f"Bearer {create_token(world.carol, 'bench').secret}"}  # a viewer
    client = Client()

    def get(path: str, status: int = 200, **headers: str):
        response = client.get(path, headers={**auth, **headers})
        if response.status_code != status:
            raise RuntimeError(f"GET {path} answered {response.status_code}, not {status}")
        return response

    rows = []
    for n, bench in boards.items():
        board = bench.board
        whole_path = f"/api/v1/boards/{board.pk}?include=cards"
        first = get(whole_path)
        cards = len(first.json()["cards"])
        queries: list[str] = []  # counted by a wrapper: each request empties Django's log

        def count(execute, sql, params, many, context, seen=queries):
            seen.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            get(whole_path)

        def paged(board_id: int = board.pk, cards: int = cards) -> int:
            seen, cursor, calls = 0, 0, 0
            while cursor is not None:
                body = get(f"/api/v1/boards/{board_id}/cards?limit=200&cursor={cursor}").json()
                seen, cursor, calls = seen + len(body["items"]), body["next_cursor"], calls + 1
            if seen != cards:
                raise RuntimeError(f"the paged read found {seen} cards, the whole read {cards}")
            return calls

        def raw(board_id: int = board.pk) -> None:
            with connection.cursor() as cursor:
                cursor.execute(RAW_SQL, [board_id])
                cursor.fetchall()

        etag = first["ETag"]
        figures = {
            "whole read (1 GET ?include=cards)": timed(lambda p=whole_path: get(p), RUNS[n]),
            "  of which live_cards + orjson": timed(
                lambda b=board: exports.dumps(exports.live_cards(b)[0]), RUNS[n]
            ),
            "    of which the card query (live_card_rows)": timed(
                lambda b=board: board_queries.live_card_rows(b), RUNS[n]
            ),
            "  SQLite: the one statement writing the JSON (live_cards_json)": timed(
                lambda b=board: board_queries.live_cards_json(b), RUNS[n]
            ),
            "304 (If-None-Match)": timed(
                lambda p=whole_path, e=etag: get(p, 304, if_none_match=e), RUNS[n]
            ),
            f"paged read ({paged()} GETs of 200)": timed(paged, PAGED_RUNS[n], warmups=1),
            "raw SQL floor (SELECT, fetchall)": timed(raw, RUNS[n]),
        }
        size = len(first.content)
        note = f"{cards:,} live cards, {size / 1e6:.2f} MB, {len(queries)} queries"
        rows.append((f"{n:,} cards ({note})", "", "", ""))
        rows += [
            (f"  {name}", f"{p50:.1f}", f"{p95:.1f}", f"{cpu:.1f}")
            for name, (p50, p95, cpu) in figures.items()
        ]
    width = max(len(r[0]) for r in rows)
    print(f"  {'':{width}}  {'p50 ms':>9}  {'p95 ms':>9}  {'CPU p50':>9}")
    for name, p50, p95, cpu in rows:
        print(f"  {name:{width}}  {p50:>9}  {p95:>9}  {cpu:>9}")
    print(f"  ({time.perf_counter() - began:.0f} s)", flush=True)


def child_env(data_dir: str, database_url: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "SECRET_KEY_FILE"}}
    env.update(
        {
            "LEANMARK_DATA_DIR": data_dir,
            "SECRET_KEY": "bench",
            "LEANMARK_DEBUG": "0",  # as in production: no query logging
            "ALLOWED_HOSTS": "testserver",
            "DJANGO_SETTINGS_MODULE": "leanmark.settings",
        }
    )
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


@contextmanager
def scratch_database(server_url: str) -> Iterator[str]:
    """A fresh database on the server of ``server_url``, dropped afterwards."""
    import psycopg
    from psycopg import sql

    scratch = f"leanmark_read_{os.getpid()}"
    name = sql.Identifier(scratch)
    with psycopg.connect(server_url, autocommit=True, connect_timeout=5) as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(name))
        admin.execute(sql.SQL("CREATE DATABASE {}").format(name))
        try:
            base, _, rest = server_url.partition("?")
            yield f"{base.rpartition('/')[0]}/{scratch}" + (f"?{rest}" if rest else "")
        finally:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))


def run(
    title: str, script: str, label: str, database_url: str | None, env: dict[str, str] | None
) -> bool:
    """``script --child`` in a fresh data folder (and database ``database_url``), ``env`` added."""
    print(f"\n== {title}, {label} ==", flush=True)
    with tempfile.TemporaryDirectory(prefix="leanmark-bench-") as data_dir:
        command = [sys.executable, script, "--child"]
        full = {**child_env(data_dir, database_url), **(env or {})}
        done = subprocess.run(command, env=full, cwd=ROOT)
    if done.returncode != 0:
        print(f"  {label}: the benchmark crashed (exit code {done.returncode}); see above.")
    return done.returncode == 0


def run_on_both(title: str, script: str, env: dict[str, str] | None = None) -> int:
    """The benchmark ``script`` on SQLite, then on a scratch PostgreSQL database when
    ``DATABASE_URL`` names a server; the exit code (1 when a run crashed)."""
    ok = run(title, script, "SQLite", None, env)
    server = os.environ.get("DATABASE_URL", "")
    if server.startswith(("postgres://", "postgresql://")):
        with scratch_database(server) as url:
            ok = run(title, script, "PostgreSQL", url, env) and ok
    else:
        print("\nPostgreSQL skipped: DATABASE_URL is not set to a postgres:// URL.")
    return 0 if ok else 1


def main() -> int:
    return run_on_both("whole-board read", __file__)


if __name__ == "__main__":
    if sys.argv[1:] in (["-h"], ["--help"]):
        print(__doc__)
        print("Sizes: BOARD_READ_SIZES=500,2000 (default 500,2000,10000).")
    elif sys.argv[1:] == ["--child"]:
        child()
    else:
        sys.exit(main())
