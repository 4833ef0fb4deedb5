"""On a phone (390 x 844): the top bar folds into a menu, and the dashboard, the stand-up and the
idea capture fit the screen (the page never scrolls sideways)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from leanmark.dashboard import queries, services
from leanmark.dashboard.services import RowIn

try:
    from playwright.sync_api import expect
except ImportError:  # the `chromium` fixture skips (or fails in CI) with the reason
    expect = None

pytest_plugins = ["leanmark.testing.browser"]
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
OVERFLOW = "document.documentElement.scrollWidth - window.innerWidth"


@pytest.fixture
def phone(ui, world):
    ui.page.set_viewport_size(PHONE)
    metric = services.create_metric(world.acme, name="Website visits", kind="output", stage="know")
    today = queries.today(world.acme, timezone.now())
    rows = [RowIn(i + 1, metric.key, today - timedelta(days=i), 10.0) for i in range(60)]
    services.upsert_measurements(world.acme, rows, source="api")
    ui.log_in(world.bob)
    return ui


def test_the_menu_button_opens_the_links_stacked(phone):
    page = phone.page
    page.goto(reverse("dashboard", kwargs={"ws": "acme"}))
    nav = page.locator(".mainnav")
    board = nav.get_by_role("link", name="Board", exact=True)
    dashboard = nav.get_by_role("link", name="Dashboard", exact=True)
    expect(dashboard).to_be_hidden()
    page.click(".navmenu > summary")
    expect(board).to_be_visible()
    expect(dashboard).to_be_visible()
    first, second = board.bounding_box(), dashboard.bounding_box()
    assert first["x"] == second["x"] and first["y"] < second["y"]  # one under the other
    assert second["x"] + second["width"] <= PHONE["width"]
    dashboard.click()
    page.wait_for_url("**/dashboard/")
    assert page.evaluate(OVERFLOW) <= 0


def test_the_dashboard_fits_a_phone_one_tile_a_row(phone):
    page = phone.page
    page.goto(reverse("dashboard", kwargs={"ws": "acme"}))
    visits = page.locator('.tile[data-key="website-visits"]')
    throughput = page.locator('.tile[data-key="flow-throughput"]')
    expect(visits).to_be_visible()
    assert page.evaluate(OVERFLOW) <= 0
    wip, decided = (
        page.locator('.tile[data-key="flow-wip"]'),
        page.locator('.tile[data-key="experiments-decided"]'),
    )
    for tile in (throughput, wip, decided):
        box = tile.bounding_box()
        assert box["width"] > 300  # the width of the screen, not 250 px side by side
    assert throughput.bounding_box()["y"] < wip.bounding_box()["y"]


def test_the_stand_up_fits_a_phone(phone):
    phone.page.goto(reverse("standup", kwargs={"ws": "acme"}))
    expect(phone.page.locator("textarea").first).to_be_visible()
    assert phone.page.evaluate(OVERFLOW) <= 0


def test_the_idea_capture_fits_a_phone(phone):
    page = phone.page
    page.goto(reverse("backlog", kwargs={"ws": "acme"}))
    page.wait_for_function("typeof htmx === 'object'")
    page.locator("[data-capture-open]").first.click()
    title = page.locator("#idea-capture input[name=title]")
    expect(title).to_be_visible()
    box = page.locator("#idea-capture").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    save = page.locator("#idea-capture button.primary")
    assert save.bounding_box()["x"] + save.bounding_box()["width"] <= PHONE["width"]
    assert page.evaluate(OVERFLOW) <= 0
