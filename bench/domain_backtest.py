"""Timing of the forecast backtest over a year of history (issue 23 item 10; goal ≤ 2 s);
prints figures, asserts nothing. Run by `make bench` (bench/run.py runs every bench/domain_*.py).

The history is a year plus the 90-day window of a busy board (Poisson, 1.5 items a day, seed 1),
as `forecast_backtest` reads it for the forecast page, the API and `leanmark forecast backtest`:
a "how many in 14 days" forecast re-run every 7 days (the default: 51 past forecasts) and
every day (352), with 2,000 trials each, without and with a calendar (weekends and 8 holidays
off).
"""

import statistics
import sys
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from leanmark.domain.forecast import Calendar, backtest

WINDOW, HORIZON = 90, 14
DAYS = 365 + WINDOW
FIRST = date(2025, 9, 1)
DAILY = [int(c) for c in np.random.default_rng(1).poisson(1.5, DAYS)]
HOLIDAYS = [date(2025, 12, d) for d in (24, 25, 26, 31)] + [
    date(2026, 1, 1), date(2026, 4, 3), date(2026, 4, 6), date(2026, 5, 25)
]  # fmt: skip
WORKING = Calendar.of(HOLIDAYS, weekends_off=True).mask(FIRST, DAYS)


def timed(label: str, call: Callable[[], object], repeat: int = 5) -> object:
    times, result = [], None
    for _ in range(repeat):
        began = time.perf_counter()
        result = call()
        times.append((time.perf_counter() - began) * 1000)
    print(f"  {label:<66} median {statistics.median(times):7.1f} ms  max {max(times):7.1f} ms")
    return result


def main() -> None:
    last = FIRST + timedelta(days=DAYS - 1)
    print(
        f"Forecast backtest, {DAYS} days ({FIRST} to {last}), horizon {HORIZON}, window {WINDOW}:"
    )
    for step in (7, 1):
        for name, working in (("every day", None), ("weekends + 8 holidays off", WORKING)):
            found = timed(
                f"step {step} day(s), 2,000 trials, {name}",
                lambda step=step, working=working: backtest(
                    DAILY, horizon=HORIZON, window=WINDOW, step=step, working=working
                ),
            )
            runs = len(found.runs)  # type: ignore[attr-defined]
            print(f"    {runs} past forecasts")
    print("  goal: a year of history in at most 2,000 ms")


if __name__ == "__main__":
    main()
