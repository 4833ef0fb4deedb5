"""The board's own refusals: WIP limits and blocked cards. The errors every app shares (not
found, invalid input, wrong state, duplicate, a stale version) are leanmark.lib.errors'."""

from leanmark.lib.errors import LeanmarkError, StaleVersion

__all__ = ["CardBlocked", "OverrideReasonRequired", "StaleVersion", "WipLimitExceeded"]


class WipLimitExceeded(LeanmarkError):
    code = "wip_limit_exceeded"
    status = 409
    exit_code = 2


class OverrideReasonRequired(LeanmarkError):
    """A soft limit is full: the move may go ahead, but only with a recorded reason."""

    code = "wip_override_reason_required"
    status = 409
    exit_code = 2


class CardBlocked(LeanmarkError):
    code = "card_blocked"
    status = 409
