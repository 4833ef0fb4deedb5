"""Trello import from a small export-shaped file written by hand (fixtures/trello_board.json)."""

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from django.urls import reverse
from typer.testing import CliRunner

from leanmark.board.models import Board, Card, CardEvent
from leanmark.cli import app
from leanmark.integrations import trello

pytestmark = pytest.mark.django_db
EXPORT = Path(__file__).parent / "fixtures" / "trello_board.json"


def imported(world):
    return trello.import_board(world.acme, trello.load(EXPORT.read_bytes()))


def test_lists_become_columns_in_trellos_order_and_cards_keep_their_content(world):
    result = imported(world)
    board = result.board
    assert board.name == "Northwind campaigns (Trello)"
    assert [c.name for c in board.columns.order_by("position")] == ["Ideas", "Doing", "Done"]
    assert (result.cards, result.archived, result.moves) == (3, 1, 2)
    email = Card.objects.get(board=board, title="Autumn blend launch email")
    assert email.column.name == "Done"
    assert email.tags == ["seo", "red"]
    assert email.due_date == date(2026, 10, 20)
    assert list(email.assignees.values_list("email", flat=True)) == ["bob@acme.example"]
    assert email.description.startswith("Send to **all** subscribers.")
    assert "### Before sending\n- [x] Proofread\n- [ ] Test send" in email.description
    assert "- **Zed Outsider**, 2026-10-06 08:00: Looks good!" in email.description
    assert result.unmatched_members == ["Zed Outsider"]


def test_card_moves_become_back_dated_events_in_time_order(world):
    board = imported(world).board
    email = Card.objects.get(board=board, title="Autumn blend launch email")
    events = list(CardEvent.objects.filter(card=email).values_list("kind", "at", "to_column__name"))
    assert events == [
        ("created", datetime(2026, 10, 1, 8, 0, tzinfo=UTC), "Ideas"),
        ("moved", datetime(2026, 10, 5, 9, 30, tzinfo=UTC), "Doing"),
        ("moved", datetime(2026, 10, 11, 16, 0, tzinfo=UTC), "Done"),
    ]
    assert CardEvent.objects.get(card=email, kind="moved", to_column__name="Doing").actor == (
        world.bob
    )


def test_an_archived_card_is_archived_when_trello_last_touched_it(world):
    board = imported(world).board
    old = Card.objects.get(board=board, title="Old webinar")
    assert old.archived_at == datetime(2026, 9, 30, 10, 0, tzinfo=UTC)
    # no createCard action: its creation time comes from its Trello id
    created = CardEvent.objects.get(card=old, kind="created").at
    assert created == datetime.fromtimestamp(0x65000000, tz=UTC)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b'{"lists": [', "is not complete JSON (line 1, column 12"),
        (b'{"name": "x"}', "this JSON is not a Trello board export"),
        (b"\xff\xfe\x00", "is not UTF-8 text"),
        (b" " * (trello.MAX_BYTES + 1), "a Trello export is at most 50 MB"),
    ],
)
def test_bad_files_are_refused_with_a_reason(raw, message):
    with pytest.raises(trello.TrelloError, match=message.replace("(", r"\(")):
        trello.load(raw)


def test_a_card_in_a_missing_list_rejects_the_whole_file_and_creates_nothing(world):
    data = json.loads(EXPORT.read_text())
    data["cards"][1]["idList"] = "L9"
    boards = Board.objects.count()
    with pytest.raises(trello.TrelloError, match="card 2 \\('Podcast guest spot'\\) is in a list"):
        trello.import_board(world.acme, data)
    assert Board.objects.count() == boards
    assert Card.objects.count() == 0


def test_the_cli_imports_with_a_progress_bar(world):
    result = CliRunner().invoke(
        app, ["import", "trello", str(EXPORT), "--workspace", "acme"], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    assert "Imported 3 cards (1 archived, 2 moves)" in result.output
    assert "who are not members here: Zed Outsider" in result.output


def test_the_upload_form_imports_and_opens_the_new_board(world, client_for):
    url = reverse("trello_import", kwargs={"ws": "acme"})
    with EXPORT.open("rb") as handle:
        response = client_for(world.alice).post(url, {"file": handle})
    board = Board.objects.get(name="Northwind campaigns (Trello)")
    assert response.status_code == 302
    assert response.url == reverse("board", kwargs={"ws": "acme", "board_id": board.pk})


def test_the_upload_form_keeps_the_page_and_says_what_is_wrong(world, client_for):
    from django.core.files.uploadedfile import SimpleUploadedFile

    url = reverse("trello_import", kwargs={"ws": "acme"})
    bad = SimpleUploadedFile("board.json", b'{"lists": [', content_type="application/json")
    response = client_for(world.alice).post(url, {"file": bad})
    assert response.status_code == 422
    assert "is not complete JSON" in response.content.decode()
