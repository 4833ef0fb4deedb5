"""Charts: Vega-Lite specs built in Python, drawn in the page by ``static/leanmark/charts.js``.

In a template::

    {% load charts %}
    {% vega_chart spec label="Throughput per week" %}

The tag writes the spec as a JSON data block (never executed, so the strict CSP allows it) next
to a placeholder; charts.js loads the vendored vega, vega-lite and vega-embed once, on the first
page that has a chart, and draws every placeholder with vega's expression interpreter (no
``eval``), also inside fragments swapped in by HTMX. The spec's data travel with it, so the
numbers a chart shows are the numbers the server computed; ``label`` is read by screen readers
and shown while the chart loads.
"""

import uuid
from typing import Any

from django import template
from django.utils.html import format_html, json_script

register = template.Library()

SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"
# The palette of static/leanmark/app.css, so charts look like the rest of the page.
THEME: dict[str, Any] = {
    "font": "system-ui, -apple-system, Segoe UI, Roboto, sans-serif",
    "background": None,
    "view": {"stroke": None},
    "axis": {"labelColor": "#66717d", "titleColor": "#1f2933", "gridColor": "#e6eaee"},
    "legend": {"labelColor": "#1f2933", "titleColor": "#1f2933"},
    "range": {
        "category": ["#2b6cb0", "#d69e2e", "#2f855a", "#c53030", "#6b46c1", "#319795", "#66717d"]
    },
    "mark": {"color": "#2b6cb0"},
}

# Date axes read "29 Nov", with as many labels as fit: Vega's own multi-format ticks put
# "Thu 29" beside "November" and run them together. Tooltips give the whole date. The server
# sends calendar days ("2026-11-29", which the browser reads as UTC midnight): the scale (and
# so its labels) and the tooltips stay in UTC, so a reader in another time zone sees the same
# day, not the one before.
DATE_FORMAT = "%-d %b"
DAY_FORMAT = "%a %-d %b %Y"
DATE_SCALE: dict[str, Any] = {"type": "utc"}
DATE_AXIS: dict[str, Any] = {
    "format": DATE_FORMAT,
    "labelOverlap": True,
    "labelSeparation": 8,  # labels that nearly touch are dropped too
    "labelFlush": True,
    "tickCount": 8,
}


def date_x(field: str = "date", title: str | None = None) -> dict[str, Any]:
    """The x encoding of a date axis: calendar days on a UTC scale, labelled "29 Nov"."""
    return {
        "field": field,
        "type": "temporal",
        "title": title,
        "axis": DATE_AXIS,
        "scale": DATE_SCALE,
    }


DAY_TOOLTIP: dict[str, Any] = {
    "type": "temporal",
    "timeUnit": "utcyearmonthdate",
    "format": DAY_FORMAT,
}


def spec_with_theme(spec: dict[str, Any]) -> dict[str, Any]:
    """The spec with Leanmark's schema, theme and container width filled in where it has none."""
    themed = {"$schema": SCHEMA, "width": "container", **spec}
    themed["config"] = {**THEME, **spec.get("config", {})}
    return themed


@register.simple_tag
def vega_chart(spec: dict[str, Any], label: str = "Chart") -> str:
    """A placeholder and its spec, with an id unique across processes (HTMX fragments mix)."""
    spec_id = f"vega-spec-{uuid.uuid4().hex[:12]}"
    return format_html(
        '<figure class="chart"><div class="vega-chart" data-spec="{}" role="img" '
        'aria-label="{}"><span class="muted">{} (drawing…)</span></div>{}</figure>',
        spec_id,
        label,
        label,
        json_script(spec_with_theme(spec), spec_id),
    )
