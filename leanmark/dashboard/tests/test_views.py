from datetime import UTC, date, datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from leanmark.dashboard import csvimport, queries, services
from leanmark.dashboard.models import Layout, Measurement, Metric, TargetRevision
from leanmark.dashboard.services import RowIn
from leanmark.domain.metrics import Period


def url(name, **kwargs):
    return reverse(name, kwargs={"ws": "acme", **kwargs})


@pytest.fixture
def visits(world):
    return services.create_metric(
        world.acme, name="Website visits", kind="output", stage="know", unit="visits"
    )


@pytest.fixture
def spend(world):
    return services.create_metric(world.acme, name="Ad spend", kind="input", stage="buy")


def test_the_dashboard_puts_inputs_left_and_outputs_right_in_each_stage(
    world, client_for, visits, spend
):
    page = client_for(world.carol).get(url("dashboard")).content.decode()
    know = page.index('aria-label="Know"')
    buy = page.index('aria-label="Buy"')
    assert know < page.index("Website visits") < buy < page.index("Ad spend")
    assert page.count('class="tile kind-output') == 1 + 3  # + throughput, cycle time, decided
    assert page.count('class="tile kind-input') == 1 + 1  # + WIP


def test_a_tile_compares_the_week_so_far_with_the_same_days_of_last_week(world, visits):
    rows = [
        RowIn(1, "website-visits", date(2026, 3, 2), 100),  # Monday
        RowIn(2, "website-visits", date(2026, 3, 4), 20),  # Wednesday: as of today
        RowIn(3, "website-visits", date(2026, 2, 23), 50),  # last Monday
        RowIn(4, "website-visits", date(2026, 3, 1), 999),  # last Sunday: not like for like
    ]
    services.upsert_measurements(world.acme, rows, source="api")
    services.set_target(visits, period="week", value=700, actor=None)
    [tile] = queries.tiles_for(
        world.acme, [queries.info_of(visits)], period=Period.WEEK, as_of=date(2026, 3, 4)
    )
    assert (tile.current.value, tile.previous.value) == (120.0, 50.0)
    assert (tile.previous.start, tile.previous.end) == (date(2026, 2, 23), date(2026, 2, 25))
    assert tile.change.relative == pytest.approx(1.4)
    assert tile.partial and tile.due == 300.0  # 700 a week, 3 of 7 days gone
    assert tile.attainment == pytest.approx(0.4)
    # the week under way ends the sparkline, marked as partial (drawn "so far", not as a fall)
    assert [b.label for b in tile.spark][-2:] == ["2026-W09", "2026-W10"]
    assert tile.spark_partial


def test_the_period_switch_answers_htmx_with_the_fragment(world, client_for, visits):
    response = client_for(world.carol).get(
        url("dashboard") + "?period=month", HTTP_HX_REQUEST="true"
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<div id="dash">')
    assert 'aria-current="page">M</a>' in body


def test_the_dashboard_asks_as_many_queries_for_12_metrics_as_for_2(world, client_for):
    client = client_for(world.carol)

    def queries_with(count):
        for i in range(count):
            metric = services.create_metric(world.acme, name=f"M{i}", kind="output", stage="know")
            services.set_target(metric, period="week", value=10, actor=None)
            services.upsert_measurements(
                world.acme, [RowIn(1, metric.key, date(2026, 3, 2), 5)], source="api"
            )
        client.get(url("dashboard"))  # warm the session and the flow cache
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url("dashboard")).status_code == 200
        Metric.objects.all().delete()
        return len(captured.captured_queries)

    assert queries_with(2) == queries_with(12) <= 16


def test_a_metric_page_shows_its_roll_up_and_target_history(world, client_for, visits):
    services.set_target(visits, period="week", value=100, actor=world.alice)
    services.set_target(visits, period="week", value=150, reason="summer push", actor=world.bob)
    page = client_for(world.carol).get(url("dashboard-metric", key="website-visits")).content
    text = page.decode()
    assert "summer push" in text and "100 → 150" in text
    assert "vega-chart" in text
    assert "Save target" not in text  # a viewer cannot set targets


def test_a_target_change_without_a_reason_keeps_what_was_typed(world, client_for, visits):
    client = client_for(world.bob)
    client.post(url("dashboard-target", key="website-visits"), {"period": "week", "value": "100"})
    response = client.post(
        url("dashboard-target", key="website-visits"), {"period": "week", "value": "120"}
    )
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "say why the target changes" in page
    assert 'value="120"' in page
    assert TargetRevision.objects.count() == 1


def test_creating_a_metric_with_a_taken_name_re_renders_the_form_with_the_input(
    world, client_for, visits
):
    response = client_for(world.bob).post(
        url("dashboard-metrics"),
        {"name": "Website visits", "kind": "output", "stage": "know", "unit": "sessions"},
    )
    assert response.status_code == 409  # the name is taken: a conflict
    page = response.content.decode()
    assert "already exists" in page and 'value="sessions"' in page
    assert Metric.objects.count() == 1


def test_the_grid_saves_a_pasted_block_and_clears_an_emptied_cell(world, client_for, visits, spend):
    client = client_for(world.bob)
    cells = {
        f"c:{visits.pk}:2026-03-02": "120",
        f"c:{visits.pk}:2026-03-03": "130",
        f"c:{spend.pk}:2026-03-02": "45.5",
    }
    response = client.post(url("dashboard-grid-save"), cells, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "Saved 3 value(s)." in response.content.decode()
    response = client.post(
        url("dashboard-grid-save"), {f"c:{visits.pk}:2026-03-03": ""}, HTTP_HX_REQUEST="true"
    )
    assert "cleared 1" in response.content.decode()
    assert Measurement.objects.count() == 2


def test_the_grid_refuses_a_block_with_a_bad_value_and_saves_none_of_it(world, client_for, visits):
    response = client_for(world.bob).post(
        url("dashboard-grid-save"),
        {f"c:{visits.pk}:2026-03-02": "120", f"c:{visits.pk}:2026-03-03": "12,5"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 422
    assert (
        "Website visits on 03 Mar: the value &#x27;12,5&#x27; is not a number (write decimals "
        "with a dot" in response.content.decode()
    )
    assert Measurement.objects.count() == 0


def test_another_workspace_s_metric_is_not_a_cell(world, client_for):
    evil = services.create_metric(world.evil, name="Evil", kind="output", stage="know")
    response = client_for(world.bob).post(
        url("dashboard-grid-save"), {f"c:{evil.pk}:2026-03-02": "1"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 422
    assert Measurement.objects.count() == 0


def test_an_import_preview_saves_nothing_and_keeps_the_text_for_the_import(
    world, client_for, visits
):
    client = client_for(world.bob)
    upload = SimpleUploadedFile("m.csv", b"date,website-visits\n2026-03-02,120\n2026-03-03,140\n")
    response = client.post(url("dashboard-import"), {"file": upload, "action": "preview"})
    page = response.content.decode()
    assert "Preview: 2 new, 0 changed, 0 unchanged (dry run: nothing saved)." in page
    assert "2026-03-02,120" in page  # carried in the text box for the real import
    assert Measurement.objects.count() == 0
    response = client.post(
        url("dashboard-import"),
        {"csv_text": "date,website-visits\n2026-03-02,120\n2026-03-03,140\n", "action": "import"},
    )
    assert response.status_code == 302
    assert Measurement.objects.count() == 2


def test_an_import_with_bad_rows_lists_every_line_and_saves_nothing(world, client_for, visits):
    text = "date,metric,value\n2026-03-02,website-visits,1\nyesterday,website-visits,2\n"
    response = client_for(world.bob).post(
        url("dashboard-import"), {"csv_text": text, "action": "import"}
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert "line 3: &#x27;yesterday&#x27; is not a date (YYYY-MM-DD)" in page
    assert Measurement.objects.count() == 0


def test_a_file_over_the_size_limit_is_refused(world, client_for, visits, monkeypatch):
    monkeypatch.setattr(csvimport, "MAX_BYTES", 100)
    upload = SimpleUploadedFile("big.csv", b"date,website-visits\n" + b"2026-03-02,1\n" * 20)
    response = client_for(world.bob).post(url("dashboard-import"), {"file": upload})
    assert response.status_code == 422
    assert "at most 0 MB can be imported at once" in response.content.decode()
    assert Measurement.objects.count() == 0


def test_the_layout_chooses_and_orders_the_tiles(world, client_for, visits, spend):
    client = client_for(world.bob)
    response = client.post(
        url("dashboard-layout"),
        {
            "show:ad-spend": "on",
            "order:ad-spend": "1",
            "show:flow-wip": "on",
            "order:flow-wip": "2",
        },
    )
    assert response.status_code == 302
    assert Layout.objects.get().tiles == ["ad-spend", "flow-wip"]
    page = client.get(url("dashboard")).content.decode()
    assert "Ad spend" in page and "Website visits" not in page


def test_the_funnel_page_highlights_the_biggest_drop(world, client_for):
    day = date(2026, 3, 2)
    for stage, value in (("know", 1000), ("like", 100), ("trust", 60)):
        services.create_metric(world.acme, name=f"{stage} n", kind="output", stage=stage)
        services.upsert_measurements(world.acme, [RowIn(1, f"{stage}-n", day, value)], source="api")
    client = client_for(world.bob)
    client.post(
        url("dashboard-funnel"),
        {"stage:know": "know-n", "stage:like": "like-n", "stage:trust": "trust-n"},
    )
    page = client.get(url("dashboard-funnel") + "?period=month&as_of=2026-03-31").content.decode()
    assert "Biggest drop: <b>Know → Like</b>, 10.0 % convert (100 of 1,000)." in page


def test_a_viewer_sees_the_grid_read_only(world, client_for, visits):
    page = client_for(world.carol).get(url("dashboard-grid")).content.decode()
    assert 'data-readonly="1"' in page
    assert " readonly" in page


@pytest.mark.parametrize("name", ["dashboard-metric", "dashboard-metric-edit"])
def test_another_workspace_s_metric_page_is_not_found(world, client_for, name):
    services.create_metric(world.evil, name="Secret", kind="output", stage="know")
    assert client_for(world.bob).get(url(name, key="secret")).status_code == 404


def test_the_timezone_helper_is_used_for_today(world):
    world.acme.time_zone = "Pacific/Auckland"
    assert queries.today(world.acme, datetime(2026, 2, 28, 11, 30, tzinfo=UTC)) == date(2026, 3, 1)


def test_a_metric_chart_marks_pdca_change_dates_and_experiment_decisions(
    world, client_for, visits, monkeypatch
):
    def change_dates(workspace, *, start, end):
        return [(date(2026, 3, 4), "PDCA-1 Shorter review queue", "/w/acme/improvement/1/")]

    def decisions(workspace, *, start, end):
        return [(date(2026, 3, 9), "Sample offer: persevere", "/w/acme/experiments/2/")]

    from leanmark.dashboard import views

    monkeypatch.setattr(views.improvement_queries, "change_dates", change_dates)
    monkeypatch.setattr(views.experiments_queries, "decisions", decisions)
    page = client_for(world.carol).get(
        url("dashboard-metric", key="website-visits")
        + "?period=week&from=2026-03-01&as_of=2026-03-31"
    )
    text = page.content.decode()
    assert '<a href="/w/acme/improvement/1/">PDCA-1 Shorter review queue</a>' in text
    assert '<a href="/w/acme/experiments/2/">Sample offer: persevere</a>' in text
    assert '"note": "PDCA-1 Shorter review queue"' in text  # drawn as a rule on the chart


def test_a_daily_chart_shows_at_most_a_year_and_says_so(world, client_for, visits):
    response = client_for(world.carol).get(
        url("dashboard-metric", key="website-visits")
        + "?period=day&from=0001-01-01&as_of=2026-03-31"
    )
    text = response.content.decode()
    assert response.status_code == 200
    assert "Per day, a chart shows at most 1 year(s): it starts on 30 Mar 2025." in text
    assert text.count("<tr><td>2025-") + text.count("<tr><td>2026-") == 367
