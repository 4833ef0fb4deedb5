"""Bounded allocation steps and the target objectives (domain/roi_steps.py): how long a
10-channel recommendation takes with the ±20 % step limit, for the most return and for a target
ROAS, alone and re-solved for a 200-resample bootstrap band. Prints figures; asserts nothing."""

import os
import statistics
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def timed(fn, n: int) -> float:
    runs = []
    for _ in range(n):
        began = time.perf_counter()
        fn()
        runs.append((time.perf_counter() - began) * 1000)
    return statistics.median(runs)


def main() -> None:
    from leanmark.domain import curves as cv
    from leanmark.domain import roi_steps
    from leanmark.domain.roi import Curve

    rng = np.random.default_rng(8)
    channels = 10
    log = [
        Curve(f"c{i}", rng.uniform(1_000, 5_000), rng.uniform(200, 2_000)) for i in range(channels)
    ]
    today = {c.channel: float(rng.uniform(300, 3_000)) for c in log}
    budget = sum(today.values())
    print(f"Allocation steps, {channels} log curves, today's total {budget:,.0f}")

    def most_return():
        return roi_steps.recommend(log, budget, current=today)

    point = roi_steps.recommend(log, 0, current=today, objective="roas", target=1.0, max_move=1)
    target = round(point.roas or 1.0, 2)  # a reachable target within the step limit
    within = roi_steps.recommend(log, 0, current=today, objective="roas", target=target)
    best = roi_steps.best_ratio(log, np.array([0.8 * today[c.channel] for c in log]),
                                np.array([1.2 * today[c.channel] for c in log]))[0]  # fmt: skip
    target = round((best + (within.roas or best)) / 2, 2)

    def roas():
        return roi_steps.recommend(log, 0, current=today, objective="roas", target=target)

    print(f"  most return, ±20 % steps        median {timed(most_return, 20):8.2f} ms")
    result = roas()
    print(
        f"  target ROAS {target:g}, ±20 % steps  median {timed(roas, 10):8.2f} ms "
        f"({result.iterations} inner solves, spend {result.total:,.0f}, ROAS {result.roas:.4f})"
    )
    # the band: the recommendation re-solved for every bootstrap resample of fitted curves
    fitted = []
    for c in log:
        x = rng.uniform(0.3, 2.0, 12) * today[c.channel]
        y = c.response(x) * rng.normal(1, 0.05, 12)
        fitted.append(cv.fit_response(c.channel, x, y, kind="log", resamples=200))

    def solve(drawn):
        return roi_steps.recommend(drawn, 0, current=today, objective="roas", target=target)

    def banded():
        point = solve(fitted)
        return cv.allocation_band(fitted, point, solve)

    began = time.perf_counter()
    band = banded()
    took = (time.perf_counter() - began) * 1000
    print(
        f"  target ROAS + 200-resample band  {took:8.0f} ms ({band.resamples} solves, "
        f"{band.failed} refused)"
    )

    def return_band():
        point = roi_steps.recommend(fitted, budget, current=today)
        return cv.allocation_band(
            fitted, point, lambda d: roi_steps.recommend(d, budget, current=today)
        )

    print(f"  most return + 200-resample band  median {timed(return_band, 3):8.0f} ms")


if __name__ == "__main__":
    main()
