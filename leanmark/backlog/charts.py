"""Vega-Lite specs of the backlog (pure builders: rows in, a dict out)."""

from collections.abc import Sequence
from datetime import date
from typing import Any

from leanmark.domain.value import Model

from .queries import RankedIdea


def cd3_against_duration(rows: Sequence[RankedIdea], *, on: date, url_base: str) -> dict[str, Any]:
    """CD3 (up) against duration in weeks (across): quick wins sit top left. Each point carries
    its inputs and explanation in the tooltip and links to the idea."""
    points = []
    for row in rows:
        score = row.scores.get(Model.CD3)
        cod = row.cod
        if score is None or cod is None:
            continue
        points.append(
            {
                "id": row.idea.pk,
                "title": row.idea.title,
                "cd3": score.value,
                "weeks": float(cod.duration_weeks),
                "profile": str(cod.profile).replace("_", " "),
                "explanation": score.explanation,
                "flag": "deadline at risk"
                if score.deadline_at_risk
                else ("expedite" if score.expedite else ""),
                "url": f"{url_base}{row.idea.pk}/",
            }
        )
    _label(points)
    x_axis = {"tickMinStep": 0.5, "labelOverlap": True}
    return {
        "description": f"CD3 against duration on {on.isoformat()}",
        "height": 300,
        "data": {"values": points},
        "layer": [
            {
                "mark": {"type": "point", "filled": True, "size": 90, "opacity": 0.85},
                "encoding": {
                    "x": {
                        "field": "weeks",
                        "type": "quantitative",
                        "title": "Duration (weeks)",
                        "scale": {"zero": True},
                        "axis": x_axis,
                    },
                    "y": {
                        "field": "cd3",
                        "type": "quantitative",
                        "title": "CD3 (cost of delay per week ÷ weeks)",
                    },
                    "color": {"field": "profile", "type": "nominal", "title": "Urgency"},
                    "href": {"field": "url"},
                    "tooltip": [
                        {"field": "title", "title": "Idea"},
                        {"field": "cd3", "title": "CD3", "format": ",.2f"},
                        {"field": "weeks", "title": "Weeks"},
                        {"field": "explanation", "title": "How"},
                        {"field": "flag", "title": "Flag"},
                    ],
                },
            },
            *(_labels(side) for side in ("right", "left")),
        ],
    }


LABELLED = 8  # the best points named on the chart; every point has its tooltip
LABEL_CHARS = 24
# A label (at most 24 characters of 10 px text, some 130 px) takes about a seventh of the
# width of a plot at least 900 px wide, and a twelfth of its 300 px height: two labels closer
# than that would overlap.
LABEL_W, LABEL_H = 0.15, 0.08


def short(title: str, limit: int = LABEL_CHARS) -> str:
    """The title cut at a word boundary, with an ellipsis when something was cut."""
    if len(title) <= limit:
        return title
    cut = title[: limit - 1].rsplit(" ", 1)[0] if " " in title[: limit - 1] else title[: limit - 1]
    return cut.rstrip(" ,;:–-") + "…"


def _label(points: list[dict[str, Any]]) -> None:
    """Name the best points whose label would not overlap a better point's label; a point in the
    right quarter is named on its left, so the label stays inside the plot."""
    if not points:
        return
    x_span = max(p["weeks"] for p in points) or 1.0
    y_span = max(p["cd3"] for p in points) or 1.0
    placed: list[tuple[float, float]] = []  # (left edge, y) of each label, as plot fractions
    for point in sorted(points, key=lambda p: -p["cd3"]):
        x, y = point["weeks"] / x_span, point["cd3"] / y_span
        point["side"] = "left" if x > 0.75 else "right"
        left = x - LABEL_W if point["side"] == "left" else x
        clash = any(abs(left - lx) < LABEL_W and abs(y - ly) < LABEL_H for lx, ly in placed)
        point["label"] = "" if clash or len(placed) >= LABELLED else short(point["title"])
        if point["label"]:
            placed.append((left, y))


def _labels(side: str) -> dict[str, Any]:
    return {
        "transform": [{"filter": f"datum.side === '{side}' && datum.label !== ''"}],
        "mark": {
            "type": "text",
            "align": "left" if side == "right" else "right",
            "dx": 7 if side == "right" else -7,
            "fontSize": 10,
        },
        "encoding": {
            "x": {"field": "weeks", "type": "quantitative"},
            "y": {"field": "cd3", "type": "quantitative"},
            "text": {"field": "label"},
            "color": {"value": "#66717d"},
        },
    }
