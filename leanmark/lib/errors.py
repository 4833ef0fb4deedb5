"""The errors every app raises, and how each one answers.

A service raises one of these with a message a person can act on (and the field it is about);
the API answers its ``status`` with its ``code`` in the error envelope, a page shows the message
beside the field, and the CLI prints it and exits with ``exit_code``. Apps subclass them for
their own cases (a WIP limit, a stale version, a duplicate spend) and keep those in their own
``errors`` module; nothing here knows any app.
"""

from typing import Any


class LeanmarkError(Exception):
    code = "error"
    status = 400
    exit_code = 1  # the CLI's; 2 only when a WIP limit refused (a script may wait and retry)

    def __init__(self, message: str, *, field: str | None = None, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.details = details


class NotFound(LeanmarkError):
    """Answered as 404, like an object of another workspace: nothing says whether it exists."""

    code = "not_found"
    status = 404


class InvalidInput(LeanmarkError):
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


class StaleVersion(LeanmarkError):
    """The object changed since the writer read it (its version moved on): reload and retry."""

    code = "stale_version"
    status = 409
