"""Template filters every page has without ``{% load %}`` (settings.TEMPLATES builtins): the one
way numbers, shares, money and names are written (the rules are in leanmark/lib/formats.py).

The apps' own tag libraries keep only what their pages alone draw (percentage points and
p-values of experiments, hours of time logs, times on a value stream map's basis…); none of them
defines a filter of the same name as one here.
"""

from typing import Any

from django import template

from leanmark.lib import formats

register = template.Library()


@register.filter
def get(mapping: Any, key: Any) -> Any:
    """``mapping[key]``, or None when the mapping or the key is missing: ``cells|get:lane``."""
    return mapping.get(key) if hasattr(mapping, "get") else None


@register.filter
def num(value: object) -> str:
    """``{{ 1234.5|num }}`` → "1,235"; 7.5 → "7.5"; None → "—"."""
    return formats.number(value)


@register.filter
def whole(value: object) -> str:
    """``{{ 1610.4|whole }}`` → "1,610"."""
    return formats.whole(value)


@register.filter
def count(value: object, noun: str = "") -> str:
    """``{{ rows|count:"row" }}`` → "98 rows", "1 row"; a plural that is not noun + s after a
    comma: ``{{ n|count:"entry,entries" }}``."""
    singular, _, plural = noun.partition(",")
    return formats.count(value, singular, plural)


@register.filter
def sig(value: object, digits: int = 3) -> str:
    """``{{ 1.95996|sig }}`` → "1.96"; ``{{ x|sig:4 }}`` to four significant digits."""
    return formats.significant(value, int(digits))


@register.filter
def pct(value: object, places: int = 1) -> str:
    """``{{ 0.4567|pct }}`` → "45.7 %"; ``{{ 0.92|pct:0 }}`` → "92 %"."""
    return formats.percent(value, int(places))


@register.filter
def signed_pct(value: object, places: int = 0) -> str:
    """``{{ 0.12|signed_pct }}`` → "+12 %"."""
    return formats.signed_percent(value, int(places))


@register.filter
def signed(value: object) -> str:
    """``{{ -4.25|signed }}`` → "−4.25"."""
    return formats.signed(value)


@register.filter
def pp(value: object) -> str:
    """A difference of rates in percentage points: ``{{ 0.012|pp }}`` → "+1.2 pp"."""
    return formats.points(value)


@register.filter
def money(value: object, mode: str = "") -> str:
    """``{{ 155459.2|money }}`` → "£155,459" in the workspace's currency; ``{{ x|money:"exact" }}``
    keeps the pennies ("£12.30"), for amounts as they were entered."""
    return formats.money(value, exact=mode == "exact")


@register.filter
def label(value: object) -> str:
    """``{{ "paid_search"|label }}`` → "Paid search"."""
    return formats.label(value)


@register.filter(expects_localtime=True)
def day(value: Any) -> str:
    """``{{ start_date|day }}`` → "7 Dec 2026" (a datetime in the current time zone)."""
    return formats.day(value or None)


@register.simple_tag
def currency_unit() -> str:
    """The workspace currency's symbol for a column title: ``Spend ({% currency_unit %})``."""
    return formats.unit_label(formats.workspace_currency())
