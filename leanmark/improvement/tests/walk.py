"""This app's entries in the permission walk (leanmark/tests/test_permissions.py)."""

from leanmark.improvement.models import Phase
from leanmark.improvement.testing import cycle
from leanmark.testing.walk import (
    API_CREATE,
    API_READ,
    API_WRITE,
    READ,
    WRITE,
    ApiCase,
    Case,
    ws,
)


def number(w, phase=Phase.PLAN):
    return {**ws(w), "number": cycle(w.acme, actor=w.bob, phase=phase).number}


def ident(w, phase=Phase.PLAN):
    return {"improvement_id": cycle(w.acme, actor=w.bob, phase=phase).pk}


PAGES: list[Case] = [
    Case("improvement", "get", READ, ws),
    Case("improvement-new", "get", READ, ws),
    Case("improvement-new", "post", WRITE, ws, lambda w: {"title": "Walked"}),
    Case("improvement-detail", "get", READ, number),
    Case("improvement-a3", "get", READ, number),
    Case("improvement-edit", "post", WRITE, number, lambda w: {"title": "Edited"}),
    Case("improvement-phase", "post", WRITE, number, lambda w: {"to": "do"}),
    Case(
        "improvement-decide",
        "post",
        WRITE,
        number,
        lambda w: {"outcome": "abandon", "reason": "walk"},
    ),
    Case("improvement-follow-up", "post", WRITE, lambda w: number(w, Phase.CLOSED)),
    Case("improvement-task", "post", WRITE, number, lambda w: {"title": "Walk task"}),
]
API: list[ApiCase] = [
    ApiCase("get", "/api/v1/workspaces/{slug}/improvements", API_READ),
    ApiCase(
        "post", "/api/v1/workspaces/{slug}/improvements", API_CREATE, lambda w: {"title": "Walk"}
    ),
    ApiCase("get", "/api/v1/workspaces/{slug}/improvement-metrics", API_READ),
    ApiCase("get", "/api/v1/workspaces/{slug}/improvement-report", API_READ),
    ApiCase("get", "/api/v1/improvements/{improvement_id}", API_READ, params=ident),
    ApiCase(
        "patch",
        "/api/v1/improvements/{improvement_id}",
        API_WRITE,
        lambda w: {"title": "Patched"},
        params=ident,
    ),
    ApiCase(
        "delete", "/api/v1/improvements/{improvement_id}", (401, 404, 403, 204, 204), params=ident
    ),
    ApiCase(
        "post",
        "/api/v1/improvements/{improvement_id}/phase",
        API_WRITE,
        lambda w: {"to": "do"},
        params=ident,
    ),
    ApiCase(
        "post",
        "/api/v1/improvements/{improvement_id}/decision",
        API_WRITE,
        lambda w: {"outcome": "abandon", "reason": "walk"},
        params=ident,
    ),
    ApiCase(
        "post",
        "/api/v1/improvements/{improvement_id}/next",
        API_CREATE,
        params=lambda w: ident(w, Phase.CLOSED),
    ),
    ApiCase(
        "post",
        "/api/v1/improvements/{improvement_id}/tasks",
        API_CREATE,
        lambda w: {"title": "Walk task"},
        params=ident,
    ),
    ApiCase("get", "/api/v1/improvements/{improvement_id}/check", API_READ, params=ident),
]
