import json

from typer.testing import CliRunner

from leanmark.backlog import services
from leanmark.backlog.models import Idea
from leanmark.cli import app

runner = CliRunner()


def run(*args):
    return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)


def test_idea_add_captures_with_optional_detail(world):
    result = run(
        "idea", "add", "Cold brew tasting", "--stage", "try", "--channel", "events",
        "--detail", "At the *market*", "-w", "acme", "--as", "bob@acme.example",
    )  # fmt: skip
    idea = Idea.objects.get()
    assert (result.exit_code, result.stdout) == (0, f"Idea {idea.pk} captured: Cold brew tasting\n")
    assert (idea.stage, idea.channel, idea.description, idea.created_by) == (
        "try",
        "events",
        "At the *market*",
        world.bob,
    )


def test_idea_add_refuses_an_unknown_stage(world):
    result = run("idea", "add", "x", "--stage", "awareness", "-w", "acme")
    assert result.exit_code == 1
    assert "unknown hourglass stage 'awareness'" in result.stderr
    assert not Idea.objects.exists()


def test_idea_list_ranked_as_json_for_a_date(world):
    steady = services.capture_idea(world.acme, title="Steady", actor=None)
    run("idea", "score", steady.pk, "cd3", "--value-rate", "30", "--weeks", "2", "-w", "acme")
    launch = services.capture_idea(world.acme, title="Launch", actor=None)
    result = run(
        "idea", "score", launch.pk, "cd3", "--profile", "fixed_date", "--value-rate", "40",
        "--weeks", "2", "--deadline", "2099-12-29", "--penalty", "100", "-w", "acme",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith(f"Idea {launch.pk}: CD3 0 = 0/week ÷ 2 weeks")

    def titles(on):
        result = run(
            "idea", "list", "--ranked", "--rank", "cd3", "--on", on, "-w", "acme", "--json"
        )
        assert result.exit_code == 0, result.stderr
        data = json.loads(result.stdout)
        assert (data["model"], data["on"]) == ("cd3", on)
        return [(i["title"], i["score"]) for i in data["ideas"]]

    assert titles("2099-12-01") == [("Steady", 15.0), ("Launch", 0.0)]
    assert titles("2099-12-20") == [("Launch", 50.0), ("Steady", 15.0)]


def test_idea_score_refuses_out_of_range_values(world):
    idea = services.capture_idea(world.acme, title="x", actor=None)
    result = run(
        "idea", "score", idea.pk, "ice", "--impact", "12", "--confidence", "5", "--ease", "5",
        "-w", "acme",
    )  # fmt: skip
    assert result.exit_code == 1
    assert "Impact must be a whole number from 1 to 10, not 12" in result.stderr


def test_idea_triage_and_start(world):
    idea = services.capture_idea(world.acme, title="Gift box", actor=None)
    run(
        "idea",
        "score",
        idea.pk,
        "ice",
        "--impact",
        "8",
        "--confidence",
        "7",
        "--ease",
        "9",
        "-w",
        "acme",
    )
    result = run("idea", "triage", idea.pk, "--status", "parked", "-w", "acme")
    assert result.exit_code == 1
    assert "a reason is required" in result.stderr
    assert run("idea", "triage", idea.pk, "--status", "accepted", "-w", "acme").stdout == (
        "1 idea(s) now accepted.\n"
    )
    result = run("idea", "start", idea.pk, "-w", "acme")
    assert (result.exit_code, result.stdout) == (
        0,
        f"Idea {idea.pk} started as card #1 in Ready.\n",
    )


def test_idea_start_exits_2_when_the_first_column_is_full(world):
    from leanmark.board import services as board

    ready = world.column("Ready")
    board.update_column(ready, board.ColumnSpec("Ready", ready.kind, 0, "hard"))
    idea = services.capture_idea(world.acme, title="x", actor=None)
    services.score_idea(
        idea, model="ice", values={"impact": 1, "confidence": 1, "ease": 1}, actor=None
    )
    services.set_status(idea, status="accepted", actor=None)
    result = run("idea", "start", idea.pk, "-w", "acme")
    assert result.exit_code == 2
    assert "Ready is at its WIP limit (0/0, hard)" in result.stderr


def test_idea_show_explains_each_score(world):
    idea = services.capture_idea(world.acme, title="Reels", actor=None)
    run(
        "idea",
        "score",
        idea.pk,
        "rice",
        "--reach",
        "450",
        "--impact",
        "3",
        "--confidence",
        "100",
        "--effort",
        "2",
        "-w",
        "acme",
    )
    result = run("idea", "show", idea.pk, "-w", "acme")
    assert f"Idea {idea.pk}: Reels [evaluated]" in result.stdout
    assert "RICE: RICE 675 = reach 450 × impact 3 × confidence 100% ÷ effort 2 person-months" in (
        result.stdout
    )
    assert "ICE: not scored" in result.stdout


def test_idea_show_of_an_unknown_idea_says_so(world):
    result = run("idea", "show", "999", "-w", "acme")
    assert result.exit_code == 1
    assert "no idea 999 in acme" in result.stderr


def test_idea_import_shows_progress_and_refuses_a_bad_file(world, tmp_path):
    good = tmp_path / "ideas.csv"
    good.write_text("title,channel\nLoyalty card,In store\nReels,Instagram\n")
    result = run("idea", "import", good, "-w", "acme")
    assert result.exit_code == 0
    assert "2 idea(s) imported into acme." in result.stdout
    bad = tmp_path / "bad.csv"
    bad.write_text("title,ice_impact,ice_confidence,ice_ease\nok,1,1,1\nbad,0,1,1\n")
    result = run("idea", "import", bad, "-w", "acme")
    assert result.exit_code == 1
    assert "line 3: Impact must be a whole number from 1 to 10, not 0" in result.stderr
    assert Idea.objects.count() == 2


def test_idea_edit_changes_only_the_fields_given_and_answers_as_the_api(world):
    idea = services.capture_idea(
        world.acme, title="Reels", actor=None, channel="social", tags="video"
    )
    result = run(
        "idea", "edit", idea.pk, "--title", "Reels weekly", "--stage", "Like",
        "--tags", "video, ugc", "-w", "acme", "--as", "bob@acme.example", "--json",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert (data["id"], data["title"], data["stage"], data["channel"], data["tags"]) == (
        idea.pk,
        "Reels weekly",
        "like",
        "social",
        ["video", "ugc"],
    )
    assert (data["version"], data["workspace"], data["card_number"]) == (2, "acme", None)
    idea.refresh_from_db()
    assert (idea.title, idea.stage, idea.tags, idea.version) == (
        "Reels weekly",
        "like",
        ["video", "ugc"],
        2,
    )
    assert idea.events.latest("at").data["fields"]["title"] == ["Reels", "Reels weekly"]
    result = run("idea", "edit", idea.pk, "--channel", "", "-w", "acme")
    assert (result.exit_code, result.stdout) == (0, f"Idea {idea.pk} saved: Reels weekly\n")
    idea.refresh_from_db()
    assert idea.channel == ""


def test_idea_edit_refuses_nothing_a_bad_stage_an_unknown_id_and_a_viewer(world):
    idea = services.capture_idea(world.acme, title="Reels", actor=None)
    nothing = run("idea", "edit", idea.pk, "-w", "acme")
    assert (nothing.exit_code, nothing.stderr) == (
        1,
        "Error: nothing to change: give at least one option (see --help)\n",
    )
    bad = run("idea", "edit", idea.pk, "--stage", "awareness", "-w", "acme")
    assert bad.exit_code == 1
    assert "unknown hourglass stage 'awareness'" in bad.stderr
    unknown = run("idea", "edit", 99999, "--title", "x", "-w", "acme")
    assert (unknown.exit_code, unknown.stderr) == (
        1,
        "Error: no idea 99999 in acme; `leanmark idea list` shows the ids\n",
    )
    viewer = run(
        "idea", "edit", idea.pk, "--title", "x", "-w", "acme", "--as", "carol@acme.example"
    )
    assert viewer.exit_code == 1
    assert "carol@acme.example is a viewer" in viewer.stderr
    idea.refresh_from_db()
    assert (idea.title, idea.stage, idea.version) == ("Reels", "", 1)


def test_idea_delete_removes_it_and_refuses_a_viewer(world):
    idea = services.capture_idea(world.acme, title="Reels", actor=None)
    viewer = run("idea", "delete", idea.pk, "-w", "acme", "--as", "carol@acme.example")
    assert viewer.exit_code == 1
    assert Idea.objects.filter(pk=idea.pk).exists()
    result = run("idea", "delete", idea.pk, "-w", "acme", "--as", "bob@acme.example")
    assert (result.exit_code, result.stdout) == (0, f"Idea {idea.pk} deleted: Reels\n")
    assert not Idea.objects.filter(pk=idea.pk).exists()
    again = run("idea", "delete", idea.pk, "-w", "acme")
    assert (again.exit_code, again.stderr) == (
        1,
        f"Error: no idea {idea.pk} in acme; `leanmark idea list` shows the ids\n",
    )
