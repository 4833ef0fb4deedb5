import json

from django.utils import timezone
from typer.testing import CliRunner

from leanmark.board import services as board_services
from leanmark.cli import app
from leanmark.standups import queries, services
from leanmark.standups.models import Entry

runner = CliRunner()


def run(*args):
    return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)


def today(world) -> str:
    return queries.local_day(world.acme, timezone.now()).isoformat()


def test_standup_add_checks_in_then_updates(world):
    card = board_services.create_card(world.board, title="Brew guide", actor=world.bob)
    args = ("standup", "add", "-w", "acme", "--as", "bob@acme.example")
    result = run(*args, "--yesterday", f"drafted #{card.number}", "--today", "edit it")
    assert (result.exit_code, result.stdout) == (
        0,
        f"Checked in for Bob Member on {today(world)}.\n",
    )
    result = run(*args, "--today", "publish it")
    assert result.stdout == f"Updated the check-in for Bob Member on {today(world)}.\n"
    entry = Entry.objects.get()
    assert (entry.yesterday, entry.today) == ("", "publish it")


def test_standup_add_refuses_an_empty_check_in(world):
    result = run("standup", "add", "-w", "acme")
    assert result.exit_code == 1
    assert "the check-in is empty" in result.stderr


def test_standup_add_refuses_a_viewer(world):
    result = run("standup", "add", "-w", "acme", "--as", "carol@acme.example", "--today", "x")
    assert result.exit_code == 1
    assert "is a viewer" in result.stderr


def test_standup_summary_prints_markdown(world):
    services.check_in(world.acme, member=world.bob, actor=world.bob, today="write", blockers="")
    result = run("standup", "summary", "-w", "acme", "--date", today(world))
    assert result.exit_code == 0
    assert result.stdout.startswith(f"## Stand-up {today(world)} (")
    assert "**Bob Member**\n- Today: write\n\nNot checked in: Alice Owner\n" in result.stdout


def test_standup_summary_refuses_a_bad_date(world):
    result = run("standup", "summary", "-w", "acme", "--date", "20/03/2026")
    assert result.exit_code == 1
    assert "'20/03/2026' is not a date; write it as YYYY-MM-DD" in result.stderr


def test_standup_agenda_as_json(world):
    board_services.create_card(
        world.board, title="Launch", column=world.column("Writing"), actor=world.bob
    )
    result = run("standup", "agenda", "-w", "acme", "--json")
    data = json.loads(result.stdout)
    writing = next(s for s in data["sections"] if s["column"] == "Writing")
    assert writing["items"][0]["flags"] == [{"kind": "no_owner", "text": "nobody owns this item"}]


def test_raise_list_and_resolve_an_impediment(world):
    card = board_services.create_card(world.board, title="Launch", actor=world.bob)
    result = run(
        "standup",
        "raise",
        "Legal approval",
        "--card",
        card.number,
        "--block",
        "--owner",
        "alice@acme.example",
        "-w",
        "acme",
        "--as",
        "bob@acme.example",
    )
    assert result.exit_code == 0, result.stderr
    item = queries.open_impediments(world.acme)[0]
    assert result.stdout == f"Impediment {item.pk} raised, owned by Alice Owner.\n"
    listed = json.loads(run("standup", "impediments", "-w", "acme", "--json").stdout)
    assert listed == [
        {
            "id": item.pk,
            "what": "Legal approval",
            "card": card.number,
            "owner": "Alice Owner",
            "open_days": 0.0,
        }
    ]
    refused = run("standup", "resolve", item.pk, "-w", "acme")
    assert (refused.exit_code, "say how" in refused.stderr) == (1, True)
    result = run("standup", "resolve", item.pk, "--how", "called", "--unblock", "-w", "acme")
    assert result.stdout == f"Impediment {item.pk} resolved.\n"
    card.refresh_from_db()
    assert not card.is_blocked
