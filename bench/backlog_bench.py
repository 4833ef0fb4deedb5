"""The ranked backlog: rank 1,000 ideas for a date, and serve the backlog page, on SQLite.

`make bench` runs it after the board benchmarks; `python bench/backlog_bench.py` alone works too.
It prints figures (median of repeated runs) and never judges: the spec sets no budget for the
backlog, so the figures are there to notice a regression.
"""

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT)]
DATA = tempfile.mkdtemp(prefix="leanmark-backlog-bench-")
os.environ.update(
    {
        "LEANMARK_DATA_DIR": DATA,
        "SECRET_KEY": "bench",
        "LEANMARK_DEBUG": "0",
        "ALLOWED_HOSTS": "testserver",
        "DJANGO_SETTINGS_MODULE": "leanmark.settings",
    }
)
os.environ.pop("DATABASE_URL", None)

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, override_settings  # noqa: E402
from django.urls import reverse  # noqa: E402

from leanmark.backlog import queries  # noqa: E402
from leanmark.backlog.services import HistoryIdea, ScoredAt, import_history  # noqa: E402
from leanmark.domain.value import Model  # noqa: E402
from leanmark.testing.personas import build_world  # noqa: E402

IDEAS = 1000
RUNS = 15


def median_ms(action, runs=RUNS):
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        action()
        times.append((time.perf_counter() - began) * 1000)
    return statistics.median(times)


def main() -> None:
    call_command("migrate", verbosity=0)
    world = build_world()
    from django.utils import timezone

    now = timezone.now()
    profiles = ["standard", "standard", "standard", "fixed_date", "intangible"]
    items = []
    for i in range(IDEAS):
        profile = profiles[i % len(profiles)]
        values = {"profile": profile, "value_rate": 100 + i % 37 * 25, "duration_weeks": 1 + i % 6}
        if profile == "fixed_date":
            values |= {
                "deadline": (now + timezone.timedelta(days=20 + i % 90)).date(),
                "penalty": 900,
            }
        if profile == "intangible":
            values["horizon"] = (now + timezone.timedelta(days=i % 60)).date()
        scores = [
            ScoredAt("cd3", values, now),
            ScoredAt("ice", {"impact": 1 + i % 10, "confidence": 5, "ease": 1 + i % 7}, now),
        ]
        items.append(HistoryIdea(title=f"Idea {i}", created_at=now, scores=scores))
    import_history(world.acme, items)
    today = now.date()
    rank = median_ms(lambda: queries.ranked_ideas(world.acme, model=Model.CD3, on=today))
    client = Client()
    client.force_login(world.bob)
    url = reverse("backlog", kwargs={"ws": world.acme.slug})
    with override_settings(
        STORAGES={
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        }
    ):
        client.get(url)
        page = median_ms(lambda: client.get(url), runs=7)
        with CaptureQueriesContext(connection) as ctx:
            client.get(url)
    print(f"backlog, SQLite, {IDEAS:,} scored ideas:")
    print(f"  rank for a date (CD3, every score recomputed): {rank:7.1f} ms median of {RUNS}")
    print(
        f"  backlog page (list, chart spec, filters):      {page:7.1f} ms median of 7, "
        f"{len(ctx.captured_queries)} queries"
    )


if __name__ == "__main__":
    main()
