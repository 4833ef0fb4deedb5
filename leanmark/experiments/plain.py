"""The result page's plain language (docs/product.md §6): what to do next, the verdict in words
that reconcile the p-value with the Bayesian chance, and a one-line meaning of each statistic.
The maths stays one click away, in the page's "How this is computed".

Every number and date is written by leanmark/lib/formats.py; the figures come from the domain
(``bml.Verdict`` and ``bml.Schedule``), nothing is computed here but words.
"""

from dataclasses import dataclass

from leanmark.domain import bml, stats
from leanmark.lib import formats


@dataclass(frozen=True)
class Meaning:
    term: str  # what the page shows in bold: "p = 0.053", "99 % chance"
    text: str  # what it means, read after the term: ": if the change did nothing, …"


@dataclass(frozen=True)
class Reading:
    step: str  # bml.NO_FIGURES, NO_PLAN, KEEP_RUNNING, READY, or "" once decided
    next_step: str  # what to do first, in words
    end_passed: str  # the planned end date has passed (empty when it has not)
    finding: str  # the verdict, reconciling p and the Bayesian chance
    small_counts: str  # the warning with Fisher's p (empty when the counts are large enough)
    looking: str  # what the plan allows: looking any time (mSPRT), or only at the planned sample
    correction: str  # which correction and for how many comparisons (empty with one)
    meanings: tuple[tuple[str, tuple[Meaning, ...]], ...]  # per comparison: title, meanings
    guardrails: tuple[str, ...] = ()  # each broken guardrail, in words

    @property
    def headline(self) -> str:
        return " ".join(t for t in (self.next_step, self.end_passed, self.finding) if t)


def p_text(p: float) -> str:
    """A p-value as the pages write it: "p = 0.053", "p < 0.001"."""
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def one_in(p: float) -> str:
    """How often chance alone gives such a difference: 0.053 → "about 1 time in 19"."""
    if p < 0.001:
        return "fewer than 1 time in 1,000"
    if p >= 0.995:
        return "nearly every time" if p < 1 else "every time"
    if p >= 0.2:  # 0.434 → "about 4 times in 10" (1 in 2.3 would read as a coin toss)
        return f"about {formats.whole(p * 10)} times in 10"
    return f"about 1 time in {formats.whole(1 / p)}"


def chance(share: float) -> str:
    """A probability as people read it: never "100 %" or "0 %" for what is only nearly so."""
    if share > 0.999:
        return "more than 99.9 %"
    if share < 0.001:
        return "less than 0.1 %"
    if share > 0.99 or share < 0.01:
        return formats.percent(share, 1)
    return formats.percent(share, 0)


def _value(verdict: bml.Verdict, name: str) -> str:
    variant = next(v for v in verdict.variants if v.name == name)
    if verdict.metric_type == bml.CONVERSION:
        return formats.percent(variant.rate)
    return formats.number(variant.mean)


def _difference(verdict: bml.Verdict, c: bml.Comparison) -> str:
    if verdict.metric_type == bml.CONVERSION:
        return formats.points(c.difference)
    return formats.signed(c.difference)


def _decisive(verdict: bml.Verdict, c: bml.Comparison) -> str:
    """The p the verdict rests on, named: "Fisher's exact p = 0.204", "p = 0.02 after Holm",
    "always-valid p = 0.012"."""
    text = p_text(c.p_adjusted)
    if c.always_valid is not None:
        text = f"always-valid {text}"
    elif c.small_counts:
        text = f"Fisher's exact {text}"
    if len(verdict.comparisons) > 1:
        text += (
            f" after the {verdict.correction_name} correction for "
            f"{len(verdict.comparisons)} comparisons"
        )
    return text


def _best(verdict: bml.Verdict) -> bml.Comparison:
    if verdict.winner:
        return next(c for c in verdict.comparisons if c.treatment == verdict.winner)
    if verdict.metric_type == bml.CONVERSION:
        return max(verdict.comparisons, key=lambda c: abs((c.prob_beats_control or 0.5) - 0.5))
    return min(verdict.comparisons, key=lambda c: c.p_adjusted)


def finding(verdict: bml.Verdict) -> str:
    """The verdict in one or two sentences, the p-value and the chance agreeing in words."""
    if verdict.outcome == bml.NO_DATA or not verdict.comparisons:
        return verdict.reading
    conversion = verdict.metric_type == bml.CONVERSION
    control = verdict.comparisons[0].control
    if verdict.identical:
        treatments = [c.treatment for c in verdict.comparisons]
        who = f"{treatments[0]} and {control}" if len(treatments) == 1 else "every variant"
        verb = "convert at" if conversion else "average"
        return f"No difference: {who} both {verb} {_value(verdict, control)}."
    best = _best(verdict)
    treatment = best.treatment
    yet = "" if verdict.sample_complete else " yet"
    figures = (
        f"{_value(verdict, treatment)} against {_value(verdict, control)} "
        f"({_difference(verdict, best)})"
    )
    p = best.p_adjusted
    level = formats.percent(verdict.alpha, 0)
    if best.significant:
        word = "better" if best.difference > 0 else "worse"
        what = (
            f"converts {word}"
            if conversion
            else f"averages {'higher' if word == 'better' else 'lower'}"
        )
        text = (
            f"{treatment} {what} than {control}: {figures}. The evidence is clear at the {level} "
            f"level you planned: if the change did nothing, a difference this large would turn "
            f"up {one_in(p)} ({_decisive(verdict, best)})"
        )
        if best.prob_beats_control is not None:
            share = best.prob_beats_control if word == "better" else 1 - best.prob_beats_control
            text += f", and there is a {chance(share)} chance that {treatment} is {word}"
        return text + "."
    if best.prob_beats_control is not None and abs(best.prob_beats_control - 0.5) >= 0.4:
        leader, other = (treatment, control) if best.difference > 0 else (control, treatment)
        lead = max(best.prob_beats_control, 1 - best.prob_beats_control)
        text = (
            f"{leader} looks better than {other} ({chance(lead)} chance), but not clearly{yet}: "
            f"{figures}, and a difference this large would turn up {one_in(p)} even if the "
            f"change did nothing ({_decisive(verdict, best)}, above the "
            f"{formats.number(verdict.alpha)} you planned)."
        )
    else:
        verb = "converts at" if conversion else "averages"
        text = (
            f"No clear difference{yet}: {treatment} {verb} {figures}; "
            f"a difference this large would turn up {one_in(p)} even if the change did nothing "
            f"({_decisive(verdict, best)})"
        )
        if best.prob_beats_control is not None:
            text += (
                f", and the chance that {treatment} is better is {chance(best.prob_beats_control)}"
            )
        text += "."
    if verdict.sample_complete:
        text += " At the planned sample, that counts as no difference."
    return text


def next_step(verdict: bml.Verdict, schedule: bml.Schedule, *, draft: bool = False) -> str:
    """What to do first, in words: keep running (so many days), or decide."""
    planned, reached = schedule.planned_per_variant, schedule.reached_per_variant
    if schedule.step == bml.NO_FIGURES:
        if draft:
            return "Start running, then enter the first figures: nothing is observed yet."
        return "Enter the first figures: nothing is observed yet."
    if schedule.step == bml.NO_PLAN:
        return (
            "Plan a sample size before deciding: without one there is no telling when the "
            "evidence is in."
        )
    if schedule.step == bml.READY:
        if verdict.sample_complete:
            return (
                f"Ready to decide: the planned sample is reached ({formats.whole(reached)} of "
                f"{formats.whole(planned)} per variant)."
            )
        if verdict.always_valid_crossed:
            return (
                "Ready to decide: the always-valid p-value reached α = "
                f"{formats.number(verdict.alpha)} before the planned sample "
                f"({formats.whole(reached)} of {formats.whole(planned)} per variant), and it "
                "stays valid however often "
                "the figures were looked at."
            )
        stop = "the treatment wins"
        if verdict.sequential is not None and verdict.sequential.outcome == "no_winner":
            stop = "no winner"
        return f"Ready to decide: the sequential rule stopped early ({stop})."
    so_far = f"{formats.whole(reached)} of {formats.whole(planned)} per variant so far"
    if schedule.days_left is None:
        return (
            f"Keep running: {formats.whole(schedule.remaining_per_variant)} more per variant to "
            f"the planned sample ({so_far})."
        )
    if schedule.overdue:
        return (
            "Keep running: at the traffic so far the planned sample should be in by now — "
            f"enter the latest figures ({so_far})."
        )
    per_day = schedule.per_day or 0.0
    # a whole number of visitors a day from 10 up (146, not 146.3)
    traffic = formats.whole(per_day) if per_day >= 10 else formats.number(per_day)
    text = (
        f"Keep running: {formats.count(schedule.days_left, 'more day')} to the planned sample "
        f"(about {formats.day(schedule.projected)}, at {traffic} per variant a day; {so_far})."
    )
    if schedule.after_end and not schedule.end_passed:
        text += (
            f" Low-powered: that is after the planned end date, "
            f"{formats.day(schedule.planned_end)}, so at this traffic the planned effect cannot "
            "be detected by then; extend the test or send it more traffic."
        )
    if verdict.sequential is not None:
        text += " The sequential rule may stop it sooner."
    if verdict.method == bml.MSPRT:
        text += " The always-valid test may stop it any day its p-value reaches α."
    return text


def _tau(verdict: bml.Verdict, tau: float) -> str:
    """τ in the metric's units: points for a rate (0.05 is 5 pp), the number otherwise."""
    if verdict.metric_type == bml.CONVERSION:
        return f"{formats.number(round(tau * 100, 2))} pp"
    return formats.number(tau)


def looking(verdict: bml.Verdict, *, tau: float | None = None) -> str:
    """What the plan allows in plain words: look any time (mSPRT), or wait for the sample."""
    if verdict.method == bml.MSPRT:
        level = formats.number(verdict.alpha)
        return (
            "You may look any time. This test is always valid (mSPRT): its p-value stays "
            "honest however often you check the figures — daily, hourly — so you may stop "
            f"and decide as soon as it reaches {level}. If it never does, decide at the planned "
            "sample: the effect you planned for is then unlikely. The price of looking freely "
            "is a larger planned sample than a fixed-horizon test needs."
            + (f" It is tuned for effects of about {_tau(verdict, tau)} (τ)." if tau else "")
        )
    if verdict.method == bml.SIMPLE:
        return (
            "You may look at every conversion: the simple sequential rule stops for the "
            "treatment when it leads by 2√N conversions, and with no winner at N."
        )
    return (
        "Fixed horizon: judge the result only at the planned sample. Looking earlier and "
        "stopping on a good day inflates false positives."
    )


def _change(metric: bml.MetricResult, value: float) -> str:
    if metric.metric_type == bml.CONVERSION:
        return f"{formats.number(round(value * 100, 2))} pp"
    return formats.number(round(value, 4))


def guardrails(verdict: bml.Verdict) -> tuple[str, ...]:
    """Each broken guardrail in words: which treatment, how much worse, and the tolerance."""
    lines = []
    for metric in verdict.metrics:
        for c in (c for c in metric.comparisons if c.broken):
            worse, low, high = c.worse_by(metric.direction)
            lines.append(
                f"Guardrail broken: {metric.name} is worse with {c.treatment} than with "
                f"{c.control} by {_change(metric, worse)} (interval {_change(metric, low)} to "
                f"{_change(metric, high)}), beyond the {_change(metric, metric.tolerance)} it "
                f"may get worse. Persevering on {c.treatment} needs a written reason."
            )
    return tuple(lines)


def correction(verdict: bml.Verdict) -> str:
    """Which correction is applied, and to how many comparisons (empty with one)."""
    many = len(verdict.comparisons)
    if many < 2:
        return ""
    what = (
        "keeps the chance of any false winner at α"
        if verdict.correction == stats.HOLM
        else "keeps the expected share of false winners among the winners at α"
    )
    return (
        f"{many} comparisons against the control: p-values are adjusted by the "
        f"{verdict.correction_name} correction, which {what}."
    )


def small_counts(verdict: bml.Verdict) -> str:
    small = [c for c in verdict.comparisons if c.small_counts]
    if not small:
        return ""
    tests = "; ".join(
        f"{p_text(c.fisher_p_value or 0.0)} for {c.treatment} against {c.control}" for c in small
    )
    return (
        f"Small counts: an arm has fewer than {stats.SMALL_CELL} successes or failures, so the "
        f"normal approximation behind the z-test is unreliable. Fisher's exact test gives {tests}, "
        "and the verdict rests on it."
    )


def meanings(verdict: bml.Verdict, c: bml.Comparison) -> tuple[Meaning, ...]:
    """Each statistic of one comparison with what it means, one line each."""
    conversion = verdict.metric_type == bml.CONVERSION
    verb = "converts at" if conversion else "averages"
    rows = [
        Meaning(
            f"Difference {_difference(verdict, c)}",
            f": {c.treatment} {verb} {_value(verdict, c.treatment)}, {c.control} "
            f"{'at ' if conversion else ''}{_value(verdict, c.control)}.",
        ),
        Meaning(
            p_text(c.p_value),
            f": if the change did nothing, a difference this large would turn up "
            f"{one_in(c.p_value)}" + (" (z-test)." if conversion else " (Welch's t-test)."),
        ),
    ]
    if c.fisher_p_value is not None:
        rows.append(
            Meaning(
                f"Fisher's exact {p_text(c.fisher_p_value)}",
                ": the same question answered exactly, as small counts need — "
                f"{one_in(c.fisher_p_value)}.",
            )
        )
    if c.always_valid is not None:
        rows.append(
            Meaning(
                f"Always-valid {p_text(c.always_valid.p_value)}",
                ": the p-value that decides here; it stays valid however often the figures are "
                f"looked at (the smallest over {formats.count(c.always_valid.looks, 'look')}).",
            )
        )
    if len(verdict.comparisons) > 1:
        rows.append(
            Meaning(
                f"{p_text(c.p_adjusted)} after {verdict.correction_name}",
                f": corrected for making {len(verdict.comparisons)} comparisons at once.",
            )
        )
    if c.prob_beats_control is not None:
        coin = ": as likely as not" if c.identical else ""
        rows.append(
            Meaning(
                f"{chance(c.prob_beats_control)} chance",
                f" that {c.treatment} converts better than {c.control}, from the same counts "
                f"(Bayesian){coin}.",
            )
        )
    low, high = (
        (formats.points(c.ci_low), formats.points(c.ci_high))
        if conversion
        else (formats.signed(c.ci_low), formats.signed(c.ci_high))
    )
    zero = (
        "it includes 0, so no difference at all is still possible"
        if c.ci_low <= 0 <= c.ci_high
        else "it does not include 0"
    )
    rows.append(
        Meaning(
            f"{formats.percent(1 - verdict.alpha, 0)} interval {low} to {high}",
            f": the true difference is likely in this range; {zero}.",
        )
    )
    return tuple(rows)


def reading(
    verdict: bml.Verdict,
    schedule: bml.Schedule,
    *,
    decided: bool = False,
    draft: bool = False,
    tau: float | None = None,
) -> Reading:
    end = ""
    if not decided and schedule.end_passed and schedule.planned_end is not None:
        when = formats.day(schedule.planned_end)
        end = f"The planned end date, {when}, has passed — decide or extend."
    step = "" if decided else next_step(verdict, schedule, draft=draft)
    broken = guardrails(verdict)
    if broken and schedule.step == bml.READY and step:
        step += (
            " But a guardrail is broken (just below): do not roll the treatment out as it is — fix "
            "the harm and test again, pivot or stop, or write why the win is worth it."
        )
    return Reading(
        step="" if decided else schedule.step,
        next_step=step,
        end_passed=end,
        finding=finding(verdict),
        small_counts=small_counts(verdict),
        looking=looking(verdict, tau=tau),
        correction=correction(verdict),
        guardrails=broken,
        meanings=tuple(
            (f"{c.treatment} against {c.control}", meanings(verdict, c))
            for c in verdict.comparisons
        ),
    )
