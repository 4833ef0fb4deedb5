"""What a person sees of an improvement cycle, in Debian's Chromium (`pytest -m browser`)."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from leanmark.improvement.models import Improvement, Phase
from leanmark.improvement.testing import cycle
from leanmark.improvement.tests.test_cycles import finish, flow_items  # noqa: F401 (fixture)

try:
    from playwright.sync_api import expect
except ImportError:  # the `chromium` fixture skips (or fails in CI) with the reason
    expect = None

pytest_plugins = ["leanmark.testing.browser"]
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def pdf_pages(data: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", data))


def test_it_plans_a_cycle_and_moves_it_to_do(ui, world):
    ui.log_in(world.bob)
    ui.page.goto(reverse("improvement", kwargs={"ws": "acme"}))
    ui.page.click("#new-cycle")
    ui.page.get_by_label("Title").fill("Shorter review queue")
    ui.page.get_by_label("Problem").fill("We need a review checklist")
    ui.page.get_by_role("button", name="Start in Plan").click()
    expect(ui.page.locator("#problem-hint")).to_contain_text("“need a” asks for something")
    ui.page.get_by_label("Problem").fill("Drafts wait three days for review")
    ui.page.select_option("#metric", "cycle_time")
    ui.page.get_by_label("Countermeasure 1", exact=True).fill("Review slots twice a day")
    ui.page.get_by_label("Pros of countermeasure 1").fill("predictable")
    ui.page.get_by_role("button", name="Save the plan").click()
    expect(ui.page.locator("#problem-hint")).to_have_count(0)
    ui.page.click("#advance")
    expect(ui.page.locator(".phases li[aria-current=step]")).to_contain_text("Do")
    expect(ui.page.locator(".messages")).to_contain_text("PDCA-1 moved to Do.")
    imp = Improvement.objects.get()
    assert (imp.phase, imp.countermeasures[0]["pros"]) == ("do", "predictable")


def test_the_a3_prints_on_one_landscape_page(ui, world, flow_items):  # noqa: F811
    change = timezone.localdate() - timedelta(days=20)
    finish(flow_items, change, [5.0, 6.0, 6.5, 7.0, 7.5, 8.0, 8.5, 9.0, 9.1, 10.0], [3.0] * 10)
    imp = cycle(
        world.acme,
        actor=world.alice,
        phase=Phase.CHECK,
        change_date=change,
        window_days=14,
        background="Long background. " * 60,
        whys=["because " * 20] * 5,
        countermeasures=[{"text": "x " * 80, "pros": "p " * 50, "cons": "c " * 50}] * 5,
    )
    ui.log_in(world.carol)
    ui.page.goto(reverse("improvement-a3", kwargs={"ws": "acme", "number": imp.number}))
    expect(ui.page.locator(".check .verdict")).to_contain_text(
        "85th-percentile cycle time fell from 9.1 to 3.0 days"
    )
    expect(ui.page.locator(".check svg")).to_be_visible()
    pdf = ui.page.pdf(prefer_css_page_size=True, print_background=True)
    assert pdf_pages(pdf) == 1
    ui.page.emulate_media(media="print")
    expect(ui.page.locator(".screen-only")).to_be_hidden()
