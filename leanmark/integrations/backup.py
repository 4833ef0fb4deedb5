"""Backup and restore of the whole database, with a manifest and a checksum.

A backup is a zip holding ``manifest.json`` and one data file: a consistent copy of the SQLite
database made with SQLite's online backup API (safe while the app runs), or a PostgreSQL
custom-format dump from ``pg_dump`` (a consistent snapshot too). The manifest names the engine,
the applied migrations, the data file's size and SHA-256. ``restore`` checks all of it before it
touches anything, and only restores into an empty database (no users, no workspaces), so a
backup can never overwrite live work.
"""

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
import zipfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.db import connection, connections
from django.db.migrations.recorder import MigrationRecorder

FORMAT = "leanmark-backup"
VERSION = 1
Progress = Callable[[int, int], None]


class BackupError(Exception):
    pass


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _pg_env(db: dict[str, Any]) -> tuple[list[str], dict[str, str]]:
    args = ["--host", str(db.get("HOST") or "127.0.0.1"), "--port", str(db.get("PORT") or 5432)]
    if db.get("USER"):
        args += ["--username", str(db["USER"])]
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return args, env


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            f"{name} is not installed; PostgreSQL backups need it (Debian: postgresql-client)"
        )
    return path


def _migrations() -> list[str]:
    recorder = MigrationRecorder(connection)
    return sorted(f"{app}.{name}" for app, name in recorder.applied_migrations())


def backup(target: Path, *, progress: Progress | None = None) -> dict[str, Any]:
    """Write the backup zip to ``target`` (through a temporary name, so never half a file)."""
    db = connection.settings_dict
    steps = 3
    with tempfile.TemporaryDirectory() as scratch:
        if connection.vendor == "sqlite":
            data = Path(scratch) / "database.sqlite3"
            source = sqlite3.connect(str(db["NAME"]))
            copy = sqlite3.connect(str(data))
            try:
                with copy:
                    source.backup(copy, pages=1024)
            finally:
                copy.close()
                source.close()
        elif connection.vendor == "postgresql":
            data = Path(scratch) / "database.pgdump"
            args, env = _pg_env(db)
            result = subprocess.run(  # noqa: S603 (fixed program, our settings)
                [
                    _tool("pg_dump"),
                    "--format=custom",
                    "--no-owner",
                    "--no-privileges",
                    *args,
                    "--file",
                    str(data),
                    str(db["NAME"]),
                ],
                env=env,
                capture_output=True,
                text=True,
                check=False,
            )
            if result.returncode != 0:
                raise BackupError(f"pg_dump failed: {result.stderr.strip()[:300]}")
        else:
            raise BackupError(f"backups of {connection.vendor} databases are not supported")
        if progress:
            progress(1, steps)
        manifest = {
            "format": FORMAT,
            "version": VERSION,
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "engine": connection.vendor,
            "file": data.name,
            "size": data.stat().st_size,
            "sha256": _sha256(data),
            "migrations": _migrations(),
        }
        if progress:
            progress(2, steps)
        partial = target.with_name(target.name + ".partial")
        with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("manifest.json", json.dumps(manifest, indent=1))
            archive.write(data, data.name)
        partial.replace(target)
        if progress:
            progress(3, steps)
    return manifest


def read_manifest(source: Path) -> dict[str, Any]:
    if not source.is_file():
        raise BackupError(f"{source} is not a file")
    try:
        with zipfile.ZipFile(source) as archive:
            manifest = json.loads(archive.read("manifest.json"))
    except (zipfile.BadZipFile, KeyError, ValueError, EOFError) as error:
        raise BackupError(
            f"{source} is not a Leanmark backup (or it is truncated): {error}"
        ) from None
    if manifest.get("format") != FORMAT or manifest.get("version") != VERSION:
        raise BackupError(f"{source} is not a Leanmark backup of format {FORMAT} v{VERSION}")
    return manifest


def _is_empty() -> bool:
    """No users and no workspaces: a fresh database, migrated or not."""
    tables = set(connection.introspection.table_names())
    for table in ("accounts_user", "accounts_workspace"):
        if table in tables:
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT 1 FROM {connection.ops.quote_name(table)} LIMIT 1")  # noqa: S608 (fixed names)
                if cursor.fetchone():
                    return False
    return True


def restore(source: Path, *, progress: Progress | None = None) -> dict[str, Any]:
    manifest = read_manifest(source)
    if manifest["engine"] != connection.vendor:
        raise BackupError(
            f"this backup is of a {manifest['engine']} database; the configured database is "
            f"{connection.vendor}. Set DATABASE_URL to an empty {manifest['engine']} database."
        )
    if not _is_empty():
        raise BackupError(
            "the database is not empty (it has users or workspaces); restore only into an "
            "empty database, so nothing live is overwritten"
        )
    steps = 3
    with tempfile.TemporaryDirectory() as scratch:
        try:
            with zipfile.ZipFile(source) as archive:
                data = Path(archive.extract(manifest["file"], scratch))
        except (zipfile.BadZipFile, KeyError, OSError, EOFError) as error:
            raise BackupError(f"{source} is damaged: {error}") from None
        if data.stat().st_size != manifest["size"] or _sha256(data) != manifest["sha256"]:
            raise BackupError(
                f"{source} is corrupted: its data does not match the manifest's checksum; "
                "nothing was restored"
            )
        if progress:
            progress(1, steps)
        db = connection.settings_dict
        if connection.vendor == "sqlite":
            target = Path(db["NAME"])
            connections.close_all()
            for suffix in ("-wal", "-shm"):
                Path(str(target) + suffix).unlink(missing_ok=True)
            shutil.copyfile(data, target)
        else:
            args, env = _pg_env(db)
            result = subprocess.run(  # noqa: S603 (fixed program, our settings)
                [
                    _tool("pg_restore"),
                    "--clean",
                    "--if-exists",
                    "--no-owner",
                    "--no-privileges",
                    "--single-transaction",
                    *args,
                    "--dbname",
                    str(db["NAME"]),
                    str(data),
                ],
                env=env,
                capture_output=True,
                text=True,
                check=False,
            )
            if result.returncode != 0:
                raise BackupError(f"pg_restore failed: {result.stderr.strip()[:300]}")
        if progress:
            progress(2, steps)
    connections.close_all()
    applied = _migrations()
    if applied != manifest["migrations"]:
        raise BackupError("the restored database's migrations differ from the manifest's")
    if progress:
        progress(3, steps)
    return manifest
