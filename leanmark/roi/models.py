"""Costs (spend, time logs, hourly costs), response curves, allocation plans (docs/product.md §11).

Amounts are Decimal in the workspace's one currency (``RoiSettings.currency``); a spend entry
keeps the currency it was entered in, which the services require to be the workspace's.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models

from leanmark.accounts.models import Workspace
from leanmark.domain.hourglass import STAGE_CHOICES
from leanmark.lib.models import WorkspaceOwned, WorkspaceQuerySet


class Unit(models.TextChoices):
    MONEY = "money", "Money"
    HOURS = "hours", "Hours"


class RoiSettings(models.Model):
    """One per workspace (created on first save); the defaults apply until then."""

    workspace = models.OneToOneField(
        Workspace, on_delete=models.CASCADE, related_name="roi_settings"
    )
    currency = models.CharField(max_length=3, default="EUR")
    contribution_margin = models.DecimalField(
        max_digits=5, decimal_places=4, default=Decimal("0.6")
    )
    gross_margin = models.DecimalField(max_digits=5, decimal_places=4, default=Decimal("0.6"))
    # For payback months: monthly revenue per customer (None: payback is not shown).
    revenue_per_customer = models.DecimalField(
        max_digits=12, decimal_places=2, null=True, blank=True
    )
    # For lifetime value: the share of customers lost a month (LTV = revenue * gross margin ÷
    # churn), or the value itself when the team knows it better (it then wins).
    monthly_churn = models.DecimalField(max_digits=5, decimal_places=4, null=True, blank=True)
    lifetime_value = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    # For CAC: the dashboard metric that counts new customers (its key; blank: CAC not shown).
    customers_metric = models.CharField(max_length=100, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"ROI settings of {self.workspace_id}"


class SpendQuerySet(WorkspaceQuerySet["Spend"]):
    pass


class Spend(WorkspaceOwned):
    on = models.DateField()
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    currency = models.CharField(max_length=3)
    channel = models.CharField(max_length=60, blank=True)
    stage = models.CharField(max_length=8, choices=STAGE_CHOICES, blank=True)
    campaign = models.CharField(max_length=100, blank=True)
    note = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SpendQuerySet.as_manager()

    class Meta:
        ordering = ["-on", "channel", "stage", "campaign", "id"]
        constraints = [
            # One amount per day and attribution: re-importing a file updates, never doubles.
            models.UniqueConstraint(
                fields=["workspace", "on", "channel", "stage", "campaign"],
                name="roi_spend_unique_per_day_and_attribution",
            ),
            models.CheckConstraint(
                condition=models.Q(amount__gte=0), name="roi_spend_not_negative"
            ),
        ]
        indexes = [models.Index(fields=["workspace", "on"], name="roi_spend_ws_on_idx")]

    def __str__(self) -> str:
        return f"{self.amount} {self.currency} on {self.on} ({self.channel or 'no channel'})"


class TimeLog(WorkspaceOwned):
    card = models.ForeignKey("board.Card", on_delete=models.CASCADE, related_name="time_logs")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="time_logs"
    )
    on = models.DateField()
    hours = models.DecimalField(max_digits=5, decimal_places=2)
    note = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(hours__gt=0) & models.Q(hours__lte=24),
                name="roi_timelog_hours_in_a_day",
            ),
        ]
        indexes = [models.Index(fields=["workspace", "on"], name="roi_timelog_ws_on_idx")]

    def __str__(self) -> str:
        return f"{self.hours} h on card {self.card_id} by {self.member_id} on {self.on}"


class MemberCost(WorkspaceOwned):
    """A member's hourly cost: seen and changed by owners only."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    hourly_cost = models.DecimalField(max_digits=10, decimal_places=2)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "user"], name="roi_one_cost_per_member"),
        ]

    def __str__(self) -> str:
        return f"hourly cost of {self.user_id} in {self.workspace_id}"


class ChannelCurve(WorkspaceOwned):
    """A response curve entered by hand; it replaces the fitted one for its channel and unit."""

    channel = models.CharField(max_length=60)
    unit = models.CharField(max_length=5, choices=Unit.choices, default=Unit.MONEY)
    a = models.FloatField()
    b = models.FloatField()
    note = models.CharField(max_length=300, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["channel", "unit"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "channel", "unit"], name="roi_one_curve_per_channel"
            ),
            models.CheckConstraint(condition=models.Q(b__gt=0), name="roi_curve_b_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.channel}: {self.a:g}·ln(1 + x/{self.b:g})"


class AllocationPlan(WorkspaceOwned):
    name = models.CharField(max_length=100)
    month = models.DateField(help_text="first day of the month the plan is for")
    unit = models.CharField(max_length=5, choices=Unit.choices, default=Unit.MONEY)
    budget = models.DecimalField(max_digits=14, decimal_places=2)
    expected_return = models.DecimalField(max_digits=14, decimal_places=2)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-month", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.month:%Y-%m})"


class PlanLine(models.Model):
    """One channel of a saved plan, with the curve it was computed from (a snapshot)."""

    plan = models.ForeignKey(AllocationPlan, on_delete=models.CASCADE, related_name="lines")
    channel = models.CharField(max_length=60)
    minimum = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    maximum = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    current = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    recommended = models.DecimalField(max_digits=14, decimal_places=2)
    expected_return = models.DecimalField(max_digits=14, decimal_places=2)
    marginal_roi = models.FloatField()
    curve_a = models.FloatField()
    curve_b = models.FloatField()
    curve_source = models.CharField(max_length=10)

    class Meta:
        ordering = ["plan_id", "channel"]

    def __str__(self) -> str:
        return f"{self.channel}: {self.recommended}"
