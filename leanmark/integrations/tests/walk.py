"""This app's entries in the permission walk (leanmark/tests/test_permissions.py)."""

from leanmark.testing.walk import ApiCase, Case

PUBLIC = (200, 200, 200, 200, 200)  # health checks answer anyone: a load balancer has no login

PAGES: list[Case] = [
    Case("healthz", "get", PUBLIC),
    Case("readyz", "get", PUBLIC),
]
API: list[ApiCase] = []
