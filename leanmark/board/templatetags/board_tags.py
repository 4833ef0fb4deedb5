from datetime import datetime
from html import escape as _escape
from typing import Any

from django import template
from django.http import QueryDict
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.timesince import timesince

from leanmark.board.queries import age_days

register = template.Library()


@register.filter
def age(since: datetime | None, now: datetime) -> str:
    value = age_days(since, now)
    return "–" if value is None else f"{value:.1f}"


@register.filter
def initials(name: str) -> str:
    words = [w for w in name.replace("@", " ").replace(".", " ").split() if w]
    return "".join(w[0].upper() for w in words[:2]) or "?"


def _avatars(card: Any) -> str:
    people = card.people  # prefetched by queries.board_view
    if not people:
        return '<span class="avatar none" title="no owner">?</span>'
    return "".join(
        f'<span class="avatar" title="{_e(p.label)}">{_e(initials(p.label))}</span>' for p in people
    )


def _e(value: Any) -> str:
    """HTML-escaped text, as Django's escape() (quotes included) without its SafeString wrapper
    per call: the board draws hundreds of cards and format_html per value cost ~40% of the page."""
    return _escape(str(value), quote=True)


@register.simple_tag
def cell_toggle(board_url: str, query: QueryDict, column_id: int, lane: str, show: bool) -> str:
    """The board's address with one long cell shown in full (``show``) or collapsed again."""
    query = query.copy()
    key = f"{column_id}-{lane}"
    kept = [k for k in query.getlist("open") if k != key]
    query.setlist("open", [*kept, key] if show else kept)
    encoded = query.urlencode()
    return f"{board_url}?{encoded}" if encoded else board_url


def _menu(card: Any, card_base: str, number: int) -> str:
    """The card's "⋯" menu. Its buttons submit the page's #card-actions form (or, for Block…,
    open the #block-card dialog; without JavaScript the link opens the card page instead)."""
    action = f"{_e(card_base)}{number}/"
    if card.is_blocked:
        item = (
            f'<button type="submit" form="card-actions" formaction="{action}unblock" '
            'class="unblock">Unblock</button>'
        )
    else:
        item = (
            f'<a class="block-open" href="{action}#block" data-action="{action}block" '
            f'data-number="{number}">Block…</a>'
        )
    return (
        f'<details class="card-menu"><summary title="Card actions" aria-label="Actions for card '
        f'#{number}">⋯</summary><div class="menu" role="menu">{item}'
        f'<a href="{action}">Open card</a></div></details>'
    )


@register.simple_tag
def card_tile(
    card: Any, now: datetime, card_base: str, compact: bool = False, menu: bool = False
) -> SafeString:
    """One card on the board. Written in Python, not as an included template, because the board
    draws hundreds of them and the include cost ~0.2 ms each (bench/README.md); every value that
    is not a number we made goes through _e (HTML escaping) before it reaches the markup.
    ``menu`` (people who may write) adds the "⋯" menu to cards that are not done."""
    classes = "card" + (" is-blocked" if card.is_blocked else "") + (" compact" if compact else "")
    stage = (
        f' <span class="stage stage-{_e(card.stage)}">{_e(card.stage)}</span>' if card.stage else ""
    )
    due = (
        f' <span class="due" title="due date">due {card.due_date.day} '
        f"{card.due_date.strftime('%b')}</span>"
        if card.due_date
        else ""
    )
    blocked = ""
    if card.is_blocked:
        since = timezone.localtime(card.blocked_since)
        blocked = (
            f'\n  <p class="blocked" title="blocked since {since.strftime("%Y-%m-%d %H:%M")}">'
            f"<b>Blocked</b> {_e(card.blocked_reason)} · "
            f"{_e(timesince(card.blocked_since, now))}</p>"
        )
    editors = getattr(card, "editing_by", None)  # set by queries.board_view
    editing = (
        f'\n  <p class="editing" title="has the card open to edit it">✎ {_e(", ".join(editors))}'
        " editing</p>"
        if editors
        else ""
    )
    tags = "".join(f'<span class="tag">{_e(t)}</span>' for t in card.tags)
    started = card.started_at or card.created_at
    number = int(card.number)
    hint = f' title="{_e(card.title)}"' if compact else ""  # a done card's title is cut short
    return mark_safe(  # noqa: S308 (every text value above went through _e)
        f'<article class="{classes}" data-card="{int(card.pk)}" data-number="{number}" '
        f'data-version="{int(card.version)}" id="card-{number}"{hint}>\n'
        f'  <header><a href="{_e(card_base)}{number}/">#{number}</a>{stage}{due}'
        f"{_menu(card, card_base, number) if menu and not compact else ''}</header>\n"
        f'  <p class="title">{_e(card.title)}</p>{blocked}{editing}\n'
        "  <footer>\n"
        f'    <span class="people">{_avatars(card)}</span>\n    {tags}\n'
        '    <span class="age" title="days in this column · days since started (or created)">'
        f"{age(card.column_entered_at, now)}d · {age(started, now)}d</span>\n"
        "  </footer>\n</article>"
    )
