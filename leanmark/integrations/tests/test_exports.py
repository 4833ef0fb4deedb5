"""Workspace exports: everything of one workspace, nothing of another, no secrets."""

import csv
import io
import json
import zipfile

import pytest
from django.urls import reverse
from typer.testing import CliRunner

from leanmark.accounts import services as accounts
from leanmark.accounts.models import AuditEntry
from leanmark.board import services as board
from leanmark.cli import app
from leanmark.integrations import exports
from leanmark.integrations import services as hooks

pytestmark = pytest.mark.django_db


def fill(world):
    card = board.create_card(
        world.board, title="=HYPERLINK(evil)", column=world.column("Ready"), actor=world.bob
    )
    board.move_card(card, to_column=world.column("Writing"), actor=world.bob)
    board.create_card(world.evil_board, title="Evil plan", actor=world.mallory)
    hooks.create_webhook(world.acme, url="https://h.example/x", events=["*"], actor=world.alice)
    accounts.invite(workspace=world.acme, role="viewer", actor=world.alice)
    return card


def test_the_document_holds_the_workspace_and_its_events_and_no_other_workspace(world):
    card = fill(world)
    doc = exports.document(world.acme)
    assert (doc["format"], doc["version"], doc["workspace"]["slug"]) == (
        "leanmark-workspace-export",
        1,
        "acme",
    )
    cards = doc["entities"]["board.card"]
    assert [c["title"] for c in cards] == ["=HYPERLINK(evil)"]
    events = doc["entities"]["board.cardevent"]
    assert [e["kind"] for e in events if e["card_id"] == card.pk] == ["created", "moved"]
    assert {c["name"] for c in doc["entities"]["board.column"]} == {
        "Ready",
        "Writing",
        "Review",
        "Live",
        "Done",
    }
    assert doc["counts"]["board.card"] == 1
    assert {p["email"] for p in doc["people"]} == {
        "alice@acme.example",
        "bob@acme.example",
        "carol@acme.example",
    }
    text = json.dumps(doc, default=str)
    assert "Evil plan" not in text and "mallory" not in text


def test_no_secret_leaves_in_an_export(world):
    fill(world)
    doc = exports.document(world.acme)
    hook = doc["entities"]["integrations.webhook"][0]
    assert "secret" not in hook
    assert "token_hash" not in doc["entities"]["accounts.invitation"][0]
    assert all(set(p) == {"id", "email", "display_name"} for p in doc["people"])
    assert "accounts.apitoken" not in doc["entities"]


def test_the_csv_zip_has_one_file_per_kind_and_defuses_formulas(world):
    fill(world)
    buffer = io.BytesIO()
    exports.write_csv_zip(world.acme, buffer)
    archive = zipfile.ZipFile(buffer)
    assert {"people.csv", "board.card.csv", "board.cardevent.csv"} <= set(archive.namelist())
    rows = list(csv.DictReader(io.StringIO(archive.read("board.card.csv").decode())))
    assert rows[0]["title"] == "'=HYPERLINK(evil)"


def test_the_owner_downloads_it_and_the_audit_trail_says_so(world, client_for):
    fill(world)
    url = reverse("export_download", kwargs={"ws": "acme", "fmt": "json"})
    response = client_for(world.alice).get(url)
    assert response["Content-Disposition"] == 'attachment; filename="leanmark-acme.json"'
    assert json.loads(response.content)["counts"]["board.card"] == 1
    assert AuditEntry.objects.filter(action="export", actor=world.alice).exists()
    assert client_for(world.bob).get(url).status_code == 403  # members cannot take it all


def test_the_cli_writes_the_file_with_a_progress_bar(world, tmp_path):
    fill(world)
    target = tmp_path / "acme.json"
    result = CliRunner().invoke(
        app, ["export", "workspace", "--workspace", "acme", "-o", str(target)]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(target.read_text())["counts"]["board.cardevent"] == 2
    assert not (tmp_path / "acme.json.partial").exists()
    zipped = tmp_path / "acme.zip"
    result = CliRunner().invoke(
        app, ["export", "workspace", "--workspace", "acme", "--format", "csv", "-o", str(zipped)]
    )
    assert result.exit_code == 0, result.output
    assert "board.card.csv" in zipfile.ZipFile(zipped).namelist()
