"""The board's working calendar and the campaign forecast (issue 23 item 11), from the web, the
API and the CLI: days off are not sampled nor counted ahead, and a launch date has a chance."""

import json
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from typer.testing import CliRunner

from leanmark.cli import app
from leanmark.flow import queries, services
from leanmark.flow.models import BlackoutDay

from .builders import T0, history, load

runner = CliRunner()
NOW = datetime(2026, 12, 10, 12, tzinfo=UTC)  # a Thursday
TODAY = NOW.date()
WINDOW = {"window_from": "2026-11-12", "window_to": "2026-12-09"}  # 28 days, 20 weekdays


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch):
    queries.clear_cache()
    monkeypatch.setattr(timezone, "now", lambda: NOW)
    yield
    queries.clear_cache()


def offset(day: date, hour: float) -> float:
    return (day - T0.date()).days + hour / 24


def weekdays(world):
    """One card finished on each weekday of the window (none at weekends)."""
    first = date(2026, 11, 12)
    cards = []
    for i in range(28):
        day = first + timedelta(days=i)
        if day.weekday() < 5:
            cards.append(
                history(
                    world.board,
                    f"W{day}",
                    [(offset(day, 9), "Writing"), (offset(day, 15), "Done")],
                    created=offset(day, 8),
                )
            )
    load(world.board, *cards)


def campaign(world, todo: int = 5):
    """``todo`` not-done cards tagged "launch" (channel email), and one done before the window
    (so the history stays one item a weekday)."""
    cards = [
        replace(
            history(world.board, f"Launch {i}", [], created=offset(date(2026, 12, 1), 9)),
            tags=("launch",),
            channel="email",
        )
        for i in range(todo)
    ]
    done = history(
        world.board,
        "Launch done",
        [(offset(date(2026, 11, 10), 9), "Writing"), (offset(date(2026, 11, 10), 20), "Done")],
        created=offset(date(2026, 11, 9), 9),
    )
    cards.append(replace(done, tags=("launch",), channel="email"))
    load(world.board, *cards)


def page_url(world, name="flow-forecast", **query):
    found = reverse(name, kwargs={"ws": world.acme.slug, "board_id": world.board.pk})
    return found + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def api(client_for, token_for, user, method, path, body=None):
    client = client_for(None)
    headers = {"Authorization": f"Bearer {token_for(user)}"}
    call = getattr(client, method)
    if body is None:
        return call(path, headers=headers)
    return call(path, json.dumps(body), content_type="application/json", headers=headers)


# ---- the forecast with the calendar ------------------------------------------------------------


def test_with_weekends_off_ten_items_from_friday_are_done_the_thursday_after_next(
    world, client_for
):
    weekdays(world)
    services.set_weekends_off(world.board, True)
    page = client_for(world.carol).get(page_url(world, mode="when", items=10, **WINDOW))
    html = page.content.decode()
    assert page.status_code == 200
    assert html.count("<b>Thu 24 Dec 2026</b>") == 4  # Fri 11, Mon 14 to Fri 18, Mon 21 to Thu 24
    assert "(10 days)" in html
    assert "weekends off; 8 days off in the window not sampled" in html
    assert "history: 20 days from" in html  # the 20 weekdays, each finished one item


def test_without_the_calendar_the_weekend_zeros_are_sampled(world, client_for):
    weekdays(world)
    html = client_for(world.carol).get(page_url(world, mode="when", items=10, **WINDOW))
    html = html.content.decode()
    assert "history: 28 days from" in html
    assert "8 days finished nothing" in html
    assert "<b>Thu 24 Dec 2026</b>" not in html.split("85%", 1)[1].split("</tr>")[0]


def test_a_blackout_day_ahead_pushes_the_answer_date_past_it(world, client_for):
    weekdays(world)
    services.set_weekends_off(world.board, True)
    services.add_days_off(world.board, date(2026, 12, 22), reason="Team day")
    html = client_for(world.carol).get(page_url(world, mode="when", items=10, **WINDOW))
    assert html.content.decode().count("<b>Fri 25 Dec 2026</b>") == 4


def test_how_many_by_a_date_counts_only_working_days(world, client_for):
    weekdays(world)
    services.set_weekends_off(world.board, True)
    services.add_days_off(world.board, date(2026, 11, 20), reason="Holiday")  # in the window
    html = client_for(world.carol).get(
        page_url(world, mode="how_many", until="2026-12-24", **WINDOW)
    )
    html = html.content.decode()
    # 10 working days ahead; the history's holiday (a Friday's item moves to Monday) is not a 0
    assert html.count("<b>10</b> items") == 4
    assert "9 days off in the window not sampled, 4 days off ahead not counted" in html


def test_a_date_whose_days_ahead_are_all_off_is_refused(world, client_for):
    weekdays(world)
    services.set_weekends_off(world.board, True)
    services.add_days_off(world.board, date(2026, 12, 11))
    response = client_for(world.carol).get(
        page_url(world, mode="how_many", until="2026-12-13", **WINDOW)
    )
    assert response.status_code == 422
    assert "every day from tomorrow to 2026-12-13 is off" in response.content.decode()


def test_the_backtest_on_the_page_respects_the_calendar(world, client_for):
    weekdays(world)
    services.set_weekends_off(world.board, True)
    found = queries.forecast_backtest(world.board, now=NOW, horizon=7, window=14, step=7)
    # Each past forecast: 5 working days ahead, sampled from working days that all finished 1.
    assert found.result.runs
    assert {r.actual for r in found.result.runs[-1:]} == {5}
    assert found.result.runs[-1].answers == {50: 5, 70: 5, 85: 5, 95: 5}


# ---- the campaign forecast --------------------------------------------------------------------


def test_the_campaign_is_certain_by_a_launch_five_working_days_away(world, client_for):
    weekdays(world)
    campaign(world)
    services.set_weekends_off(world.board, True)
    query = {"mode": "campaign", "campaign_tag": "launch", "launch": "2026-12-17", **WINDOW}
    html = client_for(world.carol).get(page_url(world, **query)).content.decode()
    assert "all <b>5</b> not-done cards tagged “launch”" in html
    assert '<b class="probability">100.0 %</b>' in html
    assert "10,000 of 10,000 trials finished 5 items within the 5 working days" in html
    assert html.count("<td>Ready</td>") == 5 and "Launch done" not in html


def test_a_launch_one_working_day_too_early_has_no_chance(world, client_for):
    weekdays(world)
    campaign(world)
    services.set_weekends_off(world.board, True)
    query = {"mode": "campaign", "campaign_channel": "email", "launch": "2026-12-16", **WINDOW}
    html = client_for(world.carol).get(page_url(world, **query)).content.decode()
    assert '<b class="probability">0.0 %</b>' in html
    assert "of channel “email”" in html and "(2 days off not counted)" in html


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"launch": "2026-12-17"}, "choose the campaign&#x27;s tag or channel"),
        ({"campaign_tag": "launch", "launch": "2026-12-10"}, "is not in the future"),
        ({"campaign_tag": "launch"}, "choose the launch date"),
        ({"campaign_tag": "launch", "launch": "soon"}, "is not a date"),
    ],
)
def test_a_bad_campaign_question_is_explained(world, client_for, query, message):
    weekdays(world)
    query = {"mode": "campaign", **query}
    if "launch" not in query:
        query["launch"] = ""
    response = client_for(world.carol).get(page_url(world, **query))
    assert response.status_code == 422
    assert message in response.content.decode()


def test_a_campaign_with_nothing_left_is_certain(world, client_for):
    weekdays(world)
    campaign(world, todo=0)  # its one card is done
    query = {"mode": "campaign", "campaign_tag": "launch", "launch": "2026-12-11", **WINDOW}
    html = client_for(world.carol).get(page_url(world, **query)).content.decode()
    assert '<b class="probability">100.0 %</b>' in html
    assert "No card of the campaign is left to do." in html


def test_a_tag_and_a_channel_no_card_has_together_are_refused_not_certain(world, client_for):
    weekdays(world)
    campaign(world)  # tagged "launch", channel "email"
    load(world.board, replace(history(world.board, "Ads", [], created=offset(date(2026, 12, 1), 9)),
                              channel="ads"))  # fmt: skip
    query = {"mode": "campaign", "campaign_tag": "launch", "campaign_channel": "ads",
             "launch": "2026-12-17", **WINDOW}  # fmt: skip
    response = client_for(world.carol).get(page_url(world, **query))
    assert response.status_code == 422
    html = response.content.decode()
    assert "no card still to do is both tagged &#x27;launch&#x27; and of the channel" in html
    assert "probability" not in html.split("</form>")[-1]


def test_the_campaign_channel_is_matched_in_any_case(world, client_for):
    weekdays(world)
    campaign(world)  # channel "email"
    query = {"mode": "campaign", "campaign_channel": "Email", "launch": "2026-12-17", **WINDOW}
    html = client_for(world.carol).get(page_url(world, **query)).content.decode()
    assert "all <b>5</b> not-done cards of channel “Email”" in html


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"campaign_tag": "lanch"}, "no card of this board is tagged &#x27;lanch&#x27;"),
        (
            {"campaign_channel": "Emial"},
            "no card has the channel &#x27;Emial&#x27;; the cards&#x27; channels are email",
        ),
    ],
)
def test_a_misspelt_campaign_is_refused_not_certain(world, client_for, query, message):
    weekdays(world)
    campaign(world)
    query = {"mode": "campaign", "launch": "2026-12-17", **query, **WINDOW}
    response = client_for(world.carol).get(page_url(world, **query))
    html = response.content.decode()
    assert response.status_code == 422
    assert message in html and "probability" not in html


# ---- editing the calendar on the page ----------------------------------------------------------


def test_a_member_adds_a_range_of_days_off_on_the_page(world, client_for):
    response = client_for(world.bob).post(
        page_url(world, "flow-calendar"),
        {"action": "add", "day": "2026-12-24", "to": "2026-12-26", "reason": "Holidays"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert response["HX-Trigger"] == "calendar-changed"
    html = response.content.decode()
    assert "3 days off added." in html and html.count("<td>Holidays</td>") == 3
    days = list(BlackoutDay.objects.filter(board=world.board).values_list("day", flat=True))
    assert days == [date(2026, 12, 24), date(2026, 12, 25), date(2026, 12, 26)]


def test_a_member_removes_a_day_off_and_switches_weekends(world, client_for):
    services.add_days_off(world.board, date(2026, 12, 24))
    client = client_for(world.bob)
    removed = client.post(
        page_url(world, "flow-calendar"),
        {"action": "remove", "day": "2026-12-24"},
        HTTP_HX_REQUEST="true",
    )
    assert "1 day off removed." in removed.content.decode()
    weekends = client.post(
        page_url(world, "flow-calendar"),
        {"action": "weekends", "weekends_off": "on"},
        HTTP_HX_REQUEST="true",
    )
    assert "Weekends are days off." in weekends.content.decode()
    assert queries.working_calendar(world.board).weekends_off is True
    assert queries.working_calendar(world.board).days == []


def test_without_htmx_the_page_redirects_back_to_the_forecast(world, client_for):
    response = client_for(world.bob).post(
        page_url(world, "flow-calendar"), {"action": "add", "day": "2026-12-24"}
    )
    assert response.status_code == 302 and response["Location"] == page_url(world)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"action": "add", "day": "tomorrow"}, "must be a date as YYYY-MM-DD"),
        (
            {"action": "add", "day": "2026-12-24", "to": "2026-12-01"},
            "the last day off (1 Dec 2026) is before the first (24 Dec 2026); swap them",
        ),
        (
            {"action": "add", "day": "2026-01-01", "to": "2027-12-31"},
            "at most 366 days off at once; 1 Jan 2026 to 31 Dec 2027 is 730 days",
        ),
        ({"action": "add", "day": "2026-12-24", "reason": "x" * 81}, "at most 80 are allowed"),
        ({"action": "add", "day": "2026-12-24", "reason": "a\x00b"}, "control characters"),
        ({"action": "explode"}, "unknown action"),
    ],
)
def test_bad_calendar_input_is_explained_and_changes_nothing(world, client_for, data, message):
    response = client_for(world.bob).post(
        page_url(world, "flow-calendar"), data, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 422
    assert message in response.content.decode()
    assert not BlackoutDay.objects.filter(board=world.board).exists()


def test_a_viewer_sees_the_calendar_but_cannot_change_it(world, client_for):
    services.add_days_off(world.board, date(2026, 12, 24), reason="Christmas Eve")
    page = client_for(world.carol).get(page_url(world)).content.decode()
    assert "Christmas Eve" in page and "Only members can change the calendar." in page
    response = client_for(world.carol).post(
        page_url(world, "flow-calendar"), {"action": "add", "day": "2026-12-25"}
    )
    assert response.status_code == 403
    assert BlackoutDay.objects.filter(board=world.board).count() == 1


def test_an_outsider_gets_404_from_the_calendar(world, client_for):
    response = client_for(world.mallory).post(
        page_url(world, "flow-calendar"), {"action": "add", "day": "2026-12-25"}
    )
    assert response.status_code == 404
    assert not BlackoutDay.objects.filter(board=world.board).exists()


# ---- the API ----------------------------------------------------------------------------------


def test_the_calendar_through_the_api(world, client_for, token_for):
    base = f"/api/v1/boards/{world.board.pk}/calendar"
    added = api(
        client_for,
        token_for,
        world.bob,
        "post",
        f"{base}/days",
        {"day": "2026-12-24", "to": "2026-12-25", "reason": "Holidays"},
    )
    assert added.status_code == 200
    assert added.json() == {
        "board_id": world.board.pk,
        "weekends_off": False,
        "days_off": [
            {"day": "2026-12-24", "reason": "Holidays"},
            {"day": "2026-12-25", "reason": "Holidays"},
        ],
    }
    patched = api(client_for, token_for, world.bob, "patch", base, {"weekends_off": True})
    assert patched.json()["weekends_off"] is True
    removed = api(client_for, token_for, world.bob, "delete", f"{base}/days/2026-12-24")
    assert removed.json() == {"removed": 1}
    read = api(client_for, token_for, world.carol, "get", base).json()
    assert read["days_off"] == [{"day": "2026-12-25", "reason": "Holidays"}]


def test_the_api_refuses_a_bad_range_with_the_envelope(world, client_for, token_for):
    response = api(
        client_for,
        token_for,
        world.bob,
        "post",
        f"/api/v1/boards/{world.board.pk}/calendar/days",
        {"day": "2026-12-24", "to": "2026-12-01"},
    )
    assert response.status_code == 422
    assert response.json()["error"]["message"].startswith("the last day off (1 Dec 2026) is before")


def test_the_api_checks_roles_on_the_calendar(world, client_for, token_for):
    base = f"/api/v1/boards/{world.board.pk}/calendar"
    body = {"day": "2026-12-24"}
    assert api(client_for, token_for, world.carol, "post", f"{base}/days", body).status_code == 403
    assert (
        api(client_for, token_for, world.carol, "patch", base, {"weekends_off": True}).status_code
        == 403
    )
    assert (
        api(client_for, token_for, world.carol, "delete", f"{base}/days/2026-12-24").status_code
        == 403
    )
    assert api(client_for, token_for, world.mallory, "get", base).status_code == 404
    assert (
        api(client_for, token_for, world.mallory, "post", f"{base}/days", body).status_code == 404
    )
    assert not BlackoutDay.objects.filter(board=world.board).exists()


def test_the_campaign_forecast_through_the_api(world, client_for, token_for):
    weekdays(world)
    campaign(world)
    services.set_weekends_off(world.board, True)
    path = (
        f"/api/v1/boards/{world.board.pk}/forecast/campaign?tag=launch&launch=2026-12-17"
        "&window_from=2026-11-12&window_to=2026-12-09"
    )
    data = api(client_for, token_for, world.carol, "get", path).json()
    assert (data["items"], data["probability"], data["done_trials"]) == (5, 1.0, 10_000)
    assert data["periods_ahead"] == 5 and data["history"] == [1] * 20
    assert data["calendar"] == {"weekends_off": True, "days_off_in_window": 8, "days_off_ahead": 2}
    assert [c["title"] for c in data["cards"]] == [f"Launch {i}" for i in range(5)]
    outsider = api(client_for, token_for, world.mallory, "get", path)
    assert outsider.status_code == 404


def test_the_when_forecast_through_the_api_names_the_calendar(world, client_for, token_for):
    weekdays(world)
    services.set_weekends_off(world.board, True)
    path = (
        f"/api/v1/boards/{world.board.pk}/forecast/when?items=10"
        "&window_from=2026-11-12&window_to=2026-12-09"
    )
    data = api(client_for, token_for, world.carol, "get", path).json()
    assert {a["date"] for a in data["answers"]} == {"2026-12-24"}
    assert data["calendar"] == {"weekends_off": True, "days_off_in_window": 8, "days_off_ahead": 4}


# ---- the CLI ----------------------------------------------------------------------------------


def test_the_calendar_from_the_command_line(world):
    ws = ["-w", world.acme.slug]
    added = runner.invoke(
        app,
        ["flow", "calendar", "add", "2026-12-24", "--to", "2026-12-25", "--reason", "Xmas", *ws],
    )
    assert added.exit_code == 0, added.output
    assert added.output == "2 days off on Marketing.\n"
    weekends = runner.invoke(app, ["flow", "calendar", "weekends", "off", *ws])
    assert weekends.output == "Weekends are days off on Marketing.\n"
    shown = runner.invoke(app, ["flow", "calendar", "show", "--json", *ws])
    assert json.loads(shown.output)["days_off"][1] == {"day": "2026-12-25", "reason": "Xmas"}
    removed = runner.invoke(app, ["flow", "calendar", "remove", "2026-12-24", *ws])
    assert removed.output == "1 day off removed from Marketing.\n"


def test_a_viewer_cannot_change_the_calendar_from_the_command_line(world):
    result = runner.invoke(
        app,
        [
            "flow",
            "calendar",
            "add",
            "2026-12-24",
            "-w",
            world.acme.slug,
            "--as",
            world.carol.username,
        ],
    )
    assert result.exit_code == 1
    assert "viewer" in result.output
    assert not BlackoutDay.objects.filter(board=world.board).exists()


def test_the_campaign_forecast_from_the_command_line(world):
    weekdays(world)
    campaign(world)
    services.set_weekends_off(world.board, True)
    result = runner.invoke(
        app,
        [
            "forecast",
            "campaign",
            "-w",
            world.acme.slug,
            "--tag",
            "launch",
            "--launch",
            "2026-12-17",
            "--window-from",
            "2026-11-12",
            "--window-to",
            "2026-12-09",
        ],
    )
    assert result.exit_code == 0, result.output
    assert result.output.startswith(
        "All 5 not-done cards done by 2026-12-17: 100.0 % (10,000 of 10,000 trials, seed 42; "
        "5 working days ahead, 2 days off not counted)."
    )
    assert "Launch 4" in result.output and "Launch done" not in result.output


def test_the_page_backtests_the_same_calendar_days_with_the_calendar(world, client_for):
    weekdays(world)
    services.set_weekends_off(world.board, True)
    html = client_for(world.carol).get(
        page_url(world, mode="how_many", until="2026-12-24", **WINDOW)
    )
    html = html.content.decode()
    assert "(14 days ahead, from the 28 days before)" in html  # not 10 working days of 20


def test_the_days_off_cap_is_in_the_bounds_table_of_the_api_docs():
    docs = (Path(__file__).resolve().parents[3] / "docs" / "api.md").read_text()
    bounds = docs.split("## Bounds", 1)[1].split("\n## ", 1)[0]
    row = next((line for line in bounds.splitlines() if "calendar days off" in line), "")
    assert f"| {services.MAX_RANGE_OFF} days from `day` to `to` in one go |" in row
