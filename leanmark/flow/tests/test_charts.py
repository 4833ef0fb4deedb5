"""The flow charts' specs: date axes a person can read, and histogram labels kept upright."""

from datetime import date

import pytest

from leanmark.flow import charts, queries

from .builders import at, finished_after, history, load

REFERENCE = [5, 6, 6, 7, 7, 6, 5, 4, 4, 3]


@pytest.fixture
def report(world):
    queries.clear_cache()
    load(
        world.board,
        *finished_after(world.board, REFERENCE),
        history(world.board, "Open", [(2, "Writing")]),
    )
    yield queries.flow_report(
        world.board, start=date(2026, 3, 1), end=date(2026, 3, 31), now=at(40)
    )
    queries.clear_cache()


def x_of(spec):
    return (spec["layer"][0] if "layer" in spec else spec)["encoding"]["x"]


@pytest.mark.parametrize(
    "build",
    [
        charts.cfd,
        lambda r: charts.scatter(r, str),
        lambda r: charts.throughput_run(r, weekly=False),
        lambda r: charts.throughput_run(r, weekly=True),
        charts.wip_run,
    ],
    ids=["cfd", "scatter", "throughput", "throughput by week", "wip"],
)
def test_date_axes_read_day_and_short_month_and_drop_labels_that_would_overlap(report, build):
    x = x_of(build(report))
    assert x["axis"]["format"] == "%-d %b"  # "29 Nov", not Vega's "Thu 29" beside "November"
    assert (x["axis"]["labelOverlap"], x["axis"]["labelSeparation"]) == (True, 8)
    assert x["axis"]["tickCount"] == 8
    # days travel as "2026-03-02", read as UTC midnight: on a UTC scale (labelled in UTC) they
    # show the same day in every reader's time zone
    assert x["scale"] == {"type": "utc"}


def test_date_tooltips_give_the_whole_day(report):
    tips = charts.wip_run(report)["encoding"]["tooltip"]
    assert tips[0] == {
        "field": "date",
        "type": "temporal",
        "timeUnit": "utcyearmonthdate",
        "format": "%a %-d %b %Y",
    }


def test_a_throughput_bar_spans_its_day_or_its_week(report):
    daily = charts.throughput_run(report, weekly=False)
    weekly = charts.throughput_run(report, weekly=True)
    assert daily["encoding"]["x2"] == {"field": "end"}
    assert daily["data"]["values"][0] == {"date": "2026-03-01", "end": "2026-03-02", "done": 0}
    first = weekly["data"]["values"][0]
    assert (date.fromisoformat(first["end"]) - date.fromisoformat(first["date"])).days == 7


def test_the_throughput_histogram_keeps_its_counts_upright(report):
    axis = x_of(charts.throughput_histogram(report))["axis"]
    assert axis == {"labelAngle": 0, "labelOverlap": True}


def test_percentile_labels_keep_a_white_outline_over_the_dots(report):
    texts = [
        layer for layer in charts.scatter(report, str)["layer"] if layer["mark"]["type"] == "text"
    ]
    assert [t["mark"].get("stroke") for t in texts] == ["#ffffff", None]
    assert texts[0]["encoding"]["text"] == texts[1]["encoding"]["text"] == {"field": "label"}
