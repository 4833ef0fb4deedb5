"""This app's entries in the permission walk (leanmark/tests/test_permissions.py)."""

from leanmark.testing.walk import LOGIN, READ, ApiCase, Case, board

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
]
API: list[ApiCase] = []
