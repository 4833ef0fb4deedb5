"""Errors of the value stream app. They are board errors, so the one API maps them to its error
envelope (status, code, the offending field) and views show their message."""

from leanmark.lib.errors import LeanmarkError


class ValueStreamError(LeanmarkError):
    code = "invalid"
    status = 422


class Conflict(ValueStreamError):
    """Valid on its own but not with what is stored: a taken name, a map in the wrong state."""

    code = "conflict"
    status = 409


class NotAFutureStep(LeanmarkError):
    code = "not_a_future_step"
    status = 409
