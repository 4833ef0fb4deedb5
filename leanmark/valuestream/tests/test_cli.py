import json

from typer.testing import CliRunner

from leanmark.cli import app
from leanmark.valuestream import services
from leanmark.valuestream.models import Step, ValueStream

runner = CliRunner()


def run(*args):
    return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)


def a_map(world, *steps):
    stream = services.create_stream(world.acme, services.StreamSettings("Launch"), actor=None)
    for name, stage in steps:
        data = {"name": name, "stage": stage, "pt_value": "1", "lt_value": "1"}
        services.add_step(stream, data, actor=None)
    return stream


def test_vsm_create_makes_a_current_state_map(world):
    result = run("vsm", "create", "Newsletter", "--basis", "working", "-w", "acme")
    stream = ValueStream.objects.get(workspace=world.acme, name="Newsletter")
    assert (result.exit_code, result.stdout) == (
        0,
        f"Value stream {stream.pk} created: Newsletter (times on a working basis).\n",
    )
    assert (stream.state, stream.time_basis) == ("current", "working")


def test_vsm_create_refuses_a_taken_name(world):
    a_map(world)
    result = run("vsm", "create", "launch", "-w", "acme")
    assert result.exit_code == 1
    assert "there is already a value stream called 'launch'" in result.stderr


def test_step_add_adds_a_checked_step(world):
    stream = a_map(world)
    result = run(
        "vsm", "step", "add", stream.pk, "Write copy", "--stage", "like", "--pt", "2",
        "--lt", "3", "--ca", "90", "--as", "bob@acme.example", "-w", "acme", "--json",
    )  # fmt: skip
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    step = Step.objects.get(stream=stream, name="Write copy")
    assert (data["id"], data["stage"], data["pt_value"], data["lt_unit"]) == (
        step.pk,
        "like",
        "2.00",
        "d",
    )
    assert step.ca_percent == 90


def test_step_add_refuses_a_lead_time_below_the_process_time(world):
    stream = a_map(world)
    result = run(
        "vsm", "step", "add", stream.pk, "Rush", "--stage", "know", "--pt", "5", "--pt-unit", "h",
        "--lt", "1", "--lt-unit", "h", "-w", "acme",
    )  # fmt: skip
    assert result.exit_code == 1
    assert result.stderr.startswith(
        "Error: the lead time (1 h = 1 hours) cannot be shorter than the process time "
        "(5 h = 5 hours)"
    )
    assert not stream.steps.exists()


def test_step_edit_changes_only_what_is_given(world):
    stream = a_map(world, ("Brief", "know"))
    step = stream.steps.get()
    result = run("vsm", "step", "edit", step.pk, "--name", "Briefing", "--lt", "2", "-w", "acme")
    assert (result.exit_code, result.stdout) == (
        0,
        f"Step {step.pk} changed: Briefing (know, position 1), PT 1 h, LT 2 d.\n",
    )
    step.refresh_from_db()
    assert (step.name, step.pt_value, step.lt_value, step.stage) == ("Briefing", 1, 2, "know")


def test_step_move_puts_a_step_at_a_place_in_another_stage(world):
    stream = a_map(world, ("Brief", "know"), ("Draft", "like"), ("Review", "like"))
    brief = stream.steps.get(name="Brief")
    result = run("vsm", "step", "move", brief.pk, "like", "--position", "2", "-w", "acme")
    assert result.exit_code == 0
    assert result.stdout.startswith(f"Step {brief.pk} moved: Brief (like, position 2)")
    order = list(stream.steps.filter(stage="like").order_by("position").values_list("name"))
    assert order == [("Draft",), ("Brief",), ("Review",)]


def test_step_commands_do_not_reach_another_workspace(world):
    stream = services.create_stream(world.evil, services.StreamSettings("Theirs"), actor=None)
    step = services.add_step(
        stream, {"name": "Secret", "stage": "know", "pt_value": "1", "lt_value": "1"}, actor=None
    )
    result = run("vsm", "step", "edit", step.pk, "--name", "Mine", "-w", "acme")
    assert result.exit_code == 1
    assert "no such value stream step in this workspace" in result.stderr
    step.refresh_from_db()
    assert step.name == "Secret"
