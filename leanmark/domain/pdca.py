"""The maths of a PDCA cycle's Check (docs/product.md §8). No Django here.

A cycle compares its baseline metric in two windows of equal length: the days before the change
date and the days from it on. Three kinds of metric, three comparisons:

- *durations* (cycle time, lead time: one value per finished item): Mann-Whitney U, two-sided,
  with the shift in the median and the 85th percentile (nearest rank, as in §5);
- *rates* (successes out of trials): the pooled two-proportion z-test of §6;
- *daily* values (throughput, WIP, a dashboard metric): the means, with Welch's t-test.

Each result carries its inputs' sizes, the test, and a plain-language verdict, so a person can
trace every number. Too little data gives ``enough=False`` and says what is missing.
"""

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Literal

import numpy as np
from scipy import stats  # type: ignore[import-untyped]  # SciPy ships no type hints

from leanmark.domain.flow import percentiles

Better = Literal["lower", "higher", "either"]
Kind = Literal["durations", "rate", "daily"]

ALPHA = 0.05
MIN_ITEMS = 5  # finished items per window for a duration comparison
MIN_DAYS = 7  # days with a value per window for a daily comparison
MIN_TRIALS = 10  # trials per window for a rate comparison

# ---- Plan: a problem statement must not name its solution ----------------------------------------

SOLUTION_PATTERNS: tuple[tuple[str, str], ...] = (
    (r"\bwe (?:should|must|need to|have to|will)\b", "says what to do"),
    (r"\b(?:should|must) (?:be|have|use|get|start|stop|add|introduce)\b", "says what to do"),
    (r"\bneed(?:s)? (?:a|an|to|more|better|new)\b", "asks for something"),
    (r"\b(?:lack|lacks|lacking|absence) of\b", "names a missing thing, i.e. a solution"),
    (
        r"\bno (?:tool|process|template|checklist|system|software|budget|automation)\b",
        "names a missing thing, i.e. a solution",
    ),
    (
        r"\b(?:implement|introduce|install|buy|hire|automate|adopt|switch to|migrate to|"
        r"set up|roll out)\b",
        "names an action",
    ),
)


def solution_hints(problem: str) -> list[str]:
    """Phrases in a problem statement that name a solution rather than the gap, with why.

    A heuristic: "We need a new CRM" is a solution; "38 % of leads wait more than two days for a
    first reply" is a problem. Empty when nothing looks like a solution.
    """
    found: list[str] = []
    for pattern, why in SOLUTION_PATTERNS:
        match = re.search(pattern, problem, flags=re.IGNORECASE)
        if match:
            found.append(f"“{match.group(0)}” {why}")
    return found


# ---- the two windows ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Windows:
    """Before: [before_start, change); after: [change, after_end]; both ``days`` long."""

    change: date
    days: int
    requested_days: int

    @property
    def before_start(self) -> date:
        return self.change - timedelta(days=self.days)

    @property
    def before_end(self) -> date:
        """The last day of the before window (the day before the change)."""
        return self.change - timedelta(days=1)

    @property
    def after_start(self) -> date:
        return self.change

    @property
    def after_end(self) -> date:
        return self.change + timedelta(days=self.days - 1)

    @property
    def shortened(self) -> bool:
        return self.days < self.requested_days

    def describe(self) -> str:
        text = (
            f"{self.days} days before ({self.before_start:%Y-%m-%d} to {self.before_end:%Y-%m-%d}) "
            f"vs {self.days} days from the change ({self.after_start:%Y-%m-%d} to "
            f"{self.after_end:%Y-%m-%d})"
        )
        if self.shortened:
            text += (
                f"; shortened from {self.requested_days} days because only {self.days} days "
                "have passed since the change"
            )
        return text


def windows(change: date, days: int, *, today: date) -> Windows:
    """Windows of equal length around ``change``; the after window ends by yesterday at the latest
    (today is not over), and the before window shrinks with it so both stay equal."""
    if days < 1:
        raise ValueError("a window is at least one day long")
    if change > today:
        raise ValueError("the change date is in the future")
    passed = (today - change).days  # full days from the change to yesterday
    return Windows(change=change, days=max(0, min(days, passed)), requested_days=days)


# ---- results -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Shift:
    """One summary figure before and after, e.g. the 85th-percentile cycle time."""

    label: str
    before: float | None
    after: float | None
    unit: str = ""

    @property
    def change(self) -> float | None:
        if self.before is None or self.after is None:
            return None
        return self.after - self.before


@dataclass(frozen=True)
class CheckResult:
    kind: Kind
    metric: str  # the metric's label in a sentence, e.g. "cycle time"
    unit: str
    better: Better
    before_n: int
    after_n: int
    enough: bool
    shifts: tuple[Shift, ...]
    test: str
    statistic: float | None
    p_value: float | None
    alpha: float
    verdict: str
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def headline(self) -> Shift | None:
        return self.shifts[0] if self.shifts else None

    @property
    def significant(self) -> bool | None:
        if self.p_value is None:
            return None
        return self.p_value < self.alpha

    @property
    def improved(self) -> bool | None:
        """True when the headline moved the better way and the test says it is no chance;
        None when there is no direction or no test."""
        head = self.headline
        if self.better == "either" or head is None or head.change is None or not self.enough:
            return None
        moved_well = head.change < 0 if self.better == "lower" else head.change > 0
        return bool(moved_well and self.significant)


def format_p(p: float) -> str:
    """p as people read it: "p = 0.01", "p = 0.004", "p < 0.001"."""
    if p < 0.001:
        return "p < 0.001"
    if p < 0.01:
        return f"p = {p:.3f}"
    return f"p = {p:.2f}"


def _number(value: float) -> str:
    return f"{value:,.1f}" if abs(value) < 100 else f"{value:,.0f}"


def _with_unit(value: float, unit: str) -> str:
    if unit == "%":
        return f"{_number(value)} %"
    return f"{_number(value)} {unit}".rstrip()


def _sentence(shift: Shift, p: float, alpha: float) -> str:
    if shift.before is None or shift.after is None:
        return f"{format_p(p)}."
    before, after = _with_unit(shift.before, shift.unit), _with_unit(shift.after, shift.unit)
    if round(shift.after, 1) == round(shift.before, 1):
        moved = f"{shift.label} stayed at {after}"
    else:
        verb = "fell" if shift.after < shift.before else "rose"
        if shift.unit and shift.unit != "%":
            before = _number(shift.before)
        moved = f"{shift.label} {verb} from {before} to {after}"
    if p < alpha:
        return f"{moved[0].upper()}{moved[1:]}; the difference is significant, {format_p(p)}."
    return (
        f"{moved[0].upper()}{moved[1:]}; the difference is not significant ({format_p(p)}), "
        "so it may be chance."
    )


def _not_enough(
    kind: Kind,
    metric: str,
    unit: str,
    better: Better,
    before_n: int,
    after_n: int,
    needed: int,
    what: str,
    test: str,
    alpha: float,
    shifts: tuple[Shift, ...] = (),
) -> CheckResult:
    short = [
        f"{n} {what} {side}"
        for n, side in ((before_n, "before the change"), (after_n, "after it"))
        if n < needed
    ]
    verdict = (
        f"Not enough data: {' and '.join(short)}; at least {needed} are needed on each side. "
        "Widen the windows or wait for more data."
    )
    return CheckResult(
        kind,
        metric,
        unit,
        better,
        before_n,
        after_n,
        False,
        shifts,
        test,
        None,
        None,
        alpha,
        verdict,
    )


def _clean(values: Sequence[float | None]) -> np.ndarray:
    array = np.asarray([v for v in values if v is not None], dtype=float)
    finite: np.ndarray = array[np.isfinite(array)]
    return finite


# ---- the three comparisons ------------------------------------------------------------------


MANN_WHITNEY = "Mann-Whitney U, two-sided"


def compare_durations(
    before: Sequence[float],
    after: Sequence[float],
    *,
    metric: str = "cycle time",
    unit: str = "days",
    better: Better = "lower",
    alpha: float = ALPHA,
    min_n: int = MIN_ITEMS,
) -> CheckResult:
    """Per-item durations before vs after: Mann-Whitney U on the samples, with the shift in the
    85th percentile (the headline: "85 % of items finish within X") and the median."""
    b, a = _clean(before), _clean(after)
    shifts: tuple[Shift, ...] = ()
    if b.size and a.size:
        pb, pa = percentiles(b, (50, 85)) or {}, percentiles(a, (50, 85)) or {}
        shifts = (
            Shift(f"85th-percentile {metric}", pb[85], pa[85], unit),
            Shift(f"median {metric}", pb[50], pa[50], unit),
        )
    if b.size < min_n or a.size < min_n:
        return _not_enough(
            "durations", metric, unit, better, int(b.size), int(a.size), min_n,
            "items finished", MANN_WHITNEY, alpha, shifts,
        )  # fmt: skip
    test = stats.mannwhitneyu(b, a, alternative="two-sided")
    p = float(test.pvalue)
    verdict = _sentence(shifts[0], p, alpha) + " " + _also(shifts[1])
    return CheckResult(
        "durations", metric, unit, better, int(b.size), int(a.size), True, shifts,
        MANN_WHITNEY, float(test.statistic), p, alpha, verdict,
    )  # fmt: skip


def _also(shift: Shift) -> str:
    if shift.before is None or shift.after is None:
        return ""
    return (
        f"The {shift.label} went from {_number(shift.before)} to "
        f"{_with_unit(shift.after, shift.unit)}."
    )


TWO_PROPORTIONS = "two-proportion z-test (pooled), two-sided"


@dataclass(frozen=True)
class ZTest:
    z: float
    p_value: float
    difference: float  # rate after - rate before
    ci_low: float
    ci_high: float


def two_proportion_z(
    successes_a: int, trials_a: int, successes_b: int, trials_b: int, *, alpha: float = ALPHA
) -> ZTest:
    """Pooled two-proportion z-test of §6, z = (p_A - p_B) / SE_pooled, with the unpooled
    (Wald) confidence interval of p_B - p_A. Reference: 5/83 vs 12/99 → z = -1.408, p = 0.159."""
    if trials_a <= 0 or trials_b <= 0:
        raise ValueError("each side needs at least one trial")
    if not (0 <= successes_a <= trials_a and 0 <= successes_b <= trials_b):
        raise ValueError("successes must be between 0 and the number of trials")
    pa, pb = successes_a / trials_a, successes_b / trials_b
    pooled = (successes_a + successes_b) / (trials_a + trials_b)
    se = math.sqrt(pooled * (1 - pooled) * (1 / trials_a + 1 / trials_b))
    z = 0.0 if se == 0 else (pa - pb) / se
    p = float(2 * stats.norm.sf(abs(z)))
    se_diff = math.sqrt(pa * (1 - pa) / trials_a + pb * (1 - pb) / trials_b)
    margin = float(stats.norm.ppf(1 - alpha / 2)) * se_diff
    return ZTest(z, p, pb - pa, pb - pa - margin, pb - pa + margin)


def compare_rates(
    before: tuple[int, int],
    after: tuple[int, int],
    *,
    metric: str,
    better: Better = "higher",
    alpha: float = ALPHA,
    min_trials: int = MIN_TRIALS,
) -> CheckResult:
    """(successes, trials) before vs after, as percentages, with the §6 z-test."""
    (sb, nb), (sa, na) = before, after
    shifts = (
        Shift(
            metric,
            100 * sb / nb if nb else None,
            100 * sa / na if na else None,
            "%",
        ),
    )
    if nb < min_trials or na < min_trials:
        return _not_enough(
            "rate", metric, "%", better, nb, na, min_trials, "trials", TWO_PROPORTIONS, alpha,
            shifts,
        )  # fmt: skip
    z = two_proportion_z(sb, nb, sa, na, alpha=alpha)
    verdict = (
        _sentence(shifts[0], z.p_value, alpha)
        + f" ({sb} of {nb} before, {sa} of {na} after; 95 % interval of the change "
        f"{100 * z.ci_low:+.1f} to {100 * z.ci_high:+.1f} points.)"
    )
    return CheckResult(
        "rate", metric, "%", better, nb, na, True, shifts, TWO_PROPORTIONS, z.z, z.p_value,
        alpha, verdict,
    )  # fmt: skip


WELCH = "Welch's t-test on the daily values, two-sided"


def compare_daily(
    before: Sequence[float | None],
    after: Sequence[float | None],
    *,
    metric: str,
    unit: str = "",
    better: Better = "either",
    alpha: float = ALPHA,
    min_days: int = MIN_DAYS,
) -> CheckResult:
    """Daily values before vs after: their means, compared with Welch's t-test. Days without a
    value (None) are left out and counted in the notes."""
    b, a = _clean(before), _clean(after)
    missing = (len(before) - b.size) + (len(after) - a.size)
    notes = (f"{missing} day(s) without a value left out",) if missing else ()
    shifts = (
        Shift(
            f"daily mean {metric}",
            float(b.mean()) if b.size else None,
            float(a.mean()) if a.size else None,
            unit,
        ),
    )
    if b.size < min_days or a.size < min_days:
        result = _not_enough(
            "daily", metric, unit, better, int(b.size), int(a.size), min_days,
            "days with a value", WELCH, alpha, shifts,
        )  # fmt: skip
        return _with_notes(result, notes)
    if np.ptp(b) == 0 and np.ptp(a) == 0:
        p = 1.0 if b[0] == a[0] else 0.0
        statistic = None
    else:
        test = stats.ttest_ind(b, a, equal_var=False)
        p, statistic = float(test.pvalue), float(test.statistic)
    verdict = _sentence(shifts[0], p, alpha)
    return CheckResult(
        "daily", metric, unit, better, int(b.size), int(a.size), True, shifts, WELCH,
        statistic, p, alpha, verdict, notes,
    )  # fmt: skip


def _with_notes(result: CheckResult, notes: tuple[str, ...]) -> CheckResult:
    if not notes:
        return result
    return CheckResult(
        result.kind, result.metric, result.unit, result.better, result.before_n, result.after_n,
        result.enough, result.shifts, result.test, result.statistic, result.p_value,
        result.alpha, result.verdict, result.notes + notes,
    )  # fmt: skip


def target_reached(value: float, target: float, better: Better) -> bool:
    """Whether ``value`` meets ``target`` the better way (either: within 5 % of it)."""
    if better == "lower":
        return value <= target
    if better == "higher":
        return value >= target
    return abs(value - target) <= 0.05 * abs(target)
