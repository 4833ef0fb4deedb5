"""The gunicorn worker's own answers under /api/ are the JSON envelope (leanmark/lib/server.py).

gunicorn answers without Django when it cannot parse a request or when it stops one that ran
past --timeout; these feed its error handler what gunicorn feeds it and read the bytes sent."""

import json
import logging
import socket
from types import SimpleNamespace
from unittest.mock import patch

from gunicorn.http.errors import InvalidHeader, LimitRequestHeaders, LimitRequestLine

from leanmark.lib.server import Worker


def _worker() -> Worker:
    """A worker as far as its error handler needs one (no sockets, no arbiter)."""
    worker = Worker.__new__(Worker)
    worker.log = logging.getLogger("test.gunicorn")
    return worker


def _answer(path: str, exc: BaseException) -> tuple[str, dict[str, str], bytes]:
    server, client = socket.socketpair()
    worker = _worker()
    request = SimpleNamespace(path=path, method="GET", uri=path)
    worker.handle_error(request, server, ("127.0.0.1", 1), exc)
    raw = client.recv(65536)
    client.close()
    head, _, body = raw.partition(b"\r\n\r\n")
    status, *lines = head.decode("latin-1").split("\r\n")
    return status, dict(line.split(": ", 1) for line in lines), body


def test_a_request_stopped_at_the_timeout_answers_503_timeout_with_retry_after():
    status, headers, body = _answer("/api/v1/boards/1/forecast/when", SystemExit(1))
    assert status == "HTTP/1.1 503 Service Unavailable"
    assert headers["Content-Type"] == "application/json"
    assert headers["Retry-After"] == "5"
    assert int(headers["Content-Length"]) == len(body)
    error = json.loads(body)["error"]
    assert error["code"] == "timeout"
    assert "took too long" in error["message"] and error["fields"] == {}


def test_requests_gunicorn_cannot_read_keep_their_status_as_json():
    assert _answer("/api/v1/x", LimitRequestLine(9000, 4094))[0] == "HTTP/1.1 414 URI Too Long"
    status, _, body = _answer("/api/v1/x", LimitRequestHeaders("too many headers"))
    assert status == "HTTP/1.1 431 Request Header Fields Too Large"
    assert json.loads(body)["error"]["code"] == "bad_request"
    status, _, body = _answer("/api/v1/x", InvalidHeader("X-Bad"))
    assert status == "HTTP/1.1 400 Bad Request"
    assert "could not be read" in json.loads(body)["error"]["message"]


def test_an_unexpected_error_answers_500_server_error():
    status, _, body = _answer("/api/v1/x", RuntimeError("boom"))
    assert status == "HTTP/1.1 500 Internal Server Error"
    assert json.loads(body)["error"]["code"] == "server_error"
    assert b"boom" not in body  # the log has it, the client does not


def test_pages_outside_the_api_keep_gunicorn_s_own_answer():
    with patch("gunicorn.workers.sync.SyncWorker.handle_error") as gunicorns:
        _, client = socket.socketpair()
        worker = _worker()
        request = SimpleNamespace(path="/board/1/", method="GET", uri="/board/1/")
        worker.handle_error(request, client, None, SystemExit(1))
    assert gunicorns.call_count == 1
