"""Value stream map timings: the map page, the SVG drawing and the PNG export, for a map of 15
steps (the demo's size) and one of 120, with measured times over 2,000 cards' history.

Run it on its own (`make bench` runs the board benchmarks):
    .venv/bin/python bench/valuestream_bench.py
It uses a throwaway SQLite database in a temp dir and prints figures; it never judges.
"""

import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT)]
os.environ["LEANMARK_DATA_DIR"] = tempfile.mkdtemp(prefix="leanmark-vsm-bench-")
os.environ.pop("DATABASE_URL", None)
os.environ.setdefault("SECRET_KEY", "bench")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "leanmark.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, override_settings  # noqa: E402
from django.urls import reverse  # noqa: E402

from leanmark.board.services import HistoryCard, HistoryEvent, import_history  # noqa: E402
from leanmark.domain.hourglass import STAGES  # noqa: E402
from leanmark.testing.personas import build_world  # noqa: E402
from leanmark.valuestream import exports, queries, services  # noqa: E402
from leanmark.valuestream.drawing import draw  # noqa: E402

RUNS = 15


def timed(fn, runs=RUNS):
    fn()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def history(world, cards):
    names = ("Ready", "Writing", "Review", "Live", "Done")
    columns = [world.column(n) for n in names]
    t0 = datetime(2026, 6, 1, 9, tzinfo=UTC)
    items = []
    for i in range(cards):
        at = t0 + timedelta(hours=i)
        events = [HistoryEvent("created", at, to_column=columns[0])]
        for k, column in enumerate(columns[1:], start=1):
            events.append(
                HistoryEvent("moved", at + timedelta(hours=5 * k + i % 7), to_column=column)
            )
        items.append(HistoryCard(title=f"card {i}", events=events))
    import_history(world.board, items)


def build(world, steps, name):
    stream = services.create_stream(world.acme, services.StreamSettings(name=name), actor=None)
    for i in range(steps):
        step = services.add_step(
            stream,
            {
                "name": f"Step {i} with a longer name to wrap",
                "stage": STAGES[i % 7].value,
                "pt_value": str(1 + i % 4),
                "pt_unit": "h",
                "lt_value": str(1 + i % 3),
                "lt_unit": "d",
                "ca_percent": str(90 + i % 10),
                "customer_value": ("value_adding", "necessary", "waste")[i % 3],
            },
            actor=None,
        )
        if i % 5 == 0:
            services.link_columns(step, [world.column("Writing").pk], actor=None)
    return stream


def main():
    call_command("migrate", verbosity=0)
    world = build_world()
    cards = int(os.environ.get("VSM_BENCH_CARDS", "2000"))
    print(f"building {cards:,} cards of history…", flush=True)
    history(world, cards)
    client = Client()
    client.force_login(world.alice)
    print(f"{'steps':>6} {'page ms':>8} {'queries':>8} {'draw ms':>8} {'png ms':>8} {'svg kB':>7}")
    from django.conf import settings

    plain = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with override_settings(DEBUG=False, STORAGES=plain):
        for steps in (15, 120):
            stream = build(world, steps, f"Bench {steps}")
            url = reverse("valuestream-map", kwargs={"ws": world.acme.slug, "stream_id": stream.pk})
            page = timed(lambda url=url: client.get(url))
            with CaptureQueriesContext(connection) as ctx:
                client.get(url)
            view = queries.map_view(stream)
            drawing_ms = timed(lambda view=view: draw(view, today=date(2026, 11, 24)))
            drawing = exports.drawing_of(stream, today=date(2026, 11, 24))
            svg, width = drawing.svg, drawing.width
            png = timed(lambda svg=svg, width=width: exports.png_of(svg, width=width), runs=3)
            kb = len(svg.encode()) / 1024
            print(
                f"{steps:>6} {page:>8.1f} {len(ctx.captured_queries):>8} {drawing_ms:>8.1f} "
                f"{png:>8.0f} {kb:>7.0f}",
                flush=True,
            )


if __name__ == "__main__":
    main()
