"""Flow maths from a card's event history (PRODUCT.md §5). No Django here.

A board is described by its column order; columns are referred to by their index in that order.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np

PERCENTILES: tuple[int, ...] = (50, 70, 85, 95)


@dataclass(frozen=True)
class Move:
    """The card entered the column at index ``to_index`` at time ``at``."""

    at: datetime
    to_index: int


@dataclass(frozen=True)
class ItemTimes:
    created: datetime
    started: datetime | None
    finished: datetime | None
    lead_time: timedelta | None
    cycle_time: timedelta | None
    moves_used: int
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def is_started(self) -> bool:
        return self.started is not None

    @property
    def is_finished(self) -> bool:
        return self.finished is not None


def item_times(
    created: datetime,
    moves: Sequence[Move],
    *,
    start_index: int,
    done_index: int,
) -> ItemTimes:
    """Start, finish, lead and cycle time of one item, per §5.

    - starts when it first enters the start column or any later column (skipped columns count);
    - finishes when it last enters the done column, provided it is still there after its last move
      (a card moved back out of done is unfinished again);
    - lead time = finish - created; cycle time = finish - start.
    Moves are taken in time order whatever order they are given in.
    """
    if created.tzinfo is None:
        raise ValueError("created must be timezone-aware")
    if start_index > done_index:
        raise ValueError("the start column must not come after the done column")
    ordered = sorted(moves, key=lambda move: move.at)
    notes: list[str] = []
    started: datetime | None = None
    finished: datetime | None = None
    for move in ordered:
        if move.at.tzinfo is None:
            raise ValueError("move times must be timezone-aware")
        if started is None and move.to_index >= start_index:
            started = move.at
        if move.to_index == done_index:
            finished = move.at
        elif finished is not None:
            finished = None
            notes.append(f"moved back out of done at {move.at.isoformat()}")
    if finished is not None and started is None:  # defensive: done is never before start
        started = finished
    lead = finished - created if finished is not None else None
    cycle = finished - started if finished is not None and started is not None else None
    return ItemTimes(
        created=created,
        started=started,
        finished=finished,
        lead_time=lead,
        cycle_time=cycle,
        moves_used=len(ordered),
        notes=tuple(notes),
    )


def days(duration: timedelta) -> float:
    """A duration in days, rounded to one decimal as shown to users (§5)."""
    return round(duration.total_seconds() / 86400, 1)


def percentiles(
    samples: Iterable[float], levels: Sequence[float] = PERCENTILES
) -> dict[float, float] | None:
    """Nearest-rank percentiles (§5): for each level p, the smallest sample X such that at least
    p % of the samples are <= X, so "85 % of items finished within X" is literally true.
    None when there are no samples."""
    values = np.asarray(list(samples), dtype=float)
    if values.size == 0:
        return None
    found = np.percentile(values, list(levels), method="inverted_cdf")
    return {level: float(x) for level, x in zip(levels, found, strict=True)}
