"""Experiments (Build-Measure-Learn loops), their variants and observations, and learnings."""

from django.conf import settings
from django.db import models

from leanmark.domain.hourglass import STAGE_CHOICES
from leanmark.lib.models import WorkspaceOwned, WorkspaceQuerySet


class State(models.TextChoices):
    DRAFT = "draft", "Draft"
    RUNNING = "running", "Running"
    ANALYSING = "analysing", "Analysing"
    DECIDED = "decided", "Decided"


class MetricType(models.TextChoices):
    CONVERSION = "conversion", "Conversion (successes / trials)"
    CONTINUOUS = "continuous", "Continuous (mean, SD, n)"


class SequentialMethod(models.TextChoices):
    """How a sequential plan may be looked at before its planned sample (docs/product.md §6)."""

    SIMPLE = "simple", "Simple sequential rule (conversions, one treatment)"
    MSPRT = "msprt", "Always-valid test (mSPRT): look any time"


class Correction(models.TextChoices):
    """The multiple-comparison correction used when more than one comparison is made."""

    HOLM = "holm", "Holm (family-wise error)"
    BH = "bh", "Benjamini-Hochberg (false discovery rate)"


class Decision(models.TextChoices):
    PERSEVERE = "persevere", "Persevere"
    PIVOT = "pivot", "Pivot"
    STOP = "stop", "Stop"


class PivotType(models.TextChoices):
    """Eric Ries's ten pivots (The Lean Startup, ch. 8)."""

    ZOOM_IN = "zoom_in", "Zoom-in"
    ZOOM_OUT = "zoom_out", "Zoom-out"
    CUSTOMER_SEGMENT = "customer_segment", "Customer segment"
    CUSTOMER_NEED = "customer_need", "Customer need"
    PLATFORM = "platform", "Platform"
    BUSINESS_ARCHITECTURE = "business_architecture", "Business architecture"
    VALUE_CAPTURE = "value_capture", "Value capture"
    ENGINE_OF_GROWTH = "engine_of_growth", "Engine of growth"
    CHANNEL = "channel", "Channel"
    TECHNOLOGY = "technology", "Technology"


class ExperimentQuerySet(WorkspaceQuerySet["Experiment"]):
    pass


class Experiment(WorkspaceOwned):
    title = models.CharField(max_length=200)
    card = models.ForeignKey(
        "board.Card", null=True, blank=True, on_delete=models.SET_NULL, related_name="experiments"
    )
    # The backlog idea it tests, by id (no foreign key into another app's tables).
    idea_id = models.PositiveIntegerField(null=True, blank=True)
    # "We believe that [change] for [audience] will [outcome]. We will know when [metric] moves
    # from [baseline] to [target] by [date]."
    change = models.CharField(max_length=300)
    audience = models.CharField(max_length=200)
    outcome = models.CharField(max_length=300)
    metric_name = models.CharField(max_length=100)
    metric_baseline = models.FloatField(null=True, blank=True)
    metric_target = models.FloatField(null=True, blank=True)
    target_date = models.DateField(null=True, blank=True)
    stage = models.CharField(max_length=8, choices=STAGE_CHOICES, blank=True)
    channel = models.CharField(max_length=60, blank=True)
    metric_type = models.CharField(
        max_length=10, choices=MetricType.choices, default=MetricType.CONVERSION
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    start_date = models.DateField(null=True, blank=True)
    planned_end = models.DateField(null=True, blank=True)
    # The plan (§6): baseline rate (or SD for a continuous metric), effect, alpha, power → n.
    plan_baseline = models.FloatField(null=True, blank=True)
    plan_sd = models.FloatField(null=True, blank=True)
    plan_mde = models.FloatField(null=True, blank=True)
    alpha = models.FloatField(default=0.05)
    power = models.FloatField(default=0.8)
    planned_per_variant = models.PositiveIntegerField(null=True, blank=True)
    sequential = models.BooleanField(default=False)
    sequential_n = models.PositiveIntegerField(null=True, blank=True)
    # With ``sequential``: the simple rule or the always-valid mSPRT; "" when not sequential.
    sequential_method = models.CharField(
        max_length=8, choices=SequentialMethod.choices, blank=True, default=""
    )
    # mSPRT: the standard deviation τ of the normal mixing distribution of the effect (absolute,
    # the metric's units); the plan's minimum detectable effect unless given.
    msprt_tau = models.FloatField(null=True, blank=True)
    correction = models.CharField(max_length=4, choices=Correction.choices, default="holm")
    state = models.CharField(max_length=10, choices=State.choices, default=State.DRAFT)
    created_at = models.DateTimeField()
    running_at = models.DateTimeField(null=True, blank=True)
    analysing_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decision = models.CharField(max_length=10, choices=Decision.choices, blank=True)
    pivot_type = models.CharField(max_length=24, choices=PivotType.choices, blank=True)
    decision_note = models.TextField(blank=True)
    override_reason = models.TextField(blank=True)
    against_evidence = models.BooleanField(default=False)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # What the analysis said when the decision was taken (kept: later data never rewrites it).
    evidence = models.JSONField(default=dict, blank=True)
    # Counts read from the marketing data (experiments/feed.py): the measure of the daily table
    # that counts as trials (impressions, clicks, sessions) and as successes (clicks,
    # conversions, new_customers); "" until the experiment is linked.
    data_trials = models.CharField(max_length=16, blank=True, default="")
    data_successes = models.CharField(max_length=16, blank=True, default="")

    objects = ExperimentQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["workspace", "state"], name="experiment_state_idx"),
            models.Index(fields=["workspace", "decided_at"], name="experiment_decided_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def hypothesis(self) -> str:
        def num(value: float | None) -> str:
            return "?" if value is None else f"{value:g}"

        when = self.target_date.isoformat() if self.target_date else "?"
        return (
            f"We believe that {self.change} for {self.audience} will {self.outcome}. "
            f"We will know when {self.metric_name} moves from {num(self.metric_baseline)} "
            f"to {num(self.metric_target)} by {when}."
        )


class Variant(models.Model):
    experiment = models.ForeignKey(Experiment, on_delete=models.CASCADE, related_name="variants")
    name = models.CharField(max_length=60)
    is_control = models.BooleanField(default=False)
    position = models.PositiveSmallIntegerField(default=0)
    # The rows of the marketing data this variant's counts are read from: a source's campaign,
    # ad set, or ad set of a campaign ("" = any); unlinked while both are "".
    data_source = models.CharField(max_length=12, blank=True, default="")
    data_campaign = models.CharField(max_length=200, blank=True, default="")
    data_ad_set = models.CharField(max_length=200, blank=True, default="")

    class Meta:
        ordering = ["experiment_id", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["experiment", "name"], name="variant_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class Figures(models.Model):
    """One variant's cumulative figures up to and including ``date``, on one metric.

    Conversion: ``trials`` and ``successes``. Continuous: ``trials`` is n, with ``mean`` and
    ``sd``."""

    date = models.DateField()
    trials = models.PositiveIntegerField()
    successes = models.PositiveIntegerField(null=True, blank=True)
    mean = models.FloatField(null=True, blank=True)
    sd = models.FloatField(null=True, blank=True)
    # form, csv, api, cli, demo, or channel (read from the marketing data, experiments/feed.py)
    source = models.CharField(max_length=10, default="form")
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        abstract = True


class Observation(Figures):
    """The primary metric's figures: one row per variant and date (entering a date again
    replaces its figures)."""

    variant = models.ForeignKey(Variant, on_delete=models.CASCADE, related_name="observations")

    class Meta:
        ordering = ["variant_id", "date"]
        constraints = [
            models.UniqueConstraint(fields=["variant", "date"], name="observation_per_day"),
            models.CheckConstraint(
                condition=models.Q(successes__isnull=True)
                | models.Q(successes__lte=models.F("trials")),
                name="successes_within_trials",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.variant} on {self.date}"


class MetricRole(models.TextChoices):
    SECONDARY = "secondary", "Secondary (watched, does not decide)"
    GUARDRAIL = "guardrail", "Guardrail (may veto a win)"


class Direction(models.TextChoices):
    INCREASE = "increase", "Higher is better"
    DECREASE = "decrease", "Lower is better"


class ExperimentMetric(models.Model):
    """A secondary or guardrail metric beside the experiment's own (primary) metric, whose
    figures stay in ``Observation``. A guardrail worse than ``tolerance`` vetoes a win."""

    experiment = models.ForeignKey(Experiment, on_delete=models.CASCADE, related_name="metrics")
    name = models.CharField(max_length=100)
    role = models.CharField(max_length=10, choices=MetricRole.choices)
    metric_type = models.CharField(max_length=10, choices=MetricType.choices)
    direction = models.CharField(max_length=8, choices=Direction.choices)
    # Guardrails: how much worse (absolute, the metric's units) is still acceptable.
    tolerance = models.FloatField(default=0.0)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["experiment_id", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["experiment", "name"], name="experiment_metric_name_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class MetricObservation(Figures):
    """Cumulative figures of one variant on one secondary or guardrail metric up to ``date``
    (as ``Observation`` is for the primary metric)."""

    metric = models.ForeignKey(
        ExperimentMetric, on_delete=models.CASCADE, related_name="observations"
    )
    variant = models.ForeignKey(Variant, on_delete=models.CASCADE, related_name="+")

    class Meta:
        ordering = ["metric_id", "variant_id", "date"]
        constraints = [
            models.UniqueConstraint(
                fields=["metric", "variant", "date"], name="metric_observation_per_day"
            ),
            models.CheckConstraint(
                condition=models.Q(successes__isnull=True)
                | models.Q(successes__lte=models.F("trials")),
                name="metric_successes_within_trials",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.metric} of {self.variant} on {self.date}"


class LearningQuerySet(WorkspaceQuerySet["Learning"]):
    pass


class Learning(WorkspaceOwned):
    experiment = models.OneToOneField(Experiment, on_delete=models.CASCADE, related_name="learning")
    statement = models.TextField()
    evidence = models.TextField()
    decision = models.CharField(max_length=10, choices=Decision.choices)
    pivot_type = models.CharField(max_length=24, choices=PivotType.choices, blank=True)
    against_evidence = models.BooleanField(default=False)
    override_reason = models.TextField(blank=True)
    stage = models.CharField(max_length=8, choices=STAGE_CHOICES, blank=True)
    channel = models.CharField(max_length=60, blank=True)
    created_at = models.DateTimeField()

    objects = LearningQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.statement[:60]
