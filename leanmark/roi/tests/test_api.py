import json

import pytest

from leanmark.board import services as board_services
from leanmark.roi import services
from leanmark.roi.models import Spend, TimeLog


@pytest.fixture
def api(client_for, token_for):
    def make(user):
        client, headers = client_for(None), {"Authorization": f"Bearer {token_for(user)}"}

        def call(method, path, body=None):
            kwargs = {"content_type": "application/json", "data": json.dumps(body)} if body else {}
            return getattr(client, method)(f"/api/v1{path}", headers=headers, **kwargs)

        return call

    return make


def test_spend_round_trips_through_the_api(world, api):
    bob = api(world.bob)
    created = bob(
        "post",
        f"/workspaces/{world.acme.slug}/spend",
        {"date": "2026-07-01", "amount": "99.90", "channel": "email", "stage": "buy"},
    )
    assert created.status_code == 201
    assert created.json() | {"id": 0} == {
        "id": 0,
        "date": "2026-07-01",
        "amount": "99.90",
        "currency": "EUR",
        "channel": "email",
        "stage": "buy",
        "campaign": "",
        "note": "",
    }
    listed = api(world.carol)("get", f"/workspaces/{world.acme.slug}/spend").json()
    assert listed["total"] == 1 and listed["items"][0]["amount"] == "99.90"


@pytest.mark.parametrize(
    ("body", "status", "code", "message"),
    [
        (  # the limit is in the schema (the document states it): the validator's words
            {"date": "2026-07-01", "amount": "-1"},
            422,
            "validation_error",
            "amount: at least 0",
        ),
        (
            {"date": "2026-07-01", "amount": "1", "currency": "ZZZ"},
            422,
            "invalid",
            "unknown currency",
        ),
        (
            {"date": "2026-07-01", "amount": "1", "colour": "red"},
            422,
            "validation_error",
            "unknown field",
        ),
    ],
)
def test_bad_spend_gets_a_clear_error_and_saves_nothing(world, api, body, status, code, message):
    response = api(world.bob)("post", f"/workspaces/{world.acme.slug}/spend", body)
    assert response.status_code == status
    error = response.json()["error"]
    assert error["code"] == code and message in error["message"]
    assert not Spend.objects.exists()


def test_a_duplicate_spend_is_a_409_naming_the_existing_entry(world, api):
    bob = api(world.bob)
    body = {"date": "2026-07-01", "amount": "5", "channel": "seo"}
    bob("post", f"/workspaces/{world.acme.slug}/spend", body)
    response = bob("post", f"/workspaces/{world.acme.slug}/spend", body)
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "duplicate_spend"


def test_another_workspaces_spend_is_not_found(world, api):
    entry = services.SpendIn(on="2026-07-01", amount="1")
    theirs = services.record_spend(world.evil, entry, actor=world.mallory)
    response = api(world.bob)("delete", f"/workspaces/{world.acme.slug}/spend/{theirs.pk}")
    assert response.status_code == 404
    assert Spend.objects.filter(pk=theirs.pk).exists()


def test_time_is_logged_on_a_card_by_api(world, api):
    card = board_services.create_card(
        world.board, title="Ads", column=world.column("Ready"), actor=world.bob
    )
    response = api(world.bob)(
        "post", f"/cards/{card.pk}/time-logs", {"date": "2026-07-01", "hours": "2.25"}
    )
    assert response.status_code == 201
    assert response.json()["hours"] == "2.25" and response.json()["member"] == "Bob Member"
    mallory = api(world.mallory)(
        "post", f"/cards/{card.pk}/time-logs", {"date": "2026-07-01", "hours": "1"}
    )
    assert mallory.status_code == 404
    assert TimeLog.objects.count() == 1


def test_the_roi_report_answers_with_the_reference_shape(world, api):
    services.record_spend(
        world.acme, services.SpendIn(on="2026-07-05", amount="100", stage="buy"), actor=world.bob
    )
    body = api(world.carol)(
        "get", f"/workspaces/{world.acme.slug}/roi?period=2026-Q3&by=stage"
    ).json()
    assert (body["start"], body["end"], body["by"]) == ("2026-07-01", "2026-09-30", "stage")
    assert body["rows"][0]["key"] == "buy"
    assert body["rows"][0]["cost"] == "100.00" and body["rows"][0]["return"] == "0.00"
    assert body["rows"][0]["roi"] == "-1.0000"


def test_a_bad_period_is_a_422(world, api):
    response = api(world.carol)("get", f"/workspaces/{world.acme.slug}/roi?period=soon")
    assert response.status_code == 422
    assert response.json()["error"]["fields"] == {"period": response.json()["error"]["message"]}


TWO_CURVES = {"email": {"a": 1000, "b": 100}, "seo": {"a": 2000, "b": 300}}


def test_post_allocation_returns_the_equal_marginal_split(world, api):
    response = api(world.carol)(
        "post", "/allocation", {"workspace": world.acme.slug, "budget": 1000, "curves": TWO_CURVES}
    )
    assert response.status_code == 200
    splits = {s["channel"]: s for s in response.json()["splits"]}
    assert splits["email"]["recommended"] == pytest.approx(366.67, abs=0.01)
    assert splits["seo"]["recommended"] == pytest.approx(633.33, abs=0.01)
    assert splits["email"]["marginal_roi"] == pytest.approx(splits["seo"]["marginal_roi"], rel=1e-5)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (
            {"budget": 100, "bounds": {"email": {"min": 80}, "seo": {"min": 50}}},
            "below the sum of the minimums",
        ),
        ({"budget": 1000, "bounds": {"email": {"min": 500, "max": 100}}}, "is above the maximum"),
        ({"budget": 1000, "curves": {"email": {"a": 10, "b": 0}}}, "b must be above 0"),
    ],
)
def test_impossible_allocations_are_422s(world, api, extra, message):
    body = {"workspace": world.acme.slug, "curves": TWO_CURVES} | extra
    if "curves" in extra:
        body["curves"] = TWO_CURVES | extra["curves"]
    response = api(world.carol)("post", "/allocation", body)
    assert response.status_code == 422
    assert message in response.json()["error"]["message"]


def test_allocation_in_another_workspace_is_not_found(world, api):
    response = api(world.mallory)(
        "post", "/allocation", {"workspace": world.acme.slug, "budget": 1, "curves": TWO_CURVES}
    )
    assert response.status_code == 404


def test_only_owners_read_hourly_costs(world, api):
    services.set_hourly_cost(world.acme, world.bob, "31", actor=world.alice)
    rows = api(world.alice)("get", f"/workspaces/{world.acme.slug}/hourly-costs").json()
    assert {r["member"]: r["hourly_cost"] for r in rows}["Bob Member"] == "31.00"
    for person in (world.bob, world.carol):
        assert api(person)("get", f"/workspaces/{world.acme.slug}/hourly-costs").status_code == 403
