"""This app's entries in the permission walk (leanmark/tests/test_permissions.py)."""

from django.utils import timezone

from leanmark.standups import queries, services
from leanmark.testing.walk import (
    API_CREATE,
    API_READ,
    API_WRITE,
    READ,
    WRITE,
    ApiCase,
    Case,
    walk_card,
    ws,
)


def impediment(w):
    return services.raise_impediment(w.acme, what="Walked", owner=w.bob, actor=w.bob)


def entry(w):
    return services.check_in(w.acme, member=w.alice, actor=w.alice, today="walk")


def today(w) -> str:
    return queries.local_day(w.acme, timezone.now()).isoformat()


def card_action(action):
    return lambda w: {**ws(w), "number": walk_card(w).number, "action": action}


PAGES: list[Case] = [
    Case("standup", "get", READ, ws),
    Case("standup-checkin", "post", WRITE, ws, lambda w: {"today": "walking"}),
    Case("standup-mode", "get", READ, ws),
    Case("standup-start", "post", WRITE, ws),
    Case("standup-card-action", "post", WRITE, card_action("block"), lambda w: {"reason": "walk"}),
    Case("standup-impediments", "get", READ, ws),
    Case(
        "standup-impediment-new",
        "post",
        WRITE,
        ws,
        lambda w: {"what": "walk", "owner": str(w.bob.pk)},
    ),
    Case("standup-impediment", "get", READ, lambda w: {**ws(w), "impediment_id": impediment(w).pk}),
    Case(
        "standup-impediment-resolve",
        "post",
        WRITE,
        lambda w: {**ws(w), "impediment_id": impediment(w).pk},
        lambda w: {"how": "walked away"},
    ),
    Case("standup-day", "get", READ, lambda w: {**ws(w), "day": today(w)}),
    Case("standup-summary", "get", READ, lambda w: {**ws(w), "day": today(w)}),
]
API: list[ApiCase] = [
    ApiCase(
        "post",
        "/api/v1/standups",
        API_CREATE,
        lambda w: {"workspace": w.acme.slug, "today": "walk"},
    ),
    # alice's entry: bob (a member) is refused too, since each member writes only their own
    ApiCase(
        "patch",
        "/api/v1/standups/{entry_id}",
        (401, 404, 403, 403, 200),
        lambda w: {"today": "changed"},
        params=lambda w: {"entry_id": entry(w).pk},
    ),
    ApiCase("get", "/api/v1/workspaces/{slug}/standups", API_READ),
    ApiCase("get", "/api/v1/workspaces/{slug}/standups/agenda", API_READ),
    ApiCase("get", "/api/v1/workspaces/{slug}/impediments", API_READ),
    ApiCase(
        "post",
        "/api/v1/workspaces/{slug}/impediments",
        API_CREATE,
        lambda w: {"what": "walk", "owner_id": w.bob.pk},
    ),
    ApiCase(
        "post",
        "/api/v1/impediments/{impediment_id}/resolve",
        API_WRITE,
        lambda w: {"how": "walked"},
        params=lambda w: {"impediment_id": impediment(w).pk},
    ),
]
