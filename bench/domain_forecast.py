"""Timing of the worst forecasts the caps accept (leanmark/domain/forecast.py); prints figures.

Run by `make bench` (bench/run.py runs every bench/domain_*.py); nothing is asserted. The
history is 90 days of a busy board (Poisson, 1.5 items a day) or of a nearly idle one (one item
in 90 days, so every "when" trial runs the whole horizon: the most work a "when" can do).
"""

import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from leanmark.domain.forecast import (
    DEFAULT_TRIALS,
    MAX_AHEAD_DAYS,
    MAX_DRAWS,
    MAX_ITEMS,
    MAX_PERIODS,
    History,
    how_many,
    when,
)

BUSY = History.of(np.random.default_rng(1).poisson(1.5, 90))
IDLE = History.of([0] * 89 + [1])


def timed(label: str, call: Callable[[], object], repeat: int = 3) -> None:
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        call()
        times.append((time.perf_counter() - began) * 1000)
    print(f"  {label:<72} median {statistics.median(times):7.1f} ms  max {max(times):7.1f} ms")


def main() -> None:
    print(f"\n== Monte Carlo at the caps (pure domain; budget {MAX_DRAWS:,} draws) ==")
    most = MAX_DRAWS // MAX_AHEAD_DAYS
    when_most = MAX_DRAWS // MAX_PERIODS
    timed(
        f"how many, {MAX_AHEAD_DAYS:,} days ahead, {DEFAULT_TRIALS:,} trials (default)",
        lambda: how_many(BUSY, MAX_AHEAD_DAYS, trials=DEFAULT_TRIALS, seed=1),
    )
    timed(
        f"how many, {MAX_AHEAD_DAYS:,} days ahead, {most:,} trials (the budget)",
        lambda: how_many(BUSY, MAX_AHEAD_DAYS, trials=most, seed=1),
    )
    timed(
        f"when, {MAX_ITEMS:,} items, {DEFAULT_TRIALS:,} trials (default), busy history",
        lambda: when(BUSY, MAX_ITEMS, trials=DEFAULT_TRIALS, seed=1),
    )
    timed(
        f"when, {MAX_ITEMS:,} items, {when_most:,} trials (the budget), idle history",
        lambda: when(IDLE, MAX_ITEMS, trials=when_most, seed=1),
    )


if __name__ == "__main__":
    main()
