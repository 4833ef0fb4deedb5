"""A board's live cards as the API writes them, straight from the rows (issue 24, item 1).

The paged card list builds a model, a related manager and a pydantic object per card; for a whole
board that is most of the time. Here the database writes the values as JSON text
(``queries.live_card_rows``), each row becomes one plain dict, and orjson writes the document.
A card here is field for field what ``CardOut`` writes (the tests compare the two).
"""

from typing import Any

import orjson

from .models import Board
from .queries import live_assignees, live_card_rows


def live_cards(board: Board) -> tuple[list[dict[str, Any]], dict[int, int]]:
    """The board's live cards by id, ready for ``dumps``, and the live cards per column id
    (the columns' counts, without a count query): two queries."""
    holders = live_assignees(board)
    counts: dict[int, int] = {}
    cards = []
    board_id = board.pk
    fragment = orjson.Fragment
    for (
        pk,
        number,
        column_id,
        column,
        lane,
        position,
        title,
        description,
        due_date,
        stage,
        channel,
        tags,
        estimate,
        time_logged,
        blocked_reason,
        blocked_since,
        version,
        created_at,
        column_entered_at,
        started_at,
        finished_at,
    ) in live_card_rows(board):
        counts[column_id] = counts.get(column_id, 0) + 1
        cards.append(
            {
                "id": pk,
                "number": number,
                "board_id": board_id,
                "column_id": column_id,
                "column": column,
                "lane": lane,
                "position": position,
                "title": title,
                "description": description,
                "assignees": holders.get(pk, []),
                "due_date": due_date,
                "stage": stage,
                "channel": channel,
                "tags": fragment(tags),
                "estimate": estimate,
                "time_logged": time_logged,
                "blocked": blocked_since is not None,
                "blocked_reason": blocked_reason,
                "blocked_since": blocked_since,
                "version": version,
                "created_at": created_at,
                "column_entered_at": column_entered_at,
                "started_at": started_at,
                "finished_at": finished_at,
                "archived_at": None,  # live cards only
            }
        )
    return cards, counts


def dumps(document: Any) -> bytes:
    return orjson.dumps(document)
