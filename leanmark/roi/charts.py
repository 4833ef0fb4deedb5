"""Vega-Lite specs (plain dicts) for the ROI pages: ROI by stage, cost vs return over time, the
response curves with the current and recommended points, and the allocation as a stacked bar."""

from datetime import date
from decimal import Decimal
from typing import Any

import numpy as np

from leanmark.domain import curves as curve_fits
from leanmark.domain import roi as domain
from leanmark.lib import formats


def _num(value: Decimal | float | None) -> float | None:
    return None if value is None else round(float(value), 4)


def roi_by_key(report: domain.RoiReport, labels: dict[str, str], currency: str) -> dict[str, Any]:
    """Bars of ROI per stage (or channel, or campaign); a tooltip carries cost and return."""
    values = [
        {
            "key": labels.get(row.key, formats.label(row.key)) if row.key else "(none)",
            "roi": _num(row.roi),
            "cost": _num(row.cost),
            "return": _num(row.ret),
        }
        for row in report.rows
        if row.roi is not None
    ]
    return {
        "description": f"ROI by {report.dimension}",
        "height": 220,
        "data": {"values": values},
        "mark": {"type": "bar", "tooltip": True},
        "encoding": {
            "x": {"field": "key", "type": "nominal", "sort": None, "title": None},
            "y": {"field": "roi", "type": "quantitative", "title": "ROI", "axis": {"format": "%"}},
            "color": {
                "condition": {"test": "datum.roi < 0", "value": "#c0392b"},
                "value": "#2e7d5b",
            },
            "tooltip": [
                {"field": "key", "title": report.dimension.capitalize()},
                {"field": "roi", "title": "ROI", "format": ".0%"},
                {"field": "cost", "title": f"Cost ({currency})", "format": ",.2f"},
                {"field": "return", "title": f"Return ({currency})", "format": ",.2f"},
            ],
        },
    }


def cost_vs_return(monthly: list[tuple[date, Decimal, Decimal]], currency: str) -> dict[str, Any]:
    values = []
    for month, cost, ret in monthly:
        values.append({"month": month.isoformat(), "series": "Cost", "amount": _num(cost)})
        values.append({"month": month.isoformat(), "series": "Return", "amount": _num(ret)})
    return {
        "description": "Cost and return per month",
        "height": 220,
        "data": {"values": values},
        "mark": {"type": "line", "point": True, "tooltip": True},
        "encoding": {
            "x": {"field": "month", "type": "temporal", "timeUnit": "yearmonth", "title": None},
            "y": {"field": "amount", "type": "quantitative", "title": currency},
            "color": {
                "field": "series",
                "type": "nominal",
                "scale": {"domain": ["Cost", "Return"], "range": ["#c0392b", "#2e7d5b"]},
                "title": None,
            },
            "tooltip": [
                {"field": "month", "type": "temporal", "timeUnit": "yearmonth", "title": "Month"},
                {"field": "series", "title": "Series"},
                {"field": "amount", "title": currency, "format": ",.2f"},
            ],
        },
    }


def response_curves(
    curves: dict[str, domain.Curve],
    history: dict[str, list[Any]],
    allocation: domain.Allocation | None,
    unit_label: str,
) -> dict[str, Any]:
    """One line per channel, its bootstrap band (10th-90th percentile of the refitted curves)
    as a shaded area, its monthly history as dots, and the current (hollow) and recommended
    (filled) points."""
    top = 1.0
    for months in history.values():
        for m in months:
            top = max(top, float(m.x))
    if allocation:
        for split in allocation.splits:
            top = max(top, split.recommended, split.current or 0.0)
    xs = np.linspace(0, top * 1.25, 40)
    lines = [
        {
            "channel": formats.label(name),
            "x": round(float(x), 2),
            "r": round(curve.value(float(x)), 2),
        }
        for name, curve in curves.items()
        for x in xs
    ]
    bands = []
    for name, curve in curves.items():
        found = curve_fits.band(curve, xs)
        if found is None:
            continue
        bands += [
            {
                "channel": formats.label(name),
                "x": round(float(x), 2),
                "low": round(float(low), 2),
                "high": round(float(high), 2),
            }
            for x, low, high in zip(xs, *found, strict=True)
        ]
    dots = [
        {
            "channel": formats.label(name),
            "x": float(m.x),
            "r": float(m.ret),
            "month": m.month.isoformat(),
        }
        for name, months in history.items()
        if name in curves
        for m in months
    ]
    points = []
    if allocation:
        for split in allocation.splits:
            points.append(
                {
                    "channel": formats.label(split.channel),
                    "x": round(split.recommended, 2),
                    "r": round(split.expected_return, 2),
                    "which": "Recommended",
                }
            )
            if split.current is not None and split.current_return is not None:
                points.append(
                    {
                        "channel": formats.label(split.channel),
                        "x": round(split.current, 2),
                        "r": round(split.current_return, 2),
                        "which": "Current",
                    }
                )
    x_enc = {"field": "x", "type": "quantitative", "title": f"Monthly {unit_label}"}
    y_enc = {"field": "r", "type": "quantitative", "title": "Monthly return"}
    color = {"field": "channel", "type": "nominal", "title": "Channel"}
    return {
        "description": "Response curves per channel, with their 10-90 % bootstrap bands",
        "height": 280,
        "layer": [
            {
                "data": {"values": bands},
                "mark": {"type": "area", "opacity": 0.18, "tooltip": True},
                "encoding": {
                    "x": x_enc,
                    "y": {"field": "low", "type": "quantitative", "title": "Monthly return"},
                    "y2": {"field": "high"},
                    "color": color,
                    "tooltip": [
                        {"field": "channel", "title": "Channel"},
                        {"field": "x", "title": unit_label, "format": ",.0f"},
                        {"field": "low", "title": "Return, 10th percentile", "format": ",.0f"},
                        {"field": "high", "title": "Return, 90th percentile", "format": ",.0f"},
                    ],
                },
            },
            {
                "data": {"values": lines},
                "mark": {"type": "line"},
                "encoding": {"x": x_enc, "y": y_enc, "color": color},
            },
            {
                "data": {"values": dots},
                "mark": {"type": "circle", "size": 25, "opacity": 0.5, "tooltip": True},
                "encoding": {
                    "x": x_enc,
                    "y": y_enc,
                    "color": color,
                    "tooltip": [
                        {"field": "channel", "title": "Channel"},
                        {"field": "month", "title": "Month"},
                        {"field": "x", "title": unit_label, "format": ",.0f"},
                        {"field": "r", "title": "Return", "format": ",.0f"},
                    ],
                },
            },
            {
                "data": {"values": points},
                "mark": {"type": "point", "size": 140, "strokeWidth": 2, "tooltip": True},
                "encoding": {
                    "x": x_enc,
                    "y": y_enc,
                    "color": color,
                    "shape": {
                        "field": "which",
                        "type": "nominal",
                        "scale": {
                            "domain": ["Current", "Recommended"],
                            "range": ["circle", "diamond"],
                        },
                        "title": None,
                        "legend": {"symbolStrokeColor": "#66717d", "symbolStrokeWidth": 2},
                    },
                    "fill": {
                        "condition": {"test": "datum.which === 'Recommended'", "field": "channel"},
                        "value": "white",
                    },
                    "tooltip": [
                        {"field": "channel", "title": "Channel"},
                        {"field": "which", "title": "Point"},
                        {"field": "x", "title": unit_label, "format": ",.0f"},
                        {"field": "r", "title": "Expected return", "format": ",.0f"},
                    ],
                },
            },
        ],
    }


def allocation_bars(allocation: domain.Allocation, unit_label: str) -> dict[str, Any]:
    """Current vs recommended split as two stacked bars."""
    values = []
    for split in allocation.splits:
        if split.current is not None:
            values.append(
                {"split": "Current", "channel": formats.label(split.channel), "x": split.current}
            )
        values.append(
            {
                "split": "Recommended",
                "channel": formats.label(split.channel),
                "x": split.recommended,
            }
        )
    return {
        "description": "Current and recommended split of the budget",
        "height": 110,
        "data": {"values": values},
        "mark": {"type": "bar", "tooltip": True},
        "encoding": {
            "y": {"field": "split", "type": "nominal", "title": None, "sort": ["Current"]},
            "x": {"field": "x", "type": "quantitative", "stack": True, "title": unit_label},
            "color": {"field": "channel", "type": "nominal", "title": "Channel"},
            "tooltip": [
                {"field": "split", "title": "Split"},
                {"field": "channel", "title": "Channel"},
                {"field": "x", "title": unit_label, "format": ",.0f"},
            ],
        },
    }
