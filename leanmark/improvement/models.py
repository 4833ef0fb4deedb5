from django.conf import settings
from django.db import models

from leanmark.lib.models import WorkspaceOwned, WorkspaceQuerySet


class Phase(models.TextChoices):
    """PDCA, in order; a cycle moves one phase at a time, forward only, and is then closed."""

    PLAN = "plan", "Plan"
    DO = "do", "Do"
    CHECK = "check", "Check"
    ACT = "act", "Act"
    CLOSED = "closed", "Closed"


PHASE_ORDER = [Phase.PLAN, Phase.DO, Phase.CHECK, Phase.ACT, Phase.CLOSED]


class Source(models.TextChoices):
    """Where the cycle came from; the source is kept as (kind, id) so this app's migrations never
    depend on another app's."""

    BLANK = "blank", "A blank problem"
    VSM_STEP = "vsm_step", "A waste step of the value stream"
    IMPEDIMENT = "impediment", "An impediment"
    STANDUP_BLOCKER = "standup_blocker", "A stand-up blocker"


class Outcome(models.TextChoices):
    STANDARDISE = "standardise", "Standardise"
    ADJUST = "adjust", "Adjust and run again"
    ABANDON = "abandon", "Abandon"


class ImprovementQuerySet(WorkspaceQuerySet["Improvement"]):
    pass


class Improvement(WorkspaceOwned):
    number = models.PositiveIntegerField()  # per workspace: "PDCA-3"
    title = models.CharField(max_length=200)
    phase = models.CharField(max_length=6, choices=Phase.choices, default=Phase.PLAN)
    source_kind = models.CharField(max_length=16, choices=Source.choices, default=Source.BLANK)
    source_id = models.PositiveBigIntegerField(null=True, blank=True)
    source_label = models.CharField(max_length=300, blank=True)  # as it read when the cycle began
    board = models.ForeignKey(
        "board.Board", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Plan
    problem = models.TextField(blank=True)
    background = models.TextField(blank=True)
    current_condition = models.TextField(blank=True)
    metric = models.CharField(max_length=80, blank=True)  # a key of queries.metric_choices()
    metric_param = models.FloatField(null=True, blank=True)  # e.g. N of "finished within N days"
    target_value = models.FloatField(null=True, blank=True)
    target_date = models.DateField(null=True, blank=True)
    whys = models.JSONField(default=list, blank=True)  # up to five "why?" answers, in order
    root_cause = models.TextField(blank=True)
    countermeasures = models.JSONField(default=list, blank=True)  # [{text, pros, cons}]
    # Do
    change_date = models.DateField(null=True, blank=True)
    # Check
    window_days = models.PositiveIntegerField(default=28)
    # Act
    outcome = models.CharField(max_length=12, choices=Outcome.choices, blank=True)
    outcome_reason = models.TextField(blank=True)
    effect = models.JSONField(null=True, blank=True)  # the Check as it stood when Act decided
    map_revision_id = models.PositiveBigIntegerField(null=True, blank=True)  # from standardise
    previous = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="next_cycles"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    objects = ImprovementQuerySet.as_manager()

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "number"], name="improvement_number_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"PDCA-{self.number} {self.title}"

    @property
    def code(self) -> str:
        return f"PDCA-{self.number}"

    @property
    def is_closed(self) -> bool:
        return self.phase == Phase.CLOSED


class PhaseChange(models.Model):
    """Append-only: who moved the cycle to which phase, when (and the Act decision's reason)."""

    improvement = models.ForeignKey(
        Improvement, on_delete=models.CASCADE, related_name="phase_changes"
    )
    from_phase = models.CharField(max_length=6, choices=Phase.choices, blank=True)
    to_phase = models.CharField(max_length=6, choices=Phase.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField()
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.from_phase or 'start'} → {self.to_phase} at {self.at:%Y-%m-%d}"


class Task(models.Model):
    """A Do task: a card on the board, linked to the cycle."""

    improvement = models.ForeignKey(Improvement, on_delete=models.CASCADE, related_name="tasks")
    card = models.ForeignKey("board.Card", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["improvement", "card"], name="improvement_task_once"),
        ]

    def __str__(self) -> str:
        return f"{self.improvement} → card {self.card_id}"
