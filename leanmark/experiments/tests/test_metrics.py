"""Secondary and guardrail metrics from the web, the API and the CLI, and the guardrail's veto
in the gate (issue 23, item 4). The figures are those of leanmark/domain/tests/
test_bml_metrics.py: 200/1000 against 260/1000 wins; 10/1000 against 30/1000 unsubscribes
breaks a 0.5 pp guardrail."""

import json

import pytest
from django.urls import reverse
from typer.testing import CliRunner

from leanmark.cli import app
from leanmark.experiments import queries, services
from leanmark.experiments.errors import DecisionRefused, InvalidExperimentInput, WrongState
from leanmark.experiments.models import Experiment, ExperimentMetric, MetricObservation
from leanmark.experiments.tests.test_services import YESTERDAY, make, observe
from leanmark.experiments.tests.test_views import FORM

GUARDRAIL = {
    "name": "unsubscribe rate",
    "role": "guardrail",
    "metric_type": "conversion",
    "direction": "decrease",
    "tolerance": "0.005",
}
REVENUE = {"name": "revenue", "role": "secondary", "metric_type": "continuous"}
runner = CliRunner()


def run(*args):
    return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)


def guarded(world, **changes):
    return make(world, plan_mde="0.1", metrics=[GUARDRAIL, REVENUE], **changes)


def unsubscribes(experiment, control, treatment, actor=None):
    metric = services.metric_of(experiment, "Unsubscribe rate")
    return services.record_metric_observations(
        metric,
        [
            services.ObservationIn("Control", YESTERDAY, 1000, control),
            services.ObservationIn("Treatment", YESTERDAY, 1000, treatment),
        ],
        actor=actor,
    )


def test_it_keeps_the_metrics_of_the_plan(world):
    experiment = guarded(world)
    rows = list(experiment.metrics.values_list("name", "role", "metric_type", "direction",
                                               "tolerance"))  # fmt: skip
    assert rows == [
        ("unsubscribe rate", "guardrail", "conversion", "decrease", 0.005),
        ("revenue", "secondary", "continuous", "increase", 0.0),
    ]


@pytest.mark.parametrize(
    ("metrics", "message"),
    [
        ([{**GUARDRAIL, "tolerance": "-1"}], "metric 1: the tolerance is how much worse is "
         "acceptable, 0 or more, not -1"),
        ([{**REVENUE, "tolerance": "2"}], "metric 1: a tolerance goes only with a guardrail"),
        ([GUARDRAIL, {**GUARDRAIL, "name": "Unsubscribe Rate"}], "the metrics' names must differ"),
        ([{**REVENUE, "role": "decider"}], "metric 1: unknown role 'decider'"),
        ([{**REVENUE, "name": ""}], "metric 1: "),
        ([REVENUE] * 6, "at most 5 secondary and guardrail metrics"),
        ([{**REVENUE, "name": "Sign-up rate"}], "'Sign-up rate' is the experiment's own "
         "(primary) metric; a secondary or guardrail metric needs another name"),
        ([{**GUARDRAIL, "tolerance": "1e308"}], "metric 1: a rate can get worse by less than "
         "100 pp, so the tolerance is below 1 (0.005 = 0.5 pp), not 1e+308"),
    ],
)  # fmt: skip
def test_it_refuses_bad_metrics(world, metrics, message):
    with pytest.raises(InvalidExperimentInput) as error:
        make(world, metrics=metrics)
    assert error.value.message.startswith(message)
    assert error.value.field == "metrics"
    assert not Experiment.objects.exists()


def test_the_metrics_are_fixed_once_the_experiment_runs(world):
    experiment = guarded(world)
    observe(experiment, (200, 1000), (260, 1000))
    spec = services.ExperimentSpec(
        **{
            name: getattr(experiment, name)
            for name in services.ExperimentSpec.__dataclass_fields__
            if hasattr(experiment, name) and name not in ("variants", "metrics")
        }
    )
    spec.metrics = [REVENUE]
    with pytest.raises(WrongState, match="metrics are fixed once the experiment runs"):
        services.update_experiment(experiment, spec)


def test_a_broken_guardrail_refuses_persevere_until_a_reason_is_written(world):
    experiment = guarded(world)
    observe(experiment, (200, 1000), (260, 1000))
    unsubscribes(experiment, 10, 30)
    with pytest.raises(DecisionRefused) as refused:
        services.decide(experiment, decision="persevere", actor=world.bob)
    assert refused.value.details["issues"] == ["guardrail_broken"]
    assert "with Treatment, unsubscribe rate is worse by 2 pp" in refused.value.message
    decided = services.decide(
        experiment, decision="persevere", override_reason="unsubscribers were inactive anyway",
        actor=world.bob,
    )  # fmt: skip
    assert decided.against_evidence
    assert decided.evidence["gate"][0]["code"] == "guardrail_broken"
    assert decided.evidence["metrics"][0]["comparisons"][0]["broken"] is True


def test_a_guardrail_that_holds_lets_the_win_through(world):
    experiment = guarded(world)
    observe(experiment, (200, 1000), (260, 1000))
    unsubscribes(experiment, 10, 14)
    decided = services.decide(experiment, decision="persevere", actor=world.bob)
    assert not decided.against_evidence


def test_metric_counts_are_cumulative_and_name_their_variant(world):
    experiment = guarded(world)
    with pytest.raises(InvalidExperimentInput, match="unknown variant 'Nobody'"):
        services.record_metric_observations(
            services.metric_of(experiment, "revenue"),
            [services.ObservationIn("Nobody", YESTERDAY, 10, None, mean=1, sd=1)],
            actor=None,
        )
    with pytest.raises(InvalidExperimentInput, match="a continuous metric needs n, the mean"):
        services.record_metric_observations(
            services.metric_of(experiment, "revenue"),
            [services.ObservationIn("Control", YESTERDAY, 10, 3)],
            actor=None,
        )
    with pytest.raises(InvalidExperimentInput, match="unknown metric 'bounces'"):
        services.metric_of(experiment, "bounces")


# ---- web ---------------------------------------------------------------------------------------


def url(name, world, **kwargs):
    return reverse(name, kwargs={"ws": world.acme.slug, **kwargs})


def test_the_form_creates_the_metrics(world, client_for):
    rows = {f"m0_{k}": v for k, v in GUARDRAIL.items()}
    rows |= {"m1_name": "revenue", "m1_role": "secondary", "m1_metric_type": "continuous",
             "m1_direction": "increase", "m1_tolerance": "", "m2_name": ""}  # fmt: skip
    response = client_for(world.bob).post(url("experiment-new", world), {**FORM, **rows})
    assert response.status_code == 302
    experiment = Experiment.objects.get()
    assert [m.name for m in experiment.metrics.all()] == ["unsubscribe rate", "revenue"]
    html = (
        client_for(world.bob)
        .get(url("experiment-edit", world, experiment_id=experiment.pk))
        .content.decode()
    )
    assert 'name="m0_name" value="unsubscribe rate"' in html
    assert 'name="m0_tolerance" value="0.005"' in html


def test_a_bad_metric_row_re_renders_the_form(world, client_for):
    rows = {f"m0_{k}": v for k, v in {**GUARDRAIL, "tolerance": "-1"}.items()}
    response = client_for(world.bob).post(url("experiment-new", world), {**FORM, **rows})
    assert response.status_code == 422
    assert "metric 1: the tolerance is how much worse is acceptable" in response.content.decode()


def test_the_page_enters_metric_figures_and_shows_the_broken_guardrail(world, client_for):
    experiment = guarded(world)
    observe(experiment, (200, 1000), (260, 1000))
    metric = services.metric_of(experiment, "unsubscribe rate")
    control, treatment = experiment.variants.all()
    bob = client_for(world.bob)
    response = bob.post(
        url("experiment-metric-observe", world, experiment_id=experiment.pk, metric_id=metric.pk),
        {
            "date": YESTERDAY.isoformat(),
            f"v{control.pk}_trials": "1000",
            f"v{control.pk}_successes": "10",
            f"v{treatment.pk}_trials": "1000",
            f"v{treatment.pk}_successes": "30",
        },
    )
    assert response.status_code == 302
    assert MetricObservation.objects.filter(metric=metric).count() == 2
    page = bob.get(response["Location"]).content.decode()
    assert "2 observations of unsubscribe rate saved." in page
    html = (
        client_for(world.carol)
        .get(url("experiment", world, experiment_id=experiment.pk))
        .content.decode()
    )
    assert (
        "Guardrail broken: unsubscribe rate is worse with Treatment than with Control by 2 pp "
        "(interval 0.78 pp to 3.22 pp), beyond the 0.5 pp it may get worse. Persevering on "
        "Treatment needs a written reason."
    ) in html
    assert "<strong>broken: vetoes a win</strong>" in html
    assert "No figures yet for Control, Treatment." in html  # revenue


def test_bad_metric_figures_answer_422_with_the_message(world, client_for):
    experiment = guarded(world)
    metric = services.metric_of(experiment, "unsubscribe rate")
    control = experiment.variants.first()
    response = client_for(world.bob).post(
        url("experiment-metric-observe", world, experiment_id=experiment.pk, metric_id=metric.pk),
        {"date": YESTERDAY.isoformat(), f"v{control.pk}_trials": "10",
         f"v{control.pk}_successes": "11"},
    )  # fmt: skip
    assert response.status_code == 422
    assert "11 successes out of 10 trials is impossible" in response.content.decode()


def test_a_viewer_cannot_enter_metric_figures_and_an_outsider_cannot_see_them(world, client_for):
    experiment = guarded(world)
    metric = services.metric_of(experiment, "unsubscribe rate")
    path = url("experiment-metric-observe", world, experiment_id=experiment.pk, metric_id=metric.pk)
    control = experiment.variants.first()
    body = {"date": YESTERDAY.isoformat(), f"v{control.pk}_trials": "10",
            f"v{control.pk}_successes": "1"}  # fmt: skip
    assert client_for(world.carol).post(path, body).status_code == 403
    assert client_for(world.mallory).post(path, body).status_code == 404
    assert not MetricObservation.objects.exists()
    other = url("experiment-metric-observe", world, experiment_id=experiment.pk, metric_id=9999)
    assert client_for(world.bob).post(other, body).status_code == 404


# ---- API ---------------------------------------------------------------------------------------


@pytest.fixture
def api(world, client_for, token_for):
    tokens = {n: token_for(getattr(world, n)) for n in ("alice", "bob", "carol", "mallory")}

    def call(who, method, path, body=None):
        headers = {"Authorization": f"Bearer {tokens[who]}"}
        kwargs = {"content_type": "application/json"} if body is not None else {}
        data = json.dumps(body) if body is not None else None
        response = getattr(client_for(None), method)(
            f"/api/v1{path}", data, headers=headers, **kwargs
        )
        return response.status_code, (response.json() if response.content else None)

    return call


def test_the_api_runs_an_experiment_with_a_guardrail(world, api):
    body = {
        "title": "Weekly digest", "change": "a weekly digest", "audience": "subscribers",
        "outcome": "raise clicks", "metric_name": "click rate", "plan_baseline": 0.2,
        "plan_mde": 0.1,
        "metrics": [{**GUARDRAIL, "tolerance": 0.005}, REVENUE],
    }  # fmt: skip
    status, created = api("bob", "post", f"/workspaces/{world.acme.slug}/experiments", body)
    assert status == 201
    assert [(m["name"], m["role"], m["tolerance"]) for m in created["metrics"]] == [
        ("unsubscribe rate", "guardrail", 0.005),
        ("revenue", "secondary", 0.0),
    ]
    xp, guard = created["id"], created["metrics"][0]["id"]
    day = YESTERDAY.isoformat()
    primary = [
        {"variant": "Control", "date": day, "trials": 1000, "successes": 200},
        {"variant": "Treatment", "date": day, "trials": 1000, "successes": 260},
    ]
    assert api("bob", "post", f"/experiments/{xp}/observations", {"rows": primary})[0] == 200
    rows = [
        {"variant": "Control", "date": day, "trials": 1000, "successes": 10},
        {"variant": "Treatment", "date": day, "trials": 1000, "successes": 30},
    ]
    path = f"/experiments/{xp}/metrics/{guard}/observations"
    assert api("bob", "post", path, {"rows": rows}) == (200, {"saved": 2})
    status, listed = api("carol", "get", path)
    assert (status, [(o["variant"], o["successes"]) for o in listed]) == (
        200,
        [("Control", 10), ("Treatment", 30)],
    )
    status, analysis = api("carol", "get", f"/experiments/{xp}/analysis")
    guardrail = analysis["metrics"][0]
    assert guardrail["comparisons"][0]["broken"] is True
    assert round(guardrail["comparisons"][0]["ci_low"], 5) == 0.00776
    assert analysis["metrics"][1]["missing"] == ["Control", "Treatment"]
    persevere = next(g for g in analysis["gate"] if g["decision"] == "persevere")
    assert not persevere["allowed"]
    assert persevere["issues"][0].startswith("Persevering on a win that breaks a guardrail")
    status, refused = api("bob", "post", f"/experiments/{xp}/decision", {"decision": "persevere"})
    assert (status, refused["error"]["code"]) == (409, "decision_refused")


def test_the_metric_endpoints_check_the_role(world, api):
    experiment = guarded(world)
    metric = services.metric_of(experiment, "unsubscribe rate")
    path = f"/experiments/{experiment.pk}/metrics/{metric.pk}/observations"
    rows = {"rows": [{"variant": "Control", "date": YESTERDAY.isoformat(), "trials": 10,
                      "successes": 1}]}  # fmt: skip
    assert api("carol", "post", path, rows)[0] == 403
    assert api("mallory", "post", path, rows)[0] == 404
    assert api("mallory", "get", path)[0] == 404
    assert api("bob", "get", f"/experiments/{experiment.pk}/metrics/9999/observations")[0] == 404
    status, body = api("bob", "post", path, {"rows": [{**rows["rows"][0], "successes": 11}]})
    assert status == 422
    assert "11 successes out of 10 trials is impossible" in body["error"]["message"]


# ---- CLI ---------------------------------------------------------------------------------------


def test_the_cli_plans_observes_and_analyses_the_metrics(world):
    created = run(
        "experiment", "create", "Weekly digest", "--change", "a weekly digest", "--audience",
        "subscribers", "--outcome", "raise clicks", "--metric", "click rate", "--baseline",
        "0.2", "--mde", "0.1", "--guardrail", "unsubscribe rate:conversion:decrease:0.005",
        "--secondary", "revenue:continuous", "-w", "acme", "--as", world.bob.email, "--json",
    )  # fmt: skip
    assert created.exit_code == 0, created.stderr
    data = json.loads(created.stdout)
    assert [(m["name"], m["role"], m["direction"]) for m in data["metrics"]] == [
        ("revenue", "secondary", "increase"),
        ("unsubscribe rate", "guardrail", "decrease"),
    ]
    experiment = Experiment.objects.get(pk=data["id"])
    observe(experiment, (200, 1000), (260, 1000))
    for variant, successes in (("Control", 10), ("Treatment", 30)):
        saved = run(
            "experiment", "observe", experiment.pk, variant, 1000, successes, "--date",
            YESTERDAY.isoformat(), "--metric", "unsubscribe rate", "-w", "acme", "--as",
            world.bob.email,
        )  # fmt: skip
        assert (
            saved.stdout == f"Saved {variant} on unsubscribe rate for experiment {experiment.pk}.\n"
        )
    text = run("experiment", "analyze", experiment.pk, "-w", "acme").stdout
    assert (
        "guardrail unsubscribe rate: Treatment vs Control +0.0200 [+0.0078, +0.0322], p 0.001 "
        "(adjusted 0.001) — guardrail broken"
    ) in text
    assert "secondary revenue: no figures yet for Control, Treatment" in text
    refused = run("experiment", "decide", experiment.pk, "persevere", "-w", "acme", "--as",
                  world.bob.email)  # fmt: skip
    assert refused.exit_code == 2
    assert "Persevering on a win that breaks a guardrail" in refused.stderr
    assert ExperimentMetric.objects.filter(experiment=experiment).count() == 2
    assert queries.metric_data(experiment)[1].variants[1].successes == 30


def test_editing_a_running_experiment_on_the_web_keeps_its_metrics(world, client_for):
    experiment = guarded(world)
    observe(experiment, (200, 1000), (260, 1000))
    response = client_for(world.bob).post(
        url("experiment-edit", world, experiment_id=experiment.pk),
        {**FORM, "title": "Renamed"},  # the disabled plan fieldset posts no metric rows
    )
    assert response.status_code == 302
    experiment.refresh_from_db()
    assert experiment.title == "Renamed"
    assert [m.name for m in experiment.metrics.all()] == ["unsubscribe rate", "revenue"]


def test_the_api_replaces_a_drafts_metrics_and_refuses_once_running(world, api):
    experiment = guarded(world)
    path = f"/experiments/{experiment.pk}"
    status, patched = api("bob", "patch", path, {"metrics": [REVENUE]})
    assert (status, [m["name"] for m in patched["metrics"]]) == (200, ["revenue"])
    status, kept = api("bob", "patch", path, {"title": "Renamed"})
    assert [m["name"] for m in kept["metrics"]] == ["revenue"]
    observe(experiment, (200, 1000), (260, 1000))
    status, body = api("bob", "patch", path, {"metrics": []})
    assert (status, body["error"]["code"]) == (409, "wrong_state")
    assert body["error"]["message"] == (
        "the secondary and guardrail metrics are fixed once the experiment runs"
    )


def test_the_headline_says_ready_to_decide_only_with_the_broken_guardrail_beside_it(
    world, client_for
):
    experiment = guarded(world)
    observe(experiment, (200, 1000), (260, 1000))
    unsubscribes(experiment, 10, 30)
    html = (
        client_for(world.carol)
        .get(url("experiment", world, experiment_id=experiment.pk))
        .content.decode()
    )
    headline = html.split('id="verdict">', 1)[1].split("</div>", 1)[0]
    assert "Ready to decide" in headline
    assert (
        "But a guardrail is broken (just below): do not roll the treatment out as it is — fix "
        "the harm and test again, pivot or stop, or write why the win is worth it."
    ) in headline
    assert "Guardrail broken: unsubscribe rate is worse with Treatment" in headline
    assert (
        "over every secondary comparison, so that watching several metrics does not make a "
        "chance difference look clear."
    ) in html


def test_refused_metric_figures_stay_in_their_form_to_be_corrected(world, client_for):
    experiment = guarded(world)
    metric = services.metric_of(experiment, "unsubscribe rate")
    control, treatment = experiment.variants.all()
    response = client_for(world.bob).post(
        url("experiment-metric-observe", world, experiment_id=experiment.pk, metric_id=metric.pk),
        {"date": YESTERDAY.isoformat(), f"v{control.pk}_trials": "10",
         f"v{control.pk}_successes": "11", f"v{treatment.pk}_trials": "12"},
    )  # fmt: skip
    html = response.content.decode()
    assert response.status_code == 422
    form = html.split('id="metric-error"', 1)[1].split("</form>", 1)[0]
    assert f'name="date" value="{YESTERDAY.isoformat()}"' in form
    assert f'name="v{control.pk}_trials" value="10"' in form
    assert f'name="v{control.pk}_successes" value="11"' in form
    assert f'name="v{treatment.pk}_trials" value="12"' in form
    primary = html.split('action="' + url("experiment-observe", world, experiment_id=experiment.pk))
    assert 'value="10"' not in primary[1].split("</form>", 1)[0]  # not copied to the primary's


def test_a_guardrails_tolerance_reads_as_an_amount_not_a_gain(world, client_for):
    experiment = guarded(world)
    html = (
        client_for(world.carol)
        .get(url("experiment", world, experiment_id=experiment.pk))
        .content.decode()
    )
    assert "unsubscribe rate (guardrail, lower is better, may get worse by 0.5 pp at most)" in html
    assert "+0.5 pp" not in html
