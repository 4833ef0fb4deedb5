"""Vega-Lite specs of the stand-up (pure: data in, dict out)."""

from typing import Any

from leanmark.domain.standup import WeekCount


def impediments_per_week(weeks: list[WeekCount]) -> dict[str, Any]:
    """Raised and resolved impediments per ISO week, side by side."""
    values = [
        {"week": w.week_start.isoformat(), "what": what, "count": count}
        for w in weeks
        for what, count in (("raised", w.opened), ("resolved", w.resolved))
    ]
    return {
        "description": "Impediments raised and resolved per week",
        "height": 160,
        "data": {"values": values},
        "mark": {"type": "bar", "tooltip": True},
        "encoding": {
            "x": {
                "field": "week",
                "type": "ordinal",
                "title": "Week starting (Monday)",
                "axis": {"labelAngle": -40},
            },
            "xOffset": {"field": "what"},
            "y": {
                "field": "count",
                "type": "quantitative",
                "title": "Impediments",
                "axis": {"tickMinStep": 1},
            },
            "color": {
                "field": "what",
                "type": "nominal",
                "title": None,
                "scale": {"domain": ["raised", "resolved"], "range": ["#c53030", "#2f855a"]},
            },
            "tooltip": [
                {"field": "week", "title": "Week starting"},
                {"field": "what", "title": "Impediments"},
                {"field": "count", "title": "How many"},
            ],
        },
    }
