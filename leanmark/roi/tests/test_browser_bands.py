"""The allocation's range and the curves' bands as a person sees them (`pytest -m browser`)."""

import pytest
from django.urls import reverse

from .test_curve_bands import carried_over_weeks, s_shaped_months

try:
    from playwright.sync_api import expect
except ImportError:  # the `chromium` fixture skips (or fails in CI) with the reason
    expect = None

pytest_plugins = ["leanmark.testing.browser"]
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_page_shows_each_channels_range_and_draws_the_bands(ui, world):
    s_shaped_months(world)
    carried_over_weeks(world)
    ui.log_in(world.carol)
    url = reverse("roi-allocation", kwargs={"ws": world.acme.slug})
    ui.page.goto(url + "?budget=8000&max_move=100")
    table = ui.page.locator("#split-table")
    expect(table.locator("thead")).to_contain_text("Range (10–90 %)")
    expect(table.locator("tbody tr td.range")).to_have_count(2)
    expect(ui.page.locator("#alloc-return-range")).to_contain_text("10–90 % of 200 resamples")
    chart = ui.page.locator(".vega-chart[data-drawn]").nth(1)
    expect(chart).to_be_attached()
    # the bands are drawn: one shaded area mark per fitted channel
    expect(chart.locator("path[aria-roledescription='area mark']")).to_have_count(2)
