"""A page with two charts, for the chart tests only: the whole site plus /chart-test/."""

from django.shortcuts import render
from django.urls import path

from leanmark.urls import urlpatterns as site

BARS = {
    "data": {"values": [{"week": "W1", "done": 3}, {"week": "W2", "done": 5}]},
    "mark": {"type": "bar", "tooltip": True},
    "encoding": {
        "x": {"field": "week", "type": "ordinal"},
        "y": {"field": "done", "type": "quantitative"},
    },
}
# A calculate transform and a param: both are expressions, which need vega's interpreter.
LINE = {
    "data": {"values": [{"day": 1, "wip": 4}, {"day": 2, "wip": 6}, {"day": 3, "wip": 5}]},
    "params": [{"name": "hover", "select": {"type": "point", "on": "pointerover"}}],
    "transform": [{"calculate": "datum.wip * 2", "as": "double"}],
    "mark": "line",
    "encoding": {
        "x": {"field": "day", "type": "quantitative"},
        "y": {"field": "double", "type": "quantitative"},
    },
}


def chart_page(request):
    return render(request, "tests/charts.html", {"bars": BARS, "line": LINE})


urlpatterns = [*site, path("chart-test/", chart_page)]
