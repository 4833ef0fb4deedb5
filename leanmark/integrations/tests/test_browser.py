"""The owner's platform pages as a person uses them, in Chromium."""

import pytest

from leanmark.integrations.models import Delivery

try:
    from playwright.sync_api import expect
except ImportError:  # the `chromium` fixture skips (or fails in CI) with the reason
    expect = None

pytest_plugins = ["leanmark.testing.browser"]
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_owner_adds_a_webhook_queues_a_test_and_reads_the_log(ui, world):
    ui.log_in(world.alice)
    ui.page.goto(f"/w/{world.acme.slug}/")
    ui.page.locator("details.menu summary").click()
    ui.page.get_by_role("link", name="Webhooks").click()
    ui.page.fill("input[name=url]", "ftp://nope.example/x")
    ui.page.click("button.primary")
    # the browser's own URL check lets ftp: through; the server names the problem
    expect(ui.page.locator("#webhook-error")).to_contain_text("must start with http:// or https://")
    expect(ui.page.locator("input[name=url]")).to_have_value("ftp://nope.example/x")
    ui.page.fill("input[name=url]", "https://hooks.example.com/leanmark")
    ui.page.check("input[value='idea.*']")
    ui.page.click("button.primary")
    expect(ui.page.locator("h1")).to_have_text("https://hooks.example.com/leanmark")
    ui.page.get_by_role("button", name="Send test").click()
    expect(ui.page.locator(".messages")).to_contain_text("A test delivery is queued")
    expect(ui.page.locator("table.deliveries")).to_contain_text("webhook.test")
    expect(ui.page.locator("table.deliveries")).to_contain_text("Pending")
    assert Delivery.objects.get().event == "webhook.test"
    ui.screenshot("webhook.png")


def test_the_import_and_export_page_counts_what_an_export_holds(ui, world):
    ui.log_in(world.alice)
    ui.page.goto(f"/w/{world.acme.slug}/")
    ui.page.locator("details.menu summary").click()
    ui.page.get_by_role("link", name="Import & export").click()
    expect(ui.page.locator(".export-counts")).to_contain_text("board.column 5")
    ui.screenshot("import-export.png")
    ui.page.get_by_role("link", name="Import a board from Trello…").click()
    expect(ui.page.locator("h1")).to_have_text("Import a board from Trello")
    ui.screenshot("trello-import.png")
