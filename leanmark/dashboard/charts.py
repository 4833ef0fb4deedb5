"""Vega-Lite specs (plain dicts) for the dashboard's charts, and the tiles' SVG sparklines.

The sparkline is a few SVG attributes computed here rather than a Vega view: a dashboard shows
dozens of them, and one small polyline each draws at once with no script. Its <title> lists the
values, so the line can be traced to its numbers.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from leanmark.domain.metrics import Bucket, Conversion
from leanmark.lib import formats

STAGE_COLOURS = {
    "know": "#2b6cb0",
    "like": "#2f855a",
    "trust": "#d69e2e",
    "try": "#6b46c1",
    "buy": "#c53030",
    "repeat": "#319795",
    "refer": "#66717d",
}


# A bar of a period under way: lighter (its opacity), with a dashed outline.
PARTIAL_OUTLINE = {
    "stroke": {"condition": {"test": "datum.partial", "value": "#2b6cb0"}, "value": "#fff"},
    "strokeDash": {"condition": {"test": "datum.partial", "value": [4, 3]}, "value": [1, 0]},
}

AXIS_FORMATS = {"day": "%d %b", "week": "%d %b %y", "month": "%b %Y", "year": "%Y"}


@dataclass(frozen=True)
class Sparkline:
    points: str  # the polyline of the finished periods
    last: tuple[float, float] | None  # where the current period's dot goes
    title: str
    width: int
    height: int
    so_far: str = ""  # a period under way of a mean or last value: a dashed segment to it
    bar: tuple[float, float, float, float] | None = None  # a sum under way: x, y, width, height
    track: tuple[float, float, float, float] | None = None  # the bar's room: up to the last level
    partial: bool = False  # the last period is still under way: its dot is hollow

    @property
    def drawn(self) -> bool:
        return bool(self.points or self.so_far or self.bar)


def sparkline(
    buckets: Sequence[Bucket],
    *,
    width: int = 132,
    height: int = 30,
    partial: bool = False,
    summed: bool = False,
) -> Sparkline:
    """The line of ``buckets``, the last one a period under way when ``partial`` ("so far" in the
    title). A sum under way is not a point on the line, which would fall on a week's first days:
    it is a pale bar filling up from the bottom, in a dashed outline as high as the period
    before. A mean or last value under way is a dashed
    segment to a hollow dot. A line needs two values: with fewer nothing is drawn (the tile
    shows its number)."""
    values = [b.value for b in buckets]
    known = [v for v in values if v is not None]
    under_way = len(buckets) - 1 if partial else None
    title = "; ".join(
        f"{b.label}{' so far' if i == under_way else ''}: {formats.number(b.value)}"
        for i, b in enumerate(buckets)
    )
    if len(known) < 2:
        return Sparkline("", None, title or "no data", width, height)
    filling = partial and summed and values[-1] is not None
    # The line's scale: a sum under way is left out, so its small value does not flatten the line.
    scale = [v for v in values[:-1] if v is not None] if filling else known
    if len(scale) < 2:
        return Sparkline("", None, title, width, height)
    low, high = min(scale), max(scale)
    span = (high - low) or 1.0
    right = width - (5 if filling else 2)  # room for half a bar
    step = (right - 2) / max(len(values) - 1, 1)
    coords = []
    for i, value in enumerate(values):
        if value is None:
            continue
        x = 2 + i * step
        y = min(max(height - 3 - (value - low) / span * (height - 6), 3.0), height - 3.0)
        coords.append((round(x, 1), round(y, 1)))
    last = coords[-1] if values[-1] is not None else None
    if not (partial and last is not None):
        return Sparkline(_points(coords), last, title, width, height)
    if summed:
        x, y = last[0] - 3, min(last[1], height - 4.0)  # a stub at least, on a first day
        level = min(coords[-2][1], height - 4.0)
        bar = (round(x, 1), y, 6.0, round(height - 1 - y, 1))
        track = (round(x, 1), level, 6.0, round(height - 1 - level, 1))
        line = _points(coords[:-1])
        return Sparkline(line, None, title, width, height, bar=bar, track=track, partial=True)
    so_far = _points(coords[-2:])
    return Sparkline(_points(coords[:-1]), last, title, width, height, so_far, partial=True)


def _points(coords: Sequence[tuple[float, float]]) -> str:
    """A polyline's points, or "" for fewer than two (a dot is not a line)."""
    return " ".join(f"{x},{y}" for x, y in coords) if len(coords) >= 2 else ""


def metric_chart(
    rows: Sequence[dict[str, Any]],
    *,
    unit: str,
    annotations: Sequence[tuple[date, str, str]] = (),
    bars: bool = True,
    period: str = "week",
) -> dict[str, Any]:
    """Values per period (bars for sums, a line otherwise), the target in force in each period
    as a dashed step line, and annotations (PDCA changes, experiment decisions) as rules. The
    period under way is drawn lighter with a dashed outline and labelled "so far".

    ``rows``: {"start", "end", "label", "value", "target", "rows", "change", "partial"} per
    period; ``end`` is the first day after the period, so a bar covers its period."""
    data = [
        {
            "start": r["start"].isoformat(),
            "end": r["end"].isoformat(),
            "partial": r["partial"],
            "label": r["label"],
            "value": r["value"],
            "target": r["target"],
            "rows": r["rows"],
            "change": r["change"],
        }
        for r in rows
    ]
    x = {
        "field": "start",
        "type": "temporal",
        "title": None,
        "axis": {
            "labelOverlap": True,
            "format": AXIS_FORMATS.get(period, "%d %b %y"),
            "tickCount": {"day": "week", "week": "month", "month": "month", "year": "year"}.get(
                period, "month"
            ),
        },
    }
    tooltip = [
        {"field": "label", "title": "period"},
        {"field": "value", "title": unit or "value", "format": ",.2~f"},
        {"field": "target", "title": "target", "format": ",.2~f"},
        {"field": "change", "title": "change", "format": "+,.2~f"},
        {"field": "rows", "title": "measurements"},
    ]
    layers: list[dict[str, Any]] = [
        {
            "mark": {"type": "bar", "stroke": "#fff", "strokeWidth": 1}
            if bars
            else {"type": "line", "point": True, "interpolate": "monotone"},
            "encoding": {
                "x": x,
                **({"x2": {"field": "end"}, "y2": {"datum": 0}} if bars else {}),
                "y": {"field": "value", "type": "quantitative", "title": unit or None},
                "opacity": {"condition": {"test": "datum.partial", "value": 0.4}, "value": 0.9},
                **(PARTIAL_OUTLINE if bars else {}),
                "tooltip": tooltip,
            },
        },
        {  # the period under way, named: its bar is short because it is not over, not a fall
            "transform": [{"filter": "datum.partial && datum.value != null"}],
            "mark": {"type": "text", "baseline": "bottom", "dy": -3, "color": "#52606d"},
            "encoding": {
                "x": x,
                **({"x2": {"field": "end"}} if bars else {}),
                "y": {"field": "value", "type": "quantitative"},
                "text": {"value": "so far"},
                "tooltip": tooltip,
            },
        },
        {
            "transform": [{"filter": "datum.target != null"}],
            "mark": {"type": "line", "interpolate": "step-after", "strokeDash": [5, 4]},
            "encoding": {
                "x": x,
                "y": {"field": "target", "type": "quantitative"},
                "color": {"value": "#c53030"},
                "tooltip": tooltip,
            },
        },
    ]
    if annotations:
        layers.append(
            {
                "data": {
                    "values": [
                        {"start": d.isoformat(), "note": label} for d, label, _url in annotations
                    ]
                },
                "mark": {"type": "rule", "strokeDash": [2, 2], "color": "#6b46c1"},
                "encoding": {
                    "x": {"field": "start", "type": "temporal"},
                    "tooltip": [
                        {"field": "note", "title": "change"},
                        {"field": "start", "type": "temporal", "title": "on"},
                    ],
                },
            }
        )
    return {"height": 260, "data": {"values": data}, "layer": layers}


def funnel_chart(volumes: Sequence[tuple[str, float | None]], drop_stage: str | None) -> dict:
    """The hourglass funnel: one bar per stage, Know at the top, on a log scale (Know is often a
    thousand times Refer), the stage after the biggest drop in red, each bar labelled with its
    volume and its conversion from the stage above."""
    data = []
    previous = None
    for stage, volume in volumes:
        if volume is None or volume <= 0:
            previous = None
            continue
        rate = f" ({volume / previous:.1%} of above)" if previous else ""
        data.append(
            {
                "stage": stage.capitalize(),
                "volume": volume,
                "label": f"{formats.number(volume)}{rate}",
                "drop": stage == drop_stage,
            }
        )
        previous = volume
    order = [s.capitalize() for s, _ in volumes]
    y = {"field": "stage", "type": "nominal", "sort": order, "title": None}
    smallest = min((d["volume"] for d in data), default=1.0)
    floor = 10 ** math.floor(math.log10(smallest))  # bars grow from a power of ten below all
    top = max((d["volume"] for d in data), default=10.0) * 8  # room for the labels
    scale = {"type": "log", "domain": [floor, top], "zero": False}
    return {
        "height": 34 * max(len(data), 1),
        "data": {"values": data},
        "encoding": {"y": y},
        "layer": [
            {
                "mark": {"type": "bar", "cornerRadius": 3},
                "encoding": {
                    "x": {
                        "field": "volume",
                        "type": "quantitative",
                        "scale": scale,
                        "title": "volume (log scale)",
                    },
                    "x2": {"datum": floor},
                    "color": {
                        "field": "drop",
                        "type": "nominal",
                        "scale": {"domain": [False, True], "range": ["#2b6cb0", "#c53030"]},
                        "legend": None,
                    },
                    "tooltip": [
                        {"field": "stage"},
                        {"field": "volume", "format": ",.0f"},
                        {"field": "label", "title": "conversion"},
                    ],
                },
            },
            {
                "mark": {"type": "text", "align": "left", "dx": 4, "color": "#1f2933"},
                "encoding": {
                    "x": {"field": "volume", "type": "quantitative", "scale": scale},
                    "text": {"field": "label"},
                },
            },
        ],
    }


def conversion_trend_chart(rows: Sequence[tuple[date, str, Sequence[Conversion]]]) -> dict:
    """Each adjacent-stage conversion over the periods, one line each (legend in hourglass
    order)."""
    steps = list(
        dict.fromkeys(
            f"{c.from_stage.capitalize()} → {c.to_stage.capitalize()}"
            for _s, _l, conversions in rows
            for c in conversions
        )
    )
    data = [
        {
            "start": start.isoformat(),
            "period": label,
            "step": f"{c.from_stage.capitalize()} → {c.to_stage.capitalize()}",
            "rate": c.rate,
        }
        for start, label, conversions in rows
        for c in conversions
        if c.rate is not None
    ]
    return {
        "height": 240,
        "data": {"values": data},
        "mark": {"type": "line", "point": True},
        "encoding": {
            "x": {"field": "start", "type": "temporal", "title": None},
            "y": {
                "field": "rate",
                "type": "quantitative",
                "title": "conversion",
                "axis": {"format": "%"},
            },
            "color": {"field": "step", "type": "nominal", "title": None, "sort": steps},
            "tooltip": [
                {"field": "period"},
                {"field": "step"},
                {"field": "rate", "format": ".1%"},
            ],
        },
    }
