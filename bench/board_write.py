"""API card writes through a real server (issue 24, items 2 and 3): a move to position 1 and a
create, at 500 and 2,000 cards on one board, with the raw-SQL floor beside each.

`make bench` runs it; `python bench/board_write.py [--runs 100]` alone works too. It runs
itself once per engine in a child process with a throwaway database: SQLite in a temp
LEANMARK_DATA_DIR always, and PostgreSQL when DATABASE_URL is set (a scratch database created
on that server and dropped afterwards, as bench/board_read.py does). Each child:

1. migrates, builds the two boards with bench/board_data.py (bulk_create, events included) and
   makes an API token for bob (a member);
2. runs one move and one create in-process (Django's test Client, the same bearer token) with a
   statement recorder (``connection.execute_wrapper``), and lists each statement;
3. starts the production server, ``leanmark serve --no-jobs --workers 1`` (gunicorn, DEBUG off),
   on LEANMARK_BENCH_PORT or a free port, waits for /readyz, and times full HTTP round trips
   (a new TCP connection each: gunicorn's sync worker does not keep connections alive):
   - move to position 1: ``POST /api/v1/cards/{id}/move`` of one standard-lane card between
     Live and Done, each time ``before_id`` the first card of the target cell, so every move
     shifts the whole cell (~700 cards in Done on the 2,000-card board) and writes its event;
   - create: ``POST /api/v1/boards/{id}/cards`` with a title, into Live (no limit);
4. stops the server and replays the statements of step 2 directly through the DB-API
   connection (``sqlite3`` / ``psycopg``, no Django, one kept connection; the statements Django
   ran inside its transaction between BEGIN IMMEDIATE / BEGIN and COMMIT): the raw-SQL floor.
   A replayed create takes the next card number (the counter it bumps), so it never collides.

Prints, per size, p50 and p90 in ms of each, the server worker's CPU ms per request (from
/proc: on a busy machine the wall-clock figures grow with the others' load, this one barely),
a GET /healthz as the HTTP floor (gunicorn and a new connection, no database), and the
statement lists. With LEANMARK_BENCH_RESULTS=<file> the p50/p90 are also written there as JSON
(bench/kanboard_side.py reads them). Figures only; nothing is judged. About a minute per engine
on a 2-core machine.
"""

import http.client
import json
import os
import re
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SIZES = (500, 2000)
RUNS = int(os.environ.get("LEANMARK_BENCH_RUNS", "100"))
WARMUPS = 6
QMARK = re.compile(r"(?<!%)%s")


def percentiles(ms: list[float]) -> tuple[float, float]:
    p90 = statistics.quantiles(ms, n=10, method="inclusive")[8]
    return statistics.median(ms), p90


def timed(
    fn: Callable[[int], object],
    runs: int = RUNS,
    warmups: int = WARMUPS,
    cpu: Callable[[], float] | None = None,
) -> list[float]:
    """Wall-clock ms of each of ``runs`` calls after ``warmups``; with ``cpu`` (a CPU-seconds
    clock) its ms per call over the runs is appended last."""
    for i in range(warmups):
        fn(i)
    ms = []
    cpu_before = cpu() if cpu else 0.0
    for i in range(runs):
        started = time.perf_counter()
        fn(warmups + i)
        ms.append((time.perf_counter() - started) * 1000)
    if cpu:
        ms.append((cpu() - cpu_before) * 1000 / runs)
    return ms


# ---- recording and replaying the statements ----------------------------------------------------


class Recorder:
    """Every statement Django sends, with its parameters and whether a transaction was open."""

    def __init__(self, connection) -> None:
        self.connection = connection
        self.statements: list[tuple[str, object, bool, bool]] = []

    def __call__(self, execute, sql, params, many, context):
        if sql.startswith("BEGIN"):  # SQLite's BEGIN IMMEDIATE: listed and replayed as BEGIN
            return execute(sql, params, many, context)
        self.statements.append((sql, params, many, self.connection.in_atomic_block))
        return execute(sql, params, many, context)

    def listing(self) -> list[str]:
        """The statements as round trips: BEGIN and COMMIT included where a transaction ran."""
        lines, open_ = [], False
        for sql, _, _, atomic in self.statements:
            if atomic and not open_:
                lines.append("BEGIN")
            if open_ and not atomic:
                lines.append("COMMIT")
            open_ = atomic
            lines.append(re.sub(r"\s+", " ", sql)[:150])
        if open_:
            lines.append("COMMIT")
        return lines


def _card_number_index(sql: str) -> int | None:
    match = re.match(r'INSERT INTO "board_card" \(([^)]*)\)', sql)
    if match is None:
        return None
    return [c.strip().strip('"') for c in match.group(1).split(",")].index("number")


def replayer(statements, vendor: str, raw, workspace_id: int) -> Callable[[int], None]:
    """A function replaying ``statements`` on the DB-API connection ``raw``. A card insert takes
    the number the workspace's counter hands out (the replayed statements bump it too)."""
    begin = "BEGIN IMMEDIATE" if vendor == "sqlite" else "BEGIN"
    plan = []
    for sql, params, many, atomic in statements:
        if vendor == "sqlite":
            sql = QMARK.sub("?", sql).replace("%%", "%")
        plan.append((sql, list(params or ()), many, atomic, _card_number_index(sql)))
    cursor = raw.cursor()
    placeholder = "?" if vendor == "sqlite" else "%s"
    cursor.execute(
        f"SELECT card_counter FROM accounts_workspace WHERE id = {placeholder}",  # noqa: S608
        [workspace_id],
    )
    next_number = cursor.fetchone()[0] + 1

    def replay(i: int) -> None:
        open_ = False
        for sql, params, many, atomic, number_at in plan:
            if atomic and not open_:
                cursor.execute(begin)
            if open_ and not atomic:
                cursor.execute("COMMIT")
            open_ = atomic
            if number_at is not None:
                params = list(params)
                params[number_at] = next_number + i
            if many:
                cursor.executemany(sql, params)
            else:
                cursor.execute(sql, params)
                if cursor.description is not None:
                    cursor.fetchall()
        if open_:
            cursor.execute("COMMIT")

    return replay


# ---- the server --------------------------------------------------------------------------------


def start_server(log: Path) -> tuple[subprocess.Popen, int]:
    from leanmark.testing.servers import free_port

    port = int(os.environ.get("LEANMARK_BENCH_PORT") or free_port())
    command = [sys.executable, "-m", "leanmark.cli", "serve", "--no-jobs", "--workers", "1"]
    server = subprocess.Popen(
        [*command, "--port", str(port)],
        env={**os.environ, "ALLOWED_HOSTS": "127.0.0.1"},
        stdout=subprocess.DEVNULL,
        stderr=log.open("w"),  # a file, not a pipe nobody reads: a full pipe blocks it
        start_new_session=True,
    )
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the server stopped at start:\n{log.read_text()[-3000:]}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/readyz")
            if connection.getresponse().status == 200:
                return server, port
        except OSError:
            pass
        time.sleep(0.2)
    server.kill()
    raise RuntimeError("the server did not answer /readyz within 90 s")


def worker_cpu(server: subprocess.Popen) -> Callable[[], float]:
    """CPU seconds (user + system) the server's one worker has used so far: per request, a
    figure that other processes on a busy machine barely move, unlike wall-clock time."""
    children = Path(f"/proc/{server.pid}/task/{server.pid}/children")
    if not children.exists():
        return lambda: float("nan")
    pid = int(children.read_text().split()[0])
    tick = os.sysconf("SC_CLK_TCK")

    def used() -> float:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / tick

    return used


def stop_server(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def poster(port: int, token: str) -> Callable[[str, dict, int], dict]:
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    def post(path: str, body: dict, status: int) -> dict:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            connection.request("POST", path, body=json.dumps(body), headers=headers)
            response = connection.getresponse()
            raw = response.read()
        finally:
            connection.close()
        if response.status != status:
            raise RuntimeError(f"POST {path} answered {response.status}: {raw[:500]!r}")
        return json.loads(raw)

    return post


# ---- the child: one engine ---------------------------------------------------------------------


def child() -> None:
    sys.path[:0] = [str(ROOT), str(ROOT / "bench")]
    import django

    django.setup()

    from board_data import build_board, extra_members
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from leanmark.accounts.services import create_token
    from leanmark.board.models import Card, Lane
    from leanmark.testing.personas import build_world

    began = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    world = build_world()
    people = [world.alice, world.bob, world.carol, *extra_members(world.acme)]
    boards = {n: build_board(world.acme, f"Write {n}", n, people, world.bob, seed=n) for n in SIZES}
    token = create_token(world.bob, "bench").secret
    print(f"  built {sum(SIZES):,} cards in {time.perf_counter() - began:.0f} s", flush=True)

    def top(column_id: int) -> int:
        cell = Card.objects.live().filter(column_id=column_id, lane=Lane.STANDARD)
        return cell.order_by("position", "pk").values_list("pk", flat=True)[0]

    plans = {}
    for n, bench in boards.items():
        live, done = bench.columns["Live"].pk, bench.columns["Done"].pk
        first_live, first_done = top(live), top(done)
        mover = (
            Card.objects.live()
            .filter(column_id=live, lane=Lane.STANDARD, blocked_since__isnull=True)
            .exclude(pk=first_live)
            .order_by("number")
            .values_list("pk", flat=True)[0]
        )
        # Odd runs: to the top of Done; even runs: back to the top of Live.
        targets = [(live, first_live), (done, first_done)]
        plans[n] = (bench.board.pk, mover, targets, live)

    # Step 2: the statements of one move and one create, recorded in-process.
    client = Client(headers={"Authorization": f"Bearer {token}"})
    recorded = {}
    vendor = connection.vendor
    for n, (board_id, mover, targets, live) in plans.items():
        for i in range(2):  # the first request also stamps the token's last use
            column, before = targets[(i + 1) % 2]
            body = {"column_id": column, "before_id": before}
            client.post(f"/api/v1/cards/{mover}/move", body, content_type="application/json")
        column, before = targets[1]
        move = Recorder(connection)
        with connection.execute_wrapper(move):
            answer = client.post(
                f"/api/v1/cards/{mover}/move",
                {"column_id": column, "before_id": before},
                content_type="application/json",
            )
        if answer.status_code != 200:
            raise RuntimeError(f"the recorded move answered {answer.status_code}")
        create = Recorder(connection)
        with connection.execute_wrapper(create):
            answer = client.post(
                f"/api/v1/boards/{board_id}/cards",
                {"title": "recorded", "column_id": live},
                content_type="application/json",
            )
        if answer.status_code != 201:
            raise RuntimeError(f"the recorded create answered {answer.status_code}")
        recorded[n] = (move, create)
        # Put the mover back in Live for the HTTP runs, which start with a move to Done.
        column, before = targets[0]
        client.post(
            f"/api/v1/cards/{mover}/move",
            {"column_id": column, "before_id": before},
            content_type="application/json",
        )
    connection.close()

    # Step 3: full HTTP round trips through the production server.
    log = Path(os.environ["LEANMARK_DATA_DIR"]) / "server.log"
    server, port = start_server(log)
    http_ms = {}
    try:
        post = poster(port, token)

        def healthz(i: int) -> None:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            try:
                connection.request("GET", "/healthz")
                connection.getresponse().read()
            finally:
                connection.close()

        cpu = worker_cpu(server)
        healthz_ms = timed(healthz, cpu=cpu)
        for n, (board_id, mover, targets, live) in plans.items():

            def move(i: int, mover=mover, targets=targets) -> None:
                column, before = targets[(i + 1) % 2]
                body = {"column_id": column, "before_id": before}
                post(f"/api/v1/cards/{mover}/move", body, 200)

            def create(i: int, board_id=board_id, live=live) -> None:
                body = {"title": f"bench {i}", "column_id": live}
                post(f"/api/v1/boards/{board_id}/cards", body, 201)

            # An even count of moves leaves the mover in Live, where the next board's plan expects
            # nothing: each board has its own mover.
            http_ms[n] = (timed(move, cpu=cpu), timed(create, cpu=cpu))
    finally:
        stop_server(server)

    # Step 4: the raw-SQL floor, the recorded statements on a kept DB-API connection.
    if vendor == "sqlite":
        import sqlite3

        # autocommit: the replay says BEGIN and COMMIT itself
        raw = sqlite3.connect(connection.settings_dict["NAME"], isolation_level=None)
        raw.execute("PRAGMA synchronous=NORMAL")  # as the server's connections (WAL is kept)
    else:
        connection.ensure_connection()
        raw = connection.connection
        raw.autocommit = True
    floor_ms = {}
    for n, (move, create) in recorded.items():
        floor_ms[n] = (
            timed(replayer(move.statements, vendor, raw, world.acme.pk)),
            timed(replayer(create.statements, vendor, raw, world.acme.pk)),
        )

    width = 44
    print(f"  {'':{width}}  {'p50 ms':>8}  {'p90 ms':>8}  {'CPU ms':>7}  {'statements':>10}")
    h50, h90 = percentiles(healthz_ms[:-1])
    name = "HTTP floor: GET /healthz (no database)"
    print(f"  {name:{width}}  {h50:8.1f}  {h90:8.1f}  {healthz_ms[-1]:7.1f}")
    for n in SIZES:
        move, create = recorded[n]
        for label, ms, floor, rec in (
            ("move to position 1", http_ms[n][0], floor_ms[n][0], move),
            ("create", http_ms[n][1], floor_ms[n][1], create),
        ):
            p50, p90 = percentiles(ms[:-1])
            f50, f90 = percentiles(floor)
            count = len(rec.listing())
            name = f"{n:,} cards, {label} (HTTP)"
            print(f"  {name:{width}}  {p50:8.1f}  {p90:8.1f}  {ms[-1]:7.1f}  {count:>10}")
            print(f"  {'  raw-SQL floor (same statements)':{width}}  {f50:8.2f}  {f90:8.2f}")
    results = os.environ.get("LEANMARK_BENCH_RESULTS")
    if results:  # for bench/kanboard_side.py: the p50s, by size
        figures = {
            n: {"move": percentiles(http_ms[n][0][:-1]), "create": percentiles(http_ms[n][1][:-1])}
            for n in SIZES
        }
        Path(results).write_text(json.dumps(figures))
    for label, rec in (("move", recorded[SIZES[-1]][0]), ("create", recorded[SIZES[-1]][1])):
        lines = rec.listing()
        print(f"\n  statements of one API {label} ({len(lines)}, BEGIN and COMMIT included):")
        for number, line in enumerate(lines, 1):
            print(f"    {number:2}. {line}")
    print(f"  ({time.perf_counter() - began:.0f} s)", flush=True)


def main() -> int:
    sys.path.insert(0, str(ROOT / "bench"))
    from board_read import run_on_both

    env = {"ALLOWED_HOSTS": "testserver,127.0.0.1"}
    return run_on_both("API card writes through the server", __file__, env)


if __name__ == "__main__":
    if sys.argv[1:] == ["--child"]:
        child()
    else:
        sys.exit(main())
