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


def test_vsm_edit_keeps_what_is_not_given(world):
    stream = a_map(world, ("Draft", "know"))
    result = run(
        "vsm", "edit", stream.pk, "--name", "Autumn launch", "--basis", "working",
        "--hours-per-day", "7.5", "-w", "acme", "--as", "bob@acme.example",
    )  # fmt: skip
    assert (result.exit_code, result.stdout) == (
        0,
        f"Value stream {stream.pk} saved: Autumn launch (times on a working basis).\n",
    )
    data = json.loads(
        run("vsm", "edit", stream.pk, "--description", "Q4", "-w", "acme", "--json").stdout
    )
    assert (data["name"], data["description"], data["hours_per_day"], data["days_per_week"]) == (
        "Autumn launch",
        "Q4",
        "7.50",
        "5.0",
    )
    assert [s["name"] for s in data["steps"]] == ["Draft"]
    stream.refresh_from_db()
    assert (stream.name, stream.time_basis, stream.description) == (
        "Autumn launch",
        "working",
        "Q4",
    )


def test_vsm_edit_refuses_a_taken_name_an_unknown_map_and_a_viewer(world):
    stream = a_map(world)
    services.create_stream(world.acme, services.StreamSettings("Newsletter"), actor=None)
    taken = run("vsm", "edit", stream.pk, "--name", "newsletter", "-w", "acme")
    assert (taken.exit_code, taken.stderr) == (
        1,
        "Error: there is already a value stream called 'newsletter'\n",
    )
    unknown = run("vsm", "edit", 99999, "--name", "x", "-w", "acme")
    assert (unknown.exit_code, unknown.stderr) == (
        1,
        "Error: no value stream 99999 in acme; `leanmark vsm list` shows the maps\n",
    )
    viewer = run(
        "vsm", "edit", stream.pk, "--name", "x", "-w", "acme", "--as", "carol@acme.example"
    )
    assert viewer.exit_code == 1 and "carol@acme.example is a viewer" in viewer.stderr
    stream.refresh_from_db()
    assert stream.name == "Launch"


def test_vsm_delete_is_for_owners(world):
    stream = a_map(world, ("Draft", "know"), ("Send", "try"))
    member = run("vsm", "delete", stream.pk, "-w", "acme", "--as", "bob@acme.example")
    assert (member.exit_code, member.stderr) == (
        1,
        "Error: bob@acme.example is a member of acme; only an owner can do this\n",
    )
    result = run("vsm", "delete", stream.pk, "-w", "acme", "--as", "alice@acme.example")
    assert (result.exit_code, result.stdout) == (
        0,
        f"Value stream {stream.pk} deleted: Launch (2 step(s)).\n",
    )
    assert not ValueStream.objects.exists() and not Step.objects.exists()


def test_vsm_future_copies_a_current_map_once(world):
    stream = a_map(world, ("Draft", "know"))
    result = run("vsm", "future", stream.pk, "-w", "acme", "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    future = ValueStream.objects.get(state="future")
    assert (data["id"], data["state"], data["derived_from_id"], data["name"]) == (
        future.pk,
        "future",
        stream.pk,
        future.name,
    )
    assert future.steps.get().origin == stream.steps.get()
    again = run("vsm", "future", future.pk, "--name", "Again", "-w", "acme")
    assert again.exit_code == 1 and again.stderr.startswith("Error: ")
    assert ValueStream.objects.count() == 2


def test_step_delete_apply_and_revisions(world):
    stream = a_map(world, ("Draft", "know"), ("Send", "try"))
    lonely = run("vsm", "step", "apply", stream.steps.get(name="Draft").pk, "-w", "acme")
    assert lonely.exit_code == 1
    assert lonely.stderr.startswith("Error: “Launch” has no future state yet")
    future = services.create_future_state(stream, name="Lean launch", actor=None)
    draft = future.steps.get(name="Draft")
    services.edit_step(draft, {"lt_value": "0.5"}, actor=None)
    same = run("vsm", "step", "apply", stream.steps.get(name="Send").pk, "-w", "acme")
    assert (same.exit_code, same.stdout) == (0, "Applied the future state to Send: no change.\n")
    applied = run("vsm", "step", "apply", draft.pk, "-w", "acme")
    assert (applied.exit_code, applied.stdout) == (
        0,
        "Applied the future state to Draft: lead time.\n",
    )
    assert stream.steps.get(name="Draft").lt_value == 0.5
    send = future.steps.get(name="Send")
    viewer = run("vsm", "step", "delete", send.pk, "-w", "acme", "--as", "carol@acme.example")
    assert viewer.exit_code == 1 and future.steps.filter(pk=send.pk).exists()
    removed = run("vsm", "step", "delete", send.pk, "-w", "acme")
    assert (removed.exit_code, removed.stdout) == (
        0,
        f"Step {send.pk} deleted from Lean launch: Send.\n",
    )
    assert not future.steps.filter(name="Send").exists()
    history = json.loads(run("vsm", "revisions", future.pk, "-w", "acme", "--json").stdout)
    assert history[0]["kind"] == "step_removed" and history[0]["summary"] == "Removed Send"
    unknown = run("vsm", "step", "delete", 99999, "-w", "acme")
    assert unknown.stderr == (
        "Error: no value stream step 99999 in acme; `leanmark vsm show ID --json` lists them\n"
    )


def test_step_columns_links_board_columns_and_refuses_another_workspaces(world):
    stream = a_map(world, ("Draft", "know"))
    step = stream.steps.get()
    writing = world.column("Writing")
    result = run("vsm", "step", "columns", step.pk, writing.pk, "-w", "acme", "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["column_ids"] == [writing.pk]
    assert list(step.column_links.values_list("column_id", flat=True)) == [writing.pk]
    foreign = world.evil_board.columns.first()
    refused = run("vsm", "step", "columns", step.pk, foreign.pk, "-w", "acme")
    assert (refused.exit_code, refused.stderr) == (
        1,
        f"Error: no board column {foreign.pk} in this workspace; pick columns of your own boards\n",
    )
    neither = run("vsm", "step", "columns", step.pk, "-w", "acme")
    assert neither.stderr == "Error: give the board columns, or --clear to unlink them all\n"
    by_name = run("vsm", "step", "columns", step.pk, "writing", "Review", "-w", "acme")
    assert by_name.exit_code == 0, by_name.stderr
    assert by_name.stdout.startswith(f"Step {step.pk} linked to 2 column(s): Draft (know")
    assert sorted(step.column_links.values_list("column_id", flat=True)) == sorted(
        [writing.pk, world.column("Review").pk]
    )
    typo = run("vsm", "step", "columns", step.pk, "Writting", "-w", "acme")
    assert typo.exit_code == 1
    assert typo.stderr.startswith("Error: no column 'Writting' on Marketing; columns are: Ready")
    cleared = run("vsm", "step", "columns", step.pk, "--clear", "-w", "acme")
    assert cleared.exit_code == 0 and not step.column_links.exists()
