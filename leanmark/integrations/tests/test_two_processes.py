"""Scale-out: two app processes (gunicorn) on one database. A card moved through one is seen
through the other, by its API and by the live poll of an open board, with no shared memory."""

import json
import re
import urllib.request
from contextlib import ExitStack
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from leanmark.accounts import services as accounts
from leanmark.board import services
from leanmark.testing.databases import url_of_test_database
from leanmark.testing.personas import build_world
from leanmark.testing.servers import app_server, get

pytestmark = pytest.mark.django_db(transaction=True)


def _get(url: str, headers: dict[str, str] | None = None) -> tuple[int, str]:
    status, body, _headers = get(url, headers)
    return status, body


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
    with ExitStack() as stack:
        yield [
            stack.enter_context(app_server(url_of_test_database(), tmp_path / name))
            for name in ("first", "second")
        ]


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
