"""Real app servers (gunicorn) for tests that need another process: scale-out, faults, load."""

import contextlib
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str, headers: dict[str, str] | None = None) -> tuple[int, str, dict[str, str]]:
    """Status, body and headers of a GET; an HTTP error status is an answer, not an exception."""
    request = urllib.request.Request(url, headers=headers or {})  # noqa: S310 (127.0.0.1)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (127.0.0.1)
            return response.status, response.read().decode(), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(), dict(error.headers)


@contextmanager
def app_server(
    database_url: str,
    data_dir: Path,
    workers: int = 1,
    *,
    pages: bool = False,
    options: tuple[str, ...] = (),
    port: int | None = None,
) -> Iterator[str]:
    """gunicorn serving the app on a free port of 127.0.0.1 until the block ends; its base URL.
    Its log goes to ``data_dir/server.log`` (a pipe nobody reads would block it when full).
    ``pages``: collect the static files first, as `leanmark serve` does, so HTML pages render.
    ``options``: more gunicorn options (``("--timeout", "2")``); ``port``: this one, not any."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "LEANMARK_DATA_DIR": str(data_dir),
        "ALLOWED_HOSTS": "127.0.0.1",
    }
    if pages:
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
            env=env,
            check=True,
            cwd=Path(__file__).resolve().parents[2],
        )
    data_dir.mkdir(parents=True, exist_ok=True)
    port = port or free_port()
    log = data_dir / "server.log"
    process = subprocess.Popen(  # noqa: S603 (our own app, fixed arguments)
        [
            *(sys.executable, "-m", "gunicorn", "leanmark.wsgi:application"),
            *("--worker-class", "leanmark.lib.server.Worker"),  # as `leanmark serve` runs it
            *("--bind", f"127.0.0.1:{port}", "--workers", str(workers), *options),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log.open("w"),
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180  # a loaded CI machine starts slowly
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"the app server stopped: {log.read_text()[-2000:]}")
            try:
                if get(f"{url}/readyz")[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"{url} never became ready: {log.read_text()[-2000:]}")
            time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=15)


class TcpProxy:
    """A TCP relay on 127.0.0.1 to ``upstream``: ``cut()`` drops every live connection and refuses
    new ones (the database went away), ``resume()`` accepts again on the same port."""

    def __init__(self, upstream: tuple[str, int]) -> None:
        self.upstream = upstream
        self.port = free_port()
        self.live: list[socket.socket] = []
        self.listener: socket.socket | None = None
        self.resume()

    def resume(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(16)
        self.listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def cut(self) -> None:
        if self.listener is not None:
            with contextlib.suppress(OSError):  # wakes the accept() blocked in its thread
                self.listener.shutdown(socket.SHUT_RDWR)
            self.listener.close()
            self.listener = None
        for sock in self.live:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()
        self.live.clear()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # cut
            try:
                server = socket.create_connection(self.upstream, timeout=5)
            except OSError:
                client.close()
                continue
            server.settimeout(None)
            self.live += [client, server]
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, target: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                target.sendall(data)
        with contextlib.suppress(OSError):
            target.shutdown(socket.SHUT_WR)
