"""What a person sees when running an experiment, in Debian's Chromium (`pytest -m browser`)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from leanmark.experiments.models import Experiment, Observation
from leanmark.lib import formats

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

    # 83 per variant on the first day: 180 more take 3 days at that traffic
    soon = formats.day(timezone.localdate() + timedelta(days=3))
    expect(page.locator("#verdict")).to_have_text(
        f"Keep running: 3 more days to the planned sample (about {soon}, at 83 per variant a "
        "day; 83 of 263 per variant so far). Treatment looks better than Control (91 % chance), "
        "but not clearly yet: 12.1 % against 6.0 % (+6.1 pp), and a difference this large would "
        "turn up about 2 times in 10 even if the change did nothing (Fisher's exact p = 0.204, "
        "above the 0.05 you planned)."
    )
    expect(page.locator("#xp-small-counts")).to_contain_text("Fisher's exact test gives p = 0.204")
    # the maths is one click away
    formula = page.locator("#xp-maths .muted", has_text="Two-proportion z-test")
    expect(formula).to_be_hidden()
    page.click("#xp-maths > summary")
    expect(formula).to_be_visible()
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


PHONE = {"width": 390, "height": 844}
OVERFLOW = "document.documentElement.scrollWidth - window.innerWidth"


@pytest.mark.parametrize("viewport", [{"width": 1440, "height": 900}, PHONE])
def test_the_result_reads_in_words_first_and_fits_the_screen(ui, world, viewport):
    from leanmark.experiments.tests.test_services import make, observe

    today = timezone.localdate()
    experiment = make(
        world,
        variants=["Control", "Treatment"],
        start_date=(today - timedelta(days=12)).isoformat(),
        planned_end=(today - timedelta(days=2)).isoformat(),
    )
    observe(experiment, (5, 83), (12, 99), day=today - timedelta(days=1))
    ui.page.set_viewport_size(viewport)
    ui.log_in(world.bob)
    page = ui.page
    page.goto(reverse("experiment", kwargs={"ws": world.acme.slug, "experiment_id": experiment.pk}))
    expect(page.locator("#xp-next")).to_contain_text("Keep running:")
    expect(page.locator("#xp-end-passed")).to_contain_text("has passed — decide or extend.")
    expect(page.locator("#xp-small-counts")).to_be_visible()
    headline = page.locator("#verdict").bounding_box()
    maths = page.locator("#xp-maths").bounding_box()
    assert headline["y"] < maths["y"]  # the words come before the maths
    assert page.evaluate(OVERFLOW) <= 0
    page.click("#xp-maths > summary")
    assert page.evaluate(OVERFLOW) <= 0  # the tables scroll inside their box, not the page
    ui.screenshot(f"experiment-plain-{viewport['width']}.png")


def test_the_new_experiment_form_with_its_metrics_table_fits_a_phone(ui, world):
    ui.page.set_viewport_size(PHONE)
    ui.log_in(world.bob)
    ui.page.goto(reverse("experiment-new", kwargs={"ws": world.acme.slug}))
    expect(ui.page.locator("#xp-metrics-form")).to_be_attached()
    assert ui.page.evaluate(OVERFLOW) <= 0  # the metrics table scrolls inside its box


def test_it_links_variants_to_ad_sets_previews_and_reads_the_counts(ui, world):
    from leanmark.experiments import feed
    from leanmark.experiments.tests.test_feed import spring

    experiment = spring(world)
    ui.log_in(world.bob)
    page = ui.page
    page.goto(reverse("experiment", kwargs={"ws": world.acme.slug, "experiment_id": experiment.pk}))
    page.wait_for_function("typeof htmx === 'object'")
    page.evaluate("window.notReloaded = true")
    form = page.locator("#xp-feed")
    control, treatment = experiment.variants.all()
    form.locator(f"select[name=v{control.pk}_rows]").select_option(
        value=feed.rows_key("meta_ads", "Spring", "Broad")
    )
    form.locator(f"select[name=v{treatment.pk}_rows]").select_option(
        value=feed.rows_key("meta_ads", "Spring", "Lookalike")
    )
    form.locator("button:has-text('Preview')").click()
    expect(page.locator("#feed-plan")).to_contain_text("Would read 3 days from")
    assert Observation.objects.count() == 0
    page.locator("button:has-text('Write 6 changes')").click()
    expect(page.locator("#feed-plan")).to_contain_text("Read 3 days from")
    expect(page.locator("#verdict")).to_contain_text("Treatment looks better than Control (91 %")
    assert page.evaluate("window.notReloaded") is True  # swapped in place by HTMX
    assert Observation.objects.filter(source="channel").count() == 6
