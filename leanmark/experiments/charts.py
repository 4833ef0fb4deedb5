"""Vega-Lite specs (plain dicts) for the experiment pages; drawn by ``{% vega_chart %}``."""

from collections.abc import Sequence
from typing import Any

from .models import Experiment, MetricType
from .queries import MonthVelocity, SeriesPoint


def rates_over_time(experiment: Experiment, points: Sequence[SeriesPoint]) -> dict[str, Any] | None:
    """Each variant's cumulative rate (or mean) by date, with its 95 % interval as a band."""
    if not points:
        return None
    conversion = experiment.metric_type == MetricType.CONVERSION
    title = "Conversion rate (cumulative)" if conversion else f"Mean {experiment.metric_name}"
    fmt = ".1%" if conversion else ".3~g"
    values = [
        {
            "date": p.date.isoformat(),
            "variant": p.variant,
            "n": p.trials,
            "value": p.value,
            "low": p.low,
            "high": p.high,
        }
        for p in points
    ]
    x = {
        "field": "date",
        "type": "temporal",
        "timeUnit": "utcyearmonthdate",
        "title": None,
        "axis": {"format": "%d %b", "formatType": "utc", "labelOverlap": True},
    }
    order = list(dict.fromkeys(p.variant for p in sorted(points, key=lambda p: p.order)))
    color = {"field": "variant", "type": "nominal", "title": "Variant", "scale": {"domain": order}}
    tooltip = [
        {"field": "variant", "type": "nominal"},
        {"field": "date", "type": "temporal", "format": "%Y-%m-%d"},
        {"field": "n", "type": "quantitative", "title": "n (cumulative)", "format": ","},
        {"field": "value", "type": "quantitative", "title": title, "format": fmt},
        {"field": "low", "type": "quantitative", "title": "95 % interval from", "format": fmt},
        {"field": "high", "type": "quantitative", "title": "95 % interval to", "format": fmt},
    ]
    layers: list[dict[str, Any]] = []
    if len({p.date for p in points}) == 1:  # one day: a band has no width, draw the interval
        layers.append(
            {
                "mark": {"type": "rule", "strokeWidth": 2, "opacity": 0.6},
                "encoding": {
                    "x": x,
                    "y": {"field": "low", "type": "quantitative"},
                    "y2": {"field": "high"},
                    "color": color,
                    "xOffset": {"field": "variant"},
                },
            }
        )
    return {
        "height": 240,
        "data": {"values": values},
        "layer": [
            *layers,
            {
                "mark": {"type": "area", "opacity": 0.18},
                "encoding": {
                    "x": x,
                    "y": {
                        "field": "low",
                        "type": "quantitative",
                        "title": title,
                        "axis": {"format": fmt},
                        "scale": {"zero": conversion},
                    },
                    "y2": {"field": "high"},
                    "color": color,
                },
            },
            {
                "mark": {"type": "line", "point": True},
                "encoding": {
                    "x": x,
                    "y": {"field": "value", "type": "quantitative"},
                    "color": color,
                    "tooltip": tooltip,
                },
            },
        ],
    }


def velocity(months: Sequence[MonthVelocity]) -> dict[str, Any]:
    """Experiments decided per month (learning velocity), decisions against the evidence apart."""
    values = []
    for month in months:
        label = month.month.strftime("%Y-%m")
        values.append(
            {
                "month": label,
                "kind": "with the evidence",
                "n": month.decided - month.against_evidence,
            }
        )
        values.append({"month": label, "kind": "against the evidence", "n": month.against_evidence})
    return {
        "height": 140,
        "data": {"values": values},
        "mark": "bar",
        "encoding": {
            "x": {"field": "month", "type": "ordinal", "title": None},
            "y": {
                "field": "n",
                "type": "quantitative",
                "title": "Decided",
                "axis": {"tickMinStep": 1},
            },
            "color": {
                "field": "kind",
                "type": "nominal",
                "title": None,
                "scale": {
                    "domain": ["with the evidence", "against the evidence"],
                    "range": ["#2b6cb0", "#d69e2e"],
                },
            },
            "tooltip": [
                {"field": "month", "type": "ordinal"},
                {"field": "kind", "type": "nominal"},
                {"field": "n", "type": "quantitative", "title": "experiments decided"},
            ],
        },
    }
