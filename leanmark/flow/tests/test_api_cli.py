"""The flow API and the `leanmark flow|forecast|import|export` commands."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone
from typer.testing import CliRunner

from leanmark.board.models import Card
from leanmark.cli import app
from leanmark.flow import queries

from .builders import finished_after, history, load
from .test_views import GOOD, recent

runner = CliRunner()
REFERENCE = [5, 6, 6, 7, 7, 6, 5, 4, 4, 3]


@pytest.fixture(autouse=True)
def fresh_cache():
    queries.clear_cache()
    yield
    queries.clear_cache()


def get(client_for, token_for, user, path):
    return client_for(None).get(path, headers={"Authorization": f"Bearer {token_for(user)}"})


def test_the_flow_endpoint_gives_every_metric(world, client_for, token_for):
    load(world.board, *finished_after(world.board, REFERENCE))
    response = get(
        client_for,
        token_for,
        world.carol,
        f"/api/v1/boards/{world.board.pk}/flow?from=2026-03-01&to=2026-03-31",
    )
    assert response.status_code == 200
    data = response.json()
    assert data["from"] == "2026-03-01" and len(data["wip"]) == 31
    assert data["cycle_time"]["percentiles"] == {"50": 5.0, "70": 6.0, "85": 7.0, "95": 7.0}
    assert data["throughput"]["total"] == 10
    assert data["cfd"][0] == {"date": "2026-03-01", "at_or_after": [0, 0, 0, 0, 0]}
    assert data["littles_law"]["finished"] == 10
    assert data["columns"][1] == {"name": "Writing", "active": True}


def test_the_flow_endpoint_filters_by_lane(world, client_for, token_for):
    load(
        world.board,
        history(world.board, "Fast", [(1, "Writing"), (2, "Done")], lane="expedite"),
        history(world.board, "Slow", [(1, "Writing"), (9, "Done")]),
    )
    path = f"/api/v1/boards/{world.board.pk}/flow?from=2026-03-01&to=2026-03-31&lane=expedite"
    data = get(client_for, token_for, world.carol, path).json()
    assert data["cycle_time"]["items"] == 1
    assert data["cycle_time"]["finished"][0]["title"] == "Fast"


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("from=2026-03-10&to=2026-03-01", "before it starts"),
        ("from=not-a-date", "from"),
    ],
)
def test_a_bad_range_is_a_422_with_a_message(world, client_for, token_for, query, message):
    response = get(
        client_for, token_for, world.carol, f"/api/v1/boards/{world.board.pk}/flow?{query}"
    )
    assert response.status_code == 422
    assert message in response.json()["error"]["message"]


def test_forecasts_through_the_api(world, client_for, token_for):
    recent(world)
    since = (timezone.now().date() - timedelta(days=30)).isoformat()
    until = (timezone.now().date() + timedelta(days=10)).isoformat()
    base = f"/api/v1/boards/{world.board.pk}/forecast"
    many = get(
        client_for,
        token_for,
        world.carol,
        f"{base}/how-many?until={until}&window_from={since}&seed=7",
    ).json()
    assert [a["items"] for a in many["answers"]] == [20, 20, 20, 20]
    assert (many["seed"], many["trials"], many["periods_ahead"]) == (7, 10_000, 10)
    when = get(
        client_for, token_for, world.carol, f"{base}/when?items=9&window_from={since}"
    ).json()
    done = (timezone.now().date() + timedelta(days=5)).isoformat()
    assert when["answers"][0] == {"confidence": 50, "items": None, "periods": 5, "date": done}


@pytest.mark.parametrize(
    ("query", "status", "message"),
    [
        ("how-many?until=2020-01-01", 422, "is not in the future"),
        ("how-many", 422, "invalid input (until: required)"),
        ("when", 422, "invalid input (items: required)"),
        ("when?items=0", 422, "at least 1"),
        ("when?items=5&trials=2000000", 422, "between 1 and 1,000,000"),
        ("when?items=5", 422, "no item was finished"),
        ("when?items=5&period=month", 422, "period"),
    ],
)
def test_bad_forecasts_are_explained(world, client_for, token_for, query, status, message):
    path = f"/api/v1/boards/{world.board.pk}/forecast/{query}"
    response = get(client_for, token_for, world.carol, path)
    assert response.status_code == status
    assert message in response.json()["error"]["message"]


def today_on(board):
    return timezone.now().astimezone(queries.time_zone(board)).date()


def test_a_forecast_at_the_caps_with_the_defaults_is_answered(world, client_for, token_for):
    recent(world)
    since = (timezone.now().date() - timedelta(days=30)).isoformat()
    furthest = (today_on(world.board) + timedelta(days=1_826)).isoformat()
    base = f"/api/v1/boards/{world.board.pk}/forecast"
    many = get(client_for, token_for, world.carol, f"{base}/how-many?until={furthest}")
    assert many.status_code == 200
    assert (many.json()["periods_ahead"], many.json()["trials"]) == (1_826, 10_000)
    query = f"when?items=10000&window_from={since}"
    assert get(client_for, token_for, world.carol, f"{base}/{query}").status_code == 200


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("how-many?until={far}", "until", "until is at most 5 years ahead ({furthest}); got {far}"),
        (
            "how-many?until=2778-04-23",
            "until",
            "at most 5 years ahead ({furthest}); got 2778-04-23",
        ),
        ("when?items=10001", "items", "items is at most 10,000; got 10,001"),
        ("when?items=1000000&trials=100000", "items", "items is at most 10,000; got 1,000,000"),
        (
            "how-many?until={furthest}&trials=20000",
            "trials",
            "trials × periods is at most 20,000,000 draws; got 20,000 × 1,826 = 36,520,000",
        ),
        (
            "how-many?until={furthest}&period=week&trials=100000",
            "trials",
            "at most 20,000,000 draws; got 100,000 × 260 = 26,000,000: use at most 76,923",
        ),
        ("when?items=5&trials=38462", "trials", "got 38,462 × 520 = 20,000,240"),
    ],
)
def test_a_forecast_past_a_cap_is_a_422_naming_it(
    world, client_for, token_for, monkeypatch, query, field, message
):
    def unread(board):
        raise AssertionError("a refused forecast must not read the history")

    monkeypatch.setattr(queries, "flow_data", unread)
    today = today_on(world.board)
    words = {"furthest": today + timedelta(days=1_826), "far": today + timedelta(days=1_827)}
    path = f"/api/v1/boards/{world.board.pk}/forecast/{query.format(**words)}"
    response = get(client_for, token_for, world.carol, path)
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert message.format(**words) in error["message"]
    assert error["fields"] == {field: error["message"]}


def test_cli_refuses_a_forecast_past_the_caps(world):
    far = (today_on(world.board) + timedelta(days=1_827)).isoformat()
    result = runner.invoke(app, ["forecast", "how-many", "-w", world.acme.slug, "--until", far])
    assert result.exit_code == 1
    assert "until is at most 5 years ahead" in result.output
    assert f"got {far}" in result.output
    result = runner.invoke(app, ["forecast", "when", "-w", world.acme.slug, "--items", "10001"])
    assert result.exit_code == 1
    assert "items is at most 10,000; got 10,001" in result.output
    result = runner.invoke(
        app, ["forecast", "when", "-w", world.acme.slug, "--items", "5", "--trials", "50000"]
    )
    assert result.exit_code == 1
    assert "at most 20,000,000 draws; got 50,000 × 520" in result.output


def test_cli_flow_report_as_json(world):
    load(world.board, *finished_after(world.board, REFERENCE))
    result = runner.invoke(
        app,
        [
            "flow",
            "report",
            "-w",
            world.acme.slug,
            "--from",
            "2026-03-01",
            "--to",
            "2026-03-31",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["cycle_time"]["percentiles"] == {"50": 5.0, "70": 6.0, "85": 7.0, "95": 7.0}


def test_cli_flow_report_table_says_where_numbers_come_from(world):
    load(world.board, *finished_after(world.board, REFERENCE))
    result = runner.invoke(
        app, ["flow", "report", "-w", world.acme.slug, "--from", "2026-03-01", "--to", "2026-03-31"]
    )
    assert result.exit_code == 0
    assert "10 items ÷ 31 days" in result.output
    assert "Cycle time 85%" in result.output and "7.0 d" in result.output


def test_cli_forecasts(world):
    recent(world)
    since = (timezone.now().date() - timedelta(days=30)).isoformat()
    result = runner.invoke(
        app,
        [
            "forecast",
            "when",
            "-w",
            world.acme.slug,
            "--items",
            "9",
            "--window-from",
            since,
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["answers"][3]["periods"] == 5
    result = runner.invoke(
        app, ["forecast", "how-many", "-w", world.acme.slug, "--until", "2020-01-01"]
    )
    assert result.exit_code == 1
    assert "is not in the future" in result.output


def test_cli_imports_a_card_history_all_or_nothing(world, tmp_path):
    good = tmp_path / "history.csv"
    good.write_text(GOOD)
    result = runner.invoke(
        app,
        [
            "import",
            "card-history",
            "-w",
            world.acme.slug,
            str(good),
            "--board",
            str(world.board.pk),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "Imported 2 cards with their history into Marketing." in result.output
    bad = tmp_path / "bad.csv"
    bad.write_text("id,title,Ready,Writing\n1,x,2026-03-05,2026-03-01\n")
    result = runner.invoke(app, ["import", "card-history", str(bad), "-w", world.acme.slug])
    assert result.exit_code == 1
    assert "line 2: dates out of order" in result.output
    assert Card.objects.filter(board=world.board).count() == 2


def test_cli_exports_the_event_log(world, tmp_path):
    load(world.board, history(world.board, "A", [(1, "Writing")]))
    target = tmp_path / "events.csv"
    result = runner.invoke(
        app, ["export", "events", "-w", world.acme.slug, "--output", str(target)]
    )
    assert result.exit_code == 0
    assert "Wrote 2 events" in result.output
    assert target.read_text().splitlines()[1].split(",")[2] == "created"


def test_the_backtest_re_runs_past_forecasts_and_says_how_often_they_came_true(
    world, client_for, token_for
):
    recent(world, per_day=1, days=60)  # one item a day for the last 60 days
    path = f"/api/v1/boards/{world.board.pk}/forecast/backtest?horizon=7&window=14&step=7"
    response = get(client_for, token_for, world.carol, path)
    assert response.status_code == 200, response.content
    data = response.json()
    # runs whose 14-day history finished nothing are left out: those that start 14+ days after
    # the first finished item, up to 7 days before today
    assert data["runs"] and all(run["actual"] == 7 for run in data["runs"])
    assert {lv["confidence"]: lv["hit_rate"] for lv in data["levels"]} == {
        50: 1.0, 70: 1.0, 85: 1.0, 95: 1.0,
    }  # fmt: skip
    assert data["predictability"] == pytest.approx(0.75)
    bad = get(client_for, token_for, world.carol, path.replace("horizon=7", "horizon=0"))
    assert bad.status_code == 422
    assert get(client_for, token_for, world.mallory, path).status_code == 404
    cli = runner.invoke(
        app,
        ["forecast", "backtest", "-w", "acme", "--horizon", "7", "--window", "14", "--step", "7"],
        catch_exceptions=False,
    )
    assert cli.exit_code == 0, cli.stderr
    assert f"{len(data['runs'])} past forecasts of 7 days from 14 days of history: " in cli.stdout
    assert "predictability 75 %" in cli.stdout
