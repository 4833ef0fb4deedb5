"""Template filters for value stream pages: times on the map's basis, shares, money."""

from fractions import Fraction

from django import template

from leanmark.domain import vsm

register = template.Library()


@register.filter
def fmt(summary: vsm.Summary, minutes: Fraction) -> str:
    """``{{ view.summary|fmt:t.lt }}``: minutes in the largest readable unit of the basis."""
    return summary.fmt(minutes)
