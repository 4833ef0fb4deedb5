"""Number formats of the ROI pages, and the time-log box on the card page."""

from decimal import Decimal
from typing import Any

from django import template
from django.middleware.csrf import get_token
from django.utils import timezone

from leanmark.accounts.models import Role

register = template.Library()


@register.filter
def times(value: Any) -> str:
    """A ratio as a multiple: 2.0 → "2.00x"."""
    if value is None or value == "":
        return "—"
    return f"{Decimal(str(value)):,.2f}×"


@register.filter
def hours(value: Any) -> str:
    if value is None or value == "":
        return "—"
    return f"{Decimal(str(value)).normalize():f}"


@register.filter
def per_mille(value: Any) -> int:
    """A share 0..1 as 0..1000 for <meter> elements (no inline styles under the CSP)."""
    if value is None:
        return 0
    return round(float(value) * 1000)


@register.inclusion_tag("roi/_card_time.html", takes_context=True)
def card_time_logs(context: template.Context, card: Any) -> dict[str, Any]:
    """The card page's "Time" box: its logs and, for members, a form to log more."""
    from leanmark.roi import queries

    request = context["request"]
    membership = getattr(request, "membership", None)
    logs = list(queries.time_logs(request.workspace, card_id=card.pk, limit=50))
    return {
        "card": card,
        "logs": logs,
        "total": card.time_logged,
        "can_write": membership is not None and membership.allows(Role.MEMBER),
        "people": queries.workers_of(request.workspace),
        "me": request.user,
        "today": timezone.localdate().isoformat(),
        "csrf_token": get_token(request),
        "request": request,
    }


@register.filter
def sub(value: Any, other: Any) -> Decimal | None:
    if value is None or other is None:
        return None
    return Decimal(str(value)) - Decimal(str(other))


@register.filter
def band_of(pairs: Any, channel: str) -> str:
    """``{{ band.recommended|band_of:channel }}`` → "1,200-1,900" (an en dash): the 10-90 %
    range of one channel; "—" without a band (hand-entered curves only)."""
    from leanmark.lib import formats

    pair = None if not pairs else pairs.get(channel)
    return "—" if pair is None else f"{formats.whole(pair[0])}–{formats.whole(pair[1])}"
