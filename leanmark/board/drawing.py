"""The board page's card tiles, and its drawn cells cached by the board's change counter.

A tile is drawn in two steps. ``tile_parts`` writes everything that depends only on the card
and on who looks (a member sees the "⋯" menu, a viewer does not) as text; ``draw_tile`` fills in
what changes with the clock or the person: the ages, how long a card has been blocked, and who
else is editing it. The parts of every cell of a board are cached under a key made of the
board, its change counter (``Board.changes``, bumped by every change a viewer sees, in the
change's transaction: ``services.changed``) and everything else the parts depend on, so a board
redraws from the cache until something on it changes, and every request still shows the ages of
its own moment and its own viewer's editors.

The counter is read from the database on every request (it comes with the board), so a cache
per process (Django's local-memory cache, the default) is never stale: each process draws a
changed board once. Settings: ``LEANMARK_BOARD_CACHE_ENTRIES``, ``LEANMARK_BOARD_CACHE_SECONDS``
(docs/configuration.md).
"""

import hashlib
from collections.abc import Collection, Mapping
from datetime import datetime
from html import escape as _escape
from typing import Any, NamedTuple

from django.core.cache import caches
from django.utils import timezone, translation
from django.utils.timesince import timesince

from . import queries
from .models import Board

CACHE = "board"  # the alias in settings.CACHES
AGE_TITLE = "days in this column · days since started (or created)"
TAIL = "</span>\n  </footer>\n</article>"


class TileParts(NamedTuple):
    """A drawn tile with its holes: ``head`` + how long blocked (when ``blocked_since``) +
    ``blocked_end`` + who is editing card ``pk`` + ``body`` + the two ages + TAIL."""

    head: str
    blocked_since: datetime | None
    blocked_end: str
    pk: int
    body: str
    entered: datetime | None
    started: datetime | None


def _e(value: Any) -> str:
    """HTML-escaped text, as Django's escape() (quotes included) without its SafeString wrapper
    per call: the board draws hundreds of cards and format_html per value cost ~40% of the page."""
    return _escape(str(value), quote=True)


def initials(name: str) -> str:
    words = [w for w in name.replace("@", " ").replace(".", " ").split() if w]
    return "".join(w[0].upper() for w in words[:2]) or "?"


def age(since: datetime | None, now: datetime) -> str:
    value = queries.age_days(since, now)
    return "–" if value is None else f"{value:.1f}"


def _avatars(card: Any) -> str:
    people = card.people  # read with the cards by queries.board_view
    if not people:
        return '<span class="avatar none" title="no owner">?</span>'
    return "".join(
        f'<span class="avatar" title="{_e(p.label)}">{_e(initials(p.label))}</span>' for p in people
    )


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


def tile_parts(card: Any, card_base: str, compact: bool = False, menu: bool = False) -> TileParts:
    """One card on the board, but for its holes (TileParts). Written in Python, not as an
    included template, because the board draws hundreds of them and the include cost ~0.2 ms
    each (bench/README.md); every value that is not a number we made goes through _e (HTML
    escaping). ``menu`` (people who may write) adds the "⋯" menu to cards that are not done."""
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
        )
    number = int(card.number)
    hint = f' title="{_e(card.title)}"' if compact else ""  # a done card's title is cut short
    tags = "".join(f'<span class="tag">{_e(t)}</span>' for t in card.tags)
    head = (
        f'<article class="{classes}" data-card="{int(card.pk)}" data-number="{number}" '
        f'data-version="{int(card.version)}" id="card-{number}"{hint}>\n'
        f'  <header><a href="{_e(card_base)}{number}/">#{number}</a>{stage}{due}'
        f"{_menu(card, card_base, number) if menu and not compact else ''}</header>\n"
        f'  <p class="title">{_e(card.title)}</p>{blocked}'
    )
    body = (
        "\n  <footer>\n"
        f'    <span class="people">{_avatars(card)}</span>\n    {tags}\n'
        f'    <span class="age" title="{AGE_TITLE}">'
    )
    return TileParts(
        head,
        card.blocked_since if card.is_blocked else None,
        "</p>" if card.is_blocked else "",
        int(card.pk),
        body,
        card.column_entered_at,
        card.started_at or card.created_at,
    )


def draw_tile(parts: TileParts, now: datetime, editing: Mapping[int, list[str]]) -> str:
    """The tile's HTML at ``now``, with the people (other than the viewer) editing its card."""
    head, blocked_since, blocked_end, pk, body, entered, started = parts
    if blocked_since is not None:
        head = f"{head}{_e(timesince(blocked_since, now))}{blocked_end}"
    editors = editing.get(pk)
    if editors:
        head = (
            f'{head}\n  <p class="editing" title="has the card open to edit it">✎ '
            f"{_e(', '.join(editors))} editing</p>"
        )
    return f"{head}{body}{age(entered, now)}d · {age(started, now)}d{TAIL}"


def draw_cell(tiles: list[TileParts], now: datetime, editing: Mapping[int, list[str]]) -> str:
    return "".join([draw_tile(parts, now, editing) for parts in tiles])


def _key(board: Board, parts: tuple[Any, ...]) -> str:
    """Board and change counter in the clear (readable in a cache dump), the rest digested. The
    board's creation time guards against a board id given out again (SQLite reuses the highest
    id after a delete or a rollback) with its counter back at an old value."""
    made = board.created_at.isoformat() if board.created_at else ""
    text = repr((board.workspace_id, made, *parts))
    return f"board-cells:{board.pk}:{board.changes}:{hashlib.sha256(text.encode()).hexdigest()}"


def board_drawing(
    board: Board,
    *,
    now: datetime,
    filters: queries.Filters,
    done_shown: int,
    opened: Collection[str],
    viewer: Any,
    can_write: bool,
    card_base: str,
    people: list[Any],
) -> tuple[queries.BoardView, dict[int, list[str]]]:
    """The board page's model with every cell's cards as TileParts, and who else edits which
    card (card id -> names, without ``viewer``).

    From the cache when the board has not changed since these cells were drawn for the same
    view (filters, paging, opened cells), the same rights (``can_write``: a viewer never gets a
    member's menus), the same card links, time zone and language, and the same names of the
    workspace's people (a renamed member does not bump the board's counter): then one query,
    who is editing. Otherwise board_view's queries, and the parts are stored."""
    key = _key(
        board,
        (
            filters,
            done_shown,
            tuple(sorted(opened)),
            can_write,
            card_base,
            timezone.get_current_timezone_name(),
            translation.get_language(),
            tuple((p.pk, p.label) for p in people),
        ),
    )
    cache = caches[CACHE]
    view: queries.BoardView | None = cache.get(key)
    if view is not None:
        view.board, view.now = board, now
        return view, queries.editors_of(board, now=now, viewer=viewer)
    view = queries.board_view(
        board, now=now, filters=filters, done_shown=done_shown, viewer=viewer, opened=opened
    )
    editing: dict[int, list[str]] = {}
    for cv in view.columns:
        for lane, cards in cv.cells.items():
            editing.update((card.pk, card.editing_by) for card in cards if card.editing_by)
            cv.cells[lane] = [tile_parts(card, card_base, cv.is_done, can_write) for card in cards]
    cache.set(key, view)
    return view, editing
