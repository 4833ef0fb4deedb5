"""This app's errors are the board's (one handler maps them to the API's error envelope)."""

from leanmark.lib.errors import InvalidInput, LeanmarkError

__all__ = ["DuplicateSpend", "InvalidInput", "LeanmarkError"]


class DuplicateSpend(LeanmarkError):
    """Spend for that day and attribution exists: change it instead of adding a second one."""

    code = "duplicate_spend"
    status = 409


class NotYours(LeanmarkError):
    """Someone else's time log: only its member, whoever logged it, or an owner deletes it."""

    code = "forbidden"
    status = 403
