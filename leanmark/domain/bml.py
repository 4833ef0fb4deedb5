# ruff: noqa: RUF002, RUF003 (maths notation in docstrings and comments: ×, −, √)
"""The verdict of an experiment and the decision gate (docs/product.md §6). No Django here.

``analyse`` turns each variant's latest cumulative figures into a verdict: every treatment
against the control (z-test and exact Bayesian P(B > A) for conversions, Welch's t-test for
continuous metrics), Holm- or Benjamini-Hochberg-corrected when there are several treatments, the
plan's progress, the sequential rule or the always-valid mSPRT when the plan is sequential, and a
plain-language reading.

``schedule`` says what to do next: keep running (and how many days the planned sample still
needs at the traffic so far), or decide; and whether the planned end date has passed.

``gate`` says what is wrong with a decision given that verdict: too early (the planned sample
is not reached, no sequential stop and no always-valid p-value at α), or against the result.
The service refuses a decision with any issue unless a written override reason is given.
"""

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta

from . import stats

CONVERSION = "conversion"
CONTINUOUS = "continuous"

# outcomes
NO_DATA = "no_data"
INCONCLUSIVE = "inconclusive"  # the planned sample is not in yet
TREATMENT_BETTER = "treatment_better"
CONTROL_BETTER = "control_better"
NO_DIFFERENCE = "no_difference"

PERSEVERE, PIVOT, STOP = "persevere", "pivot", "stop"

# how the sample may be looked at: a fixed horizon, the simple sequential rule, or the mSPRT
FIXED, SIMPLE, MSPRT = "fixed", "simple", "msprt"


@dataclass(frozen=True)
class VariantData:
    name: str
    is_control: bool
    trials: int  # n for a continuous metric
    successes: int | None = None
    mean: float | None = None
    sd: float | None = None

    @property
    def rate(self) -> float | None:
        if self.successes is None or not self.trials:
            return None
        return self.successes / self.trials


@dataclass(frozen=True)
class Comparison:
    treatment: str
    control: str
    difference: float  # treatment − control (rate or mean)
    ci_low: float
    ci_high: float
    statistic: float  # z or t
    p_value: float
    p_adjusted: float  # corrected (Holm or BH; equal to the decisive p with one treatment)
    prob_beats_control: float | None  # Bayesian, conversions only
    loss_choosing_treatment: float | None
    loss_choosing_control: float | None
    significant: bool  # p_adjusted < α
    # a cell of the 2×2 table below 10: Fisher's exact p is computed, and it is the p that
    # decides (p_adjusted is Holm of it), the normal approximation being unreliable
    small_counts: bool = False
    fisher_p_value: float | None = None
    identical: bool = False  # the same rate (or mean) in both arms: no difference at all
    lift: stats.Lift | None = None  # relative: treatment ÷ control − 1, with its interval
    always_valid: stats.AlwaysValid | None = None  # the mSPRT, when the plan is always-valid

    @property
    def decisive_p(self) -> float:
        """The p-value the verdict rests on, before the correction: the always-valid p under
        an mSPRT plan, else Fisher's for small counts, else z/t."""
        if self.always_valid is not None:
            return self.always_valid.p_value
        return self.p_value if self.fisher_p_value is None else self.fisher_p_value

    @property
    def direction(self) -> str:
        if not self.significant:
            return "none"
        return "better" if self.difference > 0 else "worse"


SECONDARY, GUARDRAIL = "secondary", "guardrail"
INCREASE, DECREASE = "increase", "decrease"  # which way of the metric is good


@dataclass(frozen=True)
class MetricData:
    """A secondary or guardrail metric of the experiment with each variant's latest figures."""

    name: str
    role: str  # SECONDARY or GUARDRAIL
    metric_type: str  # CONVERSION or CONTINUOUS
    direction: str  # INCREASE or DECREASE: which way is good
    variants: tuple[VariantData, ...]
    # guardrails: how much worse (absolute, the metric's units) is still acceptable, ≥ 0
    tolerance: float = 0.0


@dataclass(frozen=True)
class MetricComparison:
    treatment: str
    control: str
    difference: float  # treatment − control, in the metric's units
    ci_low: float  # interval of the difference, level 1 − α
    ci_high: float
    p_value: float
    p_adjusted: float  # secondaries: corrected over every secondary comparison
    significant: bool
    broken: bool = False  # guardrails: the whole interval is worse than the tolerance

    def worse_by(self, direction: str) -> tuple[float, float, float]:
        """How much worse the treatment is (positive = worse), with the interval, in the
        metric's own units, whichever way is good."""
        if direction == INCREASE:
            return -self.difference, -self.ci_high, -self.ci_low
        return self.difference, self.ci_low, self.ci_high


@dataclass(frozen=True)
class MetricResult:
    name: str
    role: str
    metric_type: str
    direction: str
    tolerance: float
    comparisons: tuple[MetricComparison, ...]  # empty until every variant has figures
    missing: tuple[str, ...] = ()  # variants without figures yet

    @property
    def broken_for(self) -> tuple[str, ...]:
        """The treatments for which this guardrail is broken."""
        return tuple(c.treatment for c in self.comparisons if c.broken)


def _metric_comparisons(
    metric: MetricData, alpha: float, correction: str
) -> tuple[tuple[MetricComparison, ...], tuple[str, ...], list[float]]:
    controls = [v for v in metric.variants if v.is_control]
    minimum = 2 if metric.metric_type == CONTINUOUS else 1
    missing = tuple(v.name for v in metric.variants if v.trials < minimum)
    if len(controls) != 1 or missing:
        return (), missing, []
    control = controls[0]
    found = []
    for treatment in (v for v in metric.variants if not v.is_control):
        raw = _compare(control, treatment, metric.metric_type, alpha)
        found.append((treatment.name, raw))
    result = []
    for name, raw in found:
        comparison = MetricComparison(
            name, control.name, raw.difference, raw.ci_low, raw.ci_high, raw.p_value,
            raw.p_value, raw.p_value < alpha and not raw.identical,
        )  # fmt: skip
        if metric.role == GUARDRAIL:
            _, low, _ = comparison.worse_by(metric.direction)
            comparison = replace(comparison, broken=low > metric.tolerance)
        result.append(comparison)
    return tuple(result), (), [raw.p_value for _, raw in found]


def analyse_metrics(
    metrics: Sequence[MetricData], *, alpha: float = stats.DEFAULT_ALPHA, correction: str = "holm"
) -> tuple[MetricResult, ...]:
    """Each secondary and guardrail metric, every treatment against the control (z-test or
    Welch, fixed horizon). Secondaries' p-values are corrected together, over every secondary
    comparison; a guardrail is not corrected (a correction would make harm harder to see) and
    is broken for a treatment when the whole (1 − α) interval of how much worse it is lies
    beyond the tolerance."""
    computed = [(m, *_metric_comparisons(m, alpha, correction)) for m in metrics]
    secondary = [p for m, _, _, ps in computed if m.role == SECONDARY for p in ps]
    adjusted = iter(stats.adjust(secondary, correction)) if len(secondary) > 1 else None
    results = []
    for metric, comparisons, missing, _ in computed:
        if metric.role == SECONDARY and adjusted is not None:
            comparisons = tuple(
                replace(c, p_adjusted=(q := next(adjusted)), significant=q < alpha)
                for c in comparisons
            )
        results.append(
            MetricResult(
                metric.name,
                metric.role,
                metric.metric_type,
                metric.direction,
                metric.tolerance,
                comparisons,
                missing,
            )
        )
    return tuple(results)


@dataclass(frozen=True)
class Verdict:
    metric_type: str
    alpha: float
    variants: tuple[VariantData, ...]
    comparisons: tuple[Comparison, ...]
    planned_per_variant: int | None
    reached_per_variant: int  # the smallest n among the variants
    sequential: stats.SequentialState | None
    outcome: str
    winner: str | None  # the best treatment when the outcome is treatment_better
    reading: str
    notes: tuple[str, ...] = ()
    ratio: stats.RatioCheck | None = None  # sample-ratio mismatch check of the arms' sizes
    method: str = FIXED  # FIXED, SIMPLE or MSPRT: how the sample may be looked at
    correction: str = stats.HOLM  # with several comparisons
    metrics: tuple[MetricResult, ...] = ()  # secondary and guardrail metrics

    def broken_guardrails(self, treatment: str | None) -> tuple[MetricResult, ...]:
        """The guardrails this treatment breaks."""
        return tuple(m for m in self.metrics if treatment and treatment in m.broken_for)

    @property
    def correction_name(self) -> str:
        return stats.CORRECTION_NAMES[self.correction]

    @property
    def always_valid_crossed(self) -> bool:
        """Under an mSPRT plan: a comparison's corrected always-valid p-value reached α."""
        return self.method == MSPRT and any(c.significant for c in self.comparisons)

    @property
    def small_counts(self) -> bool:
        return any(c.small_counts for c in self.comparisons)

    @property
    def identical(self) -> bool:
        """Every treatment has exactly the control's rate (or mean)."""
        return bool(self.comparisons) and all(c.identical for c in self.comparisons)

    @property
    def progress(self) -> float | None:
        if not self.planned_per_variant:
            return None
        return self.reached_per_variant / self.planned_per_variant

    @property
    def sample_complete(self) -> bool:
        return bool(self.planned_per_variant) and (
            self.reached_per_variant >= (self.planned_per_variant or 0)
        )

    @property
    def may_decide(self) -> bool:
        """The evidence exists: the sample is complete, the sequential rule stopped, or the
        always-valid p-value reached α."""
        if self.outcome == NO_DATA:
            return False
        return (
            self.sample_complete
            or (self.sequential is not None and self.sequential.stopped)
            or self.always_valid_crossed
        )


def _pct(value: float) -> str:
    return f"{value * 100:.0f} %"


def _chance(value: float) -> str:
    """A probability as people read it: never "100 %" or "0 %" for what is only nearly so."""
    if value > 0.999:
        return "more than 99.9 %"
    if value > 0.99:
        return f"{value * 100:.1f} %"
    return _pct(value)


def _p(value: float) -> str:
    return "p < 0.001" if value < 0.001 else f"p = {value:.3f}"


@dataclass(frozen=True)
class Raw:
    difference: float
    ci_low: float
    ci_high: float
    statistic: float
    p_value: float
    bayes: stats.BayesResult | None = None
    fisher: stats.FisherTest | None = None
    identical: bool = False
    lift: stats.Lift | None = None

    @property
    def decisive_p(self) -> float:
        return self.p_value if self.fisher is None else self.fisher.p_value


def _estimate(
    control: VariantData, treatment: VariantData, metric_type: str
) -> tuple[float, float, float] | None:
    """One look's difference, the variance tested (pooled for rates, as the z-test) and the
    unpooled variance for the interval; None when an arm has too few observations yet."""
    if metric_type == CONVERSION:
        if treatment.trials < 1 or control.trials < 1:
            return None
        won_t, won_c = treatment.successes or 0, control.successes or 0
        rate_t, rate_c = won_t / treatment.trials, won_c / control.trials
        pooled = (won_t + won_c) / (treatment.trials + control.trials)
        tested = pooled * (1 - pooled) * (1 / treatment.trials + 1 / control.trials)
        spread = rate_t * (1 - rate_t) / treatment.trials + rate_c * (1 - rate_c) / control.trials
        return rate_t - rate_c, tested, spread
    if treatment.trials < 2 or control.trials < 2:
        return None
    spread = (treatment.sd or 0.0) ** 2 / treatment.trials + (
        control.sd or 0.0
    ) ** 2 / control.trials
    return (treatment.mean or 0.0) - (control.mean or 0.0), spread, spread


def _always_valid(
    looks: Sequence[Sequence[VariantData]],
    control: str,
    treatment: str,
    metric_type: str,
    tau: float,
    alpha: float,
) -> stats.AlwaysValid | None:
    """The mSPRT over the looks (each variant's cumulative figures on each date, in order)."""
    differences, variances = [], []
    spread = 0.0
    for look in looks:
        by_name = {v.name: v for v in look}
        if control not in by_name or treatment not in by_name:
            continue
        found = _estimate(by_name[control], by_name[treatment], metric_type)
        if found is not None:
            differences.append(found[0])
            variances.append(found[1])
            spread = found[2]
    if not differences:
        return None
    return stats.always_valid_p(
        differences, variances, tau=tau, alpha=alpha, interval_variance=spread
    )


def _compare(control: VariantData, treatment: VariantData, metric_type: str, alpha: float) -> Raw:
    if metric_type == CONVERSION:
        won_t, won_c = treatment.successes or 0, control.successes or 0
        z = stats.two_proportion_ztest(won_t, treatment.trials, won_c, control.trials, alpha=alpha)
        bayes = stats.bayes(won_c, control.trials, won_t, treatment.trials)
        fisher = None
        if stats.small_counts(won_t, treatment.trials, won_c, control.trials):
            fisher = stats.fisher_exact(won_t, treatment.trials, won_c, control.trials)
        same = won_t * control.trials == won_c * treatment.trials  # equal rates, exactly
        rate_t, rate_c = won_t / treatment.trials, won_c / control.trials
        lift = stats.relative_lift(
            rate_t,
            rate_t * (1 - rate_t) / treatment.trials,
            rate_c,
            rate_c * (1 - rate_c) / control.trials,
            alpha=alpha,
        )
        return Raw(z.difference, z.ci_low, z.ci_high, z.z, z.p_value, bayes, fisher, same, lift)
    t = stats.welch_ttest(
        treatment.mean or 0.0,
        treatment.sd or 0.0,
        treatment.trials,
        control.mean or 0.0,
        control.sd or 0.0,
        control.trials,
        alpha=alpha,
    )
    lift = stats.relative_lift(
        treatment.mean or 0.0,
        (treatment.sd or 0.0) ** 2 / treatment.trials,
        control.mean or 0.0,
        (control.sd or 0.0) ** 2 / control.trials,
        alpha=alpha,
    )
    return Raw(
        t.difference, t.ci_low, t.ci_high, t.t, t.p_value, identical=t.difference == 0, lift=lift
    )


def analyse(
    metric_type: str,
    variants: Sequence[VariantData],
    *,
    alpha: float = stats.DEFAULT_ALPHA,
    planned_per_variant: int | None = None,
    sequential_n: int | None = None,
    msprt_tau: float | None = None,
    looks: Sequence[Sequence[VariantData]] = (),
    correction: str = stats.HOLM,
    metrics: Sequence[MetricData] = (),
) -> Verdict:
    """``sequential_n``: the simple rule's N. ``msprt_tau``: an always-valid (mSPRT) plan with
    this mixing standard deviation, over ``looks`` (every date's cumulative figures, oldest
    first; the latest ``variants`` alone when empty). ``metrics``: the secondary and guardrail
    metrics, analysed beside the primary (``analyse_metrics``); a broken guardrail vetoes a
    win in the gate."""
    extra = analyse_metrics(metrics, alpha=alpha, correction=correction)
    method = MSPRT if msprt_tau else SIMPLE if sequential_n else FIXED
    controls = [v for v in variants if v.is_control]
    treatments = [v for v in variants if not v.is_control]
    if len(controls) != 1 or not treatments:
        raise stats.StatsInputError(
            "an experiment needs exactly one control and at least one treatment", field="variants"
        )
    control = controls[0]
    reached = min(v.trials for v in variants)
    minimum = 2 if metric_type == CONTINUOUS else 1
    if reached < minimum:
        missing = ", ".join(v.name for v in variants if v.trials < minimum)
        return Verdict(
            metric_type, alpha, tuple(variants), (), planned_per_variant, reached, None, NO_DATA,
            None, f"No result yet: no observations for {missing}.", method=method,
            correction=correction, metrics=extra,
        )  # fmt: skip
    raw = [_compare(control, t, metric_type, alpha) for t in treatments]
    valid: list[stats.AlwaysValid | None] = [None] * len(treatments)
    if msprt_tau:
        history = list(looks) or [variants]
        valid = [
            _always_valid(history, control.name, t.name, metric_type, msprt_tau, alpha)
            for t in treatments
        ]
        # the always-valid p decides; Fisher's exact test answers a fixed-horizon question
        raw = [replace(r, fisher=None) for r in raw]
    decisive = [r.decisive_p if v is None else v.p_value for r, v in zip(raw, valid, strict=True)]
    adjusted = stats.adjust(decisive, correction)
    comparisons = tuple(
        Comparison(
            treatment=t.name,
            control=control.name,
            difference=r.difference,
            ci_low=r.ci_low,
            ci_high=r.ci_high,
            statistic=r.statistic,
            p_value=r.p_value,
            p_adjusted=p_adj,
            prob_beats_control=r.bayes.prob_b_beats_a if r.bayes else None,
            loss_choosing_treatment=r.bayes.loss_choosing_b if r.bayes else None,
            loss_choosing_control=r.bayes.loss_choosing_a if r.bayes else None,
            significant=(p_adj <= alpha if v is not None else p_adj < alpha) and not r.identical,
            small_counts=r.fisher is not None,
            fisher_p_value=r.fisher.p_value if r.fisher else None,
            identical=r.identical,
            lift=r.lift,
            always_valid=v,
        )
        for t, r, p_adj, v in zip(treatments, raw, adjusted, valid, strict=True)
    )
    sequential = None
    if sequential_n and metric_type == CONVERSION and len(treatments) == 1:
        sequential = stats.sequential_rule(
            treatments[0].successes or 0, control.successes or 0, sequential_n
        )
    complete = bool(planned_per_variant) and reached >= (planned_per_variant or 0)
    outcome, winner = _outcome(comparisons, sequential, complete, always_valid=method == MSPRT)
    verdict = Verdict(
        metric_type, alpha, tuple(variants), comparisons, planned_per_variant, reached,
        sequential, outcome, winner, "", method=method, correction=correction,
    )  # fmt: skip
    notes = []
    if any(c.small_counts for c in comparisons):
        notes.append(
            f"fewer than {stats.SMALL_CELL} successes or failures in an arm: Fisher's exact test "
            "decides, the z-test's normal approximation being unreliable"
        )
    if len(treatments) > 1:
        notes.append(
            f"{len(treatments)} comparisons against one control: p-values "
            f"{stats.CORRECTION_NAMES[correction]}-corrected"
        )
    if method == MSPRT:
        notes.append(
            f"always-valid test (mSPRT, normal mixture τ = {msprt_tau:g}): its p-value stays "
            "valid however often the figures are looked at, so the test may stop as soon as it "
            f"reaches α = {alpha:g}"
        )
    if not planned_per_variant and not sequential_n:
        notes.append("no planned sample: set a plan so the gate knows when the evidence is in")
    ratio = stats.sample_ratio([v.trials for v in variants])
    if ratio is not None and ratio.mismatch:
        sizes = ", ".join(f"{v.name} {v.trials:,}" for v in variants)
        notes.insert(
            0,
            f"sample-ratio mismatch: the arms should be equal but are {sizes} (chi-square "
            f"p = {ratio.p_value:.2g} < {stats.SRM_ALPHA:g}); the split is broken (tracking, "
            "targeting or assignment), so the comparison cannot be trusted until it is fixed",
        )
    for metric in extra:
        for comparison in (c for c in metric.comparisons if c.broken):
            notes.insert(
                0,
                f"guardrail {metric.name} is broken for {comparison.treatment}: it is worse by "
                "more than the tolerance, so a win of that treatment needs a written reason",
            )
    return Verdict(
        metric_type, alpha, tuple(variants), comparisons, planned_per_variant, reached,
        sequential, outcome, winner, _reading(verdict), tuple(notes), ratio, method, correction,
        extra,
    )  # fmt: skip


def _outcome(
    comparisons: Sequence[Comparison],
    sequential: stats.SequentialState | None,
    complete: bool,
    *,
    always_valid: bool = False,
) -> tuple[str, str | None]:
    """``always_valid``: every look is valid (mSPRT), so a significant comparison counts before
    the planned sample; without one, the test is inconclusive until that sample is in."""
    if sequential is not None and sequential.outcome == "treatment_wins":
        return TREATMENT_BETTER, comparisons[0].treatment
    if sequential is not None and sequential.outcome == "no_winner" and not complete:
        return NO_DIFFERENCE, None
    if not complete and not (always_valid and any(c.significant for c in comparisons)):
        return INCONCLUSIVE, None
    better = [c for c in comparisons if c.direction == "better"]
    if better:
        return TREATMENT_BETTER, max(better, key=lambda c: c.difference).treatment
    if any(c.direction == "worse" for c in comparisons):
        return CONTROL_BETTER, None
    return NO_DIFFERENCE, None


def _best(verdict: Verdict) -> Comparison:
    if verdict.winner:
        return next(c for c in verdict.comparisons if c.treatment == verdict.winner)
    if verdict.metric_type == CONVERSION:
        return max(verdict.comparisons, key=lambda c: c.prob_beats_control or 0.0)
    return min(verdict.comparisons, key=lambda c: c.p_adjusted)


def _p_of(comparison: Comparison) -> str:
    """The p the verdict rests on, named: "p = 0.159", "Fisher's exact p = 0.204", or
    "always-valid p = 0.012"."""
    text = _p(comparison.p_adjusted)
    if comparison.always_valid is not None:
        return f"always-valid {text}"
    return f"Fisher's exact {text}" if comparison.small_counts else text


def _reading(verdict: Verdict) -> str:
    best = _best(verdict)
    if verdict.identical:
        control = verdict.comparisons[0].control
        others = ", ".join(c.treatment for c in verdict.comparisons)
        what = "rate" if verdict.metric_type == CONVERSION else "mean"
        first = f"No difference: {others} and {control} have exactly the same {what}"
    elif best.prob_beats_control is not None:
        chance = best.prob_beats_control
        if chance >= 0.5:
            first = f"{best.treatment} beats {best.control} with {_chance(chance)} probability"
        else:
            first = f"{best.control} beats {best.treatment} with {_chance(1 - chance)} probability"
        first += f" (difference {best.difference * 100:+.1f} pp, {_p_of(best)})"
    else:
        first = (
            f"{best.treatment}'s mean is {best.difference:+.3g} against {best.control} "
            f"({_p(best.p_adjusted)})"
        )
    if verdict.sequential is not None and verdict.sequential.stopped:
        stop = (
            "stop: the treatment wins"
            if verdict.sequential.outcome == "treatment_wins"
            else "stop: no winner"
        )
        second = f"the sequential rule says {stop} ({verdict.sequential.explanation})"
    elif verdict.always_valid_crossed and not verdict.sample_complete:
        second = (
            f"the always-valid p-value reached α = {verdict.alpha:g} before the planned sample "
            f"({_pct(min(verdict.progress or 0.0, 1.0))} collected)"
        )
    elif verdict.progress is not None:
        second = f"the planned sample is {_pct(min(verdict.progress, 1.0))} collected"
    else:
        second = "no sample is planned"
    advice = {
        INCONCLUSIVE: "keep running",
        TREATMENT_BETTER: f"the evidence favours {verdict.winner}: persevere",
        CONTROL_BETTER: "the treatment did worse: pivot or stop",
        NO_DIFFERENCE: "no difference was found: pivot or stop",
    }[verdict.outcome]
    if verdict.outcome == INCONCLUSIVE and verdict.progress is None:
        advice = "plan a sample size before deciding"
    return f"{first}; {second} — {advice}."


# ---------------------------------------------------------------------------------------------
# What to do next: the days to the planned sample at the traffic so far

NO_FIGURES, NO_PLAN, KEEP_RUNNING, READY = "no_figures", "no_plan", "keep_running", "ready"


def days_to_sample(remaining: int, reached: int, days_observed: int) -> int:
    """Whole days until ``remaining`` more per variant arrive, at the ``reached`` per variant of
    ``days_observed`` days so far: ⌈remaining × days ÷ reached⌉ (integer arithmetic, exact)."""
    if remaining <= 0:
        return 0
    if reached <= 0 or days_observed <= 0:
        raise stats.StatsInputError("no traffic yet to project from", field="trials")
    return -(-remaining * days_observed // reached)


@dataclass(frozen=True)
class Schedule:
    step: str  # no_figures, no_plan, keep_running or ready
    today: date
    planned_per_variant: int | None
    reached_per_variant: int
    remaining_per_variant: int | None
    days_observed: int | None  # the start date to the latest figures, both included
    per_day: float | None  # reached ÷ days observed: the slowest variant's traffic a day
    projected: date | None  # when the planned sample is in at that traffic
    days_left: int | None  # from today to ``projected``, 0 when it should be in by now
    planned_end: date | None
    end_passed: bool  # the planned end date is before today and no decision was taken

    @property
    def overdue(self) -> bool:
        """At the traffic so far the planned sample should be in already: figures are missing."""
        return self.projected is not None and self.projected <= self.today

    @property
    def after_end(self) -> bool:
        """The sample will come in after the planned end date."""
        return bool(self.projected and self.planned_end and self.projected > self.planned_end)


def schedule(
    verdict: Verdict,
    *,
    today: date,
    start: date | None,
    latest: date | None,
    planned_end: date | None = None,
) -> Schedule:
    """What to do next and, while the sample is being collected, how many days it still needs at
    the traffic observed from ``start`` to the ``latest`` figures (``today`` is a parameter)."""
    planned = verdict.planned_per_variant
    reached = verdict.reached_per_variant
    if verdict.outcome == NO_DATA:
        step = NO_FIGURES
    elif verdict.may_decide:
        step = READY
    elif not planned:
        step = NO_PLAN
    else:
        step = KEEP_RUNNING
    days = (latest - start).days + 1 if start and latest and latest >= start else None
    per_day = reached / days if days and reached else None
    remaining = max(0, planned - reached) if planned else None
    projected = days_left = None
    if step == KEEP_RUNNING and days and reached and latest and remaining is not None:
        projected = latest + timedelta(days=days_to_sample(remaining, reached, days))
        days_left = max(0, (projected - today).days)
    return Schedule(
        step, today, planned, reached, remaining, days, per_day, projected, days_left,
        planned_end, bool(planned_end and planned_end < today),
    )  # fmt: skip


@dataclass(frozen=True)
class GateIssue:
    code: str  # too_early, against_evidence, sample_ratio_mismatch or guardrail_broken
    message: str


def gate(verdict: Verdict, decision: str) -> list[GateIssue]:
    """What stands between this decision and the evidence; empty when the gate opens."""
    issues: list[GateIssue] = []
    if not verdict.may_decide:
        if verdict.outcome == NO_DATA:
            why = "there are no observations yet"
        elif not verdict.planned_per_variant:
            why = "no sample size was planned"
        else:
            why = (
                f"the planned sample is not reached ({verdict.reached_per_variant:,} of "
                f"{verdict.planned_per_variant:,} per variant, "
                f"{_pct(min(verdict.progress or 0.0, 1.0))})"
            )
            if verdict.sequential is not None:
                why += " and the sequential rule has not stopped"
            if verdict.method == MSPRT and verdict.comparisons:
                smallest = min(c.p_adjusted for c in verdict.comparisons)
                why += (
                    f" and the always-valid p-value ({_p(smallest)}) is above α = {verdict.alpha:g}"
                )
        after = (
            "You may keep looking: the always-valid test opens the gate as soon as its p-value "
            "reaches α, or at the planned sample."
            if verdict.method == MSPRT
            else "Looking before the planned sample inflates false positives."
        )
        issues.append(GateIssue("too_early", f"Too early to decide: {why}. {after}"))
        return issues
    if decision == PERSEVERE and verdict.ratio is not None and verdict.ratio.mismatch:
        issues.append(
            GateIssue(
                "sample_ratio_mismatch",
                "Persevering on a broken split: the arms' sizes do not fit the planned equal "
                f"split (chi-square p = {verdict.ratio.p_value:.2g}), so the result may come "
                "from who was counted, not from the change. Fix the split, or say why the "
                "result holds anyway.",
            )
        )
    broken = verdict.broken_guardrails(verdict.winner)
    if decision == PERSEVERE and verdict.outcome == TREATMENT_BETTER and broken:
        issues.append(GateIssue("guardrail_broken", _veto(verdict, broken)))
    if decision == PERSEVERE and verdict.outcome in (CONTROL_BETTER, NO_DIFFERENCE):
        what = "the treatment did worse" if verdict.outcome == CONTROL_BETTER else "no difference"
        issues.append(
            GateIssue(
                "against_evidence",
                f"Persevering goes against the evidence: {what} was found.",
            )
        )
    if decision in (PIVOT, STOP) and verdict.outcome == TREATMENT_BETTER:
        issues.append(
            GateIssue(
                "against_evidence",
                f"To {decision} goes against the evidence: {verdict.winner} beat the control.",
            )
        )
    return issues


def _veto(verdict: Verdict, broken: Sequence[MetricResult]) -> str:
    parts = []
    for metric in broken:
        comparison = next(c for c in metric.comparisons if c.treatment == verdict.winner)
        worse, low, high = comparison.worse_by(metric.direction)
        scale, unit = (100, " pp") if metric.metric_type == CONVERSION else (1, "")
        parts.append(
            f"{metric.name} is worse by {worse * scale:.3g}{unit} (interval {low * scale:.3g} to "
            f"{high * scale:.3g}{unit}), beyond the {metric.tolerance * scale:.3g}{unit} it may "
            "get worse"
        )
    return (
        f"Persevering on a win that breaks a guardrail: with {verdict.winner}, "
        + "; ".join(parts)
        + ". Fix the harm, or say why the win is worth it."
    )
