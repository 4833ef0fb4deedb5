from datetime import datetime
from typing import Any

from django import template

from leanmark.board.queries import age_days

register = template.Library()


@register.filter
def get(mapping: dict[Any, Any], key: Any) -> Any:
    return mapping.get(key, [])


@register.filter
def age(since: datetime | None, now: datetime) -> str:
    value = age_days(since, now)
    return "–" if value is None else f"{value:.1f}"


@register.filter
def initials(name: str) -> str:
    words = [w for w in name.replace("@", " ").replace(".", " ").split() if w]
    return "".join(w[0].upper() for w in words[:2]) or "?"
