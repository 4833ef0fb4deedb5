import json
from datetime import timedelta

from django.utils import timezone

from leanmark.accounts import services as accounts
from leanmark.board import services as board_services
from leanmark.standups import queries, services


def call(client_for, token, method, path, body=None):
    kwargs = {"content_type": "application/json", "data": json.dumps(body)} if body else {}
    headers = {"Authorization": f"Bearer {token}"}
    return getattr(client_for(None), method)(f"/api/v1{path}", headers=headers, **kwargs)


def test_it_checks_in_through_the_api_once_a_day(world, client_for, token_for):
    token = token_for(world.bob)
    card = board_services.create_card(world.board, title="Brew guide", actor=world.bob)
    body = {"today": f"edit #{card.number}", "yesterday": "draft"}
    first = call(client_for, token, "post", "/standups", body)  # bob's only workspace
    assert first.status_code == 201
    assert first.json()["mentions"] == [card.number]
    again = call(client_for, token, "post", "/standups", {**body, "workspace": "acme"})
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "already_checked_in"
    patched = call(client_for, token, "patch", f"/standups/{first.json()['id']}", {"blockers": "x"})
    assert (patched.status_code, patched.json()["blockers"], patched.json()["today"]) == (
        200,
        "x",
        f"edit #{card.number}",
    )


def test_the_api_refuses_bad_check_ins_with_clear_messages(world, client_for, token_for):
    token = token_for(world.bob)
    accounts.create_workspace(name="Second", owner=world.bob)
    cases = [
        ({"today": "x"}, 422, "you belong to several workspaces"),
        ({"workspace": "acme"}, 422, "the check-in is empty"),
        ({"workspace": "acme", "today": "x", "member": world.alice.pk}, 403, "not for Alice Owner"),
        ({"workspace": "acme", "today": "x", "day": "2999-01-01"}, 422, "is in the future"),
        ({"workspace": "acme", "today": "x", "day": "2000-01-01"}, 409, "is over"),
        ({"workspace": "acme", "today": "see #9999"}, 422, "no card #9999 in this workspace"),
        ({"workspace": "acme", "today": "x", "mood": "good"}, 422, "unknown field"),
    ]
    for body, status, message in cases:
        response = call(client_for, token, "post", "/standups", body)
        assert response.status_code == status, body
        assert message in response.json()["error"]["message"], body


def test_an_entry_is_read_only_after_its_day(world, client_for, token_for):
    entry = services.check_in(
        world.acme,
        member=world.bob,
        actor=world.bob,
        today="x",
        now=timezone.now() - timedelta(days=1),
    )
    response = call(
        client_for, token_for(world.bob), "patch", f"/standups/{entry.pk}", {"today": "y"}
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "entry_closed"


def test_impediments_through_the_api(world, client_for, token_for):
    token = token_for(world.bob)
    card = board_services.create_card(world.board, title="Launch", actor=world.bob)
    raised = call(
        client_for,
        token,
        "post",
        "/workspaces/acme/impediments",
        {"what": "Legal", "owner_id": world.alice.pk, "card_id": card.pk, "block_card": True},
    )
    assert raised.status_code == 201
    assert (raised.json()["card_number"], raised.json()["owner"]) == (card.number, "Alice Owner")
    listed = call(client_for, token, "get", "/workspaces/acme/impediments").json()
    assert [i["what"] for i in listed] == ["Legal"]
    resolved = call(
        client_for,
        token,
        "post",
        f"/impediments/{raised.json()['id']}/resolve",
        {"how": "called", "unblock_card": True},
    )
    assert resolved.status_code == 200 and resolved.json()["resolution"] == "called"
    assert call(client_for, token, "get", "/workspaces/acme/impediments").json() == []
    assert len(call(client_for, token, "get", "/workspaces/acme/impediments?state=all").json()) == 1
    foreign = board_services.create_card(world.evil_board, title="x", actor=world.mallory)
    refused = call(
        client_for,
        token,
        "post",
        "/workspaces/acme/impediments",
        {"what": "x", "owner_id": world.bob.pk, "card_id": foreign.pk},
    )
    assert refused.status_code == 422
    assert refused.json()["error"]["fields"] == {
        "card_id": "there is no such card in this workspace"
    }


def test_the_agenda_through_the_api(world, client_for, token_for):
    board_services.create_card(
        world.board, title="Launch", column=world.column("Writing"), actor=world.bob
    )
    data = call(
        client_for, token_for(world.carol), "get", "/workspaces/acme/standups/agenda"
    ).json()
    assert data["board_id"] == world.board.pk
    assert data["missing"] == ["Alice Owner", "Bob Member"]
    writing = next(s for s in data["sections"] if s["column"] == "Writing")
    assert writing["items"][0]["title"] == "Launch"
    assert queries.open_impediments(world.acme) == []
