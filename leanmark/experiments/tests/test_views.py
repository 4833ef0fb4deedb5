from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from leanmark.experiments import services
from leanmark.experiments.models import Experiment, State
from leanmark.experiments.tests.test_services import make, observe
from leanmark.lib import formats

FORM = {
    "title": "Free shipping banner",
    "change": "a free-shipping banner",
    "audience": "returning buyers",
    "outcome": "raise orders",
    "metric_name": "order rate",
    "plan_baseline": "0.2",
    "plan_mde": "0.05",
    "alpha": "0.05",
    "power": "0.8",
    "variants": "Control, Banner",
}


def url(name, world, **kwargs):
    return reverse(name, kwargs={"ws": world.acme.slug, **kwargs})


def test_it_creates_an_experiment_from_the_form(world, client_for):
    response = client_for(world.bob).post(url("experiment-new", world), FORM)
    experiment = Experiment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("experiment", world, experiment_id=experiment.pk)
    assert experiment.planned_per_variant == 1031
    assert [v.name for v in experiment.variants.all()] == ["Control", "Banner"]


def test_a_bad_plan_re_renders_the_form_with_the_input_kept(world, client_for):
    response = client_for(world.bob).post(url("experiment-new", world), {**FORM, "plan_mde": "0.9"})
    assert response.status_code == 422
    html = response.content.decode()
    assert "the minimum detectable effect is too large: p + δ = 0.2 + 0.9 ≥ 1" in html
    assert 'value="Free shipping banner"' in html
    assert not Experiment.objects.exists()


def test_the_form_is_prefilled_from_a_card(world, client_for):
    from leanmark.testing.walk import walk_card

    card = walk_card(world)
    response = client_for(world.bob).get(url("experiment-new", world) + f"?card={card.number}")
    assert f'name="card_number" value="{card.number}"' in response.content.decode()


def test_the_result_page_reads_the_verdict_and_shows_progress(world, client_for):
    experiment = make(world, plan_mde="0.1")
    observe(experiment, (5, 83), (12, 99))
    response = client_for(world.carol).get(url("experiment", world, experiment_id=experiment.pk))
    html = response.content.decode()
    # yesterday's 83 per variant in one day: 180 more need 3 days from yesterday, 2 from today
    assert "Keep running: 2 more days to the planned sample" in html
    assert "Treatment looks better than Control (91 % chance), but not clearly yet" in html
    assert "Planned sample: 83 of 263 per variant (32 %)" in html
    assert '<progress id="xp-progress" max="263" value="83">' in html
    assert "Record decision" not in html  # the viewer reads only


def test_entering_counts_with_htmx_answers_the_result_fragment(world, client_for):
    experiment = make(world)
    control, treatment = experiment.variants.all()
    response = client_for(world.bob).post(
        url("experiment-observe", world, experiment_id=experiment.pk),
        {
            "date": timezone.localdate().isoformat(),
            f"v{control.pk}_trials": "83",
            f"v{control.pk}_successes": "5",
            f"v{treatment.pk}_trials": "99",
            f"v{treatment.pk}_successes": "12",
        },
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<section id="xp-result"')
    assert "Treatment looks better than Control (91 % chance), but not clearly yet" in html


def test_impossible_counts_answer_422_and_keep_the_input(world, client_for):
    experiment = make(world)
    control, _ = experiment.variants.all()
    response = client_for(world.bob).post(
        url("experiment-observe", world, experiment_id=experiment.pk),
        {
            "date": timezone.localdate().isoformat(),
            f"v{control.pk}_trials": "10",
            f"v{control.pk}_successes": "12",
        },
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert response.status_code == 422
    assert "12 successes out of 10 trials is impossible" in html
    assert f'name="v{control.pk}_successes" value="12"' in html


def test_a_refused_decision_shows_why_and_keeps_the_form(world, client_for):
    experiment = make(world)
    observe(experiment, (5, 83), (12, 99))
    response = client_for(world.bob).post(
        url("experiment-decide", world, experiment_id=experiment.pk),
        {"decision": "persevere", "note": "looks good"},
    )
    html = response.content.decode()
    assert response.status_code == 409
    assert "Too early to decide: the planned sample is not reached (83 of 1,031" in html
    assert "looks good</textarea>" in html
    experiment.refresh_from_db()
    assert experiment.state == State.RUNNING


def test_a_decision_against_the_evidence_stays_visible(world, client_for):
    experiment = make(world)
    observe(experiment, (5, 83), (12, 99))
    client = client_for(world.bob)
    client.post(
        url("experiment-decide", world, experiment_id=experiment.pk),
        {"decision": "stop", "override_reason": "the campaign budget was cut"},
    )
    page = client.get(url("experiment", world, experiment_id=experiment.pk)).content.decode()
    assert "Decided against the evidence." in page
    assert "the campaign budget was cut" in page
    library = client.get(url("experiment-learnings", world)).content.decode()
    assert "Decided against the evidence." in library
    assert "the campaign budget was cut" in library


def test_editing_a_running_experiment_keeps_its_plan(world, client_for):
    experiment = make(world)
    observe(experiment, (5, 83), (12, 99))
    data = {k: v for k, v in FORM.items() if k not in ("plan_baseline", "plan_mde", "variants")}
    response = client_for(world.bob).post(
        url("experiment-edit", world, experiment_id=experiment.pk), {**data, "title": "Renamed"}
    )
    assert response.status_code == 302
    experiment.refresh_from_db()
    assert experiment.title == "Renamed" and experiment.planned_per_variant == 1031


def test_the_plan_calculator_reproduces_section_6(world, client_for):
    client = client_for(world.carol)
    html = client.get(url("experiment-plan", world), {"baseline": "0.2", "mde": "0.05"}).content
    assert b"<b>1031</b> per variant" in html
    html = client.get(url("experiment-plan", world), {"baseline": "0.1", "mde": "0.01"}).content
    assert b"<b>14313</b> per variant" in html
    bad = client.get(url("experiment-plan", world), {"baseline": "1.2", "mde": "0.05"})
    assert bad.status_code == 422
    assert "the baseline rate must be between 0 and 1" in bad.content.decode()


def test_the_list_filters_and_counts_in_constant_queries(
    world, client_for, django_assert_max_num_queries
):
    for i in range(3):
        make(world, title=f"Test {i}", channel="Email" if i else "Website")
    client = client_for(world.carol)
    with django_assert_max_num_queries(12):
        response = client.get(url("experiments", world), {"channel": "Email"})
    html = response.content.decode()
    assert "Test 1" in html and "Test 2" in html and "Test 0" not in html
    for i in range(3, 10):
        make(world, title=f"Test {i}")
    with django_assert_max_num_queries(12):
        client.get(url("experiments", world))


def test_an_outsider_gets_404_for_an_experiment(world, client_for):
    experiment = make(world)
    response = client_for(world.mallory).get(
        reverse("experiment", kwargs={"ws": world.evil.slug, "experiment_id": experiment.pk})
    )
    assert response.status_code == 404


def test_a_csv_upload_reports_the_bad_line(world, client_for):
    from django.core.files.uploadedfile import SimpleUploadedFile

    experiment = make(world)
    day = (timezone.localdate() - timedelta(days=1)).isoformat()
    upload = SimpleUploadedFile(
        "counts.csv", f"date,variant,trials,successes\n{day},Control,x,1\n".encode()
    )
    client = client_for(world.bob)
    response = client.post(
        url("experiment-import", world, experiment_id=experiment.pk), {"file": upload}, follow=True
    )
    assert (
        "Nothing imported: line 2: the number of trials must be a whole number, not &#x27;x&#x27;"
        in (response.content.decode())
    )
    assert services.queries.observations_of(experiment) == []


def test_the_card_page_lists_its_experiments_and_offers_to_start_one(world, client_for):
    from leanmark.testing.walk import walk_card

    card = walk_card(world)
    experiment = make(world, card_number=str(card.number))
    html = (
        client_for(world.bob)
        .get(reverse("card", kwargs={"ws": world.acme.slug, "number": card.number}))
        .content.decode()
    )
    assert url("experiment", world, experiment_id=experiment.pk) in html
    assert f"{url('experiment-new', world)}?card={card.number}" in html


def test_the_result_page_runs_the_same_queries_however_many_days_of_data(
    world, client_for, django_assert_max_num_queries
):
    experiment = make(world)
    client = client_for(world.carol)
    page = url("experiment", world, experiment_id=experiment.pk)
    observe(experiment, (5, 83), (12, 99), day=timezone.localdate() - timedelta(days=30))
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one_day:
        client.get(page)
    for back in range(29, 0, -1):
        day = timezone.localdate() - timedelta(days=back)
        observe(experiment, (5 + 30 - back, 83 + 3 * (30 - back)), (12, 99 + 30 - back), day=day)
    with django_assert_max_num_queries(len(one_day.captured_queries)):
        response = client.get(page)
    assert "30 observations" not in response.content.decode()  # two variants: 60 rows
    assert "60 observations" in response.content.decode()


def test_the_result_page_links_the_idea_it_tests(world, client_for):
    from leanmark.backlog import services as backlog

    idea = backlog.capture_idea(world.acme, title="Loyalty stamps", actor=world.bob, stage="repeat")
    experiment = make(world, idea_id=str(idea.pk))
    html = client_for(world.carol).get(url("experiment", world, experiment_id=experiment.pk))
    link = reverse("backlog-idea", kwargs={"ws": world.acme.slug, "idea_id": idea.pk})
    assert f'href="{link}"' in html.content.decode()


def headline(html: str) -> str:
    """The words of the result's headline (what to do, then the verdict), tags dropped."""
    import re
    from html import unescape

    found = re.search(r'<div class="xp-headline" id="verdict">(.*?)</div>', html, re.S)
    assert found, "no headline on the page"
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", found.group(1))).split())


def maths(html: str) -> str:
    import re

    found = re.search(r'<details class="xp-maths" id="xp-maths">(.*?)</details>', html, re.S)
    assert found, "no 'How this is computed' on the page"
    return found.group(1)


def test_a_running_experiment_says_first_how_many_days_the_sample_still_needs(world, client_for):
    today = timezone.localdate()
    experiment = make(world)  # 1,031 per variant
    observe(experiment, (20, 100), (22, 100), day=today - timedelta(days=5))
    observe(experiment, (100, 500), (110, 500), day=today - timedelta(days=1))
    html = client_for(world.carol).get(url("experiment", world, experiment_id=experiment.pk))
    html = html.content.decode()
    # 500 per variant in 5 days is 100 a day: 531 more take 6 days from yesterday's figures
    expected_day = formats.day(today + timedelta(days=5))
    assert headline(html) == (
        f"Keep running: 5 more days to the planned sample (about {expected_day}, at 100 per "
        "variant a day; 500 of 1,031 per variant so far). No clear difference yet: Treatment "
        "converts at 22.0 % against 20.0 % (+2.0 pp); a difference this large would turn up "
        "about 4 times in 10 even if the change did nothing (p = 0.438), and the chance that "
        "Treatment is better is 78 %."
    )
    # the words come first; the formulas and the z-test wait one click away
    assert html.index("Keep running") < html.index('<details class="xp-maths" id="xp-maths">')
    assert "z = (p̂_B − p̂_A)" in maths(html)
    assert "<td>0.7764</td>" in maths(html)  # the z statistic, in the table inside
    assert "z = (p̂_B − p̂_A)" not in headline(html)
    assert html.index('id="verdict"') < html.index('<section class="xp-plan">')  # plan below
    assert (
        "<b>p = 0.438</b>: if the change did nothing, a difference this large would turn up "
        "about 4 times in 10 (z-test)." in html
    )
    assert "<b>78 % chance</b> that Treatment converts better than Control" in html


def test_a_test_that_cannot_reach_its_sample_before_its_end_date_is_low_powered(world, client_for):
    today = timezone.localdate()
    start = today - timedelta(days=5)
    experiment = make(
        world, start_date=start.isoformat(), planned_end=(today + timedelta(days=2)).isoformat()
    )
    observe(experiment, (100, 500), (110, 500), day=today - timedelta(days=1))
    html = client_for(world.carol).get(url("experiment", world, experiment_id=experiment.pk))
    text = headline(html.content.decode())
    end = formats.day(today + timedelta(days=2))
    assert (
        f"Low-powered: that is after the planned end date, {end}, so at this traffic the "
        "planned effect cannot be detected by then; extend the test or send it more traffic."
        in text
    )


def test_a_planned_end_date_that_has_passed_is_flagged(world, client_for):
    today = timezone.localdate()
    start, end = today - timedelta(days=10), today - timedelta(days=3)
    experiment = make(world, start_date=start.isoformat(), planned_end=end.isoformat())
    observe(experiment, (100, 500), (110, 500), day=today - timedelta(days=1))
    html = client_for(world.carol).get(url("experiment", world, experiment_id=experiment.pk))
    text = headline(html.content.decode())
    # 500 per variant in 10 days: 50 a day, 531 more take 11 days from yesterday
    assert text.startswith(
        "Keep running: 10 more days to the planned sample (about "
        f"{formats.day(today + timedelta(days=10))}, at 50 per variant a day; 500 of 1,031 per "
        f"variant so far). The planned end date, {formats.day(end)}, has passed — decide or "
        "extend."
    )


def test_identical_arms_read_no_difference_not_a_percentage(world, client_for):
    experiment = make(world, plan_mde="0.1")  # 263 per variant
    observe(experiment, (60, 300), (60, 300))
    html = client_for(world.carol).get(url("experiment", world, experiment_id=experiment.pk))
    text = headline(html.content.decode())
    assert text == (
        "Ready to decide: the planned sample is reached (300 of 263 per variant). "
        "No difference: Treatment and Control both convert at 20.0 %."
    )
    assert "chance" not in text and "probability" not in text


def test_small_counts_warn_and_show_fisher_s_exact_p(world, client_for):
    experiment = make(world, plan_mde="0.1")
    observe(experiment, (5, 83), (12, 99))
    html = client_for(world.carol).get(url("experiment", world, experiment_id=experiment.pk))
    html = html.content.decode()
    assert (
        '<p class="alert warn" id="xp-small-counts">Small counts: an arm has fewer than 10 '
        "successes or failures, so the normal approximation behind the z-test is unreliable. "
        "Fisher&#x27;s exact test gives p = 0.204 for Treatment against Control, and the "
        "verdict rests on it.</p>" in html
    )
    assert "(Fisher's exact p = 0.204, above the 0.05 you planned)." in headline(html)
    assert "<b>p = 0.159</b>: if the change did nothing" in html  # the z-test's, explained
    assert "<th>p (Fisher's exact)</th>" in maths(html)


def test_a_large_sample_shows_no_small_counts_warning(world, client_for):
    experiment = make(world, plan_mde="0.1")
    observe(experiment, (53, 263), (80, 263))
    html = client_for(world.carol).get(url("experiment", world, experiment_id=experiment.pk))
    html = html.content.decode()
    assert "xp-small-counts" not in html
    assert headline(html).startswith(
        "Ready to decide: the planned sample is reached (263 of 263 per variant). Treatment "
        "converts better than Control: 30.4 % against 20.2 % (+10.3 pp)."
    )


def test_a_draft_shows_its_plan_first_and_says_to_start(world, client_for):
    experiment = make(world)
    html = client_for(world.bob).get(url("experiment", world, experiment_id=experiment.pk))
    html = html.content.decode()
    assert headline(html) == (
        "Start running, then enter the first figures: nothing is observed yet. "
        "No result yet: no observations for Control, Treatment."
    )
    assert html.index('<section class="xp-plan">') < html.index('id="verdict"')
    assert "<b>1,031</b> per variant." in html
