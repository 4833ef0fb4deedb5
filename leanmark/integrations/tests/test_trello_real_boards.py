"""Trello import of boards shaped like real exports (trello_exports.py): archived lists, the
done and start columns chosen by name in English and Japanese, queue columns, archive dates,
attachments, and the flow report of what was finished."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from typer.testing import CliRunner

from leanmark.board.models import Card, CardEvent, Column
from leanmark.cli import app
from leanmark.flow import queries as flow
from leanmark.integrations import trello

from .trello_exports import english, japanese

pytestmark = pytest.mark.django_db


def _finished(data: dict, done_name: str) -> int:
    """Cards that Trello's actions move into the done list: what the flow report must count
    (some were later parked in an archived list; they were finished all the same)."""
    done_id = next(lst["id"] for lst in data["lists"] if lst["name"] == done_name)
    return len(
        {
            a["data"]["card"]["id"]
            for a in data["actions"]
            if a["type"] == "updateCard" and a["data"].get("listAfter", {}).get("id") == done_id
        }
    )


def _columns(board) -> list[tuple[str, str]]:
    return [(c.name, c.kind) for c in board.columns.order_by("position")]


def test_archived_lists_stay_off_the_board_and_done_is_chosen_by_name(world):
    result = trello.import_board(world.acme, english())
    board = result.board
    assert _columns(board) == [
        ("Ideas", "queue"),
        ("To Do", "queue"),
        ("Doing", "active"),
        ("Waiting for review", "queue"),
        ("Done ✅", "queue"),
        ("Someday", "queue"),
    ]
    assert (board.start_column.name, board.done_column.name) == ("Doing", "Done ✅")
    assert (result.done, result.start) == ("Done ✅", "Doing")
    assert result.done_why == "its name says work is finished"
    assert result.start_why == "its name says work is in progress"
    assert ("Up Next", 6) in result.archived_lists and len(result.archived_lists) == 12


def test_cards_of_an_archived_list_are_archived_when_the_list_was_with_their_history(world):
    data = english()
    result = trello.import_board(world.acme, data)
    up_next = next(lst for lst in data["lists"] if lst["name"] == "Up Next")
    parked = [c for c in data["cards"] if c["idList"] == up_next["id"]]
    assert len(parked) == 6
    list_closed = next(a for a in data["actions"] if a["type"] == "updateList")["date"]
    for trello_card in parked:
        card = Card.objects.get(board=result.board, title=trello_card["name"])
        assert card.archived_at == datetime.fromisoformat(list_closed)
        assert card.column.name != "Up Next"  # the last open column it was in
        kinds = list(CardEvent.objects.filter(card=card).values_list("kind", flat=True))
        assert kinds[0] == "created" and kinds[-1] == "archived" and "moved" in kinds
        assert "*In Trello this card is in the archived list 'Up Next'.*" in card.description


def test_an_archived_card_is_dated_by_its_archive_action_not_its_last_activity(world):
    data = english()
    result = trello.import_board(world.acme, data)
    archive = {
        a["data"]["card"]["id"]: a["date"]
        for a in data["actions"]
        if a["type"] == "updateCard" and a["data"].get("old") == {"closed": False}
    }
    assert len(archive) >= 8
    for trello_card in data["cards"]:
        if trello_card["id"] not in archive:
            continue
        card = Card.objects.get(board=result.board, title=trello_card["name"])
        assert card.archived_at == datetime.fromisoformat(archive[trello_card["id"]])
        last = datetime.fromisoformat(trello_card["dateLastActivity"])
        assert last - card.archived_at == timedelta(days=7.5)


def test_the_flow_report_counts_every_finished_card_after_import(world):
    for data, done in ((english(), "Done ✅"), (japanese(), "完了")):
        board = trello.import_board(world.acme, data).board
        finished = _finished(data, done)
        assert finished >= 20
        last = max(c.column_entered_at for c in Card.objects.filter(board=board)).date()
        report = flow.flow_report(
            board, start=date(2026, 6, 1), end=last, now=datetime(2026, 12, 7, tzinfo=UTC)
        )
        assert report.total_throughput == finished, board.name


def test_japanese_list_names_choose_done_start_and_queues_and_cancelled_is_never_done(world):
    result = trello.import_board(world.acme, japanese())
    assert _columns(result.board) == [
        ("アイデア", "queue"),
        ("未着手", "queue"),
        ("進行中", "active"),
        ("レビュー待ち", "queue"),
        ("完了", "queue"),
    ]
    assert (result.start, result.done) == ("進行中", "完了")
    assert result.archived_lists == [("中止", 3)]


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("Done", "done"), ("✅ Complete", "done"), ("Shipped 🚀", "done"), ("Live", "done"),
        ("Fertig", "done"), ("Terminé", "done"), ("完了", "done"), ("クローズ", "done"),
        ("Cancelled", "cancelled"), ("中止", "cancelled"), ("Won't do", "cancelled"),
        ("In Progress", "start"), ("Doing", "start"), ("En cours", "start"), ("進行中", "start"),
        ("Backlog", "queue"), ("To Do", "queue"), ("Ready", "queue"), ("À faire", "queue"),
        ("Waiting for client", "queue"), ("未着手", "queue"),
        ("Design", ""), ("Delivery notes", ""), ("Undone work", ""),
    ],
)  # fmt: skip
def test_list_names_say_what_the_list_holds(name, kind):
    assert trello.kind_of_name(name) == kind


def test_no_list_named_done_chooses_where_cards_end_up_never_the_archived_last(world):
    data = english()
    names = {"Done ✅": "Out the door", "Someday": "Parking lot"}
    for lst in data["lists"]:
        lst["name"] = names.get(lst["name"], lst["name"])
    result = trello.import_board(world.acme, data)
    assert result.done == "Out the door"
    assert result.done_why == "no list is named as finished; most cards end up there"


def test_overrides_choose_the_columns_and_a_wrong_name_is_refused_with_the_lists(world):
    result = trello.import_board(
        world.acme,
        english(),
        done_list="waiting for review",
        start_list="To Do",
        queue_lists=["Ideas"],
    )
    assert (result.board.start_column.name, result.board.done_column.name) == (
        "To Do",
        "Waiting for review",
    )
    kinds = dict(_columns(result.board))
    assert kinds["Ideas"] == kinds["Waiting for review"] == Column.Kind.QUEUE
    assert kinds["Doing"] == kinds["Someday"] == Column.Kind.ACTIVE
    assert result.done_why == "chosen with --done-list"
    with pytest.raises(trello.TrelloError, match="--done-list: the list 'Up Next' is archived"):
        trello.import_board(world.acme, english(), done_list="Up Next")
    with pytest.raises(
        trello.TrelloError, match="no open list named 'Finished'; its lists: 'Ideas'"
    ):
        trello.import_board(world.acme, english(), done_list="Finished")


def test_attachments_become_links_and_the_summary_says_what_was_not_imported(world):
    data = english()
    result = trello.import_board(world.acme, data)
    card = Card.objects.get(board=result.board, title="Landing page 8")
    text = card.description
    assert "### Attachments from Trello" in text
    assert "- [hero.png](<https://trello.com/1/cards/" in text
    assert "(a file uploaded to Trello: opening it needs a Trello login)" in text
    assert "- click me · added" in text and "its link was not kept: not a web address" in text
    assert "javascript:" not in text
    brief = Card.objects.get(board=result.board, title="Newsletter 2")
    assert "- [brief-1.pdf](<https://docs.example.com/brief-1.pdf>) · added 2026-06-" in (
        brief.description
    )
    notes = " ".join(result.not_imported)
    assert (
        "the files of 22 attachments (21 kept as links in their cards' descriptions, the files "
        "stay on Trello; 1 without a web address kept by name only)" in notes
    )
    assert "custom field values on 9 cards" in notes
    assert "votes on 6 cards" in notes
    assert "11 actions of kinds with no place here (10 updateCheckItemStateOnCard, " in notes


def test_the_cli_prints_the_columns_it_chose_and_takes_overrides(world, tmp_path):
    import json

    path = tmp_path / "clipkit.json"
    path.write_text(json.dumps(japanese(), ensure_ascii=False), encoding="utf-8")
    run = CliRunner().invoke(
        app, ["import", "trello", str(path), "-w", "acme"], catch_exceptions=False
    )
    assert run.exit_code == 0, run.output
    out = " ".join(run.output.split())
    assert "Done column: 完了 (its name says work is finished)" in out
    assert "Start column: 進行中 (its name says work is in progress)" in out
    assert "Queue columns (work waits): アイデア, 未着手, レビュー待ち." in out
    assert "Archived lists kept off the board, their cards archived: 中止 (3 cards)." in out
    run = CliRunner().invoke(
        app,
        ["import", "trello", str(path), "-w", "acme", "--name", "Clipkit 2",
         "--done-list", "レビュー待ち", "--queue-lists", ""],
    )  # fmt: skip
    assert run.exit_code == 0, run.output
    assert "Done column: レビュー待ち (chosen with --done-list)" in " ".join(run.output.split())
    run = CliRunner().invoke(app, ["import", "trello", str(path), "-w", "acme", "--done-list", "x"])
    assert run.exit_code == 1
    assert "no open list named 'x'" in run.output and "Nothing was imported" in run.output


def test_the_upload_form_takes_overrides_and_shows_the_summary(world, tmp_path):
    import json

    from django.core.files.uploadedfile import SimpleUploadedFile

    url = reverse("trello_import", kwargs={"ws": "acme"})
    upload = SimpleUploadedFile("b.json", json.dumps(english()).encode(), "application/json")
    client = Client()
    client.force_login(world.alice)
    response = client.post(url, {"file": upload, "start_list": "To Do"}, follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Done column: Done ✅ (its name says work is finished)" in page
    assert "Start column: To Do (chosen with --start-list)" in page
