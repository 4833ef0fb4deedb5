"""Monte Carlo forecasts from a throughput history (docs/product.md §5). No Django here.

The history is the number of items finished in each period (a day or a week) of a window the
user chose, zero periods included. Each trial samples periods from it uniformly with
replacement; the seed and the number of trials are part of every result, so a forecast can be
repeated exactly.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import numpy.typing as npt

CONFIDENCES: tuple[int, ...] = (50, 70, 85, 95)
DEFAULT_TRIALS = 10_000
MAX_TRIALS = 1_000_000
MAX_PERIODS = 520  # ten years of weeks, or about seventeen months of days, per "when" trial
# How far "how many" may look ahead: five years (1,826 days, a leap day included), so at most
# 1,826 periods of a day or 260 of a week. A forecast that far out is already a guess.
MAX_AHEAD_DAYS = 1_826
# "When" finishes at most this many items. At 10,000 a team would have to finish about 19 items
# every day for 520 days to be done inside the horizon; no marketing team does, so a larger
# number can only ever answer "beyond the horizon", after the most work.
MAX_ITEMS = 10_000
# The work of a simulation is trials x periods random draws (a "when" trial may run to
# MAX_PERIODS). 20 million is the default 10,000 trials over the longest horizon (1,826 days)
# with room to spare: about 0.1 s for "how many" and 0.25 s for "when" on 2 CPUs (bench/).
MAX_DRAWS = 20_000_000
CHUNK = 4_000_000  # draws held in memory at once


class ForecastError(ValueError):
    """The inputs cannot give a forecast; the message says why and what to change."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass(frozen=True)
class History:
    """Items finished per period, oldest first."""

    counts: tuple[int, ...]

    @staticmethod
    def of(counts: Sequence[int] | npt.NDArray[np.int64]) -> "History":
        values = tuple(int(c) for c in counts)
        if any(c < 0 for c in values):
            raise ForecastError("a throughput count cannot be negative")
        return History(values)

    @property
    def periods(self) -> int:
        return len(self.counts)

    @property
    def items(self) -> int:
        return sum(self.counts)

    def check(self) -> None:
        if not self.counts:
            raise ForecastError(
                "the history window holds no whole period; widen it", field="window"
            )
        if self.items == 0:
            raise ForecastError(
                f"no item was finished in the {self.periods} period(s) of the history window, "
                "so there is no throughput to sample; choose a window in which work was finished",
                field="window",
            )


@dataclass(frozen=True)
class Forecast:
    """Answers at each confidence (None: beyond the simulated horizon), the outcome histogram
    (value, trials), and what produced it."""

    kind: str  # "how_many" (answers in items) or "when" (answers in periods)
    answers: dict[int, int | None]
    histogram: tuple[tuple[int, int], ...]
    trials: int
    seed: int
    history: History
    target: int  # how_many: periods ahead; when: items to finish
    beyond: int = 0  # "when" trials that had not finished within MAX_PERIODS


def check_trials(trials: int) -> None:
    if not 1 <= trials <= MAX_TRIALS:
        raise ForecastError(
            f"trials must be between 1 and {MAX_TRIALS:,} (got {trials:,})", field="trials"
        )


def check_draws(trials: int, periods: int) -> None:
    """Refuse a simulation of more than MAX_DRAWS draws before drawing any."""
    if trials * periods > MAX_DRAWS:
        raise ForecastError(
            f"trials × periods is at most {MAX_DRAWS:,} draws; got {trials:,} × {periods:,} = "
            f"{trials * periods:,}: use at most {MAX_DRAWS // periods:,} trials for "
            f"{periods:,} periods",
            field="trials",
        )


def check_how_many(periods: int, trials: int) -> None:
    """Everything about a "how many" question that needs no history."""
    check_trials(trials)
    if periods < 1:
        raise ForecastError("the date must be at least one whole period ahead", field="until")
    if periods > MAX_AHEAD_DAYS:
        raise ForecastError(
            f"periods ahead is at most {MAX_AHEAD_DAYS:,} (five years of days); got {periods:,}",
            field="until",
        )
    check_draws(trials, periods)


def check_when(items: int, trials: int, max_periods: int = MAX_PERIODS) -> None:
    """Everything about a "when" question that needs no history."""
    check_trials(trials)
    if items < 1:
        raise ForecastError("the number of items must be at least 1", field="items")
    if items > MAX_ITEMS:
        raise ForecastError(f"items is at most {MAX_ITEMS:,}; got {items:,}", field="items")
    check_draws(trials, max_periods)


def _histogram(outcomes: npt.NDArray[np.int64]) -> tuple[tuple[int, int], ...]:
    values, counts = np.unique(outcomes, return_counts=True)
    return tuple((int(v), int(c)) for v, c in zip(values, counts, strict=True))


def _totals(history: History, periods: int, trials: int, seed: int) -> npt.NDArray[np.int64]:
    """Items each trial finishes in ``periods`` periods drawn from the history."""
    rng = np.random.default_rng(seed)
    sample = np.asarray(history.counts, dtype=np.int64)
    totals = np.empty(trials, dtype=np.int64)
    step = max(1, CHUNK // periods)  # trials per chunk, so a chunk holds at most CHUNK draws
    for start in range(0, trials, step):
        size = min(step, trials - start)
        drawn = sample[rng.integers(0, sample.size, size=(size, periods))]
        totals[start : start + size] = drawn.sum(axis=1)
    return totals


def how_many(
    history: History,
    periods: int,
    *,
    trials: int = DEFAULT_TRIALS,
    seed: int,
    confidences: Sequence[int] = CONFIDENCES,
) -> Forecast:
    """How many items will be finished in the next ``periods`` periods (§5): at confidence c,
    the largest N such that at least c % of the trials finish N items or more."""
    check_how_many(periods, trials)
    history.check()
    totals = _totals(history, periods, trials, seed)
    ordered = np.sort(totals)[::-1]
    answers: dict[int, int | None] = {}
    for c in confidences:
        rank = int(np.ceil(c / 100 * trials))  # at least c % of the trials
        answers[c] = int(ordered[max(rank, 1) - 1])
    return Forecast(
        kind="how_many",
        answers=answers,
        histogram=_histogram(totals),
        trials=trials,
        seed=seed,
        history=history,
        target=periods,
    )


def when(
    history: History,
    items: int,
    *,
    trials: int = DEFAULT_TRIALS,
    seed: int,
    confidences: Sequence[int] = CONFIDENCES,
    max_periods: int = MAX_PERIODS,
) -> Forecast:
    """After how many periods ``items`` items will be finished (§5): at confidence c, the
    c-percentile (nearest rank) of the trials' durations. Trials still short after
    ``max_periods`` count as beyond it; an answer among them is None."""
    check_when(items, trials, max_periods)
    history.check()
    rng = np.random.default_rng(seed)
    sample = np.asarray(history.counts, dtype=np.int64)
    durations = np.full(trials, max_periods + 1, dtype=np.int64)
    missing = np.full(trials, items, dtype=np.int64)
    pending = np.arange(trials)
    elapsed = 0
    mean = sample.mean()
    while pending.size and elapsed < max_periods:
        block = int(min(max_periods - elapsed, max(8, np.ceil(2 * items / mean))))
        block = max(1, min(block, CHUNK // pending.size))
        drawn = sample[rng.integers(0, sample.size, size=(pending.size, block))]
        done_by = np.cumsum(drawn, axis=1)
        reached = done_by >= missing[pending, None]
        hit = reached.any(axis=1)
        durations[pending[hit]] = elapsed + reached[hit].argmax(axis=1) + 1
        missing[pending[~hit]] -= done_by[~hit, -1]
        pending = pending[~hit]
        elapsed += block
    beyond = int((durations > max_periods).sum())
    ordered = np.sort(durations)
    answers: dict[int, int | None] = {}
    for c in confidences:
        rank = int(np.ceil(c / 100 * trials))
        value = int(ordered[max(rank, 1) - 1])
        answers[c] = None if value > max_periods else value
    return Forecast(
        kind="when",
        answers=answers,
        histogram=_histogram(durations[durations <= max_periods]),
        trials=trials,
        seed=seed,
        history=history,
        target=items,
        beyond=beyond,
    )


def period_totals(daily: npt.NDArray[np.int64], period_days: int) -> npt.NDArray[np.int64]:
    """Daily counts summed into whole periods counted back from the last day; a partial period
    at the start of the window is left out (it would look like a slow period)."""
    whole = daily.size // period_days
    if whole == 0:
        return np.empty(0, dtype=np.int64)
    kept = daily[daily.size - whole * period_days :]
    totals: npt.NDArray[np.int64] = kept.reshape(whole, period_days).sum(axis=1).astype(np.int64)
    return totals


# ---- the calendar: days the team does not work ------------------------------------------------

SATURDAY = 5  # date.weekday() of Saturday; Sunday is 6


@dataclass(frozen=True)
class Calendar:
    """Days off: the blackout dates (holidays, team off-days) and, with ``weekends_off``, every
    Saturday and Sunday. A day off is neither sampled from the history nor counted in the
    horizon of a forecast."""

    off: frozenset[date] = frozenset()
    weekends_off: bool = False

    @staticmethod
    def of(days: Iterable[date] = (), *, weekends_off: bool = False) -> "Calendar":
        return Calendar(frozenset(days), weekends_off)

    @property
    def every_day(self) -> bool:
        """No day is off: forecasts count calendar days, as without a calendar."""
        return not self.off and not self.weekends_off

    def working(self, day: date) -> bool:
        return day not in self.off and not (self.weekends_off and day.weekday() >= SATURDAY)

    def mask(self, first: date, days: int) -> npt.NDArray[np.bool_]:
        """True for each working day of the ``days`` days from ``first``."""
        found = np.ones(max(0, days), dtype=np.bool_)
        if self.weekends_off and days > 0:
            weekday = (first.weekday() + np.arange(days)) % 7
            found &= weekday < SATURDAY
        for day in self.off:
            index = (day - first).days
            if 0 <= index < days:
                found[index] = False
        return found

    def days_off(self, first: date, last: date) -> int:
        """Days off from ``first`` to ``last``, both included."""
        days = (last - first).days + 1
        return int(days - self.mask(first, days).sum()) if days > 0 else 0


EVERY_DAY = Calendar()


def carried(daily: npt.NDArray[np.int64], working: npt.NDArray[np.bool_]) -> npt.NDArray[np.int64]:
    """Daily counts with what was finished on a day off counted on the next working day (on the
    last working day, for days off at the end of the window): the work is kept, the day off is
    not. With no working day at all, every count is zero."""
    counts = np.asarray(daily, dtype=np.int64)
    out = np.zeros(counts.size, dtype=np.int64)
    days = np.flatnonzero(working)
    if not days.size:
        return out
    target = days[np.searchsorted(days, np.arange(counts.size)).clip(max=days.size - 1)]
    np.add.at(out, target, counts)
    return out


def working_history(
    daily: Sequence[int] | npt.NDArray[np.int64],
    working: npt.NDArray[np.bool_],
    period_days: int = 1,
) -> npt.NDArray[np.int64]:
    """The periods a forecast samples from a window's daily counts (oldest first) and its
    working-day mask: the working days' counts (day periods), or the whole weeks counted back
    from the last day that hold at least one working day (week periods). A day off is left out,
    not sampled as a zero; what was finished on it counts on the next working day."""
    counts = carried(np.asarray(daily, dtype=np.int64), working)
    if period_days == 1:
        kept: npt.NDArray[np.int64] = counts[working]
        return kept
    whole = counts.size // period_days
    if whole == 0:
        return np.empty(0, dtype=np.int64)
    start = counts.size - whole * period_days
    totals = counts[start:].reshape(whole, period_days).sum(axis=1).astype(np.int64)
    open_weeks = working[start:].reshape(whole, period_days).any(axis=1)
    found: npt.NDArray[np.int64] = totals[open_weeks]
    return found


def horizon_periods(
    today: date, until: date, calendar: Calendar = EVERY_DAY, period_days: int = 1
) -> int:
    """The periods from tomorrow to ``until`` (inclusive) a forecast simulates: its working days
    (day periods), or its whole weeks from tomorrow that hold at least one working day."""
    days = (until - today).days
    if days <= 0:
        return 0
    working = calendar.mask(today + timedelta(days=1), days)
    if period_days == 1:
        return int(working.sum())
    whole = days // period_days
    return int(working[: whole * period_days].reshape(whole, period_days).any(axis=1).sum())


def period_ends(
    today: date, count: int, calendar: Calendar = EVERY_DAY, period_days: int = 1
) -> list[date]:
    """The last day of each of the first ``count`` periods after today that a forecast counts
    (periods with no working day are skipped): the answer date of "when" for 1..count periods."""
    ends: list[date] = []
    first = today + timedelta(days=1)
    chunk = period_days * max(64, 2 * count)  # whole periods, so they stay aligned
    while len(ends) < count:
        working = calendar.mask(first, chunk)
        open_periods = working.reshape(-1, period_days).any(axis=1)
        ends.extend(
            first + timedelta(days=int(k + 1) * period_days - 1)
            for k in np.flatnonzero(open_periods)[: count - len(ends)]
        )
        first += timedelta(days=chunk)
        if (first - today).days > 100 * 366:  # a calendar with (nearly) no working day
            break
    return ends


# ---- the chance of finishing a set of items by a date -------------------------------------------


@dataclass(frozen=True)
class Chance:
    """The probability that ``items`` items are all finished within ``periods`` periods: the
    share of trials whose completion period is at most ``periods`` (``done`` of ``trials``)."""

    probability: float
    items: int
    periods: int
    done: int
    trials: int
    seed: int
    history: History


def chance_by(
    history: History, items: int, periods: int, *, trials: int = DEFAULT_TRIALS, seed: int
) -> Chance:
    """How likely ``items`` items are all finished within the next ``periods`` periods. A trial
    finishes them by then exactly when it finishes at least ``items`` items in ``periods``
    periods (throughput is never negative), so one simulation answers it. No items: certain; no
    period left (a launch on the next working day or sooner): impossible."""
    check_trials(trials)
    if items < 0:
        raise ForecastError("the number of items cannot be negative", field="items")
    if items > MAX_ITEMS:
        raise ForecastError(f"items is at most {MAX_ITEMS:,}; got {items:,}", field="items")
    if periods > MAX_AHEAD_DAYS:
        raise ForecastError(
            f"periods ahead is at most {MAX_AHEAD_DAYS:,} (five years of days); got {periods:,}",
            field="until",
        )
    if periods > 0:
        check_draws(trials, periods)
    history.check()
    if items == 0 or periods <= 0:
        done = trials if items == 0 else 0
    else:
        done = int((_totals(history, periods, trials, seed) >= items).sum())
    return Chance(done / trials, items, max(periods, 0), done, trials, seed, history)


# ---- backtesting: how often past forecasts came true ------------------------------------------


@dataclass(frozen=True)
class BacktestRun:
    as_of: int  # index of the first day forecast (the day after the history window)
    answers: dict[int, int | None]  # confidence → items forecast at least
    actual: int  # items really finished in the horizon


@dataclass(frozen=True)
class Backtest:
    """Past "how many in the next ``horizon`` days" forecasts re-run on the history before each
    ``as_of``, and how often the items really finished reached each confidence's answer."""

    horizon: int
    window: int
    runs: tuple[BacktestRun, ...]
    confidences: tuple[int, ...]

    def hit_rate(self, confidence: int) -> float | None:
        if not self.runs:
            return None
        hits = sum(1 for r in self.runs if r.actual >= (r.answers[confidence] or 0))
        return hits / len(self.runs)

    @property
    def predictability(self) -> float | None:
        """1 minus the mean gap between each confidence and how often it came true (1: a forecast
        that says 85 % comes true 85 % of the time; an over- or under-confident one scores
        less)."""
        rates = [self.hit_rate(c) for c in self.confidences]
        if not self.runs or any(r is None for r in rates):
            return None
        gaps = [abs((r or 0.0) - c / 100) for r, c in zip(rates, self.confidences, strict=True)]
        return 1 - sum(gaps) / len(gaps)


def backtest(
    daily: Sequence[int],
    *,
    horizon: int,
    window: int,
    step: int,
    trials: int = 2_000,
    seed: int = 1,
    confidences: Sequence[int] = CONFIDENCES,
    working: Sequence[bool] | npt.NDArray[np.bool_] | None = None,
) -> Backtest:
    """Re-run a forecast every ``step`` days: the ``window`` days before the day as history, the
    next ``horizon`` days as the outcome. Runs whose history finished nothing are left out.

    With ``working`` (one flag per day of ``daily``: False on a day off), each past forecast
    samples only the working days of its window (see ``working_history``) and simulates only the
    working days of its horizon, as a forecast made with the calendar does; a run whose horizon
    holds no working day is left out. The outcome is every item really finished in the horizon.
    """
    if not 1 <= horizon <= 366:
        raise ForecastError("the horizon is 1 to 366 days", field="horizon")
    if not 7 <= window <= 3_660:
        raise ForecastError("the history window is 7 to 3,660 days", field="window")
    if not 1 <= step <= 366:
        raise ForecastError("the step between past forecasts is 1 to 366 days", field="step")
    check_trials(trials)
    counts = [int(c) for c in daily]
    if working is not None and len(working) != len(counts):
        raise ForecastError("the calendar must give one flag per day of the history")
    open_days = np.ones(len(counts), np.bool_) if working is None else np.asarray(working, bool)
    starts = range(window, len(counts) - horizon + 1, step)
    if len(starts) > 500:
        raise ForecastError(
            f"{len(starts):,} past forecasts is too many; take a step of at least "
            f"{(len(counts) - horizon - window) // 500 + 1} days",
            field="step",
        )
    check_draws(trials * max(1, len(starts)), horizon)
    runs = []
    for start in starts:
        history = History.of(
            working_history(counts[start - window : start], open_days[start - window : start])
        )
        periods = int(open_days[start : start + horizon].sum())
        if history.items == 0 or periods == 0:
            continue
        forecast = how_many(history, periods, trials=trials, seed=seed, confidences=confidences)
        runs.append(BacktestRun(start, forecast.answers, sum(counts[start : start + horizon])))
    return Backtest(horizon, window, tuple(runs), tuple(confidences))
