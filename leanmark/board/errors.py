"""Domain errors of the board; the API maps each to its status and code, views to a message."""

from typing import Any


class BoardError(Exception):
    code = "board_error"
    status = 400
    exit_code = 1  # the CLI's; 2 only when a WIP limit refused (a script may wait and retry)

    def __init__(self, message: str, *, field: str | None = None, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.details = details


class NotFound(BoardError):
    """Answered as 404, like an object of another workspace: nothing says whether it exists."""

    code = "not_found"
    status = 404


class InvalidInput(BoardError):
    code = "invalid"
    status = 422


class WrongState(InvalidInput):
    """Valid on its own but not now: the object is not in a state that allows it (already
    archived, not blocked, not yet accepted). 409, as for any conflict with the current state.
    An InvalidInput still, so code that reports refused input (imports, bulk actions) sees it."""

    code = "wrong_state"
    status = 409


class Duplicate(InvalidInput):
    """The name (or key) is taken by another object of the same kind: a conflict, 409."""

    code = "duplicate"
    status = 409


class WipLimitExceeded(BoardError):
    code = "wip_limit_exceeded"
    status = 409
    exit_code = 2


class OverrideReasonRequired(BoardError):
    """A soft limit is full: the move may go ahead, but only with a recorded reason."""

    code = "wip_override_reason_required"
    status = 409
    exit_code = 2


class CardBlocked(BoardError):
    code = "card_blocked"
    status = 409


class StaleVersion(BoardError):
    code = "stale_version"
    status = 409
