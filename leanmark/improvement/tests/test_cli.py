"""`leanmark improvement ...`: exit codes and exact output."""

import json

from typer.testing import CliRunner

from leanmark.cli import app
from leanmark.improvement.models import Phase
from leanmark.improvement.testing import cycle

runner = CliRunner()


def run(*args):
    return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)


def test_new_warns_when_the_problem_names_a_solution(world):
    result = run(
        "improvement", "new", "Review queue", "--problem", "We need a reviewer", "-w", "acme"
    )
    assert result.exit_code == 0
    assert result.output == (
        "PDCA-1 started in Plan.\n"
        "Warning: the problem may name a solution: “need a” asks for something.\n"
    )


def test_phase_refuses_a_skipped_phase_with_exit_code_2(world):
    cycle(world.acme)
    result = run("improvement", "phase", 1, "check", "-w", "acme")
    assert result.exit_code == 2
    assert "the next phase is Do" in result.stderr


def test_check_as_json_says_why_there_is_nothing_to_check(world):
    cycle(world.acme, phase=Phase.DO, metric="")
    result = run("improvement", "check", 1, "-w", "acme", "--json")
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert (data["ready"], data["problem"]) == (
        False,
        "Choose a baseline metric in the Plan first.",
    )


def test_check_of_an_unknown_cycle_fails(world):
    result = run("improvement", "check", 9, "-w", "acme")
    assert result.exit_code == 1
    assert "no improvement cycle PDCA-9 in acme" in result.stderr


def test_report_as_json_lists_every_series_and_what_is_missing(world):
    result = run("improvement", "report", "-w", "acme", "--json")
    assert result.exit_code == 0
    data = json.loads(result.output)
    keys = [s["key"] for s in data["series"]]
    assert keys[:3] == ["cycle_time_p50", "cycle_time_p85", "throughput"]
    assert "pdca_completed" in keys
    for series in data["series"]:
        assert series["has_data"] or series["missing"]
