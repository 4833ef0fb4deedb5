"""Reads that feed the flow maths: a board's event log as NumPy arrays, cached per board and
keyed by its change counter (in this process and in Django's cache), and the cross-app contracts
(cycle_time_percentiles, daily_series, finished_items).

Events are read with one aggregate query that hands each column over as a single value
(leanmark.lib.sql_arrays: card id, kind code, microseconds, column id, event id), never a row or a
model instance per event: a board of 100,000 cards and 1,000,000 events loads in about a second
on a quiet machine and every metric after that is a few array passes.
"""

import threading
from collections import OrderedDict
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from functools import cached_property
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import numpy as np
from django.db import connection

from leanmark.board import queries as board_queries
from leanmark.board.choices import ColumnKind, EventKind
from leanmark.board.queries import Filters
from leanmark.domain import flow as maths
from leanmark.domain.flow import DAY, BoardShape, EventLog, Timeline
from leanmark.domain.forecast import (
    DEFAULT_TRIALS,
    EVERY_DAY,
    MAX_AHEAD_DAYS,
    Backtest,
    Calendar,
    Chance,
    Forecast,
    ForecastError,
    History,
    backtest,
    chance_by,
    check_how_many,
    check_when,
    horizon_periods,
    how_many,
    period_ends,
    when,
    working_history,
)
from leanmark.domain.metrics import YEARS, outside_years
from leanmark.lib import zones
from leanmark.lib.errors import InvalidInput
from leanmark.lib.sql_arrays import int_columns

from .models import BlackoutDay, BoardCalendar

if TYPE_CHECKING:  # annotations only: the board's rows are read through its queries
    from leanmark.board.models import Board, Column

# ---- loading and caching -------------------------------------------------------------------------

CACHED_BOARDS = 8  # per process; an entry is replaced as soon as the board's counter moves


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
    changes: int = -1  # the board's change counter this copy is for
    key: str = ""  # the cache key it is stored under (board, creation time, counter, zone)
    # card id → title of every card of the board, read once per copy when a page first draws
    # titles (a card's edit moves the counter, so they are as fresh as the events)
    titles: dict[int, str] = field(default_factory=dict, compare=False)


_cache: OrderedDict[int, FlowData] = OrderedDict()
_generation = [0]  # in every key; clear_cache moves it, so nothing cached before is found
_lock = threading.Lock()

_KIND_SQL = " ".join(f"WHEN '{name}' THEN {code}" for name, code in maths.KIND_CODES.items())


def _microseconds_sql(column: str) -> str:
    """A timestamp column as integer microseconds since the epoch, exactly: SQLite keeps it as
    'YYYY-MM-DD HH:MM:SS[.ffffff]' text in UTC, PostgreSQL as timestamptz."""
    if connection.vendor != "sqlite":
        return f"round(date_part('epoch', {column}) * 1000000)"
    seconds = (
        f"unixepoch({column})"  # SQLite 3.38+, twice as fast as strftime
        if connection.Database.sqlite_version_info >= (3, 38)
        else f"CAST(strftime('%%s', {column}) AS INTEGER)"
    )
    return f"({seconds} * 1000000 + CAST(substr({column}, 21, 6) AS INTEGER))"


def time_zone(board: "Board") -> ZoneInfo:
    return zones.zone(board.workspace)


def board_shape(columns: "list[Column]", board: "Board") -> BoardShape:
    ids = [c.pk for c in columns]
    start = ids.index(board.start_column_id) if board.start_column_id in ids else 0
    done = ids.index(board.done_column_id) if board.done_column_id in ids else len(ids) - 1
    return BoardShape(
        columns=tuple(c.name for c in columns),
        active=tuple(c.kind == ColumnKind.ACTIVE for c in columns),
        start_index=min(start, done),
        done_index=done,
    )


def _read_log(
    board: "Board", column_ids: list[int], *, after: int = 0, base: EventLog | None = None
) -> EventLog:
    """Numbers only, handed over in bulk (leanmark.lib.sql_arrays), so no Python object is made
    per event; the few blocked events' reasons come from a second query. With ``after`` and
    ``base``, only the events after that id are read and added to ``base``: the log is
    append-only, so nothing before it changed."""
    table = board_queries.EVENTS_TABLE
    kinds = ", ".join(f"'{k}'" for k in maths.KIND_CODES)
    event_id, card, kind, micros, raw = int_columns(
        [
            "id",
            "card_id",
            f"CASE kind {_KIND_SQL} END",
            _microseconds_sql("at"),
            "COALESCE(to_column_id, 0)",
        ],
        f"FROM {table} WHERE board_id = %s AND id > %s AND kind IN ({kinds})",
        [board.pk, after],
    )
    if not event_id.size:
        return base if base is not None else EventLog.build([], [], [], [])
    order = np.argsort(event_id, kind="stable")  # SQLite hands rows over in scan order
    event_id, card, kind, micros, raw = (a[order] for a in (event_id, card, kind, micros, raw))
    ids = np.asarray(column_ids, dtype=np.int64)
    by_id = np.argsort(ids)
    found = np.searchsorted(ids[by_id], raw).clip(max=ids.size - 1)
    column = np.where(ids[by_id][found] == raw, by_id[found], -1)
    reason = np.full(card.size, -1, dtype=np.int32)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, reason FROM {table} "  # noqa: S608 (constants only)
            "WHERE board_id = %s AND id > %s AND kind = %s ORDER BY id",
            [board.pk, after, EventKind.BLOCKED],
        )
        pairs = cursor.fetchall()
    known = base.reasons if base is not None else ()
    reasons: dict[str, int] = {text: code for code, text in enumerate(known)}
    if pairs:
        where = np.searchsorted(event_id, np.fromiter((p[0] for p in pairs), dtype=np.int64))
        codes = [reasons.setdefault(text, len(reasons)) for _id, text in pairs]
        reason[where.clip(max=card.size - 1)] = codes
    times = micros / 1e6
    if base is not None:  # old events first: for equal times, they have the lower ids
        card = np.concatenate([base.card, card])
        times = np.concatenate([base.at, times])
        kind = np.concatenate([base.kind, kind])
        column = np.concatenate([base.column, column])
        reason = np.concatenate([base.reason, reason])
    return EventLog.build(card, times, kind, column, reason, tuple(reasons))


def _board_key(board: "Board") -> str:
    """The board and its creation time: a restored or rolled-back database can give a board id
    out again, never with the same creation time. ``clear_cache`` moves the generation."""
    created = board.created_at.timestamp() if board.created_at else 0
    return f"leanmark:flow:{_generation[0]}:{board.pk}:{created:.6f}"


def _cache_key(board: "Board", changes: int, tz: ZoneInfo) -> str:
    """What a cached copy is for: the board, its change counter and the time zone."""
    return f"{_board_key(board)}:{changes}:{tz.key}"


def _shared_cache() -> Any:
    """Django's cache (the ``flow`` alias when settings name one, else ``default``): with a
    cache every app process can reach, a board changed once is read once for all of them. It
    holds one copy per board (the newest), under the board's key, so old copies take no room."""
    from django.conf import settings
    from django.core.cache import caches

    return caches["flow" if "flow" in settings.CACHES else "default"]


def _remember(data: FlowData) -> FlowData:
    with _lock:
        _cache[data.board_id] = data
        _cache.move_to_end(data.board_id)
        while len(_cache) > CACHED_BOARDS:
            _cache.popitem(last=False)
    return data


def flow_data(board: "Board") -> FlowData:
    """The board's log and timeline, cached per board and keyed by its change counter (every
    event, column change and card edit moves it, in the same transaction), read fresh from the
    database: one primary-key query while nothing changed. Looked up in this process first,
    then in Django's cache (shared by the processes when it is a shared backend); after a change,
    only the events added since the cached copy are read (the log is append-only)."""
    changes = board_queries.board_changes(board.workspace, board.pk)
    tz = time_zone(board)
    key = _cache_key(board, changes, tz)
    with _lock:
        hit = _cache.get(board.pk)
        if hit is not None and hit.key == key:
            _cache.move_to_end(board.pk)
            return hit
    shared = _shared_cache()
    board_key = _board_key(board)
    found = shared.get(board_key)
    if isinstance(found, FlowData) and found.key == key:  # another process read it
        return _remember(found)
    candidates = [c for c in (hit, found) if isinstance(c, FlowData)]
    same = [c for c in candidates if c.key.startswith(board_key + ":") and c.changes <= changes]
    base = max(same, key=lambda c: c.last_event_id, default=None)  # the newest copy to add to
    data = replace(_read_flow_data(board, changes, tz, base), key=key)
    shared.set(board_key, data)
    return _remember(data)


def _read_flow_data(board: "Board", changes: int, tz: ZoneInfo, hit: FlowData | None) -> FlowData:
    columns = board_queries.columns_in_order(board)
    shape = board_shape(columns, board)
    column_ids = tuple(c.pk for c in columns)
    last = board_queries.last_event_id(board)
    if (
        hit is not None
        and hit.last_event_id == last
        and hit.shape == shape
        and hit.column_ids == column_ids
        and hit.tz == tz
    ):  # the counter moved for something else (an edit marker): same log, same timeline
        return replace(hit, changes=changes, titles={})
    same_board = (
        hit is not None
        and hit.last_event_id <= last
        and hit.column_ids == column_ids
        and hit.shape.columns == shape.columns
    )
    if same_board and hit is not None:
        log = _read_log(board, list(column_ids), after=hit.last_event_id, base=hit.log)
    else:
        log = _read_log(board, list(column_ids))
    tl = maths.timeline(log, shape)
    card_ids, card_numbers = int_columns(
        ["id", "number"],
        f"FROM {board_queries.CARDS_TABLE} WHERE board_id = %s",
        [board.pk],
    )
    by_id = np.argsort(card_ids)
    found = np.searchsorted(card_ids[by_id], tl.ids).clip(max=max(0, card_ids.size - 1))
    numbers = card_numbers[by_id][found] if card_ids.size else np.zeros(tl.ids.size, np.int64)
    return FlowData(board.pk, last, shape, column_ids, tz, log, tl, numbers, changes)


def clear_cache() -> None:
    """Forget every cached copy (tests and benchmarks): this process's, and the shared cache's
    by moving the generation in their keys (the rest of that cache is left alone)."""
    with _lock:
        _cache.clear()
        _generation[0] += 1


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
    board: "Board", *, since: date | datetime | None = None, until: date | datetime | None = None
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


def daily_series(board: "Board", *, start: date, end: date) -> list[DayFlow]:
    """One row per day from ``start`` to ``end`` inclusive (workspace time zone); FlowInputError
    past SERIES_MAX_DAYS or outside the years 1900 to 2100 (check_range)."""
    if end < start:
        return []
    check_range(start, end, most=SERIES_MAX_DAYS)
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
    board: "Board", *, since: date | datetime | None, until: date | datetime | None
) -> list[FinishedItem]:
    """Items finished from ``since`` to ``until`` (bounds as in cycle_time_percentiles), in the
    order they finished; the bounds given are checked as in daily_series."""
    given = [v.date() if isinstance(v, datetime) else v for v in (since, until) if v is not None]
    if given and given[0] <= given[-1]:  # one bound: its year; until before since: no items
        check_range(given[0], given[-1], most=SERIES_MAX_DAYS)
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


# ---- the flow report: every metric for a board, a date range and filters ------------------------

MAX_RANGE_DAYS = 1830  # five years of days in one report
# The series other apps read (daily_series, finished_items): the dashboard charts up to 60 years
# per year, widened to whole years and with the year before for the change.
SERIES_MAX_DAYS = 62 * 366
SCATTER_MAX = 2000  # the newest finished items drawn on the scatterplot (all are in the CSV)


class FlowInputError(InvalidInput):
    """A report or forecast parameter that cannot be used; the message says which and why."""


@dataclass(frozen=True)
class FlowFilters:
    lane: str = ""
    stage: str = ""
    person: int | None = None
    tag: str = ""

    @classmethod
    def from_query(cls, query: Any) -> "FlowFilters":
        board_filters = Filters.from_query(query)
        return cls(
            lane=board_filters.lane,
            stage=board_filters.stage,
            person=board_filters.person,
            tag=board_filters.tag,
        )

    @property
    def active(self) -> bool:
        return bool(self.lane or self.stage or self.person or self.tag)


@dataclass(frozen=True)
class CycleItem:
    card_id: int
    number: int
    title: str
    started_at: datetime
    finished_at: datetime
    cycle_days: float
    lead_days: float
    active_days: float
    blocked_days: float

    @property
    def efficiency(self) -> float | None:
        return None if self.cycle_days <= 0 else min(1.0, self.active_days / self.cycle_days)


@dataclass(frozen=True)
class AgingItem:
    card_id: int
    number: int
    title: str
    column: str
    age_days: float
    blocked: bool
    over_85: bool


@dataclass(frozen=True)
class PeriodCount:
    start: date
    throughput: int


@dataclass(frozen=True)
class Reason:
    reason: str
    times: int
    blocked_days: float


@dataclass(frozen=True, eq=False)
class FlowReport:
    """The series are lists; the per-item lists (finished, aging) are built from the arrays only
    when asked for, so a page that draws the newest 2,000 items does not build 80,000."""

    board: "Board"
    start: date
    end: date
    now: datetime
    filters: FlowFilters
    data: FlowData
    days: list[date]
    throughput: list[int]
    wip: list[int]
    blocked: list[int]
    cfd: list[list[int]]  # per day, per column: items at that column or later
    weekly: list[PeriodCount]
    monthly: list[PeriodCount]
    percentiles: dict[int, float]
    finished_index: np.ndarray  # timeline items finished in the range, in finishing order
    aging_index: np.ndarray  # timeline items in progress now, oldest first
    measures: maths.ItemMeasures
    items: int  # cards (matching the filters) with any history on the board
    efficiency: maths.FlowEfficiency
    reasons: list[Reason]
    littles_law: maths.LittlesLaw

    @property
    def board_id(self) -> int:
        return int(self.board.pk)

    @property
    def board_name(self) -> str:
        return str(self.board.name)

    @property
    def last_event_id(self) -> int:
        return self.data.last_event_id

    @property
    def columns(self) -> tuple[str, ...]:
        return self.data.shape.columns

    @property
    def active_columns(self) -> tuple[bool, ...]:
        return self.data.shape.active

    @property
    def start_column(self) -> str:
        return self.columns[self.data.shape.start_index]

    @property
    def done_column(self) -> str:
        return self.columns[self.data.shape.done_index]

    @property
    def total_throughput(self) -> int:
        return sum(self.throughput)

    @property
    def has_history(self) -> bool:
        return self.items > 0

    @property
    def finished_count(self) -> int:
        return int(self.finished_index.size)

    @property
    def aging_count(self) -> int:
        return int(self.aging_index.size)

    def _cycle_items(self, index: np.ndarray) -> list[CycleItem]:
        """The items at ``index``, built from the arrays column by column (one NumPy pass per
        field, then plain Python numbers), not element by element."""
        tl, tz, measures = self.data.timeline, self.data.tz, self.measures
        titles = titles_of(self.board, self.data)
        stamp = datetime.fromtimestamp
        columns = zip(
            tl.ids[index].tolist(),
            self.data.numbers[index].tolist(),
            tl.started[index].tolist(),
            tl.finished[index].tolist(),
            (tl.cycle[index] / DAY).tolist(),
            (tl.lead[index] / DAY).tolist(),
            (measures.active[index] / DAY).tolist(),
            (measures.blocked[index] / DAY).tolist(),
            strict=True,
        )
        return [
            CycleItem(card, number, titles.get(card, ""), stamp(s, tz), stamp(f, tz), c, le, a, b)
            for card, number, s, f, c, le, a, b in columns
        ]

    def recent_points(self, count: int) -> list[tuple[str, float, int, str]]:
        """(finished at in ISO 8601, cycle time in days, card number, title) of the ``count``
        items that finished last: what the scatterplot draws, without the rest of an item."""
        if not count:
            return []
        tl, tz = self.data.timeline, self.data.tz
        index = self.finished_index[-count:]
        titles = titles_of(self.board, self.data)
        stamp = datetime.fromtimestamp
        return [
            (stamp(f, tz).isoformat(), c, n, titles.get(card, ""))
            for card, n, f, c in zip(
                tl.ids[index].tolist(),
                self.data.numbers[index].tolist(),
                tl.finished[index].tolist(),
                (tl.cycle[index] / DAY).tolist(),
                strict=True,
            )
        ]

    @cached_property
    def finished(self) -> list[CycleItem]:
        """Every item finished in the range, in finishing order."""
        return self._cycle_items(self.finished_index)

    def recent(self, count: int) -> list[CycleItem]:
        """The ``count`` items that finished last."""
        return self._cycle_items(self.finished_index[-count:]) if count else []

    def most_blocked(self, count: int) -> list[CycleItem]:
        """The finished items that were blocked longest (only those blocked at all)."""
        blocked = self.measures.blocked[self.finished_index]
        order = np.argsort(-blocked, kind="stable")[:count]
        return self._cycle_items(self.finished_index[order[blocked[order] > 0]])

    @cached_property
    def efficiencies(self) -> np.ndarray:
        """Flow efficiency (0..1) of each finished item with a cycle time above zero."""
        cycle = self.data.timeline.cycle[self.finished_index]
        active = self.measures.active[self.finished_index]
        keep = cycle > 0
        found: np.ndarray = np.minimum(1.0, active[keep] / cycle[keep])
        return found

    @cached_property
    def aging(self) -> list[AgingItem]:
        """Every item in progress now, oldest first."""
        return self.oldest(self.aging_count)

    def oldest(self, count: int) -> list[AgingItem]:
        """The ``count`` oldest items in progress."""
        tl, shape = self.data.timeline, self.data.shape
        index = self.aging_index[:count]
        titles = titles_of(self.board, self.data)
        over = self.percentiles.get(85)
        ages = (self.now.timestamp() - tl.started[index]) / DAY
        names = shape.columns
        return [
            AgingItem(card, number, titles.get(card, ""), names[column], age, blocked, over_85)
            for card, number, column, age, blocked, over_85 in zip(
                tl.ids[index].tolist(),
                self.data.numbers[index].tolist(),
                tl.column[index].tolist(),
                ages.tolist(),
                (~np.isnan(tl.blocked_since[index])).tolist(),
                (ages > over).tolist() if over is not None else [False] * index.size,
                strict=True,
            )
        ]


def default_range(board: "Board", now: datetime, days: int = 90) -> tuple[date, date]:
    today = now.astimezone(time_zone(board)).date()
    return today - timedelta(days=days - 1), today


def check_range(start: date, end: date, *, most: int = MAX_RANGE_DAYS) -> None:
    if end < start:
        raise FlowInputError(
            f"the range ends ({end}) before it starts ({start}); swap the dates", field="from"
        )
    if outside_years(start) or outside_years(end):  # a day past them would leave the calendar
        raise FlowInputError(
            f"a range lies within {YEARS}; this one is {start} to {end}",
            field="from" if outside_years(start) else "to",
        )
    if (end - start).days + 1 > most:
        raise FlowInputError(
            f"a range covers at most {most:,} days; this one has {(end - start).days + 1:,}",
            field="from",
        )


def item_mask(board: "Board", data: FlowData, filters: FlowFilters) -> np.ndarray | None:
    """The timeline items matching the filters (None: all)."""
    if not filters.active:
        return None
    chosen = Filters(person=filters.person, lane=filters.lane, stage=filters.stage, tag=filters.tag)
    ids = np.fromiter(board_queries.card_ids_matching(board, chosen), dtype=np.int64)
    return np.isin(data.timeline.ids, ids)


def titles_of(board: "Board", data: FlowData) -> dict[int, str]:
    """Card id → title of the board's cards: one read per cached copy of the board's flow data
    (a title's edit moves the change counter, so a new copy reads them again)."""
    if not data.titles:
        found = board_queries.card_titles(board)
        with _lock:
            data.titles.update(found)
    return data.titles


def _periods(days: list[date], counts: np.ndarray, key: Any) -> list[PeriodCount]:
    totals: dict[date, int] = {}
    for day, count in zip(days, counts, strict=True):
        start = key(day)
        totals[start] = totals.get(start, 0) + int(count)
    return [PeriodCount(start, n) for start, n in totals.items()]


def _week(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _month(day: date) -> date:
    return day.replace(day=1)


def _levels(found: dict[float, float] | None) -> dict[int, float]:
    return {} if found is None else {int(k): v for k, v in found.items()}


def flow_report(
    board: "Board",
    *,
    start: date,
    end: date,
    now: datetime,
    filters: FlowFilters = FlowFilters(),
) -> FlowReport:
    """All flow metrics of §5 for the days start..end (workspace time zone)."""
    check_range(start, end)
    data = flow_data(board)
    tl, shape = data.timeline, data.shape
    mask = item_mask(board, data, filters)
    edges = day_edges(start, end, data.tz)
    since, until = edges[0], edges[-1]
    days = [start + timedelta(days=i) for i in range(edges.size - 1)]
    throughput = maths.throughput_per_day(tl, edges, mask)
    wip = maths.wip_per_day(tl, shape, edges, mask)
    chosen = maths.finished_in(tl, since, until, mask)
    measures = maths.item_measures(tl, shape, now.timestamp(), chosen)
    finished_index = np.flatnonzero(chosen)
    finished_index = finished_index[np.argsort(tl.finished[finished_index], kind="stable")]
    in_progress = tl.in_progress() if mask is None else tl.in_progress() & mask
    aging_index = np.flatnonzero(in_progress)
    aging_index = aging_index[np.argsort(tl.started[aging_index], kind="stable")]
    reasons = maths.blocker_reasons(
        data.log, tl, since=since, until=until, now=now.timestamp(), items=mask
    )
    return FlowReport(
        board=board,
        start=start,
        end=end,
        now=now,
        filters=filters,
        data=data,
        days=days,
        throughput=[int(x) for x in throughput],
        wip=[int(x) for x in wip],
        blocked=[int(x) for x in maths.blocked_per_day(tl, shape, edges, mask)],
        cfd=maths.cfd(tl, shape, edges, mask).tolist(),
        weekly=_periods(days, throughput, _week),
        monthly=_periods(days, throughput, _month),
        percentiles=_levels(maths.percentiles(tl.cycle[chosen] / DAY)),
        finished_index=finished_index,
        aging_index=aging_index,
        measures=measures,
        items=int(len(tl) if mask is None else mask.sum()),
        efficiency=maths.flow_efficiency(tl, measures, chosen),
        reasons=[Reason(r.reason, r.times, to_days(r.blocked_seconds)) for r in reasons],
        littles_law=maths.littles_law(wip, throughput, tl.cycle[chosen]),
    )


# ---- Monte Carlo forecasts -----------------------------------------------------------------------

PERIOD_DAYS = {"day": 1, "week": 7}
DEFAULT_SEED = 42
DEFAULT_WINDOW_DAYS = 90


@dataclass(frozen=True)
class ForecastInput:
    period: str = "day"
    window_from: date | None = None
    window_to: date | None = None
    trials: int = DEFAULT_TRIALS
    seed: int = DEFAULT_SEED
    filters: FlowFilters = FlowFilters()


@dataclass(frozen=True)
class ForecastReport:
    board_id: int
    board_name: str
    today: date
    period: str
    window_from: date
    window_to: date
    history: list[int]  # items finished per period of the window, oldest first
    result: Forecast
    until: date | None = None  # how many: by this date
    items: int | None = None  # when: this many items
    calendar: Calendar = EVERY_DAY
    history_starts: tuple[date, ...] = ()  # the first day of each period of ``history``

    @property
    def period_days(self) -> int:
        return PERIOD_DAYS[self.period]

    @cached_property
    def _ends(self) -> list[date]:
        found = [p for p in self.result.answers.values() if p is not None]
        return period_ends(self.today, max(found, default=0), self.calendar, self.period_days)

    def date_after(self, periods: int | None) -> date | None:
        """The last day of the ``periods``-th period after today the forecast counted: periods
        of the calendar's days off are skipped (None: beyond the horizon)."""
        if periods is None:
            return None
        if periods <= len(self._ends):
            return self._ends[periods - 1] if periods > 0 else self.today
        found = period_ends(self.today, periods, self.calendar, self.period_days)
        return found[-1] if len(found) == periods else None

    @property
    def history_by_period(self) -> list[tuple[date, int]]:
        """(first day of the period, items finished in it) for each period sampled: the working
        days (or the weeks, counted back from the window's last day, that hold a working day)."""
        return list(zip(self.history_starts, self.history, strict=True))

    @property
    def days_off_in_window(self) -> int:
        return self.calendar.days_off(self.window_from, self.window_to)

    @property
    def days_off_ahead(self) -> int:
        """Days off from tomorrow to the date asked for (how many) or to the 95 % answer."""
        last = self.until or self.date_after(self.result.answers.get(95))
        return 0 if last is None else self.calendar.days_off(self.today + timedelta(days=1), last)

    @property
    def history_summary(self) -> dict[str, float]:
        """What the page says of the history instead of listing it: its median, range and
        how many periods finished nothing."""
        counts = self.history or [0]
        return {
            "median": float(np.median(counts)),
            "low": min(counts),
            "high": max(counts),
            "zero": sum(1 for n in self.history if n == 0),
        }


def _window(board: "Board", spec: ForecastInput, today: date) -> tuple[date, date]:
    window_to = spec.window_to or today - timedelta(days=1)
    window_from = spec.window_from or window_to - timedelta(days=DEFAULT_WINDOW_DAYS - 1)
    if window_from > window_to:
        raise FlowInputError(
            f"the history window ends ({window_to}) before it starts ({window_from})",
            field="window_from",
        )
    if window_to >= today:
        raise FlowInputError(
            f"the history window must end before today ({today}): today is not over yet",
            field="window_to",
        )
    if (window_to - window_from).days + 1 > MAX_RANGE_DAYS:
        raise FlowInputError(
            f"the history window covers at most {MAX_RANGE_DAYS:,} days", field="window_from"
        )
    return window_from, window_to


@dataclass(frozen=True)
class SampledHistory:
    window_from: date
    window_to: date
    counts: list[int]  # items finished per period sampled, oldest first
    starts: tuple[date, ...]  # the first day of each


def _history(
    board: "Board", spec: ForecastInput, today: date, calendar: Calendar = EVERY_DAY
) -> SampledHistory:
    """The periods of the window a forecast samples: its working days, or its whole weeks
    (counted back from the window's last day) that hold a working day; what was finished on a
    day off counts on the next working day (domain.forecast.working_history)."""
    if spec.period not in PERIOD_DAYS:
        raise FlowInputError("the period must be 'day' or 'week'", field="period")
    window_from, window_to = _window(board, spec, today)
    data = flow_data(board)
    daily = maths.throughput_per_day(
        data.timeline,
        day_edges(window_from, window_to, data.tz),
        item_mask(board, data, spec.filters),
    )
    period = PERIOD_DAYS[spec.period]
    working = calendar.mask(window_from, daily.size)
    counts = working_history(daily, working, period)
    if period == 1:
        starts = [window_from + timedelta(days=int(i)) for i in np.flatnonzero(working)]
    else:
        whole = daily.size // period
        first = daily.size - whole * period
        weeks = working[first:].reshape(whole, period).any(axis=1) if whole else working[:0]
        starts = [
            window_from + timedelta(days=first + int(k) * period) for k in np.flatnonzero(weeks)
        ]
    if not counts.size and working.size and not working.any():
        raise FlowInputError(
            f"every day of the history window ({window_from} to {window_to}) is a day off in the "
            "board's calendar; widen the window or remove days off",
            field="window_from",
        )
    return SampledHistory(window_from, window_to, [int(c) for c in counts], tuple(starts))


def _run(call: Any) -> Any:
    try:
        return call()
    except ForecastError as error:
        raise FlowInputError(error.message, field=error.field or None) from None


def forecast_how_many(
    board: "Board", *, until: date, now: datetime, spec: ForecastInput = ForecastInput()
) -> ForecastReport:
    """How many items will be finished from tomorrow to ``until`` (inclusive)."""
    today = now.astimezone(time_zone(board)).date()
    if until <= today:
        raise FlowInputError(
            f"the date {until} is not in the future; choose a day after today ({today})",
            field="until",
        )
    furthest = today + timedelta(days=MAX_AHEAD_DAYS)
    if until > furthest:
        raise FlowInputError(
            f"until is at most 5 years ahead ({furthest}); got {until}", field="until"
        )
    if spec.period not in PERIOD_DAYS:
        raise FlowInputError("the period must be 'day' or 'week'", field="period")
    calendar = working_calendar(board).calendar
    periods = horizon_periods(today, until, calendar, PERIOD_DAYS[spec.period])
    if periods == 0 and (until - today).days >= PERIOD_DAYS[spec.period]:
        raise FlowInputError(
            f"every {spec.period} from tomorrow to {until} is off in the board's calendar; "
            "choose a later date",
            field="until",
        )
    _run(lambda: check_how_many(periods, spec.trials))  # before any history is read
    found = _history(board, spec, today, calendar)
    result = _run(
        lambda: how_many(History.of(found.counts), periods, trials=spec.trials, seed=spec.seed)
    )
    return ForecastReport(
        board.pk,
        board.name,
        today,
        spec.period,
        found.window_from,
        found.window_to,
        found.counts,
        result,
        until=until,
        calendar=calendar,
        history_starts=found.starts,
    )


def forecast_when(
    board: "Board", *, items: int, now: datetime, spec: ForecastInput = ForecastInput()
) -> ForecastReport:
    """When ``items`` more items will be finished, counting from tomorrow."""
    today = now.astimezone(time_zone(board)).date()
    _run(lambda: check_when(items, spec.trials))  # before any history is read
    calendar = working_calendar(board).calendar
    found = _history(board, spec, today, calendar)
    result = _run(lambda: when(History.of(found.counts), items, trials=spec.trials, seed=spec.seed))
    return ForecastReport(
        board.pk,
        board.name,
        today,
        spec.period,
        found.window_from,
        found.window_to,
        found.counts,
        result,
        items=items,
        calendar=calendar,
        history_starts=found.starts,
    )


# ---- the board's working calendar ---------------------------------------------------------------


@dataclass(frozen=True)
class DayOff:
    day: date
    reason: str


@dataclass(frozen=True)
class WorkingCalendar:
    board_id: int
    weekends_off: bool
    days: list[DayOff]  # every blackout day, in order

    @cached_property
    def calendar(self) -> Calendar:
        return Calendar.of((d.day for d in self.days), weekends_off=self.weekends_off)

    def upcoming(self, today: date) -> list[DayOff]:
        return [d for d in self.days if d.day > today]

    def past(self, today: date) -> list[DayOff]:
        return [d for d in self.days if d.day <= today]


def working_calendar(board: "Board") -> WorkingCalendar:
    """The board's days off (two small reads: the switch and the blackout days)."""
    weekends = BoardCalendar.objects.filter(board=board).values_list("weekends_off", flat=True)
    rows = BlackoutDay.objects.filter(board=board).order_by("day").values_list("day", "reason")
    return WorkingCalendar(board.pk, bool(weekends.first()), [DayOff(d, r) for d, r in rows])


# ---- a campaign's launch date -------------------------------------------------------------------


@dataclass(frozen=True)
class CampaignCard:
    number: int
    title: str
    column: str


@dataclass(frozen=True)
class CampaignReport:
    """The probability that every not-done card of the campaign (its tag or channel) is done by
    the launch date, from the board's throughput, with the cards it counted."""

    board_id: int
    board_name: str
    today: date
    launch: date
    tag: str
    channel: str
    period: str
    window_from: date
    window_to: date
    history: list[int]
    history_starts: tuple[date, ...]
    cards: list[CampaignCard]
    result: Chance
    calendar: Calendar

    @property
    def days_off_ahead(self) -> int:
        return self.calendar.days_off(self.today + timedelta(days=1), self.launch)

    @property
    def days_off_in_window(self) -> int:
        return self.calendar.days_off(self.window_from, self.window_to)


def campaign_cards(board: "Board", *, tag: str, channel: str) -> list[CampaignCard]:
    """The board's live cards outside its done column with this tag and/or channel, by number."""
    names = {c.pk: c.name for c in board_queries.columns_in_order(board)}
    cards = board_queries.unfinished_cards(board)
    if tag:
        cards = Filters(tag=tag).apply(cards)
    if channel:
        cards = cards.filter(channel__iexact=channel)  # "Email" is the cards' "email"
    rows = cards.order_by("number").values_list("number", "title", "column_id")
    return [CampaignCard(n, t, names.get(c, "")) for n, t, c in rows]


def _check_campaign_exists(board: "Board", *, tag: str, channel: str) -> None:
    """A tag or channel no card has is a misspelt campaign, not one that is all done: refuse it
    rather than answer "all 0 cards done: 100 %"."""
    if tag and not board_queries.card_ids_matching(board, Filters(tag=tag)):
        raise FlowInputError(
            f"no card of this board is tagged {tag!r}; check the campaign's tag", field="tag"
        )
    if channel:
        known = sorted(c for c in board_queries.card_channels(board.workspace) if c)
        if channel.lower() not in {c.lower() for c in known}:
            listed = ", ".join(known[:20]) or "none"
            raise FlowInputError(
                f"no card has the channel {channel!r}; the cards' channels are {listed}",
                field="channel",
            )


def forecast_campaign(
    board: "Board",
    *,
    launch: date,
    now: datetime,
    tag: str = "",
    channel: str = "",
    spec: ForecastInput = ForecastInput(),
) -> CampaignReport:
    """How likely every not-done card of a campaign is finished by ``launch`` (inclusive),
    counting only the working days from tomorrow to it."""
    tag, channel = tag.strip().lower()[:30], channel.strip()[:60]
    if not tag and not channel:
        raise FlowInputError("choose the campaign's tag or channel", field="tag")
    today = now.astimezone(time_zone(board)).date()
    if launch <= today:
        raise FlowInputError(
            f"the launch date {launch} is not in the future; choose a day after today ({today})",
            field="launch",
        )
    furthest = today + timedelta(days=MAX_AHEAD_DAYS)
    if launch > furthest:
        raise FlowInputError(
            f"the launch date is at most 5 years ahead ({furthest}); got {launch}", field="launch"
        )
    if spec.period not in PERIOD_DAYS:
        raise FlowInputError("the period must be 'day' or 'week'", field="period")
    _check_campaign_exists(board, tag=tag, channel=channel)
    cards = campaign_cards(board, tag=tag, channel=channel)
    if tag and channel and not cards:
        # each exists, but together they keep nothing: "all 0 cards done: 100 %" would read as
        # a sure launch when the two were most likely never meant together
        raise FlowInputError(
            f"no card still to do is both tagged {tag!r} and of the channel {channel!r} (none"
            " has both, or all of them are done); ask with the tag or the channel alone",
            field="channel",
        )
    calendar = working_calendar(board).calendar
    periods = horizon_periods(today, launch, calendar, PERIOD_DAYS[spec.period])
    found = _history(board, spec, today, calendar)
    result = _run(
        lambda: chance_by(
            History.of(found.counts), len(cards), periods, trials=spec.trials, seed=spec.seed
        )
    )
    return CampaignReport(
        board.pk,
        board.name,
        today,
        launch,
        tag,
        channel,
        spec.period,
        found.window_from,
        found.window_to,
        found.counts,
        found.starts,
        cards,
        result,
        calendar,
    )


# ---- backtesting --------------------------------------------------------------------------------

BACKTEST_DAYS = 365  # past forecasts are re-run over the last year


@dataclass(frozen=True)
class BacktestReport:
    board_id: int
    today: date
    first_day: date  # the first day of history read
    result: Backtest

    def as_of(self, index: int) -> date:
        return self.first_day + timedelta(days=index)


def forecast_backtest(
    board: "Board",
    *,
    now: datetime,
    horizon: int = 14,
    window: int = 90,
    step: int = 7,
    trials: int = 2_000,
    seed: int = DEFAULT_SEED,
    filters: FlowFilters = FlowFilters(),
) -> BacktestReport:
    """Every ``step`` days of the last year, the "how many in ``horizon`` days" forecast the
    board would have made from its ``window`` days before, against what was really finished."""
    today = now.astimezone(time_zone(board)).date()
    last = today - timedelta(days=1)
    first = last - timedelta(days=BACKTEST_DAYS + window - 1)
    data = flow_data(board)
    daily = maths.throughput_per_day(
        data.timeline, day_edges(first, last, data.tz), item_mask(board, data, filters)
    )
    calendar = working_calendar(board).calendar
    working = None if calendar.every_day else calendar.mask(first, daily.size)
    result = _run(
        lambda: backtest(
            [int(c) for c in daily],
            horizon=horizon,
            window=window,
            step=step,
            trials=trials,
            seed=seed,
            working=working,
        )
    )
    return BacktestReport(board.pk, today, first, result)
