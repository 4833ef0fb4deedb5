"""Load and integrity under concurrency (issue 12 item 4; docs/product.md §13: 32 clients against
PostgreSQL with two app processes, zero errors, p95 <= 250 ms).

`make load` (or `python bench/load.py [--seconds 30] [--clients 32] [--think 0.5]`) runs, once per
engine, a child process (this file with a results path, as bench/run.py runs every benchmark) that:

1. builds a throwaway database: the personas' workspace (leanmark.testing.personas) and its board
   with HARD WIP limits on Writing (4), Review (3) and Live (5), 60 cards in Ready, 20 in Done;
2. starts the real server, `leanmark serve --no-jobs`, with 2 worker processes on PostgreSQL and
   1 on SQLite, on a free port of 127.0.0.1, and waits for /readyz;
3. runs N client threads for a bounded time, each with its own token and keep-alive connection,
   each request chosen at random: the board page (HTML, a signed-in session), the card list (API),
   a card read and moved from its column to another with its version (API; 409 when the column
   is full or someone moved it first is the right answer), a card
   edited with the version it just read (API; 409 when someone else wrote first is the right
   answer), an idea captured (API); clients pause between requests (``--think`` seconds on average,
   as people do; 0 hammers the server);
4. stops the server and checks, from the database: no 5xx and no failed connection; replaying the
   event log, no hard-limited column ever held more live cards than its limit; every 200 move has
   its event (card, from, to); for every card the title is that of the successful edit with the
   highest version (no silent overwrite) and no two successful edits returned the same version;
   every 201 idea is there with its title.

Prints, per engine: requests per kind with their statuses, p50/p95/max latency, and the checks.
Exit code 0 unless the script crashes; with ``--strict`` a failed check or a budget miss exits 1.
"""

import argparse
import http.client
import json
import os
import random
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HARD_LIMITS = {"Writing": 4, "Review": 3, "Live": 5}
KINDS = ("board page", "card list", "move", "edit", "capture idea")
WEIGHTS = (25, 15, 30, 20, 10)
P95_BUDGET_MS = 250.0


# ---- the child: one engine ---------------------------------------------------------------------


def _setup() -> dict:
    """The workspace, board, limits, cards, tokens and a session, in the throwaway database."""
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import override_settings

    from leanmark.accounts import services as accounts
    from leanmark.board import services
    from leanmark.testing.personas import build_world

    call_command("migrate", interactive=False, verbosity=0)
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        world = build_world()
    board = world.board
    for column in board.columns.all():
        limit = HARD_LIMITS.get(column.name)
        spec = services.ColumnSpec(
            column.name, column.kind, limit, "hard" if limit else column.policy, None
        )
        services.update_column(column, spec)
    ready, done = world.column("Ready"), world.column("Done")
    cards = [
        services.create_card(board, title=f"load {i}", column=ready, actor=world.bob)
        for i in range(60)
    ]
    cards += [
        services.create_card(board, title=f"done {i}", column=done, actor=world.bob)
        for i in range(20)
    ]
    tokens = [accounts.create_token(world.bob, f"load {i}").secret for i in range(4)]
    tokens += [accounts.create_token(world.alice, f"load {i}").secret for i in range(4)]
    browser = Client()
    browser.force_login(world.bob)
    return {
        "slug": world.acme.slug,
        "board": board.pk,
        "cards": [c.pk for c in cards],
        "columns": {c.name: c.pk for c in board.columns.all()},
        "tokens": tokens,
        "session": browser.cookies["sessionid"].value,
    }


SERVER_LOG = Path(os.environ.get("LEANMARK_DATA_DIR", ".")) / "server.log"


def _start_server(workers: int) -> tuple[subprocess.Popen, int]:
    from leanmark.testing.servers import free_port

    port = free_port()
    env = {**os.environ, "ALLOWED_HOSTS": "127.0.0.1"}
    command = [sys.executable, "-m", "leanmark.cli", "serve", "--no-jobs", "--port", str(port)]
    server = subprocess.Popen(
        [*command, "--workers", str(workers)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=SERVER_LOG.open("w"),  # a file, not a pipe nobody reads: a full pipe blocks it
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the server stopped at start:\n{SERVER_LOG.read_text()[-3000:]}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/readyz")
            if connection.getresponse().status == 200:
                return server, port
        except OSError:
            pass
        time.sleep(0.2)
    server.kill()
    raise RuntimeError("the server did not answer /readyz within 60 s")


class Client:
    """One simulated person: a keep-alive connection, a token, a random walk over the requests."""

    def __init__(self, number: int, port: int, setup: dict, until: float, think: float) -> None:
        self.rng = random.Random(number)
        self.port = port
        self.setup = setup
        self.until = until
        self.think = think
        self.token = setup["tokens"][number % len(setup["tokens"])]
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.records: list[dict] = []

    def call(self, kind: str, method: str, path: str, body: dict | None = None) -> tuple[int, dict]:
        headers = {"Authorization": f"Bearer {self.token}"}
        if kind == "board page":
            headers = {"Cookie": f"sessionid={self.setup['session']}"}
        if body is not None:
            headers["Content-Type"] = "application/json"
        data = json.dumps(body) if body is not None else None
        started = time.perf_counter()
        try:
            self.connection.request(method, path, body=data, headers=headers)
            response = self.connection.getresponse()
            raw = response.read()
            status = response.status
        except (OSError, http.client.HTTPException) as error:
            self.connection.close()  # the next request opens a new connection
            ms = (time.perf_counter() - started) * 1000
            self.records.append({"kind": kind, "status": 0, "ms": ms, "error": repr(error)})
            return 0, {}
        ms = (time.perf_counter() - started) * 1000
        payload = {}
        if raw and response.getheader("Content-Type", "").startswith("application/json"):
            payload = json.loads(raw)
        self.records.append({"kind": kind, "status": status, "ms": ms})
        return status, payload

    def run(self) -> None:
        setup, rng = self.setup, self.rng
        columns = list(setup["columns"].values())
        while time.monotonic() < self.until:
            kind = rng.choices(KINDS, WEIGHTS)[0]
            card = rng.choice(setup["cards"])
            if kind == "board page":
                self.call(kind, "GET", f"/w/{setup['slug']}/boards/{setup['board']}/")
            elif kind == "card list":
                self.call(kind, "GET", f"/api/v1/boards/{setup['board']}/cards?limit=50")
            elif kind == "move":  # as a person drags: from where the card is, with its version
                status, current = self.call("move (read)", "GET", f"/api/v1/cards/{card}")
                if status == 200:
                    target = rng.choice([c for c in columns if c != current["column_id"]])
                    body = {"column_id": target, "version": current["version"]}
                    status, out = self.call(kind, "POST", f"/api/v1/cards/{card}/move", body)
                    if status == 200:
                        self.records[-1].update(
                            card=card, source=current["column_id"], column=target
                        )
            elif kind == "edit":
                status, current = self.call("edit (read)", "GET", f"/api/v1/cards/{card}")
                if status == 200:
                    title = f"edit {rng.getrandbits(40):010x}"
                    body = {"title": title, "version": current["version"]}
                    status, out = self.call(kind, "PATCH", f"/api/v1/cards/{card}", body)
                    if status == 200:
                        self.records[-1].update(card=card, title=title, version=out["version"])
            else:
                title = f"idea {rng.getrandbits(40):010x}"
                body = {"workspace": setup["slug"], "title": title}
                status, out = self.call(kind, "POST", "/api/v1/ideas", body)
                if status == 201:
                    self.records[-1].update(idea=out["id"], title=title)
            if self.think:
                time.sleep(rng.uniform(0, 2 * self.think))


def _wip_violations(setup: dict) -> list[str]:
    """Replay the event log in id order; a hard-limited column never holds more than its limit."""
    from leanmark.board.models import CardEvent

    limits = {setup["columns"][name]: limit for name, limit in HARD_LIMITS.items()}
    where: dict[int, int | None] = {}
    count: Counter[int] = Counter()
    found = []
    events = CardEvent.objects.filter(board_id=setup["board"]).order_by("id")
    for event in events.values("id", "card_id", "kind", "to_column_id").iterator():
        card, kind, to = event["card_id"], event["kind"], event["to_column_id"]
        if kind in ("created", "moved", "restored") and to is not None:
            if where.get(card) is not None:
                count[where[card]] -= 1
            where[card] = to
            count[to] += 1
        elif kind == "archived" and where.get(card) is not None:
            count[where[card]] -= 1
            where[card] = None
        if to in limits and count[to] > limits[to]:
            found.append(f"event {event['id']}: column {to} holds {count[to]} > {limits[to]}")
    return found


def _lost_updates(setup: dict, records: list[dict]) -> list[str]:
    from leanmark.backlog.models import Idea
    from leanmark.board.models import Card, CardEvent

    found = []
    moves = Counter(
        (r["card"], r["source"], r["column"])
        for r in records
        if r["kind"] == "move" and r["status"] == 200
    )
    events = Counter(
        CardEvent.objects.filter(board_id=setup["board"], kind="moved").values_list(
            "card_id", "from_column_id", "to_column_id"
        )
    )
    found += [
        f"move of card {c} from {a} to {b}: {n} answered 200, {events[(c, a, b)]} events"
        for (c, a, b), n in moves.items()
        if events[(c, a, b)] < n
    ]
    edits: dict[int, list[dict]] = defaultdict(list)
    for r in records:
        if r["kind"] == "edit" and r["status"] == 200:
            edits[r["card"]].append(r)
    titles = dict(Card.objects.filter(pk__in=edits).values_list("pk", "title"))
    for card, done in edits.items():
        versions = [r["version"] for r in done]
        if len(set(versions)) != len(versions):
            found.append(f"card {card}: two accepted edits returned the same version")
        last = max(done, key=lambda r: r["version"])
        if titles[card] != last["title"]:
            found.append(
                f"card {card}: title {titles[card]!r}, last accepted edit {last['title']!r}"
            )
    ideas = {
        r["idea"]: r["title"] for r in records if r["kind"] == "capture idea" and r["status"] == 201
    }
    stored = dict(Idea.objects.filter(pk__in=ideas).values_list("pk", "title"))
    found += [
        f"idea {i} ({t!r}) missing or changed" for i, t in ideas.items() if stored.get(i) != t
    ]
    return found


def _traceback(text: str) -> str:
    """The frames (indented lines) and the exception line after a 'Traceback' header."""
    lines = text.splitlines()[1:]
    frames = [line for line in lines if line.startswith(" ")]
    after = [line for line in lines if line and not line.startswith(" ")]
    return "\n".join([*frames[-6:], *after[:1]])


def child(out_path: str) -> None:
    sys.path[:0] = [str(ROOT)]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "leanmark.settings")
    import django

    django.setup()
    from django.db import connection

    seconds = float(os.environ["LEANMARK_LOAD_SECONDS"])
    clients = int(os.environ["LEANMARK_LOAD_CLIENTS"])
    think = float(os.environ["LEANMARK_LOAD_THINK"])
    setup = _setup()
    workers = 2 if connection.vendor == "postgresql" else 1
    connection.close()
    server, port = _start_server(workers)
    print(
        f"  server: {workers} process(es) on 127.0.0.1:{port}; "
        f"{clients} clients for {seconds:.0f} s",
        flush=True,
    )
    try:
        until = time.monotonic() + seconds
        people = [Client(n, port, setup, until, think) for n in range(clients)]
        threads = [threading.Thread(target=p.run) for p in people]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - started
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
    records = [r for p in people for r in p.records]
    errors = [r for r in records if r["status"] >= 500 or r["status"] == 0]
    result = {
        "vendor": connection.vendor,
        "workers": workers,
        "clients": clients,
        "seconds": elapsed,
        "think": think,
        "requests": len(records),
        "errors": len(errors),
        "error_samples": [r.get("error", r["status"]) for r in errors[:5]],
        "p50": statistics.median(r["ms"] for r in records),
        "p95": statistics.quantiles([r["ms"] for r in records], n=100, method="inclusive")[94],
        "max": max(r["ms"] for r in records),
        "by_kind": {},
    }
    for kind in sorted({r["kind"] for r in records}):
        mine = [r for r in records if r["kind"] == kind]
        times = [r["ms"] for r in mine]
        result["by_kind"][kind] = {
            "n": len(mine),
            "statuses": dict(sorted(Counter(str(r["status"]) for r in mine).items())),
            "p50": statistics.median(times),
            "p95": statistics.quantiles(times, n=100, method="inclusive")[94]
            if len(times) > 1
            else times[0],
        }
    wip = _wip_violations(setup)
    lost = _lost_updates(setup, records)
    log = SERVER_LOG.read_text(errors="replace")
    tracebacks = [_traceback(t) for t in log.split("Traceback (most recent call last):")[1:]]
    result.update(
        server_errors=tracebacks[:3],
        wip_violations=len(wip),
        wip_samples=wip[:5],
        lost_updates=len(lost),
        lost_samples=lost[:5],
    )
    Path(out_path).write_text(json.dumps(result))


# ---- the parent: both engines, printed -----------------------------------------------------------


def print_load(label: str, r: dict) -> None:
    print(
        f"\n{label}: {r['clients']} clients, {r['workers']} app process(es), {r['seconds']:.0f} s, "
        f"think time {r['think']:.2f} s on average; {r['requests']:,} requests "
        f"({r['requests'] / r['seconds']:.0f}/s)"
    )
    print(f"  {'request':<16}{'count':>7}  {'p50':>8}  {'p95':>8}  statuses")
    for kind, k in r["by_kind"].items():
        statuses = ", ".join(f"{s}: {n}" for s, n in k["statuses"].items())
        print(f"  {kind:<16}{k['n']:>7}  {k['p50']:>6.1f}ms  {k['p95']:>6.1f}ms  {statuses}")
    budget = "within" if r["p95"] <= P95_BUDGET_MS else "OVER"
    print(
        f"  all requests: p50 {r['p50']:.1f} ms, p95 {r['p95']:.1f} ms ({budget} the "
        f"{P95_BUDGET_MS:.0f} ms budget), max {r['max']:.0f} ms"
    )
    print(f"  5xx or failed connections: {r['errors']}  {r['error_samples'] or ''}")
    print(
        f"  WIP-limit violations in the event log: {r['wip_violations']}  {r['wip_samples'] or ''}"
    )
    print(f"  lost updates: {r['lost_updates']}  {r['lost_samples'] or ''}")
    for trace in r["server_errors"]:
        print("  server error:\n    " + trace.replace("\n", "\n    "))


def run_load(
    seconds: float, clients: int, think: float, engines: tuple[str, ...] = ("SQLite", "PostgreSQL")
) -> dict[str, dict | None]:
    """Both engines (PostgreSQL when reachable); results by label, None where it crashed."""
    sys.path[:0] = [str(ROOT / "bench")]
    from run import run_child, scratch_postgres

    os.environ.update(
        LEANMARK_LOAD_SECONDS=str(seconds),
        LEANMARK_LOAD_CLIENTS=str(clients),
        LEANMARK_LOAD_THINK=str(think),
    )
    results: dict[str, dict | None] = {}
    if "SQLite" in engines:
        results["SQLite"] = run_child("SQLite: load", None, "load.py")
    if "PostgreSQL" in engines:
        with scratch_postgres() as url:
            if url:
                results["PostgreSQL"] = run_child("PostgreSQL: load", url, "load.py")
    for label, result in results.items():
        if result is not None:
            print_load(label, result)
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--think", type=float, default=0.5, help="mean pause between requests, s")
    parser.add_argument("--strict", action="store_true", help="exit 1 on a failed check")
    parser.add_argument("--engine", choices=["SQLite", "PostgreSQL"], action="append")
    args = parser.parse_args()
    engines = tuple(args.engine or ("SQLite", "PostgreSQL"))
    results = run_load(args.seconds, args.clients, args.think, engines)
    crashed = any(r is None for r in results.values())
    failed = any(
        r["errors"] or r["wip_violations"] or r["lost_updates"] or r["p95"] > P95_BUDGET_MS
        for r in results.values()
        if r is not None
    )
    return 1 if crashed or (args.strict and failed) else 0


if __name__ == "__main__":
    if len(sys.argv) == 2 and not sys.argv[1].startswith("-"):
        child(sys.argv[1])  # run by run_child with the results path
    else:
        sys.exit(main())
