import json
from datetime import date

import pytest
from typer.testing import CliRunner

from leanmark.cli import app
from leanmark.valuestream import services
from leanmark.valuestream.models import Step

pytestmark = pytest.mark.django_db
runner = CliRunner()


def api(client, method, path, body=None, token=None):
    kwargs = {"content_type": "application/json", "data": json.dumps(body)} if body else {}
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return getattr(client, method)(f"/api/v1{path}", headers=headers, **kwargs)


@pytest.fixture
def bob(client_for, token_for, world):
    client, token = client_for(None), token_for(world.bob)
    return lambda method, path, body=None: api(client, method, path, body, token)


def test_it_builds_a_map_through_the_api_and_reads_its_summary(world, bob):
    created = bob("post", "/workspaces/acme/value-streams", {"name": "API map"})
    assert created.status_code == 201
    stream_id = created.json()["id"]
    for ca in ("95", "90", "92"):
        step = {
            "name": f"Step {ca}",
            "stage": "know",
            "pt_value": "1",
            "pt_unit": "h",
            "lt_value": "1",
            "lt_unit": "d",
            "ca_percent": ca,
        }
        assert bob("post", f"/value-streams/{stream_id}/steps", step).status_code == 201
    summary = bob("get", f"/value-streams/{stream_id}/summary").json()
    assert summary["basis"] == "calendar"
    assert summary["total"]["rolled_ca"] == pytest.approx(0.7866)
    assert summary["total"]["lead_time_minutes"] == 3 * 1440
    assert summary["total"]["lead_time"] == "3.0 d"
    assert summary["stages"]["know"]["steps"] == 3


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"pt_value": "3", "lt_value": "2", "lt_unit": "h"}, 422, "lt"),
        ({"ca_percent": "101"}, 422, "ca_percent"),
        ({"pt_value": "-1"}, 422, "pt_value"),
        ({"stage": "awareness"}, 422, "stage"),
        ({"colour": "red"}, 422, "colour"),
    ],
)
def test_the_api_refuses_bad_steps_with_the_field(world, bob, body, status, field):
    stream = services.create_stream(world.acme, services.StreamSettings(name="M"), actor=None)
    step = {
        "name": "Bad",
        "stage": "know",
        "pt_value": "1",
        "pt_unit": "h",
        "lt_value": "1",
        "lt_unit": "d",
        **body,
    }
    response = bob("post", f"/value-streams/{stream.pk}/steps", step)
    assert response.status_code == status
    error = response.json()["error"]
    assert field in error["fields"]
    assert not Step.objects.exists()


def test_linking_another_workspaces_column_through_the_api_is_refused(world, bob):
    stream = services.create_stream(world.acme, services.StreamSettings(name="M"), actor=None)
    step = services.add_step(
        stream, {"name": "S", "stage": "know", "pt_value": "1", "lt_value": "1"}, actor=None
    )
    foreign = world.evil_board.columns.first().pk
    response = bob("put", f"/value-stream-steps/{step.pk}/columns", {"column_ids": [foreign]})
    assert response.status_code == 422
    assert response.json()["error"]["fields"] == {
        "columns": f"no board column {foreign} in this workspace; pick columns of your own boards"
    }


def test_future_state_compare_and_apply_through_the_api(world, bob):
    stream = services.create_stream(world.acme, services.StreamSettings(name="M"), actor=None)
    services.add_step(
        stream, {"name": "Slow", "stage": "buy", "pt_value": "1", "lt_value": "4"}, actor=None
    )
    future = bob("post", f"/value-streams/{stream.pk}/future", {"name": "Faster"}).json()
    copy = future["steps"][0]
    assert copy["origin_id"] is not None
    assert bob("patch", f"/value-stream-steps/{copy['id']}", {"lt_value": "1"}).status_code == 200
    diff = bob("get", f"/value-streams/{stream.pk}/compare/{future['id']}").json()
    assert diff["steps"] == [
        {
            "kind": "changed",
            "current_step_id": copy["origin_id"],
            "future_step_id": copy["id"],
            "name": "Slow",
            "fields": ["lt"],
        }
    ]
    lead = next(c for c in diff["changes"] if c["figure"] == "Lead time")
    assert (lead["current"], lead["future"], lead["change"]) == (5760, 1440, -4320)
    applied = bob("post", f"/value-stream-steps/{copy['id']}/apply").json()
    assert applied["kind"] == "applied"
    assert applied["before"] == {"lt_value": "4.00"}
    lonely = services.create_stream(world.acme, services.StreamSettings(name="N"), actor=None)
    step = services.add_step(
        lonely, {"name": "S", "stage": "buy", "pt_value": "1", "lt_value": "1"}, actor=None
    )
    refused = bob("post", f"/value-stream-steps/{step.pk}/apply")
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "not_a_future_step"


def test_export_through_the_api(world, bob):
    stream = services.create_stream(world.acme, services.StreamSettings(name="M"), actor=None)
    response = bob("get", f"/value-streams/{stream.pk}/export?format=png")
    assert response.status_code == 200
    assert response.content.startswith(b"\x89PNG")


def run(*args):
    return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)


def make(world):
    stream = services.create_stream(world.acme, services.StreamSettings(name="CLI map"), actor=None)
    for ca in ("95", "90", "92"):
        services.add_step(
            stream,
            {
                "name": f"Step {ca}",
                "stage": "try",
                "pt_value": "2",
                "pt_unit": "h",
                "lt_value": "1",
                "lt_unit": "d",
                "ca_percent": ca,
            },
            actor=None,
        )
    return stream


def test_vsm_show_json_gives_the_summary(world):
    stream = make(world)
    result = run("vsm", "show", stream.pk, "--json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["name"] == "CLI map"
    assert data["summary"]["total"]["rolled_ca"] == pytest.approx(0.7866)
    assert [s["name"] for s in data["steps"]] == ["Step 95", "Step 90", "Step 92"]


def test_vsm_show_prints_the_steps_and_totals(world):
    stream = make(world)
    result = run("vsm", "show", stream.pk)
    assert result.exit_code == 0
    assert "CLI map (current) — times on calendar time (1 d = 24 h)" in result.stdout
    assert (
        "Lead time 3.0 d · process time 6.0 h · wait 2.8 d · activity ratio 8.3 % · "
        "rolled %C&A 78.7 % · waste steps 0 · monthly cost 0"
    ) in result.stdout


def test_vsm_compare_json(world):
    stream = make(world)
    future = services.create_future_state(stream, actor=None)
    services.delete_step(future.steps.get(name="Step 90"), actor=None)
    result = run("vsm", "compare", stream.pk, future.pk, "--json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert [s["kind"] for s in data["steps"]] == ["removed", "same", "same"]
    rolled = next(c for c in data["changes"] if c["figure"] == "Rolled %C&A")
    assert rolled["future"] == pytest.approx(0.874)


def test_vsm_export_writes_svg_and_png(world, tmp_path):
    stream = make(world)
    svg = tmp_path / "map.svg"
    result = run("vsm", "export", stream.pk, "--format", "svg", "--output", svg)
    assert result.exit_code == 0
    assert svg.read_text().count('<g class="process') == 3
    png = tmp_path / "map.png"
    assert run("vsm", "export", stream.pk, "-f", "png", "-o", png).exit_code == 0
    assert png.read_bytes().startswith(b"\x89PNG")


def test_vsm_export_refuses_an_unknown_format_and_an_unknown_map(world):
    stream = make(world)
    bad = run("vsm", "export", stream.pk, "--format", "gif")
    assert bad.exit_code == 1
    assert "unknown format 'gif'; use svg or png" in bad.stderr
    missing = run("vsm", "show", 999999)
    assert missing.exit_code == 1
    assert "no value stream 999999" in missing.stderr


def test_a_map_too_long_for_cairo_is_exported_smaller(world, monkeypatch):
    from io import BytesIO

    from PIL import Image

    from leanmark.valuestream import exports

    stream = make(world)
    monkeypatch.setattr(exports, "CAIRO_MAX_PX", 1000)
    content, kind = exports.export(stream, "png", today=date(2026, 11, 24))
    assert kind == "image/png"
    assert Image.open(BytesIO(content)).width <= 1000
