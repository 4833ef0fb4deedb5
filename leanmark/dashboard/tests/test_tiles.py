"""What a dashboard tile says about a period under way, a change from next to nothing and a
change that is good news although it is a fall."""

import re
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from leanmark.dashboard import charts, queries, services
from leanmark.dashboard.services import RowIn
from leanmark.domain.metrics import Bucket, Period


def url(name, **kwargs):
    return reverse(name, kwargs={"ws": "acme", **kwargs})


def buckets(*values):
    return [
        Bucket(date(2026, 3, i + 1), date(2026, 3, i + 1), f"2026-03-0{i + 1}", v, 1, 1)
        for i, v in enumerate(values)
    ]


def test_a_period_under_way_ends_the_sparkline_dashed_to_a_hollow_dot():
    line = charts.sparkline(buckets(10.0, 20.0, 5.0), partial=True)
    assert line.points == "2.0,19.0 66.0,3.0"  # the finished days, solid
    assert line.so_far == "66.0,3.0 130.0,27.0"  # to today's value so far, dashed
    assert (line.last, line.partial) == ((130.0, 27.0), True)
    assert line.title == "2026-03-01: 10; 2026-03-02: 20; 2026-03-03 so far: 5"


@pytest.mark.parametrize(
    ("so_far", "bar"),
    [
        (5.0, (124.0, 26.0, 6.0, 3.0)),  # a week's first day: a stub, not a fall to the floor
        (15.0, (124.0, 15.0, 6.0, 14.0)),  # half-way between the finished weeks' low and high
    ],
)
def test_a_sum_under_way_is_a_pale_bar_filling_up_not_a_point_on_the_line(so_far, bar):
    line = charts.sparkline(buckets(10.0, 20.0, so_far), partial=True, summed=True)
    assert line.points == "2.0,27.0 64.5,3.0"  # scaled on the finished periods only
    assert (line.bar, line.so_far, line.last) == (bar, "", None)
    assert line.track == (124.0, 3.0, 6.0, 26.0)  # its room: as high as the week before (20)
    assert line.title.endswith(f"2026-03-03 so far: {so_far:g}")


def test_a_finished_period_ends_the_sparkline_solid():
    line = charts.sparkline(buckets(10.0, 20.0, 5.0))
    assert line.points == "2.0,19.0 66.0,3.0 130.0,27.0"
    assert (line.so_far, line.partial) == ("", False)


@pytest.mark.parametrize(
    ("values", "partial", "drawn"),
    [
        ((None, None, 7.0), False, False),  # one value is a dot, not a line: none is drawn
        ((None, None, 7.0), True, False),
        ((None, 3.0, 7.0), True, True),  # one finished period and the one under way
        ((None, None, None), False, False),
    ],
)
def test_a_sparkline_needs_two_values(values, partial, drawn):
    assert charts.sparkline(buckets(*values), partial=partial).drawn is drawn


@pytest.fixture
def cycle_time(world):
    return services.create_metric(
        world.acme,
        name="Lead time",
        kind="output",
        stage="buy",
        unit="days",
        aggregation="mean",
        higher_is_better=False,
    )


@pytest.fixture
def visits(world):
    return services.create_metric(world.acme, name="Website visits", kind="output", stage="know")


def tile_html(page, key):
    match = re.search(rf'<a class="tile[^"]*"[^>]*data-key="{key}">(.*?)</a>', page, re.S)
    assert match, f"no tile {key}"
    return match.group(1)


def change_of(page, key):
    match = re.search(r'<span class="tile-change (\w+)"[^>]*>(.*?)</span>', tile_html(page, key))
    assert match
    return match.group(1), re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", match.group(2))).strip()


def test_a_fall_in_a_lower_is_better_metric_is_good_news(world, client_for, cycle_time):
    rows = [
        RowIn(1, "lead-time", date(2026, 2, 23), 10.0),  # last Monday
        RowIn(2, "lead-time", date(2026, 3, 2), 8.0),  # this Monday
    ]
    services.upsert_measurements(world.acme, rows, source="api")
    page = client_for(world.carol).get(url("dashboard") + "?as_of=2026-03-02").content.decode()
    assert change_of(page, "lead-time") == ("good", "▼ −20 % vs 2026-W09 to day 1")


def test_a_change_from_next_to_nothing_reads_new(world, client_for, visits):
    rows = [
        RowIn(1, "website-visits", date(2026, 2, 23), 3.0),  # 3 % of this week's
        RowIn(2, "website-visits", date(2026, 3, 2), 100.0),
    ]
    services.upsert_measurements(world.acme, rows, source="api")
    page = client_for(world.carol).get(url("dashboard") + "?as_of=2026-03-02").content.decode()
    assert change_of(page, "website-visits") == ("good", "▲ new vs 2026-W09 to day 1")
    assert "3,233" not in page


def test_a_tile_under_way_says_so_far(world, client_for, visits):
    services.upsert_measurements(
        world.acme, [RowIn(1, "website-visits", date(2026, 3, 2), 40.0)], source="api"
    )
    client = client_for(world.carol)
    page = client.get(url("dashboard") + "?as_of=2026-03-04").content.decode()
    assert '40 <small class="so-far">so far</small>' in tile_html(page, "website-visits")
    page = client.get(url("dashboard") + "?as_of=2026-03-08").content.decode()  # a Sunday
    assert "so far" not in tile_html(page, "website-visits").split("<svg")[0]


def test_today_on_the_day_view_says_so_far_and_a_past_day_does_not(world, client_for, visits):
    today = queries.today(world.acme, timezone.now())
    yesterday = today - timedelta(days=1)
    rows = [RowIn(1, "website-visits", today, 40.0), RowIn(2, "website-visits", yesterday, 50.0)]
    services.upsert_measurements(world.acme, rows, source="api")
    client = client_for(world.carol)
    tile = tile_html(
        client.get(url("dashboard") + "?period=day").content.decode(), "website-visits"
    )
    assert '40 <small class="so-far">so far</small>' in tile
    assert f"vs {yesterday:%Y-%m-%d}</small>" in tile  # not "to day 1"
    page = client.get(url("dashboard") + f"?period=day&as_of={yesterday}").content.decode()
    assert "so far" not in tile_html(page, "website-visits").split("<svg")[0]


def test_no_target_is_said_once_for_the_whole_dashboard(world, client_for, visits, cycle_time):
    services.set_target(visits, period="week", value=700, actor=None)
    page = client_for(world.bob).get(url("dashboard")).content.decode()
    assert page.count("no target per week") == 1
    assert "One metric has no target per week; their tiles show none." in page
    assert "no target per" not in tile_html(page, "lead-time")


def test_a_year_tile_draws_the_last_24_months(world, visits):
    rows = [
        RowIn(i + 1, "website-visits", date(2025, m, 15), 10.0 * m)
        for i, m in enumerate(range(1, 13))
    ]
    services.upsert_measurements(world.acme, rows, source="api")
    [tile] = queries.tiles_for(
        world.acme, [queries.info_of(visits)], period=Period.YEAR, as_of=date(2026, 3, 4)
    )
    assert (len(tile.spark), tile.spark_period) == (24, Period.MONTH)
    assert (tile.spark[0].label, tile.spark[-1].label) == ("2024-04", "2026-03")
    assert tile.spark_partial  # March 2026 is under way
    line = charts.sparkline(tile.spark, partial=tile.spark_partial)
    assert line.drawn and line.last is None  # no visits yet in March: the line ends in 2025


def test_the_metric_chart_draws_the_period_under_way_lighter_dashed_and_so_far():
    rows = [
        {"start": date(2026, 2, 23), "end": date(2026, 3, 2), "label": "2026-W09",
         "value": 700.0, "target": None, "rows": 7, "change": None, "partial": False},
        {"start": date(2026, 3, 2), "end": date(2026, 3, 9), "label": "2026-W10 (so far)",
         "value": 120.0, "target": None, "rows": 2, "change": 20.0, "partial": True},
    ]  # fmt: skip
    spec = charts.metric_chart(rows, unit="visits")
    bars, so_far = spec["layer"][0]["encoding"], spec["layer"][1]
    assert [d["partial"] for d in spec["data"]["values"]] == [False, True]
    assert bars["opacity"] == {"condition": {"test": "datum.partial", "value": 0.4}, "value": 0.9}
    assert bars["strokeDash"] == {
        "condition": {"test": "datum.partial", "value": [4, 3]},
        "value": [1, 0],
    }
    assert so_far["transform"] == [{"filter": "datum.partial && datum.value != null"}]
    assert so_far["encoding"]["text"] == {"value": "so far"}


def test_the_week_under_way_is_compared_like_for_like_on_the_metric_page(world, client_for, visits):
    rows = [
        RowIn(1, "website-visits", date(2026, 2, 23), 50.0),  # last Monday
        RowIn(2, "website-visits", date(2026, 2, 27), 650.0),  # last Friday: not like for like
        RowIn(3, "website-visits", date(2026, 3, 2), 60.0),  # this Monday
    ]
    services.upsert_measurements(world.acme, rows, source="api")
    page = client_for(world.carol).get(
        url("dashboard-metric", key="website-visits") + "?period=week&as_of=2026-03-03"
    )
    row = re.search(r'<tr class="partial">(.*?)</tr>', page.content.decode(), re.S).group(1)
    change = re.search(r'<td class="(\w+)" title="([^"]*)">(.*?)</td>', row, re.S)
    assert change.group(1) == "good"  # 60 against 50, not against the whole 700
    assert (
        change.group(2) == "50 → 60: against 23 Feb–24 Feb 2026, the same days of the week before"
    )
    assert re.sub(r"<[^>]+>", "", change.group(3)) == "+10 (+20 %) vs the same days"
