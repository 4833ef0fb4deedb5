"""Flow report and Monte Carlo timings on a board of 100,000 cards and 1,000,000 events.

Run by bench/run.py once per backend in a fresh process (DATABASE_URL, LEANMARK_DATA_DIR and
SECRET_KEY set); writes its figures as JSON to the path given as the only argument.
"""

import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "leanmark.settings")

import django  # noqa: E402

django.setup()

import numpy as np  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import override_settings  # noqa: E402
from django.utils import timezone  # noqa: E402
from flow_data import build  # noqa: E402

from leanmark.board.models import CardEvent  # noqa: E402
from leanmark.domain import flow as maths  # noqa: E402
from leanmark.domain.forecast import History, how_many, when  # noqa: E402
from leanmark.flow import queries  # noqa: E402
from leanmark.testing.personas import build_world  # noqa: E402


def log(message: str) -> None:
    print(f"  {message}", flush=True)


def timed(fn: Callable[[], object], runs: int, before: Callable[[], object] | None = None) -> dict:
    times = []
    for _ in range(runs):
        if before is not None:
            before()
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return {"median": statistics.median(times), "min": min(times), "max": max(times), "n": runs}


def plain_read(board_id: int) -> int:
    """The floor: every event of the board, four columns, fetched and nothing else."""
    table = CardEvent._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT card_id, kind, at, to_column_id FROM {table} WHERE board_id = %s",  # noqa: S608
            [board_id],
        )
        return len(cursor.fetchall())


def main(out_path: str) -> None:
    began = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        world = build_world()
    started = time.perf_counter()
    big = build(world.acme, world.bob)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    built = time.perf_counter() - started
    log(f"built {big.cards:,} cards and {big.events:,} events in {built:.0f} s")
    board = type(big.board).objects.select_related("workspace").get(pk=big.board.pk)
    now = timezone.now()
    today = now.date()
    last90 = {"start": today - timedelta(days=89), "end": today, "now": now}
    whole = {"start": today - timedelta(days=730), "end": today, "now": now}

    def report(span: dict) -> Callable[[], object]:
        return lambda: queries.flow_report(board, **span)

    results: dict[str, object] = {
        "cards": big.cards,
        "events": big.events,
        "flow_events": big.flow_events,
        "build_seconds": built,
        "floor": timed(lambda: plain_read(board.pk), 3),
        "cold_90": timed(report(last90), 3, before=queries.clear_cache),
        "cold_730": timed(report(whole), 3, before=queries.clear_cache),
        "warm_90": timed(report(last90), 5),
        "warm_730": timed(report(whole), 5),
        "percentiles_warm": timed(lambda: queries.cycle_time_percentiles(board), 5),
    }
    columns = list(board.columns.order_by("position"))
    log_arrays = queries._read_log(board, [c.pk for c in columns])
    results["read_log"] = timed(lambda: queries._read_log(board, [c.pk for c in columns]), 3)
    shape = queries.board_shape(columns, board)
    results["timeline"] = timed(lambda: maths.timeline(log_arrays, shape), 3)
    data = queries.flow_data(board)
    edges = queries.day_edges(today - timedelta(days=89), today, data.tz)
    daily = maths.throughput_per_day(data.timeline, edges)
    history = History.of(daily)
    results["history_items"] = history.items
    results["mc_how_many"] = timed(lambda: how_many(history, 30, trials=10_000, seed=1), 20)
    results["mc_when"] = timed(lambda: when(history, 500, trials=10_000, seed=1), 20)
    results["mc_how_many_weeks"] = timed(
        lambda: how_many(History.of(np.add.reduceat(daily, range(0, 84, 7))), 26, seed=1), 20
    )
    results["finished_90"] = len(queries.finished_items(board, since=last90["start"], until=today))
    vendor = connection.vendor
    version = (
        ".".join(map(str, connection.Database.sqlite_version_info))
        if vendor == "sqlite"
        else f"{connection.pg_version // 10000}.{connection.pg_version % 10000}"
    )
    results.update(
        {"vendor": vendor, "server_version": version, "seconds": time.perf_counter() - began}
    )
    Path(out_path).write_text(json.dumps(results, default=str))


if __name__ == "__main__":
    main(sys.argv[1])
