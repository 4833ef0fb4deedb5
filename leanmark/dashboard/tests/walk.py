"""This app's entries in the permission walk (leanmark/tests/test_permissions.py)."""

from typing import Any

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


def metric_key(w: World) -> dict[str, Any]:
    return {**ws(w), "key": walk_metric(w).key}


NEW_METRIC = {"name": "Walk leads", "kind": "output", "stage": "trust", "aggregation": "sum"}
PAGES: list[Case] = [
    Case("dashboard", "get", READ, ws),
    Case("dashboard-metrics", "get", READ, ws),
    Case("dashboard-metrics", "post", WRITE, ws, lambda w: NEW_METRIC),
    Case("dashboard-metric", "get", READ, metric_key),
    Case("dashboard-metric-edit", "get", READ, metric_key),
    Case(
        "dashboard-metric-edit",
        "post",
        WRITE,
        metric_key,
        lambda w: {**NEW_METRIC, "name": "Walked", "stage": "know"},
    ),
    Case(
        "dashboard-metric-delete",
        "post",
        OWNER_WRITE,
        metric_key,
        lambda w: {"confirm": walk_metric(w).key},
    ),
    Case(
        "dashboard-target",
        "post",
        WRITE,
        metric_key,
        lambda w: {"period": "week", "value": "100"},
    ),
    Case("dashboard-grid", "get", READ, ws),
    Case(
        "dashboard-grid-save",
        "post",
        (302, 404, 403, 200, 200),
        ws,
        lambda w: {f"c:{walk_metric(w).pk}:2026-03-02": "5"},
    ),
    Case("dashboard-import", "get", READ, ws),
    Case(
        "dashboard-import",
        "post",
        WRITE,
        ws,
        lambda w: {"action": "import", "csv_text": f"date,{walk_metric(w).key}\n2026-03-02,4\n"},
    ),
    Case("dashboard-layout", "get", READ, ws),
    Case("dashboard-layout", "post", WRITE, ws, lambda w: {f"show:{walk_metric(w).key}": "on"}),
    Case("dashboard-funnel", "get", READ, ws),
    Case("dashboard-funnel", "post", WRITE, ws, lambda w: {"stage:know": walk_metric(w).key}),
]
