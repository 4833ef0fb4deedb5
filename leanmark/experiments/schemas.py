from datetime import date, datetime
from typing import Annotated, Literal

from ninja import Schema
from pydantic import Field

from leanmark.lib.api_input import Filled, Strict

from .models import Experiment, Learning, Observation

StageName = Literal["", "know", "like", "trust", "try", "buy", "repeat", "refer"]
MetricTypeName = Literal["conversion", "continuous"]
DecisionName = Literal["persevere", "pivot", "stop"]
SequentialMethodName = Literal["", "none", "simple", "msprt"]
CorrectionName = Literal["holm", "bh"]
SEQUENTIAL_METHOD_HELP = (
    "how the test may be looked at before the planned sample: '' or 'none' (a fixed horizon: "
    "decide at the planned sample), 'simple' (the simple sequential rule: conversions, one "
    "treatment) or 'msprt' (always valid: look any time, decide when the always-valid p-value "
    "reaches alpha or at the planned sample); null: 'simple' when sequential is true"
)
TAU_HELP = (
    "msprt only: the standard deviation tau of the normal mixing distribution of the effect "
    "(absolute, the metric's units); default the minimum detectable effect"
)
CORRECTION_HELP = (
    "with several treatments: 'holm' (family-wise error, the default) or 'bh' "
    "(Benjamini-Hochberg, false discovery rate)"
)
PivotName = Literal[
    "",
    "zoom_in",
    "zoom_out",
    "customer_segment",
    "customer_need",
    "platform",
    "business_architecture",
    "value_capture",
    "engine_of_growth",
    "channel",
    "technology",
]
Count = Annotated[int, Field(ge=0, le=2_000_000_000)]


MetricRoleName = Literal["secondary", "guardrail"]
DirectionName = Literal["increase", "decrease"]


class ExperimentMetricIn(Strict):
    name: Filled
    role: MetricRoleName = Field("secondary", description="a guardrail may veto a win")
    metric_type: MetricTypeName = "conversion"
    direction: DirectionName = Field("increase", description="which way of the metric is good")
    tolerance: float = Field(
        0.0,
        ge=0,
        description="guardrails: how much worse (absolute, the metric's units: 0.005 = 0.5 pp "
        "for a rate) is still acceptable; a win whose interval is wholly worse is vetoed",
    )


class ExperimentMetricOut(Schema):
    id: int
    name: str
    role: str
    metric_type: str
    direction: str
    tolerance: float


# Documented only: the service says "the power must be between 0 and 1 (exclusive)" itself.
OPEN_UNIT = {"exclusiveMinimum": 0, "exclusiveMaximum": 1}


class ExperimentIn(Strict):
    title: Filled
    change: Filled
    audience: Filled
    outcome: Filled
    metric_name: Filled
    metric_baseline: float | None = None
    metric_target: float | None = None
    target_date: date | None = None
    stage: StageName = ""
    channel: str = ""
    metric_type: MetricTypeName = "conversion"
    owner_id: int | None = None
    card_number: int | None = Field(None, ge=1, le=2**31 - 1)
    idea_id: int | None = None
    start_date: date | None = None
    planned_end: date | None = None
    plan_baseline: float | None = Field(None, description="baseline conversion rate, 0 < p < 1")
    plan_sd: float | None = Field(None, description="standard deviation (continuous metrics)")
    plan_mde: float | None = Field(None, description="minimum detectable effect, absolute")
    alpha: float | None = Field(0.05, json_schema_extra=OPEN_UNIT)
    power: float | None = Field(0.8, json_schema_extra=OPEN_UNIT)
    sequential: bool = False
    sequential_method: SequentialMethodName | None = Field(None, description=SEQUENTIAL_METHOD_HELP)
    msprt_tau: float | None = Field(None, gt=0, description=TAU_HELP)
    correction: CorrectionName = Field("holm", description=CORRECTION_HELP)
    variants: list[str] | None = Field(
        None, description="control first; default Control, Treatment"
    )
    metrics: list[ExperimentMetricIn] | None = Field(
        None, max_length=5, description="secondary and guardrail metrics beside the primary one"
    )


class ExperimentPatch(Strict):
    """Fields left out keep their value; the texts cannot be cleared (null or blank)."""

    title: Filled = None  # type: ignore[assignment]  (optional, not nullable)
    change: Filled = None  # type: ignore[assignment]
    audience: Filled = None  # type: ignore[assignment]
    outcome: Filled = None  # type: ignore[assignment]
    metric_name: Filled = None  # type: ignore[assignment]
    metric_baseline: float | None = None
    metric_target: float | None = None
    target_date: date | None = None
    stage: StageName | None = None
    channel: str | None = None
    metric_type: MetricTypeName | None = None
    owner_id: int | None = None
    card_number: int | None = Field(None, ge=1, le=2**31 - 1)
    idea_id: int | None = None
    start_date: date | None = None
    planned_end: date | None = None
    plan_baseline: float | None = None
    plan_sd: float | None = None
    plan_mde: float | None = None
    alpha: float | None = Field(None, json_schema_extra=OPEN_UNIT)
    power: float | None = Field(None, json_schema_extra=OPEN_UNIT)
    sequential: bool | None = None
    sequential_method: SequentialMethodName | None = Field(None, description=SEQUENTIAL_METHOD_HELP)
    msprt_tau: float | None = Field(None, gt=0, description=TAU_HELP)
    correction: CorrectionName | None = Field(None, description=CORRECTION_HELP)
    variants: list[str] | None = None
    metrics: list[ExperimentMetricIn] | None = Field(
        None, max_length=5, description="replaces them, only while a draft"
    )


class VariantOut(Schema):
    id: int
    name: str
    is_control: bool


class ExperimentOut(Schema):
    id: int
    workspace: str
    title: str
    hypothesis: str
    change: str
    audience: str
    outcome: str
    metric_name: str
    metric_baseline: float | None
    metric_target: float | None
    target_date: date | None
    stage: str
    channel: str
    metric_type: str
    owner_id: int | None
    card_id: int | None
    card_number: int | None
    idea_id: int | None
    start_date: date | None
    planned_end: date | None
    plan_baseline: float | None
    plan_sd: float | None
    plan_mde: float | None
    alpha: float
    power: float
    planned_per_variant: int | None
    sequential: bool
    sequential_n: int | None
    sequential_method: str = Field(description="'', 'simple' or 'msprt'")
    msprt_tau: float | None = Field(description="tau as given; null: the plan's mde is used")
    correction: str
    state: str
    created_at: datetime
    running_at: datetime | None
    decided_at: datetime | None
    decision: str
    pivot_type: str
    decision_note: str
    against_evidence: bool
    override_reason: str
    variants: list[VariantOut]
    metrics: list[ExperimentMetricOut] = Field(description="secondary and guardrail metrics")

    @staticmethod
    def of(e: Experiment) -> "ExperimentOut":
        return ExperimentOut(
            id=e.pk,
            workspace=e.workspace.slug,
            title=e.title,
            hypothesis=e.hypothesis,
            change=e.change,
            audience=e.audience,
            outcome=e.outcome,
            metric_name=e.metric_name,
            metric_baseline=e.metric_baseline,
            metric_target=e.metric_target,
            target_date=e.target_date,
            stage=e.stage,
            channel=e.channel,
            metric_type=e.metric_type,
            owner_id=e.owner_id,
            card_id=e.card_id,
            card_number=e.card.number if e.card else None,
            idea_id=e.idea_id,
            start_date=e.start_date,
            planned_end=e.planned_end,
            plan_baseline=e.plan_baseline,
            plan_sd=e.plan_sd,
            plan_mde=e.plan_mde,
            alpha=e.alpha,
            power=e.power,
            planned_per_variant=e.planned_per_variant,
            sequential=e.sequential,
            sequential_n=e.sequential_n,
            sequential_method=e.sequential_method,
            msprt_tau=e.msprt_tau,
            correction=e.correction,
            state=e.state,
            created_at=e.created_at,
            running_at=e.running_at,
            decided_at=e.decided_at,
            decision=e.decision,
            pivot_type=e.pivot_type,
            decision_note=e.decision_note,
            against_evidence=e.against_evidence,
            override_reason=e.override_reason,
            variants=[
                VariantOut(id=v.pk, name=v.name, is_control=v.is_control) for v in e.variants.all()
            ],
            metrics=[
                ExperimentMetricOut(
                    id=m.pk,
                    name=m.name,
                    role=m.role,
                    metric_type=m.metric_type,
                    direction=m.direction,
                    tolerance=m.tolerance,
                )
                for m in e.metrics.all()
            ],
        )


class ObservationRow(Strict):
    variant: str = Field(description="variant name")
    date: date
    trials: Count = Field(description="cumulative trials (n for a continuous metric)")
    successes: Count | None = None
    mean: float | None = None
    sd: float | None = None


class ObservationsIn(Strict):
    rows: list[ObservationRow] = Field(min_length=1, max_length=20_000)


class SavedOut(Schema):
    saved: int


class ObservationOut(Schema):
    variant: str
    date: date
    trials: int
    successes: int | None
    mean: float | None
    sd: float | None
    source: str
    recorded_at: datetime

    @staticmethod
    def of(o: Observation) -> "ObservationOut":
        return ObservationOut(
            variant=o.variant.name,
            date=o.date,
            trials=o.trials,
            successes=o.successes,
            mean=o.mean,
            sd=o.sd,
            source=o.source,
            recorded_at=o.recorded_at,
        )


class SequentialOut(Schema):
    planned: int
    threshold: float
    treatment: int
    control: int
    outcome: str


class AlwaysValidOut(Schema):
    p_value: float = Field(description="always-valid p: the smallest 1/Lambda over the looks")
    likelihood_ratio: float = Field(description="the mixture likelihood ratio at the latest look")
    tau: float
    looks: int = Field(description="dates with figures the p-value is the minimum over")
    ci_low: float = Field(description="always-valid interval of the difference (level 1 - alpha)")
    ci_high: float


class VariantResult(Schema):
    name: str
    is_control: bool
    trials: int
    successes: int | None
    rate: float | None
    mean: float | None
    sd: float | None


class ComparisonOut(Schema):
    treatment: str
    control: str
    difference: float
    ci_low: float
    ci_high: float
    statistic: float
    p_value: float
    p_adjusted: float
    significant: bool
    prob_beats_control: float | None
    loss_choosing_treatment: float | None
    loss_choosing_control: float | None
    small_counts: bool = Field(
        description="a cell of the 2×2 table (successes, failures per arm) is below 10: the "
        "z-test's normal approximation is unreliable and Fisher's exact test decides",
    )
    fisher_p_value: float | None = Field(
        description="Fisher's exact two-sided p-value, computed only for small counts"
    )
    relative_lift: float | None = Field(
        None, description="treatment ÷ control − 1 (0.25 = 25 % better); null when control is 0"
    )
    relative_ci_low: float | None = Field(None, description="interval of the lift (delta method)")
    relative_ci_high: float | None = None
    always_valid: AlwaysValidOut | None = Field(
        None, description="the mSPRT of this comparison (msprt plans only); its p decides"
    )


class MetricComparisonOut(Schema):
    treatment: str
    control: str
    difference: float
    ci_low: float
    ci_high: float
    p_value: float
    p_adjusted: float = Field(description="secondaries: corrected over every secondary comparison")
    significant: bool
    broken: bool = Field(description="guardrails: the whole interval is worse than the tolerance")


class MetricResultOut(Schema):
    name: str
    role: str
    metric_type: str
    direction: str
    tolerance: float
    missing: list[str] = Field(description="variants without figures yet")
    comparisons: list[MetricComparisonOut]


class MetricObservationOut(Schema):
    metric: str
    variant: str
    date: date
    trials: int
    successes: int | None
    mean: float | None
    sd: float | None
    source: str
    recorded_at: datetime


class GateOut(Schema):
    decision: str
    allowed: bool
    issues: list[str]


class AnalysisOut(Schema):
    metric_type: str
    alpha: float
    outcome: str
    winner: str | None
    reading: str
    planned_per_variant: int | None
    reached_per_variant: int
    progress: float | None
    sample_complete: bool
    may_decide: bool
    small_counts: bool = Field(description="any comparison has small counts")
    sample_ratio_p_value: float | None = Field(
        None, description="chi-square p of the arms' sizes against the planned equal split"
    )
    sample_ratio_mismatch: bool = Field(
        False,
        description="p < 0.001: the split is broken; persevering then needs an override reason",
    )
    looking: str = Field(
        "", description="what the plan allows, in words: look any time (msprt) or only at the end"
    )
    correction_text: str = Field(
        "", description="which correction and for how many comparisons, in words (empty with one)"
    )
    next_step: str = Field(
        description="what to do first, in words: keep running (so many days) or decide; "
        "empty once decided"
    )
    end_passed: str = Field(description="says so when the planned end date has passed, else empty")
    finding: str = Field(
        description="the verdict in words, reconciling the p-value with the Bayesian chance"
    )
    days_left: int | None = Field(
        description="days from today to the planned sample at the traffic so far"
    )
    projected_date: date | None = Field(
        description="when the planned sample is in at the traffic so far"
    )
    method: str = Field(description="fixed, simple or msprt")
    correction: str = Field(description="holm or bh, applied when comparisons_made > 1")
    comparisons_made: int
    always_valid_crossed: bool = Field(
        description="msprt: a corrected always-valid p-value reached alpha, so the evidence is in"
    )
    sequential: SequentialOut | None
    variants: list[VariantResult]
    comparisons: list[ComparisonOut]
    notes: list[str]
    metrics: list[MetricResultOut] = Field(
        default_factory=list, description="secondary and guardrail metrics"
    )
    gate: list[GateOut]


class DecisionIn(Strict):
    decision: DecisionName
    pivot_type: PivotName = ""
    note: str = ""
    statement: str = ""
    override_reason: str = Field(
        "",
        description="required when the gate refuses: too early, against the evidence, "
        "persevering on a sample-ratio mismatch, or on a win that breaks a guardrail",
    )


class LearningOut(Schema):
    id: int
    experiment_id: int
    experiment_title: str
    statement: str
    evidence: str
    decision: str
    pivot_type: str
    against_evidence: bool
    override_reason: str
    stage: str
    channel: str
    created_at: datetime

    @staticmethod
    def of(learning: Learning) -> "LearningOut":
        return LearningOut(
            id=learning.pk,
            experiment_id=learning.experiment_id,
            experiment_title=learning.experiment.title,
            statement=learning.statement,
            evidence=learning.evidence,
            decision=learning.decision,
            pivot_type=learning.pivot_type,
            against_evidence=learning.against_evidence,
            override_reason=learning.override_reason,
            stage=learning.stage,
            channel=learning.channel,
            created_at=learning.created_at,
        )


class PlanOut(Schema):
    baseline: float
    mde: float
    alpha: float
    power: float
    per_variant: int
    exact: float
    explanation: str
    sequential_n: int | None = None
    msprt_per_variant: int | None = Field(
        None, description="msprt: the largest sample per variant the always-valid test needs"
    )
    msprt_tau: float | None = None
