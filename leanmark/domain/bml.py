# ruff: noqa: RUF003 (maths notation in comments)
"""The verdict of an experiment and the decision gate (docs/product.md §6). No Django here.

``analyse`` turns each variant's latest cumulative figures into a verdict: every treatment
against the control (z-test and exact Bayesian P(B > A) for conversions, Welch's t-test for
continuous metrics), Holm-corrected when there are several treatments, the plan's progress, the
sequential rule when the plan is sequential, and a plain-language reading.

``gate`` says what is wrong with a decision given that verdict: too early (the planned sample
is not reached and no sequential stop), or against the result. The service refuses a decision
with any issue unless a written override reason is given.
"""

from collections.abc import Sequence
from dataclasses import dataclass

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
    p_adjusted: float  # Holm (equal to p_value with one treatment)
    prob_beats_control: float | None  # Bayesian, conversions only
    loss_choosing_treatment: float | None
    loss_choosing_control: float | None
    significant: bool  # p_adjusted < α

    @property
    def direction(self) -> str:
        if not self.significant:
            return "none"
        return "better" if self.difference > 0 else "worse"


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
        """The evidence exists: the sample is complete, or the sequential rule stopped."""
        if self.outcome == NO_DATA:
            return False
        return self.sample_complete or (self.sequential is not None and self.sequential.stopped)


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


Raw = tuple[float, float, float, float, float, stats.BayesResult | None]


def _compare(control: VariantData, treatment: VariantData, metric_type: str, alpha: float) -> Raw:
    if metric_type == CONVERSION:
        won_t, won_c = treatment.successes or 0, control.successes or 0
        z = stats.two_proportion_ztest(won_t, treatment.trials, won_c, control.trials, alpha=alpha)
        bayes = stats.bayes(won_c, control.trials, won_t, treatment.trials)
        return (z.difference, z.ci_low, z.ci_high, z.z, z.p_value, bayes)
    t = stats.welch_ttest(
        treatment.mean or 0.0,
        treatment.sd or 0.0,
        treatment.trials,
        control.mean or 0.0,
        control.sd or 0.0,
        control.trials,
        alpha=alpha,
    )
    return (t.difference, t.ci_low, t.ci_high, t.t, t.p_value, None)


def analyse(
    metric_type: str,
    variants: Sequence[VariantData],
    *,
    alpha: float = stats.DEFAULT_ALPHA,
    planned_per_variant: int | None = None,
    sequential_n: int | None = None,
) -> Verdict:
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
            None, f"No result yet: no observations for {missing}.",
        )  # fmt: skip
    raw = [_compare(control, t, metric_type, alpha) for t in treatments]
    adjusted = stats.holm([r[4] for r in raw])
    comparisons = tuple(
        Comparison(
            treatment=t.name,
            control=control.name,
            difference=r[0],
            ci_low=r[1],
            ci_high=r[2],
            statistic=r[3],
            p_value=r[4],
            p_adjusted=p_adj,
            prob_beats_control=r[5].prob_b_beats_a if r[5] else None,
            loss_choosing_treatment=r[5].loss_choosing_b if r[5] else None,
            loss_choosing_control=r[5].loss_choosing_a if r[5] else None,
            significant=p_adj < alpha,
        )
        for t, r, p_adj in zip(treatments, raw, adjusted, strict=True)
    )
    sequential = None
    if sequential_n and metric_type == CONVERSION and len(treatments) == 1:
        sequential = stats.sequential_rule(
            treatments[0].successes or 0, control.successes or 0, sequential_n
        )
    complete = bool(planned_per_variant) and reached >= (planned_per_variant or 0)
    outcome, winner = _outcome(comparisons, sequential, complete)
    verdict = Verdict(
        metric_type, alpha, tuple(variants), comparisons, planned_per_variant, reached,
        sequential, outcome, winner, "",
    )  # fmt: skip
    notes = []
    if len(treatments) > 1:
        notes.append(f"{len(treatments)} treatments against one control: p-values Holm-corrected")
    if not planned_per_variant and not sequential_n:
        notes.append("no planned sample: set a plan so the gate knows when the evidence is in")
    return Verdict(
        metric_type, alpha, tuple(variants), comparisons, planned_per_variant, reached,
        sequential, outcome, winner, _reading(verdict), tuple(notes),
    )  # fmt: skip


def _outcome(
    comparisons: Sequence[Comparison], sequential: stats.SequentialState | None, complete: bool
) -> tuple[str, str | None]:
    if sequential is not None and sequential.outcome == "treatment_wins":
        return TREATMENT_BETTER, comparisons[0].treatment
    if sequential is not None and sequential.outcome == "no_winner" and not complete:
        return NO_DIFFERENCE, None
    if not complete:
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


def _reading(verdict: Verdict) -> str:
    best = _best(verdict)
    if best.prob_beats_control is not None:
        chance = best.prob_beats_control
        if chance >= 0.5:
            first = f"{best.treatment} beats {best.control} with {_chance(chance)} probability"
        else:
            first = f"{best.control} beats {best.treatment} with {_chance(1 - chance)} probability"
        first += f" (difference {best.difference * 100:+.1f} pp, {_p(best.p_adjusted)})"
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


@dataclass(frozen=True)
class GateIssue:
    code: str  # "too_early" or "against_evidence"
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
        issues.append(
            GateIssue(
                "too_early",
                f"Too early to decide: {why}. Looking before the planned sample inflates false "
                "positives.",
            )
        )
        return issues
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
