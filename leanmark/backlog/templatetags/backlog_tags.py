from typing import Any

from django import template

from leanmark.domain.hourglass import STAGE_CHOICES
from leanmark.domain.value import fmt

register = template.Library()


@register.inclusion_tag("backlog/capture.html", takes_context=True)
def idea_capture(context: Any) -> dict[str, Any]:
    """The capture dialog every workspace page carries (keys i, and n where there is no new-card
    dialog); base.html includes it for members and owners."""
    return {
        "request": context["request"],
        "csrf_token": context.get("csrf_token"),
        "stages": STAGE_CHOICES,
    }


@register.filter
def num(value: Any) -> str:
    """8, 7.5, 7.67, 2,000: at most two decimals, as the score explanations write numbers."""
    if value is None or value == "":
        return ""
    return fmt(float(value))


@register.filter
def get_count(mapping: dict[str, int], key: str) -> int:
    return mapping.get(key, 0)
