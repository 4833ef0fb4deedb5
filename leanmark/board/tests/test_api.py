import json
from pathlib import Path

import pytest

from leanmark.board import services
from leanmark.board.models import Card, CardEvent
from leanmark.board.tests.test_api_write_queries import table_of

OPENAPI_FILE = Path(__file__).resolve().parents[3] / "docs" / "openapi.json"


@pytest.fixture
def api(world, client_for, token_for):
    """Call the API as a persona with a bearer token: api("bob", "post", path, body)."""
    tokens = {
        name: token_for(getattr(world, name)) for name in ("alice", "bob", "carol", "mallory")
    }

    def call(who, method, path, body=None, raw=None):
        client = client_for(None)
        headers = {"Authorization": f"Bearer {tokens[who]}"} if who else {}
        data = raw if raw is not None else (json.dumps(body) if body is not None else None)
        kwargs = {"content_type": "application/json"} if data is not None else {}
        response = getattr(client, method)(f"/api/v1{path}", data, headers=headers, **kwargs)
        return response.status_code, (response.json() if response.content else None)

    return call


def card(world, title="Post", column="Ready"):
    return services.create_card(
        world.board, title=title, column=world.column(column), actor=world.bob
    )


def test_it_creates_and_reads_a_card_with_a_token(world, api):
    status, body = api(
        "bob",
        "post",
        f"/boards/{world.board.pk}/cards",
        {"title": "Spring newsletter", "stage": "repeat", "tags": ["Email", "spring"]},
    )
    assert status == 201
    assert (body["number"], body["column"], body["stage"], body["tags"], body["version"]) == (
        1,
        "Ready",
        "repeat",
        ["email", "spring"],
        1,
    )
    status, body = api("carol", "get", f"/cards/{body['id']}")
    assert (status, body["title"]) == (200, "Spring newsletter")


def test_the_error_envelope_names_the_field(world, api):
    status, body = api("bob", "post", f"/boards/{world.board.pk}/cards", {"title": "x" * 201})
    assert status == 422
    assert body == {
        "error": {
            "code": "invalid",
            "message": "the title has 201 characters; at most 200 are allowed",
            "fields": {"title": "the title has 201 characters; at most 200 are allowed"},
        }
    }


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"title": "ok", "colour": "red"}, "colour"),
        ({"title": 5}, "title"),
        ({"title": "ok", "lane": "fast"}, "lane"),
        ({}, "title"),
    ],
)
def test_it_rejects_unknown_fields_and_wrong_types(world, api, payload, field):
    status, body = api("bob", "post", f"/boards/{world.board.pk}/cards", payload)
    assert status == 422
    assert body["error"]["code"] == "validation_error"
    assert field in body["error"]["fields"]
    assert Card.objects.count() == 0


def test_malformed_json_is_a_clear_400(world, api):
    status, body = api("bob", "post", f"/boards/{world.board.pk}/cards", raw="{title: nope")
    assert status == 400
    assert body["error"]["code"] == "bad_request"
    assert "Cannot parse request body" in body["error"]["message"]


def test_a_move_into_a_full_hard_column_answers_409_and_changes_nothing(world, api):
    cards = [card(world, f"c{i}") for i in range(4)]
    for c in cards[:3]:
        assert (
            api("bob", "post", f"/cards/{c.pk}/move", {"column_id": world.column("Writing").pk})[0]
            == 200
        )
    status, body = api(
        "bob", "post", f"/cards/{cards[3].pk}/move", {"column_id": world.column("Writing").pk}
    )
    assert status == 409
    assert body["error"]["code"] == "wip_limit_exceeded"
    assert "Writing is at its WIP limit (3/3, hard)" in body["error"]["message"]
    assert Card.objects.get(pk=cards[3].pk).column.name == "Ready"


def test_a_soft_limit_needs_a_reason(world, api):
    cards = [card(world, f"c{i}") for i in range(3)]
    review = world.column("Review").pk
    for c in cards[:2]:
        api("bob", "post", f"/cards/{c.pk}/move", {"column_id": review})
    status, body = api("bob", "post", f"/cards/{cards[2].pk}/move", {"column_id": review})
    assert (status, body["error"]["code"]) == (409, "wip_override_reason_required")
    status, body = api(
        "bob", "post", f"/cards/{cards[2].pk}/move", {"column_id": review, "reason": "launch"}
    )
    assert (status, body["column"]) == (200, "Review")


def test_a_stale_patch_answers_409_with_the_current_card(world, api):
    c = card(world, "Original")
    assert api("bob", "patch", f"/cards/{c.pk}", {"version": 1, "title": "Bob's"})[0] == 200
    status, body = api("alice", "patch", f"/cards/{c.pk}", {"version": 1, "title": "Alice's"})
    assert status == 409
    assert body["error"]["code"] == "stale_version"
    assert body["error"]["current"]["title"] == "Bob's"
    assert body["error"]["current"]["version"] == 2
    assert Card.objects.get(pk=c.pk).title == "Bob's"


def test_a_move_to_another_workspace_column_is_404(world, api):
    c = card(world)
    foreign = world.evil_board.columns.first().pk
    status, body = api("bob", "post", f"/cards/{c.pk}/move", {"column_id": foreign})
    assert (status, body["error"]["code"]) == (404, "not_found")
    assert CardEvent.objects.filter(kind="moved").count() == 0


def test_a_move_to_a_column_of_another_board_in_the_workspace_is_404_and_moves_nothing(world, api):
    from leanmark.board.services import create_board

    c = card(world)
    other = create_board(world.acme, "Other").columns.first()
    status, body = api("bob", "post", f"/cards/{c.pk}/move", {"column_id": other.pk})
    assert (status, body["error"]["code"]) == (404, "not_found")
    assert body["error"]["message"] == "no such column on this card's board"
    assert Card.objects.get(pk=c.pk).column == world.column("Ready")


def test_an_api_move_reads_the_card_and_column_once_each_while_locking_them(world, api):
    """The round trips of a move are its latency on PostgreSQL (docs/product.md §13: 15 ms)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    c = card(world)
    writing = world.column("Writing").pk
    api("bob", "get", f"/cards/{c.pk}")  # the token's last-used stamp is written once a minute
    with CaptureQueriesContext(connection) as ctx:
        status, _ = api("bob", "post", f"/cards/{c.pk}/move", {"column_id": writing})
    assert status == 200
    sql = [q["sql"] for q in ctx.captured_queries if "SAVEPOINT" not in q["sql"]]
    tables = [table_of(q) for q in sql]
    assert '"board_column"' not in sql[1], "one card by its key needs no join to sort by column"
    assert tables == [
        "accounts_apitoken",  # who
        "board_card",  # the card's workspace, and their role in it
        "board_column",  # the target, locked, checked to be on the card's board
        "board_card",  # the card, locked, with its assignees (ids and names, one JSON text)
        "board_card",  # the column's WIP count (Writing has a limit)
        "board_card",  # the end of the cell
        "board_card",  # the update
        "board_cardevent",  # the event
        "board_board",  # the board's change counter (live pages)
    ]  # no webhook lookup: the card's workspace (read with it) has no active webhook


def test_block_unblock_archive_and_events(world, api):
    c = card(world)
    assert (
        api("bob", "post", f"/cards/{c.pk}/block", {"reason": "legal review"})[1]["blocked_reason"]
        == "legal review"
    )
    status, body = api(
        "bob", "post", f"/cards/{c.pk}/move", {"column_id": world.column("Writing").pk}
    )
    assert (status, body["error"]["code"]) == (409, "card_blocked")
    assert api("bob", "post", f"/cards/{c.pk}/unblock")[1]["blocked"] is False
    assert api("bob", "post", f"/cards/{c.pk}/archive")[1]["archived_at"] is not None
    status, events = api("carol", "get", f"/cards/{c.pk}/events")
    assert [e["kind"] for e in events] == ["created", "blocked", "unblocked", "archived"]


def test_card_list_filters_and_pages_by_cursor(world, api):
    for i in range(5):
        card(world, f"c{i}")
    _, first = api("carol", "get", f"/boards/{world.board.pk}/cards?limit=2")
    assert [c["title"] for c in first["items"]] == ["c0", "c1"]
    _, second = api(
        "carol", "get", f"/boards/{world.board.pk}/cards?limit=2&cursor={first['next_cursor']}"
    )
    assert [c["title"] for c in second["items"]] == ["c2", "c3"]
    _, last = api(
        "carol", "get", f"/boards/{world.board.pk}/cards?limit=2&cursor={second['next_cursor']}"
    )
    assert ([c["title"] for c in last["items"]], last["next_cursor"]) == (["c4"], None)


def test_the_viewer_cannot_write_and_the_outsider_cannot_see(world, api):
    c = card(world)
    status, body = api(
        "carol", "post", f"/cards/{c.pk}/move", {"column_id": world.column("Writing").pk}
    )
    assert (status, body["error"]["code"]) == (403, "forbidden")
    assert api("mallory", "get", f"/cards/{c.pk}")[0] == 404
    assert api("mallory", "get", f"/boards/{world.board.pk}")[0] == 404
    assert api(None, "get", f"/cards/{c.pk}")[0] == 401


def test_a_revoked_token_no_longer_works(world, client_for):
    from leanmark.accounts import services as accounts

    new = accounts.create_token(world.bob, "script")
    headers = {"Authorization": f"Bearer {new.secret}"}
    assert client_for(None).get("/api/v1/workspaces", headers=headers).status_code == 200
    accounts.revoke_token(new.token)
    assert client_for(None).get("/api/v1/workspaces", headers=headers).status_code == 401


def test_the_committed_openapi_document_is_current(client_for, db):
    current = client_for(None).get("/api/v1/openapi.json").json()
    if not OPENAPI_FILE.exists() or json.loads(OPENAPI_FILE.read_text()) != current:
        pytest.fail(
            "docs/openapi.json differs from the API. If the change is intended, regenerate it with "
            "`.venv/bin/python -m leanmark.testing.openapi > docs/openapi.json`; review the diff."
        )


def test_the_api_docs_load_nothing_from_the_internet(client_for, db):
    html = client_for(None).get("/api/v1/docs").content.decode()
    assert "/static/ninja/swagger-ui-bundle" in html
    assert "cdn." not in html and "https://" not in html.split("<body")[0]
