"""The board's named values, for the other apps and the top-level CLI: lanes (classes of
service), column kinds and WIP policies, card event kinds. Those name these values from here;
they read and write the board's rows through ``leanmark.board.queries`` and
``leanmark.board.services``, never its models (the import-linter contracts in pyproject.toml)."""

from .models import LANE_ORDER, CardEvent, Column, Lane

ColumnKind = Column.Kind
ColumnPolicy = Column.Policy
EventKind = CardEvent.Kind

__all__ = ["LANE_ORDER", "ColumnKind", "ColumnPolicy", "EventKind", "Lane"]
