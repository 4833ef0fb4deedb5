"""What a person sees when running an experiment, in Debian's Chromium (`pytest -m browser`)."""

import pytest
from django.urls import reverse

from leanmark.experiments.models import Experiment, Observation

try:
    from playwright.sync_api import expect
except ImportError:  # the `chromium` fixture skips (or fails in CI) with the reason
    expect = None

pytest_plugins = ["leanmark.testing.browser"]
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_creates_an_experiment_enters_counts_and_sees_the_verdict(ui, world):
    ui.log_in(world.bob)
    page = ui.page
    page.goto(reverse("experiments", kwargs={"ws": world.acme.slug}))
    page.click("text=New experiment")
    page.fill("input[name=title]", "Two-field sign-up form")
    page.fill("input[name=change]", "a two-field sign-up form")
    page.fill("input[name=audience]", "first-time visitors")
    page.fill("input[name=outcome]", "raise sign-ups")
    page.fill("input[name=metric_name]", "sign-up rate")
    page.fill("input[name=plan_baseline]", "0.2")
    page.fill("input[name=plan_mde]", "0.1")
    page.click("button:has-text('Create draft')")
    expect(page.locator("h1")).to_contain_text("Two-field sign-up form")
    expect(page.locator(".xp-plan")).to_contain_text("263 per variant")
    expect(page.locator("#verdict")).to_contain_text("No result yet")
    page.wait_for_function("typeof htmx === 'object'")

    page.evaluate("window.notReloaded = true")
    control = page.locator("fieldset.xp-variant", has_text="Control")
    treatment = page.locator("fieldset.xp-variant", has_text="Treatment")
    control.locator("input[name$=_trials]").fill("83")
    control.locator("input[name$=_successes]").fill("5")
    treatment.locator("input[name$=_trials]").fill("99")
    treatment.locator("input[name$=_successes]").fill("12")
    page.click("button:has-text('Save figures')")

    expect(page.locator("#verdict")).to_have_text(
        "Treatment beats Control with 91 % probability (difference +6.1 pp, p = 0.159); "
        "the planned sample is 32 % collected — keep running."
    )
    expect(page.locator(".xp-progress label")).to_contain_text("83 of 263 per variant (32 %)")
    expect(page.locator("#xp-result .vega-chart svg, #xp-result .vega-chart canvas")).to_have_count(
        1
    )
    assert page.evaluate("window.notReloaded") is True
    assert Observation.objects.filter(variant__experiment=Experiment.objects.get()).count() == 2

    # the gate explains itself before anyone presses the button, and refuses without a reason
    page.reload()
    expect(page.locator(".xp-gate")).to_contain_text("Too early to decide")
    page.select_option("select[name=decision]", "persevere")
    page.click("button:has-text('Record decision')")
    expect(page.locator("#decide-error")).to_contain_text("Not decided. Too early to decide")
    ui.screenshot("experiment-result.png")
