"""Choosing assignees with the searchable picker, not a ctrl-click list (`pytest -m browser`)."""

import pytest

from leanmark.board import services
from leanmark.board.models import Card

try:
    from playwright.sync_api import expect
except ImportError:  # the `chromium` fixture skips (or fails in CI) with the reason
    expect = None

pytest_plugins = ["leanmark.testing.browser"]
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def assignees(card):
    return sorted(u.display_name for u in Card.objects.get(pk=card.pk).assignees.all())


def test_it_finds_and_picks_people_on_the_card_page(ui, world):
    card = services.create_card(
        world.board,
        title="Flyer",
        column=world.column("Ready"),
        assignees=[world.alice],
        actor=world.alice,
    )
    ui.log_in(world.bob)
    ui.open_card(card)
    expect(ui.page.locator("select[name=assignees]")).to_be_hidden()
    chips = ui.page.locator(".pick-chip")
    expect(chips).to_have_text(["Alice Owner×"])
    find = ui.page.get_by_label("Assignees: find a person")
    find.fill("car")
    expect(ui.page.locator(".pick-list li:not([hidden])")).to_have_text(["Carol Viewer"])
    find.press("Enter")  # picks the one match; the form is not sent
    expect(chips).to_have_text(["Alice Owner×", "Carol Viewer×"])
    expect(ui.page.locator(".pick-list li:not([hidden])")).to_have_count(3)
    ui.page.get_by_role("checkbox", name="Bob Member").check()
    ui.page.get_by_role("button", name="Remove Alice Owner").click()
    expect(chips).to_have_text(["Bob Member×", "Carol Viewer×"])
    assert assignees(card) == ["Alice Owner"]
    ui.page.get_by_role("button", name="Save").click()
    expect(ui.page.get_by_role("status")).to_contain_text("Card #1 saved.")
    assert assignees(card) == ["Bob Member", "Carol Viewer"]
    expect(chips).to_have_text(["Bob Member×", "Carol Viewer×"])


def test_it_says_when_nobody_matches(ui, world):
    card = services.create_card(world.board, title="Flyer", actor=world.alice)
    ui.log_in(world.bob)
    ui.open_card(card)
    ui.page.get_by_label("Assignees: find a person").fill("zoë")
    expect(ui.page.locator(".pick-list li:not([hidden])")).to_have_text(["Nobody matches."])


def test_it_picks_people_for_a_new_card(ui, world):
    ui.log_in(world.bob)
    ui.open_board(world.board)
    ui.page.locator("#new-card-open").click()
    dialog = ui.page.locator("#new-card")
    dialog.get_by_label("Title").fill("Autumn flyer")
    dialog.get_by_label("Assignees: find a person").fill("bob")
    dialog.get_by_role("checkbox", name="Bob Member").check()
    expect(dialog.locator(".pick-chip")).to_have_text(["Bob Member×"])
    dialog.get_by_role("button", name="Create card").click()
    expect(ui.card(1)).to_contain_text("Autumn flyer")
    assert assignees(Card.objects.get(number=1)) == ["Bob Member"]
    # The emptied form shows nobody chosen for the next card.
    ui.page.keyboard.press("n")
    expect(dialog.locator(".pick-chip")).to_have_count(0)
    expect(dialog.get_by_role("checkbox", name="Bob Member")).not_to_be_checked()
