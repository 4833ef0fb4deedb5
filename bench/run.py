"""`make bench`: run the board benchmarks on SQLite and, when reachable, PostgreSQL; print figures.

Each backend runs bench/board_bench.py in its own process (fresh Django settings) against its
own throwaway database: a temp LEANMARK_DATA_DIR for SQLite, a scratch database created on the
PostgreSQL server for PostgreSQL (dropped afterwards). Budgets come from docs/product.md §13 and are
printed beside the figures as information: the exit code is 0 unless a benchmark crashes.
"""

import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from budgets import HEAD as BUDGET_HEAD
from budgets import budget_rows
from load import run_load

ROOT = Path(__file__).resolve().parent.parent
PG_SERVER = os.environ.get("LEANMARK_BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432/test")
PAGE_BUDGET_MS = 60.0  # board page with 300 cards, median server time
MOVE_BUDGET_MS = 15.0  # one card move


def child_env(data_dir: str, database_url: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "SECRET_KEY_FILE"}}
    env.update(
        {
            "LEANMARK_DATA_DIR": data_dir,
            "SECRET_KEY": "bench",
            "LEANMARK_DEBUG": "0",  # as in production: no query logging, manifest static files
            "ALLOWED_HOSTS": "testserver",  # Django's test Client
            "DJANGO_SETTINGS_MODULE": "leanmark.settings",
        }
    )
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def run_child(label: str, database_url: str | None, script: str = "board_bench.py") -> dict | None:
    print(f"\n== {label} ==", flush=True)
    with tempfile.TemporaryDirectory(prefix="leanmark-bench-") as data_dir:
        out = Path(data_dir) / "results.json"
        command = [sys.executable, str(ROOT / "bench" / script), str(out)]
        done = subprocess.run(command, env=child_env(data_dir, database_url), cwd=ROOT, check=False)
        if done.returncode != 0 or not out.exists():
            print(f"  {label}: the benchmark crashed (exit code {done.returncode}); see above.")
            return None
        return json.loads(out.read_text())


@contextmanager
def scratch_postgres() -> Iterator[str | None]:
    """A fresh database on the PostgreSQL server, or None (with a note) when it is unreachable."""
    try:
        import psycopg
        from psycopg import sql
    except ImportError:
        print("\nPostgreSQL skipped: psycopg is not installed.")
        yield None
        return
    try:
        admin = psycopg.connect(PG_SERVER, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as error:
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        print(f"\nPostgreSQL skipped: {PG_SERVER} is not reachable ({reason}).")
        yield None
        return
    name = sql.Identifier(f"leanmark_bench_{os.getpid()}")
    with admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(name))
        admin.execute(sql.SQL("CREATE DATABASE {}").format(name))
        try:
            yield f"{PG_SERVER.rpartition('/')[0]}/leanmark_bench_{os.getpid()}"
        finally:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))


Row = tuple[str, str, str, str]


def row(metric: str, ms: float, budget: float | None = None) -> Row:
    """A timing row; with a budget, whether the figure is within it (information only)."""
    if budget is None:
        return (metric, f"{ms:.1f} ms", "-", "-")
    return (metric, f"{ms:.1f} ms", f"<= {budget:.0f} ms", "yes" if ms <= budget else "no")


def count(metric: str, value: object, budget: str = "-") -> Row:
    return (metric, str(value), budget, "-")


def rows_for(result: dict) -> list[Row]:
    boards = {int(size): b for size, b in result["boards"].items()}
    rows: list[Row] = []
    counts = {n: len(b["page"]["queries"]) for n, b in boards.items()}
    for n, b in boards.items():
        page, view = b["page"]["page"], b["page"]["view"]
        budget = PAGE_BUDGET_MS if n == 300 else None
        rows += [
            row(f"board page, {n:,} cards: median of {page['n']} GETs", page["median"], budget),
            row(f"board page, {n:,} cards: p95", page["p95"]),
            row("  CPU time of the bench process: median", page["cpu_median"]),
            row("  of which board_view() (queries + grouping): median", view["median"]),
            count(f"board page, {n:,} cards: queries", counts[n], "constant"),
            count(f"board page, {n:,} cards: cards drawn", b["page"]["rendered"]),
        ]
    constant = "yes" if len(set(counts.values())) == 1 else "no"
    shown = " / ".join(map(str, counts.values()))
    rows.append(("board page: query count the same at every size", shown, "constant", constant))
    for n, b in boards.items():
        api, service = b["api"], b["service"]
        rows += [
            row(
                f"API card move, {n:,}-card board: median of {api['timing']['n']}",
                api["timing"]["median"],
                MOVE_BUDGET_MS,
            ),
            row(f"API card move, {n:,}-card board: p95", api["timing"]["p95"]),
            count(f"API card move, {n:,}-card board: queries", len(api["queries"])),
            row(f"services.move_card, {n:,}-card board: median", service["timing"]["median"]),
            row(f"services.move_card, {n:,}-card board: p95", service["timing"]["p95"]),
            count(f"services.move_card, {n:,}-card board: queries", len(service["queries"])),
        ]
    return rows


def print_table(
    title: str,
    rows: list[Row],
    head: tuple[str, ...] = ("metric", "value", "budget", "within budget"),
) -> None:
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(4)]
    line = "  ".join("-" * w for w in widths)
    print(f"\n{title}\n{line}")
    print("  ".join(h.ljust(w) for h, w in zip(head, widths, strict=True)))
    print(line)
    for cells in rows:
        first, *rest = zip(cells, widths, strict=True)
        print("  ".join([first[0].ljust(first[1]), *(c.rjust(w) for c, w in rest)]))
    print(line)


def print_queries(result: dict) -> None:
    """The queries of one board page and one API move, so an N+1 or a slow query is easy to spot."""
    boards = {int(size): b for size, b in result["boards"].items()}
    sizes = sorted(boards)
    pages = {n: boards[n]["page"]["queries"] for n in sizes}
    counts = ", ".join(f"{n:,} cards: {len(pages[n])}" for n in sizes)
    print(f"\nBoard page queries ({counts}); times at {sizes[-1]:,} cards:")
    print_sql(pages[sizes[-1]])
    first, last = pages[sizes[0]], pages[sizes[-1]]
    if len(first) != len(last):
        known = {q["sql"] for q in first}
        extra = [q for q in last if q["sql"] not in known] or last[len(first) :]
        print(f"  the {sizes[-1]:,}-card page runs {len(last) - len(first):+d} queries, e.g.:")
        print_sql(extra[:5])
    move = boards[sizes[-1]]["api"]["queries"]
    print(f"\nAPI card move queries ({len(move)}), one move on the {sizes[-1]:,}-card board:")
    print_sql(move)


def print_sql(queries: list[dict]) -> None:
    for i, q in enumerate(queries, 1):
        ms = f"~{q['ms']:.0f}" if q.get("approx") else f"{q['ms']:.2f}"
        print(f"  {i:2}. {ms:>6} ms  {summarise(q['sql'])}")
    total = sum(q["ms"] for q in queries)
    print(f"      {total:6.2f} ms in all (BEGIN/COMMIT as Django logs them, to the ms)")


def summarise(sql: str, width: int = 110) -> str:
    """'SELECT … FROM "table" WHERE …' shortened to the part that says what the query is for."""
    upper = sql.upper()
    start = upper.find(" FROM ")
    head = sql.split(" ", 1)[0]
    text = f"{head} …{sql[start:]}" if start > 0 and head.upper() == "SELECT" else sql
    return text if len(text) <= width else text[: width - 1] + "…"


def run_flow() -> dict[str, dict | None]:
    """The flow benchmark (bench/flow_bench.py) on each backend: its results, None if it crashed."""
    from flow_report import print_flow

    results = [("SQLite", run_child("SQLite: flow, 100,000 cards", None, "flow_bench.py"))]
    with scratch_postgres() as url:
        if url:
            label = "PostgreSQL: flow, 100,000 cards"
            results.append(("PostgreSQL", run_child(label, url, "flow_bench.py")))
    for label, result in results:
        if result is not None:
            print_flow(label, result, print_table, row)
    return dict(results)


def main() -> int:
    began = time.perf_counter()
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(
        f"Leanmark benchmarks: Python {platform.python_version()}, {os.cpu_count()} CPUs, "
        f"load average {load} at start. Figures are informative; nothing is asserted."
    )
    results: list[tuple[str, dict | None]] = [("SQLite", run_child("SQLite", None))]
    with scratch_postgres() as url:
        if url:
            results.append(("PostgreSQL", run_child("PostgreSQL", url)))
    crashed = False
    for label, result in results:
        if result is None:
            crashed = True
            continue
        title = (
            f"{label} {result['server_version']} (Django {result['django']}), "
            f"measured in {result['seconds']:.0f} s"
        )
        print_table(title, rows_for(result))
        for note in result["notes"]:
            print(f"note: {note}")
        print_queries(result)
    flows = run_flow()
    crashed = crashed or any(result is None for result in flows.values())
    print("\n== roi_bench.py ==", flush=True)
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "SECRET_KEY"}}
    roi = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "roi_bench.py")], env=env, check=False
    )
    crashed = crashed or roi.returncode != 0
    for script in sorted((ROOT / "bench").glob("domain_*.py")):  # pure-maths benchmarks
        done = subprocess.run([sys.executable, str(script)], cwd=ROOT, check=False)
        crashed = crashed or done.returncode != 0
    with tempfile.TemporaryDirectory(prefix="leanmark-bench-") as data_dir:  # dashboard roll-ups
        print("\n== dashboard_bench.py ==", flush=True)
        dashboard = [sys.executable, str(ROOT / "bench" / "dashboard_bench.py")]
        done = subprocess.run(dashboard, env=child_env(data_dir, None), cwd=ROOT, check=False)
        crashed = crashed or done.returncode != 0
    print("\n== load.py: 32 clients for 30 s on each engine ==", flush=True)
    loads = run_load(seconds=30, clients=32, think=0.5)
    crashed = crashed or any(result is None for result in loads.values())
    title = "Every performance budget of docs/product.md §13 (figures from the tables above)"
    print_table(title, budget_rows(dict(results), flows, loads), head=BUDGET_HEAD)
    print(f"\nmake bench took {time.perf_counter() - began:.0f} s.")
    return 1 if crashed else 0


if __name__ == "__main__":
    sys.exit(main())
