from django.conf import settings
from django.db import models
from django.urls import reverse

from leanmark.lib.models import WorkspaceOwned, WorkspaceQuerySet

TEXT_MAX = 2000
WHAT_MAX = 300


class EntryQuerySet(WorkspaceQuerySet["Entry"]):
    pass


class Entry(WorkspaceOwned):
    """One member's check-in for one day: what they did, will do, and what blocks them."""

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="standup_entries"
    )
    day = models.DateField()  # in the workspace's time zone
    yesterday = models.TextField(blank=True)
    today = models.TextField(blank=True)
    blockers = models.TextField(blank=True)
    mentions = models.ManyToManyField("board.Card", blank=True, related_name="+")
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    objects = EntryQuerySet.as_manager()

    class Meta:
        ordering = ["-day", "member_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "member", "day"], name="one_standup_entry_per_member_per_day"
            )
        ]
        indexes = [models.Index(fields=["workspace", "day"], name="standup_entry_day_idx")]

    def __str__(self) -> str:
        return f"stand-up of {self.member_id} on {self.day}"

    def get_absolute_url(self) -> str:
        day = reverse(
            "standup-day", kwargs={"ws": self.workspace.slug, "day": self.day.isoformat()}
        )
        return f"{day}#entry-{self.pk}"


class ImpedimentQuerySet(WorkspaceQuerySet["Impediment"]):
    pass

    def open(self) -> "ImpedimentQuerySet":
        return self.filter(resolved_at__isnull=True)


class Impediment(WorkspaceOwned):
    """Something that blocks the team, with an owner, tracked until it is resolved."""

    what = models.CharField(max_length=WHAT_MAX)
    card = models.ForeignKey(
        "board.Card", null=True, blank=True, on_delete=models.SET_NULL, related_name="impediments"
    )
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    entry = models.ForeignKey(
        Entry, null=True, blank=True, on_delete=models.SET_NULL, related_name="impediments"
    )
    raised_at = models.DateTimeField()
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolution = models.TextField(blank=True)

    objects = ImpedimentQuerySet.as_manager()

    class Meta:
        ordering = ["raised_at", "id"]
        indexes = [
            models.Index(fields=["workspace", "resolved_at"], name="impediment_open_idx"),
        ]

    def __str__(self) -> str:
        return self.what

    def get_absolute_url(self) -> str:
        return reverse(
            "standup-impediment", kwargs={"ws": self.workspace.slug, "impediment_id": self.pk}
        )

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None


class AgendaRecord(WorkspaceOwned):
    """The agenda as it was when the day's stand-up was started (stand-up mode), for history."""

    day = models.DateField()
    taken_at = models.DateTimeField()
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    board = models.ForeignKey("board.Board", on_delete=models.CASCADE, related_name="+")
    data = models.JSONField(default=dict)

    class Meta:
        ordering = ["-day"]
        constraints = [
            models.UniqueConstraint(fields=["board", "day"], name="one_agenda_per_board_per_day")
        ]

    def __str__(self) -> str:
        return f"agenda of {self.day}"
