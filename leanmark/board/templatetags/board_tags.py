from datetime import datetime
from typing import Any

from django import template
from django.http import QueryDict
from django.utils.safestring import SafeString, mark_safe

from leanmark.board import drawing

register = template.Library()


@register.filter
def age(since: datetime | None, now: datetime) -> str:
    return drawing.age(since, now)


@register.filter
def initials(name: str) -> str:
    return drawing.initials(name)


@register.simple_tag
def cell_toggle(board_url: str, query: QueryDict, column_id: int, lane: str, show: bool) -> str:
    """The board's address with one long cell shown in full (``show``) or collapsed again."""
    query = query.copy()
    key = f"{column_id}-{lane}"
    kept = [k for k in query.getlist("open") if k != key]
    query.setlist("open", [*kept, key] if show else kept)
    encoded = query.urlencode()
    return f"{board_url}?{encoded}" if encoded else board_url


@register.simple_tag
def card_tile(
    card: Any, now: datetime, card_base: str, compact: bool = False, menu: bool = False
) -> SafeString:
    """One card on the board (leanmark.board.drawing: every text value is HTML-escaped there)."""
    editing = {card.pk: getattr(card, "editing_by", None) or []}
    parts = drawing.tile_parts(card, card_base, compact, menu)
    return mark_safe(drawing.draw_tile(parts, now, editing))  # noqa: S308


@register.simple_tag
def board_cell(
    tiles: list[drawing.TileParts] | None, now: datetime, editing: dict[int, list[str]]
) -> SafeString:
    """A cell's cards, drawn from their cached parts at ``now`` (drawing.board_drawing)."""
    return mark_safe(drawing.draw_cell(tiles or [], now, editing))  # noqa: S308
