"""Inputs an audit found uncapped or answering 500: each test here failed before its fix.

Tags, assignees, allocation channels, ROI periods, days outside 1900-2100 (rollups, the dashboard,
the entry grid, the stand-up history), the flow series other apps read, value-stream step orders
and Trello exports with too many cards.
"""

import json
from datetime import date

import pytest
from django.test import Client

from leanmark.backlog.models import Idea
from leanmark.board import services as board
from leanmark.board.models import Board, Card
from leanmark.dashboard import queries as dashboard
from leanmark.dashboard import services as metrics
from leanmark.dashboard.errors import MetricError
from leanmark.domain import roi
from leanmark.domain.metrics import Period
from leanmark.flow import queries as flow
from leanmark.integrations import trello
from leanmark.lib.errors import InvalidInput
from leanmark.valuestream import services as valuestream

pytestmark = pytest.mark.django_db


def api(token: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}", raise_request_exception=False)


def send(client: Client, method: str, path: str, body: dict) -> tuple[int, dict]:
    response = getattr(client, method)(
        f"/api/v1{path}", json.dumps(body), content_type="application/json"
    )
    return response.status_code, response.json()


def refused(answer: dict, field: str, words: str) -> bool:
    error = answer["error"]
    return (
        error["code"] in ("invalid", "validation_error")
        and field in error["fields"]
        and words in error["message"]
    )


# ---- 1. tags: at most 20, refused as soon as there are more --------------------------------------


class Unreadable:
    def __str__(self) -> str:
        raise AssertionError("the tags were read past the cap")


def test_it_refuses_tags_as_soon_as_there_are_more_than_the_cap():
    tags = [f"t{i}" for i in range(board.MAX_TAGS + 1)] + [Unreadable()] * 100_000
    with pytest.raises(InvalidInput, match="at most 20 tags"):
        board.clean_tags(tags)


def test_the_api_refuses_more_than_20_tags_on_cards_and_ideas(world, token_for):
    client = api(token_for(world.bob))
    card = board.create_card(world.board, title="Tagged", actor=world.bob)
    idea = send(client, "post", "/ideas", {"title": "An idea", "workspace": "acme"})[1]
    tags = ["seo"] * 21  # one tag once cleaned: the service alone took it
    cases = [
        (
            "post",
            f"/boards/{world.board.pk}/cards",
            {"title": "x", "tags": tags},
            "at most 20 tags",
        ),
        ("patch", f"/cards/{card.pk}", {"version": card.version, "tags": tags}, "at most 20 tags"),
        ("post", "/ideas", {"title": "y", "workspace": "acme", "tags": tags}, "at most 20 items"),
        ("patch", f"/ideas/{idea['id']}", {"tags": tags}, "at most 20 items"),
    ]
    for method, path, body, words in cases:
        status, answer = send(client, method, path, body)
        assert status == 422, (path, answer)
        assert refused(answer, "tags", words), answer
    assert Card.objects.filter(board=world.board).count() == 1
    assert Idea.objects.filter(workspace=world.acme).count() == 1


# ---- 2. assignees: at most 50 ------------------------------------------------------------------


def test_it_refuses_more_than_50_assignees_in_the_service_and_the_api(world, token_for):
    with pytest.raises(InvalidInput, match="at most 50 assignees, not 51"):
        board.assignees_in(world.acme, [world.bob] * 51)
    status, answer = send(
        api(token_for(world.bob)),
        "post",
        f"/boards/{world.board.pk}/cards",
        {"title": "Crowded", "assignees": [world.bob.pk] * 51},
    )
    assert status == 422
    assert refused(answer, "assignees", "at most 50 assignees, not 51")
    assert not Card.objects.filter(board=world.board).exists()


# ---- 3. allocation: at most 50 channels ------------------------------------------------------


def test_an_allocation_over_more_than_50_channels_is_refused(world, token_for):
    curves = [roi.Curve(f"c{i}", 100.0, 10.0) for i in range(51)]
    with pytest.raises(roi.RoiInputError, match="at most 50 channels, not 51") as error:
        roi.allocate(curves, 1000.0)  # the web page and the CLI reach it here
    assert error.value.field == "curves"
    body = {
        "workspace": "acme",
        "budget": 1000,
        "curves": {f"c{i}": {"a": 100, "b": 10} for i in range(51)},
    }
    status, answer = send(api(token_for(world.carol)), "post", "/allocation", body)
    assert status == 422
    assert refused(answer, "curves", "at most 50 items")


# ---- 4. ROI periods: at most 20 years, within 1900-2100 ----------------------------------------


@pytest.mark.parametrize(
    ("period", "words"),
    [
        ("2026-07-01..9999-12-31", "within the years 1900 to 2100"),
        ("0001", "within the years 1900 to 2100"),
        ("2000-01-01..2020-01-01", "at most 20 years"),
        ("1000-01-01..9999-12-30", "within the years 1900 to 2100"),
    ],
)
def test_the_roi_report_refuses_a_period_too_long_or_outside_the_calendar(
    world, token_for, period, words
):
    response = api(token_for(world.carol)).get(f"/api/v1/workspaces/acme/roi?period={period}")
    assert response.status_code == 422
    assert refused(response.json(), "period", words)


def test_a_period_of_twenty_years_exactly_is_read():
    assert roi.parse_period("2000-02-29..2020-02-28", date(2026, 5, 1)) == (
        date(2000, 2, 29),
        date(2020, 2, 28),
    )
    with pytest.raises(roi.RoiInputError, match="at most 20 years"):
        roi.parse_period("2000-02-29..2020-02-29", date(2026, 5, 1))


# ---- 5. days outside 1900-2100 ---------------------------------------------------------------


def test_a_rollup_of_year_one_is_refused_not_500(world, token_for):
    metric = metrics.create_metric(world.acme, name="Visits", kind="output", stage="know")
    client = api(token_for(world.carol))
    for query, field in (("from=0001-01-01&to=0001-01-10", "from"), ("to=0001-01-10", "to")):
        response = client.get(f"/api/v1/metrics/{metric.pk}/rollup?{query}")
        assert response.status_code == 422, query
        assert refused(response.json(), field, "a day from 1900-01-01 to 2100-12-31")
    info = dashboard.info_of(metric)
    with pytest.raises(MetricError, match="not 9999-12-31"):  # what the CLI's rollup calls
        dashboard.rollup_report(
            world.acme, info, first=date(2100, 12, 1), last=date(9999, 12, 31), period=Period.MONTH
        )


def test_the_dashboard_and_the_grid_show_today_for_a_day_outside_the_calendar(world, client_for):
    client = client_for(world.carol)
    for path in ("dashboard/?as_of=0001-01-01", "dashboard/grid/?end=0001-01-01"):
        response = client.get(f"/w/acme/{path}")
        assert response.status_code == 200, path
        assert "=0001-01-01 is outside 1900-01-01 to 2100-12-31" in response.content.decode()
    response = client.get("/w/acme/dashboard/metrics/flow-throughput/?as_of=1900-03-01&period=year")
    assert response.status_code == 200


def test_a_standup_day_outside_the_calendar_is_not_found(world, client_for):
    client = client_for(world.carol)
    assert client.get("/w/acme/standup/0001-01-01/").status_code == 404
    assert client.get("/w/acme/standup/0001-01-01/summary.md").status_code == 404


# ---- 6. the flow series other apps read check their range ------------------------------------


def test_the_flow_series_refuse_ranges_past_their_cap_or_the_calendar(world, token_for, client_for):
    with pytest.raises(flow.FlowInputError, match="at most 22,692 days"):
        flow.daily_series(world.board, start=date(1901, 1, 1), end=date(2100, 12, 31))
    with pytest.raises(flow.FlowInputError, match="within 1900-01-01 to 2100-12-31"):
        flow.finished_items(world.board, since=date(2026, 1, 1), until=date(9999, 12, 31))
    # the longest series the API and the pages ask stay within the cap: 20 and 60 years per year
    response = api(token_for(world.carol)).get(
        "/api/v1/workspaces/acme/series/flow-throughput?period=year&from=2007-01-01&to=2026-12-31"
    )
    assert response.status_code == 200
    assert len(response.json()["buckets"]) == 20
    page = client_for(world.carol).get(
        "/w/acme/dashboard/metrics/flow-throughput/?period=year&from=1900-01-01"
    )
    assert page.status_code == 200


# ---- 7. value-stream step order: at most 1,000 ids ---------------------------------------------


def test_a_step_move_with_more_than_1000_ids_is_refused(world, token_for):
    stream = valuestream.create_stream(
        world.acme, valuestream.StreamSettings(name="Map"), actor=world.bob
    )
    step = valuestream.add_step(
        stream,
        {"name": "Write", "stage": "know", "pt_value": "1", "pt_unit": "h", "lt_value": "1",
         "lt_unit": "d"},
        actor=world.bob,
    )  # fmt: skip
    body = {"stage": "know", "order": [step.pk] * 1001}
    status, answer = send(
        api(token_for(world.bob)), "post", f"/value-stream-steps/{step.pk}/move", body
    )
    assert status == 422
    assert refused(answer, "order", "at most 1000 items")


# ---- 8. Trello exports: at most 20,000 cards -------------------------------------------------


def test_a_trello_export_with_more_than_20000_cards_is_refused_before_anything_is_written(world):
    data = {
        "name": "Huge",
        "lists": [{"id": "l1", "name": "Doing", "pos": 1}, {"id": "l2", "name": "Done", "pos": 2}],
        "cards": [
            {"id": f"{0x65000000:08x}{i:016x}", "idList": "l1", "name": f"Card {i}"}
            for i in range(20_001)
        ],
        "actions": [],
    }
    with pytest.raises(trello.TrelloError, match="has 20,001 cards and an import takes at most"):
        trello.import_board(world.acme, data)
    assert not Board.objects.filter(workspace=world.acme, name="Huge").exists()


def test_the_cli_rollup_refuses_a_last_day_outside_the_calendar_with_a_message(world):
    from typer.testing import CliRunner

    from leanmark.cli import app

    result = CliRunner().invoke(
        app, ["metrics", "rollup", "flow-throughput", "-w", "acme", "--to", "0001-01-10"]
    )
    assert result.exit_code == 1
    assert "--to must be a day from 1900-01-01 to 2100-12-31, not 0001-01-10" in result.output
    assert "Traceback" not in result.output
