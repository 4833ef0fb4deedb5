"""The README's screenshots, taken from the Northwind demo in Debian's Chromium.

    .venv/bin/python -m leanmark.testing.screenshots [--port 8631] [--out docs/screenshots]

Loads the demo into a fresh SQLite database in a temporary folder, serves it with gunicorn as
`leanmark serve` does (lib/server.py), signs in as the demo owner and saves one 1440 x 900 PNG per
page (the viewport, not the whole page). Nothing of the usual data folder is touched.
"""

# Django and the app are imported once the environment names the temporary database.

import argparse
import os
import secrets
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
SLUG = "northwind-coffee-roasters"
OWNER = ("olivia@northwind.example", "northwind-olivia")


def _shots() -> list[tuple[str, str]]:
    """(file name, path) of each page, the ids read from the demo database."""
    import django

    django.setup()
    from django.urls import reverse

    from leanmark.accounts.models import Workspace
    from leanmark.experiments import queries as experiments
    from leanmark.valuestream import queries as valuestream

    def url(name: str, **kwargs: Any) -> str:
        return reverse(name, kwargs={"ws": SLUG, **kwargs})

    workspace = Workspace.objects.get(slug=SLUG)
    every = experiments.experiments_of(workspace)
    experiment = every.filter(state="decided").order_by("-decided_at", "-id").first() or (
        every.first()
    )
    stream = next((s for s in valuestream.streams_of(workspace) if s.state == "current"), None)
    shots = [("board", url("workspace")), ("flow", url("flow"))]
    if experiment:
        shots.append(("experiment", url("experiment", experiment_id=experiment.pk)))
    if stream:
        shots.append(("value-stream-map", url("valuestream-map", stream_id=stream.pk)))
    shots += [("dashboard", url("dashboard")), ("allocation", url("roi-allocation"))]
    return shots


def _settle(page: Any) -> None:
    """Wait until the page's charts are drawn (charts.js marks each one)."""
    page.wait_for_load_state("networkidle")
    charts = page.locator(".vega-chart")
    for i in range(charts.count()):
        chart = charts.nth(i)
        if chart.is_visible():
            chart.and_(page.locator("[data-drawn]")).wait_for(timeout=20_000)
    page.wait_for_timeout(300)  # the last transitions


def take(base_url: str, shots: list[tuple[str, str]], out: Path) -> list[Path]:
    from playwright.sync_api import sync_playwright

    from leanmark.testing.browser import CHROMIUM, CHROMIUM_ARGS, VIEWPORT

    out.mkdir(parents=True, exist_ok=True)
    saved = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(viewport=VIEWPORT, base_url=base_url)
        page = context.new_page()
        page.goto("/login/")
        page.fill("input[name=username]", OWNER[0])
        page.fill("input[name=password]", OWNER[1])
        page.click("button.primary")
        page.wait_for_url(lambda u: "/login/" not in u)
        for name, path in shots:
            page.goto(path)
            _settle(page)
            target = out / f"{name}.png"
            page.screenshot(path=str(target))
            saved.append(target)
            print(f"{target.relative_to(ROOT) if target.is_relative_to(ROOT) else target}")
        browser.close()
    return saved


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=None, help="serve on this port (else any)")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="leanmark-screenshots-") as folder:
        data = Path(folder)
        os.environ.update(LEANMARK_DATA_DIR=str(data), SECRET_KEY=secrets.token_urlsafe(40))
        os.environ.pop("DATABASE_URL", None)
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "leanmark.settings")
        env = dict(os.environ)
        leanmark = [sys.executable, "-c", "from leanmark.cli import main; main()"]
        for command in (["migrate"], ["demo"]):
            subprocess.run([*leanmark, *command], env=env, check=True, cwd=ROOT)  # noqa: S603
        shots = _shots()
        from leanmark.testing.servers import app_server

        database = f"sqlite:///{data / 'leanmark.sqlite3'}"
        with app_server(database, data, pages=True, port=args.port) as base_url:
            take(base_url, shots, args.out)


if __name__ == "__main__":
    main()
