from datetime import timedelta

from django.conf import settings
from django.db import models

from leanmark.accounts.models import Workspace
from leanmark.domain.hourglass import STAGE_CHOICES
from leanmark.lib.models import WorkspaceOwned

TITLE_MAX = 200


class Lane(models.TextChoices):
    """Classes of service, in the order they are drawn (expedite on top)."""

    EXPEDITE = "expedite", "Expedite"
    FIXED_DATE = "fixed_date", "Fixed date"
    STANDARD = "standard", "Standard"
    INTANGIBLE = "intangible", "Intangible"


LANE_ORDER = [Lane.EXPEDITE, Lane.FIXED_DATE, Lane.STANDARD, Lane.INTANGIBLE]


class Board(WorkspaceOwned):
    name = models.CharField(max_length=100)
    start_column = models.ForeignKey(
        "Column", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    done_column = models.ForeignKey(
        "Column", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    expedite_limit = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    # Bumped by every change a viewer of the board would see (cards, columns, who is editing):
    # open boards poll it (one primary-key lookup) and redraw when it moved.
    changes = models.PositiveBigIntegerField(default=0)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class Column(models.Model):
    class Kind(models.TextChoices):
        QUEUE = "queue", "Queue (work waits)"
        ACTIVE = "active", "Active (work is done)"

    class Policy(models.TextChoices):
        SOFT = "soft", "Soft: warn and ask for a reason"
        HARD = "hard", "Hard: refuse"

    board = models.ForeignKey(Board, on_delete=models.CASCADE, related_name="columns")
    name = models.CharField(max_length=60)
    position = models.PositiveIntegerField()
    wip_limit = models.PositiveIntegerField(null=True, blank=True)
    policy = models.CharField(max_length=4, choices=Policy.choices, default=Policy.SOFT)
    kind = models.CharField(max_length=6, choices=Kind.choices, default=Kind.ACTIVE)
    per_person_limit = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["board_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["board", "name"], name="column_name_unique_on_board"),
        ]

    def __str__(self) -> str:
        return self.name


class CardQuerySet(models.QuerySet["Card"]):
    def for_workspace(self, workspace: Workspace) -> "CardQuerySet":
        return self.filter(board__workspace=workspace)

    def live(self) -> "CardQuerySet":
        return self.filter(archived_at__isnull=True)


class Card(models.Model):
    board = models.ForeignKey(Board, on_delete=models.CASCADE, related_name="cards")
    number = models.PositiveIntegerField()
    # RESTRICT: a column holding cards cannot be deleted alone, but a whole board or workspace can.
    column = models.ForeignKey(Column, on_delete=models.RESTRICT, related_name="cards")
    lane = models.CharField(max_length=10, choices=Lane.choices, default=Lane.STANDARD)
    position = models.IntegerField(default=0)
    title = models.CharField(max_length=TITLE_MAX)
    description = models.TextField(blank=True)
    assignees = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="cards")
    due_date = models.DateField(null=True, blank=True)
    stage = models.CharField(max_length=8, choices=STAGE_CHOICES, blank=True)
    channel = models.CharField(max_length=60, blank=True)
    tags = models.JSONField(default=list, blank=True)
    estimate = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    time_logged = models.DecimalField(max_digits=9, decimal_places=2, default=0)
    blocked_reason = models.CharField(max_length=300, blank=True)
    blocked_since = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField()
    column_entered_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    archived_at = models.DateTimeField(null=True, blank=True)
    # Links to the idea and experiment apps arrive with those apps (issues 3 and 5).

    objects = CardQuerySet.as_manager()

    class Meta:
        ordering = ["column__position", "lane", "position", "id"]
        constraints = [
            # Numbers come from the workspace's counter, so they are also unique in the workspace.
            models.UniqueConstraint(fields=["board", "number"], name="card_number_unique_on_board"),
        ]
        indexes = [
            # The live cards of a cell in order. Partial, so that "the end of the cell" (MAX of
            # position) reads one entry: PostgreSQL's planner does not treat "archived_at IS
            # NULL" as a constant for an index's order, and scanned the whole column instead.
            models.Index(
                fields=["column", "lane", "position"],
                condition=models.Q(archived_at__isnull=True),
                name="card_live_cell_idx",
            ),
            models.Index(
                fields=["board", "archived_at", "finished_at"], name="card_board_done_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.number} {self.title}"

    @property
    def is_blocked(self) -> bool:
        return self.blocked_since is not None


class CardEvent(models.Model):
    """Append-only: nothing in Leanmark updates or deletes a row of this table."""

    class Kind(models.TextChoices):
        CREATED = "created", "Created"
        MOVED = "moved", "Moved"
        BLOCKED = "blocked", "Blocked"
        UNBLOCKED = "unblocked", "Unblocked"
        ASSIGNED = "assigned", "Assigned"
        EDITED = "edited", "Edited"
        ARCHIVED = "archived", "Archived"
        RESTORED = "restored", "Restored"
        WIP_OVERRIDE = "wip_override", "WIP override"

    card = models.ForeignKey(Card, on_delete=models.CASCADE, related_name="events")
    board = models.ForeignKey(Board, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # RESTRICT: a column named in history cannot be deleted (events are never rewritten), but a
    # whole board or workspace, events included, can.
    from_column = models.ForeignKey(
        Column, null=True, blank=True, on_delete=models.RESTRICT, related_name="+"
    )
    to_column = models.ForeignKey(
        Column, null=True, blank=True, on_delete=models.RESTRICT, related_name="+"
    )
    lane = models.CharField(max_length=10, blank=True)
    reason = models.CharField(max_length=300, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [
            models.Index(fields=["board", "id"], name="event_board_idx"),
            models.Index(fields=["card", "at"], name="event_card_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.card_id} at {self.at:%Y-%m-%d %H:%M}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None and not self._state.adding:
            raise RuntimeError("card events are append-only")
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise RuntimeError("card events are append-only")


# The card page renews its editor's presence every 20 s; an older one is a closed tab.
EDITING_TTL = timedelta(seconds=45)


class CardEditor(models.Model):
    """Someone has the card's page open to edit it (renewed every 20 s, see ``EDITING_TTL``)."""

    card = models.ForeignKey(Card, on_delete=models.CASCADE, related_name="editors")
    board = models.ForeignKey(Board, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    seen_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["card", "user"], name="one_editor_row_per_person")
        ]
        indexes = [models.Index(fields=["board", "seen_at"], name="editor_board_idx")]

    def __str__(self) -> str:
        return f"user {self.user_id} editing card {self.card_id} (seen {self.seen_at:%H:%M:%S})"
