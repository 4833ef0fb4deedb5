"""Every page of the Northwind demo, as its owner, on a desktop (1440 x 900) and a phone
(390 x 844): the page never scrolls sideways, logs no console error and shows no internal name
(paid_search, cycle_time) where words belong. Run: `pytest -m browser <this file>`.

One demo, one live server and one signed-in browser serve all pages: the demo is loaded once for
the module (outside any test transaction, so the server thread sees it) and flushed at the end.
Each page's navigation-to-load time is printed at the end (not asserted).
"""

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connections
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

pytest_plugins = ["leanmark.testing.browser"]
# The marker makes pytest-django create the test database; `_django_db_helper` below keeps it
# from wrapping each test in a transaction or flushing the demo after it.
pytestmark = [pytest.mark.browser, pytest.mark.django_db]

SIZES = {"desktop": {"width": 1440, "height": 900}, "phone": {"width": 390, "height": 844}}
OWNER = "olivia@northwind.example"  # the demo's owner, with its documented password
OWNER_PASSWORD = "northwind-olivia"

# A raw identifier: lower-case words joined by underscores (paid_search, cycle_time).
SNAKE = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")
# The page's visible text, less what is code on purpose (a CSV header to copy, an example), and
# less e-mail addresses and links, which may hold underscores of their own.
VISIBLE_TEXT = """() => {
  let text = document.body.innerText;
  for (const el of document.querySelectorAll('code, pre, kbd, samp')) {
    const own = el.innerText.trim();
    if (own) text = text.split(own).join(' ');
  }
  return text.replace(/\\S+@\\S+/g, ' ').replace(/\\b(https?:\\/\\/|www\\.)\\S+/g, ' ');
}"""
# Charts are drawn after the load event (charts.js loads vega on the first page with a chart).
CHARTS_DRAWN = """() => [...document.querySelectorAll('.vega-chart[data-spec]')].every(
  el => el.querySelector('svg, canvas') || el.classList.contains('chart-error'))"""
PLAIN_STORAGE = "django.contrib.staticfiles.storage.StaticFilesStorage"
LOAD_TIME = "performance.getEntriesByType('navigation')[0].loadEventEnd"


@dataclass(frozen=True)
class Demo:
    """The demo's ids that page URLs need."""

    ws: str
    board: int
    card: int
    idea: int
    experiment: int
    draft: int
    improvement: int
    stream: int
    future: int
    metric: str
    plan: int
    impediment: int
    day: str


def demo_ids() -> Demo:
    from leanmark.backlog.models import Idea
    from leanmark.board.models import Board
    from leanmark.dashboard.models import Metric
    from leanmark.experiments.models import Experiment
    from leanmark.improvement.models import Improvement
    from leanmark.roi.models import AllocationPlan
    from leanmark.standups.models import Entry, Impediment
    from leanmark.valuestream.models import ValueStream

    board = Board.objects.get()
    streams = ValueStream.objects.order_by("pk")
    return Demo(
        ws=board.workspace.slug,
        board=board.pk,
        card=board.cards.filter(column__name="Live").order_by("number").first().number,
        idea=Idea.objects.order_by("pk").first().pk,
        experiment=Experiment.objects.filter(state="running").order_by("pk").first().pk,
        draft=Experiment.objects.filter(state="draft").order_by("pk").first().pk,
        improvement=Improvement.objects.order_by("number").first().number,
        stream=streams[0].pk,
        future=streams[1].pk,
        metric=Metric.objects.get(key="website-visits").key,
        plan=AllocationPlan.objects.get().pk,
        impediment=Impediment.objects.order_by("pk").first().pk,
        day=str(Entry.objects.order_by("-day").exclude(day=timezone.localdate()).first().day),
    )


def url(name: str, query: str = "", **ids: Callable[[Demo], Any]) -> Callable[[Demo], str]:
    def build(d: Demo) -> str:
        kwargs = {"ws": d.ws, **{key: get(d) for key, get in ids.items()}}
        return reverse(name, kwargs=kwargs) + query

    return build


def stream(d: Demo) -> int:
    return d.stream


# Every page a person reaches from the navigation (the apps' urls.py files), with a query
# string for the dashboard's periods and the ROI report's dimensions.
PAGES: dict[str, Callable[[Demo], str]] = {
    "workspaces": lambda d: reverse("workspaces"),
    "tokens": lambda d: reverse("tokens"),
    "board": url("board", board_id=lambda d: d.board),
    "board-settings": url("board_settings", board_id=lambda d: d.board),
    "card": url("card", number=lambda d: d.card),
    "backlog": url("backlog"),
    "backlog-triage": url("backlog-triage"),
    "backlog-import": url("backlog-import"),
    "idea": url("backlog-idea", idea_id=lambda d: d.idea),
    "flow": url("flow"),
    "flow-board": url("flow-board", board_id=lambda d: d.board),
    "forecast": url("flow-forecast", board_id=lambda d: d.board),
    "flow-import": url("flow-import", board_id=lambda d: d.board),
    "experiments": url("experiments"),
    "experiment-new": url("experiment-new"),
    "experiment-plan": url("experiment-plan"),
    "experiment": url("experiment", experiment_id=lambda d: d.experiment),
    "experiment-draft": url("experiment", experiment_id=lambda d: d.draft),
    "experiment-edit": url("experiment-edit", experiment_id=lambda d: d.draft),
    "learnings": url("experiment-learnings"),
    "standup": url("standup"),
    "standup-day": url("standup-day", day=lambda d: d.day),
    "impediments": url("standup-impediments"),
    "impediment": url("standup-impediment", impediment_id=lambda d: d.impediment),
    "vsm": url("valuestream"),
    "vsm-map": url("valuestream-map", stream_id=stream),
    "vsm-future": url("valuestream-map", stream_id=lambda d: d.future),
    "vsm-walk": url("valuestream-walk", stream_id=stream),
    "vsm-compare": url("valuestream-compare", stream_id=stream, future_id=lambda d: d.future),
    "vsm-hourglass": url("valuestream-hourglass", stream_id=stream),
    "improvement": url("improvement"),
    "improvement-new": url("improvement-new"),
    "improvement-detail": url("improvement-detail", number=lambda d: d.improvement),
    "improvement-a3": url("improvement-a3", number=lambda d: d.improvement),
    "dashboard-day": url("dashboard", "?period=day"),
    "dashboard-week": url("dashboard", "?period=week"),
    "dashboard-month": url("dashboard", "?period=month"),
    "dashboard-year": url("dashboard", "?period=year"),
    "metrics": url("dashboard-metrics"),
    "metric": url("dashboard-metric", key=lambda d: d.metric),
    "metric-edit": url("dashboard-metric-edit", key=lambda d: d.metric),
    "dashboard-grid": url("dashboard-grid"),
    "dashboard-import": url("dashboard-import"),
    "dashboard-layout": url("dashboard-layout"),
    "funnel": url("dashboard-funnel"),
    "roi": url("roi"),
    "roi-by-channel": url("roi", "?by=channel"),
    "roi-by-campaign": url("roi", "?by=campaign"),
    "spend": url("roi-spend"),
    "time": url("roi-time"),
    "roi-settings": url("roi-settings"),
    "allocation": url("roi-allocation"),
    "allocation-hours": url("roi-allocation", "?unit=hours"),
    "plan": url("roi-plan", plan_id=lambda d: d.plan),
    "channel-data": url("channeldata"),
    "export": url("export"),
    "trello-import": url("trello_import"),
    "webhooks": url("webhooks"),
    "members": url("members"),
    "audit": url("audit"),
}
# The ten pages most people open every day: their load times lead the printed table.
MAIN = (
    "board",
    "card",
    "backlog",
    "flow-board",
    "standup",
    "experiments",
    "vsm-map",
    "improvement",
    "dashboard-week",
    "roi",
)
LOAD_TIMES: dict[tuple[str, str], float] = {}


@pytest.fixture
def _django_db_helper() -> None:
    """pytest-django's per-test database handling, off for this module: the demo, loaded once
    by `demo_server`, serves every test and is flushed after the last."""


@pytest.fixture(scope="module")
def demo_server(django_db_setup, django_db_blocker) -> Iterator[tuple[str, Demo]]:
    """The demo in the test database and a live server on it, for the whole module. The database
    stays unblocked while the tests run, for the server's thread."""
    from pytest_django.live_server_helper import LiveServer

    from leanmark.demo.generator import load_demo

    # Pages name their static files plainly (see leanmark/testing/browser.py), from the sign-in on.
    plain = {**settings.STORAGES, "staticfiles": {"BACKEND": PLAIN_STORAGE}}
    with django_db_blocker.unblock(), override_settings(STORAGES=plain):
        load_demo()
        demo = demo_ids()
        server = LiveServer("localhost")
        server._live_server_modified_settings.enable()
        try:
            yield server.url, demo
        finally:
            server._live_server_modified_settings.disable()
            server.stop()
            call_command("flush", interactive=False, verbosity=0)
            connections.close_all()


@pytest.fixture(scope="module")
def owner_tab(chromium, demo_server) -> Iterator[Any]:
    from leanmark.testing.browser import Ui  # once pytest_plugins loaded it (assert rewriting)

    base_url, _demo = demo_server
    context = chromium.new_context(viewport=SIZES["desktop"], base_url=base_url)
    context.set_default_timeout(10_000)
    ui = Ui(context.new_page())
    ui.page.goto(reverse("login"))
    ui.page.fill("input[name=username]", OWNER)
    ui.page.fill("input[name=password]", OWNER_PASSWORD)
    ui.page.click("button.primary")
    ui.page.wait_for_url(lambda u: "/login/" not in u)
    yield ui
    context.close()


@pytest.fixture(scope="module", autouse=True)
def print_load_times(request) -> Iterator[None]:
    yield
    if not LOAD_TIMES:
        return
    names = [*MAIN, *sorted(set(PAGES) - set(MAIN))]
    lines = ["navigation to load, ms:", f"{'page':<22}{'desktop':>9}{'phone':>9}"]
    for name in names:
        cells = [LOAD_TIMES.get((name, size)) for size in SIZES]
        if any(c is not None for c in cells):
            shown = [f"{c:9.0f}" if c is not None else f"{'—':>9}" for c in cells]
            lines.append(f"{name:<22}{''.join(shown)}")
    from leanmark.testing.browser import ARTIFACTS

    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "page-load-times.txt").write_text("\n".join(lines) + "\n")
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter is not None and capture is not None:
        with capture.global_and_fixture_disabled():  # the table shows without -s
            reporter.ensure_newline()
            for line in lines:
                reporter.write_line(line)


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("name", PAGES)
def test_the_page_fits_the_screen_without_errors_or_raw_names(owner_tab, demo_server, name, size):
    ui, (_base, demo) = owner_tab, demo_server
    page = ui.page
    ui.errors.clear()
    page.set_viewport_size(SIZES[size])
    response = page.goto(PAGES[name](demo))
    assert response is not None and response.status == 200, (
        f"{name}: {response and response.status}"
    )
    page.wait_for_function(CHARTS_DRAWN)
    LOAD_TIMES[name, size] = page.evaluate(LOAD_TIME)
    scroll_width, inner_width = page.evaluate(
        "[document.documentElement.scrollWidth, window.innerWidth]"
    )
    overflow = max(scroll_width - inner_width, 0)  # px the page scrolls sideways
    raw = sorted(set(SNAKE.findall(page.evaluate(VISIBLE_TEXT))))
    broken = page.locator(".vega-chart.chart-error").count()
    found = {"px too wide": overflow, "console errors": ui.errors, "raw names": raw}
    found["charts not drawn"] = broken
    expected = {"px too wide": 0, "console errors": [], "raw names": [], "charts not drawn": 0}
    assert found == expected, f"{name}: {found}"
