"""Flow maths from a card's event history (docs/product.md §5). No Django here.

A board is described by its column order; columns are referred to by their index in that order.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np
import numpy.typing as npt

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
    - lead time = finish - created; cycle time = finish - start;
    - a move into the column the card is already in (a lane change) is not an entry.
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
    previous: int | None = None
    for move in ordered:
        if move.at.tzinfo is None:
            raise ValueError("move times must be timezone-aware")
        if move.to_index == previous:  # a lane change: not an entry into the column
            continue
        previous = move.to_index
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


# ---- the event log as arrays ---------------------------------------------------------------------
# Everything below is vectorised with NumPy: a board of 100,000 cards and 1,000,000 events is a
# handful of array passes, not a Python loop per event. Times are epoch seconds (float64); a
# column is its index in the board's order.

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

CREATED, MOVED, BLOCKED, UNBLOCKED, ARCHIVED, RESTORED = range(6)
KIND_CODES = {
    "created": CREATED,
    "moved": MOVED,
    "blocked": BLOCKED,
    "unblocked": UNBLOCKED,
    "archived": ARCHIVED,
    "restored": RESTORED,
}
DISCARDED = -1  # the "column" of an item archived before it finished (until it is restored)
DAY = 86400.0


@dataclass(frozen=True)
class BoardShape:
    """The board as the maths sees it: column names in order, which are active (work is done
    there, as opposed to queues where work waits), and the start and done columns."""

    columns: tuple[str, ...]
    active: tuple[bool, ...]
    start_index: int
    done_index: int

    def __post_init__(self) -> None:
        if len(self.columns) != len(self.active):
            raise ValueError("one active flag per column")
        if not 0 <= self.start_index <= self.done_index < len(self.columns):
            raise ValueError("the start column must not come after the done column")


@dataclass(frozen=True, eq=False)
class EventLog:
    """Card events as parallel arrays, sorted by (card, time, original order).

    ``kind`` holds the codes of KIND_CODES (other events are left out: they do not move flow);
    ``column`` the column index for created/moved events (-1 otherwise); ``reason`` an index into
    ``reasons`` for blocked events (-1 otherwise)."""

    card: IntArray
    at: FloatArray
    kind: npt.NDArray[np.int8]
    column: npt.NDArray[np.int16]
    reason: npt.NDArray[np.int32]
    reasons: tuple[str, ...] = ()

    @staticmethod
    def build(
        card: npt.ArrayLike,
        at: npt.ArrayLike,
        kind: npt.ArrayLike,
        column: npt.ArrayLike,
        reason: npt.ArrayLike | None = None,
        reasons: Sequence[str] = (),
    ) -> "EventLog":
        """Arrays in any order (ties in time keep the given order, e.g. event id order)."""
        cards = np.asarray(card, dtype=np.int64)
        times = np.asarray(at, dtype=np.float64)
        kinds = np.asarray(kind, dtype=np.int8)
        columns = np.asarray(column, dtype=np.int16)
        why = (
            np.full(cards.size, -1, dtype=np.int32)
            if reason is None
            else np.asarray(reason, dtype=np.int32)
        )
        if not cards.size == times.size == kinds.size == columns.size == why.size:
            raise ValueError("the event arrays must have the same length")
        order = np.lexsort((np.arange(cards.size), times, cards))
        return EventLog(
            cards[order], times[order], kinds[order], columns[order], why[order], tuple(reasons)
        )

    def __len__(self) -> int:
        return int(self.card.size)


@dataclass(frozen=True, eq=False)
class Timeline:
    """Per item (card) and per segment (a stretch of time in one column and blocked state).

    Items are sorted by card id. ``started``/``finished``/``blocked_since`` are NaN when there is
    none. A segment holds from ``seg_start`` (inclusive) to ``seg_end`` (exclusive; inf for the
    current state); each item is in exactly one segment at any time after its creation."""

    ids: IntArray
    created: FloatArray
    started: FloatArray
    finished: FloatArray
    column: IntArray
    blocked_since: FloatArray
    seg_item: IntArray
    seg_start: FloatArray
    seg_end: FloatArray
    seg_column: IntArray
    seg_blocked: BoolArray

    def __len__(self) -> int:
        return int(self.ids.size)

    @property
    def cycle(self) -> FloatArray:
        """Cycle time in seconds (NaN unless finished)."""
        return self.finished - self.started

    @property
    def lead(self) -> FloatArray:
        return self.finished - self.created

    def in_progress(self) -> BoolArray:
        """Started, not finished, still on the board."""
        found: BoolArray = (
            ~np.isnan(self.started) & np.isnan(self.finished) & (self.column != DISCARDED)
        )
        return found


def _empty_timeline() -> Timeline:
    f = np.empty(0, dtype=np.float64)
    i = np.empty(0, dtype=np.int64)
    return Timeline(i, f, f, f, i, f, i, f, f, i, np.empty(0, dtype=np.bool_))


def _last_index(mask: BoolArray, index: IntArray) -> IntArray:
    """For each position, the index of the latest position at or before it where ``mask`` holds
    (-1 when none)."""
    return np.maximum.accumulate(np.where(mask, index, -1))


def timeline(log: EventLog, shape: BoardShape) -> Timeline:
    """Start, finish, current column and blocked state of every item, and its segments (§5).

    - starts when it first enters the start column or any later column;
    - finishes when it last enters the done column and stays there (moved back out: unfinished);
    - a move that changes only the lane is not an entry;
    - archived before finishing: discarded (out of WIP and the CFD) until restored; archived in
      done: still done.
    """
    n = len(log)
    if n == 0:
        return _empty_timeline()
    index = np.arange(n, dtype=np.int64)
    kind = log.kind
    first = np.ones(n, dtype=np.bool_)
    first[1:] = log.card[1:] != log.card[:-1]
    item = np.cumsum(first, dtype=np.int64) - 1
    item_first = np.flatnonzero(first)
    placed = (kind == CREATED) | (kind == MOVED)
    if not placed[first].all():
        raise ValueError("every card's history must start with 'created'")
    own_first = item_first[item]
    column = log.column[_last_index(placed, index)].astype(np.int64)
    archiving = (kind == ARCHIVED) | (kind == RESTORED)
    last_archiving = _last_index(archiving, index)
    archived = (last_archiving >= own_first) & (kind[np.maximum(last_archiving, 0)] == ARCHIVED)
    column = np.where(archived & (column != shape.done_index), DISCARDED, column)
    blocking = (kind == BLOCKED) | (kind == UNBLOCKED)
    last_blocking = _last_index(blocking, index)
    blocked = (last_blocking >= own_first) & (kind[np.maximum(last_blocking, 0)] == BLOCKED)

    changed = first.copy()
    changed[1:] |= (column[1:] != column[:-1]) | (blocked[1:] != blocked[:-1])
    seg = np.flatnonzero(changed)
    seg_item, seg_start = item[seg], log.at[seg]
    seg_column, seg_blocked = column[seg], blocked[seg]
    seg_end = np.full(seg.size, np.inf)
    same = seg_item[1:] == seg_item[:-1]
    seg_end[:-1][same] = seg_start[1:][same]

    items = int(item_first.size)
    entry = np.ones(seg.size, dtype=np.bool_)
    entry[1:] = ~same | (seg_column[1:] != seg_column[:-1])
    started = np.full(items, np.nan)
    starts = entry & (seg_column >= shape.start_index)
    who, where = np.unique(seg_item[starts], return_index=True)
    started[who] = seg_start[starts][where]
    last_seg = np.r_[np.flatnonzero(~same), seg.size - 1]
    current = seg_column[last_seg]
    entries = np.flatnonzero(entry)
    last_entry = entries[np.r_[np.flatnonzero(np.diff(seg_item[entries])), entries.size - 1]]
    finished = np.where(current == shape.done_index, seg_start[last_entry], np.nan)
    started = np.where(np.isnan(started) & ~np.isnan(finished), finished, started)
    item_last = np.r_[item_first[1:] - 1, n - 1]
    blocked_now = blocked[item_last]
    since = np.where(blocked_now, log.at[np.maximum(last_blocking[item_last], 0)], np.nan)
    return Timeline(
        ids=log.card[item_first],
        created=log.at[item_first],
        started=started,
        finished=finished,
        column=current,
        blocked_since=since,
        seg_item=seg_item,
        seg_start=seg_start,
        seg_end=seg_end,
        seg_column=seg_column,
        seg_blocked=seg_blocked,
    )


# ---- series per day ------------------------------------------------------------------------------


def _days_held(tl: Timeline, keep: BoolArray, ends: FloatArray) -> tuple[IntArray, IntArray]:
    """For the kept segments, the day range [from, to) whose end of day they hold."""
    d_from = np.searchsorted(ends, tl.seg_start[keep], side="right").astype(np.int64)
    d_to = np.searchsorted(ends, tl.seg_end[keep], side="right").astype(np.int64)
    return d_from, d_to


def _count_per_day(tl: Timeline, keep: BoolArray, ends: FloatArray) -> IntArray:
    d_from, d_to = _days_held(tl, keep, ends)
    days_n = ends.size
    diff = np.bincount(d_from, minlength=days_n + 1) - np.bincount(d_to, minlength=days_n + 1)
    return np.cumsum(diff[:days_n]).astype(np.int64)


def _seg_mask(tl: Timeline, items: BoolArray | None) -> BoolArray:
    return np.ones(tl.seg_item.size, dtype=np.bool_) if items is None else items[tl.seg_item]


def wip_per_day(
    tl: Timeline, shape: BoardShape, edges: FloatArray, items: BoolArray | None = None
) -> IntArray:
    """Items started and not finished at the end of each day (§5). ``edges`` are the day
    boundaries (one more than the days); ``items`` an optional filter over ``tl``'s items."""
    keep = _seg_mask(tl, items) & (tl.seg_column != shape.done_index)
    keep &= (tl.seg_column != DISCARDED) & (tl.seg_start >= tl.started[tl.seg_item])
    return _count_per_day(tl, keep, edges[1:])


def blocked_per_day(
    tl: Timeline, shape: BoardShape, edges: FloatArray, items: BoolArray | None = None
) -> IntArray:
    """Items blocked at the end of each day, on the board and not done."""
    keep = _seg_mask(tl, items) & tl.seg_blocked & (tl.seg_column != shape.done_index)
    keep &= tl.seg_column != DISCARDED
    return _count_per_day(tl, keep, edges[1:])


def cfd(
    tl: Timeline, shape: BoardShape, edges: FloatArray, items: BoolArray | None = None
) -> IntArray:
    """Cumulative flow (§5): [day, k] = items whose column at the end of the day is k or later.

    Column 0 is therefore every item on the board (created, not discarded) by then."""
    keep = _seg_mask(tl, items) & (tl.seg_column != DISCARDED)
    ends = edges[1:]
    d_from, d_to = _days_held(tl, keep, ends)
    width, days_n = len(shape.columns), ends.size
    columns = tl.seg_column[keep]
    size = (days_n + 1) * width
    diff = np.bincount(d_from * width + columns, minlength=size) - np.bincount(
        d_to * width + columns, minlength=size
    )
    per_column = np.cumsum(diff.reshape(days_n + 1, width)[:days_n], axis=0)
    cumulative: IntArray = per_column[:, ::-1].cumsum(axis=1)[:, ::-1].astype(np.int64)
    return cumulative


def day_of(times: FloatArray, edges: FloatArray) -> IntArray:
    """The index of the day holding each time; -1 outside the days (or NaN)."""
    found = np.searchsorted(edges, times, side="right").astype(np.int64) - 1
    outside = (found < 0) | (found >= edges.size - 1) | np.isnan(times)
    return np.where(outside, -1, found)


def finished_in(
    tl: Timeline, since: float, until: float, items: BoolArray | None = None
) -> BoolArray:
    """Items finished in [since, until)."""
    keep = (tl.finished >= since) & (tl.finished < until)
    return keep if items is None else keep & items


def throughput_per_day(tl: Timeline, edges: FloatArray, items: BoolArray | None = None) -> IntArray:
    finished = tl.finished if items is None else tl.finished[items]
    found = day_of(finished, edges)
    return np.bincount(found[found >= 0], minlength=edges.size - 1).astype(np.int64)


def median_cycle_per_day(
    tl: Timeline, edges: FloatArray, items: BoolArray | None = None
) -> FloatArray:
    """Median (nearest rank) cycle time in seconds of the items finished each day; NaN for a day
    without any."""
    cycle = tl.cycle if items is None else tl.cycle[items]
    finished = tl.finished if items is None else tl.finished[items]
    found = day_of(finished, edges)
    inside = found >= 0
    found, cycle = found[inside], cycle[inside]
    result = np.full(edges.size - 1, np.nan)
    if found.size == 0:
        return result
    order = np.lexsort((cycle, found))
    found, cycle = found[order], cycle[order]
    counts = np.bincount(found, minlength=edges.size - 1)
    offsets = np.r_[0, np.cumsum(counts)[:-1]]
    has = counts > 0
    rank = offsets[has] + np.ceil(counts[has] * 0.5).astype(np.int64) - 1
    result[has] = cycle[rank]
    return result


# ---- per item: flow efficiency and blocked time ------------------------------------------------


@dataclass(frozen=True, eq=False)
class ItemMeasures:
    """Seconds per item: ``active`` in active columns while not blocked, from start to finish (or
    ``now``); ``blocked`` while blocked, from creation to finish (or now)."""

    active: FloatArray
    blocked: FloatArray


def item_measures(
    tl: Timeline, shape: BoardShape, now: float, items: BoolArray | None = None
) -> ItemMeasures:
    """For every item, or only for ``items`` (the others get zeros: less work on big boards)."""
    n = len(tl)
    if n == 0:
        empty = np.empty(0, dtype=np.float64)
        return ItemMeasures(empty, empty)
    if items is not None:
        tl = _only(tl, items)
    who = tl.seg_item
    end = np.where(np.isnan(tl.finished), now, tl.finished)[who]
    hi = np.minimum(tl.seg_end, end)
    on_board = tl.seg_column != DISCARDED
    active_flags = np.asarray(shape.active, dtype=np.bool_)
    active_column = on_board & active_flags[np.maximum(tl.seg_column, 0)]
    work = np.nan_to_num(hi - np.maximum(tl.seg_start, tl.started[who]), nan=0.0).clip(min=0)
    work = np.where(active_column & ~tl.seg_blocked, work, 0.0)
    wait = (hi - np.maximum(tl.seg_start, tl.created[who])).clip(min=0)
    wait = np.where(tl.seg_blocked & on_board, wait, 0.0)
    return ItemMeasures(
        active=np.bincount(who, weights=work, minlength=n).astype(np.float64),
        blocked=np.bincount(who, weights=wait, minlength=n).astype(np.float64),
    )


def _only(tl: Timeline, items: BoolArray) -> Timeline:
    """The same items, keeping only the segments of the chosen ones."""
    keep = items[tl.seg_item]
    return Timeline(
        ids=tl.ids,
        created=tl.created,
        started=tl.started,
        finished=tl.finished,
        column=tl.column,
        blocked_since=tl.blocked_since,
        seg_item=tl.seg_item[keep],
        seg_start=tl.seg_start[keep],
        seg_end=tl.seg_end[keep],
        seg_column=tl.seg_column[keep],
        seg_blocked=tl.seg_blocked[keep],
    )


@dataclass(frozen=True)
class FlowEfficiency:
    """Overall flow efficiency = sum of active unblocked time / sum of cycle time (§5)."""

    items: int
    active_seconds: float
    cycle_seconds: float

    @property
    def ratio(self) -> float | None:
        return None if self.cycle_seconds <= 0 else self.active_seconds / self.cycle_seconds


def flow_efficiency(tl: Timeline, measures: ItemMeasures, chosen: BoolArray) -> FlowEfficiency:
    """Over the chosen finished items."""
    chosen = chosen & ~np.isnan(tl.finished)
    cycle = tl.cycle[chosen]
    return FlowEfficiency(
        items=int(chosen.sum()),
        active_seconds=float(np.minimum(measures.active[chosen], cycle).sum()),
        cycle_seconds=float(cycle.sum()),
    )


@dataclass(frozen=True)
class BlockerReason:
    reason: str
    times: int  # how often a card was blocked for it
    blocked_seconds: float  # how long, in all (until unblocked, or now)


def blocker_reasons(
    log: EventLog,
    tl: Timeline,
    *,
    since: float,
    until: float,
    now: float,
    items: BoolArray | None = None,
) -> list[BlockerReason]:
    """The reasons of the blocks that began in [since, until), most frequent first."""
    positions = np.flatnonzero((log.kind == BLOCKED) | (log.kind == UNBLOCKED))
    if positions.size == 0:
        return []
    kind, card, at = log.kind[positions], log.card[positions], log.at[positions]
    ends = np.full(positions.size, now)
    closes = (card[1:] == card[:-1]) & (kind[1:] == UNBLOCKED)
    ends[:-1] = np.where(closes, at[1:], now)
    chosen = (kind == BLOCKED) & (at >= since) & (at < until)
    if items is not None:
        chosen &= items[np.searchsorted(tl.ids, card)]
    reason = log.reason[positions][chosen]
    known = reason >= 0
    if not known.any():
        return []
    spans = (ends - at)[chosen][known].clip(min=0)
    reason = reason[known]
    counts = np.bincount(reason, minlength=len(log.reasons))
    seconds = np.bincount(reason, weights=spans, minlength=len(log.reasons))
    found = [
        BlockerReason(log.reasons[i], int(counts[i]), float(seconds[i]))
        for i in np.flatnonzero(counts)
    ]
    return sorted(found, key=lambda r: (-r.times, -r.blocked_seconds, r.reason))


# ---- Little's Law --------------------------------------------------------------------------------

LITTLES_LAW_ASSUMPTIONS = (
    "the system is stable: WIP is about the same at the start and the end of the window",
    "every item that starts also finishes (none is abandoned or left to age)",
    "the average age of WIP neither grows nor shrinks over the window",
    "the same units throughout: items, days",
)


@dataclass(frozen=True)
class LittlesLaw:
    """Mean WIP against throughput x cycle time over a window of ``days`` days."""

    days: int
    mean_wip: float
    throughput_per_day: float
    mean_cycle_days: float | None
    finished: int
    assumptions: tuple[str, ...] = LITTLES_LAW_ASSUMPTIONS

    @property
    def predicted_wip(self) -> float | None:
        if self.mean_cycle_days is None:
            return None
        return self.throughput_per_day * self.mean_cycle_days

    @property
    def ratio(self) -> float | None:
        """Observed mean WIP / predicted; near 1 when the assumptions hold."""
        predicted = self.predicted_wip
        return None if not predicted else self.mean_wip / predicted


def littles_law(wip: IntArray, throughput: IntArray, cycle_seconds: FloatArray) -> LittlesLaw:
    days_n = int(wip.size)
    cycles = cycle_seconds[~np.isnan(cycle_seconds)]
    return LittlesLaw(
        days=days_n,
        mean_wip=float(wip.mean()) if days_n else 0.0,
        throughput_per_day=float(throughput.sum() / days_n) if days_n else 0.0,
        mean_cycle_days=float(cycles.mean() / DAY) if cycles.size else None,
        finished=int(cycles.size),
    )
