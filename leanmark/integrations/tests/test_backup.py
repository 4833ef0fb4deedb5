"""Backup and restore: a round trip gives back the same workspace, bad files are refused."""

import json
import os
import subprocess
import sys
import uuid
import zipfile
from pathlib import Path

import pytest
from django.db import connection
from typer.testing import CliRunner

from leanmark.board import services as board
from leanmark.cli import app
from leanmark.integrations import backup as backups
from leanmark.integrations import exports
from leanmark.testing.databases import url_of_test_database
from leanmark.testing.personas import build_world

pytestmark = pytest.mark.django_db(transaction=True)
LEANMARK = [sys.executable, "-m", "leanmark.cli"]


def _run(args, env):
    result = subprocess.run(  # noqa: S603 (our own CLI)
        [*LEANMARK, *args], env=env, capture_output=True, text=True, timeout=300, check=False
    )
    return result


@pytest.fixture
def empty_database(tmp_path):
    """An empty database of the same engine, and the environment that points the CLI at it."""
    env = {**os.environ, "LEANMARK_DATA_DIR": str(tmp_path / "data")}
    if connection.vendor == "sqlite":
        env["DATABASE_URL"] = url_of_test_database(str(tmp_path / "restored.sqlite3"))
        yield env
        return
    name = f"lm_restore_{uuid.uuid4().hex[:8]}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    env["DATABASE_URL"] = url_of_test_database(name)
    try:
        yield env
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _without_time(doc):
    doc = json.loads(json.dumps(doc, cls=exports.Encoder, sort_keys=True))
    doc.pop("exported_at")
    return doc


def test_backup_then_restore_into_an_empty_database_gives_back_the_same_export(
    tmp_path, empty_database
):
    world = build_world()
    card = board.create_card(
        world.board, title="Spring newsletter", column=world.column("Ready"), actor=world.bob
    )
    board.move_card(card, to_column=world.column("Writing"), actor=world.bob)
    board.block_card(card, reason="legal", actor=world.bob)
    before = _without_time(exports.document(world.acme))
    target = tmp_path / "leanmark.backup"
    manifest = backups.backup(target)
    assert manifest["engine"] == connection.vendor
    assert zipfile.ZipFile(target).namelist() == ["manifest.json", manifest["file"]]

    restored = _run(["restore", str(target)], empty_database)
    assert restored.returncode == 0, restored.stdout + restored.stderr
    exported = _run(
        ["export", "workspace", "--workspace", "acme", "-o", str(tmp_path / "after.json")],
        empty_database,
    )
    assert exported.returncode == 0, exported.stdout + exported.stderr
    after = _without_time(json.loads((tmp_path / "after.json").read_text()))
    before["entities"].pop("accounts.auditentry")  # the export itself is audited afterwards
    after["entities"].pop("accounts.auditentry")
    assert after == before


def test_restore_into_a_database_with_work_in_it_is_refused(tmp_path):
    build_world()
    target = tmp_path / "b.zip"
    backups.backup(target)
    with pytest.raises(backups.BackupError, match="the database is not empty"):
        backups.restore(target)


def test_a_corrupted_backup_is_refused_by_its_checksum(tmp_path, empty_database):
    build_world()
    good = tmp_path / "good.zip"
    manifest = backups.backup(good)
    bad = tmp_path / "bad.zip"
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(bad, "w") as copy:
        copy.writestr("manifest.json", source.read("manifest.json"))
        data = bytearray(source.read(manifest["file"]))
        data[len(data) // 2] ^= 0xFF
        copy.writestr(manifest["file"], bytes(data))
    result = _run(["restore", str(bad)], empty_database)
    assert result.returncode == 1
    assert "is corrupted: its data does not match the manifest's checksum" in result.stderr


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"not a zip at all", "is not a Leanmark backup (or it is truncated)"),
        (None, "is not a Leanmark backup of format"),
    ],
)
def test_a_file_that_is_not_a_backup_is_refused_with_the_reason(tmp_path, content, message):
    path = tmp_path / "x.zip"
    if content is None:
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("manifest.json", json.dumps({"format": "other"}))
    else:
        path.write_bytes(content)
    result = CliRunner().invoke(app, ["restore", str(path)])
    assert result.exit_code == 1
    assert message in result.output


def test_a_truncated_backup_is_refused(tmp_path):
    build_world()
    good = tmp_path / "good.zip"
    backups.backup(good)
    cut = tmp_path / "cut.zip"
    cut.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    with pytest.raises(backups.BackupError, match="not a Leanmark backup"):
        backups.read_manifest(cut)


def test_the_cli_never_overwrites_a_backup(tmp_path):
    existing = tmp_path / "b.zip"
    existing.write_text("keep me")
    result = CliRunner().invoke(app, ["backup", str(existing)])
    assert result.exit_code == 1
    assert "exists; choose a new file name" in result.output
    assert Path(existing).read_text() == "keep me"
