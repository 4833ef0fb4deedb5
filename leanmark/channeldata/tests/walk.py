"""This app's entries in the permission walk (leanmark/tests/test_permissions.py)."""

from typing import Any

from leanmark.channeldata import connectors, services
from leanmark.testing.personas import World
from leanmark.testing.walk import LOGIN, OWNER_WRITE, READ, WRITE, ApiCase, Case, ws

REFUSED_INPUT = (LOGIN, 404, 403, 422, 422)  # no file or no held file: 422 for who may write
OWNER_POST = (LOGIN, 404, 403, 403, 302)
META_TOKEN = "EAAwalkwalkwalkwalkwalkwalk0123456789"


def _preset(w: World) -> dict[str, Any]:
    preset = services.save_preset(
        w.acme, "Walk", {"day": "Date", "clicks": "Clicks"}, actor=w.alice
    )
    return {**ws(w), "preset_id": preset.pk}


def _connection(w: World) -> Any:
    return connectors.connect(
        w.acme, "meta_ads", account="1234567890", credentials=META_TOKEN.encode(), actor=w.alice
    )


PAGES: list[Case] = [
    Case("channeldata", "get", READ, ws),
    Case("channeldata-check", "post", REFUSED_INPUT, ws),
    Case("channeldata-map", "post", REFUSED_INPUT, ws),
    Case("channeldata-import", "post", REFUSED_INPUT, ws),
    Case("channeldata-rate", "post", OWNER_POST, ws, lambda w: {"currency": "USD", "rate": "0.8"}),
    Case("channeldata-preset-delete", "post", WRITE, _preset),
    Case(
        "channeldata-grouping",
        "post",
        OWNER_POST,
        ws,
        lambda w: {"rules": "Partners | .*partner.* |"},
    ),
    Case(
        "channeldata-stage", "post", OWNER_POST, ws, lambda w: {"channel": "email", "stage": "buy"}
    ),
    Case(
        "channeldata-connect",
        "post",
        OWNER_WRITE,
        ws,
        lambda w: {"source": "meta_ads", "account": "1234567890", "token": META_TOKEN},
    ),
    # a pull with a made-up token is refused by the platform (or the network): the page says so
    Case(
        "channeldata-pull", "post", WRITE, lambda w: {**ws(w), "connection_id": _connection(w).pk}
    ),
    Case(
        "channeldata-disconnect",
        "post",
        OWNER_WRITE,
        lambda w: {**ws(w), "connection_id": _connection(w).pk},
    ),
]

API_READ = (401, 404, 200, 200, 200)
API_OWNER = (401, 404, 403, 403, 200)


def _connection_id(w: World) -> dict[str, Any]:
    return {"connection_id": _connection(w).pk}


API: list[ApiCase] = [
    # sent as JSON, not multipart: the file is missing, so 422 for members and owners
    ApiCase("post", "/api/v1/workspaces/{slug}/marketing-data/import", (401, 404, 403, 422, 422)),
    ApiCase("get", "/api/v1/workspaces/{slug}/marketing-data/imports", API_READ),
    ApiCase("get", "/api/v1/workspaces/{slug}/marketing-data", API_READ),
    ApiCase(
        "get",
        "/api/v1/workspaces/{slug}/marketing-data/daily/{measure}",
        API_READ,
        params=lambda w: {"measure": "clicks"},
    ),
    ApiCase("get", "/api/v1/workspaces/{slug}/marketing-data/rates", API_READ),
    ApiCase(
        "put",
        "/api/v1/workspaces/{slug}/marketing-data/rates/{currency}",
        API_OWNER,
        lambda w: {"rate": "0.8"},
        params=lambda w: {"currency": "USD"},
    ),
    ApiCase("get", "/api/v1/workspaces/{slug}/marketing-data/grouping", API_READ),
    ApiCase(
        "put",
        "/api/v1/workspaces/{slug}/marketing-data/grouping",
        API_OWNER,
        lambda w: {"rules": None},
    ),
    ApiCase("get", "/api/v1/workspaces/{slug}/marketing-data/stages", API_READ),
    ApiCase(
        "put",
        "/api/v1/workspaces/{slug}/marketing-data/stages",
        API_OWNER,
        lambda w: {"stages": {"email": "buy"}},
    ),
    ApiCase("get", "/api/v1/workspaces/{slug}/marketing-data/connections", API_READ),
    ApiCase(
        "post",
        "/api/v1/workspaces/{slug}/marketing-data/connections",
        (401, 404, 403, 403, 201),
        lambda w: {"source": "meta_ads", "account": "1234567890", "credentials": META_TOKEN},
    ),
    ApiCase(
        "delete",
        "/api/v1/workspaces/{slug}/marketing-data/connections/{connection_id}",
        (401, 404, 403, 403, 204),
        params=_connection_id,
    ),
    ApiCase(
        "post",
        "/api/v1/workspaces/{slug}/marketing-data/connections/{connection_id}/pull",
        (401, 404, 403, 200, 200),
        params=_connection_id,
    ),
]
