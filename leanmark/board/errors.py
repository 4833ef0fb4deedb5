"""The board's own refusals: WIP limits, blocked cards, stale versions. The errors every app
shares (not found, invalid input, wrong state, duplicate) are leanmark.lib.errors'."""

from leanmark.lib.errors import LeanmarkError


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


class StaleVersion(LeanmarkError):
    code = "stale_version"
    status = 409
