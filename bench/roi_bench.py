"""ROI benchmarks: `python bench/roi_bench.py` (also run by `make bench`). Prints figures only.

1. The maths (no database): fitting a response curve to 12 months, and the SLSQP allocation
   over 5 and 20 channels; then the 10-channel allocation with bootstrap bands (issue 23 item 7,
   goal <= 1 s): Hill curves with carry-over fitted to 52 weeks each with 200 resamples, the
   allocation, and its range re-solved once per resample.
2. With the Northwind demo in a throwaway SQLite database: the ROI report and the allocation
   (queries plus maths), and the ROI and allocation pages with their query counts; the
   allocation page warm (its curves and range cached) and cold, and a what-if change (the split
   at once, its range fetched by a second request).
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


def bands(channels: int = 10, resamples: int = 200) -> None:
    """The 10-channel allocation with bootstrap bands, from weekly (and monthly) history."""
    from leanmark.domain import curves as cv
    from leanmark.domain import roi_steps

    rng = np.random.default_rng(23)
    weekly, monthly = [], []
    for i in range(channels):
        top, k = rng.uniform(1_000, 5_000), rng.uniform(300, 1_500)
        s, theta = rng.uniform(0.8, 2.5), rng.uniform(0.1, 0.7)
        spend = rng.uniform(0, 2 * k, 52) * (rng.uniform(size=52) > 0.15)
        ret = cv.hill(cv.adstock(spend, theta), top, k, s) * rng.normal(1, 0.05, 52)
        weekly.append((f"c{i}", spend, ret))
        x = rng.uniform(0.3 * k, 3 * k, 12) * cv.WEEKS_PER_MONTH
        monthly.append((f"c{i}", x, cv.hill(x, top * 4.35, k * 4.35, s) * rng.normal(1, 0.05, 12)))

    def fit(history, weeks):
        return [cv.fit_response(c, x, y, weekly=weeks, resamples=resamples) for c, x, y in history]

    print(
        f"\nAllocation with bootstrap bands ({channels} channels, {resamples} resamples; "
        "goal <= 1 s)"
    )
    for label, history, weeks in (
        ("52 weeks + adstock", weekly, True),
        ("12 months", monthly, False),
    ):
        curves = fit(history, weeks)
        kinds = sum(c.kind == "hill" for c in curves)
        line(
            f"fit {channels} curves + bands, {label}",
            *timed(lambda h=history, w=weeks: fit(h, w), 5),
            f"({kinds} Hill)",
        )
        budget = float(sum(c.max_x or 0 for c in curves)) * 0.6
        current = {c.channel: budget / channels for c in curves}

        def solve(drawn, budget=budget, current=current):
            return roi_steps.recommend(drawn, budget, {}, current=current, max_move=1.0)

        def allocation(curves=curves, solve=solve):
            point = solve(curves)
            return point, cv.allocation_band(curves, point, solve)

        point, band = allocation()
        line(f"allocate + range ({band.resamples} solves), {label}", *timed(allocation, 5))
        total, p95 = timed(lambda h=history, w=weeks, s=solve: allocation(fit(h, w), s), 5)
        low, high = band.total_return
        line(
            f"total (fit, bands, allocation, range), {label}",
            total,
            p95,
            f"(return {point.expected_return:,.0f}, range {low:,.0f}-{high:,.0f}, "
            f"{'within' if total <= 1000 else 'OVER'} the 1 s goal)",
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
    from django.core.cache import cache
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
        "queries.allocation (fit 5 curves, bands, SLSQP, range)",
        *timed(
            lambda: (cache.clear(), queries.allocation(workspace, unit="money", today=today)), 20
        ),
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
            f"GET {name} page" + (", warm (curves and range cached)" if "alloc" in name else ""),
            *timed(lambda u=url: client.get(u), 10),
            f"{len(ctx.captured_queries)} queries",
        )
        if name == "roi-allocation":
            line(
                "GET roi-allocation page, cold (fit, bands, range)",
                *timed(lambda u=url: (cache.clear(), client.get(u)), 5),
                "(goal <= 150 ms warm)",
            )
            budgets = iter(range(9_000, 90_000, 250))
            line(
                "what-if: a new total (HTMX, the range fetched after)",
                *timed(
                    lambda u=url, b=budgets: client.get(
                        f"{u}?budget={next(b)}", HTTP_HX_REQUEST="true"
                    ),
                    10,
                ),
            )
            line(
                "what-if: its range (HTMX, band=1, re-solved per resample)",
                *timed(
                    lambda u=url, b=budgets: client.get(
                        f"{u}?budget={next(b)}&band=1", HTTP_HX_REQUEST="true"
                    ),
                    10,
                ),
            )


if __name__ == "__main__":
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"ROI benchmarks (load average {load}). Figures are informative; nothing is asserted.")
    maths()
    bands()
    with_demo()
