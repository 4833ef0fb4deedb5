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
    axis = x_of(build(report))["axis"]
    assert axis["format"] == "%-d %b"  # "29 Nov", not Vega's "Thu 29" beside "November"
    assert axis["labelOverlap"] is True
    assert axis["tickCount"] == 8


def test_date_tooltips_give_the_whole_day(report):
    tips = charts.wip_run(report)["encoding"]["tooltip"]
    assert tips[0] == {"field": "date", "type": "temporal", "format": "%a %-d %b %Y"}


def test_the_throughput_histogram_keeps_its_counts_upright(report):
    axis = x_of(charts.throughput_histogram(report))["axis"]
    assert axis == {"labelAngle": 0, "labelOverlap": True}


def test_percentile_labels_keep_a_white_outline_over_the_dots(report):
    texts = [
        layer for layer in charts.scatter(report, str)["layer"] if layer["mark"]["type"] == "text"
    ]
    assert [t["mark"].get("stroke") for t in texts] == ["#ffffff", None]
    assert texts[0]["encoding"]["text"] == texts[1]["encoding"]["text"] == {"field": "label"}
