"""What a person sees on the Flow pages, in Debian's Chromium (`pytest -m browser`)."""

import pytest
from django.urls import reverse

from .builders import finished_after, history, load

try:
    from playwright.sync_api import expect
except ImportError:  # the `chromium` fixture skips (or fails in CI) with the reason
    expect = None

pytest_plugins = ["leanmark.testing.browser"]
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RANGE = "?from=2026-03-01&to=2026-03-31"


def open_flow(ui, world, query=RANGE):
    ui.page.goto(
        reverse("flow-board", kwargs={"ws": world.acme.slug, "board_id": world.board.pk}) + query
    )


def test_charts_draw_filters_swap_and_a_dot_opens_its_card(ui, world):
    load(world.board, *finished_after(world.board, [5, 6, 6, 7, 7, 6, 5, 4, 4, 3]))
    load(
        world.board,
        history(world.board, "Expedited fix", [(2, "Writing"), (3, "Done")], lane="expedite"),
    )
    ui.log_in(world.carol)
    open_flow(ui, world)
    expect(ui.page.locator(".flow-summary")).to_contain_text("11")
    scatter = ui.page.locator("#scatter .vega-chart svg")
    expect(scatter).to_be_visible()
    expect(ui.page.locator("#scatter .mark-symbol path")).to_have_count(11)

    ui.page.evaluate("window.notReloaded = true")
    ui.page.select_option("select[name=lane]", "expedite")
    expect(ui.page.locator(".flow-summary")).to_contain_text("1 item, Writing → Done")
    assert "lane=expedite" in ui.page.url
    assert ui.page.evaluate("window.notReloaded") is True
    expect(ui.page.locator("#scatter .mark-symbol path")).to_have_count(1)

    ui.page.locator("#scatter .mark-symbol path").first.click()
    ui.page.wait_for_url("**/cards/11/")
    expect(ui.page.locator("body")).to_contain_text("Expedited fix")


def test_an_empty_board_says_not_enough_data_instead_of_drawing(ui, world):
    ui.log_in(world.carol)
    open_flow(ui, world, "")
    expect(ui.page.locator("[role=status]")).to_contain_text("Not enough data yet.")
    expect(ui.page.locator(".vega-chart")).to_have_count(0)


def test_a_forecast_asked_in_the_form_answers_with_its_histogram(ui, world):
    load(world.board, *finished_after(world.board, [1] * 20))
    ui.log_in(world.carol)
    ui.page.goto(
        reverse("flow-forecast", kwargs={"ws": world.acme.slug, "board_id": world.board.pk})
    )
    ui.page.fill("input[name=window_from]", "2026-03-01")
    ui.page.fill("input[name=window_to]", "2026-03-31")
    ui.page.fill("input[name=items]", "5")  # typing a number of items asks "when"
    expect(ui.page.locator("input[name=mode][value=when]")).to_be_checked()
    ui.page.click("#forecast-form button.primary")
    expect(ui.page.locator("table.answers tbody tr")).to_have_count(4)
    expect(ui.page.locator("#forecast")).to_contain_text("When will 5 items be done?")
    expect(ui.page.locator("#forecast .vega-chart svg")).to_be_visible()
    assert "mode=when" in ui.page.url


def test_the_forecast_page_with_the_campaign_question_fits_a_phone(ui, world):
    load(world.board, *finished_after(world.board, [1] * 20))
    ui.page.set_viewport_size({"width": 390, "height": 844})
    ui.log_in(world.bob)
    ui.page.goto(
        reverse("flow-forecast", kwargs={"ws": world.acme.slug, "board_id": world.board.pk})
    )
    expect(ui.page.locator("#calendar")).to_be_visible()
    assert ui.page.evaluate("document.documentElement.scrollWidth") <= 390
    checkbox = ui.page.locator("#calendar input[name=weekends_off]")
    box, label = checkbox.bounding_box(), checkbox.locator("xpath=..").bounding_box()
    assert label["height"] < 2 * box["height"] + 8  # the checkbox beside its words, not above
