from datetime import datetime
from typing import Any

from django import template
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.timesince import timesince

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


def _avatars(card: Any) -> SafeString:
    people = card.people  # prefetched by queries.board_view
    if not people:
        return mark_safe('<span class="avatar none" title="no owner">?</span>')
    return format_html_join(
        "",
        '<span class="avatar" title="{}">{}</span>',
        ((p.label, initials(p.label)) for p in people),
    )


@register.simple_tag
def card_tile(card: Any, now: datetime, card_base: str, compact: bool = False) -> SafeString:
    """One card on the board. Written in Python, not as an included template, because the board
    draws hundreds of them and the include cost ~0.2 ms each (bench/README.md); every value still
    goes through format_html's escaping."""
    classes = "card" + (" is-blocked" if card.is_blocked else "") + (" compact" if compact else "")
    stage = (
        format_html(' <span class="stage stage-{}">{}</span>', card.stage, card.stage)
        if card.stage
        else ""
    )
    due = (
        format_html(
            ' <span class="due" title="due date">due {} {}</span>',
            card.due_date.day,
            card.due_date.strftime("%b"),
        )
        if card.due_date
        else ""
    )
    blocked = ""
    if card.is_blocked:
        since = timezone.localtime(card.blocked_since)
        blocked = format_html(
            '\n  <p class="blocked" title="blocked since {}"><b>Blocked</b> {} · {}</p>',
            since.strftime("%Y-%m-%d %H:%M"),
            card.blocked_reason,
            timesince(card.blocked_since, now),
        )
    editors = getattr(card, "editing_by", None)  # set by queries.board_view
    editing = (
        format_html(
            '\n  <p class="editing" title="has the card open to edit it">✎ {} editing</p>',
            ", ".join(editors),
        )
        if editors
        else ""
    )
    tags = format_html_join("", '<span class="tag">{}</span>', ((t,) for t in card.tags))
    started = card.started_at or card.created_at
    return format_html(
        '<article class="{}" data-card="{}" data-number="{}" data-version="{}" id="card-{}">\n'
        '  <header><a href="{}{}/">#{}</a>{}{}</header>\n'
        '  <p class="title">{}</p>{}{}\n'
        "  <footer>\n"
        '    <span class="people">{}</span>\n    {}\n'
        '    <span class="age" title="days in this column · days since started (or created)">'
        "{}d · {}d</span>\n  </footer>\n</article>",
        classes,
        card.pk,
        card.number,
        card.version,
        card.number,
        card_base,
        card.number,
        card.number,
        stage,
        due,
        card.title,
        blocked,
        editing,
        _avatars(card),
        tags,
        age(card.column_entered_at, now),
        age(started, now),
    )
