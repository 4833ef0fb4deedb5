"""Roll-ups of measurements (docs/product.md §10). No Django here.

A measurement belongs to a *local* calendar day: the day in the workspace's time zone. A
timestamped value is turned into its day with ``local_day`` before it is stored or rolled up, so
a measurement at 23:30 on a Sunday in New York (04:30 on Monday in UTC) belongs to that Sunday
and to its ISO week, not to the next one.

Periods: a day; an ISO week (Monday to Sunday, labelled ``2026-W09``; a year has 52 or 53 of
them, and the week of 1 January may belong to the previous ISO year); a calendar month; a
calendar year. A period is named by its first day.

Aggregations, applied to all the rows that fall in a period:
- ``sum``: the total (visits, orders, spend);
- ``mean``: the mean of the rows (a rate, an average order value);
- ``last``: the value of the latest day with data (a stock such as subscribers); when several
  rows share that day (one per channel or campaign), their sum;
- ``median``: the median of the rows (cycle times of the items finished in the period).
A period without any row has no value (``None``): a missing day is not a zero.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from enum import StrEnum
from itertools import pairwise

import numpy as np

# The calendar Leanmark reads and reports: wide enough for any business record and any plan,
# narrow enough that a period before or after never leaves Python's dates (year 1 to 9999;
# 0001-01-01 and 9999-12-31 answered 500 with OverflowError and "year 10000").
FIRST_YEAR = 1900
LAST_YEAR = 2100
YEARS = f"{FIRST_YEAR}-01-01 to {LAST_YEAR}-12-31"


def outside_years(day: date) -> bool:
    """Whether ``day`` falls outside the years FIRST_YEAR to LAST_YEAR."""
    return not FIRST_YEAR <= day.year <= LAST_YEAR


class Period(StrEnum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    YEAR = "year"


class Aggregation(StrEnum):
    SUM = "sum"
    MEAN = "mean"
    LAST = "last"
    MEDIAN = "median"


def local_day(at: datetime, tz: tzinfo) -> date:
    """The calendar day of the instant ``at`` in the time zone ``tz``."""
    if at.tzinfo is None:
        raise ValueError("the time must be timezone-aware")
    return at.astimezone(tz).date()


def period_start(day: date, period: Period) -> date:
    """The first day of the period that contains ``day``."""
    if period is Period.DAY:
        return day
    if period is Period.WEEK:
        return day - timedelta(days=day.weekday())  # ISO weeks start on Monday
    if period is Period.MONTH:
        return day.replace(day=1)
    return day.replace(month=1, day=1)


def next_period_start(start: date, period: Period) -> date:
    """The first day of the period after the one that starts on ``start``."""
    if period is Period.DAY:
        return start + timedelta(days=1)
    if period is Period.WEEK:
        return start + timedelta(days=7)
    if period is Period.MONTH:
        return date(start.year + start.month // 12, start.month % 12 + 1, 1)
    return date(start.year + 1, 1, 1)


def previous_period_start(start: date, period: Period) -> date:
    return period_start(start - timedelta(days=1), period)


def period_end(start: date, period: Period) -> date:
    """The last day (inclusive) of the period that starts on ``start``."""
    return next_period_start(start, period) - timedelta(days=1)


def period_label(start: date, period: Period) -> str:
    if period is Period.DAY:
        return start.isoformat()
    if period is Period.WEEK:
        year, week, _ = start.isocalendar()
        return f"{year}-W{week:02d}"
    if period is Period.MONTH:
        return f"{start.year}-{start.month:02d}"
    return str(start.year)


def period_starts(first: date, last: date, period: Period) -> list[date]:
    """The starts of every period that overlaps the days ``first`` .. ``last`` (inclusive)."""
    if last < first:
        return []
    starts = []
    current = period_start(first, period)
    while current <= last:
        starts.append(current)
        current = next_period_start(current, period)
    return starts


def periods_back(day: date, period: Period, count: int) -> list[date]:
    """The starts of the ``count`` periods ending with the one containing ``day``, oldest first."""
    starts = [period_start(day, period)]
    while len(starts) < count:
        starts.append(previous_period_start(starts[-1], period))
    return starts[::-1]


@dataclass(frozen=True)
class Bucket:
    """One period's value, with what it was computed from."""

    start: date
    end: date  # inclusive
    label: str
    value: float | None
    rows: int  # how many measurements were rolled up
    days: int  # on how many distinct days

    @property
    def has_data(self) -> bool:
        return self.value is not None


def rollup(
    days: Sequence[date],
    values: Sequence[float],
    *,
    period: Period,
    aggregation: Aggregation,
    first: date,
    last: date,
) -> list[Bucket]:
    """One bucket per period overlapping ``first`` .. ``last``; rows outside are ignored.

    ``days[i]`` is the local day of ``values[i]``; several rows may share a day (one per channel
    or campaign).
    """
    if len(days) != len(values):
        raise ValueError("days and values must have the same length")
    starts = period_starts(first, last, period)
    if not starts:
        return []
    ordinals = np.fromiter((d.toordinal() for d in days), dtype=np.int64, count=len(days))
    data = np.asarray(values, dtype=float)
    keep = (ordinals >= first.toordinal()) & (ordinals <= last.toordinal())
    ordinals, data = ordinals[keep], data[keep]
    if not np.all(np.isfinite(data)):
        raise ValueError("values must be finite numbers")
    edges = np.array([s.toordinal() for s in starts], dtype=np.int64)
    # Each row's period: the last start not after its day.
    index = np.searchsorted(edges, ordinals, side="right") - 1
    order = np.lexsort((ordinals, index))
    index, ordinals, data = index[order], ordinals[order], data[order]
    bounds = np.searchsorted(index, np.arange(len(starts) + 1), side="left")
    buckets = []
    for i, start in enumerate(starts):
        lo, hi = int(bounds[i]), int(bounds[i + 1])
        chunk, chunk_days = data[lo:hi], ordinals[lo:hi]
        buckets.append(
            Bucket(
                start=start,
                end=period_end(start, period),
                label=period_label(start, period),
                value=_aggregate(chunk, chunk_days, aggregation),
                rows=hi - lo,
                days=len(np.unique(chunk_days)),
            )
        )
    return buckets


def _aggregate(
    values: "np.ndarray[tuple[int], np.dtype[np.float64]]",
    days: "np.ndarray[tuple[int], np.dtype[np.int64]]",
    aggregation: Aggregation,
) -> float | None:
    if values.size == 0:
        return None
    if aggregation is Aggregation.SUM:
        return float(values.sum())
    if aggregation is Aggregation.MEAN:
        return float(values.mean())
    if aggregation is Aggregation.MEDIAN:
        return float(np.median(values))
    return float(values[days == days.max()].sum())


# ---- comparing -----------------------------------------------------------------------------------


# A percentage from a base under this share of the current value tells a person less than the
# word "new": 3 to 400 visits is "+13,233 %". Such a change reads "new" (so at most +1,900 % is
# ever written); the change in units is still there to hover over.
NEW_BELOW = 0.05
# A change of less than half a per cent reads "0 %" (percentages are whole on the tiles): it is no
# change, so it is neither good nor bad news (grey, no arrow), not a red "▼ 0 %".
FLAT_BELOW = 0.005


@dataclass(frozen=True)
class Change:
    """Change from ``previous`` to ``current``; ``relative`` is None when there is no base."""

    current: float | None
    previous: float | None
    absolute: float | None
    relative: float | None  # 0.12 = +12 %

    @property
    def new(self) -> bool:
        """From nothing, or next to nothing, to something: the previous value is smaller than
        NEW_BELOW (5 %) of the current one, in size."""
        if self.current is None or self.previous is None or self.current == 0:
            return False
        return abs(self.previous) < NEW_BELOW * abs(self.current)

    @property
    def percent(self) -> float | None:
        """The relative change to show, None when the change is ``new`` or has no base."""
        return None if self.new else self.relative

    @property
    def flat(self) -> bool:
        """No change to colour: none to speak of, or one that reads "0 %" (under FLAT_BELOW)."""
        if self.absolute is None or self.absolute == 0:
            return True
        return self.percent is not None and abs(self.percent) < FLAT_BELOW


def verdict(change: Change, *, higher_is_better: bool) -> str:
    """Whether the change goes the way the metric wants: "good", "bad" or "flat". A shorter cycle
    time or a lower cost per lead is good news, so it is never coloured as a fall."""
    if change.flat or change.absolute is None:
        return "flat"
    return "good" if (change.absolute > 0) == higher_is_better else "bad"


def change(current: float | None, previous: float | None) -> Change:
    if current is None or previous is None:
        return Change(current, previous, None, None)
    absolute = current - previous
    relative = absolute / abs(previous) if previous != 0 else None
    return Change(current, previous, absolute, relative)


def comparable_span(start: date, as_of: date, period: Period) -> tuple[date, date, date]:
    """The period to date and its like-for-like span in the previous period.

    Returns (end of the current span, previous start, previous end): a week looked at on its
    Wednesday compares Monday-Wednesday with last week's Monday-Wednesday, so a period still
    under way is never compared with a whole one. The previous span is clamped to its period (31
    March compares with the whole of February).
    """
    end = min(as_of, period_end(start, period))
    previous = previous_period_start(start, period)
    elapsed = (end - start).days
    return end, previous, min(previous + timedelta(days=elapsed), period_end(previous, period))


def attainment(
    value: float | None, target: float | None, *, higher_is_better: bool
) -> float | None:
    """Share of the target reached (1.0 = on target). For a measure where lower is better (cycle
    time, cost per lead) it is target ÷ value, so beating the target is also above 1."""
    if value is None or target is None:
        return None
    if higher_is_better:
        return value / target if target != 0 else None
    return target / value if value != 0 else None


def prorated(target: float, start: date, end: date, period: Period) -> float:
    """The share of a period's target due by ``end`` (inclusive) for a summed measure: a
    weekly target of 7,000 is 2,000 by Tuesday. Only meaningful for sums; means and last
    values are compared with the whole target."""
    days = (period_end(start, period) - start).days + 1
    elapsed = min((end - start).days + 1, days)
    return target * elapsed / days


# ---- the hourglass funnel -----------------------------------------------------------------------


@dataclass(frozen=True)
class Conversion:
    """n(to) ÷ n(from) between two adjacent stages that both have a volume."""

    from_stage: str
    to_stage: str
    from_volume: float | None
    to_volume: float | None
    rate: float | None


@dataclass(frozen=True)
class Funnel:
    conversions: tuple[Conversion, ...]
    biggest_drop: int | None  # index into conversions of the lowest rate; None if none computable
    skipped: tuple[str, ...]  # stages without a volume metric, left out of the chain


def funnel(volumes: Sequence[tuple[str, float | None, bool]]) -> Funnel:
    """Conversions between adjacent stages, in hourglass order.

    ``volumes`` is (stage, volume, configured) for every stage in order; a stage that names no
    volume metric (configured False) is skipped, so its neighbours convert directly. A stage
    that is configured but has no data for the period breaks the rate on either side (None).
    The biggest drop is the conversion with the lowest rate (ties: the earliest).
    """
    chain = [(stage, volume) for stage, volume, configured in volumes if configured]
    skipped = tuple(stage for stage, _v, configured in volumes if not configured)
    conversions = []
    for (a, va), (b, vb) in pairwise(chain):
        rate = vb / va if va is not None and vb is not None and va != 0 else None
        conversions.append(Conversion(a, b, va, vb, rate))
    rated = [(c.rate, i) for i, c in enumerate(conversions) if c.rate is not None]
    biggest = min(rated)[1] if rated else None
    return Funnel(tuple(conversions), biggest, skipped)
