"""Reading an experiment's counts from the marketing data on the page, through the API and with
the CLI: the same link and pull, each with its role checks."""

import json

import pytest
from django.urls import reverse
from typer.testing import CliRunner

from leanmark.cli import app
from leanmark.experiments import feed, services
from leanmark.experiments.models import Experiment, Observation, State
from leanmark.experiments.tests.test_api import api  # noqa: F401 (a fixture)
from leanmark.experiments.tests.test_feed import D1, D2, D3, TODAY, linked, observations, spring
from leanmark.experiments.tests.test_services import make
from leanmark.lib.formats import day

runner = CliRunner()


def url(world, experiment, name="experiment-data"):
    return reverse(name, kwargs={"ws": world.acme.slug, "experiment_id": experiment.pk})


def form(experiment, **changes):
    control, treatment = experiment.variants.all()
    values = {
        "trials": "clicks",
        "successes": "conversions",
        f"v{control.pk}_rows": feed.rows_key("meta_ads", "Spring", "Broad"),
        f"v{treatment.pk}_rows": feed.rows_key("meta_ads", "Spring", "Lookalike"),
    }
    return values | changes


HX = {"HX-Request": "true"}


# ---- the page ---------------------------------------------------------------------------------


def test_the_page_offers_the_channels_campaigns_and_ad_sets(world, client_for):
    experiment = spring(world)
    html = client_for(world.bob).get(url(world, experiment, "experiment")).content.decode()
    assert "<h3>Read counts from marketing data</h3>" in html
    assert "The list shows campaigns and ad sets of the channel Paid social." in html
    option = (
        f"Campaign “Spring”, ad set “Lookalike” · Meta Ads Manager · Paid social · {day(D1)} to "
        f"{day(D3)}"
    )
    assert f">{option}</option>" in html
    viewer = client_for(world.carol).get(url(world, experiment, "experiment")).content.decode()
    assert "Read counts from marketing data" not in viewer
    assert 'id="xp-feed-links"' not in viewer  # nothing linked yet


def test_the_form_says_what_trials_and_successes_are_and_ticks_the_replace_box_inline(
    world, client_for
):
    experiment = spring(world)
    services.record_observations(
        experiment, [services.ObservationIn("Control", D1, 31, 2)], actor=world.bob
    )
    html = client_for(world.bob).get(url(world, experiment, "experiment")).content.decode()
    assert (
        "Trials are the chances to convert (each impression, click or visit); successes are the "
        "times it happened (each click, order or new customer). The rate compared is successes "
        "÷ trials."
    ) in html
    assert (
        '<label class="check"><span><input type="checkbox" name="replace_entered" value="1"> '
        "Replace the 1 observation entered another way (with them, the same traffic would be "
        "counted twice)</span></label>"
    ) in html


def test_a_viewer_reads_which_rows_feed_each_variant(world, client_for):
    experiment = linked(world)
    html = client_for(world.carol).get(url(world, experiment, "experiment")).content.decode()
    assert (
        '<p class="muted" id="xp-feed-links">Counts read from the marketing data (clicks as '
        "trials, conversions as successes): Control from Meta Ads Manager campaign “Spring”, ad "
        "set “Broad”; Treatment from Meta Ads Manager campaign “Spring”, ad set “Lookalike”.</p>"
    ) in html
    assert "<h3>Read counts from marketing data</h3>" not in html


def test_a_preview_writes_nothing_and_offers_to_write(world, client_for):
    experiment = spring(world)
    response = client_for(world.bob).post(url(world, experiment), form(experiment), headers=HX)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<section id="xp-result"')
    assert (
        f"<strong>Would read 3 days from {day(D1)} to {day(TODAY)} into 6 observations: 6 added, "
        "0 changed, 0 unchanged; 0 removed.</strong>"
    ) in html
    assert '<button class="primary" name="write" value="1">Write 6 changes</button>' in html
    assert Observation.objects.count() == 0
    experiment.refresh_from_db()
    assert experiment.data_trials == ""  # a preview stores nothing, the link neither


def test_writing_stores_the_link_and_answers_the_new_result(world, client_for):
    experiment = spring(world)
    response = client_for(world.bob).post(
        url(world, experiment), form(experiment, write="1"), headers=HX
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert response["HX-Trigger"] == "observed"
    assert "<strong>Read 3 days from" in html
    assert "Treatment looks better than Control (91 % chance), but not clearly yet" in html
    assert 'id="xp-fed"' in html  # figures are no longer entered by hand
    assert observations(experiment)[-1] == ("Treatment", D3, 99, 12, "channel")
    control = experiment.variants.get(name="Control")
    assert (control.data_source, control.data_campaign, control.data_ad_set) == (
        "meta_ads",
        "Spring",
        "Broad",
    )
    again = client_for(world.bob).post(url(world, experiment), form(experiment), headers=HX)
    assert "Nothing to write: the observations match the data." in again.content.decode()
    assert 'name="write" value="1"' not in again.content.decode()
    plain = client_for(world.bob).post(url(world, experiment), form(experiment, write="1"))
    assert plain.status_code == 302  # without HTMX: back to the page, the summary as a message


def test_the_form_names_the_problem_and_writes_nothing(world, client_for):
    experiment = spring(world)
    _, treatment = experiment.variants.all()
    response = client_for(world.bob).post(
        url(world, experiment),
        form(experiment, write="1", **{f"v{treatment.pk}_rows": ""}),
        headers=HX,
    )
    html = response.content.decode()
    assert response.status_code == 422
    assert (
        '<div class="alert error" role="alert" id="feed-error"><strong>Nothing read.</strong> '
        "Treatment is not linked to a campaign or ad set of the marketing data: link every "
        "variant first</div>"
    ) in html
    assert Observation.objects.count() == 0


def test_a_decided_or_continuous_experiment_says_why_nothing_is_read(world, client_for):
    decided = linked(world)
    Experiment.objects.filter(pk=decided.pk).update(state=State.DECIDED)
    response = client_for(world.bob).post(url(world, decided), form(decided), headers=HX)
    assert response.status_code == 409
    assert (
        '<div class="alert error" role="alert" id="feed-error"><strong>Nothing read.</strong> '
        "The experiment is decided; its evidence can no longer change</div>"
    ) in response.content.decode()
    continuous = make(world, metric_type="continuous", plan_baseline="", plan_sd="4")
    response = client_for(world.bob).post(url(world, continuous), form(continuous), headers=HX)
    assert response.status_code == 422
    assert (
        "<strong>Nothing read.</strong> The marketing data gives counts (trials and successes): "
        "only a conversion experiment can read them, not one with a continuous metric</div>"
    ) in response.content.decode()
    assert Observation.objects.count() == 0


@pytest.mark.parametrize(("who", "status"), [("carol", 403), ("mallory", 404)])
def test_a_viewer_cannot_read_data_in_and_an_outsider_does_not_see_it(
    world, client_for, who, status
):
    experiment = spring(world)
    response = client_for(getattr(world, who)).post(
        url(world, experiment), form(experiment, write="1")
    )
    assert response.status_code == status
    assert Observation.objects.count() == 0


# ---- the API ----------------------------------------------------------------------------------

LINK = {
    "trials": "clicks",
    "successes": "conversions",
    "variants": [
        {"variant": "Control", "campaign": "Spring", "ad_set": "Broad"},
        {"variant": "Treatment", "campaign": "Spring", "ad_set": "Lookalike"},
    ],
}


def test_it_links_and_pulls_through_the_api(world, api):  # noqa: F811
    experiment = spring(world)
    path = f"/experiments/{experiment.pk}"
    status, link = api("bob", "put", f"{path}/data-link", LINK)
    assert status == 200
    assert link["variants"][0] == {
        "variant": "Control",
        "source": "meta_ads",
        "campaign": "Spring",
        "ad_set": "Broad",
        "linked": True,
    }
    status, seen = api("carol", "get", f"{path}/data-link")
    assert (status, seen["trials"], len(seen["options"])) == (200, "clicks", 3)
    status, dry = api("bob", "post", f"{path}/data-pull", {"dry_run": True})
    assert status == 200
    assert (dry["dry_run"], dry["days_added"], dry["observations_new"]) == (True, 3, 6)
    assert Observation.objects.count() == 0
    status, done = api("bob", "post", f"{path}/data-pull", {})
    assert status == 200
    assert done["totals"] == [
        {"variant": "Control", "trials": 83, "successes": 5},
        {"variant": "Treatment", "trials": 99, "successes": 12},
    ]
    assert done["days"][2] == {
        "variant": "Control",
        "date": D2.isoformat(),
        "trials": 25,
        "successes": 1.0,
        "total_trials": 55,
        "total_successes": 3,
        "change": "new",
        "before_trials": None,
        "before_successes": None,
    }
    status, again = api("bob", "post", f"{path}/data-pull", {})
    assert (again["days_unchanged"], again["days_added"], again["days_changed"]) == (3, 0, 0)
    status, analysis = api("carol", "get", f"{path}/analysis")
    assert round(analysis["comparisons"][0]["p_value"], 3) == 0.159


def test_the_api_refuses_with_the_error_envelope(world, api):  # noqa: F811
    experiment = spring(world)
    path = f"/experiments/{experiment.pk}"
    bad = {**LINK, "variants": [{"variant": "Control", "campaign": "Sprong"}]}
    status, body = api("bob", "put", f"{path}/data-link", bad)
    assert (status, body["error"]["code"], body["error"]["fields"]) == (
        422,
        "invalid",
        {
            "campaign": "Control: no imported rows have campaign “Sprong” (names are matched "
            "exactly, as the marketing data spells them: choose one from the list)"
        },
    )
    status, body = api("bob", "post", f"{path}/data-pull", {"dry_run": True})
    assert status == 422
    assert body["error"]["message"] == (
        "choose the measure that counts as trials: one of impressions, clicks, sessions"
    )
    status, body = api("bob", "put", f"{path}/data-link", {**LINK, "trials": "revenue"})
    assert status == 422


@pytest.mark.parametrize(
    ("who", "method", "endpoint", "status"),
    [
        ("carol", "put", "data-link", 403),
        ("carol", "post", "data-pull", 403),
        ("mallory", "get", "data-link", 404),
        ("mallory", "put", "data-link", 404),
        ("mallory", "post", "data-pull", 404),
    ],
)
def test_the_api_keeps_writes_to_members_and_the_experiment_to_its_workspace(
    world,
    api,  # noqa: F811
    who,
    method,
    endpoint,
    status,
):
    experiment = linked(world)
    body = None if method == "get" else (LINK if endpoint == "data-link" else {})
    assert api(who, method, f"/experiments/{experiment.pk}/{endpoint}", body)[0] == status
    assert Observation.objects.count() == 0


# ---- the CLI ----------------------------------------------------------------------------------


def run(*args):
    return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)


def test_the_cli_lists_links_and_pulls(world):
    experiment = spring(world)
    listed = run("experiment", "data-options", experiment.pk, "-w", "acme", "--json")
    assert listed.exit_code == 0
    assert [(r["campaign"], r["ad_set"], r["rows"]) for r in json.loads(listed.stdout)] == [
        ("Spring", "", 7),
        ("Spring", "Broad", 4),
        ("Spring", "Lookalike", 3),
    ]
    first = run(
        "experiment", "link-data", experiment.pk, "Control", "--campaign", "Spring",
        "--ad-set", "Broad", "--trials", "clicks", "--successes", "conversions", "-w", "acme",
    )  # fmt: skip
    assert (first.exit_code, first.stdout) == (
        0,
        "Trials: clicks, successes: conversions\n"
        "Control: meta_ads, campaign “Spring”, ad set “Broad”\n"
        "Treatment: not linked\n",
    )
    early = run("experiment", "pull-data", experiment.pk, "-w", "acme")
    assert early.exit_code == 1
    assert "Treatment is not linked to a campaign or ad set" in early.stderr
    run(
        "experiment", "link-data", experiment.pk, "Treatment", "--campaign", "Spring",
        "--ad-set", "Lookalike", "-w", "acme",
    )  # fmt: skip
    dry = run("experiment", "pull-data", experiment.pk, "--dry-run", "-w", "acme")
    assert dry.exit_code == 0
    assert dry.stdout.startswith(
        f"Would read 3 days from {day(D1)} to {day(TODAY)} into 6 observations: 6 added, "
        "0 changed, 0 unchanged; 0 removed.\n"
    )
    assert Observation.objects.count() == 0
    done = run("experiment", "pull-data", experiment.pk, "-w", "acme")
    assert done.exit_code == 0
    assert done.stdout.endswith(
        "Control: 5 conversions of 83 clicks\nTreatment: 12 conversions of 99 clicks\n"
    )
    assert Observation.objects.filter(source="channel").count() == 6


def test_the_cli_refuses_a_viewer(world):
    experiment = linked(world)
    result = run(
        "experiment", "pull-data", experiment.pk, "-w", "acme", "--as", "carol@acme.example"
    )
    assert result.exit_code == 1
    assert "carol@acme.example is a viewer of acme and cannot change anything there" in (
        result.stderr
    )
    assert Observation.objects.count() == 0


def test_someone_signed_out_reads_and_writes_nothing(world, client_for):
    experiment = linked(world)
    anonymous = client_for(None)
    page = anonymous.post(url(world, experiment), form(experiment, write="1"))
    assert (page.status_code, page["Location"].split("?")[0]) == (302, "/login/")
    for method, endpoint in (("get", "data-link"), ("put", "data-link"), ("post", "data-pull")):
        path = f"/api/v1/experiments/{experiment.pk}/{endpoint}"
        body = {} if method == "get" else {"data": "{}", "content_type": "application/json"}
        response = getattr(anonymous, method)(path, **body)
        assert response.status_code == 401
    assert Observation.objects.count() == 0


def test_a_write_that_fails_stores_neither_the_link_nor_a_count(world, client_for):
    experiment = spring(world)
    Experiment.objects.filter(pk=experiment.pk).update(start_date=TODAY)  # no row from today on
    response = client_for(world.bob).post(url(world, experiment), form(experiment, write="1"))
    assert response.status_code == 422
    assert "Control: no rows of Meta Ads Manager campaign “Spring”, ad set “Broad” from" in (
        response.content.decode()
    )
    experiment.refresh_from_db()
    assert (experiment.data_trials, [v.data_ad_set for v in experiment.variants.all()]) == (
        "",
        ["", ""],
    )
    assert Observation.objects.count() == 0


def test_the_preview_names_its_measures_and_the_planned_end(world, client_for):
    experiment = spring(world)
    Experiment.objects.filter(pk=experiment.pk).update(planned_end=TODAY)
    html = client_for(world.bob).post(url(world, experiment), form(experiment), headers=HX)
    html = html.content.decode()
    assert (
        f"Each day from the start date ({day(D1)}) to today or the planned end ({day(TODAY)}), "
        "whichever comes first, on which a variant has rows"
    ) in html
    assert (
        "<th>Day</th><th>Variant</th><th>That day (conversions / clicks)</th>"
        "<th>Totals so far</th><th>Change</th>"
    ) in html
