from typing import Any

from django import template

register = template.Library()


@register.filter
def pct(value: float | None, digits: int = 1) -> str:
    """0.1234 → "12.3 %"."""
    if value is None:
        return "–"
    return f"{value * 100:.{digits}f} %"


@register.filter
def pp(value: float | None) -> str:
    """A difference of rates in percentage points, signed: 0.012 → "+1.2 pp"."""
    if value is None:
        return "–"
    return f"{value * 100:+.1f} pp"


@register.filter
def num(value: float | None, digits: int = 3) -> str:
    if value is None:
        return "–"
    return f"{value:.{digits}g}"


@register.filter
def lookup(mapping: dict[Any, Any], key: Any) -> Any:
    return mapping.get(key)


@register.filter
def bar_width(value: float | None) -> int:
    """A progress fraction as a whole percentage 0 to 100 for the progress bar's class."""
    if value is None:
        return 0
    return max(0, min(100, round(value * 100)))
