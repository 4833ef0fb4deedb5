"""What a person sees on the backlog, in Debian's Chromium (`pytest -m browser`)."""

import pytest
from django.urls import reverse

from leanmark.backlog import services
from leanmark.backlog.models import Idea

try:
    from playwright.sync_api import expect
except ImportError:  # the `chromium` fixture skips (or fails in CI) with the reason
    expect = None

pytest_plugins = ["leanmark.testing.browser"]
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def open_backlog(ui, world):
    ui.page.goto(reverse("backlog", kwargs={"ws": world.acme.slug}))
    ui.page.wait_for_function("typeof htmx === 'object'")


def test_pressing_n_captures_ideas_that_appear_in_the_list_without_a_reload(ui, world):
    ui.log_in(world.bob)
    open_backlog(ui, world)
    ui.page.evaluate("window.notReloaded = true")
    ui.page.keyboard.press("n")
    box = ui.page.locator("#idea-capture input[name=title]")
    expect(box).to_be_focused()
    box.fill("Cold brew tasting at the farmers' market")
    box.press("Enter")
    expect(ui.page.locator("#idea-saved")).to_contain_text("Cold brew tasting")
    expect(ui.page.locator("table.ideas")).to_contain_text(
        "Cold brew tasting at the farmers' market"
    )
    # the box stays open, empty and focused, for the next idea
    expect(box).to_be_focused()
    expect(box).to_have_value("")
    box.fill("Loyalty stamp card")
    box.press("Enter")
    expect(ui.page.locator("table.ideas")).to_contain_text("Loyalty stamp card")
    ui.page.keyboard.press("Escape")
    expect(ui.page.locator("#idea-capture")).not_to_be_visible()
    assert ui.page.evaluate("window.notReloaded") is True
    assert sorted(Idea.objects.values_list("title", flat=True)) == [
        "Cold brew tasting at the farmers' market",
        "Loyalty stamp card",
    ]


def test_on_the_board_i_captures_an_idea_and_n_still_makes_a_card(ui, world):
    ui.log_in(world.bob)
    ui.open_board(world.board)
    ui.page.keyboard.press("n")
    expect(ui.page.locator("#new-card")).to_be_visible()
    expect(ui.page.locator("#idea-capture")).not_to_be_visible()
    ui.page.keyboard.press("Escape")
    # closing the dialog gives focus back to the page, so the next shortcut works at once
    expect(ui.page.locator("#new-card")).not_to_be_visible()
    ui.page.keyboard.press("i")
    box = ui.page.locator("#idea-capture input[name=title]")
    expect(box).to_be_focused()
    box.fill("Podcast ad read")
    box.press("Enter")
    expect(ui.page.locator("#idea-saved")).to_contain_text("Podcast ad read")
    assert Idea.objects.get().title == "Podcast ad read"


def test_a_refused_capture_keeps_the_text_and_says_why(ui, world):
    ui.log_in(world.bob)
    open_backlog(ui, world)
    ui.page.keyboard.press("i")
    box = ui.page.locator("#idea-capture input[name=title]")
    box.fill("   ")
    ui.page.locator("#idea-capture button.primary").click()
    # the browser's own 'required' check does not stop blanks: the server answers
    expect(ui.page.locator("#idea-capture-error")).to_contain_text("the title cannot be empty")
    assert not Idea.objects.exists()
    # Chromium logs the refusal's 422 as a console error; it is the answer this test expects.
    ui.errors[:] = [e for e in ui.errors if "status of 422" not in e]


def test_triage_scores_from_the_keyboard_and_accepts(ui, world):
    first = services.capture_idea(world.acme, title="Referral link", actor=world.bob)
    services.capture_idea(world.acme, title="Win-back email", actor=world.bob)
    ui.log_in(world.bob)
    services.set_default_model(world.acme, "ice", actor=world.alice)
    ui.page.goto(reverse("backlog-triage", kwargs={"ws": world.acme.slug}))
    expect(ui.page.locator(".triage-idea h2")).to_have_text("Referral link")
    ui.page.keyboard.press("e")
    for key in ("8", "7", "9"):
        ui.page.keyboard.press(key)
    ui.page.keyboard.press("Enter")
    expect(ui.page.locator("#score-ice .explain")).to_contain_text(
        "ICE 8.0 = (impact 8 + confidence 7 + ease 9) ÷ 3"
    )
    ui.page.keyboard.press("a")
    expect(ui.page.locator(".triage-idea h2")).to_have_text("Win-back email")
    first.refresh_from_db()
    assert first.status == "accepted"
