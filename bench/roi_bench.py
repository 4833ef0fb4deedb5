"""ROI benchmarks: `python bench/roi_bench.py` (also run by `make bench`). Prints figures only.

1. The maths (no database): fitting a response curve to 12 months, and the SLSQP allocation
   over 5 and 20 channels.
2. With the Northwind demo in a throwaway SQLite database: the ROI report and the allocation
   (queries plus maths), and the ROI and allocation pages with their query counts.
"""

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def timed(fn, n: int) -> tuple[float, float]:
    samples = []
    for _ in range(n):
        began = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - began) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(0.95 * (len(samples) - 1))]


def line(what: str, median: float, p95: float | None = None, extra: str = "") -> None:
    tail = "" if p95 is None else f"   p95 {p95:8.2f} ms"
    print(f"  {what:<58} median {median:8.2f} ms{tail}  {extra}")


def maths() -> None:
    from leanmark.domain import roi

    rng = np.random.default_rng(1)
    x = rng.uniform(500, 5_000, 12)
    y = 8_000 * np.log1p(x / 2_000) * rng.normal(1, 0.05, 12)
    print("\nROI maths (leanmark/domain/roi.py)")
    line("fit_curve, 12 months", *timed(lambda: roi.fit_curve("c", x, y), 200))
    for n in (5, 20):
        curves = [
            roi.Curve(f"c{i}", float(rng.uniform(1e3, 1e4)), float(rng.uniform(100, 5e3)))
            for i in range(n)
        ]
        result = roi.allocate(curves, 20_000)
        line(
            f"allocate, {n} channels, budget 20,000",
            *timed(lambda c=curves: roi.allocate(c, 20_000), 100),
            f"({result.iterations} SLSQP iterations)",
        )


def with_demo() -> None:
    data = tempfile.mkdtemp(prefix="leanmark-roi-bench-")
    os.environ.update(
        {
            "LEANMARK_DATA_DIR": data,
            "SECRET_KEY": "bench",
            "LEANMARK_DEBUG": "1",
            "ALLOWED_HOSTS": "testserver",
            "DJANGO_SETTINGS_MODULE": "leanmark.settings",
        }
    )
    os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse
    from django.utils import timezone

    from leanmark.demo.generator import load_demo
    from leanmark.domain import roi
    from leanmark.roi import queries

    call_command("migrate", verbosity=0)
    began = time.perf_counter()
    workspace = load_demo(seed=42)
    print(f"\nWith the Northwind demo on SQLite (loaded in {time.perf_counter() - began:.1f} s)")
    today = timezone.localdate()
    start, end = roi.parse_period("last-12-months", today)
    line(
        "queries.report, 12 months by stage",
        *timed(lambda: queries.report(workspace, start=start, end=end, by="stage"), 20),
    )
    line(
        "queries.allocation (fit 5 curves + SLSQP)",
        *timed(lambda: queries.allocation(workspace, unit="money", today=today), 20),
    )
    client = Client()
    owner = workspace.memberships.get(role="owner").user
    client.force_login(owner)
    for name in ("roi", "roi-allocation", "roi-spend"):
        url = reverse(name, kwargs={"ws": workspace.slug})
        status = client.get(url).status_code
        if status != 200:
            raise SystemExit(f"{url} answered {status}")
        connection.queries_log.clear()  # the demo filled it (DEBUG keeps the last 9,000)
        with CaptureQueriesContext(connection) as ctx:
            client.get(url)
        line(
            f"GET {name} page",
            *timed(lambda u=url: client.get(u), 10),
            f"{len(ctx.captured_queries)} queries",
        )


if __name__ == "__main__":
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"ROI benchmarks (load average {load}). Figures are informative; nothing is asserted.")
    maths()
    with_demo()
