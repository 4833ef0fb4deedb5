"""Vega-Lite specs (plain dicts) for the flow charts. Each takes the report and returns a spec, or
None when there is not enough data to draw something truthful: the page then says so instead."""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import numpy as np

from leanmark.lib.charts import DAY_TOOLTIP, date_x

from .queries import FlowReport, ForecastReport

Spec = dict[str, Any]
DRAWN = 2000  # most dots drawn in one chart; the CSV has them all
LEVEL_COLOURS = {50: "#2f855a", 70: "#319795", 85: "#d69e2e", 95: "#c53030"}
HEIGHT = 240


def _rules(levels: dict[int, float], axis: str = "y") -> list[Spec]:
    """Horizontal percentile lines labelled '85%: 7.0 d'."""
    data = [
        {"level": f"{k}%", "days": round(v, 1), "label": f"{k}%: {v:.1f} d", "colour": c}
        for k, v in levels.items()
        for c in [LEVEL_COLOURS.get(k, "#66717d")]
    ]
    if not data:
        return []
    return [
        {
            "data": {"values": data},
            "mark": {"type": "rule", "strokeDash": [4, 3]},
            "encoding": {
                axis: {"field": "days", "type": "quantitative"},
                "color": {"field": "colour", "type": "nominal", "scale": None},
                "tooltip": [{"field": "label", "title": "percentile"}],
            },
        },
        *(
            {
                "data": {"values": data},
                "mark": {
                    "type": "text",
                    "align": "right",
                    "dy": -5,
                    "x": "width",
                    "fontSize": 11,
                    **halo,
                },
                "encoding": {
                    axis: {"field": "days", "type": "quantitative"},
                    "text": {"field": "label"},
                    "color": {"field": "colour", "type": "nominal", "scale": None},
                },
            }
            # a white outline drawn under each label keeps it readable over the dots
            for halo in ({"stroke": "#ffffff", "strokeWidth": 3, "strokeJoin": "round"}, {})
        ),
    ]


def cfd(report: FlowReport) -> Spec | None:
    if not report.has_history or not any(row[0] for row in report.cfd):
        return None
    names = report.columns
    values = []
    for day, row in zip(report.days, report.cfd, strict=True):
        for k, name in enumerate(names):
            in_column = row[k] - (row[k + 1] if k + 1 < len(names) else 0)
            values.append(
                {
                    "date": day.isoformat(),
                    "column": name,
                    "order": k,
                    "items": in_column,
                    "at_or_after": row[k],
                }
            )
    return {
        "height": HEIGHT + 60,
        "data": {"values": values},
        "mark": {"type": "area", "interpolate": "step-after", "opacity": 0.9},
        "encoding": {
            "x": date_x(),
            "y": {"field": "items", "type": "quantitative", "stack": True, "title": "items"},
            "color": {
                "field": "column",
                "type": "nominal",
                "sort": list(names),
                "scale": {"domain": list(names), "scheme": "tableau10"},
                "legend": {"orient": "top", "title": None},
            },
            "order": {"field": "order", "sort": "descending"},
            "tooltip": [
                {"field": "date", **DAY_TOOLTIP},
                {"field": "column"},
                {"field": "items", "title": "items in this column"},
                {"field": "at_or_after", "title": "items here or further right"},
            ],
        },
    }


def scatter(report: FlowReport, card_url: Callable[[int], str]) -> Spec | None:
    shown = report.recent_points(DRAWN)
    if not shown:
        return None
    values = [
        {
            "finished": finished,
            "days": round(days, 2),
            "number": f"#{number}",
            "title": title,
            "url": card_url(number),
        }
        for finished, days, number, title in shown
    ]
    return {
        "height": HEIGHT + 40,
        "layer": [
            {
                "data": {"values": values},
                "mark": {"type": "circle", "size": 48, "opacity": 0.75, "cursor": "pointer"},
                "encoding": {
                    "x": date_x("finished", "finished"),
                    "y": {"field": "days", "type": "quantitative", "title": "cycle time (days)"},
                    "href": {"field": "url"},
                    "tooltip": [
                        {"field": "number", "title": "card"},
                        {"field": "title"},
                        {"field": "days", "title": "cycle time (days)"},
                        {
                            "field": "finished",
                            "type": "temporal",
                            "timeUnit": "utcyearmonthdatehoursminutes",
                            "format": "%-d %b %Y %H:%M UTC",
                        },
                    ],
                },
            },
            *_rules(report.percentiles),
        ],
    }


def throughput_run(report: FlowReport, weekly: bool) -> Spec | None:
    if not report.total_throughput:
        return None
    if weekly:
        starts = [(p.start, p.throughput) for p in report.weekly]
    else:
        starts = list(zip(report.days, report.throughput, strict=True))
    # Each bar spans its day or week (x to x2), so a year of weeks is as legible as 90 days.
    length = timedelta(days=7 if weekly else 1)
    values = [
        {"date": d.isoformat(), "end": (d + length).isoformat(), "done": n} for d, n in starts
    ]
    unit = "week" if weekly else "day"
    return {
        "height": HEIGHT,
        "data": {"values": values},
        "mark": {"type": "bar", "tooltip": True, "stroke": "#ffffff", "strokeWidth": 0.5},
        "encoding": {
            "x": date_x(title=f"{unit} starting"),
            "x2": {"field": "end"},
            "y": {"field": "done", "type": "quantitative", "title": f"items finished per {unit}"},
            "y2": {"datum": 0},
            "tooltip": [
                {"field": "date", "title": f"{unit} starting", **DAY_TOOLTIP},
                {"field": "done", "title": "finished"},
            ],
        },
    }


def throughput_histogram(report: FlowReport) -> Spec | None:
    if not report.total_throughput:
        return None
    counts: dict[int, int] = {}
    for n in report.throughput:
        counts[n] = counts.get(n, 0) + 1
    values = [{"done": k, "days": v} for k, v in sorted(counts.items())]
    return {
        "height": HEIGHT,
        "data": {"values": values},
        "mark": {"type": "bar", "tooltip": True},
        "encoding": {
            "x": {
                "field": "done",
                "type": "ordinal",
                "title": "items finished in a day",
                "axis": {"labelAngle": 0, "labelOverlap": True},
            },
            "y": {"field": "days", "type": "quantitative", "title": "days"},
        },
    }


def wip_run(report: FlowReport) -> Spec | None:
    if not any(report.wip):
        return None
    values = [
        {"date": d.isoformat(), "wip": w, "blocked": b}
        for d, w, b in zip(report.days, report.wip, report.blocked, strict=True)
    ]
    return {
        "height": HEIGHT,
        "data": {"values": values},
        "mark": {"type": "line", "interpolate": "step-after", "point": False},
        "encoding": {
            "x": date_x(),
            "y": {
                "field": "wip",
                "type": "quantitative",
                "title": "items in progress (end of day)",
            },
            "tooltip": [
                {"field": "date", **DAY_TOOLTIP},
                {"field": "wip", "title": "in progress"},
                {"field": "blocked", "title": "of which blocked"},
            ],
        },
    }


def aging(report: FlowReport, card_url: Callable[[int], str]) -> Spec | None:
    shown = report.oldest(DRAWN)
    if not shown:
        return None
    order = [c for c in report.columns if any(a.column == c for a in shown)]
    values = [
        {
            "column": a.column,
            "age": round(a.age_days, 1),
            "number": f"#{a.number}",
            "title": a.title,
            "state": "blocked" if a.blocked else ("past 85%" if a.over_85 else "on track"),
            "jitter": round((a.number * 0.6180339887) % 1, 3),  # spread dots, same place each time
            "url": card_url(a.number),
        }
        for a in shown
    ]
    return {
        "height": HEIGHT + 40,
        "layer": [
            {
                "data": {"values": values},
                "mark": {"type": "circle", "size": 70, "opacity": 0.85, "cursor": "pointer"},
                "encoding": {
                    "x": {
                        "field": "column",
                        "type": "nominal",
                        "sort": order,
                        "title": None,
                        "axis": {"labelAngle": 0},
                    },
                    "xOffset": {
                        "field": "jitter",
                        "type": "quantitative",
                        "scale": {"domain": [-0.1, 1.1]},
                    },
                    "y": {
                        "field": "age",
                        "type": "quantitative",
                        "title": "age (days since start)",
                    },
                    "color": {
                        "field": "state",
                        "type": "nominal",
                        "scale": {
                            "domain": ["on track", "past 85%", "blocked"],
                            "range": ["#2b6cb0", "#d69e2e", "#c53030"],
                        },
                        "legend": {"orient": "top", "title": None},
                    },
                    "href": {"field": "url"},
                    "tooltip": [
                        {"field": "number", "title": "card"},
                        {"field": "title"},
                        {"field": "column"},
                        {"field": "age", "title": "age (days)"},
                        {"field": "state"},
                    ],
                },
            },
            *_rules(report.percentiles),
        ],
    }


def efficiency(report: FlowReport) -> Spec | None:
    rated = report.efficiencies
    if not rated.size:
        return None
    # Ten bins counted here: the page carries ten numbers, not one per item.
    counts, _edges = np.histogram(rated * 100, bins=10, range=(0, 100))
    values = [
        {"from": 10 * k, "to": 10 * (k + 1), "items": int(n), "label": f"{10 * k}–{10 * (k + 1)} %"}
        for k, n in enumerate(counts)
    ]
    return {
        "height": HEIGHT,
        "data": {"values": values},
        "mark": {"type": "bar", "tooltip": True},
        "encoding": {
            "x": {
                "field": "from",
                "type": "quantitative",
                "bin": {"binned": True, "step": 10},
                "scale": {"domain": [0, 100]},
                "title": "flow efficiency of an item (%)",
            },
            "x2": {"field": "to"},
            "y": {"field": "items", "type": "quantitative", "title": "items"},
            "tooltip": [{"field": "label", "title": "efficiency"}, {"field": "items"}],
        },
    }


def blocked_reasons(report: FlowReport) -> Spec | None:
    if not report.reasons:
        return None
    values = [
        {"reason": r.reason, "times": r.times, "days": round(r.blocked_days, 1)}
        for r in report.reasons[:10]
    ]
    return {
        "height": {"step": 22},
        "data": {"values": values},
        "mark": {"type": "bar", "tooltip": True},
        "encoding": {
            "y": {
                "field": "reason",
                "type": "nominal",
                "sort": "-x",
                "title": None,
                "axis": {"labelLimit": 260},
            },
            "x": {"field": "days", "type": "quantitative", "title": "days blocked (all blocks)"},
            "tooltip": [
                {"field": "reason"},
                {"field": "times", "title": "times blocked"},
                {"field": "days", "title": "days blocked"},
            ],
        },
    }


def forecast_histogram(report: ForecastReport) -> Spec | None:
    result = report.result
    if not result.histogram:
        return None
    how_many = result.kind == "how_many"
    counts = dict(result.histogram)
    low, high = min(counts), max(counts)
    levels: dict[int, list[str]] = {}
    for level, value in result.answers.items():
        if value is not None:
            levels.setdefault(value, []).append(f"{level}%")
    values = [
        {
            "outcome": v,
            "trials": counts.get(v, 0),
            "share": round(100 * counts.get(v, 0) / result.trials, 2),
            "answer": ", ".join(levels.get(v, [])),
        }
        for v in range(low, high + 1)
    ]
    title = "items finished" if how_many else f"{report.period}s from today until done"
    x = {
        "field": "outcome",
        "type": "ordinal",
        "title": title,
        "axis": {"labelAngle": 0, "labelOverlap": True},
    }
    return {
        "height": HEIGHT + 40,
        "data": {"values": values},
        "layer": [
            {
                "mark": {"type": "bar", "tooltip": True},
                "encoding": {
                    "x": x,
                    "y": {"field": "trials", "type": "quantitative", "title": "trials"},
                    "color": {
                        "condition": {"test": "datum.answer != ''", "value": "#d69e2e"},
                        "value": "#2b6cb0",
                    },
                    "tooltip": [
                        {"field": "outcome", "title": title},
                        {"field": "trials"},
                        {"field": "share", "title": "% of trials"},
                        {"field": "answer", "title": "answer at"},
                    ],
                },
            },
            {
                "transform": [{"filter": "datum.answer != ''"}],
                "mark": {"type": "text", "dy": -6, "color": "#975a16", "fontSize": 11},
                "encoding": {
                    "x": x,
                    "y": {"field": "trials", "type": "quantitative"},
                    "text": {"field": "answer"},
                },
            },
        ],
    }
