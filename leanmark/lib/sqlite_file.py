"""A kept SQLite connection follows its file (settings keep SQLite connections for 600 s).

An open SQLite connection holds the file it opened, not its path: after the file was renamed,
deleted or replaced (a restore copied over it, a volume went away), a kept connection would go
on reading the old rows and write into a file nobody will open again — the writes lost without
an error. So at the start of every request each kept SQLite connection compares the file now at
its path (device and inode, one ``stat``) with the one it opened, and is closed when they
differ: the request then opens the path afresh, and a missing file answers 503
(``lib/outage.py``) as it did when every request opened its own connection.
"""

import os
from typing import Any

from django.db import connections

_OPENED = "_leanmark_sqlite_file"


def _identity(path: object) -> tuple[int, int] | None:
    try:
        status = os.stat(str(path))
    except OSError:
        return None
    return status.st_dev, status.st_ino


def remember_file(sender: Any, connection: Any, **kwargs: Any) -> None:
    """``connection_created``: note which file a new SQLite connection opened."""
    if connection.vendor == "sqlite":
        setattr(connection, _OPENED, _identity(connection.settings_dict["NAME"]))


def close_if_file_changed(**kwargs: Any) -> None:
    """``request_started``: close each kept SQLite connection whose path now names another
    file, or none."""
    for connection in connections.all(initialized_only=True):
        if connection.vendor != "sqlite" or connection.connection is None:
            continue
        if _identity(connection.settings_dict["NAME"]) != getattr(connection, _OPENED, None):
            connection.close()
