import json

from typer.testing import CliRunner

from leanmark.cli import app
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
