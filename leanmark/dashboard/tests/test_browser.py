"""What a person sees on the dashboard and the entry grid, in Debian's Chromium."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from leanmark.dashboard import queries, services
from leanmark.dashboard.models import Measurement
from leanmark.dashboard.services import RowIn

try:
    from playwright.sync_api import expect
except ImportError:  # the `chromium` fixture skips (or fails in CI) with the reason
    expect = None

pytest_plugins = ["leanmark.testing.browser"]
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def visits(world):
    metric = services.create_metric(world.acme, name="Website visits", kind="output", stage="know")
    today = queries.today(world.acme, timezone.now())
    rows = [RowIn(i + 1, metric.key, today - timedelta(days=i), 10.0) for i in range(400)]
    services.upsert_measurements(world.acme, rows, source="api")
    return metric


def test_the_period_switch_redraws_the_tiles_in_place_and_keys_work(ui, world, visits):
    ui.log_in(world.carol)
    ui.page.goto(reverse("dashboard", kwargs={"ws": "acme"}))
    ui.page.wait_for_function("typeof htmx === 'object'")
    tile = ui.page.locator('.tile[data-key="website-visits"]')
    day = queries.today(world.acme, timezone.now())

    def value(number: str) -> str:  # a period under way says so: each one holding today is,
        return number + " so far"  # even one that ends today

    expect(tile.locator(".tile-value")).to_have_text(value(str((day.weekday() + 1) * 10)))
    # no reload: not one new document is requested (HTMX swaps the tiles in place)
    documents = []
    ui.page.on(
        "request", lambda r: documents.append(r.url) if r.resource_type == "document" else None
    )
    ui.page.locator(".period-switch a", has_text="M").click()
    expect(tile.locator(".tile-value")).to_have_text(value(str(day.day * 10)))
    assert ui.page.url.endswith("?period=month")
    ui.page.keyboard.press("y")
    expect(tile.locator(".tile-value")).to_have_text(value(f"{day.timetuple().tm_yday * 10:,}"))
    expect(ui.page.locator('.period-switch a[aria-current="page"]')).to_have_text("Y")
    assert documents == []


def test_the_grid_saves_a_typed_value_and_a_pasted_block(ui, world, visits):
    signups = services.create_metric(world.acme, name="Sign-ups", kind="output", stage="like")
    ui.log_in(world.bob)
    ui.page.goto(reverse("dashboard-grid", kwargs={"ws": "acme"}))
    ui.page.wait_for_selector("#grid")
    today = queries.today(world.acme, timezone.now())
    first = ui.page.locator(f'input[name="c:{visits.pk}:{today.isoformat()}"]')
    first.fill("42")
    first.press("Enter")  # leaves the cell: it saves
    expect(ui.page.locator("#grid-status")).to_have_text("Saved 1 value(s).")
    assert Measurement.objects.get(metric=visits, day=today).value == 42.0
    # A 2 x 2 block copied from a spreadsheet, pasted into the cell of yesterday's visits.
    yesterday = (today - timedelta(days=1)).isoformat()
    target = ui.page.locator(f'input[name="c:{visits.pk}:{yesterday}"]')
    target.focus()
    ui.page.evaluate(
        """(text) => {
            const data = new DataTransfer();
            data.setData("text/plain", text);
            document.activeElement.dispatchEvent(
                new ClipboardEvent(
                    "paste", {clipboardData: data, bubbles: true, cancelable: true}));
        }""",
        "11\t1\n12\t2\n",
    )
    expect(ui.page.locator("#grid-status")).to_have_text("Saved 4 value(s).")
    assert Measurement.objects.get(metric=signups, day=today).value == 2.0
    assert Measurement.objects.get(metric=visits, day=today).value == 12.0
