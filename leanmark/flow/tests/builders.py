"""Cards with back-dated histories on the personas' board (Ready, Writing = start, Review, Live,
Done), through the board's history import."""

from datetime import UTC, datetime, timedelta

from leanmark.board.models import Board
from leanmark.board.services import HistoryCard, HistoryEvent, import_history

T0 = datetime(2026, 3, 2, tzinfo=UTC)  # a Monday


def at(day: float) -> datetime:
    return T0 + timedelta(days=day)


def history(
    board: Board,
    title: str,
    moves: list[tuple[float, str]],
    *,
    created: float = 0,
    blocked: list[tuple[float, float | None, str]] = (),
    lane: str = "standard",
    stage: str = "",
    tags: tuple[str, ...] = (),
    assignees: tuple = (),
) -> HistoryCard:
    """A card created in Ready at day ``created``, moved to the named columns on the given days,
    blocked from day a to day b (None: still blocked) for a reason."""
    columns = {c.name: c for c in board.columns.all()}
    events = [HistoryEvent("created", at(created), to_column=columns["Ready"])]
    for day, name in moves:
        events.append(HistoryEvent("moved", at(day), to_column=columns[name]))
    for start, end, reason in blocked:
        events.append(HistoryEvent("blocked", at(start), reason=reason))
        if end is not None:
            events.append(HistoryEvent("unblocked", at(end), reason=reason))
    events.sort(key=lambda e: e.at)
    return HistoryCard(
        title=title, events=events, lane=lane, stage=stage, tags=tags, assignees=assignees
    )


def load(board: Board, *cards: HistoryCard):
    return import_history(board, list(cards))


def finished_after(board: Board, cycles: list[float], *, start: float = 1) -> list[HistoryCard]:
    """One card per cycle time (days): started on day ``start`` + i, finished cycle days later."""
    return [
        history(board, f"Card {i}", [(start + i, "Writing"), (start + i + c, "Done")])
        for i, c in enumerate(cycles)
    ]
