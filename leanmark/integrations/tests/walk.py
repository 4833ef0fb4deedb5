"""This app's entries in the permission walk (leanmark/tests/test_permissions.py)."""

from leanmark.integrations import services
from leanmark.testing.walk import LOGIN, OWNER_WRITE, ApiCase, Case, ws

PUBLIC = (200, 200, 200, 200, 200)  # health checks answer anyone: a load balancer has no login

OWNER_READ = (LOGIN, 404, 403, 403, 200)


def hook(w):
    made = services.create_webhook(
        w.acme, url="https://hooks.example.com/walk", events=["card.*"], actor=w.alice
    )
    return {**ws(w), "hook_id": made.pk}


PAGES: list[Case] = [
    Case("healthz", "get", PUBLIC),
    Case("readyz", "get", PUBLIC),
    Case("webhooks", "get", OWNER_READ, ws),
    Case(
        "webhooks",
        "post",
        OWNER_WRITE,
        ws,
        lambda w: {"url": "https://hooks.example.com/x", "events": ["card.*"]},
    ),
    Case("webhook", "get", OWNER_READ, hook),
    Case("export", "get", OWNER_READ, ws),
    Case("trello_import", "get", OWNER_READ, ws),
    Case("export_download", "get", OWNER_READ, lambda w: {**ws(w), "fmt": "json"}),
    Case("webhook_action", "post", OWNER_WRITE, lambda w: {**hook(w), "action": "test"}),
]
API: list[ApiCase] = []
