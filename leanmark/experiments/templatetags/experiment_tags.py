from typing import Any

from django import template

from leanmark.lib import formats

register = template.Library()


@register.filter
def pp2(value: float | None) -> str:
    """A small rate in percentage points with two decimals: 0.00042 → "0.04 pp"."""
    if value is None:
        return formats.MISSING
    return f"{value * 100:.2f} pp"


@register.filter
def pp_amount(value: float | None) -> str:
    """An amount of a rate in points, unsigned, as the guardrail's line says it: 0.005 → "0.5 pp"
    (a tolerance is how much worse, not a change: "+0.5 pp" read as a gain)."""
    if value is None:
        return formats.MISSING
    return f"{formats.number(round(value * 100, 2))} pp"


@register.filter
def pvalue(value: float | None) -> str:
    if value is None:
        return formats.MISSING
    return "< 0.001" if value < 0.001 else f"{value:.3f}"


@register.filter
def bar_width(value: float | None) -> int:
    """A progress fraction as a whole percentage 0 to 100 for the progress bar's class."""
    if value is None:
        return 0
    return max(0, min(100, round(value * 100)))


@register.inclusion_tag("experiments/_card_experiments.html", takes_context=True)
def card_experiments(context: dict[str, Any], card: Any, can_write: bool = False) -> dict[str, Any]:
    """The card page's box: the experiments that test this card, and a link to start one."""
    from leanmark.experiments.queries import experiments_of_card

    request = context["request"]
    return {
        "request": request,
        "card": card,
        "experiments": experiments_of_card(card),
        "can_write": can_write,
    }
