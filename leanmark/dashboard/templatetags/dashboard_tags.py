"""Number formatting for the dashboard's tiles and tables."""

from django import template

from leanmark.domain.metrics import verdict

register = template.Library()


@register.filter
def trend(change, higher_is_better: bool) -> str:
    """'good', 'bad' or 'flat': whether the change is what the metric wants (a "0 %" is flat)."""
    return "flat" if change is None else verdict(change, higher_is_better=higher_is_better)


@register.filter
def arrow(change) -> str:
    if change is None or change.flat or change.absolute is None:
        return "→"
    return "▲" if change.absolute > 0 else "▼"


@register.filter
def attain_class(value: float | None) -> str:
    if value is None:
        return ""
    return "met" if value >= 1 else "near" if value >= 0.9 else "short"
