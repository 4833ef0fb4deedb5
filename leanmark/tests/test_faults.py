"""Faults (issue 12, item 6), each produced for real against a real app server.

The database goes away under a running server: on PostgreSQL a TCP relay between the server and
the database drops every connection and refuses new ones; on SQLite the database's directory is
renamed, so the file cannot be opened. Pages and API answer 503 with Retry-After and a plain
message, /readyz says why, and when the database is back the next requests succeed without
restarting the server."""

import json
import shutil
import sqlite3
import sys
from pathlib import Path
from unittest.mock import patch

import pytest
from django.conf import settings
from django.db import IntegrityError, OperationalError, connection
from django.db.backends.signals import connection_created
from django.test import Client
from django.urls import reverse

from leanmark.accounts import services as accounts
from leanmark.board.models import Board, Card, CardEvent, Column
from leanmark.cli import main
from leanmark.lib.outage import classify
from leanmark.testing.databases import url_of_test_database
from leanmark.testing.personas import build_world
from leanmark.testing.servers import TcpProxy, app_server, get

pytestmark = pytest.mark.django_db(transaction=True)
TRELLO = Path(__file__).parents[1] / "integrations" / "tests" / "fixtures" / "trello_board.json"


class SqliteAway:
    """The test database copied into a directory of its own, which cut() renames away."""

    def __init__(self, tmp_path):
        self.folder = tmp_path / "db"
        self.folder.mkdir()
        source = connection.settings_dict["NAME"]
        connection.close()
        with sqlite3.connect(source) as db:  # the committed rows, WAL included
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        shutil.copy(source, self.folder / "leanmark.sqlite3")
        self.url = f"sqlite:///{self.folder / 'leanmark.sqlite3'}"

    def cut(self):
        self.folder.rename(self.folder.with_name("db-away"))

    def resume(self):
        self.folder.with_name("db-away").rename(self.folder)


class PostgresAway:
    def __init__(self, tmp_path):
        db = connection.settings_dict
        self.proxy = TcpProxy((db["HOST"] or "127.0.0.1", int(db["PORT"] or 5432)))
        self.url = url_of_test_database().replace(f":{db['PORT'] or 5432}/", f":{self.proxy.port}/")

    def cut(self):
        self.proxy.cut()

    def resume(self):
        self.proxy.resume()


def test_the_database_going_away_answers_503_and_the_server_recovers(tmp_path):
    world = build_world()
    token = accounts.create_token(world.bob, "faults").secret
    browser = Client()
    browser.force_login(world.bob)
    cookie = {"Cookie": f"{settings.SESSION_COOKIE_NAME}={browser.cookies['sessionid'].value}"}
    api = {"Authorization": f"Bearer {token}"}
    database = SqliteAway(tmp_path) if connection.vendor == "sqlite" else PostgresAway(tmp_path)
    with app_server(database.url, tmp_path, pages=True) as url:
        board_api = f"{url}/api/v1/boards/{world.board.pk}"
        page = f"{url}/w/{world.acme.slug}/boards/{world.board.pk}/"
        assert get(board_api, api)[0] == 200
        assert get(page, cookie)[0] == 200

        database.cut()
        status, body, headers = get(board_api, api)
        assert (status, headers.get("Retry-After")) == (503, "5")
        assert json.loads(body)["error"] == {
            "code": "database_unavailable",
            "message": "The database cannot be reached. Nothing was saved; try again.",
            "fields": {},
        }
        status, html, headers = get(page, cookie)
        assert (status, headers.get("Retry-After")) == (503, "5")
        assert "<h1>Database unavailable</h1>" in html
        status, body, _ = get(f"{url}/readyz")
        assert status == 503 and "cannot be reached" in json.loads(body)["database"]

        database.resume()
        assert get(board_api, api)[0] == 200
        status, html, _ = get(page, cookie)
        assert status == 200 and world.board.name in html


def _trello_export(cards: int) -> bytes:
    """The hand-written Trello fixture with its first card copied ``cards`` times, each with a
    4 kB description: bigger than whatever free pages the test database has."""
    data = json.loads(TRELLO.read_text())
    first = data["cards"][0]
    data["cards"] = [
        {**first, "id": f"65{i:022x}", "name": f"card {i}", "desc": "x" * 4000, "pos": i}
        for i in range(cards)
    ]
    data["actions"] = []
    data["checklists"] = []
    return json.dumps(data).encode()


@pytest.fixture
def full_disk():
    """Every SQLite connection opened during the test may not grow the file: a real SQLITE_FULL
    ('database or disk is full') at the first page the import needs beyond the current size."""
    if connection.vendor != "sqlite":
        pytest.skip(
            "a full disk is produced with SQLite's max_page_count; PostgreSQL's disk_full "
            "(SQLSTATE 53100) goes through the same classify(), tested below"
        )

    def cap(sender, connection, **kwargs):
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA page_count")
            cursor.execute(f"PRAGMA max_page_count = {cursor.fetchone()[0]}")

    connection_created.connect(cap)
    connection.close()
    yield
    connection_created.disconnect(cap)
    connection.close()


def _counts():
    return [model.objects.count() for model in (Board, Column, Card, CardEvent)]


def test_a_full_disk_during_an_upload_answers_507_and_leaves_nothing(full_disk, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    world = build_world()
    before = _counts()
    browser = Client(raise_request_exception=False)
    browser.force_login(world.alice)
    upload = SimpleUploadedFile("board.json", _trello_export(300), "application/json")
    response = browser.post(reverse("trello_import", kwargs={"ws": "acme"}), {"file": upload})
    assert response.status_code == 507
    assert "<h1>Disk full</h1>" in response.content.decode()
    assert "Nothing was saved" in response.content.decode()
    assert _counts() == before


def test_a_full_disk_during_a_cli_import_says_so_and_leaves_nothing(full_disk, tmp_path, capsys):
    build_world()
    before = _counts()
    export = tmp_path / "board.json"
    export.write_bytes(_trello_export(300))
    argv = ["leanmark", "import", "trello", str(export), "--workspace", "acme"]
    with patch.object(sys, "argv", argv), pytest.raises(SystemExit) as exited:
        main()
    assert exited.value.code == 1
    assert "The server's disk is full. Nothing was saved" in capsys.readouterr().err
    assert _counts() == before


def test_postgresql_disk_full_and_deadlocks_are_told_apart_from_bugs():
    import psycopg

    def wrapped(cause, kind=OperationalError):
        error = kind(str(cause))
        error.__cause__ = cause
        return error

    assert classify(wrapped(psycopg.errors.DiskFull("could not extend file"))).status == 507
    assert classify(wrapped(psycopg.errors.DeadlockDetected("deadlock detected"))).code == (
        "database_busy"
    )
    assert classify(wrapped(ValueError("a bug"), kind=IntegrityError)) is None
    assert classify(ValueError("a bug")) is None


@pytest.mark.postgres_only
def test_a_request_past_the_worker_timeout_answers_json_503_under_api(tmp_path):
    """gunicorn stops a request that runs past --timeout and answered its own HTML 500; a script
    calling the API now gets the envelope, 503 `timeout` with Retry-After, and nothing written.

    PostgreSQL only: the request waits for a table lock in psycopg, where gunicorn's abort signal
    reaches Python. SQLite waits for its lock inside C, where no signal handler runs, so gunicorn
    kills that worker outright; test_server.py checks the answer the worker writes on both."""
    import urllib.request

    if connection.vendor != "postgresql":
        pytest.skip("a lock wait that a signal interrupts is PostgreSQL's (the PostgreSQL run)")
    world = build_world()
    token = accounts.create_token(world.bob, "faults").secret
    with app_server(url_of_test_database(), tmp_path, options=("--timeout", "3")) as url:
        holder = _hold_the_card_table()
        try:
            request = urllib.request.Request(  # noqa: S310 (127.0.0.1)
                f"{url}/api/v1/boards/{world.board.pk}/cards",
                data=json.dumps({"title": "waits for the lock"}).encode(),
                headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
                method="POST",
            )
            try:
                with urllib.request.urlopen(request, timeout=60) as answer:  # noqa: S310
                    status, body, headers = answer.status, answer.read(), dict(answer.headers)
            except urllib.error.HTTPError as error:
                status, body, headers = error.code, error.read(), dict(error.headers)
        finally:
            holder.rollback()
            holder.close()
        assert status == 503, body
        assert headers["Content-Type"] == "application/json"
        assert headers["Retry-After"] == "5"
        assert json.loads(body)["error"]["code"] == "timeout"
        assert _answers_again(f"{url}/healthz")  # a new worker took its place
    assert not Card.objects.filter(title="waits for the lock").exists()


def _answers_again(url: str) -> bool:
    """Whether the server answers 200 within 60 s: a replacement worker boots first, and one
    booting for longer than --timeout on a loaded machine is replaced again."""
    import time

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if get(url)[0] == 200:
            return True
        time.sleep(0.5)
    return False


def _hold_the_card_table():
    """A connection holding a lock that a card write waits for, until it is rolled back."""
    import psycopg

    db = connection.settings_dict
    holder = psycopg.connect(
        host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432, user=db["USER"],
        dbname=db["NAME"],
    )  # fmt: skip
    holder.execute("LOCK TABLE board_card IN ACCESS EXCLUSIVE MODE")
    return holder
