"""Inputs an audit found uncapped or answering 500: each test here failed before its fix.

Tags and assignees.
"""

import json

import pytest
from django.test import Client

from leanmark.backlog.models import Idea
from leanmark.board import services as board
from leanmark.board.models import Card
from leanmark.lib.errors import InvalidInput

pytestmark = pytest.mark.django_db


def api(token: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}", raise_request_exception=False)


def send(client: Client, method: str, path: str, body: dict) -> tuple[int, dict]:
    response = getattr(client, method)(
        f"/api/v1{path}", json.dumps(body), content_type="application/json"
    )
    return response.status_code, response.json()


def refused(answer: dict, field: str, words: str) -> bool:
    error = answer["error"]
    return (
        error["code"] in ("invalid", "validation_error")
        and field in error["fields"]
        and words in error["message"]
    )


# ---- 1. tags: at most 20, refused as soon as there are more --------------------------------------


class Unreadable:
    def __str__(self) -> str:
        raise AssertionError("the tags were read past the cap")


def test_it_refuses_tags_as_soon_as_there_are_more_than_the_cap():
    tags = [f"t{i}" for i in range(board.MAX_TAGS + 1)] + [Unreadable()] * 100_000
    with pytest.raises(InvalidInput, match="at most 20 tags"):
        board.clean_tags(tags)


def test_the_api_refuses_more_than_20_tags_on_cards_and_ideas(world, token_for):
    client = api(token_for(world.bob))
    card = board.create_card(world.board, title="Tagged", actor=world.bob)
    idea = send(client, "post", "/ideas", {"title": "An idea", "workspace": "acme"})[1]
    tags = ["seo"] * 21  # one tag once cleaned: the service alone took it
    cases = [
        (
            "post",
            f"/boards/{world.board.pk}/cards",
            {"title": "x", "tags": tags},
            "at most 20 tags",
        ),
        ("patch", f"/cards/{card.pk}", {"version": card.version, "tags": tags}, "at most 20 tags"),
        ("post", "/ideas", {"title": "y", "workspace": "acme", "tags": tags}, "at most 20 items"),
        ("patch", f"/ideas/{idea['id']}", {"tags": tags}, "at most 20 items"),
    ]
    for method, path, body, words in cases:
        status, answer = send(client, method, path, body)
        assert status == 422, (path, answer)
        assert refused(answer, "tags", words), answer
    assert Card.objects.filter(board=world.board).count() == 1
    assert Idea.objects.filter(workspace=world.acme).count() == 1


# ---- 2. assignees: at most 50 ------------------------------------------------------------------


def test_it_refuses_more_than_50_assignees_in_the_service_and_the_api(world, token_for):
    with pytest.raises(InvalidInput, match="at most 50 assignees, not 51"):
        board.assignees_in(world.acme, [world.bob] * 51)
    status, answer = send(
        api(token_for(world.bob)),
        "post",
        f"/boards/{world.board.pk}/cards",
        {"title": "Crowded", "assignees": [world.bob.pk] * 51},
    )
    assert status == 422
    assert refused(answer, "assignees", "at most 50 assignees, not 51")
    assert not Card.objects.filter(board=world.board).exists()
