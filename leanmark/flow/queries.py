"""Reads that feed the flow maths: a board's event log as NumPy arrays, cached per board and
keyed by its last event id, and the cross-app contracts (cycle_time_percentiles, daily_series,
finished_items).

Events are read with one raw SQL query that returns numbers only (card id, kind code, epoch
seconds, column id), never model instances: a board of 100,000 cards and 1,000,000 events loads
in about a second and every metric after that is a few array passes.
"""

import threading
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
from django.db import connection

from leanmark.board.models import Board, Card, CardEvent, Column
from leanmark.domain import flow as maths
from leanmark.domain.flow import DAY, BoardShape, EventLog, Timeline

# ---- loading and caching -------------------------------------------------------------------------

CACHED_BOARDS = 8  # per process; an entry is replaced as soon as the board has a new event


@dataclass(frozen=True, eq=False)
class FlowData:
    """Everything the metrics need for one board, as of its event ``last_event_id``."""

    board_id: int
    last_event_id: int
    shape: BoardShape
    column_ids: tuple[int, ...]
    tz: ZoneInfo
    log: EventLog
    timeline: Timeline
    numbers: np.ndarray  # card number per timeline item

    def number_of(self, card_ids: Iterable[int]) -> list[int]:
        index = np.searchsorted(self.timeline.ids, np.fromiter(card_ids, dtype=np.int64))
        return [int(n) for n in self.numbers[index]]


_cache: OrderedDict[int, FlowData] = OrderedDict()
_lock = threading.Lock()

_KIND_SQL = " ".join(f"WHEN '{name}' THEN {code}" for name, code in maths.KIND_CODES.items())


def _epoch_sql(column: str) -> str:
    if connection.vendor == "sqlite":
        return f"(julianday({column}) - 2440587.5) * 86400.0"
    return f"date_part('epoch', {column})"


def time_zone(board: Board) -> ZoneInfo:
    try:
        return ZoneInfo(board.workspace.time_zone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def board_shape(columns: list[Column], board: Board) -> BoardShape:
    ids = [c.pk for c in columns]
    start = ids.index(board.start_column_id) if board.start_column_id in ids else 0
    done = ids.index(board.done_column_id) if board.done_column_id in ids else len(ids) - 1
    return BoardShape(
        columns=tuple(c.name for c in columns),
        active=tuple(c.kind == Column.Kind.ACTIVE for c in columns),
        start_index=min(start, done),
        done_index=done,
    )


def _last_event_id(board: Board) -> int:
    found = CardEvent.objects.filter(board=board).order_by("-id").values_list("id", flat=True)
    return found.first() or 0


def _read_log(board: Board, column_ids: list[int]) -> EventLog:
    table = CardEvent._meta.db_table
    kinds = ", ".join(f"'{k}'" for k in maths.KIND_CODES)
    sql = (
        f"SELECT card_id, CASE kind {_KIND_SQL} END, {_epoch_sql('at')}, "  # noqa: S608 (constants only)
        f"COALESCE(to_column_id, 0), CASE WHEN kind = 'blocked' THEN reason END "
        f"FROM {table} WHERE board_id = %s AND kind IN ({kinds}) ORDER BY id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [board.pk])
        rows = cursor.fetchall()
    if not rows:
        return EventLog.build([], [], [], [])
    card, kind, at, column_id, reason_text = zip(*rows, strict=True)
    ids = np.asarray(column_ids, dtype=np.int64)
    order = np.argsort(ids)
    raw = np.asarray(column_id, dtype=np.int64)
    found = np.searchsorted(ids[order], raw).clip(max=ids.size - 1)
    column = np.where(ids[order][found] == raw, order[found], -1)
    reasons: dict[str, int] = {}
    reason = [-1 if r is None else reasons.setdefault(r, len(reasons)) for r in reason_text]
    return EventLog.build(card, at, kind, column, reason, tuple(reasons))


def flow_data(board: Board) -> FlowData:
    """The board's log and timeline, from the cache when no event was added since."""
    columns = list(Column.objects.filter(board=board).order_by("position"))
    shape = board_shape(columns, board)
    column_ids = tuple(c.pk for c in columns)
    last = _last_event_id(board)
    tz = time_zone(board)
    with _lock:
        hit = _cache.get(board.pk)
        if (
            hit is not None
            and hit.last_event_id == last
            and hit.shape == shape
            and hit.column_ids == column_ids
            and hit.tz == tz
        ):
            _cache.move_to_end(board.pk)
            return hit
    log = _read_log(board, list(column_ids))
    tl = maths.timeline(log, shape)
    pairs = np.asarray(
        Card.objects.filter(board=board).order_by("id").values_list("id", "number"), dtype=np.int64
    ).reshape(-1, 2)
    numbers = pairs[np.searchsorted(pairs[:, 0], tl.ids).clip(max=max(0, len(pairs) - 1)), 1]
    data = FlowData(board.pk, last, shape, column_ids, tz, log, tl, numbers)
    with _lock:
        _cache[board.pk] = data
        _cache.move_to_end(board.pk)
        while len(_cache) > CACHED_BOARDS:
            _cache.popitem(last=False)
    return data


def clear_cache() -> None:
    with _lock:
        _cache.clear()


# ---- time ----------------------------------------------------------------------------------------


def day_start(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time.min, tzinfo=tz)


def day_edges(start: date, end: date, tz: ZoneInfo) -> np.ndarray:
    """Epoch seconds of the boundaries of the days start..end (inclusive): one more than days."""
    count = (end - start).days + 1
    return np.array(
        [day_start(start + timedelta(days=i), tz).timestamp() for i in range(count + 1)]
    )


def _bound(value: date | datetime | None, tz: ZoneInfo, *, end: bool) -> float:
    """A date means the whole day in the workspace's time zone; a datetime is taken as is."""
    if value is None:
        return np.inf if end else -np.inf
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("datetimes must be timezone-aware")
        return value.timestamp()
    return day_start(value + timedelta(days=1) if end else value, tz).timestamp()


def to_datetime(epoch: float, tz: ZoneInfo) -> datetime:
    return datetime.fromtimestamp(epoch, tz=UTC).astimezone(tz)


def to_days(seconds: float) -> float:
    return float(seconds) / DAY


# ---- the cross-app contracts ---------------------------------------------------------------------


@dataclass(frozen=True)
class DayFlow:
    date: date
    throughput: int  # items finished that day
    wip: int  # items started and not finished at the end of the day
    median_cycle_days: float | None  # of the items finished that day (nearest rank)
    blocked: int  # items blocked at the end of the day


@dataclass(frozen=True)
class FinishedItem:
    card_id: int
    number: int
    finished_at: datetime
    cycle_days: float
    lead_days: float


def cycle_time_percentiles(
    board: Board, *, since: date | datetime | None = None, until: date | datetime | None = None
) -> dict[int, float]:
    """Nearest-rank 50/70/85/95th percentiles of the cycle times (days, exact) of the items
    finished from ``since`` to ``until`` (dates inclusive, in the workspace's time zone;
    datetimes as given, ``until`` exclusive). Empty when no item finished then."""
    data = flow_data(board)
    tl = data.timeline
    chosen = maths.finished_in(
        tl, _bound(since, data.tz, end=False), _bound(until, data.tz, end=True)
    )
    found = maths.percentiles(tl.cycle[chosen] / DAY)
    return {} if found is None else {int(level): value for level, value in found.items()}


def daily_series(board: Board, *, start: date, end: date) -> list[DayFlow]:
    """One row per day from ``start`` to ``end`` inclusive (workspace time zone)."""
    if end < start:
        return []
    data = flow_data(board)
    tl, shape = data.timeline, data.shape
    edges = day_edges(start, end, data.tz)
    throughput = maths.throughput_per_day(tl, edges)
    wip = maths.wip_per_day(tl, shape, edges)
    blocked = maths.blocked_per_day(tl, shape, edges)
    median = maths.median_cycle_per_day(tl, edges)
    return [
        DayFlow(
            date=start + timedelta(days=i),
            throughput=int(throughput[i]),
            wip=int(wip[i]),
            median_cycle_days=None if np.isnan(median[i]) else to_days(median[i]),
            blocked=int(blocked[i]),
        )
        for i in range(edges.size - 1)
    ]


def finished_items(
    board: Board, *, since: date | datetime | None, until: date | datetime | None
) -> list[FinishedItem]:
    """Items finished from ``since`` to ``until`` (bounds as in cycle_time_percentiles), in the
    order they finished."""
    data = flow_data(board)
    tl = data.timeline
    chosen = np.flatnonzero(
        maths.finished_in(tl, _bound(since, data.tz, end=False), _bound(until, data.tz, end=True))
    )
    chosen = chosen[np.argsort(tl.finished[chosen], kind="stable")]
    return [
        FinishedItem(
            card_id=int(tl.ids[i]),
            number=int(data.numbers[i]),
            finished_at=to_datetime(tl.finished[i], data.tz),
            cycle_days=to_days(tl.cycle[i]),
            lead_days=to_days(tl.lead[i]),
        )
        for i in chosen
    ]
