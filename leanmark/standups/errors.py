"""Errors of the stand-up; they are LeanmarkErrors, so the API's one handler maps each to its status
and code, and views show the message."""

from leanmark.lib.errors import InvalidInput, LeanmarkError

__all__ = ["AlreadyCheckedIn", "EntryClosed", "InvalidInput", "NotYours", "StandupError"]


class StandupError(LeanmarkError):
    code = "standup_error"


class AlreadyCheckedIn(StandupError):
    code = "already_checked_in"
    status = 409


class EntryClosed(StandupError):
    """A day's entries are read-only once the day is over (workspace time zone)."""

    code = "entry_closed"
    status = 409


class NotYours(StandupError):
    """Each member writes their own check-in."""

    code = "not_your_entry"
    status = 403
