"""`leanmark serve`, the README's run command, as a user meets it: started twice, and stopped.

Both tests start real processes on 127.0.0.1 (SQLite in a temp dir, no demo)."""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from leanmark.testing.servers import free_port, get

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux processes")


def _env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update({"LEANMARK_DATA_DIR": str(tmp_path), "SECRET_KEY": "serve-test"})
    subprocess.run(
        [sys.executable, "-m", "leanmark.cli", "migrate"], env=env, check=True, capture_output=True
    )
    return env


def _workers_of(parent: int) -> list[int]:
    """The `leanmark worker` processes whose parent is ``parent``."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes().split(b"\0")
            status = (proc / "status").read_text()
        except OSError:
            continue
        ppid = int(
            next(line for line in status.splitlines() if line.startswith("PPid:")).split()[1]
        )
        if b"leanmark.cli" in cmdline and b"worker" in cmdline and ppid == parent:
            found.append(int(proc.name))
    return found


def test_a_taken_port_is_refused_at_once_with_the_reason_and_starts_nothing(tmp_path):
    env = _env(tmp_path)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        started = time.monotonic()
        done = subprocess.run(  # noqa: S603
            [sys.executable, "-m", "leanmark.cli", "serve", "--port", str(port)],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert done.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}: Address already in use" in done.stderr
    assert "--port" in done.stderr
    assert "running at" not in done.stdout
    assert time.monotonic() - started < 30  # not gunicorn's five retries and a worker left behind


def test_killing_the_server_stops_its_background_worker(tmp_path):
    env = _env(tmp_path)
    port = free_port()
    server = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "leanmark.cli", "serve", "--port", str(port), "--workers", "1"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=ROOT,
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if get(f"http://127.0.0.1:{port}/readyz")[0] == 200 and _workers_of(server.pid):
                    break
            except OSError:
                pass
            assert server.poll() is None, "the server stopped while starting"
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.3)
        (worker,) = _workers_of(server.pid)
        server.send_signal(signal.SIGTERM)  # as `kill`, docker stop or a process manager does
        server.wait(timeout=30)
        deadline = time.monotonic() + 20
        while Path(f"/proc/{worker}").exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not Path(f"/proc/{worker}").exists(), "the worker outlived its server"
    finally:
        if server.poll() is None:
            server.kill()


def test_serve_warns_when_a_proxy_it_does_not_count_may_be_in_front():
    from leanmark.cli import proxy_warning

    assert proxy_warning("127.0.0.1", 0, https=False) == ""  # the README's laptop run
    assert "LEANMARK_PROXY_COUNT is 0" in proxy_warning("192.0.2.10", 0, https=False)
    assert "LEANMARK_PROXY_COUNT is 0" in proxy_warning("127.0.0.1", 0, https=True)
    assert proxy_warning("192.0.2.10", 1, https=True) == ""
