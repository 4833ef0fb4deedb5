from datetime import datetime
from typing import Any

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from leanmark.domain.flow import days
from leanmark.domain.standup import mentioned_numbers, split_mentions

register = template.Library()


@register.simple_tag
def with_mentions(text: str, card_base: str) -> SafeString:
    """The text, escaped, with each #123 a link to that card and line breaks kept."""
    pieces = format_html_join(
        "",
        "{}",
        (
            (
                format_html('<a href="{}{}/" class="mention">{}</a>', card_base, n, piece)
                if n is not None
                else piece,
            )
            for piece, n in split_mentions(text)
        ),
    )
    return mark_safe(pieces.replace("\n", "<br>"))  # noqa: S308 - every piece is escaped above


@register.filter
def age_since(since: datetime | None, now: datetime) -> str:
    """Days from ``since`` to ``now``, one decimal, as everywhere in Leanmark (§5)."""
    if since is None:
        return "–"
    return f"{days(now - since):.1f}"


@register.filter
def first_mention(text: str) -> str:
    """The first card mentioned as #123 in the text, as "#123", or ""."""
    numbers = mentioned_numbers(text or "")
    return f"#{numbers[0]}" if numbers else ""


@register.inclusion_tag("standups/_card_impediments.html", takes_context=True)
def card_impediments(context: Any, card: Any) -> dict[str, Any]:
    """The card page's impediments box: open ones with their age, then resolved ones."""
    from django.utils import timezone

    from leanmark.standups import queries

    request = context["request"]
    return {
        "items": queries.impediments_of_card(request.workspace, card),
        "now": timezone.now(),
        "request": request,
    }
