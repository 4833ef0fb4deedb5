"""Scale-out: two app processes (gunicorn) on one database. A card moved through one is seen
through the other, by its API and by the live poll of an open board, with no shared memory."""

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from leanmark.accounts import services as accounts
from leanmark.board import services
from leanmark.testing.databases import url_of_test_database
from leanmark.testing.personas import build_world

pytestmark = pytest.mark.django_db(transaction=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str, headers: dict[str, str] | None = None) -> tuple[int, str]:
    request = urllib.request.Request(url, headers=headers or {})  # noqa: S310 (127.0.0.1)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (127.0.0.1)
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def _post_json(url: str, body: dict, token: str) -> tuple[int, dict]:
    request = urllib.request.Request(  # noqa: S310 (127.0.0.1)
        url,
        data=json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (127.0.0.1)
        return response.status, json.loads(response.read())


@pytest.fixture
def two_servers(tmp_path: Path):
    env = {
        **os.environ,
        "DATABASE_URL": url_of_test_database(),
        "LEANMARK_DATA_DIR": str(tmp_path),
        "ALLOWED_HOSTS": "127.0.0.1",
    }
    ports = [_free_port(), _free_port()]
    processes = [
        subprocess.Popen(  # noqa: S603 (our own app, fixed arguments)
            [
                sys.executable,
                "-m",
                "gunicorn",
                "leanmark.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "1",
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for port in ports
    ]
    urls = [f"http://127.0.0.1:{port}" for port in ports]
    try:
        for url, process in zip(urls, processes, strict=True):
            deadline = time.monotonic() + 180  # a loaded CI machine starts slowly
            while True:
                if process.poll() is not None:
                    pytest.fail(f"the app server stopped: {process.stderr.read()[-2000:]}")
                try:
                    if _get(f"{url}/readyz")[0] == 200:
                        break
                except OSError:
                    pass
                assert time.monotonic() < deadline, f"{url} never became ready"
                time.sleep(0.2)
        yield urls
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=15)


def test_a_move_through_one_process_is_seen_live_through_the_other(two_servers):
    first, second = two_servers
    world = build_world()
    card = services.create_card(
        world.board, title="Spring newsletter", column=world.column("Ready"), actor=world.bob
    )
    token = accounts.create_token(world.bob, "scale-out test").secret
    browser = Client()
    browser.force_login(world.carol)  # a viewer with the board open, served by the second
    name = settings.SESSION_COOKIE_NAME
    cookie = {"Cookie": f"{name}={browser.cookies[name].value}"}
    poll = f"{second}/w/{world.acme.slug}/boards/{world.board.pk}/changes"
    status, html = _get(f"{poll}?v=0", {**cookie, "HX-Request": "true"})
    assert status == 200
    seen = int(re.search(r"[?&]v=(\d+)", html).group(1))
    assert _get(f"{poll}?v={seen}", cookie)[0] == 204  # idle: nothing changed

    status, moved = _post_json(
        f"{first}/api/v1/cards/{card.pk}/move", {"column_id": world.column("Writing").pk}, token
    )
    assert (status, moved["column_id"]) == (200, world.column("Writing").pk)

    status, html = _get(f"{poll}?v={seen}", {**cookie, "HX-Request": "true"})
    assert status == 200
    writing = re.search(
        rf'data-column="{world.column("Writing").pk}" data-lane="standard"[^>]*>(.*?)</div>',
        html,
        re.S,
    )
    assert writing and "Spring newsletter" in writing.group(1)
    status, body = _get(f"{second}/api/v1/cards/{card.pk}", {"Authorization": f"Bearer {token}"})
    assert json.loads(body)["column_id"] == world.column("Writing").pk
