"""The gunicorn worker Leanmark runs with: gunicorn's own, but its error answers under /api/
are the API's JSON envelope, not gunicorn's HTML page.

gunicorn answers by itself, without Django, in two cases: a request it cannot parse (a header
too large, a bad chunk), and a request that ran past ``--timeout``, whose worker it kills (the
worker sees SystemExit mid-request). A script calling the API then got ``<html>Internal Server
Error</html>``. Here the timeout answers 503 ``timeout`` with Retry-After, the parse errors
keep their status with code ``bad_request``; paths outside /api/ keep gunicorn's answer.

Use it with ``gunicorn --worker-class leanmark.lib.server.Worker`` (``leanmark serve`` does).
"""

import json
from typing import Any

from gunicorn import util
from gunicorn.workers.sync import SyncWorker

API_PREFIX = "/api/"
RETRY_AFTER_SECONDS = 5
_REASONS = {400: "Bad Request", 414: "URI Too Long", 431: "Request Header Fields Too Large"}


def _status(exc: BaseException) -> tuple[int, str, str]:
    """Status, code and message for what stopped the request."""
    if isinstance(exc, SystemExit):  # gunicorn's arbiter aborts a worker past its timeout
        return (
            503,
            "timeout",
            "the request took too long and the server stopped it; a change it had not "
            "finished was rolled back. Ask for less (a shorter range, fewer items) or try again",
        )
    name = type(exc).__name__
    if name == "LimitRequestLine":
        return 414, "bad_request", "the request line is too long"
    if name == "LimitRequestHeaders":
        return 431, "bad_request", "the request headers are too large"
    if name.startswith("Invalid") or name in ("ChunkMissingTerminator", "ObsoleteFolding"):
        return 400, "bad_request", f"the request could not be read: {exc}"
    return 500, "server_error", "Something went wrong on the server; it was logged."


def error_bytes(status: int, code: str, message: str) -> bytes:
    body = json.dumps({"error": {"code": code, "message": message, "fields": {}}}).encode()
    reason = {503: "Service Unavailable", 500: "Internal Server Error"}.get(status) or _REASONS.get(
        status, "Error"
    )
    head = (
        f"HTTP/1.1 {status} {reason}\r\nConnection: close\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
    )
    if status == 503:
        head += f"Retry-After: {RETRY_AFTER_SECONDS}\r\n"
    return (head + "\r\n").encode("latin-1") + body


class Worker(SyncWorker):
    def handle_error(self, req: Any, client: Any, addr: Any, exc: BaseException) -> None:
        path = getattr(req, "path", None) or ""
        if not path.startswith(API_PREFIX):
            super().handle_error(req, client, addr, exc)
            return
        status, code, message = _status(exc)
        if status >= 500:
            self.log.exception("Error handling request %s %s", req.method, req.uri)
        else:
            self.log.warning("Invalid request to %s: %s", path, exc)
        try:
            util.write_nonblock(client, error_bytes(status, code, message))
        except Exception:
            self.log.debug("Failed to send error message.")
        finally:
            util.close_graceful(client)
