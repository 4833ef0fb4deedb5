"""This app's entries in the permission walk (leanmark/tests/test_permissions.py)."""

from typing import Any

from leanmark.testing.personas import World
from leanmark.testing.walk import API_CREATE, API_READ, API_WRITE, ApiCase, Case

PAGES: list[Case] = []


def walk_metric(w: World) -> Any:
    from leanmark.dashboard import services
    from leanmark.dashboard.models import Metric

    existing = Metric.objects.filter(workspace=w.acme, key="walk-visits").first()
    return existing or services.create_metric(
        w.acme, name="Walk visits", key="walk-visits", kind="output", stage="know"
    )


def metric(w: World) -> dict[str, Any]:
    return {"metric_id": walk_metric(w).pk}


API: list[ApiCase] = [
    ApiCase("get", "/api/v1/workspaces/{slug}/metrics", API_READ),
    ApiCase(
        "post",
        "/api/v1/workspaces/{slug}/metrics",
        API_CREATE,
        lambda w: {"name": "Leads", "kind": "output", "stage": "trust"},
    ),
    ApiCase("get", "/api/v1/metrics/{metric_id}", API_READ, params=metric),
    ApiCase(
        "patch",
        "/api/v1/metrics/{metric_id}",
        API_WRITE,
        lambda w: {"unit": "visits"},
        params=metric,
    ),
    ApiCase("delete", "/api/v1/metrics/{metric_id}", (401, 404, 403, 403, 204), params=metric),
    ApiCase(
        "put",
        "/api/v1/metrics/{metric_id}/targets/{period}",
        API_WRITE,
        lambda w: {"value": 1000},
        params=lambda w: {**metric(w), "period": "week"},
    ),
    ApiCase("get", "/api/v1/metrics/{metric_id}/measurements", API_READ, params=metric),
    ApiCase("get", "/api/v1/metrics/{metric_id}/rollup", API_READ, params=metric),
    ApiCase(
        "get",
        "/api/v1/workspaces/{slug}/series/{key}",
        API_READ,
        params=lambda w: {"key": walk_metric(w).key},
    ),
    ApiCase(
        "post",
        "/api/v1/measurements",
        API_WRITE,
        lambda w: {
            "workspace": w.acme.slug,
            "measurements": [{"metric": walk_metric(w).key, "date": "2026-03-02", "value": 5}],
        },
    ),
    ApiCase("get", "/api/v1/workspaces/{slug}/funnel", API_READ),
    ApiCase(
        "put",
        "/api/v1/workspaces/{slug}/funnel",
        API_WRITE,
        lambda w: {"stages": {"know": walk_metric(w).key}},
    ),
]
