"""Stand-up mode in Debian's Chromium (`pytest -m browser`)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from leanmark.board import services as board_services
from leanmark.standups.models import AgendaRecord

try:
    from playwright.sync_api import expect
except ImportError:  # the `chromium` fixture skips (or fails in CI) with the reason
    expect = None

pytest_plugins = ["leanmark.testing.browser"]
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def three_cards(world):
    now = timezone.now()
    cards = []
    for title, days in (("Oldest", 5), ("Middle", 3), ("Newest", 1)):
        cards.append(
            board_services.create_card(
                world.board,
                title=title,
                column=world.column("Live"),
                actor=world.bob,
                assignees=[world.bob],
                at=now - timedelta(days=days),
            )
        )
    return cards


def open_mode(ui, world):
    ui.page.goto(reverse("standup-mode", kwargs={"ws": world.acme.slug}))
    ui.page.wait_for_function("typeof htmx === 'object'")


def test_stand_up_mode_runs_the_timer_and_next_item_moves_focus(ui, world):
    three_cards(world)
    ui.page.clock.install()
    ui.log_in(world.bob)
    open_mode(ui, world)
    timer = ui.page.locator("#timer")
    expect(timer).to_have_text("15:00")
    items = ui.page.locator("#agenda .mode-item")
    expect(items).to_have_count(3)
    # right to left, oldest first: the first item has the focus when the page opens
    expect(items.nth(0)).to_contain_text("Oldest")
    expect(items.nth(0)).to_be_focused()

    ui.page.click("#timer-start")
    ui.page.clock.run_for(61_000)
    expect(timer).to_have_text("13:59")
    expect(timer).to_have_class("timer running")

    ui.page.keyboard.press("j")
    expect(items.nth(1)).to_be_focused()
    expect(items.nth(1)).to_have_attribute("aria-current", "step")
    ui.page.click("#next-item")
    expect(items.nth(2)).to_be_focused()
    ui.page.keyboard.press("k")
    expect(items.nth(1)).to_be_focused()

    ui.page.click("#timer-pause")
    ui.page.clock.run_for(30_000)
    expect(timer).to_have_text("13:59")
    ui.page.clock.run_for(1)
    assert AgendaRecord.objects.filter(board=world.board).count() == 1  # Start kept the agenda


def test_a_quick_action_blocks_the_card_and_keeps_the_focus_on_it(ui, world):
    oldest, middle, _ = three_cards(world)
    ui.log_in(world.bob)
    open_mode(ui, world)
    ui.page.keyboard.press("j")
    item = ui.page.locator(f"#item-{middle.number}")
    expect(item).to_be_focused()
    item.locator("input[name=reason]").fill("waiting for legal")
    item.locator("input[name=reason]").press("Enter")
    expect(ui.page.locator("#action-done")).to_have_text(f"#{middle.number} blocked.")
    # blocked items come first in their column, and the focus follows the card
    first = ui.page.locator("#agenda .mode-item").nth(0)
    expect(first).to_have_attribute("data-number", str(middle.number))
    expect(first).to_be_focused()
    expect(first).to_contain_text("blocked for 0.0 d: waiting for legal")
    middle.refresh_from_db()
    assert middle.blocked_reason == "waiting for legal"
    assert oldest.number != middle.number
