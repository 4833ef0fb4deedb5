"""Value streams of the Marketing Hourglass (docs/product.md §7): maps, steps, the board columns
a step is measured on, and the revision history of each map."""

from fractions import Fraction

from django.conf import settings
from django.db import models
from django.urls import reverse

from leanmark.domain.hourglass import STAGE_CHOICES
from leanmark.domain.vsm import Basis, CustomerValue, Milestone, Unit, WasteType
from leanmark.lib.models import WorkspaceOwned, WorkspaceQuerySet

NAME_MAX = 120
TEXT_MAX = 2000


class State(models.TextChoices):
    CURRENT = "current", "Current state"
    FUTURE = "future", "Future state"


BASIS_CHOICES = [
    (Basis.CALENDAR.value, "Calendar time (1 d = 24 h)"),
    (Basis.WORKING.value, "Working time (the working day)"),
]
UNIT_CHOICES = [
    (Unit.MINUTE.value, "min"),
    (Unit.HOUR.value, "h"),
    (Unit.DAY.value, "d"),
    (Unit.WEEK.value, "wk"),
]
VALUE_CHOICES = [
    (CustomerValue.VALUE_ADDING.value, "Value-adding"),
    (CustomerValue.NECESSARY.value, "Necessary non-value-adding"),
    (CustomerValue.WASTE.value, "Waste"),
]
WASTE_CHOICES = [
    (WasteType.DEFECTS.value, "Defects"),
    (WasteType.OVERPRODUCTION.value, "Overproduction"),
    (WasteType.WAITING.value, "Waiting"),
    (WasteType.NON_UTILISED_TALENT.value, "Non-utilised talent"),
    (WasteType.TRANSPORTATION.value, "Transportation"),
    (WasteType.INVENTORY.value, "Inventory"),
    (WasteType.MOTION.value, "Motion"),
    (WasteType.EXTRA_PROCESSING.value, "Extra-processing"),
]
MILESTONE_CHOICES = [
    (Milestone.NEW_LEAD.value, "Introduction of a new lead"),
    (Milestone.ORDER_ACCEPTED.value, "Acceptance of an order"),
]


class ValueStreamQuerySet(WorkspaceQuerySet["ValueStream"]):
    pass


class ValueStream(WorkspaceOwned):
    name = models.CharField(max_length=NAME_MAX)
    description = models.TextField(blank=True)
    state = models.CharField(max_length=7, choices=State.choices, default=State.CURRENT)
    # A future state is derived from a current one; deleting the current map keeps the future.
    derived_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="futures"
    )
    time_basis = models.CharField(max_length=8, choices=BASIS_CHOICES, default=Basis.CALENDAR)
    # The team's working time, for the working basis (the workspace has no working hours of its
    # own yet, so each map states the ones it was drawn with).
    hours_per_day = models.DecimalField(max_digits=4, decimal_places=2, default=8)
    days_per_week = models.DecimalField(max_digits=3, decimal_places=1, default=5)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ValueStreamQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="vsm_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class Step(models.Model):
    stream = models.ForeignKey(ValueStream, on_delete=models.CASCADE, related_name="steps")
    stage = models.CharField(max_length=8, choices=STAGE_CHOICES)
    position = models.PositiveIntegerField(default=0)  # order inside its stage
    name = models.CharField(max_length=NAME_MAX)
    owner = models.CharField(max_length=NAME_MAX, blank=True)  # a person or a role
    pt_value = models.DecimalField(max_digits=10, decimal_places=2)
    pt_unit = models.CharField(max_length=3, choices=UNIT_CHOICES, default=Unit.HOUR)
    lt_value = models.DecimalField(max_digits=10, decimal_places=2)
    lt_unit = models.CharField(max_length=3, choices=UNIT_CHOICES, default=Unit.DAY)
    ca_percent = models.DecimalField(max_digits=5, decimal_places=2, default=100)
    cost_per_run = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    runs_per_month = models.DecimalField(max_digits=10, decimal_places=2, default=0)
    customer_value = models.CharField(
        max_length=12, choices=VALUE_CHOICES, default=CustomerValue.VALUE_ADDING
    )
    waste_type = models.CharField(max_length=20, choices=WASTE_CHOICES, blank=True)
    milestone = models.CharField(max_length=14, choices=MILESTONE_CHOICES, blank=True)
    # The four questions of the waste walk.
    why = models.TextField(blank=True)  # Why do we do this?
    value_to_customer = models.TextField(blank=True)  # What value does it give the customer?
    how_to_eliminate = models.TextField(blank=True)  # How can we eliminate its waste?
    simpler_step = models.TextField(blank=True)  # What is the new, simpler step?
    reviewed_at = models.DateTimeField(null=True, blank=True)  # last answered in a waste walk
    # The current-state step a future-state step was copied from.
    origin = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="copies"
    )
    columns = models.ManyToManyField(
        "board.Column", through="StepColumn", related_name="+", blank=True
    )

    class Meta:
        ordering = ["stream_id", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ca_percent__gte=0, ca_percent__lte=100), name="vsm_ca_0_100"
            ),
            models.CheckConstraint(
                condition=models.Q(pt_value__gte=0, lt_value__gte=0), name="vsm_times_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(cost_per_run__gte=0, runs_per_month__gte=0),
                name="vsm_cost_positive",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        """The step on its map (the improvement app links a cycle's source here)."""
        url = reverse(
            "valuestream-map",
            kwargs={"ws": self.stream.workspace.slug, "stream_id": self.stream_id},
        )
        return f"{url}#step-{self.pk}"

    @property
    def lead_time(self) -> str:
        """As entered, e.g. "4 d" (the map's basis says what a day is)."""
        return f"{self.lt_value.normalize():f} {self.lt_unit}"

    @property
    def process_time(self) -> str:
        return f"{self.pt_value.normalize():f} {self.pt_unit}"


class StepColumn(models.Model):
    """The board columns a step's times are measured on."""

    step = models.ForeignKey(Step, on_delete=models.CASCADE, related_name="column_links")
    column = models.ForeignKey("board.Column", on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["step", "column"], name="vsm_step_column_unique"),
        ]

    def __str__(self) -> str:
        return f"step {self.step_id} measured on column {self.column_id}"


class MapRevision(models.Model):
    """One change to a map, with the map's totals after it (so the improvement metrics can chart
    waste steps and total LT/PT over time without replaying history)."""

    class Kind(models.TextChoices):
        CREATED = "created", "Map created"
        STEP_ADDED = "step_added", "Step added"
        STEP_EDITED = "step_edited", "Step edited"
        STEP_REMOVED = "step_removed", "Step removed"
        STEPS_REORDERED = "reordered", "Steps reordered"
        SETTINGS = "settings", "Map settings changed"
        APPLIED = "applied", "Future step applied"

    stream = models.ForeignKey(ValueStream, on_delete=models.CASCADE, related_name="revisions")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    step = models.ForeignKey(
        Step, null=True, blank=True, on_delete=models.SET_NULL, related_name="revisions"
    )
    source_step = models.ForeignKey(
        Step, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )  # for "applied": the future-state step whose values were copied
    summary = models.CharField(max_length=300)
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)
    # The map's totals after the change, in minutes on the map's basis.
    total_lt_minutes = models.FloatField(default=0)
    total_pt_minutes = models.FloatField(default=0)
    waste_steps = models.PositiveIntegerField(default=0)
    step_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return self.summary

    @property
    def lt_fraction(self) -> Fraction:
        return Fraction(self.total_lt_minutes).limit_denominator(60)
