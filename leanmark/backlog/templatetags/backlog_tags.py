from typing import Any

from django import template

from leanmark.domain.hourglass import STAGE_CHOICES

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
def get_count(mapping: dict[str, int], key: str) -> int:
    return mapping.get(key, 0)
