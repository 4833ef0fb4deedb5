"""Charts of a cycle's Check: a Vega-Lite spec for the web page and a plain SVG for the A3 (which
must print the same in every browser, without running any script)."""

from datetime import date
from typing import Any
from xml.sax.saxutils import escape

from django.utils.safestring import SafeString, mark_safe

from .queries import CheckView

BEFORE_COLOUR = "#8a96a3"
AFTER_COLOUR = "#2b6cb0"
CHANGE_COLOUR = "#c53030"


def _headline_values(check: CheckView) -> tuple[str, float | None, float | None]:
    result = check.result
    if result is None or result.headline is None:
        return "", None, None
    head = result.headline
    if result.kind == "rate":
        return "", None, None  # a share is not on the chart's scale (days per item)
    return head.label, head.before, head.after


def check_chart(check: CheckView) -> dict[str, Any] | None:
    """Vega-Lite: the values by day, before in grey and after in blue, the change date as a red
    rule, and the headline figure (85th percentile, or mean) of each window as a dashed line."""
    if check.data is None or check.windows is None or not check.points:
        return None
    w = check.windows
    kind = check.result.kind if check.result else "daily"
    unit = check.metric.unit if check.metric else ""
    values = [
        {"day": p.day.isoformat(), "value": p.value, "window": side, "item": p.label}
        for side, p in check.points
    ]
    label, before, after = _headline_values(check)
    rules = []
    if before is not None:
        rules.append(
            {"from": w.before_start.isoformat(), "to": w.before_end.isoformat(), "y": before}
        )
    if after is not None:
        rules.append({"from": w.after_start.isoformat(), "to": w.after_end.isoformat(), "y": after})
    y_title = (check.metric.noun if check.metric else "value") + (f" ({unit})" if unit else "")
    mark = {"type": "point", "filled": True} if kind != "daily" else {"type": "line", "point": True}
    tooltip = [
        {"field": "day", "type": "temporal", "title": "day"},
        {"field": "value", "type": "quantitative", "title": y_title, "format": ".1f"},
    ]
    if kind != "daily":
        tooltip.append({"field": "item", "title": "card"})
    return {
        "height": 220,
        "layer": [
            {
                "data": {"values": values},
                "mark": mark,
                "encoding": {
                    "x": {"field": "day", "type": "temporal", "title": None},
                    "y": {"field": "value", "type": "quantitative", "title": y_title},
                    "color": {
                        "field": "window",
                        "type": "nominal",
                        "scale": {
                            "domain": ["before", "after"],
                            "range": [BEFORE_COLOUR, AFTER_COLOUR],
                        },
                        "title": None,
                    },
                    **({"detail": {"field": "window"}} if kind == "daily" else {}),
                    "tooltip": tooltip,
                },
            },
            {
                "data": {"values": rules},
                "mark": {"type": "rule", "strokeDash": [5, 4], "strokeWidth": 2},
                "encoding": {
                    "x": {"field": "from", "type": "temporal"},
                    "x2": {"field": "to"},
                    "y": {"field": "y", "type": "quantitative"},
                    "tooltip": [{"field": "y", "title": label, "format": ".1f"}],
                },
            },
            {
                "data": {"values": [{"day": w.change.isoformat(), "text": "change"}]},
                "layer": [
                    {
                        "mark": {"type": "rule", "color": CHANGE_COLOUR, "strokeWidth": 2},
                        "encoding": {"x": {"field": "day", "type": "temporal"}},
                    },
                    {
                        "mark": {
                            "type": "text",
                            "color": CHANGE_COLOUR,
                            "align": "left",
                            "dx": 4,
                            "y": 8,
                        },
                        "encoding": {
                            "x": {"field": "day", "type": "temporal"},
                            "text": {"value": f"change {w.change:%Y-%m-%d}"},
                        },
                    },
                ],
            },
        ],
    }


# ---- the A3's SVG ------------------------------------------------------------------------------


def _ticks(low: float, high: float) -> list[float]:
    span = max(high - low, 1e-9)
    raw = span / 4
    magnitude = 10 ** len(str(int(raw))) / 10 if raw >= 1 else 0.1
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    first = int(low / step) * step
    ticks, value = [], first
    while value <= high + 1e-9:
        if value >= low - 1e-9:
            ticks.append(round(value, 6))
        value += step
    return ticks


def check_svg(check: CheckView, *, width: int = 560, height: int = 190) -> SafeString:
    """The Check chart as an SVG element (attributes only: no style, no script)."""
    if check.windows is None or not check.points:
        return mark_safe("")
    w = check.windows
    left, right, top, bottom = 40, 10, 16, 22
    plot_w, plot_h = width - left - right, height - top - bottom
    first, last = w.before_start, w.after_end
    days = max((last - first).days + 1, 1)
    values = [p.value for _, p in check.points]
    label, before, after = _headline_values(check)
    extra = [v for v in (before, after) if v is not None]
    high = max([*values, *extra, 1.0]) * 1.1
    low = 0.0

    def x(day: date) -> float:
        return left + plot_w * ((day - first).days + 0.5) / days

    def y(value: float) -> float:
        return top + plot_h * (1 - (value - low) / (high - low))

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{escape(label or "values")} '
        f'before and after the change on {w.change:%Y-%m-%d}" font-family="sans-serif" '
        'font-size="10">'
    ]
    parts.extend(
        f'<line x1="{left}" x2="{width - right}" y1="{y(tick):.1f}" y2="{y(tick):.1f}" '
        'stroke="#e2e6ea"/>'
        f'<text x="{left - 4}" y="{y(tick) + 3:.1f}" text-anchor="end" fill="#66717d">'
        f"{tick:g}</text>"
        for tick in _ticks(low, high)
    )
    parts.extend(
        f'<text x="{x(day):.1f}" y="{height - 6}" text-anchor="middle" fill="#66717d">'
        f"{day:%d %b}</text>"
        for day in (first, w.change, last)
    )
    kind = check.result.kind if check.result else "daily"
    for side in ("before", "after"):
        colour = BEFORE_COLOUR if side == "before" else AFTER_COLOUR
        points = [p for s, p in check.points if s == side]
        if kind == "daily" and len(points) > 1:
            path = " ".join(f"{x(p.day):.1f},{y(p.value):.1f}" for p in points)
            parts.append(
                f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="1.5"/>'
            )
        parts += [
            f'<circle cx="{x(p.day):.1f}" cy="{y(p.value):.1f}" r="2.6" fill="{colour}"/>'
            for p in points
        ]
    for value, start, end in ((before, first, w.before_end), (after, w.after_start, last)):
        if value is not None:
            parts.append(
                f'<line x1="{x(start):.1f}" x2="{x(end):.1f}" y1="{y(value):.1f}" '
                f'y2="{y(value):.1f}" stroke="#1f2933" stroke-width="1.5" '
                'stroke-dasharray="5 4"/>'
                f'<text x="{x(end):.1f}" y="{y(value) - 4:.1f}" text-anchor="end" '
                f'fill="#1f2933">{value:.1f}</text>'
            )
    cx = x(w.change) - plot_w / days / 2
    parts.append(
        f'<line x1="{cx:.1f}" x2="{cx:.1f}" y1="{top - 6}" y2="{top + plot_h}" '
        f'stroke="{CHANGE_COLOUR}" stroke-width="2"/>'
        f'<text x="{cx + 4:.1f}" y="{top}" fill="{CHANGE_COLOUR}">change {w.change:%Y-%m-%d}'
        "</text>"
    )
    if label:
        parts.append(
            f'<text x="{width - right}" y="{top}" text-anchor="end" fill="#1f2933">'
            f"dashed: {escape(label)}</text>"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 (built from numbers and escaped labels)


def series_chart(series: Any, changes: list[tuple[date, str, str]]) -> dict[str, Any]:
    """Vega-Lite: one monthly series as a line, each PDCA change date as a labelled rule."""
    values = [{"month": m.isoformat(), "value": v} for m, v in series.values if v is not None]
    rules = [{"day": d.isoformat(), "label": label} for d, label, _ in changes]
    unit = f" ({series.unit})" if series.unit else ""
    layers: list[dict[str, Any]] = [
        {
            "data": {"values": values},
            "mark": {"type": "line", "point": True},
            "encoding": {
                "x": {"field": "month", "type": "temporal", "timeUnit": "yearmonth", "title": None},
                "y": {"field": "value", "type": "quantitative", "title": series.unit or None},
                "tooltip": [
                    {
                        "field": "month",
                        "type": "temporal",
                        "timeUnit": "yearmonth",
                        "title": "month",
                    },
                    {
                        "field": "value",
                        "type": "quantitative",
                        "title": series.title + unit,
                        "format": ".1f",
                    },
                ],
            },
        }
    ]
    if rules:
        layers.append(
            {
                "data": {"values": rules},
                "mark": {"type": "rule", "color": CHANGE_COLOUR, "strokeDash": [4, 3]},
                "encoding": {
                    "x": {"field": "day", "type": "temporal"},
                    "tooltip": [
                        {"field": "day", "type": "temporal", "title": "PDCA change"},
                        {"field": "label", "title": "cycle"},
                    ],
                },
            }
        )
    return {"height": 140, "title": series.title, "layer": layers}
