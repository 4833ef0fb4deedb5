"""The permission walk: every URL pattern and every API operation, for every persona.

The accounts and board entries are here; every other app lists its own in
``leanmark/<app>/tests/walk.py`` (``PAGES`` and ``API``, see ``leanmark/testing/walk.py``).
Adding a page or an endpoint without an entry fails `test_every_route_has_an_entry`.
Statuses are (anonymous, outsider, viewer, member, owner).
"""

import json
from importlib import import_module

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from leanmark.accounts import services as accounts
from leanmark.accounts.models import Membership
from leanmark.board import services as board_services
from leanmark.testing.personas import World
from leanmark.testing.walk import (
    API_CREATE,
    API_OWNER_CREATE,
    API_READ,
    API_WRITE,
    CARD_BODY,
    LOGIN,
    OWNER_WRITE,
    PERSONAS,
    READ,
    WRITE,
    ApiCase,
    Case,
    api_card,
    board,
    card,
    walk_card,
    ws,
)

APPS = (
    "backlog",
    "flow",
    "experiments",
    "standups",
    "valuestream",
    "improvement",
    "dashboard",
    "roi",
    "integrations",
    "channeldata",
)

CORE_PAGES = [
    Case("home", "get", (302, 302, 302, 302, 302)),
    Case("setup", "get", (404, 404, 404, 404, 404)),  # sign-up is by invitation once a user exists
    Case("login", "get", (200, 200, 200, 200, 200)),
    Case("logout", "post", (302, 302, 302, 302, 302)),
    Case("workspaces", "get", (LOGIN, 200, 200, 200, 200)),
    Case("invitation", "get", (404, 404, 404, 404, 404), lambda w: {"token": "not-a-real-token"}),
    Case("tokens", "get", (LOGIN, 200, 200, 200, 200)),
    Case(
        "token_revoke",
        "post",
        (LOGIN, 404, 404, 404, 302),
        lambda w: {"token_id": accounts.create_token(w.alice, "walk").token.pk},
    ),
    Case("members", "get", READ, ws),
    Case("invitation_create", "post", OWNER_WRITE, ws, lambda w: {"role": "member"}),
    Case(
        "invitation_revoke",
        "post",
        OWNER_WRITE,
        lambda w: {
            **ws(w),
            "invitation_id": accounts.invite(
                workspace=w.acme, role="viewer", actor=w.alice
            ).invitation.pk,
        },
    ),
    Case(
        "member_update",
        "post",
        OWNER_WRITE,
        lambda w: {**ws(w), "membership_id": Membership.objects.get(user=w.bob).pk},
        lambda w: {"role": "viewer"},
    ),
    Case("audit", "get", (LOGIN, 404, 403, 403, 200), ws),
    Case("workspace", "get", (LOGIN, 404, 302, 302, 302), ws),
    Case("board_create", "post", OWNER_WRITE, ws, lambda w: {"name": "Second"}),
    Case("board", "get", READ, board),
    Case("board_changes", "get", READ, board),
    Case("board_settings", "get", READ, board),
    Case(
        "column_add",
        "post",
        OWNER_WRITE,
        board,
        lambda w: {"name": "QA", "kind": "queue", "policy": "soft"},
    ),
    Case(
        "column_action",
        "post",
        OWNER_WRITE,
        lambda w: {**board(w), "column_id": w.column("Live").pk, "action": "save"},
        lambda w: {"name": "Live", "kind": "active", "policy": "soft", "wip_limit": "5"},
    ),
    Case("card_editing", "post", (LOGIN, 404, 403, 204, 204), card),
    Case("card_create", "post", WRITE, board, lambda w: {"title": "From the walk"}),
    Case(
        "card_move",
        "post",
        WRITE,  # without HTMX (the card page form) it redirects back to the card
        lambda w: {**board(w), "number": walk_card(w).number},
        lambda w: {"column": w.column("Writing").pk},
    ),
    Case("card", "get", READ, card),
    Case(
        "card_edit",
        "post",
        WRITE,
        card,
        lambda w: {"title": "Edited", "version": walk_card(w).version},
    ),
    Case(
        "card_action",
        "post",
        WRITE,
        lambda w: {**card(w), "action": "block"},
        lambda w: {"reason": "walk"},
    ),
]

CORE_API = [
    ApiCase("get", "/api/v1/workspaces", (401, 200, 200, 200, 200)),
    ApiCase("get", "/api/v1/workspaces/{slug}/members", API_READ),
    ApiCase("get", "/api/v1/workspaces/{slug}/boards", API_READ),
    ApiCase(
        "post",
        "/api/v1/workspaces/{slug}/boards",
        API_OWNER_CREATE,
        lambda w: {"name": "API board"},
    ),
    ApiCase("get", "/api/v1/boards/{board_id}", API_READ),
    ApiCase(
        "post", "/api/v1/boards/{board_id}/columns", API_OWNER_CREATE, lambda w: {"name": "QA"}
    ),
    ApiCase(
        "patch",
        "/api/v1/boards/{board_id}/columns/{column_id}",
        (401, 404, 403, 403, 200),
        lambda w: {"wip_limit": 4},
    ),
    ApiCase("get", "/api/v1/boards/{board_id}/cards", API_READ),
    ApiCase("post", "/api/v1/boards/{board_id}/cards", API_CREATE, lambda w: CARD_BODY),
    ApiCase("get", "/api/v1/boards/{board_id}/events", API_READ),
    ApiCase("get", "/api/v1/cards/{card_id}", API_READ),
    ApiCase(
        "patch", "/api/v1/cards/{card_id}", API_WRITE, lambda w: {"version": 1, "title": "Patched"}
    ),
    ApiCase(
        "post",
        "/api/v1/cards/{card_id}/move",
        API_WRITE,
        lambda w: {"column_id": w.column("Writing").pk},
    ),
    ApiCase("post", "/api/v1/cards/{card_id}/block", API_WRITE, lambda w: {"reason": "walk"}),
    ApiCase(
        "post",
        "/api/v1/cards/{card_id}/unblock",
        API_WRITE,
        setup=lambda w: board_services.block_card(walk_card(w), reason="walk", actor=w.bob),
    ),
    ApiCase("post", "/api/v1/cards/{card_id}/archive", API_WRITE),
    ApiCase("get", "/api/v1/cards/{card_id}/events", API_READ),
]


PAGES = CORE_PAGES + [c for app in APPS for c in import_module(f"leanmark.{app}.tests.walk").PAGES]
API = CORE_API + [c for app in APPS for c in import_module(f"leanmark.{app}.tests.walk").API]


def _user(w: World, persona: str):
    return {
        "anonymous": None,
        "outsider": w.mallory,
        "viewer": w.carol,
        "member": w.bob,
        "owner": w.alice,
    }[persona]


def _routes(resolver: URLResolver, prefix: str = "") -> list[tuple[str, str | None]]:
    found: list[tuple[str, str | None]] = []
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            found += _routes(pattern, route)
        elif isinstance(pattern, URLPattern):
            found.append((route, pattern.name))
    return found


def test_every_route_has_an_entry(client_for, db):
    page_names = {
        name for route, name in _routes(get_resolver()) if not route.startswith("api/v1/")
    }
    assert page_names == {c.name for c in PAGES}, (
        "add the new page to PAGES with its expected statuses"
    )
    schema = client_for(None).get("/api/v1/openapi.json").json()
    operations = {
        (m, "/api/v1" + p.removeprefix("/api/v1"))
        for p, ops in schema["paths"].items()
        for m in ops
    }
    assert operations == {(c.method, c.path) for c in API}, "add the new API operation to API"


@pytest.mark.parametrize("case", PAGES, ids=lambda c: c.name)
@pytest.mark.parametrize("persona", PERSONAS)
def test_page_permissions(world, client_for, case, persona):
    from django.urls import reverse

    url = reverse(case.name, kwargs=case.kwargs(world))
    response = getattr(client_for(_user(world, persona)), case.method)(url, case.data(world))
    expected = case.expected[PERSONAS.index(persona)]
    assert response.status_code == expected, f"{case.method.upper()} {url} as {persona}"
    if persona == "anonymous" and expected == LOGIN:
        assert response["Location"].startswith("/login/")


@pytest.mark.parametrize("case", API, ids=lambda c: f"{c.method} {c.path}")
@pytest.mark.parametrize("persona", PERSONAS)
def test_api_permissions(world, client_for, token_for, case, persona):
    user = _user(world, persona)
    case.setup(world)
    params = {
        "slug": world.acme.slug,
        "board_id": world.board.pk,
        "column_id": world.column("Live").pk,
        "card_id": api_card(world),
        **case.params(world),
    }
    path = case.path.format(**params) + (f"?{case.query}" if case.query else "")
    headers = {"Authorization": f"Bearer {token_for(user)}"} if user else {}
    body = case.body(world)
    kwargs = (
        {"content_type": "application/json", "data": json.dumps(body)} if body is not None else {}
    )
    response = getattr(client_for(None), case.method)(path, headers=headers, **kwargs)
    expected = case.expected[PERSONAS.index(persona)]
    assert response.status_code == expected, (
        f"{case.method.upper()} {path} as {persona}: {response.content[:300]}"
    )
    if expected >= 400:
        assert set(response.json()["error"]) >= {"code", "message", "fields"}
