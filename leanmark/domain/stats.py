# ruff: noqa: RUF002, RUF003 (maths notation: −, α, β, δ in docstrings and comments)
"""Statistics of Build-Measure-Learn experiments (docs/product.md §6). No Django here.

- ``sample_size`` / ``reachable_mde``: the fixed-horizon plan for a conversion metric;
  ``sample_size_means`` for a continuous one.
- ``sequential_rule`` / ``sequential_power``: Evan Miller's simple sequential test (stop for the
  treatment when T − C ≥ 2√N, stop with no winner when T + C ≥ N).
- ``msprt_log_lr`` / ``always_valid_p`` / ``msprt_plan``: the always-valid mixture sequential
  probability ratio test (Johari, Koomen, Pekelis & Walsh, "Always Valid Inference", 2017/2022)
  with a normal mixing distribution N(0, τ²) of the effect: its p-value may be looked at any time.
- ``two_proportion_ztest`` (pooled), ``welch_ttest``, ``holm``, ``benjamini_hochberg``:
  frequentist analysis and the corrections for several comparisons;
  ``fisher_exact`` (SciPy's) when ``small_counts`` says a cell of the 2×2 table is below 10.
- ``prob_beats`` and ``expected_loss``: Beta-Binomial posteriors, computed exactly as a finite
  sum of Beta functions (no sampling), so the same counts always give the same figure.

Every result is a frozen dataclass carrying its inputs, so a page can show where a number came
from. Bad input raises ``StatsInputError`` naming the field.
"""

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import integrate, optimize, special, stats  # type: ignore[import-untyped]  # no stubs

DEFAULT_ALPHA = 0.05
DEFAULT_POWER = 0.8
# Past this many planned conversions the simple sequential rule is no practical plan (the search
# costs O(N log N)); a fixed-horizon plan is offered instead.
SEQUENTIAL_MAX_N = 2_000_000
# P(B > A) is a finite sum with as many terms as the smallest posterior parameter; above this
# many terms, numerical integration (also exact to ~1e-10, never sampling) is faster.
EXACT_SUM_MAX_TERMS = 50_000


class StatsInputError(ValueError):
    def __init__(self, message: str, *, field: str) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def _open_unit(value: float, field: str, label: str) -> float:
    if not isinstance(value, int | float) or math.isnan(value) or not 0 < value < 1:
        raise StatsInputError(
            f"{label} must be between 0 and 1 (exclusive), not {value}", field=field
        )
    return float(value)


def _counts(successes: int, trials: int, label: str) -> None:
    if trials < 0 or successes < 0:
        raise StatsInputError(f"{label}: counts cannot be negative", field="trials")
    if trials == 0:
        raise StatsInputError(f"{label}: zero trials, nothing to analyse yet", field="trials")
    if successes > trials:
        raise StatsInputError(
            f"{label}: {successes} successes out of {trials} trials is impossible "
            "(successes cannot exceed trials)",
            field="successes",
        )


# ---------------------------------------------------------------------------------------------
# Plan


@dataclass(frozen=True)
class SamplePlan:
    baseline: float
    mde: float
    alpha: float
    power: float
    rate_used: float  # p, or 1 − p when p > 0.5 (§6)
    z_alpha: float  # z_{1−α/2}
    z_power: float
    exact: float  # n before rounding up
    per_variant: int

    @property
    def explanation(self) -> str:
        p, d = self.rate_used, self.mde
        return (
            f"n = (z₁₋α/₂·√(2p(1−p)) + z_power·√(p(1−p) + (p+δ)(1−p−δ)))² ÷ δ² with p = {p:g}, "
            f"δ = {d:g}, z₁₋α/₂ = {self.z_alpha:.3f} (α {self.alpha:g}), "
            f"z_power = {self.z_power:.3f} (power {self.power:g}) → {self.exact:,.1f}, "
            f"rounded up to {self.per_variant:,} per variant"
        )


def _plan_inputs(baseline: float, mde: float, alpha: float, power: float) -> float:
    _open_unit(baseline, "baseline", "the baseline rate")
    _open_unit(alpha, "alpha", "α")
    _open_unit(power, "power", "the power")
    if not isinstance(mde, int | float) or math.isnan(mde) or mde <= 0:
        raise StatsInputError(
            f"the minimum detectable effect must be above 0, not {mde}", field="mde"
        )
    p = 1 - baseline if baseline > 0.5 else baseline
    if p + mde >= 1:
        raise StatsInputError(
            f"the minimum detectable effect is too large: p + δ = {p:g} + {mde:g} ≥ 1",
            field="mde",
        )
    return p


def _n_exact(p: float, mde: float, z_a: float, z_b: float) -> float:
    q = p + mde
    root = z_a * math.sqrt(2 * p * (1 - p)) + z_b * math.sqrt(p * (1 - p) + q * (1 - q))
    return root**2 / mde**2


PLAN_MAX_N = 10**12  # per variant: beyond this no audience exists, and floats lose the answer


def _plannable(n: Callable[[], float], mde: float) -> float:
    """n() when it is a number of people a plan can ask for; an effect so small that the answer
    overflows (or δ² underflows to 0) is refused by name rather than failing."""
    try:
        exact = n()
    except (OverflowError, ZeroDivisionError):
        exact = math.inf
    if not math.isfinite(exact) or exact > PLAN_MAX_N:
        raise StatsInputError(
            f"an effect of {mde:g} would need more than {PLAN_MAX_N:,} per variant; "
            "choose a larger minimum detectable effect",
            field="mde",
        )
    return exact


def sample_size(
    baseline: float, mde: float, *, alpha: float = DEFAULT_ALPHA, power: float = DEFAULT_POWER
) -> SamplePlan:
    """Sample size per variant for a two-sided two-proportion test (§6's formula)."""
    p = _plan_inputs(baseline, mde, alpha, power)
    z_a = float(stats.norm.ppf(1 - alpha / 2))
    z_b = float(stats.norm.ppf(power))
    exact = _plannable(lambda: _n_exact(p, mde, z_a, z_b), mde)
    # 1e-9 guards against 1031.0000000001 rounding up to 1032
    return SamplePlan(baseline, mde, alpha, power, p, z_a, z_b, exact, math.ceil(exact - 1e-9))


@dataclass(frozen=True)
class MdePlan:
    baseline: float
    per_variant: int
    alpha: float
    power: float
    mde: float  # the smallest absolute effect detectable with that traffic


def reachable_mde(
    baseline: float,
    per_variant: int,
    *,
    alpha: float = DEFAULT_ALPHA,
    power: float = DEFAULT_POWER,
) -> MdePlan:
    """The inverse plan: the smallest δ that ``per_variant`` observations can detect."""
    _plan_inputs(baseline, 1e-9, alpha, power)
    if per_variant < 2:
        raise StatsInputError("the traffic must be at least 2 per variant", field="per_variant")
    p = 1 - baseline if baseline > 0.5 else baseline
    z_a = float(stats.norm.ppf(1 - alpha / 2))
    z_b = float(stats.norm.ppf(power))
    top = 1 - p - 1e-12
    if _n_exact(p, top, z_a, z_b) > per_variant:
        raise StatsInputError(
            f"{per_variant} per variant cannot detect any effect at this baseline",
            field="per_variant",
        )
    mde = optimize.brentq(lambda d: _n_exact(p, d, z_a, z_b) - per_variant, 1e-9, top)
    return MdePlan(baseline, per_variant, alpha, power, float(mde))


@dataclass(frozen=True)
class MeansPlan:
    sd: float
    mde: float
    alpha: float
    power: float
    exact: float
    per_variant: int


def sample_size_means(
    sd: float, mde: float, *, alpha: float = DEFAULT_ALPHA, power: float = DEFAULT_POWER
) -> MeansPlan:
    """n = 2·(z₁₋α/₂ + z_power)²·σ² ÷ δ² per variant, for a continuous metric."""
    _open_unit(alpha, "alpha", "α")
    _open_unit(power, "power", "the power")
    if not sd > 0:
        raise StatsInputError(f"the standard deviation must be above 0, not {sd}", field="sd")
    if not mde > 0:
        raise StatsInputError(
            f"the minimum detectable effect must be above 0, not {mde}", field="mde"
        )
    z_a = float(stats.norm.ppf(1 - alpha / 2))
    z_b = float(stats.norm.ppf(power))
    exact = _plannable(lambda: 2 * (z_a + z_b) ** 2 * sd**2 / mde**2, mde)
    return MeansPlan(sd, mde, alpha, power, exact, math.ceil(exact - 1e-9))


# ---------------------------------------------------------------------------------------------
# Sequential rule


@dataclass(frozen=True)
class SequentialState:
    planned: int  # N, conversions in both arms together
    threshold: float  # 2√N
    treatment: int  # T, conversions so far
    control: int  # C
    outcome: str  # "treatment_wins", "no_winner" or "continue"

    @property
    def stopped(self) -> bool:
        return self.outcome != "continue"

    @property
    def explanation(self) -> str:
        lead = self.treatment - self.control
        total = self.treatment + self.control
        return (
            f"T − C = {lead} against 2√N = {self.threshold:.1f}; "
            f"T + C = {total} against N = {self.planned}"
        )


def sequential_rule(treatment: int, control: int, planned: int) -> SequentialState:
    """Stop for the treatment when T − C ≥ 2√N; stop with no winner when T + C ≥ N."""
    if planned < 1:
        raise StatsInputError(
            "the planned number of conversions must be at least 1", field="planned"
        )
    if treatment < 0 or control < 0:
        raise StatsInputError("conversion counts cannot be negative", field="successes")
    threshold = 2 * math.sqrt(planned)
    if treatment - control >= threshold:
        outcome = "treatment_wins"
    elif treatment + control >= planned:
        outcome = "no_winner"
    else:
        outcome = "continue"
    return SequentialState(planned, threshold, treatment, control, outcome)


def sequential_power(planned: int, share: float) -> float:
    """P(the rule stops for the treatment) when each conversion is the treatment's with
    probability ``share``, exactly: by the hitting-time theorem a ±1 random walk first reaches
    d at step n with probability (d/n)·P(S_n = d), so the power is
    Σ_{n = d, d+2, …, N} (d/n)·Binom((n+d)/2; n, share), with d = ⌈2√N⌉."""
    threshold = math.ceil(2 * math.sqrt(planned) - 1e-12)
    if threshold > planned:
        return 0.0
    steps = np.arange(threshold, planned + 1, 2)
    hits = stats.binom.pmf((steps + threshold) // 2, steps, share)
    return float(np.sum(threshold / steps * hits))


@dataclass(frozen=True)
class SequentialPlan:
    baseline: float
    mde: float
    power: float
    share: float  # (p+δ) ÷ (2p+δ): the treatment's share of conversions under the effect
    planned: int  # N
    achieved_power: float
    false_positive: float  # the rule's exact false-positive rate at N (share ½)

    @property
    def threshold(self) -> float:
        return 2 * math.sqrt(self.planned)


def sequential_plan(baseline: float, mde: float, *, power: float = DEFAULT_POWER) -> SequentialPlan:
    """The smallest N (total conversions) whose rule reaches ``power`` for an effect δ."""
    _plan_inputs(baseline, mde, DEFAULT_ALPHA, power)
    p = baseline
    if p + mde >= 1:
        raise StatsInputError(
            f"the minimum detectable effect is too large: p + δ = {p:g} + {mde:g} ≥ 1", field="mde"
        )
    share = (p + mde) / (2 * p + mde)
    low, high = 1, 16
    while sequential_power(high, share) < power:
        low, high = high, high * 2
        if high > SEQUENTIAL_MAX_N:
            raise StatsInputError(
                "this effect is too small for the simple sequential rule (it would need more "
                f"than {SEQUENTIAL_MAX_N:,} conversions); plan a fixed-horizon test",
                field="mde",
            )
    while high - low > 1:
        middle = (low + high) // 2
        if sequential_power(middle, share) >= power:
            high = middle
        else:
            low = middle
    return SequentialPlan(
        baseline,
        mde,
        power,
        share,
        high,
        float(sequential_power(high, share)),
        float(sequential_power(high, 0.5)),
    )


# ---------------------------------------------------------------------------------------------
# Always-valid inference: the mixture sequential probability ratio test (mSPRT)
#
# The estimate Δ of the effect θ (treatment − control) is about N(θ, v), v the variance of the
# estimate (p(1 − p)·(1/n_T + 1/n_C) for rates, pooled as the z-test; s_T²/n_T + s_C²/n_C for
# means). Mixing the alternative over θ ~ N(0, τ²), the likelihood ratio against θ = 0 is
#     Λ = N(Δ; 0, v + τ²) ÷ N(Δ; 0, v) = √(v ÷ (v + τ²)) · exp(τ²·Δ² ÷ (2·v·(v + τ²))),
# which with n per arm and V = σ_T² + σ_C² (v = V/n) is Johari et al.'s two-stream normal mSPRT
#     Λₙ = √(V ÷ (V + nτ²)) · exp(n²τ²Δ² ÷ (2V(V + nτ²))).
# Λ is a martingale under θ = 0, so by Ville's inequality P(Λ ever reaches 1/α) ≤ α: the
# always-valid p-value pₙ = min(pₙ₋₁, 1/Λₙ) stays valid however often, and whenever, one looks.

FloatArray = npt.NDArray[np.float64]


def msprt_log_lr(difference: npt.ArrayLike, variance: npt.ArrayLike, tau: float) -> FloatArray:
    """log Λ for each (Δ, v), vectorised; 0 (no evidence either way) where v is 0."""
    if not tau > 0:
        raise StatsInputError(f"the mixing standard deviation τ must be above 0, not {tau}",
                              field="tau")  # fmt: skip
    d = np.asarray(difference, dtype=np.float64)
    v = np.asarray(variance, dtype=np.float64)
    t2 = tau * tau
    safe = np.where(v > 0, v, 1.0)
    value = 0.5 * np.log(safe / (safe + t2)) + t2 * d * d / (2 * safe * (safe + t2))
    return np.where(v > 0, value, 0.0)


def always_valid_p_values(log_lr: npt.ArrayLike) -> FloatArray:
    """The always-valid p-values along the last axis (the looks): the running minimum of
    min(1, 1/Λ)."""
    single = np.minimum(1.0, np.exp(-np.asarray(log_lr, dtype=np.float64)))
    return np.minimum.accumulate(single, axis=-1)


def msprt_half_width(variance: float, tau: float, alpha: float) -> float:
    """Half-width of the always-valid interval: the θ₀ with Λ(θ₀) < 1/α are
    Δ ± √(2v(v + τ²)/τ² · (ln(1/α) + ½·ln((v + τ²)/v)))."""
    if variance <= 0:
        return 0.0
    t2 = tau * tau
    return math.sqrt(
        2 * variance * (variance + t2) / t2
        * (math.log(1 / alpha) + 0.5 * math.log((variance + t2) / variance))
    )  # fmt: skip


@dataclass(frozen=True)
class AlwaysValid:
    """The mSPRT of one comparison over every look recorded so far."""

    tau: float  # the mixing standard deviation (absolute, the metric's units)
    alpha: float
    looks: int  # how many looks (dates with figures) the running minimum is over
    likelihood_ratio: float  # Λ at the latest look
    p_value: float  # always valid: the smallest 1/Λ over the looks, at most 1
    ci_low: float  # the always-valid interval of the difference at the latest look
    ci_high: float

    @property
    def crossed(self) -> bool:
        """The evidence is in: the always-valid p-value reached α."""
        return self.p_value <= self.alpha


def always_valid_p(
    differences: Sequence[float],
    variances: Sequence[float],
    *,
    tau: float,
    alpha: float = DEFAULT_ALPHA,
    interval_variance: float | None = None,
) -> AlwaysValid:
    """The always-valid p-value over looks in time order (differences and the variances of the
    tested estimate); the interval uses ``interval_variance`` (unpooled) when given."""
    _open_unit(alpha, "alpha", "α")
    if not differences or len(differences) != len(variances):
        raise StatsInputError("one variance per look is needed", field="looks")
    logs = msprt_log_lr(differences, variances, tau)
    p = float(always_valid_p_values(logs)[-1])
    half = msprt_half_width(
        variances[-1] if interval_variance is None else interval_variance, tau, alpha
    )
    last = float(differences[-1])
    return AlwaysValid(
        tau, alpha, len(differences), float(np.exp(logs[-1])), p, last - half, last + half
    )


def msprt_power(per_variant: int, unit_variance: float, mde: float, tau: float,
                alpha: float) -> float:  # fmt: skip
    """P(Λ ≥ 1/α at the look with ``per_variant`` in each arm) for a true effect δ: the power
    of that single look, so a lower bound of the power of looking all along."""
    v = unit_variance / per_variant
    c = msprt_half_width(v, tau, alpha)
    sd = math.sqrt(v)
    return float(stats.norm.sf((c - mde) / sd) + stats.norm.cdf((-c - mde) / sd))


@dataclass(frozen=True)
class MsprtPlan:
    mde: float
    tau: float
    alpha: float
    power: float
    unit_variance: float  # V: p(1 − p) + (p + δ)(1 − p − δ) for rates, 2σ² for means
    per_variant: int  # the most the test needs per variant: the planned sample
    achieved_power: float  # of that last look alone (looking earlier only adds chances)

    @property
    def explanation(self) -> str:
        return (
            f"mSPRT with a normal mixing distribution N(0, τ²), τ = {self.tau:g}: the smallest n "
            f"per variant whose last look alone reaches the power {self.power:g} for δ = "
            f"{self.mde:g} at α {self.alpha:g} (V = {self.unit_variance:.4g}) → "
            f"{self.per_variant:,} per variant ({self.achieved_power:.3f}); the test may stop "
            "sooner, whenever the always-valid p-value reaches α"
        )


def msprt_plan(
    unit_variance: float,
    mde: float,
    *,
    tau: float | None = None,
    alpha: float = DEFAULT_ALPHA,
    power: float = DEFAULT_POWER,
) -> MsprtPlan:
    """The planned (largest) sample per variant of an mSPRT; τ defaults to δ, the effect the
    plan is for (the mixture then puts most weight on effects of the planned size)."""
    _open_unit(alpha, "alpha", "α")
    _open_unit(power, "power", "the power")
    if not mde > 0:
        raise StatsInputError(f"the minimum detectable effect must be above 0, not {mde}",
                              field="mde")  # fmt: skip
    tau = mde if tau is None else tau
    if not (isinstance(tau, int | float) and math.isfinite(tau) and tau > 0):
        raise StatsInputError(f"τ must be above 0, not {tau}", field="tau")
    low, high = 1, 2
    while msprt_power(high, unit_variance, mde, tau, alpha) < power:
        low, high = high, high * 2
        if high > PLAN_MAX_N:
            raise StatsInputError(
                f"an effect of {mde:g} would need more than {PLAN_MAX_N:,} per variant; "
                "choose a larger minimum detectable effect",
                field="mde",
            )
    while high - low > 1:
        middle = (low + high) // 2
        if msprt_power(middle, unit_variance, mde, tau, alpha) >= power:
            high = middle
        else:
            low = middle
    achieved = msprt_power(high, unit_variance, mde, tau, alpha)
    return MsprtPlan(mde, tau, alpha, power, unit_variance, high, achieved)


def msprt_plan_proportions(
    baseline: float,
    mde: float,
    *,
    tau: float | None = None,
    alpha: float = DEFAULT_ALPHA,
    power: float = DEFAULT_POWER,
) -> MsprtPlan:
    """``msprt_plan`` for a conversion metric: V = p(1 − p) + (p + δ)(1 − p − δ)."""
    p = _plan_inputs(baseline, mde, alpha, power)
    q = p + mde
    return msprt_plan(p * (1 - p) + q * (1 - q), mde, tau=tau, alpha=alpha, power=power)


def msprt_plan_means(
    sd: float,
    mde: float,
    *,
    tau: float | None = None,
    alpha: float = DEFAULT_ALPHA,
    power: float = DEFAULT_POWER,
) -> MsprtPlan:
    """``msprt_plan`` for a continuous metric: V = 2σ²."""
    if not sd > 0:
        raise StatsInputError(f"the standard deviation must be above 0, not {sd}", field="sd")
    return msprt_plan(2 * sd * sd, mde, tau=tau, alpha=alpha, power=power)


# ---------------------------------------------------------------------------------------------
# Frequentist analysis


@dataclass(frozen=True)
class ZTest:
    successes_1: int
    trials_1: int
    successes_2: int
    trials_2: int
    rate_1: float
    rate_2: float
    difference: float  # rate_1 − rate_2
    z: float
    p_value: float
    alpha: float
    ci_low: float  # confidence interval of the difference (Wald, unpooled), level 1 − α
    ci_high: float

    @property
    def significant(self) -> bool:
        return self.p_value < self.alpha


def two_proportion_ztest(
    successes_1: int,
    trials_1: int,
    successes_2: int,
    trials_2: int,
    *,
    alpha: float = DEFAULT_ALPHA,
) -> ZTest:
    """Pooled two-proportion z-test of rate₁ − rate₂, two-sided (as statsmodels'
    ``proportions_ztest``), with the Wald confidence interval of the difference."""
    _open_unit(alpha, "alpha", "α")
    _counts(successes_1, trials_1, "first variant")
    _counts(successes_2, trials_2, "second variant")
    r1, r2 = successes_1 / trials_1, successes_2 / trials_2
    pooled = (successes_1 + successes_2) / (trials_1 + trials_2)
    se_pooled = math.sqrt(pooled * (1 - pooled) * (1 / trials_1 + 1 / trials_2))
    diff = r1 - r2
    if se_pooled == 0:  # both 0 % or both 100 %: no evidence of any difference
        z, p_value = 0.0, 1.0
    else:
        z = diff / se_pooled
        p_value = float(2 * stats.norm.sf(abs(z)))
    se = math.sqrt(r1 * (1 - r1) / trials_1 + r2 * (1 - r2) / trials_2)
    half = float(stats.norm.ppf(1 - alpha / 2)) * se
    return ZTest(
        successes_1,
        trials_1,
        successes_2,
        trials_2,
        r1,
        r2,
        diff,
        z,
        p_value,
        alpha,
        diff - half,
        diff + half,
    )


@dataclass(frozen=True)
class WelchTest:
    mean_1: float
    sd_1: float
    n_1: int
    mean_2: float
    sd_2: float
    n_2: int
    difference: float  # mean_1 − mean_2
    t: float
    df: float
    p_value: float
    alpha: float
    ci_low: float
    ci_high: float

    @property
    def significant(self) -> bool:
        return self.p_value < self.alpha


def welch_ttest(
    mean_1: float,
    sd_1: float,
    n_1: int,
    mean_2: float,
    sd_2: float,
    n_2: int,
    *,
    alpha: float = DEFAULT_ALPHA,
) -> WelchTest:
    """Welch's t-test of mean₁ − mean₂ from summary statistics (SciPy), with its interval."""
    _open_unit(alpha, "alpha", "α")
    for n, sd, label in ((n_1, sd_1, "first variant"), (n_2, sd_2, "second variant")):
        if n < 2:
            raise StatsInputError(f"{label}: at least 2 observations are needed", field="n")
        if sd < 0:
            raise StatsInputError(f"{label}: the standard deviation cannot be negative", field="sd")
    v1, v2 = sd_1**2 / n_1, sd_2**2 / n_2
    diff = mean_1 - mean_2
    if v1 + v2 == 0:
        return WelchTest(
            mean_1, sd_1, n_1, mean_2, sd_2, n_2, diff, 0.0, float(n_1 + n_2 - 2), 1.0, alpha,
            diff, diff,
        )  # fmt: skip
    result = stats.ttest_ind_from_stats(mean_1, sd_1, n_1, mean_2, sd_2, n_2, equal_var=False)
    df = (v1 + v2) ** 2 / (v1**2 / (n_1 - 1) + v2**2 / (n_2 - 1))
    half = float(stats.t.ppf(1 - alpha / 2, df)) * math.sqrt(v1 + v2)
    return WelchTest(
        mean_1,
        sd_1,
        n_1,
        mean_2,
        sd_2,
        n_2,
        diff,
        float(result.statistic),
        float(df),
        float(result.pvalue),
        alpha,
        diff - half,
        diff + half,
    )


# Below this many successes or failures in any cell of the 2×2 table, the normal approximation
# behind the z-test is unreliable and Fisher's exact test is computed as well.
SMALL_CELL = 10


def small_counts(successes_1: int, trials_1: int, successes_2: int, trials_2: int) -> bool:
    """True when a cell of the 2×2 table (successes and failures of each arm) is below
    ``SMALL_CELL``."""
    cells = (successes_1, trials_1 - successes_1, successes_2, trials_2 - successes_2)
    return min(cells) < SMALL_CELL


@dataclass(frozen=True)
class FisherTest:
    table: tuple[tuple[int, int], tuple[int, int]]  # (successes, failures) of each arm
    odds_ratio: float  # the sample odds ratio, arm 1 against arm 2 (SciPy's statistic)
    p_value: float  # two-sided

    @property
    def explanation(self) -> str:
        (a, b), (c, d) = self.table
        return (
            f"Fisher's exact test of the table [[{a}, {b}], [{c}, {d}]] (successes, failures): "
            f"the chance, with the margins fixed, of a table at most as likely as this one"
        )


def fisher_exact(successes_1: int, trials_1: int, successes_2: int, trials_2: int) -> FisherTest:
    """Fisher's exact test of two proportions, two-sided (SciPy's ``fisher_exact``)."""
    _counts(successes_1, trials_1, "first variant")
    _counts(successes_2, trials_2, "second variant")
    table = (
        (successes_1, trials_1 - successes_1),
        (successes_2, trials_2 - successes_2),
    )
    result = stats.fisher_exact([list(row) for row in table], alternative="two-sided")
    return FisherTest(table, float(result.statistic), float(result.pvalue))


@dataclass(frozen=True)
class Lift:
    """Relative lift (treatment ÷ control − 1) with its interval by the delta method."""

    lift: float
    ci_low: float
    ci_high: float


def relative_lift(
    mean_t: float, var_t: float, mean_c: float, var_c: float, *, alpha: float = DEFAULT_ALPHA
) -> Lift | None:
    """``var_*`` are the variances of the two estimates (p(1 − p)/n, or sd²/n); None when the
    control's rate or mean is 0, where a relative change means nothing."""
    if mean_c == 0:
        return None
    ratio = mean_t / mean_c
    se = math.sqrt(var_t / mean_c**2 + mean_t**2 * var_c / mean_c**4)
    half = float(stats.norm.ppf(1 - alpha / 2)) * se
    return Lift(ratio - 1, ratio - 1 - half, ratio - 1 + half)


SRM_ALPHA = 0.001  # a sample-ratio mismatch is flagged below this p (the usual threshold)


@dataclass(frozen=True)
class RatioCheck:
    """Sample-ratio mismatch: do the arms' sizes fit the planned split (equal arms)?"""

    observed: tuple[int, ...]
    expected: tuple[float, ...]
    statistic: float  # Pearson's chi-square
    p_value: float

    @property
    def mismatch(self) -> bool:
        return self.p_value < SRM_ALPHA


def sample_ratio(trials: Sequence[int]) -> RatioCheck | None:
    """Chi-square goodness of fit of the arms' trials against an equal split (SciPy's
    ``chisquare``); None when there is nothing to test yet."""
    total = sum(trials)
    if len(trials) < 2 or total == 0:
        return None
    expected = [total / len(trials)] * len(trials)
    result = stats.chisquare(list(trials), f_exp=expected)
    return RatioCheck(tuple(trials), tuple(expected), float(result.statistic), float(result.pvalue))


def holm(p_values: Sequence[float]) -> list[float]:
    """Holm–Bonferroni adjusted p-values, in the order given (each treatment against control)."""
    m = len(p_values)
    order = sorted(range(m), key=lambda i: p_values[i])
    adjusted = [0.0] * m
    running = 0.0
    for rank, index in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p_values[index]))
        adjusted[index] = running
    return adjusted


def benjamini_hochberg(p_values: Sequence[float]) -> list[float]:
    """Benjamini–Hochberg adjusted p-values (false discovery rate), in the order given
    (SciPy's ``false_discovery_control``)."""
    if not p_values:
        return []
    return [float(p) for p in stats.false_discovery_control(list(p_values), method="bh")]


HOLM, BH = "holm", "bh"
CORRECTION_NAMES = {HOLM: "Holm", BH: "Benjamini-Hochberg"}


def adjust(p_values: Sequence[float], method: str = HOLM) -> list[float]:
    """The p-values corrected for making several comparisons at once."""
    if method == BH:
        return benjamini_hochberg(p_values)
    if method == HOLM:
        return holm(p_values)
    raise StatsInputError(f"unknown correction {method!r}; choose holm or bh", field="correction")


def wilson_interval(successes: int, trials: int, *, level: float = 0.95) -> tuple[float, float]:
    """The Wilson score interval of a conversion rate (SciPy's ``binomtest``)."""
    _counts(successes, trials, "variant")
    interval = stats.binomtest(successes, trials).proportion_ci(level, method="wilson")
    return float(interval.low), float(interval.high)


def mean_interval(mean: float, sd: float, n: int, *, level: float = 0.95) -> tuple[float, float]:
    """The t interval of a mean from its summary statistics."""
    if n < 2:
        raise StatsInputError("at least 2 observations are needed for an interval", field="n")
    half = float(stats.t.ppf(0.5 + level / 2, n - 1)) * sd / math.sqrt(n)
    return mean - half, mean + half


# ---------------------------------------------------------------------------------------------
# Bayesian analysis (Beta-Binomial, exact)


def _prob_greater(a1: float, b1: float, a2: float, b2: float) -> float:
    """P(X₂ > X₁) for X₁ ~ Beta(a1, b1), X₂ ~ Beta(a2, b2), a2 a positive integer:
    Σᵢ₌₀^{a2−1} B(a1+i, b1+b2) ÷ ((b2+i)·B(1+i, b2)·B(a1, b1))  (Evan Miller's closed form)."""
    i = np.arange(int(a2), dtype=float)
    logs = (
        special.betaln(a1 + i, b1 + b2)
        - np.log(b2 + i)
        - special.betaln(1 + i, b2)
        - special.betaln(a1, b1)
    )
    return float(np.exp(logs).sum())


def _prob_beats_integrated(a1: float, b1: float, a2: float, b2: float) -> float:
    """P(X₂ > X₁) = ∫ f₂(x)·F₁(x) dx by adaptive quadrature over where both posteriors live
    (for very large counts, where the finite sum has too many terms)."""
    first, second = stats.beta(a1, b1), stats.beta(a2, b2)
    low = max(0.0, min(first.ppf(1e-12), second.ppf(1e-12)))
    high = min(1.0, max(first.isf(1e-12), second.isf(1e-12)))
    value, _ = integrate.quad(
        lambda x: second.pdf(x) * first.cdf(x), low, high, limit=200, epsabs=1e-12
    )
    return float(value)


def _prob_beats(a1: float, b1: float, a2: float, b2: float) -> float:
    """P(X₂ > X₁), summing over the smallest integer parameter (four equivalent forms)."""
    smallest = min(a1, a2, b1, b2)
    if smallest > EXACT_SUM_MAX_TERMS:
        return min(1.0, max(0.0, _prob_beats_integrated(a1, b1, a2, b2)))
    if smallest == a2:
        value = _prob_greater(a1, b1, a2, b2)
    elif smallest == a1:
        value = 1 - _prob_greater(a2, b2, a1, b1)
    elif smallest == b1:  # P(X₂ > X₁) = P(1 − X₁ > 1 − X₂), and 1 − X ~ Beta(b, a)
        value = _prob_greater(b2, a2, b1, a1)
    else:
        value = 1 - _prob_greater(b1, a1, b2, a2)
    return min(1.0, max(0.0, value))


@dataclass(frozen=True)
class BayesResult:
    successes_a: int
    trials_a: int
    successes_b: int
    trials_b: int
    prior: tuple[float, float]
    prob_b_beats_a: float
    loss_choosing_a: float  # expected conversion rate given up by choosing A if B is better
    loss_choosing_b: float


def bayes(
    successes_a: int,
    trials_a: int,
    successes_b: int,
    trials_b: int,
    *,
    prior: tuple[int, int] = (1, 1),
) -> BayesResult:
    """P(B > A) and the expected loss of each choice, with Beta(prior) priors, exactly."""
    _counts(successes_a, trials_a, "A")
    _counts(successes_b, trials_b, "B")
    a_a, b_a = prior[0] + successes_a, prior[1] + trials_a - successes_a
    a_b, b_b = prior[0] + successes_b, prior[1] + trials_b - successes_b
    p_b = _prob_beats(a_a, b_a, a_b, b_b)
    mean_a, mean_b = a_a / (a_a + b_a), a_b / (a_b + b_b)
    # E[max(p_A − p_B, 0)] = E[p_A]·P(A⁺ > B) − E[p_B]·P(A > B⁺), A⁺ ~ Beta(α_A + 1, β_A) …
    loss_b = mean_a * _prob_beats(a_b, b_b, a_a + 1, b_a) - mean_b * _prob_beats(
        a_b + 1, b_b, a_a, b_a
    )
    loss_a = mean_b * _prob_beats(a_a, b_a, a_b + 1, b_b) - mean_a * _prob_beats(
        a_a + 1, b_a, a_b, b_b
    )
    return BayesResult(
        successes_a,
        trials_a,
        successes_b,
        trials_b,
        (float(prior[0]), float(prior[1])),
        p_b,
        max(0.0, loss_a),
        max(0.0, loss_b),
    )
