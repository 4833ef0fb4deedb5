"""This app's entries in the permission walk (leanmark/tests/test_permissions.py)."""

from typing import Any

from leanmark.roi import services
from leanmark.testing.personas import World
from leanmark.testing.walk import LOGIN, OWNER_WRITE, READ, WRITE, ApiCase, Case, walk_card, ws

OWNER_READ = (LOGIN, 404, 403, 403, 200)
SPEND = {"on": "2026-07-01", "amount": "120.00", "channel": "email", "stage": "buy"}


def _spend(w: World) -> Any:
    entry = services.SpendIn(on="2026-06-01", amount="10", channel="seo")
    return services.record_spend(w.acme, entry, actor=w.bob)


def _log(w: World) -> Any:
    return services.log_time(walk_card(w), member=w.bob, on="2026-07-01", hours=1, actor=w.bob)


def _curves(w: World) -> dict[str, Any]:
    services.save_curve(w.acme, channel="email", unit="money", a=1000, b=100, actor=w.alice)
    services.save_curve(w.acme, channel="seo", unit="money", a=2000, b=300, actor=w.alice)
    return {"unit": "money", "budget": "1000", "month": "2026-08", "name": "Walk plan"}


def _plan(w: World) -> Any:
    from leanmark.domain import roi as domain

    curves = {"email": domain.Curve("email", 1000, 100)}
    allocation = domain.allocate(list(curves.values()), 500)
    from datetime import date

    return services.save_plan(
        w.acme,
        allocation,
        curves=curves,
        bounds={},
        name="Walk",
        month=date(2026, 8, 1),
        unit="money",
        actor=w.alice,
    )


PAGES: list[Case] = [
    Case("roi", "get", READ, ws),
    Case("roi-spend", "get", READ, ws),
    Case("roi-spend", "post", WRITE, ws, lambda w: SPEND),
    Case(
        "roi-spend-delete",
        "post",
        WRITE,
        lambda w: {**ws(w), "spend_id": _spend(w).pk},
    ),
    Case("roi-spend-edit", "get", READ, lambda w: {**ws(w), "spend_id": _spend(w).pk}),
    Case(
        "roi-spend-edit",
        "post",
        WRITE,
        lambda w: {**ws(w), "spend_id": _spend(w).pk},
        lambda w: {"on": "2026-06-02", "amount": "12", "channel": "seo"},
    ),
    Case("roi-spend-import", "post", (LOGIN, 404, 403, 422, 422), ws),  # no file: 422
    Case("roi-time", "get", READ, ws),
    Case(
        "roi-time-log",
        "post",
        WRITE,
        lambda w: {**ws(w), "number": walk_card(w).number},
        lambda w: {"member": w.bob.pk, "on": "2026-07-01", "hours": "2"},
    ),
    Case("roi-time-delete", "post", WRITE, lambda w: {**ws(w), "log_id": _log(w).pk}),
    Case("roi-settings", "get", OWNER_READ, ws),
    Case(
        "roi-settings",
        "post",
        OWNER_WRITE,
        ws,
        lambda w: {"currency": "GBP", "contribution_margin": "60", "gross_margin": "70"},
    ),
    Case(
        "roi-hourly-cost",
        "post",
        OWNER_WRITE,
        lambda w: {**ws(w), "user_id": w.bob.pk},
        lambda w: {"hourly_cost": "45"},
    ),
    Case("roi-allocation", "get", READ, ws),
    Case(
        "roi-curve-save",
        "post",
        WRITE,
        ws,
        lambda w: {"channel": "email", "unit": "money", "a": "1000", "b": "100"},
    ),
    Case(
        "roi-curve-delete",
        "post",
        WRITE,
        lambda w: {
            **ws(w),
            "curve_id": services.save_curve(
                w.acme, channel="seo", unit="money", a=5, b=5, actor=w.alice
            ).pk,
        },
    ),
    Case("roi-plan-save", "post", WRITE, ws, _curves),
    Case("roi-plan", "get", READ, lambda w: {**ws(w), "plan_id": _plan(w).pk}),
    Case("roi-plan-delete", "post", WRITE, lambda w: {**ws(w), "plan_id": _plan(w).pk}),
    Case("roi-steps-create", "post", WRITE, ws, lambda w: {**_curves(w), **_check(w)}),
    Case("roi-step", "get", READ, lambda w: {**ws(w), "step_id": _step(w).pk}),
    Case(
        "roi-step",
        "post",
        WRITE,
        lambda w: {**ws(w), "step_id": _step(w).pk},
        lambda w: {"spend": "400", "return": "900"},
    ),
]
API: list[ApiCase] = []


def _check(w: World) -> dict[str, Any]:
    return {
        "board": w.board.pk,
        "check": "before_after",
        "starts_on": "2027-01-01",
        "ends_on": "2027-01-31",
    }


def _step(w: World) -> Any:
    """A test step on email (the hand-entered curves, nothing spent: the free optimum)."""
    from datetime import date

    from leanmark.roi import queries

    _curves(w)
    view = queries.allocation(w.acme, unit="money", today=date(2026, 7, 15), budget=1000)
    check = services.clean_check("before_after", "2027-01-01", "2027-01-31", None)
    _, steps = services.create_steps(
        w.acme, view.allocation, curves=view.curves.curves, bounds={}, board=w.board,
        check=check, name="Walk steps", month=date(2027, 1, 1), unit="money", actor=w.bob,
        link=lambda step: f"/w/{w.acme.slug}/roi/steps/{step.pk}/",
    )  # fmt: skip
    return steps[0]


API_READ_ = (401, 404, 200, 200, 200)
API_OWNER = (401, 404, 403, 403, 200)


def _spend_id(w: World) -> dict[str, Any]:
    return {"spend_id": _spend(w).pk}


API += [
    ApiCase("get", "/api/v1/workspaces/{slug}/spend", API_READ_),
    ApiCase(
        "post",
        "/api/v1/workspaces/{slug}/spend",
        (401, 404, 403, 201, 201),
        lambda w: {"date": "2026-07-01", "amount": "12.50", "channel": "email"},
    ),
    ApiCase(
        "put",
        "/api/v1/workspaces/{slug}/spend/{spend_id}",
        (401, 404, 403, 200, 200),
        lambda w: {"date": "2026-06-01", "amount": "11", "channel": "seo"},
        params=_spend_id,
    ),
    ApiCase(
        "delete",
        "/api/v1/workspaces/{slug}/spend/{spend_id}",
        (401, 404, 403, 204, 204),
        params=_spend_id,
    ),
    ApiCase(
        "post",
        "/api/v1/workspaces/{slug}/spend/import",
        (401, 404, 403, 200, 200),
        lambda w: {"csv": "date,amount,channel\n2026-07-02,5,seo\n"},
    ),
    ApiCase("get", "/api/v1/workspaces/{slug}/time-logs", API_READ_),
    ApiCase(
        "post",
        "/api/v1/cards/{card_id}/time-logs",
        (401, 404, 403, 201, 201),
        lambda w: {"date": "2026-07-01", "hours": "1.5"},
    ),
    ApiCase(
        "delete",
        "/api/v1/workspaces/{slug}/time-logs/{log_id}",
        (401, 404, 403, 204, 204),
        params=lambda w: {"log_id": _log(w).pk},
    ),
    ApiCase("get", "/api/v1/workspaces/{slug}/hourly-costs", API_OWNER),
    ApiCase(
        "put",
        "/api/v1/workspaces/{slug}/hourly-costs/{user_id}",
        API_OWNER,
        lambda w: {"hourly_cost": "40"},
        params=lambda w: {"user_id": w.bob.pk},
    ),
    ApiCase("get", "/api/v1/workspaces/{slug}/roi", API_READ_),
    ApiCase(
        "post",
        "/api/v1/allocation",
        API_READ_,
        lambda w: {
            "workspace": w.acme.slug,
            "budget": 1000,
            "curves": {"email": {"a": 1000, "b": 100}, "seo": {"a": 2000, "b": 300}},
        },
    ),
    ApiCase(
        "post",
        "/api/v1/workspaces/{slug}/allocation/steps",
        (401, 404, 403, 201, 201),
        lambda w: {
            "board_id": w.board.pk,
            "budget": 1000,
            "check": "holdout",
            "holdout_share": 0.2,
            "starts_on": "2027-01-01",
            "ends_on": "2027-01-31",
        },
        setup=_curves,
    ),
    ApiCase("get", "/api/v1/workspaces/{slug}/allocation/steps", API_READ_),
    ApiCase(
        "get",
        "/api/v1/workspaces/{slug}/allocation/steps/{step_id}",
        API_READ_,
        params=lambda w: {"step_id": _step(w).pk},
    ),
    ApiCase(
        "post",
        "/api/v1/workspaces/{slug}/allocation/steps/{step_id}/result",
        (401, 404, 403, 200, 200),
        lambda w: {"spend": "400", "return": "900"},
        params=lambda w: {"step_id": _step(w).pk},
    ),
]
