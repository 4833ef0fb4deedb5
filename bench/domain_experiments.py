"""Timing of the experiment statistics (leanmark/domain/stats.py, bml.py); prints figures.

Run by `make bench` (bench/run.py runs every bench/domain_*.py); nothing is asserted.
"""

import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from leanmark.domain import bml, stats


def timed(label: str, call: Callable[[], object], repeat: int = 20) -> None:
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        result = call()
        times.append((time.perf_counter() - began) * 1000)
    print(f"  {label:<62} median {statistics.median(times):8.2f} ms   ({result})")


def main() -> None:
    print("\n== Experiment statistics (pure domain, no database) ==")
    timed(
        "sample size, p 0.1, δ 0.01 (§6: 14,313)", lambda: stats.sample_size(0.1, 0.01).per_variant
    )
    timed(
        "z-test, 5/83 vs 12/99 (§6: z -1.408)",
        lambda: round(stats.two_proportion_ztest(5, 83, 12, 99).z, 3),
    )
    timed(
        "exact P(B>A) + losses, 5/83 vs 12/99",
        lambda: round(stats.bayes(5, 83, 12, 99).prob_b_beats_a, 4),
    )
    timed(
        "exact P(B>A) + losses, 10,000/100,000 vs 10,250/100,000",
        lambda: round(stats.bayes(10_000, 100_000, 10_250, 100_000).prob_b_beats_a, 4),
    )
    timed(
        "P(B>A) + losses by quadrature, 500,000/1M vs 501,000/1M",
        lambda: round(stats.bayes(500_000, 1_000_000, 501_000, 1_000_000).prob_b_beats_a, 4),
        repeat=5,
    )
    variants = [
        bml.VariantData("A", True, 20_000, 1_200),
        bml.VariantData("B", False, 20_000, 1_300),
        bml.VariantData("C", False, 20_000, 1_260),
        bml.VariantData("D", False, 20_000, 1_180),
    ]
    timed(
        "verdict, 3 treatments (z, Holm, exact Bayes, reading)",
        lambda: bml.analyse("conversion", variants, planned_per_variant=20_000).outcome,
    )
    timed(
        "sequential plan, p 0.2, δ 0.05 (exact, hitting-time sum)",
        lambda: stats.sequential_plan(0.2, 0.05).planned,
        3,
    )
    timed(
        "sequential plan, p 0.1, δ 0.01 (exact, hitting-time sum)",
        lambda: stats.sequential_plan(0.1, 0.01).planned,
        1,
    )
    timed(
        "always-valid (mSPRT) plan, p 0.2, δ 0.05 (fixed: 1,031)",
        lambda: stats.msprt_plan_proportions(0.2, 0.05).per_variant,
    )
    timed(
        "always-valid (mSPRT) plan, p 0.1, δ 0.01 (fixed: 14,313)",
        lambda: stats.msprt_plan_proportions(0.1, 0.01).per_variant,
    )
    looks = [
        [bml.VariantData("A", True, 1000 * d, 100 * d), bml.VariantData("B", False, 1000 * d,
                                                                      104 * d)]
        for d in range(1, 366)
    ]  # fmt: skip
    timed(
        "verdict under mSPRT over 365 daily looks",
        lambda: (
            bml.analyse(
                "conversion", looks[-1], planned_per_variant=400_000, msprt_tau=0.01, looks=looks
            ).outcome
        ),
    )
    timed("A/A false positives, 2,000 runs × 30 daily looks", _peeking, 3)


def _peeking() -> str:
    """The share of 2,000 A/A tests (10 %, 100 a day per arm, 30 daily looks) declared a winner:
    naive z-test at each look, against the always-valid p."""
    import numpy as np

    rng = np.random.default_rng(20231)
    control = np.cumsum(rng.binomial(100, 0.1, (2000, 30)), axis=1)
    treatment = np.cumsum(rng.binomial(100, 0.1, (2000, 30)), axis=1)
    n = 100 * np.arange(1, 31)
    pooled = (control + treatment) / (2 * n)
    variance = pooled * (1 - pooled) * 2 / n
    difference = (treatment - control) / n
    naive = np.mean((np.abs(difference / np.sqrt(variance)) > 1.959964).any(axis=1))
    valid = stats.always_valid_p_values(stats.msprt_log_lr(difference, variance, 0.02))
    return f"naive {naive:.1%}, always valid {np.mean(valid[:, -1] <= 0.05):.1%}"


if __name__ == "__main__":
    main()
