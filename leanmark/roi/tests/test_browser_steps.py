"""The allocation's bounded steps, acted on, in Debian's Chromium (`pytest -m browser`)."""

import pytest
from django.urls import reverse
from django.utils import timezone

from leanmark.domain import roi as domain
from leanmark.roi import services
from leanmark.roi.models import AllocationStep

try:
    from playwright.sync_api import expect
except ImportError:  # the `chromium` fixture skips (or fails in CI) with the reason
    expect = None

pytest_plugins = ["leanmark.testing.browser"]
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_member_widens_the_step_turns_the_moves_into_cards_and_records_a_result(ui, world):
    services.save_curve(world.acme, channel="email", unit="money", a=1000, b=100, actor=world.bob)
    services.save_curve(world.acme, channel="seo", unit="money", a=2000, b=300, actor=world.bob)
    last_month = domain.add_months(timezone.localdate().replace(day=1), -1)
    for channel, amount in (("email", "800"), ("seo", "200")):
        entry = services.SpendIn(on=last_month, amount=amount, channel=channel)
        services.record_spend(world.acme, entry, actor=world.bob)
    ui.log_in(world.bob)
    ui.page.goto(reverse("roi-allocation", kwargs={"ws": world.acme.slug}))
    ui.page.wait_for_function("typeof htmx === 'object'")
    table = ui.page.locator("#split-table")
    expect(table.locator("tbody tr").nth(1)).to_contain_text("240")  # seo +20 %
    expect(table.locator("tbody tr").nth(1)).to_contain_text("step limit")
    ui.page.locator("#alloc-form input[name=max_move]").fill("50")
    ui.page.locator("#alloc-form input[name=max_move]").dispatch_event("change")
    expect(table.locator("tbody tr").nth(1)).to_contain_text("300")  # seo +50 %, without a reload
    expect(table.locator("tbody tr").nth(0)).to_contain_text("700")
    form = ui.page.locator("#steps-form")
    form.locator("select[name=check]").select_option("before_after")
    form.locator("button").click()
    expect(ui.page.locator(".messages")).to_contain_text("2 test card(s) on Marketing")
    steps = ui.page.locator("#steps-table")
    expect(steps).to_contain_text("Test: +€100 on SEO")
    expect(steps).to_contain_text("Test: −€100 on Email")
    steps.get_by_text("Test: +€100 on SEO").click()
    ui.page.locator("#result-form input[name=spend]").fill("300")
    ui.page.locator("#result-form input[name=return]").fill("1400")
    ui.page.locator("#result-form button").click()
    expect(ui.page.locator(".messages")).to_contain_text("the curve of seo is refitted")
    expect(ui.page.locator("#curve-table")).to_contain_text("Refitted with the result")
    step = AllocationStep.objects.get(channel="seo")
    assert (step.observed_spend, step.observed_return) == (300, 1400)
    assert step.refit_a is not None
