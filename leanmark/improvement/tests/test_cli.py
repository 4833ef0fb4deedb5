"""`leanmark improvement ...`: exit codes and exact output."""

import json

from typer.testing import CliRunner

from leanmark.board.models import Card
from leanmark.cli import app
from leanmark.improvement.models import Improvement, Phase
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


def test_edit_changes_the_plan_and_answers_as_the_api(world):
    imp = cycle(world.acme)
    result = run(
        "improvement", "edit", 1, "--title", "Faster reviews", "--why", "one reviewer",
        "--why", "no slots", "--root-cause", "reviews are ad hoc", "--window-days", "14",
        "-w", "acme", "--as", "bob@acme.example", "--json",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.output)
    assert (data["id"], data["code"], data["title"], data["whys"], data["window_days"]) == (
        imp.pk,
        "PDCA-1",
        "Faster reviews",
        ["one reviewer", "no slots"],
        14,
    )
    plain = run("improvement", "edit", 1, "--no-whys", "-w", "acme")
    assert (plain.exit_code, plain.output) == (0, "PDCA-1 saved: Faster reviews\n")
    imp.refresh_from_db()
    assert (imp.title, imp.whys, imp.root_cause, imp.window_days) == (
        "Faster reviews",
        [],
        "reviews are ad hoc",
        14,
    )


def test_edit_refuses_a_change_date_in_plan_a_closed_cycle_and_a_viewer(world):
    cycle(world.acme)
    early = run("improvement", "edit", 1, "--change-date", "2026-01-05", "-w", "acme")
    assert (early.exit_code, early.stderr) == (
        1,
        "Error: the change date is set in Do, when the countermeasure is put in place\n",
    )
    cycle(world.acme, phase=Phase.CLOSED)
    closed = run("improvement", "edit", 2, "--title", "x", "-w", "acme")
    assert (closed.exit_code, closed.stderr) == (
        1,
        "Error: PDCA-2 is closed (abandon); start a new cycle to change it\n",
    )
    viewer = run(
        "improvement", "edit", 1, "--title", "x", "-w", "acme", "--as", "carol@acme.example"
    )
    assert viewer.exit_code == 1 and "carol@acme.example is a viewer" in viewer.stderr
    nothing = run("improvement", "edit", 1, "-w", "acme")
    assert nothing.stderr == "Error: nothing to change: give at least one option (see --help)\n"
    assert Improvement.objects.get(number=1).title == "Shorter review queue"


def test_delete_removes_an_open_cycle_and_keeps_a_closed_one(world):
    cycle(world.acme)
    cycle(world.acme, phase=Phase.CLOSED)
    result = run("improvement", "delete", 1, "-w", "acme", "--as", "bob@acme.example")
    assert (result.exit_code, result.output) == (0, "PDCA-1 deleted: Shorter review queue\n")
    refused = run("improvement", "delete", 2, "-w", "acme")
    assert (refused.exit_code, refused.stderr) == (
        1,
        "Error: PDCA-2 is closed and part of the record; it cannot be deleted\n",
    )
    assert list(Improvement.objects.values_list("number", flat=True)) == [2]
    unknown = run("improvement", "delete", 9, "-w", "acme")
    assert unknown.stderr == "Error: no improvement cycle PDCA-9 in acme\n"


def test_task_adds_a_linked_card_in_do_and_is_refused_in_check(world):
    imp = cycle(world.acme, phase=Phase.DO)
    result = run("improvement", "task", 1, "Book review slots", "-w", "acme", "--json")
    assert result.exit_code == 0, result.stderr
    card = Card.objects.get()
    assert json.loads(result.output) == {
        "card_id": card.pk,
        "card_number": card.number,
        "title": "Book review slots",
        "column": "Ready",
    }
    assert (card.tags, imp.tasks.get().card) == (["pdca"], card)
    cycle(world.acme, phase=Phase.CHECK)
    refused = run("improvement", "task", 2, "More slots", "-w", "acme")
    assert (refused.exit_code, refused.stderr) == (
        1,
        "Error: tasks are planned and done in Plan and Do; PDCA-2 is in Check\n",
    )
    assert Card.objects.count() == 1


def test_next_starts_the_following_cycle_of_a_closed_one_only(world):
    cycle(world.acme, phase=Phase.CLOSED)
    result = run("improvement", "next", 1, "-w", "acme")
    assert (result.exit_code, result.output) == (
        0,
        "PDCA-2 follows PDCA-1, in Plan: Shorter review queue\n",
    )
    follower = Improvement.objects.get(number=2)
    assert (follower.phase, follower.previous.number) == ("plan", 1)
    refused = run("improvement", "next", 2, "-w", "acme", "--json")
    assert (refused.exit_code, refused.stderr) == (
        1,
        "Error: PDCA-2 is still open; close it (Act) before starting the next cycle\n",
    )
    assert Improvement.objects.count() == 2
