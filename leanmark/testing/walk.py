"""The permission walk's vocabulary: a page ``Case`` and an ``ApiCase``, the usual status rows
and URL-argument helpers. Each app lists its entries in ``leanmark/<app>/tests/walk.py``
(``PAGES`` and ``API``); ``leanmark/tests/test_permissions.py`` walks them all for the five
personas, and fails when a route or API operation has no entry.

Statuses are (anonymous, outsider, viewer, member, owner).
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from leanmark.board import services as board_services
from leanmark.testing.personas import World

PERSONAS = ("anonymous", "outsider", "viewer", "member", "owner")
LOGIN = 302  # anonymous browsers are sent to the login page


@dataclass(frozen=True)
class Case:
    """A page: the URL name, the method, the five statuses, URL kwargs and form data."""

    name: str
    method: str
    expected: tuple[int, int, int, int, int]
    kwargs: Callable[[World], dict[str, Any]] = lambda w: {}
    data: Callable[[World], dict[str, Any]] = field(default=lambda w: {})


def ws(w: World) -> dict[str, Any]:
    return {"ws": w.acme.slug}


def board(w: World) -> dict[str, Any]:
    return {**ws(w), "board_id": w.board.pk}


def card(w: World) -> dict[str, Any]:
    return {**ws(w), "number": walk_card(w).number}


def walk_card(w: World) -> Any:
    existing = w.board.cards.first()
    return existing or board_services.create_card(
        w.board, title="Walked", column=w.column("Ready"), actor=w.bob
    )


READ = (LOGIN, 404, 200, 200, 200)
WRITE = (LOGIN, 404, 403, 302, 302)
OWNER_WRITE = (LOGIN, 404, 403, 403, 302)

CARD_BODY = {"title": "API walk"}
API_READ = (401, 404, 200, 200, 200)
API_WRITE = (401, 404, 403, 200, 200)
API_CREATE = (401, 404, 403, 201, 201)
API_OWNER_CREATE = (401, 404, 403, 403, 201)


@dataclass(frozen=True)
class ApiCase:
    """An API operation. ``path`` is the OpenAPI path; its ``{placeholders}`` are filled from
    ``slug``, ``board_id``, ``column_id`` and ``card_id`` and from what ``params`` returns (an
    app's own ids, e.g. ``{"idea_id": ...}``). ``setup`` runs first, ``body`` is sent as JSON,
    ``query`` (the operation's required query parameters) is added to the URL."""

    method: str
    path: str
    expected: tuple[int, int, int, int, int]
    body: Callable[[World], dict[str, Any] | None] = lambda w: None
    setup: Callable[[World], Any] = lambda w: None
    params: Callable[[World], dict[str, Any]] = lambda w: {}
    query: str = ""


def api_card(w: World) -> int:
    return walk_card(w).pk
