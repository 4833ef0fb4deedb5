"""This app's entries in the permission walk (leanmark/tests/test_permissions.py)."""

from leanmark.testing.walk import API_READ, API_WRITE, LOGIN, READ, WRITE, ApiCase, Case, board

MEMBER_PAGE = (LOGIN, 404, 403, 200, 200)
REFUSED_UPLOAD = (LOGIN, 404, 403, 422, 422)  # a member without a file: told to choose one

PAGES: list[Case] = [
    Case("flow", "get", (LOGIN, 404, 302, 302, 302), lambda w: {"ws": w.acme.slug}),
    Case("flow-board", "get", READ, board),
    Case("flow-forecast", "get", READ, board),
    Case("flow-csv", "get", READ, lambda w: {**board(w), "chart": "cfd"}),
    Case("flow-events-csv", "get", READ, board),
    Case("flow-import", "get", MEMBER_PAGE, board),
    Case("flow-import", "post", REFUSED_UPLOAD, board),
    Case(
        "flow-calendar",
        "post",
        WRITE,  # a member's day off is added, then back to the forecast page
        board,
        lambda w: {"action": "add", "day": "2026-12-24", "reason": "walk"},
    ),
]
# Allowed in, then told there is no history to forecast from (the test board finished nothing).
REFUSED_FORECAST = (401, 404, 422, 422, 422)

API: list[ApiCase] = [
    ApiCase("get", "/api/v1/boards/{board_id}/flow", API_READ),
    ApiCase(
        "get",
        "/api/v1/boards/{board_id}/forecast/how-many",
        REFUSED_FORECAST,
        query="until=2099-12-31",
    ),
    ApiCase("get", "/api/v1/boards/{board_id}/forecast/when", REFUSED_FORECAST, query="items=5"),
    ApiCase("get", "/api/v1/boards/{board_id}/forecast/backtest", API_READ),  # no runs yet
    ApiCase(
        "get",
        "/api/v1/boards/{board_id}/forecast/campaign",
        REFUSED_FORECAST,
        query="launch=2099-12-31&tag=launch",
    ),
    ApiCase("get", "/api/v1/boards/{board_id}/calendar", API_READ),
    ApiCase(
        "patch",
        "/api/v1/boards/{board_id}/calendar",
        API_WRITE,
        body=lambda w: {"weekends_off": True},
    ),
    ApiCase(
        "post",
        "/api/v1/boards/{board_id}/calendar/days",
        API_WRITE,
        body=lambda w: {"day": "2026-12-24"},
    ),
    ApiCase(
        "delete",
        "/api/v1/boards/{board_id}/calendar/days/{day}",
        API_WRITE,
        params=lambda w: {"day": "2026-12-24"},
    ),
]
