"""Metrics, targets and measurements, the dashboard layout and the funnel (docs/product.md §10).

A measurement's ``day`` is a calendar day in the workspace's time zone (a timestamp pushed
through the API is turned into its local day before it is stored). ``channel`` and ``campaign``
are empty strings when not given, so the uniqueness constraint makes re-imports idempotent.
"""

from django.conf import settings
from django.db import models

from leanmark.accounts.models import Workspace
from leanmark.domain.hourglass import Stage
from leanmark.lib.models import WorkspaceOwned, WorkspaceQuerySet

STAGE_CHOICES = [(s.value, s.value.capitalize()) for s in Stage]


class Kind(models.TextChoices):
    INPUT = "input", "Input (what we did and spent)"
    OUTPUT = "output", "Output (what it produced)"


class Aggregation(models.TextChoices):
    SUM = "sum", "Sum"
    MEAN = "mean", "Mean"
    LAST = "last", "Last value"


class PeriodChoice(models.TextChoices):
    DAY = "day", "Day"
    WEEK = "week", "Week"
    MONTH = "month", "Month"
    YEAR = "year", "Year"


class MetricQuerySet(WorkspaceQuerySet["Metric"]):
    pass


class Metric(WorkspaceOwned):
    key = models.SlugField(max_length=60)
    name = models.CharField(max_length=100)
    kind = models.CharField(max_length=6, choices=Kind.choices)
    stage = models.CharField(max_length=8, choices=STAGE_CHOICES)
    channel = models.CharField(max_length=60, blank=True)
    unit = models.CharField(max_length=30, blank=True)
    aggregation = models.CharField(max_length=4, choices=Aggregation.choices, default="sum")
    # Money earned per unit of this output (a lead is worth 12.50): returns = value x this.
    value_per_unit = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)
    # The values are revenue (money) themselves: returns = value.
    is_revenue = models.BooleanField(default=False)
    higher_is_better = models.BooleanField(default=True)
    description = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MetricQuerySet.as_manager()

    class Meta:
        ordering = ["workspace_id", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "key"], name="metric_key_unique"),
            models.UniqueConstraint(fields=["workspace", "name"], name="metric_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class Target(models.Model):
    """The current target of a metric for one kind of period (1,000 visits a week)."""

    metric = models.ForeignKey(Metric, on_delete=models.CASCADE, related_name="targets")
    period = models.CharField(max_length=5, choices=PeriodChoice.choices)
    value = models.FloatField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["metric_id", "period"]
        constraints = [
            models.UniqueConstraint(fields=["metric", "period"], name="target_unique_per_period")
        ]

    def __str__(self) -> str:
        return f"{self.metric} per {self.period}: {self.value:g}"


class TargetRevision(models.Model):
    """Append-only: every change of a target, with why (old is None when it was first set;
    new is None when it was removed)."""

    metric = models.ForeignKey(Metric, on_delete=models.CASCADE, related_name="target_revisions")
    period = models.CharField(max_length=5, choices=PeriodChoice.choices)
    old_value = models.FloatField(null=True, blank=True)
    new_value = models.FloatField(null=True, blank=True)
    reason = models.CharField(max_length=300, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField()

    class Meta:
        ordering = ["metric_id", "period", "at", "id"]

    def __str__(self) -> str:
        return f"{self.metric_id} {self.period}: {self.old_value} → {self.new_value}"


class Measurement(models.Model):
    class Source(models.TextChoices):
        WEB = "web", "Web grid"
        CSV = "csv", "CSV import"
        API = "api", "API"
        CLI = "cli", "CLI"
        DEMO = "demo", "Demo"

    metric = models.ForeignKey(Metric, on_delete=models.CASCADE, related_name="measurements")
    day = models.DateField()
    value = models.FloatField()
    channel = models.CharField(max_length=60, blank=True, default="")
    campaign = models.CharField(max_length=100, blank=True, default="")
    source = models.CharField(max_length=4, choices=Source.choices, default=Source.WEB)
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["metric_id", "day", "channel", "campaign"]
        constraints = [
            models.UniqueConstraint(
                fields=["metric", "day", "channel", "campaign"], name="measurement_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.metric_id} {self.day}: {self.value:g}"


class Layout(models.Model):
    """The dashboard's tiles for a workspace, in order: metric keys (typed or built-in)."""

    workspace = models.OneToOneField(
        Workspace, on_delete=models.CASCADE, related_name="dashboard_layout"
    )
    tiles = models.JSONField(default=list)
    updated_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"layout of {self.workspace_id}"


class FunnelStep(WorkspaceOwned):
    """The metric that measures a stage's volume in the hourglass funnel."""

    stage = models.CharField(max_length=8, choices=STAGE_CHOICES)
    metric = models.ForeignKey(Metric, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "stage"], name="funnel_step_per_stage")
        ]

    def __str__(self) -> str:
        return f"{self.stage}: {self.metric_id}"
