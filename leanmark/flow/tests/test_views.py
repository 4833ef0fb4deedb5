"""The Flow, Forecast and import pages and the CSV exports, as a user sees them."""

from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from leanmark.board.models import Card
from leanmark.flow import queries

from .builders import finished_after, history, load

REFERENCE = [5, 6, 6, 7, 7, 6, 5, 4, 4, 3]


@pytest.fixture(autouse=True)
def fresh_cache():
    queries.clear_cache()
    yield
    queries.clear_cache()


def url(world, name, **query):
    found = reverse(name, kwargs={"ws": world.acme.slug, "board_id": world.board.pk})
    return found + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def csv_url(world, chart, **query):
    found = reverse(
        "flow-csv", kwargs={"ws": world.acme.slug, "board_id": world.board.pk, "chart": chart}
    )
    return found + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def body(response) -> str:
    if hasattr(response, "streaming_content"):
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


WHOLE = {"from": "2026-03-01", "to": "2026-03-31"}


def test_the_index_opens_the_first_boards_flow(world, client_for):
    response = client_for(world.carol).get(reverse("flow", kwargs={"ws": world.acme.slug}))
    assert response.status_code == 302
    assert response["Location"] == url(world, "flow-board")


def test_it_shows_the_reference_percentiles_with_their_inputs(world, client_for):
    load(world.board, *finished_after(world.board, REFERENCE))
    page = client_for(world.carol).get(url(world, "flow-board", **WHOLE)).content.decode()
    assert "50%&nbsp;≤&nbsp;5.0&nbsp;d" in page
    assert "85%&nbsp;≤&nbsp;7.0&nbsp;d" in page
    assert "10 items, Writing → Done" in page
    assert "Cumulative flow" in page and "vega-spec-" in page


def test_an_empty_board_says_there_is_not_enough_data_yet(world, client_for):
    page = client_for(world.carol).get(url(world, "flow-board")).content.decode()
    assert "Not enough data yet." in page
    assert "vega-spec-" not in page


def test_a_range_with_no_finished_items_says_so_chart_by_chart(world, client_for):
    load(world.board, history(world.board, "Open", [(1, "Writing")]))
    page = client_for(world.carol).get(url(world, "flow-board", **WHOLE)).content.decode()
    assert "Not enough data yet: no item finished in this range." in page
    assert "Not enough data yet: nothing was finished in this range." in page


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"from": "2026-03-10", "to": "2026-03-01"}, "before it starts"),
        ({"from": "yesterday"}, "the start date &#x27;yesterday&#x27; is not a date"),
        ({"from": "2000-01-01", "to": "2026-01-01"}, "at most 1,830 days"),
    ],
)
def test_a_bad_range_is_explained_and_the_input_kept(world, client_for, query, message):
    response = client_for(world.carol).get(url(world, "flow-board", **query))
    assert response.status_code == 422
    page = response.content.decode()
    assert message in page
    assert f'value="{query["from"]}"' in page


def test_filters_restrict_the_metrics(world, client_for):
    load(
        world.board,
        history(world.board, "Fast", [(1, "Writing"), (2, "Done")], lane="expedite"),
        history(world.board, "Slow", [(1, "Writing"), (9, "Done")], tags=("seo",)),
    )
    client = client_for(world.carol)
    expedite = client.get(url(world, "flow-board", lane="expedite", **WHOLE)).content.decode()
    assert "50%&nbsp;≤&nbsp;1.0&nbsp;d" in expedite and "1 item," in expedite
    tagged = client.get(url(world, "flow-board", tag="seo", **WHOLE)).content.decode()
    assert "50%&nbsp;≤&nbsp;8.0&nbsp;d" in tagged


def test_the_cycle_time_csv_lists_every_finished_item(world, client_for):
    load(world.board, *finished_after(world.board, [2, 3.5]))
    response = client_for(world.carol).get(csv_url(world, "cycle-times", **WHOLE))
    assert response["Content-Type"].startswith("text/csv")
    lines = body(response).splitlines()
    assert lines[0].startswith("card,title,started,finished,cycle time (days)")
    assert lines[1] == "1,Card 0,2026-03-03T00:00:00+00:00,2026-03-05T00:00:00+00:00," + (
        "2.000,3.000,2.000,0.000,1.000"  # Writing is active: all of it was work
    )
    assert len(lines) == 3


def test_the_cfd_csv_counts_items_per_column_each_day(world, client_for):
    load(world.board, history(world.board, "A", [(1, "Writing"), (2.5, "Done")]))
    response = client_for(world.carol).get(
        csv_url(world, "cfd", **{"from": "2026-03-02", "to": "2026-03-05"})
    )
    assert body(response).splitlines() == [
        "date,in Ready,in Writing,in Review,in Live,in Done,on the board",
        "2026-03-02,1,0,0,0,0,1",
        "2026-03-03,0,1,0,0,0,1",
        "2026-03-04,0,0,0,0,1,1",
        "2026-03-05,0,0,0,0,1,1",
    ]


def test_csv_cells_that_look_like_formulas_are_defused(world, client_for):
    load(world.board, history(world.board, "=HYPERLINK(1)", [(1, "Writing"), (2, "Done")]))
    text = body(client_for(world.carol).get(csv_url(world, "cycle-times", **WHOLE)))
    assert ",'=HYPERLINK(1)," in text


def test_an_unknown_chart_csv_is_404(world, client_for):
    assert client_for(world.carol).get(csv_url(world, "pie")).status_code == 404


def test_the_event_log_exports_every_event(world, client_for):
    load(world.board, history(world.board, "A", [(1, "Writing")], blocked=[(1.5, 2, "photos")]))
    response = client_for(world.carol).get(url(world, "flow-events-csv"))
    lines = body(response).splitlines()
    assert lines[0] == "event,card,kind,at,actor,from column,to column,lane,reason"
    assert [line.split(",")[2] for line in lines[1:]] == [
        "created",
        "moved",
        "blocked",
        "unblocked",
    ]
    assert lines[2].endswith(",,Writing,standard,")


def test_another_workspaces_board_is_404(world, client_for):
    evil = reverse("flow-board", kwargs={"ws": world.acme.slug, "board_id": world.evil_board.pk})
    assert client_for(world.carol).get(evil).status_code == 404


# ---- forecast ------------------------------------------------------------------------------------


def recent(world, per_day: int = 2, days: int = 30):
    """A steady throughput of ``per_day`` items on each of the last ``days`` days."""
    today = timezone.now().date()
    cards = []
    for d in range(1, days + 1):
        day = today - timedelta(days=d)
        for i in range(per_day):
            offset = (day - date(2026, 3, 2)).days
            cards.append(
                history(
                    world.board,
                    f"R{d}-{i}",
                    [(offset + 0.3, "Writing"), (offset + 0.5, "Done")],
                    created=offset + 0.1,
                )
            )
    load(world.board, *cards)


def test_how_many_by_a_date_with_a_steady_history_is_certain(world, client_for):
    recent(world)
    until = timezone.now().date() + timedelta(days=10)
    page = (
        client_for(world.carol)
        .get(
            url(
                world,
                "flow-forecast",
                mode="how_many",
                until=until,
                window_from=timezone.now().date() - timedelta(days=30),
            )
        )
        .content.decode()
    )
    assert page.count("<b>20</b> items") == 4
    assert "10,000 trials, seed 42" in page


def test_when_will_n_be_done_gives_dates(world, client_for):
    recent(world)
    page = (
        client_for(world.carol)
        .get(
            url(
                world,
                "flow-forecast",
                mode="when",
                items=9,
                window_from=timezone.now().date() - timedelta(days=30),
            )
        )
        .content.decode()
    )
    done = timezone.now().date() + timedelta(days=5)
    assert f"{done:%a} {done.day} {done:%b %Y}" in page
    assert "(5 days)" in page


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"mode": "how_many", "until": "2020-01-01"}, "is not in the future"),
        ({"mode": "when", "items": "0"}, "must be at least 1"),
        ({"mode": "when", "items": "-4"}, "must be at least 1"),
        ({"mode": "when", "items": "5", "trials": "1000001"}, "between 1 and 1,000,000"),
        ({"mode": "when", "items": "five"}, "must be a whole number"),
        (
            {"mode": "when", "items": "5", "period": "month"},
            "must be &#x27;day&#x27; or &#x27;week&#x27;",
        ),
        ({"mode": "when", "items": "5"}, "no item was finished"),
    ],
)
def test_bad_forecast_input_is_explained(world, client_for, query, message):
    response = client_for(world.carol).get(url(world, "flow-forecast", **query))
    assert response.status_code == 422
    assert message in response.content.decode()


def test_the_forecast_form_refuses_a_question_past_the_caps(world, client_for):
    today = timezone.now().astimezone(queries.time_zone(world.board)).date()
    far, furthest = today + timedelta(days=1_827), today + timedelta(days=1_826)
    cases = [
        ({"mode": "how_many", "until": far}, f"at most 5 years ahead ({furthest}); got {far}"),
        ({"mode": "when", "items": "10001"}, "items is at most 10,000; got 10,001"),
        (
            {"mode": "how_many", "until": furthest, "trials": "20000"},
            "at most 20,000,000 draws; got 20,000 × 1,826 = 36,520,000",
        ),
    ]
    for query, message in cases:
        response = client_for(world.carol).get(url(world, "flow-forecast", **query))
        assert response.status_code == 422
        page = response.content.decode()
        assert "No forecast." in page and message in page
    form = client_for(world.carol).get(url(world, "flow-forecast")).content.decode()
    assert f'max="{furthest}"' in form and 'max="10000"' in form


def test_the_forecast_outcomes_export_as_csv(world, client_for):
    recent(world)
    since = timezone.now().date() - timedelta(days=30)
    response = client_for(world.carol).get(
        url(
            world,
            "flow-forecast",
            mode="when",
            items=9,
            format="csv",
            trials=100,
            window_from=since,
        )
    )
    assert body(response).splitlines() == [
        "days from today until done,trials,share of trials",
        "5,100,1.00000",
    ]


def test_the_forecast_page_answers_its_default_question_on_first_visit(world, client_for):
    recent(world)  # 2 a day on the last 30 days of the default 90-day window
    response = client_for(world.carol).get(url(world, "flow-forecast"))
    assert response.status_code == 200
    page = response.content.decode()
    until = timezone.now().date() + timedelta(days=28)
    assert f"How many items by {until:%A} {until.day} {until:%B %Y}?" in page
    assert page.count("<td>50%</td>") == 1 and page.count("<td>95%</td>") == 1
    assert "Forecast outcomes" in page and "vega-spec-" in page
    # the history is summed up in a sentence; its 90 figures wait behind a disclosure
    assert "per day: median 0, from 0 to 2; 60 days finished nothing" in page
    assert "0, 0, 0" not in page
    assert "<summary>Data: items finished per day of the history</summary>" in page
    yesterday = timezone.now().date() - timedelta(days=1)
    day = f"{yesterday:%a} {yesterday.day} {yesterday:%b %Y}"
    assert f'<tr><td>{day}</td><td class="num">2</td></tr>' in page
    assert page.count('<td class="num">') == 90


def test_the_first_visit_to_a_board_without_history_says_why_there_is_no_forecast(
    world, client_for
):
    response = client_for(world.carol).get(url(world, "flow-forecast"))
    assert response.status_code == 200  # nobody asked anything wrong
    page = response.content.decode()
    assert "No forecast." in page and "no item was finished" in page


def test_the_active_columns_are_listed_without_a_trailing_comma(world, client_for):
    load(world.board, *finished_after(world.board, REFERENCE))
    page = client_for(world.carol).get(url(world, "flow-board", **WHOLE)).content.decode()
    assert "active columns: Writing, Live</small>" in page
    assert "active columns (Writing, Live) while not blocked" in page


# ---- import --------------------------------------------------------------------------------------

GOOD = """id,title,Ready,Writing,Review,Done
A-1,Spring newsletter,2026-03-02,2026-03-03 09:00,2026-03-05,2026-03-06 17:30
A-2,Landing page,2026-03-02,2026-03-04,,
"""


def upload(client, world, text: str):
    file = SimpleUploadedFile("history.csv", text.encode(), content_type="text/csv")
    return client.post(url(world, "flow-import"), {"file": file})


def test_a_member_imports_a_card_history(world, client_for):
    response = upload(client_for(world.bob), world, GOOD)
    assert response.status_code == 302
    cards = list(Card.objects.filter(board=world.board).order_by("number"))
    assert [c.title for c in cards] == ["Spring newsletter", "Landing page"]
    assert cards[0].column.name == "Done" and cards[1].column.name == "Writing"
    items = queries.finished_items(world.board, since=None, until=None)
    assert [round(i.cycle_days, 3) for i in items] == [round(3 + 8.5 / 24, 3)]


def test_an_import_with_errors_imports_nothing_and_names_the_lines(world, client_for):
    bad = (
        GOOD
        + "A-3,Backwards,2026-03-05,2026-03-02,,\nA-1,Again,2026-03-02,,,\n,No id,2026-03-02,,,\n"
    )
    response = upload(client_for(world.bob), world, bad)
    assert response.status_code == 422
    page = response.content.decode()
    assert "line 4: dates out of order: Writing (2026-03-02 00:00) is before Ready" in page
    assert "line 5: id &#x27;A-1&#x27; is repeated (first on line 2)" in page
    assert "line 6: the id is empty" in page
    assert Card.objects.filter(board=world.board).count() == 0


def test_a_page_upload_over_the_web_cap_points_to_the_cli_and_imports_nothing(
    world, client_for, monkeypatch
):
    from leanmark.flow import services

    monkeypatch.setattr(services, "WEB_MAX_ROWS", 1)  # 20,000 rows from a page: ~20 s
    response = upload(client_for(world.bob), world, GOOD)
    assert response.status_code == 422
    page = response.content.decode()
    assert "line 3: a file holds at most 1 items; import larger files with" in page
    assert "leanmark import card-history" in page
    assert Card.objects.filter(board=world.board).count() == 0


def test_unknown_columns_are_refused(world, client_for):
    response = upload(client_for(world.bob), world, "id,title,Ready,Shipped\n1,x,2026-03-02,\n")
    assert response.status_code == 422
    assert "unknown or repeated column(s) &#x27;Shipped&#x27;" in response.content.decode()


def test_the_same_file_cannot_be_imported_twice(world, client_for):
    client = client_for(world.bob)
    upload(client, world, GOOD)
    response = upload(client, world, GOOD)
    assert response.status_code == 422
    assert "id &#x27;A-1&#x27; was already imported" in response.content.decode()
    assert Card.objects.filter(board=world.board).count() == 2


def test_a_viewer_cannot_import(world, client_for):
    assert upload(client_for(world.carol), world, GOOD).status_code == 403


def page_queries(client, path) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    queries.clear_cache()
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(path).status_code == 200
    return len(ctx.captured_queries)


def test_the_flow_page_runs_the_same_queries_whatever_the_number_of_cards(world, client_for):
    client = client_for(world.carol)
    load(
        world.board,
        *finished_after(world.board, [1, 2, 3]),
        history(world.board, "O", [(1, "Writing")]),
    )
    few = page_queries(client, url(world, "flow-board", **WHOLE))
    load(world.board, *finished_after(world.board, [1, 2, 3, 4, 5] * 8))
    load(world.board, *[history(world.board, f"O{i}", [(1, "Writing")]) for i in range(20)])
    assert page_queries(client, url(world, "flow-board", **WHOLE)) == few


def test_the_forecast_page_says_how_often_past_forecasts_came_true(world, client_for):
    recent(world, per_day=1, days=60)
    page = client_for(world.carol).get(
        f"/w/{world.acme.slug}/flow/boards/{world.board.pk}/forecast"
        "?mode=how_many&until=" + (timezone.now().date() + timedelta(days=7)).isoformat()
    )
    html = page.content.decode()
    assert "How often this board's forecasts came true" in html
    assert "predictability <b>75 %</b>" in html
    assert "<td>85 %</td><td>100 % of the time</td>" in html
