"""This app's entries in the permission walk (leanmark/tests/test_permissions.py)."""

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from leanmark.backlog import services
from leanmark.backlog.models import Idea
from leanmark.testing.personas import World
from leanmark.testing.walk import (
    API_CREATE,
    API_READ,
    API_WRITE,
    OWNER_WRITE,
    READ,
    WRITE,
    ApiCase,
    Case,
    ws,
)


def walk_idea(w: World) -> Idea:
    """An accepted, scored idea of Acme (the same one for every call in a test)."""
    existing = Idea.objects.filter(workspace=w.acme, card__isnull=True).first()
    if existing is not None:
        return existing
    idea = services.capture_idea(w.acme, title="Walked idea", actor=w.bob)
    services.score_idea(
        idea, model="ice", values={"impact": 5, "confidence": 5, "ease": 5}, actor=w.bob
    )
    return services.set_status(idea, status="accepted", actor=w.bob)


def idea(w: World) -> dict[str, Any]:
    return {**ws(w), "idea_id": walk_idea(w).pk}


def idea_param(w: World) -> dict[str, Any]:
    return {"idea_id": walk_idea(w).pk}


API_DELETE = (401, 404, 403, 204, 204)

PAGES: list[Case] = [
    Case("backlog", "get", READ, ws),
    Case("backlog-triage", "get", READ, ws),
    Case("backlog-import", "get", READ, ws),
    Case("backlog-idea", "get", READ, idea),
    Case("backlog-capture", "post", WRITE, ws, lambda w: {"title": "From the walk"}),
    Case("backlog-idea-edit", "post", WRITE, idea, lambda w: {"title": "Edited by the walk"}),
    Case(
        "backlog-idea-score",
        "post",
        WRITE,
        idea,
        lambda w: {"model": "ice", "impact": "6", "confidence": "6", "ease": "6"},
    ),
    Case(
        "backlog-idea-status",
        "post",
        WRITE,
        idea,
        lambda w: {"status": "parked", "reason": "walk"},
    ),
    Case("backlog-idea-start", "post", WRITE, idea),
    Case("backlog-idea-delete", "post", WRITE, idea),
    Case(
        "backlog-bulk",
        "post",
        WRITE,
        ws,
        lambda w: {"ids": [walk_idea(w).pk], "status": "parked", "reason": "walk"},
    ),
    Case(
        "backlog-import-upload",
        "post",
        WRITE,
        ws,
        lambda w: {"file": SimpleUploadedFile("ideas.csv", b"title\nFrom the walk\n")},
    ),
    Case("backlog-settings", "post", OWNER_WRITE, ws, lambda w: {"default_model": "ice"}),
]

API: list[ApiCase] = [
    # Without ?workspace= the list is of the caller's only workspace: the outsider sees her own.
    ApiCase("get", "/api/v1/ideas", (401, 200, 200, 200, 200)),
    ApiCase("post", "/api/v1/ideas", API_CREATE, lambda w: {"workspace": "acme", "title": "API"}),
    ApiCase(
        "post",
        "/api/v1/ideas/triage",
        API_WRITE,
        lambda w: {
            "workspace": "acme",
            "ids": [walk_idea(w).pk],
            "status": "parked",
            "reason": "x",
        },
    ),
    ApiCase("get", "/api/v1/ideas/{idea_id}", API_READ, params=idea_param),
    ApiCase(
        "patch", "/api/v1/ideas/{idea_id}", API_WRITE, lambda w: {"title": "P"}, params=idea_param
    ),
    ApiCase("delete", "/api/v1/ideas/{idea_id}", API_DELETE, params=idea_param),
    ApiCase(
        "post",
        "/api/v1/ideas/{idea_id}/score",
        API_WRITE,
        lambda w: {"model": "ice", "impact": 7, "confidence": 7, "ease": 7},
        params=idea_param,
    ),
    ApiCase(
        "post",
        "/api/v1/ideas/{idea_id}/triage",
        API_WRITE,
        lambda w: {"status": "parked", "reason": "walk"},
        params=idea_param,
    ),
    ApiCase(
        "post",
        "/api/v1/ideas/{idea_id}/start",
        API_CREATE,
        lambda w: {},
        params=idea_param,
    ),
    ApiCase("get", "/api/v1/ideas/{idea_id}/events", API_READ, params=idea_param),
    ApiCase("get", "/api/v1/workspaces/{slug}/backlog", API_READ),
    ApiCase(
        "put",
        "/api/v1/workspaces/{slug}/backlog",
        (401, 404, 403, 403, 200),
        lambda w: {"default_model": "rice"},
    ),
]
