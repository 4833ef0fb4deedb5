"""This app's entries in the permission walk (leanmark/tests/test_permissions.py)."""

from typing import Any

from leanmark.testing.personas import World
from leanmark.testing.walk import (
    API_CREATE,
    API_READ,
    API_WRITE,
    LOGIN,
    OWNER_WRITE,
    READ,
    WRITE,
    ApiCase,
    Case,
    ws,
)
from leanmark.valuestream import services
from leanmark.valuestream.models import State, ValueStream

STEP = {
    "name": "Write the post",
    "stage": "know",
    "pt_value": "2",
    "pt_unit": "h",
    "lt_value": "1",
    "lt_unit": "d",
}


def walk_stream(w: World) -> ValueStream:
    found = ValueStream.objects.filter(workspace=w.acme, state=State.CURRENT).first()
    if found is None:
        found = services.create_stream(
            w.acme, services.StreamSettings(name="Walked map"), actor=w.alice
        )
        services.add_step(found, STEP, actor=w.alice)
    return found


def walk_future(w: World) -> ValueStream:
    current = walk_stream(w)
    return current.futures.first() or services.create_future_state(current, actor=w.alice)


def stream(w: World) -> dict[str, Any]:
    return {**ws(w), "stream_id": walk_stream(w).pk}


def step(w: World) -> dict[str, Any]:
    s = walk_stream(w)
    return {**stream(w), "step_id": s.steps.first().pk}


def future_step(w: World) -> dict[str, Any]:
    f = walk_future(w)
    return {**ws(w), "stream_id": f.pk, "step_id": f.steps.first().pk}


def compare(w: World) -> dict[str, Any]:
    return {**stream(w), "future_id": walk_future(w).pk}


PAGES: list[Case] = [
    Case("valuestream", "get", READ, ws),
    Case("valuestream-create", "post", WRITE, ws, lambda w: {"name": "New map"}),
    Case("valuestream-map", "get", READ, stream),
    Case("valuestream-settings", "post", WRITE, stream, lambda w: {"name": "Renamed"}),
    Case("valuestream-delete", "post", OWNER_WRITE, stream),
    Case("valuestream-step-add", "post", WRITE, stream, lambda w: {**STEP, "name": "Another"}),
    # a viewer following the edit link is sent to the step on the map
    Case("valuestream-step-edit", "get", (LOGIN, 404, 302, 200, 200), step),
    Case("valuestream-step-edit", "post", WRITE, step, lambda w: {"name": "Edited"}),
    Case("valuestream-step-delete", "post", WRITE, step),
    Case("valuestream-step-move", "post", WRITE, step, lambda w: {"stage": "like", "order": ""}),
    Case("valuestream-apply", "post", WRITE, future_step),
    Case("valuestream-export", "get", READ, lambda w: {**stream(w), "fmt": "svg"}),
    Case("valuestream-walk", "get", READ, stream),
    Case("valuestream-walk-answer", "post", WRITE, step, lambda w: {"why": "Because"}),
    Case("valuestream-future", "post", WRITE, stream),
    Case("valuestream-compare", "get", READ, compare),
    Case("valuestream-hourglass", "get", READ, stream),
]


def ids(w: World) -> dict[str, Any]:
    s = walk_stream(w)
    return {"stream_id": s.pk, "step_id": s.steps.first().pk, "future_id": walk_future(w).pk}


def future_ids(w: World) -> dict[str, Any]:
    f = walk_future(w)
    return {"step_id": f.steps.first().pk}


API_STEP = {
    "name": "API step",
    "stage": "try",
    "pt_value": "30",
    "pt_unit": "min",
    "lt_value": "2",
    "lt_unit": "h",
}

API: list[ApiCase] = [
    ApiCase("get", "/api/v1/workspaces/{slug}/value-streams", API_READ),
    ApiCase(
        "post", "/api/v1/workspaces/{slug}/value-streams", API_CREATE, lambda w: {"name": "API"}
    ),
    ApiCase("get", "/api/v1/value-streams/{stream_id}", API_READ, params=ids),
    ApiCase(
        "patch",
        "/api/v1/value-streams/{stream_id}",
        API_WRITE,
        lambda w: {"time_basis": "working"},
        params=ids,
    ),
    ApiCase("delete", "/api/v1/value-streams/{stream_id}", (401, 404, 403, 403, 204), params=ids),
    ApiCase("get", "/api/v1/value-streams/{stream_id}/summary", API_READ, params=ids),
    ApiCase("get", "/api/v1/value-streams/{stream_id}/candidates", API_READ, params=ids),
    ApiCase("get", "/api/v1/value-streams/{stream_id}/revisions", API_READ, params=ids),
    ApiCase(
        "post", "/api/v1/value-streams/{stream_id}/future", API_CREATE, lambda w: {}, params=ids
    ),
    ApiCase("get", "/api/v1/value-streams/{stream_id}/compare/{future_id}", API_READ, params=ids),
    ApiCase("get", "/api/v1/value-streams/{stream_id}/export", API_READ, params=ids),
    ApiCase(
        "post",
        "/api/v1/value-streams/{stream_id}/steps",
        API_CREATE,
        lambda w: API_STEP,
        params=ids,
    ),
    ApiCase("get", "/api/v1/value-stream-steps/{step_id}", API_READ, params=ids),
    ApiCase(
        "patch",
        "/api/v1/value-stream-steps/{step_id}",
        API_WRITE,
        lambda w: {"ca_percent": "90"},
        params=ids,
    ),
    ApiCase(
        "delete", "/api/v1/value-stream-steps/{step_id}", (401, 404, 403, 204, 204), params=ids
    ),
    ApiCase(
        "post",
        "/api/v1/value-stream-steps/{step_id}/move",
        API_WRITE,
        lambda w: {"stage": "like", "order": []},
        params=ids,
    ),
    ApiCase(
        "put",
        "/api/v1/value-stream-steps/{step_id}/columns",
        API_WRITE,
        lambda w: {"column_ids": [w.column("Writing").pk]},
        params=ids,
    ),
    ApiCase("post", "/api/v1/value-stream-steps/{step_id}/apply", API_WRITE, params=future_ids),
]
