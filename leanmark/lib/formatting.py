"""Template filters every page has without ``{% load %}`` (settings.TEMPLATES builtins).

The apps' own tag libraries keep what only their pages draw. The number, money and percentage
filters still differ between apps and are to join here with the workspace's locale and currency.
"""

from typing import Any

from django import template

register = template.Library()


@register.filter
def get(mapping: Any, key: Any) -> Any:
    """``mapping[key]``, or None when the mapping or the key is missing: ``cells|get:lane``."""
    return mapping.get(key) if mapping else None
