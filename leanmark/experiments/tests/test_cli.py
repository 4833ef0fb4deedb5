import json

from typer.testing import CliRunner

from leanmark.cli import app
from leanmark.experiments import services
from leanmark.experiments.models import Experiment, Observation
from leanmark.experiments.tests.test_services import make, observe

runner = CliRunner()


def run(*args):
    return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)


def test_plan_prints_the_section_6_reference_as_json():
    result = run("experiment", "plan", "--baseline", "0.2", "--mde", "0.05", "--json")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == {
        "baseline": 0.2,
        "mde": 0.05,
        "alpha": 0.05,
        "power": 0.8,
        "per_variant": 1031,
        "exact": 1030.2193,
    }


def test_plan_refuses_a_bad_baseline():
    result = run("experiment", "plan", "--baseline", "1.2", "--mde", "0.05")
    assert result.exit_code == 1
    assert "the baseline rate must be between 0 and 1 (exclusive), not 1.2" in result.stderr


def test_analyze_and_decide(world):
    experiment = make(world)
    observe(experiment, (5, 83), (12, 99))
    result = run("experiment", "analyze", experiment.pk, "-w", "acme", "--json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert round(data["comparisons"][0]["p_value"], 3) == 0.159
    text = run("experiment", "analyze", experiment.pk, "-w", "acme").stdout
    assert "p 0.159 (adjusted 0.204), P(beats control) 0.914, small counts: Fisher's exact " in text
    assert "p 0.204 decides" in text
    refused = run("experiment", "decide", experiment.pk, "persevere", "-w", "acme")
    assert refused.exit_code == 2
    assert "Too early to decide" in refused.stderr
    done = run(
        "experiment", "decide", experiment.pk, "pivot", "--pivot-type", "channel",
        "--override-reason", "the channel closed", "-w", "acme",
    )  # fmt: skip
    assert (done.exit_code, done.stdout) == (
        0,
        f"Experiment {experiment.pk} decided: pivot against the evidence (reason recorded).\n",
    )


def test_create_makes_a_draft_with_its_plan_and_variants(world):
    result = run(
        "experiment", "create", "Shorter sign-up form", "--change", "a two-field form",
        "--audience", "first-time visitors", "--outcome", "raise sign-ups",
        "--metric", "sign-up rate", "--baseline", "0.2", "--mde", "0.05",
        "--variant", "Long form", "--variant", "Short form", "-w", "acme",
        "--as", "bob@acme.example",
    )  # fmt: skip
    experiment = Experiment.objects.get(title="Shorter sign-up form")
    assert (result.exit_code, result.stdout) == (
        0,
        f"Experiment {experiment.pk} created as a draft (1,031 per variant): "
        "Shorter sign-up form\n",
    )
    assert (experiment.state, experiment.planned_per_variant) == ("draft", 1031)
    assert [v.name for v in experiment.variants.all()] == ["Long form", "Short form"]


def test_create_refuses_a_hypothesis_without_its_change(world):
    result = run("experiment", "create", "Vague", "-w", "acme")
    assert result.exit_code == 1
    assert result.stderr == "Error: the change cannot be empty\n"
    assert not Experiment.objects.exists()


def test_variants_replaces_a_drafts_variants(world):
    experiment = make(world)
    result = run("experiment", "variants", experiment.pk, "A", "B", "C", "-w", "acme", "--json")
    assert result.exit_code == 0
    assert [v["name"] for v in json.loads(result.stdout)["variants"]] == ["A", "B", "C"]
    assert [v.name for v in experiment.variants.all()] == ["A", "B", "C"]


def test_variants_are_fixed_once_the_experiment_runs(world):
    experiment = make(world)
    services.start(experiment)
    result = run("experiment", "variants", experiment.pk, "A", "B", "-w", "acme")
    assert result.exit_code == 1
    assert "the variants are fixed once the experiment runs (it has Control, Treatment)" in (
        result.stderr
    )
    assert [v.name for v in experiment.variants.all()] == ["Control", "Treatment"]


def test_start_then_end_moves_the_experiment_to_analysing(world):
    experiment = make(world)
    started = run("experiment", "start", experiment.pk, "-w", "acme")
    experiment.refresh_from_db()
    assert (started.exit_code, started.stdout) == (
        0,
        f"Experiment {experiment.pk} is running (since {experiment.start_date}).\n",
    )
    ended = run("experiment", "end", experiment.pk, "-w", "acme")
    assert ended.exit_code == 0
    experiment.refresh_from_db()
    assert experiment.state == "analysing"
    again = run("experiment", "start", experiment.pk, "-w", "acme")
    assert again.exit_code == 1
    assert "cannot move to running" in again.stderr


def test_observe_records_one_variants_counts(world):
    experiment = make(world)
    result = run("experiment", "observe", experiment.pk, "Control", 120, 30, "-w", "acme")
    assert (result.exit_code, result.stdout) == (
        0,
        f"Saved Control for experiment {experiment.pk}.\n",
    )
    (row,) = Observation.objects.filter(variant__experiment=experiment)
    assert (row.variant.name, row.trials, row.successes, row.source) == ("Control", 120, 30, "cli")


def test_edit_changes_what_is_given_and_answers_as_the_api(world):
    experiment = make(world)
    result = run(
        "experiment", "edit", experiment.pk, "--title", "Two-field form", "--mde", "0.1",
        "--channel", "web", "--planned-end", "2099-01-31", "-w", "acme", "--json",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert (data["id"], data["title"], data["channel"], data["planned_end"]) == (
        experiment.pk,
        "Two-field form",
        "web",
        "2099-01-31",
    )
    assert [v["name"] for v in data["variants"]] == ["Control", "Treatment"]
    experiment.refresh_from_db()
    assert (experiment.title, experiment.plan_mde, experiment.planned_per_variant) == (
        "Two-field form",
        0.1,
        data["planned_per_variant"],
    )
    assert experiment.planned_per_variant < 1031
    plain = run("experiment", "edit", experiment.pk, "--planned-end", "", "-w", "acme")
    assert (plain.exit_code, plain.stdout) == (
        0,
        f"Experiment {experiment.pk} saved: Two-field form\n",
    )
    experiment.refresh_from_db()
    assert experiment.planned_end is None


def test_edit_refuses_a_running_plan_change_a_blank_title_and_a_viewer(world):
    experiment = make(world)
    services.start(experiment)
    fixed = run("experiment", "edit", experiment.pk, "--mde", "0.1", "-w", "acme")
    assert (fixed.exit_code, fixed.stderr) == (
        1,
        "Error: the plan is fixed once the experiment runs (changed: plan mde, "
        "planned per variant)\n",
    )
    blank = run("experiment", "edit", experiment.pk, "--title", " ", "-w", "acme")
    assert blank.exit_code == 1
    assert blank.stderr.startswith("Error: ") and "title" in blank.stderr
    viewer = run(
        "experiment", "edit", experiment.pk, "--title", "x", "-w", "acme",
        "--as", "carol@acme.example",
    )  # fmt: skip
    assert viewer.exit_code == 1
    assert "carol@acme.example is a viewer" in viewer.stderr
    unknown = run("experiment", "edit", 99999, "--title", "x", "-w", "acme")
    assert (unknown.exit_code, unknown.stderr) == (1, "Error: no experiment 99999 in acme\n")
    experiment.refresh_from_db()
    assert (experiment.title, experiment.plan_mde) == ("Shorter sign-up form", 0.05)


def test_delete_removes_an_undecided_experiment_and_refuses_a_decided_one(world):
    experiment = make(world)
    result = run("experiment", "delete", experiment.pk, "-w", "acme", "--as", "bob@acme.example")
    assert (result.exit_code, result.stdout) == (
        0,
        f"Experiment {experiment.pk} deleted: Shorter sign-up form\n",
    )
    assert not Experiment.objects.filter(pk=experiment.pk).exists()
    decided = make(world)
    observe(decided, (5, 83), (12, 99))
    run(
        "experiment", "decide", decided.pk, "stop", "--override-reason", "budget cut",
        "-w", "acme",
    )  # fmt: skip
    refused = run("experiment", "delete", decided.pk, "-w", "acme")
    assert (refused.exit_code, refused.stderr) == (
        1,
        "Error: a decided experiment is part of the record and cannot be deleted\n",
    )
    assert Experiment.objects.filter(pk=decided.pk).exists()
