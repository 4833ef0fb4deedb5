"""Dashboard roll-ups: 50 metrics x 3 years of daily data (54,800 measurements).

Prints, for the dashboard page at each period (day, week, month, year), the median and p95 server
time of a GET through Django's test client and its query count, then the time to upsert the
whole data set through the same service the CSV import uses, and to import it again (nothing
changes). Runs on SQLite in a temp directory, or on DATABASE_URL when it is set. Figures only.

    .venv/bin/python bench/dashboard_bench.py
"""

import os
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("LEANMARK_DATA_DIR", tempfile.mkdtemp(prefix="leanmark-dash-bench-"))
os.environ.setdefault("SECRET_KEY", "bench")
os.environ.setdefault("LEANMARK_DEBUG", "0")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "leanmark.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

from leanmark.dashboard import services  # noqa: E402
from leanmark.dashboard.services import RowIn  # noqa: E402
from leanmark.domain.hourglass import Stage  # noqa: E402
from leanmark.testing.personas import build_world  # noqa: E402

METRICS = 50
DAYS = 3 * 365 + 1
RUNS = 15
END = date(2026, 11, 24)


def timed(call, runs: int) -> tuple[float, float]:
    samples = []
    for _ in range(runs):
        began = time.perf_counter()
        call()
        samples.append((time.perf_counter() - began) * 1000)
    return statistics.median(samples), statistics.quantiles(samples, n=20)[18]


def main() -> None:
    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)  # DEBUG off: the manifest
    world = build_world()
    stages = list(Stage)
    metrics = [
        services.create_metric(
            world.acme,
            name=f"Metric {i:02d}",
            kind="input" if i % 2 else "output",
            stage=stages[i % 7].value,
            aggregation=("sum", "mean", "last")[i % 3],
        )
        for i in range(METRICS)
    ]
    for metric in metrics[:20]:
        services.set_target(metric, period="week", value=100, actor=None)
    first = END - timedelta(days=DAYS - 1)
    rows = [
        RowIn(len(metrics) * d + m, metric.key, first + timedelta(days=d), float((d * 7 + m) % 97))
        for d in range(DAYS)
        for m, metric in enumerate(metrics)
    ]
    began = time.perf_counter()
    services.upsert_measurements(world.acme, rows, source="csv")
    first_import = time.perf_counter() - began
    began = time.perf_counter()
    again = services.upsert_measurements(world.acme, rows, source="csv")
    second_import = time.perf_counter() - began
    if again.unchanged != len(rows):
        raise SystemExit(f"the second import changed {len(rows) - again.unchanged} rows")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    client = Client()
    client.force_login(world.carol)
    url = reverse("dashboard", kwargs={"ws": world.acme.slug})
    print(
        f"Dashboard bench on {connection.vendor}: {METRICS} metrics x {DAYS} days = "
        f"{len(rows):,} measurements (as of {END})"
    )
    for period in ("day", "week", "month", "year"):
        path = f"{url}?period={period}&as_of={END.isoformat()}"
        for _ in range(2):  # warm up
            if client.get(path).status_code != 200:
                raise SystemExit(f"{path} did not answer 200")
        median, p95 = timed(lambda path=path: client.get(path), RUNS)
        with CaptureQueriesContext(connection) as captured:
            client.get(path)
        print(
            f"  dashboard page, period {period:5}: median {median:7.1f} ms, p95 {p95:7.1f} ms, "
            f"{len(captured.captured_queries)} queries"
        )
    print(f"  upsert {len(rows):,} new measurements: {first_import:.1f} s")
    print(f"  upsert the same {len(rows):,} again (all unchanged): {second_import:.1f} s")


if __name__ == "__main__":
    main()
