"""This app's entries in the permission walk (leanmark/tests/test_permissions.py)."""

from datetime import timedelta
from typing import Any

from django.utils import timezone

from leanmark.experiments import services
from leanmark.experiments.models import Experiment
from leanmark.testing.personas import World
from leanmark.testing.walk import (
    API_CREATE,
    API_READ,
    API_WRITE,
    LOGIN,
    READ,
    WRITE,
    ApiCase,
    Case,
    ws,
)

MEMBER_PAGE = (LOGIN, 404, 403, 200, 200)  # forms to change things: members only


def walk_experiment(w: World, *, observed: bool = True) -> Experiment:
    existing = Experiment.objects.filter(workspace=w.acme).first()
    if existing is not None:
        return existing
    experiment = services.create_experiment(
        w.acme,
        services.ExperimentSpec(
            title="Walked",
            change="a shorter sign-up form",
            audience="new visitors",
            outcome="raise sign-ups",
            metric_name="sign-up rate",
            plan_baseline="0.2",
            plan_mde="0.05",
            metrics=[{"name": "unsubscribe rate", "role": "guardrail", "direction": "decrease"}],
        ),
        actor=w.bob,
    )
    if observed:
        day = timezone.localdate() - timedelta(days=1)
        services.record_observations(
            experiment,
            [
                services.ObservationIn("Control", day, 100, 20),
                services.ObservationIn("Treatment", day, 100, 25),
            ],
            actor=w.bob,
        )
    return experiment


def experiment(w: World) -> dict[str, Any]:
    return {**ws(w), "experiment_id": walk_experiment(w).pk}


def experiment_id(w: World) -> dict[str, Any]:
    return {"experiment_id": walk_experiment(w).pk}


def metric(w: World) -> dict[str, Any]:
    walked = walk_experiment(w)
    return {**ws(w), "experiment_id": walked.pk, "metric_id": walked.metrics.get().pk}


def metric_ids(w: World) -> dict[str, Any]:
    walked = walk_experiment(w)
    return {"experiment_id": walked.pk, "metric_id": walked.metrics.get().pk}


def metric_rows(w: World) -> dict[str, Any]:
    day = timezone.localdate().isoformat()
    return {"rows": [{"variant": "Control", "date": day, "trials": 200, "successes": 4}]}


SPEC = {
    "title": "From the walk",
    "change": "a new headline",
    "audience": "visitors",
    "outcome": "raise clicks",
    "metric_name": "click rate",
}
DECISION = {"decision": "stop", "override_reason": "the walk decides early on purpose"}

PAGES: list[Case] = [
    Case("experiments", "get", READ, ws),
    Case("experiment-new", "get", MEMBER_PAGE, ws),
    Case("experiment-new", "post", WRITE, ws, lambda w: SPEC),
    Case("experiment-plan", "get", READ, ws, lambda w: {"baseline": "0.2", "mde": "0.05"}),
    Case("experiment-learnings", "get", READ, ws, lambda w: {"q": "sign"}),
    Case("experiment", "get", READ, experiment),
    Case("experiment-edit", "get", MEMBER_PAGE, experiment),
    Case(
        "experiment-edit",
        "post",
        WRITE,
        experiment,
        lambda w: {**SPEC, "plan_baseline": "0.2", "plan_mde": "0.05"},
    ),
    Case(
        "experiment-observe",
        "post",
        WRITE,
        experiment,
        lambda w: {
            "date": timezone.localdate().isoformat(),
            f"v{walk_experiment(w).variants.first().pk}_trials": "150",
            f"v{walk_experiment(w).variants.first().pk}_successes": "30",
        },
    ),
    Case(
        "experiment-metric-observe",
        "post",
        WRITE,
        metric,
        lambda w: {
            "date": timezone.localdate().isoformat(),
            f"v{walk_experiment(w).variants.first().pk}_trials": "150",
            f"v{walk_experiment(w).variants.first().pk}_successes": "3",
        },
    ),
    Case("experiment-import", "post", WRITE, experiment),
    Case("experiment-decide", "post", WRITE, experiment, lambda w: DECISION),
    Case("experiment-action", "post", WRITE, lambda w: {**experiment(w), "action": "analyse"}),
    # an empty form: the role is checked first, then "choose the measure that counts as trials"
    Case("experiment-data", "post", (LOGIN, 404, 403, 422, 422), experiment),
]

API: list[ApiCase] = [
    ApiCase("get", "/api/v1/workspaces/{slug}/experiments", API_READ),
    ApiCase("post", "/api/v1/workspaces/{slug}/experiments", API_CREATE, lambda w: SPEC),
    ApiCase("get", "/api/v1/experiments/{experiment_id}", API_READ, params=experiment_id),
    ApiCase(
        "patch",
        "/api/v1/experiments/{experiment_id}",
        API_WRITE,
        lambda w: {"title": "Patched"},
        params=experiment_id,
    ),
    ApiCase(
        "delete",
        "/api/v1/experiments/{experiment_id}",
        (401, 404, 403, 204, 204),
        params=experiment_id,
    ),
    ApiCase(
        "post",
        "/api/v1/experiments/{experiment_id}/start",
        API_WRITE,
        setup=lambda w: walk_experiment(w, observed=False),
        params=experiment_id,
    ),
    ApiCase("post", "/api/v1/experiments/{experiment_id}/analyse", API_WRITE, params=experiment_id),
    ApiCase(
        "get", "/api/v1/experiments/{experiment_id}/observations", API_READ, params=experiment_id
    ),
    ApiCase(
        "post",
        "/api/v1/experiments/{experiment_id}/observations",
        API_WRITE,
        lambda w: {
            "rows": [
                {
                    "variant": "Control",
                    "date": timezone.localdate().isoformat(),
                    "trials": 200,
                    "successes": 40,
                }
            ]
        },
        params=experiment_id,
    ),
    ApiCase("get", "/api/v1/experiments/{experiment_id}/analysis", API_READ, params=experiment_id),
    ApiCase(
        "get",
        "/api/v1/experiments/{experiment_id}/metrics/{metric_id}/observations",
        API_READ,
        params=metric_ids,
    ),
    ApiCase(
        "post",
        "/api/v1/experiments/{experiment_id}/metrics/{metric_id}/observations",
        API_WRITE,
        metric_rows,
        params=metric_ids,
    ),
    ApiCase(
        "post",
        "/api/v1/experiments/{experiment_id}/decision",
        API_WRITE,
        lambda w: DECISION,
        params=experiment_id,
    ),
    ApiCase("get", "/api/v1/experiments/{experiment_id}/data-link", API_READ, params=experiment_id),
    ApiCase(
        "put",
        "/api/v1/experiments/{experiment_id}/data-link",
        API_WRITE,
        lambda w: {"trials": "clicks", "successes": "conversions"},
        params=experiment_id,
    ),
    # the walked experiment's variants are not linked: members get that 422
    ApiCase(
        "post",
        "/api/v1/experiments/{experiment_id}/data-pull",
        (401, 404, 403, 422, 422),
        lambda w: {"dry_run": True},
        params=experiment_id,
    ),
    ApiCase("get", "/api/v1/workspaces/{slug}/learnings", API_READ),
    # no workspace: any authenticated user; without the query parameters it answers 422
    ApiCase("get", "/api/v1/experiment-plan", (401, 422, 422, 422, 422)),
]
