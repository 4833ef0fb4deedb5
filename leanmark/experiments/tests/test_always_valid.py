"""The always-valid (mSPRT) plan and the choice of correction, from the web, the API and the CLI
(issue 23, items 3 and 4). The figures are those of leanmark/domain/tests/test_stats_msprt.py."""

import json
from datetime import timedelta

import pytest
from django.urls import reverse
from typer.testing import CliRunner

from leanmark.cli import app
from leanmark.experiments import queries, services
from leanmark.experiments.errors import DecisionRefused, InvalidExperimentInput, WrongState
from leanmark.experiments.models import Experiment, State
from leanmark.experiments.tests.test_services import YESTERDAY, make, observe
from leanmark.experiments.tests.test_views import FORM

runner = CliRunner()


def run(*args):
    return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)


def always_valid(world, **changes):
    return make(world, **{"sequential_method": "msprt", **changes})


def test_an_always_valid_plan_plans_the_largest_sample_it_may_need(world):
    experiment = always_valid(world)
    assert experiment.sequential and experiment.sequential_method == "msprt"
    assert experiment.planned_per_variant == 2115  # the fixed horizon needs 1,031
    assert experiment.sequential_n is None
    assert experiment.msprt_tau is None  # τ = δ = 0.05 is used
    assert queries.msprt_tau(experiment) == 0.05


def test_a_given_tau_changes_the_plan(world):
    experiment = always_valid(world, msprt_tau="0.02")
    assert experiment.msprt_tau == 0.02
    assert experiment.planned_per_variant > 2115


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"msprt_tau": "-1"},
            "msprt_tau",
            "τ, the size of effect the always-valid test is tuned for (its mixing standard "
            "deviation), must be above 0, not -1",
        ),
        ({"sequential_method": "peek"}, "sequential_method", "unknown sequential method 'peek'"),
        ({"plan_mde": ""}, "plan_mde", "a plan needs both the baseline rate"),
        (
            {"plan_mde": "", "plan_baseline": ""},
            "plan_mde",
            "the always-valid test needs a plan (the baseline rate and the minimum detectable "
            "effect) to know its largest sample",
        ),
        ({"correction": "bonferroni"}, "correction", "unknown correction 'bonferroni'"),
    ],
)
def test_it_refuses_a_bad_always_valid_plan(world, changes, field, message):
    with pytest.raises(
        InvalidExperimentInput, match=message.replace("(", r"\(").replace(")", r"\)")
    ) as error:
        always_valid(world, **changes)
    assert error.value.field == field


def test_an_always_valid_continuous_plan_is_allowed_where_the_simple_rule_is_not(world):
    experiment = always_valid(world, metric_type="continuous", plan_baseline="", plan_sd="10",
                              plan_mde="2")  # fmt: skip
    assert experiment.planned_per_variant == 761
    with pytest.raises(InvalidExperimentInput, match="the sequential rule counts conversions"):
        make(world, metric_type="continuous", plan_baseline="", plan_sd="10", plan_mde="2",
             sequential=True)  # fmt: skip


def test_the_gate_opens_when_the_always_valid_p_reaches_alpha(world):
    experiment = always_valid(world)
    observe(experiment, (100, 1000), (130, 1000), day=YESTERDAY - timedelta(days=1))
    with pytest.raises(DecisionRefused) as refused:
        services.decide(experiment, decision="persevere", actor=world.bob)
    assert refused.value.details["issues"] == ["too_early"]
    assert "the always-valid p-value (p = 0.472) is above α = 0.05" in refused.value.message
    observe(experiment, (100, 1000), (160, 1000))
    decided = services.decide(experiment, decision="persevere", actor=world.bob)
    assert decided.state == State.DECIDED and not decided.against_evidence
    assert decided.evidence["method"] == "msprt"
    assert round(decided.evidence["comparisons"][0]["always_valid"]["p_value"], 4) == 0.0024
    assert decided.evidence["comparisons"][0]["always_valid"]["looks"] == 2


def test_the_method_is_fixed_once_the_experiment_runs(world):
    experiment = make(world)
    services.start(experiment)
    current = services.patch_spec(
        services.ExperimentSpec(
            **{
                name: getattr(experiment, name)
                for name in services.ExperimentSpec.__dataclass_fields__
                if hasattr(experiment, name) and name not in ("variants", "metrics")
            }
        ),
        {"sequential_method": "msprt"},
    )
    with pytest.raises(WrongState, match="the plan is fixed once the experiment runs"):
        services.update_experiment(experiment, current)


# ---- web ---------------------------------------------------------------------------------------


def url(name, world, **kwargs):
    return reverse(name, kwargs={"ws": world.acme.slug, **kwargs})


def test_the_form_offers_the_always_valid_test_and_the_correction(world, client_for):
    html = client_for(world.bob).get(url("experiment-new", world)).content.decode()
    assert '<option value="msprt">Always-valid test (mSPRT): look any time</option>' in html
    assert '<option value="bh">Benjamini-Hochberg (false discovery rate)</option>' in html
    response = client_for(world.bob).post(
        url("experiment-new", world),
        {**FORM, "sequential_method": "msprt", "msprt_tau": "0.04", "correction": "bh"},
    )
    assert response.status_code == 302
    experiment = Experiment.objects.get()
    assert (experiment.sequential_method, experiment.msprt_tau, experiment.correction) == (
        "msprt",
        0.04,
        "bh",
    )


def test_a_bad_tau_re_renders_the_form_with_its_message(world, client_for):
    response = client_for(world.bob).post(
        url("experiment-new", world), {**FORM, "sequential_method": "msprt", "msprt_tau": "0"}
    )
    assert response.status_code == 422
    assert (
        "τ, the size of effect the always-valid test is tuned for (its mixing standard "
        "deviation), must be above 0, not 0"
    ) in response.content.decode()


def test_the_page_says_in_plain_words_that_one_may_look_any_time(world, client_for):
    experiment = always_valid(world)
    observe(experiment, (100, 1000), (160, 1000))
    html = (
        client_for(world.carol)
        .get(url("experiment", world, experiment_id=experiment.pk))
        .content.decode()
    )
    assert "You may look any time. This test is always valid (mSPRT)" in html
    assert "so you may stop and decide as soon as it reaches 0.05" in html
    assert "It is tuned for effects of about 5 pp (τ)." in html  # a rate's 0.05
    assert "Ready to decide: the always-valid p-value reached α = 0.05 before the planned " in html
    assert "<th>Always-valid p</th>" in html
    assert "always-valid p = 0.002" in html


def test_a_viewer_cannot_create_an_always_valid_experiment(world, client_for):
    response = client_for(world.carol).post(
        url("experiment-new", world), {**FORM, "sequential_method": "msprt"}
    )
    assert response.status_code == 403
    assert not Experiment.objects.exists()


def test_the_page_names_the_correction_and_the_number_of_comparisons(world, client_for):
    experiment = make(world, variants=["Control", "B", "C"], correction="bh", plan_mde="0.1")
    services.record_observations(
        experiment,
        [
            services.ObservationIn("Control", YESTERDAY, 1000, 100),
            services.ObservationIn("B", YESTERDAY, 1000, 135),
            services.ObservationIn("C", YESTERDAY, 1000, 133),
        ],
        actor=world.bob,
    )
    html = (
        client_for(world.carol)
        .get(url("experiment", world, experiment_id=experiment.pk))
        .content.decode()
    )
    assert (
        "2 comparisons against the control: p-values are adjusted by the Benjamini-Hochberg "
        "correction, which keeps the expected share of false winners among the winners at α."
    ) in html
    assert "<th>p (Benjamini-Hochberg)</th>" in html


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


BODY = {
    "title": "Shorter form",
    "change": "a two-field form",
    "audience": "visitors",
    "outcome": "raise sign-ups",
    "metric_name": "sign-up rate",
    "plan_baseline": 0.2,
    "plan_mde": 0.05,
}


def test_the_api_plans_and_analyses_an_always_valid_test(world, api):
    status, created = api(
        "bob", "post", f"/workspaces/{world.acme.slug}/experiments",
        {**BODY, "sequential_method": "msprt"},
    )  # fmt: skip
    assert status == 201
    assert (created["sequential_method"], created["planned_per_variant"]) == ("msprt", 2115)
    rows = [
        {"variant": "Control", "date": YESTERDAY.isoformat(), "trials": 1000, "successes": 100},
        {"variant": "Treatment", "date": YESTERDAY.isoformat(), "trials": 1000, "successes": 160},
    ]
    assert (
        api("bob", "post", f"/experiments/{created['id']}/observations", {"rows": rows})[0] == 200
    )
    status, analysis = api("carol", "get", f"/experiments/{created['id']}/analysis")
    assert status == 200
    assert (analysis["method"], analysis["always_valid_crossed"], analysis["may_decide"]) == (
        "msprt",
        True,
        True,
    )
    valid = analysis["comparisons"][0]["always_valid"]
    assert (round(valid["p_value"], 4), valid["tau"], valid["looks"]) == (0.0024, 0.05, 1)
    assert analysis["looking"].startswith("You may look any time.")
    assert [g["allowed"] for g in analysis["gate"]] == [True, False, False]


def test_the_api_refuses_a_bad_method_and_a_viewer(world, api):
    path = f"/workspaces/{world.acme.slug}/experiments"
    status, body = api("bob", "post", path, {**BODY, "sequential_method": "peek"})
    assert status == 422
    assert body["error"]["code"] == "validation_error"
    assert api("carol", "post", path, {**BODY, "sequential_method": "msprt"})[0] == 403
    assert api("mallory", "post", path, {**BODY, "sequential_method": "msprt"})[0] == 404


def test_the_api_says_a_schema_limit_as_people_write_it(world, api):
    path = f"/workspaces/{world.acme.slug}/experiments"
    metrics = [{"name": f"m{i}"} for i in range(6)]
    status, body = api("bob", "post", path, {**BODY, "msprt_tau": 0, "metrics": metrics})
    assert status == 422
    assert body["error"]["fields"] == {
        "msprt_tau": "more than 0",  # not "more than 0.0"
        "metrics": "at most 5 items",  # not "List should have at most 5 items after validation"
    }


def test_patching_sequential_off_and_on_keeps_the_method(world, api):
    experiment = always_valid(world)
    path = f"/experiments/{experiment.pk}"
    status, off = api("bob", "patch", path, {"sequential": False})
    assert (status, off["sequential"], off["sequential_method"]) == (200, False, "")
    assert off["planned_per_variant"] == 1031
    status, on = api("bob", "patch", path, {"sequential_method": "msprt", "msprt_tau": 0.05})
    assert (on["sequential_method"], on["msprt_tau"], on["planned_per_variant"]) == (
        "msprt",
        0.05,
        2115,
    )
    status, same = api("bob", "patch", path, {"sequential": True})
    assert same["sequential_method"] == "msprt"
    assert api("carol", "patch", path, {"sequential": False})[0] == 403
    assert api("mallory", "patch", path, {"sequential": False})[0] == 404


def test_the_plan_endpoint_answers_the_always_valid_sample(world, api):
    status, plan = api("carol", "get", "/experiment-plan?baseline=0.2&mde=0.05&msprt=true")
    assert status == 200
    assert (plan["per_variant"], plan["msprt_per_variant"], plan["msprt_tau"]) == (1031, 2115, 0.05)


# ---- CLI ---------------------------------------------------------------------------------------


def test_the_cli_plans_an_always_valid_test():
    result = run("experiment", "plan", "--baseline", "0.2", "--mde", "0.05", "--msprt")
    assert result.exit_code == 0
    assert result.stdout == (
        "1,031 per variant (1,030.2 before rounding up)\n"
        "Always valid (mSPRT, τ = 0.05): at most 2,115 per variant; look any time, stop when "
        "the always-valid p-value reaches α\n"
    )


def test_the_cli_creates_analyses_and_edits_an_always_valid_test(world):
    created = run(
        "experiment", "create", "Shorter form", "--change", "a two-field form", "--audience",
        "visitors", "--outcome", "raise sign-ups", "--metric", "sign-up rate", "--baseline",
        "0.2", "--mde", "0.05", "--msprt", "--correction", "bh", "-w", "acme", "--as",
        world.bob.email, "--json",
    )  # fmt: skip
    assert created.exit_code == 0, created.stderr
    data = json.loads(created.stdout)
    assert (data["sequential_method"], data["correction"], data["planned_per_variant"]) == (
        "msprt",
        "bh",
        2115,
    )
    experiment = Experiment.objects.get(pk=data["id"])
    observe(experiment, (100, 1000), (160, 1000))
    text = run("experiment", "analyze", experiment.pk, "-w", "acme").stdout
    assert "always-valid p 0.002 decides (mSPRT τ 0.05, 1 looks)" in text
    assert "persevere: allowed" in text
    edited = run(
        "experiment", "edit", experiment.pk, "--sequential-method", "none", "-w", "acme",
        "--as", world.bob.email,
    )  # fmt: skip
    assert edited.exit_code == 1  # running: the plan is fixed
    assert "the plan is fixed once the experiment runs" in edited.stderr


def test_the_edit_form_shows_the_chosen_method_tau_and_correction(world, client_for):
    experiment = always_valid(world, msprt_tau="0.04", correction="bh")
    html = (
        client_for(world.bob)
        .get(url("experiment-edit", world, experiment_id=experiment.pk))
        .content.decode()
    )
    assert '<option value="msprt" selected>' in html
    assert '<option value="none" selected>' not in html
    assert 'name="msprt_tau" value="0.04"' in html
    assert '<option value="bh" selected>' in html
    plain = client_for(world.bob).get(url("experiment-new", world)).content.decode()
    assert '<option value="none" selected>Fixed horizon: decide at the planned sample' in plain


def test_the_form_says_in_plain_words_what_tau_holm_and_bh_are(world, client_for):
    html = client_for(world.bob).get(url("experiment-new", world)).content.decode()
    assert (
        "<b>τ</b> is the size of effect the always-valid test is tuned for: it stops soonest for "
        "effects of about that size. Leave it empty to use the minimum detectable effect; for a "
        "rate, 0.05 is 5 pp."
    ) in html
    assert (
        "<b>Holm</b> keeps the chance of even one false winner at α: stricter, for a decision you "
        "will act on. <b>Benjamini-Hochberg</b> keeps the share of false winners among those "
        "called winners at α: finds more, for screening many ideas."
    ) in html
