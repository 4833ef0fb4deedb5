import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from leanmark.backlog import services
from leanmark.backlog.models import Idea
from leanmark.board import services as board_services


@pytest.fixture
def api(world, client_for, token_for):
    tokens = {n: token_for(getattr(world, n)) for n in ("alice", "bob", "carol", "mallory")}

    def call(who, method, path, body=None):
        headers = {"Authorization": f"Bearer {tokens[who]}"} if who else {}
        kwargs = (
            {"content_type": "application/json", "data": json.dumps(body)}
            if body is not None
            else {}
        )
        response = getattr(client_for(None), method)(f"/api/v1{path}", headers=headers, **kwargs)
        return response.status_code, (response.json() if response.content else None)

    return call


def test_a_token_captures_an_idea_in_one_call(world, api):
    status, body = api("bob", "post", "/ideas", {"workspace": "acme", "title": "Loyalty card"})
    assert status == 201
    assert (body["title"], body["status"], body["workspace"]) == ("Loyalty card", "new", "acme")
    assert Idea.objects.get().created_by == world.bob


def test_capture_without_a_workspace_uses_the_callers_only_one(world, api):
    status, body = api("mallory", "post", "/ideas", {"title": "Evil plan", "stage": "know"})
    assert (status, body["workspace"]) == (201, world.evil.slug)


def test_capture_refuses_bad_input_with_the_envelope(world, api):
    status, body = api("bob", "post", "/ideas", {"workspace": "acme", "title": " "})
    assert status == 422
    assert body["error"]["message"] == "the title cannot be empty"
    status, body = api("bob", "post", "/ideas", {"workspace": "acme", "title": "x", "stage": "up"})
    assert (status, body["error"]["code"]) == (422, "validation_error")
    assert not Idea.objects.exists()


def test_a_viewer_cannot_capture_and_an_outsider_sees_nothing(world, api):
    assert api("carol", "post", "/ideas", {"workspace": "acme", "title": "x"})[0] == 403
    assert api("mallory", "post", "/ideas", {"workspace": "acme", "title": "x"})[0] == 404
    idea = services.capture_idea(world.acme, title="ours", actor=None)
    assert api("mallory", "get", f"/ideas/{idea.pk}")[0] == 404
    assert api("mallory", "get", "/ideas?workspace=acme")[0] == 404


def score(api, idea, **body):
    return api("bob", "post", f"/ideas/{idea.pk}/score", body)


def test_score_rank_and_explain_for_a_date(world, api):
    steady = services.capture_idea(world.acme, title="Steady", actor=None)
    launch = services.capture_idea(world.acme, title="Launch", actor=None)
    assert score(api, steady, model="cd3", value_rate=30, duration_weeks=2)[0] == 200
    status, body = score(
        api, launch, model="cd3", profile="fixed_date", value_rate=40, duration_weeks=2,
        deadline="2099-12-29", penalty=100,
    )  # fmt: skip
    assert status == 200
    assert body["status"] == "evaluated"
    assert body["inputs"]["deadline"] == "2099-12-29"
    status, body = api("bob", "get", "/ideas?workspace=acme&rank=cd3&on=2099-12-01")
    assert status == 200
    assert (body["model"], body["on"]) == ("cd3", "2099-12-01")
    assert [(i["title"], i["rank"]) for i in body["items"]] == [("Steady", 1), ("Launch", 2)]
    _, body = api("bob", "get", "/ideas?workspace=acme&rank=cd3&on=2099-12-20")
    first = body["items"][0]
    assert first["title"] == "Launch"
    assert first["scores"]["cd3"]["deadline_at_risk"] is True
    assert first["scores"]["cd3"]["explanation"].startswith("CD3 50 = 100/week ÷ 2 weeks")


def test_scores_out_of_range_answer_422_and_change_nothing(world, api):
    idea = services.capture_idea(world.acme, title="x", actor=None)
    status, body = score(api, idea, model="ice", impact=0, confidence=5, ease=5)
    assert (status, body["error"]["fields"]) == (
        422,
        {"impact": "Impact must be a whole number from 1 to 10, not 0"},
    )
    status, body = score(api, idea, model="cd3", profile="someday", value_rate=1, duration_weeks=1)
    assert (status, body["error"]["code"]) == (422, "validation_error")
    status, body = score(api, idea, model="cd3", value_rate=1, duration_weeks=-1)
    assert body["error"]["fields"] == {
        "duration_weeks": "The duration must be more than 0 weeks (CD3 divides by it)"
    }
    status, body = score(
        api, idea, model="cd3", profile="fixed_date", value_rate=1, duration_weeks=1,
        deadline="2020-01-01", penalty=1,
    )  # fmt: skip
    assert body["error"]["message"] == "The deadline 2020-01-01 is in the past"
    idea.refresh_from_db()
    assert (idea.status, idea.version) == ("new", 1)


def test_triage_start_and_history(world, api):
    idea = services.capture_idea(world.acme, title="Gift box", actor=None)
    score(api, idea, model="ice", impact=8, confidence=8, ease=7)
    status, body = api("bob", "post", f"/ideas/{idea.pk}/triage", {"status": "rejected"})
    assert (status, body["error"]["fields"]) == (
        422,
        {"reason": "say why the idea is rejected: a reason is required"},
    )
    status, body = api("bob", "post", f"/ideas/{idea.pk}/triage", {"status": "accepted"})
    assert (status, body["scores"]["ice"]["value"]) == (200, 7.67)
    status, body = api("bob", "post", f"/ideas/{idea.pk}/start", {})
    assert status == 201
    assert (body["column"], body["card_number"]) == ("Ready", 1)
    _, got = api("carol", "get", f"/ideas/{idea.pk}")
    assert got["card_number"] == 1
    _, events = api("carol", "get", f"/ideas/{idea.pk}/events")
    assert [e["kind"] for e in events] == ["captured", "scored", "status", "started"]


def test_start_into_a_full_column_answers_409_with_the_boards_message(world, api):
    ready = world.column("Ready")
    board_services.update_column(ready, board_services.ColumnSpec("Ready", ready.kind, 0, "hard"))
    idea = services.capture_idea(world.acme, title="x", actor=None)
    score(api, idea, model="ice", impact=1, confidence=1, ease=1)
    api("bob", "post", f"/ideas/{idea.pk}/triage", {"status": "accepted"})
    status, body = api("bob", "post", f"/ideas/{idea.pk}/start", {})
    assert (status, body["error"]["code"]) == (409, "wip_limit_exceeded")
    assert body["error"]["message"].startswith("Ready is at its WIP limit (0/0, hard)")


def test_bulk_triage_and_edit_and_delete(world, api):
    a = services.capture_idea(world.acme, title="a", actor=None)
    b = services.capture_idea(world.acme, title="b", actor=None)
    status, body = api(
        "bob", "post", "/ideas/triage",
        {"workspace": "acme", "ids": [a.pk, b.pk], "status": "parked", "reason": "Q2"},
    )  # fmt: skip
    assert (status, body) == (200, {"changed": 2})
    status, body = api("bob", "patch", f"/ideas/{a.pk}", {"channel": "Email", "version": 1})
    assert (status, body["error"]["code"]) == (409, "stale_version")
    status, body = api("bob", "patch", f"/ideas/{a.pk}", {"channel": "Email", "version": 2})
    assert (status, body["channel"]) == (200, "Email")
    assert api("bob", "delete", f"/ideas/{b.pk}")[0] == 204
    assert list(Idea.objects.values_list("title", flat=True)) == ["a"]


def test_the_owner_chooses_the_default_model(world, api):
    assert api("bob", "put", "/workspaces/acme/backlog", {"default_model": "ice"})[0] == 403
    assert api("alice", "put", "/workspaces/acme/backlog", {"default_model": "ice"}) == (
        200,
        {"default_model": "ice"},
    )
    assert api("carol", "get", "/ideas?workspace=acme")[1]["model"] == "ice"


def test_the_list_makes_the_same_number_of_queries_for_5_and_50_ideas(world, api, client_for):
    def queries_for_list():
        with CaptureQueriesContext(connection) as ctx:
            status, _ = api("bob", "get", "/ideas?workspace=acme")
        assert status == 200
        return len(ctx.captured_queries)

    api("bob", "get", "/ideas?workspace=acme")  # the token's last-used stamp
    for i in range(5):
        services.capture_idea(world.acme, title=f"i{i}", actor=None)
    small = queries_for_list()
    for i in range(45):
        services.capture_idea(world.acme, title=f"j{i}", actor=None)
    assert queries_for_list() == small
