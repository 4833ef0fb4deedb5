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


class Objective(models.TextChoices):
    RETURN = "return", "Maximise the return"
    ROAS = "roas", "Reach a target ROAS"
    CPA = "cpa", "Reach a target CPA"


class AllocationPlan(WorkspaceOwned):
    name = models.CharField(max_length=100)
    month = models.DateField(help_text="first day of the month the plan is for")
    unit = models.CharField(max_length=5, choices=Unit.choices, default=Unit.MONEY)
    budget = models.DecimalField(max_digits=14, decimal_places=2)
    expected_return = models.DecimalField(max_digits=14, decimal_places=2)
    # What the run optimised, and the step limit it kept to (1: none; plans saved before the
    # limit existed were unbounded).
    objective = models.CharField(max_length=6, choices=Objective.choices, default=Objective.RETURN)
    target = models.FloatField(null=True, blank=True)
    max_move = models.DecimalField(max_digits=5, decimal_places=4, default=Decimal(1))
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
    curve_kind = models.CharField(max_length=5, default="log")  # log or hill
    curve_s = models.FloatField(default=1.0)  # the Hill shape
    curve_adstock = models.FloatField(default=0.0)  # θ of a weekly fit's carry-over

    class Meta:
        ordering = ["plan_id", "channel"]

    def __str__(self) -> str:
        return f"{self.channel}: {self.recommended}"

    @property
    def formula(self) -> str:
        """The curve the plan was computed with, as r(x)."""
        return _formula(self.curve_kind, self.curve_a, self.curve_b, self.curve_s)


class CheckKind(models.TextChoices):
    HOLDOUT = "holdout", "Holdout"
    BEFORE_AFTER = "before_after", "Before and after"


class AllocationStep(WorkspaceOwned):
    """One move of a saved allocation run turned into a test card ("Test: +€40 on SEO"), with
    the check that tells whether it paid, and, once measured, the observed spend and return
    over the test window: a point the channel's curve is refitted with (``queries.curves``)."""

    plan = models.ForeignKey(
        AllocationPlan, null=True, on_delete=models.SET_NULL, related_name="steps"
    )
    channel = models.CharField(max_length=60)
    unit = models.CharField(max_length=5, choices=Unit.choices, default=Unit.MONEY)
    current = models.DecimalField(max_digits=14, decimal_places=2)
    recommended = models.DecimalField(max_digits=14, decimal_places=2)
    expected_return_change = models.DecimalField(max_digits=14, decimal_places=2)
    check_kind = models.CharField(max_length=12, choices=CheckKind.choices)
    holdout_share = models.DecimalField(max_digits=5, decimal_places=4, null=True, blank=True)
    starts_on = models.DateField()
    ends_on = models.DateField()
    card = models.ForeignKey("board.Card", null=True, on_delete=models.SET_NULL, related_name="+")
    # the curve the recommendation came from (a snapshot: "old" beside the refit)
    curve_kind = models.CharField(max_length=5, default="log")
    curve_a = models.FloatField()
    curve_b = models.FloatField()
    curve_s = models.FloatField(default=1.0)
    curve_source = models.CharField(max_length=10)
    observed_spend = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    observed_return = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    note = models.CharField(max_length=300, blank=True)
    measured_at = models.DateTimeField(null=True, blank=True)
    measured_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # the channel's curve refitted with this point (None: the fit was not possible; why is in
    # refit_problem)
    refit_kind = models.CharField(max_length=5, blank=True)
    refit_a = models.FloatField(null=True, blank=True)
    refit_b = models.FloatField(null=True, blank=True)
    refit_s = models.FloatField(null=True, blank=True)
    refit_r_squared = models.FloatField(null=True, blank=True)
    refit_points = models.PositiveIntegerField(null=True, blank=True)
    refit_problem = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="roi_step_window_in_order",
            ),
        ]
        indexes = [
            models.Index(fields=["workspace", "unit", "channel"], name="roi_step_ws_channel_idx")
        ]

    def __str__(self) -> str:
        return f"test {self.recommended - self.current:+} on {self.channel}"

    @property
    def change(self) -> Decimal:
        return self.recommended - self.current

    @property
    def measured(self) -> bool:
        return self.observed_spend is not None

    @property
    def days(self) -> int:
        return (self.ends_on - self.starts_on).days + 1

    @property
    def formula(self) -> str:
        """The curve the step was made with, as r(x)."""
        return _formula(self.curve_kind, self.curve_a, self.curve_b, self.curve_s)

    @property
    def refit_formula(self) -> str:
        if self.refit_a is None or self.refit_b is None:
            return ""
        return _formula(self.refit_kind or "log", self.refit_a, self.refit_b, self.refit_s or 1.0)


def _formula(kind: str, a: float, b: float, s: float) -> str:
    from leanmark.lib.formats import significant as sig

    if kind == "hill":
        return f"{sig(a)}·x^{s:.3g} ÷ (x^{s:.3g} + {sig(b)}^{s:.3g})"
    return f"{sig(a)}·ln(1 + x/{sig(b)})"
