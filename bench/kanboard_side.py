"""Leanmark and Kanboard side by side (issue 24): the same card writes, full HTTP round trips,
N cards on one board, and the Leanmark/Kanboard ratio of the p50s.

`make bench` runs it; `python bench/kanboard_side.py [--rounds 2]` alone works too. It needs
`php` (with pdo_sqlite) on the PATH and a Kanboard source tree in KANBOARD_DIR (the directory
holding jsonrpc.php); without them it prints one line saying which is missing and exits 0.

Kanboard runs under PHP's built-in server (`php -S`, one process, as gunicorn runs one Leanmark
worker here) on LEANMARK_BENCH_KANBOARD_PORT or a free port, with its SQLite database in a temp
directory: DATA_DIR is defined by an auto-prepended file, so the Kanboard tree is not written to.
Its JSON-RPC API is called as the application user (`jsonrpc` and the install's API token, no
password hashing per call). For each size it creates a project, puts N tasks over the four
default columns (Backlog 25 %, Ready 8 %, Work in progress 12 %, Done 55 %, as Leanmark's bench
board holds 55 % in Done), and times, with a new TCP connection per request:

- move to position 1: ``moveTaskPosition`` of one task between "Work in progress" and "Done",
  position 1 each time (Leanmark: ``POST /cards/{id}/move`` with ``before_id`` the first card);
- create: ``createTask`` into "Work in progress" (Leanmark: ``POST /boards/{id}/cards`` into Live).

Leanmark's figures come from bench/board_write.py (its SQLite run, same machine, run just
before). ``--rounds`` alternates the two that many times; the table gives the p50 of each round
and the ratio of their medians.
"""

import argparse
import base64
import http.client
import json
import os
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SIZES = (500, 2000)
RUNS = int(os.environ.get("LEANMARK_BENCH_RUNS", "100"))
WARMUPS = 6
SHARES = (("Backlog", 25), ("Ready", 8), ("Work in progress", 12), ("Done", 55))


def missing() -> str | None:
    if shutil.which("php") is None:
        return "php is not installed (`which php` finds nothing)"
    tree = os.environ.get("KANBOARD_DIR")
    if not tree:
        return "KANBOARD_DIR is not set (a Kanboard source tree, the directory with jsonrpc.php)"
    if not (Path(tree) / "jsonrpc.php").exists():
        return f"KANBOARD_DIR={tree} holds no jsonrpc.php"
    return None


class Kanboard:
    def __init__(self, tree: Path, data: Path, port: int) -> None:
        self.port = port
        prepend = data / "prepend.php"
        prepend.write_text(f"<?php define('DATA_DIR', {json.dumps(str(data))});\n")
        command = ["php", "-d", f"auto_prepend_file={prepend}", "-S", f"127.0.0.1:{port}"]
        self.server = subprocess.Popen(
            [*command, "-t", str(tree)],
            cwd=tree,
            stdout=subprocess.DEVNULL,
            stderr=(data / "php.log").open("w"),
            start_new_session=True,
        )
        self.auth = ""
        deadline = time.monotonic() + 60
        while True:  # the first request runs Kanboard's migrations and makes the API token
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                connection.request("GET", "/")
                connection.getresponse().read()
                break
            except OSError:
                if time.monotonic() > deadline or self.server.poll() is not None:
                    raise RuntimeError("Kanboard did not start; see php.log") from None
                time.sleep(0.3)
        with sqlite3.connect(data / "db.sqlite") as db:
            token = db.execute("SELECT value FROM settings WHERE option = 'api_token'").fetchone()
        secret = base64.b64encode(f"jsonrpc:{token[0]}".encode()).decode()
        self.auth = f"Basic {secret}"
        self.calls = 0

    def call(self, method: str, **params: object) -> object:
        self.calls += 1
        body = json.dumps({"jsonrpc": "2.0", "method": method, "id": self.calls, "params": params})
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request(
                "POST",
                "/jsonrpc.php",
                body=body,
                headers={"Authorization": self.auth, "Content-Type": "application/json"},
            )
            answer = json.loads(connection.getresponse().read())
        finally:
            connection.close()
        if "error" in answer or answer.get("result") is False:
            raise RuntimeError(f"Kanboard {method}{params} answered {answer}")
        return answer["result"]

    def stop(self) -> None:
        self.server.terminate()
        try:
            self.server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.server.kill()


def p50(fn, runs: int = RUNS) -> float:
    for i in range(WARMUPS):
        fn(i)
    ms = []
    for i in range(runs):
        started = time.perf_counter()
        fn(WARMUPS + i)
        ms.append((time.perf_counter() - started) * 1000)
    return statistics.median(ms)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def kanboard_round(tree: Path) -> dict[int, dict[str, float]]:
    port = int(os.environ.get("LEANMARK_BENCH_KANBOARD_PORT") or free_port())
    figures: dict[int, dict[str, float]] = {}
    with tempfile.TemporaryDirectory(prefix="leanmark-kanboard-") as data:
        kanboard = Kanboard(tree, Path(data), port)
        try:
            for n in SIZES:
                project = kanboard.call("createProject", name=f"Bench {n}")
                columns = {
                    c["title"]: int(c["id"])
                    for c in kanboard.call("getColumns", project_id=project)
                }
                swimlane = int(kanboard.call("getActiveSwimlanes", project_id=project)[0]["id"])
                for title, share in SHARES:
                    for i in range(n * share // 100):
                        kanboard.call(
                            "createTask",
                            title=f"{title} {i}",
                            project_id=project,
                            column_id=columns[title],
                        )
                wip, done = columns["Work in progress"], columns["Done"]
                mover = kanboard.call(
                    "createTask", title="mover", project_id=project, column_id=wip
                )

                def move(
                    i: int, project=project, mover=mover, wip=wip, done=done, lane=swimlane
                ) -> None:
                    kanboard.call(
                        "moveTaskPosition",
                        project_id=project,
                        task_id=mover,
                        column_id=done if i % 2 == 0 else wip,
                        position=1,
                        swimlane_id=lane,
                    )

                def create(i: int, project=project, wip=wip) -> None:
                    kanboard.call(
                        "createTask", title=f"bench {i}", project_id=project, column_id=wip
                    )

                figures[n] = {"move": p50(move), "create": p50(create)}
        finally:
            kanboard.stop()
    return figures


def leanmark_round() -> dict[int, dict[str, float]]:
    sys.path.insert(0, str(ROOT / "bench"))
    import board_write

    with tempfile.NamedTemporaryFile(suffix=".json") as results:
        os.environ["LEANMARK_BENCH_RESULTS"] = results.name
        try:
            if not board_write.run("SQLite", None):
                raise RuntimeError("bench/board_write.py failed")
        finally:
            del os.environ["LEANMARK_BENCH_RESULTS"]
        raw = json.loads(Path(results.name).read_text())
    return {int(n): {k: v[0] for k, v in ops.items()} for n, ops in raw.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()
    reason = missing()
    if reason:
        print(f"\nKanboard side by side skipped: {reason}.")
        return 0
    tree = Path(os.environ["KANBOARD_DIR"]).resolve()
    ours: list[dict[int, dict[str, float]]] = []
    theirs: list[dict[int, dict[str, float]]] = []
    for _ in range(args.rounds):
        ours.append(leanmark_round())
        print("\n== Kanboard (php -S, SQLite) ==", flush=True)
        theirs.append(kanboard_round(tree))
    print(f"\n== Leanmark / Kanboard, p50 of full HTTP round trips ({args.rounds} round(s)) ==")
    print(f"  {'operation':28}  {'Leanmark ms':>14}  {'Kanboard ms':>14}  {'ratio':>6}")
    for op, label in (("move", "move to position 1"), ("create", "create card")):
        for n in SIZES:
            a = [r[n][op] for r in ours]
            b = [r[n][op] for r in theirs]
            ratio = statistics.median(a) / statistics.median(b)
            left = " / ".join(f"{x:.1f}" for x in a)
            right = " / ".join(f"{x:.1f}" for x in b)
            print(f"  {f'{label}, N={n:,}':28}  {left:>14}  {right:>14}  {ratio:5.2f}×")
    return 0


if __name__ == "__main__":
    sys.exit(main())
