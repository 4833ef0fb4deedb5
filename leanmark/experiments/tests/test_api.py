from datetime import timedelta

import pytest
from django.utils import timezone

from leanmark.experiments.models import Experiment, Observation, State

DAY = (timezone.localdate() - timedelta(days=1)).isoformat()
BODY = {
    "title": "Shorter form",
    "change": "a two-field form",
    "audience": "visitors",
    "outcome": "raise sign-ups",
    "metric_name": "sign-up rate",
    "plan_baseline": 0.2,
    "plan_mde": 0.05,
    "stage": "try",
    "channel": "Website",
}


@pytest.fixture
def api(world, client_for, token_for):
    import json

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


def test_it_runs_a_whole_experiment_through_the_api(world, api):
    status, created = api("bob", "post", f"/workspaces/{world.acme.slug}/experiments", BODY)
    assert status == 201
    assert created["planned_per_variant"] == 1031
    assert created["state"] == "draft"
    xp = created["id"]
    rows = [
        {"variant": "Control", "date": DAY, "trials": 83, "successes": 5},
        {"variant": "Treatment", "date": DAY, "trials": 99, "successes": 12},
    ]
    assert api("bob", "post", f"/experiments/{xp}/observations", {"rows": rows}) == (
        200,
        {"saved": 2},
    )
    status, analysis = api("carol", "get", f"/experiments/{xp}/analysis")
    assert status == 200
    comparison = analysis["comparisons"][0]
    assert round(comparison["statistic"], 3) == 1.408
    assert round(comparison["p_value"], 3) == 0.159
    assert round(comparison["prob_beats_control"], 3) == 0.914
    assert round(comparison["relative_lift"], 4) == round((12 / 99) / (5 / 83) - 1, 4)  # +101 %
    assert analysis["outcome"] == "inconclusive"
    assert analysis["gate"][0] == {
        "decision": "persevere",
        "allowed": False,
        "issues": [
            "Too early to decide: the planned sample is not reached (83 of 1,031 per variant, "
            "8 %). Looking before the planned sample inflates false positives."
        ],
    }
    status, refused = api("bob", "post", f"/experiments/{xp}/decision", {"decision": "persevere"})
    assert status == 409
    assert refused["error"]["code"] == "decision_refused"
    assert refused["error"]["fields"] == {"override_reason": refused["error"]["message"]}
    status, decided = api(
        "bob",
        "post",
        f"/experiments/{xp}/decision",
        {"decision": "persevere", "override_reason": "launch date fixed by the owner"},
    )
    assert status == 200
    assert decided["state"] == "decided" and decided["against_evidence"] is True
    status, learnings = api(
        "carol", "get", f"/workspaces/{world.acme.slug}/learnings?against_evidence=true"
    )
    assert [row["experiment_id"] for row in learnings] == [xp]


@pytest.mark.parametrize(
    ("row", "status", "message"),
    [
        ({"trials": 10, "successes": 12}, 422, "12 successes out of 10 trials is impossible"),
        ({"trials": -1, "successes": 0}, 422, "invalid input (rows.0.trials"),
        ({"trials": 10, "successes": 1, "variant": "Nope"}, 422, "unknown variant 'Nope'"),
    ],
)
def test_bad_counts_answer_with_a_message_and_save_nothing(world, api, row, status, message):
    _, created = api("bob", "post", f"/workspaces/{world.acme.slug}/experiments", BODY)
    body = {"rows": [{"variant": "Control", "date": DAY, **row}]}
    answer_status, answer = api("bob", "post", f"/experiments/{created['id']}/observations", body)
    assert answer_status == status
    assert message in answer["error"]["message"]
    assert not Observation.objects.exists()


def test_a_bad_plan_answers_422(world, api):
    status, answer = api(
        "bob", "post", f"/workspaces/{world.acme.slug}/experiments", {**BODY, "plan_baseline": 1.5}
    )
    assert status == 422
    assert answer["error"]["fields"] == {
        "plan_baseline": "the baseline rate must be between 0 and 1 (exclusive), not 1.5"
    }
    assert not Experiment.objects.exists()


def test_the_plan_endpoint_reproduces_section_6(world, api):
    status, plan = api("carol", "get", "/experiment-plan?baseline=0.2&mde=0.05")
    assert status == 200
    assert plan["per_variant"] == 1031 and round(plan["exact"], 1) == 1030.2
    status, plan = api("carol", "get", "/experiment-plan?baseline=0.1&mde=0.01")
    assert plan["per_variant"] == 14313
    status, bad = api("carol", "get", "/experiment-plan?baseline=0.6&mde=0.7")
    assert status == 422
    assert "p + δ = 0.4 + 0.7 ≥ 1" in bad["error"]["message"]


def test_patch_changes_the_plan_of_a_draft_only(world, api):
    _, created = api("bob", "post", f"/workspaces/{world.acme.slug}/experiments", BODY)
    xp = created["id"]
    status, patched = api("bob", "patch", f"/experiments/{xp}", {"plan_mde": 0.1})
    assert status == 200 and patched["planned_per_variant"] == 263
    api("bob", "post", f"/experiments/{xp}/start")
    status, refused = api("bob", "patch", f"/experiments/{xp}", {"plan_mde": 0.05})
    assert status == 409
    assert refused["error"]["code"] == "wrong_state"
    assert Experiment.objects.get().state == State.RUNNING


def test_the_analysis_names_small_counts_and_fisher_s_exact_p(world, api):
    _, created = api("bob", "post", f"/workspaces/{world.acme.slug}/experiments", BODY)
    xp = created["id"]
    rows = [
        {"variant": "Control", "date": DAY, "trials": 83, "successes": 5},
        {"variant": "Treatment", "date": DAY, "trials": 99, "successes": 12},
    ]
    api("bob", "post", f"/experiments/{xp}/observations", {"rows": rows})
    _, analysis = api("carol", "get", f"/experiments/{xp}/analysis")
    assert analysis["small_counts"] is True
    # the plain language, for a client: 83 per variant a day, 948 more: 12 days from yesterday
    assert analysis["next_step"].startswith("Keep running: 11 more days to the planned sample")
    assert analysis["days_left"] == 11
    assert analysis["end_passed"] == ""
    assert analysis["finding"].startswith(
        "Treatment looks better than Control (91 % chance), but not clearly yet"
    )
    (comparison,) = analysis["comparisons"]
    assert comparison["small_counts"] is True
    assert round(comparison["fisher_p_value"], 4) == 0.2041
    assert round(comparison["p_value"], 3) == 0.159  # the z-test's, unchanged
    assert comparison["p_adjusted"] == comparison["fisher_p_value"]  # the p that decides
    rows = [
        {"variant": "Control", "date": DAY, "trials": 830, "successes": 50},
        {"variant": "Treatment", "date": DAY, "trials": 990, "successes": 120},
    ]
    api("bob", "post", f"/experiments/{xp}/observations", {"rows": rows})
    _, analysis = api("carol", "get", f"/experiments/{xp}/analysis")
    assert analysis["small_counts"] is False
    assert analysis["comparisons"][0]["small_counts"] is False
    assert analysis["comparisons"][0]["fisher_p_value"] is None


def test_a_broken_split_is_flagged_and_persevering_on_it_needs_a_reason(world, api, client_for):
    status, created = api("bob", "post", f"/workspaces/{world.acme.slug}/experiments", BODY)
    xp = created["id"]
    assert api("bob", "post", f"/experiments/{xp}/start")[0] == 200
    rows = [
        {"variant": "Control", "date": DAY, "trials": 1_100, "successes": 200},
        {"variant": "Treatment", "date": DAY, "trials": 1_300, "successes": 330},
    ]
    api("bob", "post", f"/experiments/{xp}/observations", {"rows": rows})
    status, analysis = api("carol", "get", f"/experiments/{xp}/analysis")
    assert analysis["sample_ratio_mismatch"] is True
    assert analysis["sample_ratio_p_value"] < 0.001
    assert analysis["outcome"] == "treatment_better"
    persevere = next(g for g in analysis["gate"] if g["decision"] == "persevere")
    assert persevere["allowed"] is False
    assert persevere["issues"][0].startswith("Persevering on a broken split")
    page = client_for(world.carol).get(f"/w/{world.acme.slug}/experiments/{xp}/")
    assert "The split is broken." in page.content.decode()
    status, refused = api("bob", "post", f"/experiments/{xp}/decision", {"decision": "persevere"})
    assert (status, refused["error"]["code"]) == (409, "decision_refused")
    status, decided = api(
        "bob",
        "post",
        f"/experiments/{xp}/decision",
        {"decision": "persevere", "override_reason": "the extra visitors were a bot we removed"},
    )
    assert (status, decided["against_evidence"]) == (200, True)
