"""What a person sees on the ROI pages, in Debian's Chromium (`pytest -m browser`)."""

import pytest
from django.urls import reverse

from leanmark.board import services as board_services
from leanmark.roi import services
from leanmark.roi.models import TimeLog

try:
    from playwright.sync_api import expect
except ImportError:  # the `chromium` fixture skips (or fails in CI) with the reason
    expect = None

pytest_plugins = ["leanmark.testing.browser"]
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_what_if_slider_recomputes_the_split_without_a_reload(ui, world):
    services.save_curve(world.acme, channel="email", unit="money", a=1000, b=100, actor=world.bob)
    services.save_curve(world.acme, channel="seo", unit="money", a=2000, b=300, actor=world.bob)
    ui.log_in(world.carol)
    ui.page.goto(reverse("roi-allocation", kwargs={"ws": world.acme.slug}) + "?budget=1000")
    ui.page.wait_for_function("typeof htmx === 'object'")
    table = ui.page.locator("#split-table")
    expect(table.locator("tbody tr").nth(0)).to_contain_text("367")
    expect(ui.page.locator(".vega-chart[data-drawn]").first).to_be_attached()
    ui.page.evaluate("window.notReloaded = true")
    slider = ui.page.locator("#budget-slider")
    slider.evaluate(
        "(s) => { s.value = 2000; s.dispatchEvent(new Event('input', {bubbles: true})); }"
    )
    # equal marginal ROI: lambda = 3000 / (2000 + 400) = 1.25, x = a / lambda - b
    expect(table.locator("tbody tr").nth(0)).to_contain_text("700")
    expect(table.locator("tbody tr").nth(1)).to_contain_text("1,300")
    expect(ui.page.locator("#budget-input")).to_have_value("2000")
    assert ui.page.evaluate("window.notReloaded") is True
    assert "budget=2000" in ui.page.url


def test_a_member_logs_time_on_the_card_page(ui, world):
    card = board_services.create_card(
        world.board, title="Autumn newsletter", column=world.column("Ready"), actor=world.bob
    )
    ui.log_in(world.bob)
    ui.open_card(card)
    form = ui.page.locator("#card-time form.time-form")
    form.locator("input[name=hours]").fill("1.5")
    form.locator("button").click()
    expect(ui.page.locator("#card-time h2")).to_contain_text("1.5 h logged")
    expect(ui.page.locator(".messages")).to_contain_text("Logged 1.5 h on #1 for Bob Member.")
    assert TimeLog.objects.get().hours == 1.5
