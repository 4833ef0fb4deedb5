"""What the user sees when the database, not the code, is the problem (issue 12, faults).

Django turns every uncaught exception into a call of ``handler500`` while the exception is still
being handled, so ``server_error`` can look at it and tell three database faults from a bug:

- the database cannot be reached (connection refused or dropped, file not openable): **503** with
  ``Retry-After``; Django drops the broken connection at the end of the request and, with
  ``CONN_HEALTH_CHECKS``, checks a kept one before reusing it, so the first request after the
  database returns succeeds without restarting anything;
- the database is busy (deadlock, serialisation failure, SQLite's write lock timed out): **503**
  with ``Retry-After``, the write rolled back;
- the disk is full: **507**, the write rolled back, nothing half-saved.

Anything else stays a 500. The pages are built here, not from templates that would query the
database (navigation, workspaces) while it is away; API paths get the API's error envelope.
"""

import sys
from dataclasses import dataclass
from html import escape

from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.templatetags.static import static

RETRY_AFTER_SECONDS = 5


@dataclass(frozen=True)
class Outage:
    status: int
    code: str
    message: str


UNREACHABLE = Outage(
    503, "database_unavailable", "The database cannot be reached. Nothing was saved; try again."
)
BUSY = Outage(503, "database_busy", "The database is busy. Nothing was saved; try again.")
DISK_FULL = Outage(
    507,
    "disk_full",
    "The server's disk is full. Nothing was saved; ask whoever runs Leanmark to free space.",
)

_BUSY_SQLSTATES = {"40001", "40P01", "55P03"}  # serialisation failure, deadlock, lock not available
_SQLITE = {
    "database or disk is full": DISK_FULL,
    "database is locked": BUSY,
    "unable to open database file": UNREACHABLE,
    "disk i/o error": UNREACHABLE,
}


def classify(error: BaseException | None) -> Outage | None:
    """The database fault behind ``error``, or None when it is not one (a bug: keep the 500)."""
    if not isinstance(error, DatabaseError):
        return None
    cause = error.__cause__ or error
    sqlstate = getattr(getattr(cause, "diag", None), "sqlstate", None) or getattr(
        cause, "sqlstate", None
    )
    if sqlstate == "53100":  # PostgreSQL disk_full
        return DISK_FULL
    if sqlstate in _BUSY_SQLSTATES:
        return BUSY
    text = str(error).lower()
    for fragment, outage in _SQLITE.items():
        if fragment in text:
            return outage
    if isinstance(error, OperationalError | InterfaceError) and connection.vendor != "sqlite":
        return None if connection.is_usable() else UNREACHABLE
    return None


TITLES = {
    "database_unavailable": "Database unavailable",
    "database_busy": "Database busy",
    "disk_full": "Disk full",
    "server_error": "Server error",
}


def _stylesheet() -> str:
    try:
        return f'<link rel="stylesheet" href="{escape(static("leanmark/app.css"))}">'
    except ValueError:  # static files not collected: the message matters more than the style
        return ""


def _page(outage: Outage) -> str:
    title = TITLES[outage.code]
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{title} · Leanmark</title>{_stylesheet()}</head>"
        f'<body><main class="page outage"><h1>{title}</h1><p>{escape(outage.message)}</p>'
        f"<p>(HTTP {outage.status})</p></main></body></html>"
    )


def server_error(request: HttpRequest) -> HttpResponse:
    """``handler500``: a database fault answers 503/507 with a plain message, anything else 500."""
    outage = classify(sys.exc_info()[1])
    if outage is None:
        outage = Outage(500, "server_error", "Something went wrong on the server; it was logged.")
    if request.path.startswith("/api/"):
        body = {"error": {"code": outage.code, "message": outage.message, "fields": {}}}
        response: HttpResponse = JsonResponse(body, status=outage.status)
    else:
        response = HttpResponse(_page(outage), status=outage.status)
    if outage.status == 503:
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
