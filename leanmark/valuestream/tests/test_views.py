import re
from datetime import date

import pytest
from django.urls import reverse

from leanmark.valuestream import charts, queries, services
from leanmark.valuestream.drawing import draw
from leanmark.valuestream.models import Step

pytestmark = pytest.mark.django_db


def make_map(world, name="Hourglass"):
    stream = services.create_stream(
        world.acme, services.StreamSettings(name=name), actor=world.alice
    )
    for data in [
        {
            "name": "Blog post",
            "stage": "know",
            "pt_value": "4",
            "pt_unit": "h",
            "lt_value": "3",
            "lt_unit": "d",
            "ca_percent": "95",
            "milestone": "new_lead",
        },
        {
            "name": "Legal review",
            "stage": "trust",
            "pt_value": "30",
            "pt_unit": "min",
            "lt_value": "2",
            "lt_unit": "d",
            "ca_percent": "90",
            "customer_value": "waste",
            "waste_type": "waiting",
        },
        {
            "name": "Take the order",
            "stage": "buy",
            "pt_value": "1",
            "pt_unit": "h",
            "lt_value": "1",
            "lt_unit": "d",
            "ca_percent": "92",
            "milestone": "order_accepted",
            "cost_per_run": "10",
            "runs_per_month": "20",
        },
    ]:
        services.add_step(stream, data, actor=world.bob)
    return stream


def url(world, name, **kw):
    return reverse(name, kwargs={"ws": world.acme.slug, **kw})


def test_the_drawing_has_a_box_per_step_and_the_ladder_totals(world):
    stream = make_map(world)
    view = queries.map_view(stream)
    drawing = draw(view, today=date(2026, 11, 24), candidates=[view.steps[1].pk])
    svg = drawing.svg
    assert drawing.boxes == 3
    assert len(re.findall(r'<g class="process', svg)) == 3
    assert len(re.findall(r'<g class="band"', svg)) == 7  # all seven stages, empty ones too
    assert svg.count('class="process waste candidate"') == 1
    assert len(re.findall(r'<g class="rung wait-rung"', svg)) == 3
    assert len(re.findall(r'<g class="rung pt-rung"', svg)) == 3
    # ladder totals: Σ wait = (3 d - 4 h) + (2 d - 30 min) + (1 d - 1 h) = 5 d 18.5 h
    assert ">Wait 5.8 d</text>" in svg
    assert ">PT 5.5 h</text>" in svg
    assert ">6.0 d</text>" in svg  # lead time in the totals box
    assert ">78.7 %</text>" in svg  # rolled %C&A: 95 % x 90 % x 92 %
    assert "style=" not in svg  # presentation attributes only: the strict CSP allows them


def test_a_short_map_is_still_wide_enough_for_its_legend(world):
    stream = services.create_stream(
        world.acme, services.StreamSettings(name="Empty"), actor=world.alice
    )
    drawing = draw(queries.map_view(stream), today=date(2026, 11, 24))
    # the legend's last entry starts at x = 1196 and is about 230 px long
    assert ">timeline: wait above, process time below</text>" in drawing.svg
    assert 'x="1196.0"' in drawing.svg
    assert drawing.width == 1460


def test_the_map_page_shows_the_drawing_summary_and_steps(world, client_for):
    stream = make_map(world)
    response = client_for(world.carol).get(url(world, "valuestream-map", stream_id=stream.pk))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-boxes="3"' in html
    assert '<td class="num" data-total="rolled">78.7 %</td>' in html
    assert '<td class="num" data-total="lt">6.0 d</td>' in html
    assert "Add a step" not in html  # a viewer reads only
    # the drawing opens fitted to the page's width, with a button for the actual size
    assert '<div class="vsm-canvas fit" id="vsm-canvas" data-boxes="3">' in html
    assert '<button type="button" class="vsm-zoom" aria-controls="vsm-canvas">' in html
    assert "Added Take the order (Buy)" in html  # the latest change, in "Recent changes"
    assert "map LT after it 6.0 d" in html


def test_the_list_page_counts_queries_whatever_the_number_of_maps(
    world, client_for, django_assert_max_num_queries
):
    for i in range(3):
        make_map(world, f"Map {i}")
    client = client_for(world.bob)
    with django_assert_max_num_queries(30):
        assert client.get(url(world, "valuestream")).status_code == 200


def test_adding_a_step_through_htmx_redraws_the_map(world, client_for):
    stream = make_map(world)
    response = client_for(world.bob).post(
        url(world, "valuestream-step-add", stream_id=stream.pk),
        {
            "name": "Referral card",
            "stage": "refer",
            "pt_value": "1",
            "pt_unit": "h",
            "lt_value": "1",
            "lt_unit": "wk",
        },
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert response["HX-Trigger"] == "vsmChanged"
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="vsm-main"')
    assert 'data-boxes="4"' in html
    assert "Referral card" in html


def test_a_bad_step_keeps_the_input_and_says_why(world, client_for):
    stream = make_map(world)
    response = client_for(world.bob).post(
        url(world, "valuestream-step-add", stream_id=stream.pk),
        {
            "name": "Too fast",
            "stage": "know",
            "pt_value": "5",
            "pt_unit": "h",
            "lt_value": "2",
            "lt_unit": "h",
            "owner": "Priya",
        },
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "cannot be shorter than the process time" in html
    assert 'value="Too fast"' in html and 'value="Priya"' in html
    assert not Step.objects.filter(name="Too fast").exists()


def test_an_inline_edit_that_fails_reopens_the_form_with_the_input(world, client_for):
    stream = make_map(world)
    step = stream.steps.get(name="Blog post")
    response = client_for(world.bob).post(
        url(world, "valuestream-step-edit", stream_id=stream.pk, step_id=step.pk),
        {
            "name": "Blog post",
            "stage": "know",
            "pt_value": "4",
            "pt_unit": "h",
            "lt_value": "3",
            "lt_unit": "d",
            "ca_percent": "140",
        },
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "between 0 and 100, not 140" in html
    assert 'value="140"' in html
    step.refresh_from_db()
    assert step.ca_percent == 95


def test_linking_a_column_of_another_workspace_is_refused(world, client_for):
    stream = make_map(world)
    step = stream.steps.get(name="Blog post")
    foreign = world.evil_board.columns.first()
    response = client_for(world.bob).post(
        url(world, "valuestream-step-edit", stream_id=stream.pk, step_id=step.pk),
        {
            "name": "Blog post",
            "stage": "know",
            "pt_value": "4",
            "lt_value": "3",
            "columns": [str(foreign.pk)],
            "columns_sent": "1",
        },
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 422
    assert "no board column" in response.content.decode()
    assert not step.column_links.exists()


def test_dragging_a_step_to_another_stage(world, client_for):
    stream = make_map(world)
    step = stream.steps.get(name="Legal review")
    take = stream.steps.get(name="Take the order")
    response = client_for(world.bob).post(
        url(world, "valuestream-step-move", stream_id=stream.pk, step_id=step.pk),
        {"stage": "buy", "order": f"{step.pk},{take.pk}"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert [s.name for s in queries.steps_of(stream)] == [
        "Blog post",
        "Legal review",
        "Take the order",
    ]
    assert queries.steps_of(stream)[1].stage == "buy"


def test_the_walk_lists_candidates_and_saves_the_answers(world, client_for):
    stream = make_map(world)
    legal = stream.steps.get(name="Legal review")
    client = client_for(world.bob)
    page = client.get(url(world, "valuestream-walk", stream_id=stream.pk) + f"?step={legal.pk}")
    html = page.content.decode()
    assert f'id="candidate-{legal.pk}"' in html
    assert "Step 2 of 3" in html
    response = client.post(
        url(world, "valuestream-walk-answer", stream_id=stream.pk, step_id=legal.pk),
        {
            "why": "Legal asked for it in 2019",
            "value_to_customer": "None",
            "how_to_eliminate": "Pre-approved claims",
            "simpler_step": "Use approved claims",
            "customer_value": "waste",
            "waste_type": "waiting",
        },
    )
    assert response.status_code == 302
    assert response["Location"].endswith(f"?step={stream.steps.get(name='Take the order').pk}")
    legal.refresh_from_db()
    assert legal.simpler_step == "Use approved claims"
    assert legal.reviewed_at is not None


def test_compare_page_shows_the_differences(world, client_for):
    stream = make_map(world)
    future = services.create_future_state(stream, actor=world.alice)
    services.delete_step(future.steps.get(name="Legal review"), actor=world.alice)
    response = client_for(world.carol).get(
        url(world, "valuestream-compare", stream_id=stream.pk, future_id=future.pk)
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'class="diff-removed"' in html
    assert "−2.0 d" in html  # lead time change
    assert "vega-chart" in html
    # both maps fitted to the width; a click on one shows it at actual size
    assert '<div class="vsm-canvas fit zoomable" id="vsm-current">' in html
    assert '<div class="vsm-canvas fit zoomable" id="vsm-future">' in html
    assert html.count("Click the map, or the button, to see it at actual size.") == 2
    chart = charts.comparison_chart(queries.compare(stream, future), stream.name, future.name)
    assert chart["encoding"]["opacity"]["legend"] == {
        "symbolType": "square",
        "symbolFillColor": "#d69e2e",
    }


def test_export_answers_an_svg_and_a_png(world, client_for):
    stream = make_map(world)
    client = client_for(world.carol)
    svg = client.get(url(world, "valuestream-export", stream_id=stream.pk, fmt="svg"))
    assert svg["Content-Type"] == "image/svg+xml"
    assert svg.content.startswith(b"<?xml")
    png = client.get(url(world, "valuestream-export", stream_id=stream.pk, fmt="png"))
    assert png["Content-Type"] == "image/png"
    assert png.content.startswith(b"\x89PNG")
    assert (
        client.get(url(world, "valuestream-export", stream_id=stream.pk, fmt="pdf")).status_code
        == 404
    )


def test_a_bad_map_name_keeps_the_input(world, client_for):
    make_map(world, "Hourglass")
    response = client_for(world.bob).post(
        url(world, "valuestream-create"), {"name": "hourglass", "description": "kept"}
    )
    assert response.status_code == 409  # the name is taken: a conflict
    html = response.content.decode()
    assert "already a value stream called" in html
    assert "kept" in html


def test_hourglass_view_shows_every_stage_and_the_waste(world, client_for):
    stream = make_map(world)
    html = (
        client_for(world.carol)
        .get(url(world, "valuestream-hourglass", stream_id=stream.pk))
        .content.decode()
    )
    assert html.count('class="hg-row') == 7
    assert "✱ Waiting" in html


def test_hourglass_view_shows_the_stage_volume_from_the_dashboard(world, client_for):
    from leanmark.dashboard import services as dashboard

    stream = make_map(world)
    dashboard.create_metric(
        world.acme,
        key="sample-requests",
        name="Sample requests",
        kind="output",
        stage="try",
        unit="requests",
    )
    dashboard.upsert_measurements(
        world.acme,
        [
            dashboard.RowIn(1, "sample-requests", date(2026, 10, 3), 12),
            dashboard.RowIn(2, "sample-requests", date(2026, 10, 20), 30),
            dashboard.RowIn(3, "sample-requests", date(2026, 11, 2), 99),  # not last month
        ],
        source="api",
    )
    dashboard.set_funnel(world.acme, {"try": "sample-requests"})
    volumes = queries.stage_volumes(world.acme, today=date(2026, 11, 24))
    assert volumes["try"].value == 42
    assert volumes["try"].period_start == date(2026, 10, 1)
    assert "know" not in volumes
    html = (
        client_for(world.carol)
        .get(url(world, "valuestream-hourglass", stream_id=stream.pk))
        .content.decode()
    )
    assert "requests · " in html


def test_a_candidate_starts_an_improvement_from_its_step(world, client_for):
    stream = make_map(world)
    legal = stream.steps.get(name="Legal review")
    client = client_for(world.bob)
    html = client.get(url(world, "valuestream-walk", stream_id=stream.pk)).content.decode()
    link = url(world, "improvement-new") + f"?source=vsm_step&amp;source_id={legal.pk}"
    assert f'href="{link}"' in html
    page = client.get(url(world, "improvement-new") + f"?source=vsm_step&source_id={legal.pk}")
    assert page.status_code == 200
    assert "Legal review" in page.content.decode()
    assert legal.get_absolute_url() == url(world, "valuestream-map", stream_id=stream.pk) + (
        f"#step-{legal.pk}"
    )


def _queries(client, path):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(path).status_code == 200
    return len(ctx.captured_queries)


def test_the_map_page_makes_as_many_queries_for_3_steps_as_for_30(world, client_for):
    small, big = make_map(world, "Small"), make_map(world, "Big")
    for i in range(27):
        step = services.add_step(
            big,
            {"name": f"Extra {i}", "stage": "try", "pt_value": "1", "lt_value": "1"},
            actor=None,
        )
        services.link_columns(step, [world.column("Writing").pk], actor=None)
    services.link_columns(small.steps.first(), [world.column("Writing").pk], actor=None)
    client = client_for(world.bob)
    counts = [_queries(client, url(world, "valuestream-map", stream_id=s.pk)) for s in (small, big)]
    assert counts[0] == counts[1]
    assert counts[0] <= 25, counts
