"""Tables and Vega-Lite specs (plain dicts) for the comparison and hourglass pages."""

from decimal import Decimal
from fractions import Fraction
from typing import Any

from leanmark.domain import vsm
from leanmark.domain.hourglass import STAGES

from .queries import MapView, StageVolume

TIME_LABELS = {"Lead time", "Process time", "Wait"}
SHARE_LABELS = {"Activity ratio", "Rolled %C&A", "Value-adding share of PT"}
# For each figure: is a lower value the better one?
LOWER_IS_BETTER = {"Lead time", "Process time", "Wait", "Waste steps", "Monthly cost", "Steps"}


def _show(label: str, value: Any, summary: vsm.Summary) -> str:
    if value is None:
        return "—"
    if label in TIME_LABELS:
        return summary.fmt(Fraction(value))
    if label in SHARE_LABELS:
        return vsm.percent(value)
    if label == "Monthly cost":
        return f"{Decimal(value):,.0f}"
    return str(value)


def _delta(label: str, delta: Any, summary: vsm.Summary) -> str:
    if delta is None:
        return "—"
    if delta == 0:
        return "no change"
    sign = "+" if delta > 0 else "−"
    size = abs(delta)
    if label in TIME_LABELS:
        return sign + summary.fmt(Fraction(size))
    if label in SHARE_LABELS:
        return f"{sign}{float(size) * 100:.1f} pp"
    if label == "Monthly cost":
        return f"{sign}{Decimal(size):,.0f}"
    return f"{sign}{size}"


def change_rows(result: vsm.Comparison) -> list[dict[str, Any]]:
    """The comparison's figures as table rows, with whether the change is an improvement."""
    summary = result.current
    rows = []
    for change in result.changes:
        delta = change.delta
        better = None
        if delta is not None and delta != 0:
            better = (delta < 0) == (change.label in LOWER_IS_BETTER)
        rows.append(
            {
                "label": change.label,
                "current": _show(change.label, change.current, summary),
                "future": _show(change.label, change.future, summary),
                "delta": _delta(change.label, delta, summary),
                "better": better,
            }
        )
    return rows


def step_rows(result: vsm.Comparison) -> list[dict[str, Any]]:
    s = result.current
    rows = []
    for diff in result.steps:
        step = diff.future or diff.current
        assert step is not None  # noqa: S101 (a diff has at least one side)
        rows.append(
            {
                "kind": diff.kind,
                "name": step.name,
                "stage": step.stage.value,
                "fields": ", ".join(FIELD_LABELS.get(f, f) for f in diff.fields),
                "current": _step_times(diff.current, s),
                "future": _step_times(diff.future, s),
                "future_key": diff.future.key if diff.future else None,
                "current_key": diff.current.key if diff.current else None,
            }
        )
    return rows


def _step_times(step: vsm.StepInput | None, s: vsm.Summary) -> str:
    if step is None:
        return "—"
    pt, lt = step.pt.minutes(s.basis, s.working), step.lt.minutes(s.basis, s.working)
    return f"LT {s.fmt(lt)} · PT {s.fmt(pt)} · %C&A {float(step.ca_percent):.0f} %"


def comparison_chart(result: vsm.Comparison, current: str, future: str) -> dict[str, Any]:
    """Lead time per stage, split in wait and process time, current beside future (in days of
    the map's basis)."""
    s = result.current
    values = []
    for label, summary in (("Current", result.current), ("Future", result.future)):
        for stage in STAGES:
            t = summary.by_stage[stage]
            for part, minutes in (("Process time", t.pt), ("Wait", t.wait)):
                values.append(
                    {
                        "stage": stage.value.capitalize(),
                        "map": label,
                        "part": part,
                        "days": round(vsm.in_days(minutes, s.basis, s.working), 2),
                        "shown": s.fmt(minutes),
                    }
                )
    return {
        "description": f"Lead time per stage: {current} vs {future}",
        "data": {"values": values},
        "height": 220,
        "mark": {"type": "bar", "tooltip": True},
        "encoding": {
            "x": {
                "field": "stage",
                "type": "nominal",
                "sort": [st.value.capitalize() for st in STAGES],
                "title": None,
                "axis": {"labelAngle": 0},
            },
            "xOffset": {"field": "map", "sort": ["Current", "Future"]},
            "y": {
                "field": "days",
                "type": "quantitative",
                "stack": "zero",
                "title": f"days ({s.basis.value} basis)",
            },
            "color": {
                "field": "part",
                "type": "nominal",
                "scale": {"domain": ["Process time", "Wait"], "range": ["#2f855a", "#d69e2e"]},
                "title": None,
            },
            "opacity": {
                "field": "map",
                "scale": {"domain": ["Current", "Future"], "range": [0.55, 1]},
                "title": "Map",
                # the bars' own colour, paler for the current map, instead of grey and black
                "legend": {"symbolType": "square", "symbolFillColor": "#d69e2e"},
            },
            "tooltip": [
                {"field": "map"},
                {"field": "stage"},
                {"field": "part"},
                {"field": "shown", "title": "time"},
            ],
        },
    }


FIELD_LABELS = {
    "pt": "process time",
    "lt": "lead time",
    "ca_percent": "%C&A",
    "cost_per_run": "cost per run",
    "runs_per_month": "runs per month",
    "value": "customer value",
}

WIDTHS = {"know": 7, "like": 6, "trust": 5, "try": 4, "buy": 3, "repeat": 4, "refer": 5}


def hourglass_rows(view: MapView, volumes: dict[str, StageVolume]) -> list[dict[str, Any]]:
    """One row per stage, widest at the top and bottom, narrowest at Buy: the hourglass."""
    rows = []
    for stage, steps, totals in view.by_stage:
        rows.append(
            {
                "stage": stage.value,
                "label": stage.value.capitalize(),
                "width": WIDTHS[stage.value],
                "steps": steps,
                "totals": totals,
                "lt": view.fmt(totals.lt),
                "pt": view.fmt(totals.pt),
                "ratio": vsm.percent(totals.activity_ratio),
                "volume": volumes.get(stage.value),
            }
        )
    return rows
