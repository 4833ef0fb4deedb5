"""A local stand-in for Google's and Meta's APIs: answers recorded responses (fixtures/
connectors/*.json, in the documented shapes of GA4's RunReportResponse, Google's token
endpoint and Meta's Insights edge) over real HTTP on 127.0.0.1, and keeps every request it got.

The test says what to answer with ``replies``: (method, path) → a list of (status, fixture),
answered in order (the last one repeats). A Meta page's ``paging.next`` names Meta's host, as
recorded; the server rewrites it to its own address, as a replaying proxy does. The token
endpoint checks the JWT's RS256 signature with the test key's public half.
"""

import base64
import json
import threading
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

RECORDED = Path(__file__).parent / "fixtures" / "connectors"
META_HOST = "https://graph.facebook.com"


@dataclass
class Seen:
    method: str
    path: str
    query: dict[str, list[str]]
    body: bytes
    headers: dict[str, str]


@dataclass
class Fake:
    base: str
    replies: dict[tuple[str, str], list[tuple[int, str]]] = field(default_factory=dict)
    seen: list[Seen] = field(default_factory=list)
    public_key: rsa.RSAPublicKey | None = None

    def answer(self, method: str, path: str) -> tuple[int, bytes]:
        queued = self.replies.get((method, path))
        if not queued:
            return 404, json.dumps({"error": {"code": 404, "status": "NOT_FOUND"}}).encode()
        status, name = queued.pop(0) if len(queued) > 1 else queued[0]
        body = (RECORDED / name).read_text().replace(META_HOST, self.base)
        return status, body.encode()

    def jwt_valid(self, form: bytes) -> bool:
        assertion = urllib.parse.parse_qs(form.decode()).get("assertion", [""])[0]
        try:
            head, claims, signature = assertion.split(".")
            signed = base64.urlsafe_b64decode(signature + "=" * (-len(signature) % 4))
            assert self.public_key is not None
            self.public_key.verify(
                signed, f"{head}.{claims}".encode(), padding.PKCS1v15(), hashes.SHA256()
            )
        except (ValueError, InvalidSignature, AssertionError):
            return False
        return True


def serve(port: int) -> tuple[Fake, ThreadingHTTPServer]:
    fake = Fake(base=f"http://127.0.0.1:{port}")

    class Handler(BaseHTTPRequestHandler):
        def _handle(self, method: str) -> None:
            parts = urllib.parse.urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            fake.seen.append(
                Seen(
                    method, parts.path, urllib.parse.parse_qs(parts.query), body, dict(self.headers)
                )
            )
            status, answer = fake.answer(method, parts.path)
            if parts.path == "/token" and status == 200 and not fake.jwt_valid(body):
                status, answer = 400, (RECORDED / "google_token_invalid_grant.json").read_bytes()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=UTF-8")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def do_GET(self) -> None:
            self._handle("GET")

        def do_POST(self) -> None:
            self._handle("POST")

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return fake, server
