"""Number formatting for the dashboard's tiles and tables."""

from django import template

register = template.Library()


@register.filter
def trend(change, higher_is_better: bool) -> str:
    """'good', 'bad' or 'flat': whether the change is what the metric wants."""
    if change is None or change.absolute is None or change.absolute == 0:
        return "flat"
    return "good" if (change.absolute > 0) == higher_is_better else "bad"


@register.filter
def arrow(change) -> str:
    if change is None or change.absolute is None or change.absolute == 0:
        return "→"
    return "▲" if change.absolute > 0 else "▼"


@register.filter
def attain_class(value: float | None) -> str:
    if value is None:
        return ""
    return "met" if value >= 1 else "near" if value >= 0.9 else "short"
