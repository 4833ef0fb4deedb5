from django.conf import settings
from django.db import models

from leanmark.accounts.models import Workspace
from leanmark.domain.hourglass import STAGE_CHOICES
from leanmark.domain.value import MODEL_LABELS, PROFILE_LABELS
from leanmark.lib.models import WorkspaceOwned, WorkspaceQuerySet

TITLE_MAX = 200


class Status(models.TextChoices):
    NEW = "new", "New"
    EVALUATED = "evaluated", "Evaluated"
    ACCEPTED = "accepted", "Accepted"
    PARKED = "parked", "Parked"
    REJECTED = "rejected", "Rejected"


OPEN_STATUSES = (Status.NEW, Status.EVALUATED, Status.ACCEPTED)
MODEL_CHOICES = [(m.value, label) for m, label in MODEL_LABELS.items()]
PROFILE_CHOICES = [(p.value, label) for p, label in PROFILE_LABELS.items()]


class ValueUnit(models.TextChoices):
    MONEY = "money", "Money per week"
    POINTS = "points", "Value points per week"


class BacklogSettings(models.Model):
    """A workspace's backlog choices (one row per workspace, created on first change)."""

    workspace = models.OneToOneField(
        Workspace, on_delete=models.CASCADE, related_name="backlog_settings"
    )
    default_model = models.CharField(max_length=4, choices=MODEL_CHOICES, default="cd3")

    def __str__(self) -> str:
        return f"backlog settings of {self.workspace_id}"


class IdeaQuerySet(WorkspaceQuerySet["Idea"]):
    pass


class Idea(WorkspaceOwned):
    title = models.CharField(max_length=TITLE_MAX)
    description = models.TextField(blank=True)  # Markdown, sanitised when shown
    source = models.CharField(max_length=200, blank=True)  # who or what suggested it
    stage = models.CharField(max_length=8, choices=STAGE_CHOICES, blank=True)
    channel = models.CharField(max_length=60, blank=True)
    tags = models.JSONField(default=list, blank=True)
    hypothesis = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.NEW)
    status_reason = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    version = models.PositiveIntegerField(default=1)

    # ICE: whole numbers 1 to 10
    ice_impact = models.PositiveSmallIntegerField(null=True, blank=True)
    ice_confidence = models.PositiveSmallIntegerField(null=True, blank=True)
    ice_ease = models.PositiveSmallIntegerField(null=True, blank=True)
    # RICE: reach per period, impact in {3, 2, 1, 0.5, 0.25}, confidence %, effort person-months
    rice_reach = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    rice_impact = models.DecimalField(max_digits=4, decimal_places=2, null=True, blank=True)
    rice_confidence = models.PositiveSmallIntegerField(null=True, blank=True)
    rice_effort = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    # Cost of Delay: value rate per week, duration in weeks, urgency profile and its dates
    cod_profile = models.CharField(max_length=10, choices=PROFILE_CHOICES, blank=True)
    value_rate = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    value_unit = models.CharField(max_length=6, choices=ValueUnit.choices, default=ValueUnit.MONEY)
    duration_weeks = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    deadline = models.DateField(null=True, blank=True)
    penalty = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    horizon = models.DateField(null=True, blank=True)

    # An experiment on the same stage and channel concluded after the last confidence score.
    evidence_changed_at = models.DateTimeField(null=True, blank=True)
    evidence_source = models.CharField(max_length=200, blank=True)

    card = models.OneToOneField(
        "board.Card", null=True, blank=True, on_delete=models.SET_NULL, related_name="idea"
    )
    started_at = models.DateTimeField(null=True, blank=True)

    objects = IdeaQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["workspace", "status"], name="idea_ws_status_idx"),
            models.Index(
                fields=["workspace", "stage", "channel"], name="idea_ws_stage_channel_idx"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def has_ice(self) -> bool:
        return None not in (self.ice_impact, self.ice_confidence, self.ice_ease)

    @property
    def has_rice(self) -> bool:
        values = (self.rice_reach, self.rice_impact, self.rice_confidence, self.rice_effort)
        return None not in values

    @property
    def has_cod(self) -> bool:
        return bool(self.cod_profile) and None not in (self.value_rate, self.duration_weeks)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class IdeaEvent(models.Model):
    """Append-only history of an idea: what happened, when, by whom, with the values changed."""

    class Kind(models.TextChoices):
        CAPTURED = "captured", "Captured"
        EDITED = "edited", "Edited"
        SCORED = "scored", "Scored"
        STATUS = "status", "Status changed"
        STARTED = "started", "Started as a card"
        EVIDENCE = "evidence", "Evidence changed"
        IMPORTED = "imported", "Imported"

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.CharField(max_length=300, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["idea", "at"], name="idea_event_idx")]

    def __str__(self) -> str:
        return f"{self.kind} idea {self.idea_id} at {self.at:%Y-%m-%d %H:%M}"
