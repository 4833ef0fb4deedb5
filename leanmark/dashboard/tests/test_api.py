import json

import pytest

from leanmark.dashboard import services
from leanmark.dashboard.models import Measurement


@pytest.fixture
def api(client_for, token_for):
    def make(user):
        client = client_for(None)
        headers = {"Authorization": f"Bearer {token_for(user)}"}

        def call(method, path, body=None, **params):
            kwargs = {"headers": headers}
            if body is not None:
                kwargs.update(content_type="application/json", data=json.dumps(body))
            elif params:
                kwargs["data"] = params
            return getattr(client, method)(f"/api/v1{path}", **kwargs)

        return call

    return make


@pytest.fixture
def visits(world):
    return services.create_metric(
        world.acme, name="Website visits", kind="output", stage="know", unit="visits"
    )


def post(api_for, slug, *items, dry_run=False):
    return api_for(
        "post",
        "/measurements",
        {"workspace": slug, "measurements": list(items), "dry_run": dry_run},
    )


def test_it_creates_a_metric_and_lists_it_with_the_builtin_ones(world, api):
    bob = api(world.bob)
    created = bob(
        "post",
        "/workspaces/acme/metrics",
        {"name": "Leads", "kind": "output", "stage": "trust", "value_per_unit": "12.5"},
    )
    assert created.status_code == 201
    assert created.json()["key"] == "leads"
    listed = bob("get", "/workspaces/acme/metrics").json()
    assert [m["key"] for m in listed][:2] == ["leads", "flow-throughput"]
    assert {m["key"] for m in listed if m["builtin"]} == {
        "flow-throughput",
        "flow-cycle-time",
        "flow-wip",
        "experiments-decided",
    }


def test_an_unknown_stage_is_a_422_naming_the_field(world, api):
    response = api(world.bob)(
        "post", "/workspaces/acme/metrics", {"name": "X", "kind": "output", "stage": "sell"}
    )
    assert response.status_code == 422
    assert "stage" in response.json()["error"]["fields"]


def test_posting_a_batch_twice_saves_it_once(world, api, visits):
    bob = api(world.bob)
    items = [
        {"metric": "website-visits", "date": "2026-03-02", "value": 120},
        {"metric": "Website visits", "date": "2026-03-03", "value": "140"},
    ]
    first = post(bob, "acme", *items).json()
    second = post(bob, "acme", *items).json()
    assert (first["created"], second["created"], second["unchanged"]) == (2, 0, 2)
    assert Measurement.objects.count() == 2


def test_a_timestamp_is_filed_under_the_workspace_s_local_day(world, api, visits):
    world.acme.time_zone = "America/New_York"
    world.acme.save(update_fields=["time_zone"])
    response = post(
        api(world.bob),
        "acme",
        {"metric": "website-visits", "at": "2026-03-02T04:30:00Z", "value": 7},
    )
    assert response.status_code == 200
    assert str(Measurement.objects.get().day) == "2026-03-01"  # 23:30 on Sunday in New York


def test_a_bad_batch_names_each_item_and_saves_nothing(world, api, visits):
    response = post(
        api(world.bob),
        "acme",
        {"metric": "website-visits", "date": "2026-03-02", "value": 1},
        {"metric": "nope", "date": "2026-03-02", "value": 1},
        {"metric": "website-visits", "date": "2026-03-03", "value": "lots"},
    )
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "import_rejected"
    assert error["errors"] == [
        {"line": 2, "message": "unknown metric 'nope'"},
        {"line": 3, "message": "the value 'lots' is not a number"},
    ]
    assert Measurement.objects.count() == 0


def test_a_date_that_does_not_parse_is_a_422(world, api, visits):
    response = post(
        api(world.bob), "acme", {"metric": "website-visits", "date": "02/03/2026", "value": 1}
    )
    assert response.status_code == 422
    assert Measurement.objects.count() == 0


def test_a_dry_run_reports_and_saves_nothing(world, api, visits):
    response = post(
        api(world.bob),
        "acme",
        {"metric": "website-visits", "date": "2026-03-02", "value": 1},
        dry_run=True,
    )
    assert response.json()["created"] == 1 and response.json()["dry_run"] is True
    assert Measurement.objects.count() == 0


def test_a_viewer_cannot_push_measurements_and_an_outsider_does_not_see_the_workspace(
    world, api, visits
):
    item = {"metric": "website-visits", "date": "2026-03-02", "value": 1}
    assert post(api(world.carol), "acme", item).status_code == 403
    assert post(api(world.mallory), "acme", item).status_code == 404
    assert api(world.mallory)("get", f"/metrics/{visits.pk}").status_code == 404


def test_rollup_by_week_with_change_and_target(world, api, visits):
    bob = api(world.bob)
    post(
        bob,
        "acme",
        {"metric": "website-visits", "date": "2026-02-23", "value": 100},
        {"metric": "website-visits", "date": "2026-03-01", "value": 100},  # Sunday, week 9
        {"metric": "website-visits", "date": "2026-03-02", "value": 250},  # Monday, week 10
    )
    bob("put", f"/metrics/{visits.pk}/targets/week", {"value": 200})
    response = bob(
        "get",
        f"/metrics/{visits.pk}/rollup",
        **{"period": "week", "from": "2026-02-23", "to": "2026-03-08"},
    )
    body = response.json()
    assert [(b["label"], b["value"], b["change"], b["attainment"]) for b in body["buckets"]] == [
        ("2026-W09", 200.0, None, 1.0),
        ("2026-W10", 250.0, 50.0, 1.25),
    ]
    assert body["buckets"][1]["change_relative"] == 0.25
    assert body["time_zone"] == "UTC"


def test_changing_a_target_needs_a_reason_and_is_kept_in_the_history(world, api, visits):
    bob = api(world.bob)
    bob("put", f"/metrics/{visits.pk}/targets/month", {"value": 4000})
    refused = bob("put", f"/metrics/{visits.pk}/targets/month", {"value": 5000})
    assert refused.status_code == 422
    assert "say why" in refused.json()["error"]["message"]
    bob("put", f"/metrics/{visits.pk}/targets/month", {"value": 5000, "reason": "new blog"})
    revisions = bob("get", f"/metrics/{visits.pk}").json()["revisions"]
    assert [(r["old_value"], r["new_value"], r["reason"], r["by"]) for r in revisions] == [
        (4000.0, 5000.0, "new blog", "bob@acme.example"),
        (None, 4000.0, "", "bob@acme.example"),
    ]


def test_the_funnel_reports_conversions_and_the_biggest_drop(world, api):
    bob = api(world.bob)
    values = {"know": 10_000, "like": 2_000, "trust": 800, "try": 400, "buy": 40}
    for stage, value in values.items():
        services.create_metric(world.acme, name=f"{stage} volume", kind="output", stage=stage)
        post(bob, "acme", {"metric": f"{stage}-volume", "date": "2026-03-02", "value": value})
    bob("put", "/workspaces/acme/funnel", {"stages": {s: f"{s}-volume" for s in values}})
    body = bob(
        "get",
        "/workspaces/acme/funnel",
        **{"period": "month", "from": "2026-03-01", "to": "2026-03-31"},
    ).json()
    [march] = body["periods"]
    assert [round(c["rate"], 2) for c in march["conversions"]] == [0.2, 0.4, 0.5, 0.1]
    assert (march["biggest_drop"]["from_stage"], march["biggest_drop"]["to_stage"]) == (
        "try",
        "buy",
    )
    assert body["skipped"] == ["repeat", "refer"]


def test_series_of_a_builtin_metric_by_key(world, api):
    response = api(world.carol)("get", "/workspaces/acme/series/flow-throughput", period="week")
    assert response.status_code == 200
    assert response.json()["metric"] == "flow-throughput"


def test_deleting_a_metric_is_for_owners(world, api, visits):
    assert api(world.bob)("delete", f"/metrics/{visits.pk}").status_code == 403
    assert api(world.alice)("delete", f"/metrics/{visits.pk}").status_code == 204
