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
    # Name the eight best points on the chart itself; every point has its tooltip.
    for rank, point in enumerate(sorted(points, key=lambda p: -p["cd3"])):
        point["label"] = point["title"][:28] if rank < 8 else ""
    return {
        "description": f"CD3 against duration on {on.isoformat()}",
        "height": 260,
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
                    },
                    "y": {
                        "field": "cd3",
                        "type": "quantitative",
                        "title": f"CD3 on {on.isoformat()} (cost of delay per week ÷ weeks)",
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
            {
                "mark": {"type": "text", "align": "left", "dx": 7, "fontSize": 10},
                "encoding": {
                    "x": {"field": "weeks", "type": "quantitative"},
                    "y": {"field": "cd3", "type": "quantitative"},
                    "text": {"field": "label"},
                    "color": {"value": "#66717d"},
                },
            },
        ],
    }
