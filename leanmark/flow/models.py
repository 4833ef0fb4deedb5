"""A board's working calendar: the days its team does not work, which forecasts skip.

Per board, not per workspace: a board is one team's flow, and two teams of a workspace (say
content and paid ads) can have different off-days; a workspace-wide holiday is added to each
board (the CLI and API take a date range, so that is one command per board).
"""

from django.db import models

from leanmark.lib.models import WorkspaceOwned

REASON_MAX = 80


class BoardCalendar(WorkspaceOwned):
    """The board's calendar switches (a row only once someone changed one)."""

    board = models.OneToOneField("board.Board", on_delete=models.CASCADE, related_name="+")
    weekends_off = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"calendar of board {self.board_id}"


class BlackoutDay(WorkspaceOwned):
    """One day the board's team does not work (a holiday, a team off-day)."""

    board = models.ForeignKey("board.Board", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    reason = models.CharField(max_length=REASON_MAX, blank=True)

    class Meta:
        ordering = ["day"]
        constraints = [
            models.UniqueConstraint(fields=["board", "day"], name="one_blackout_per_board_per_day")
        ]

    def __str__(self) -> str:
        return f"{self.day} off"
