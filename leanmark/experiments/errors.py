"""Domain errors of experiments. They extend the board's ``LeanmarkError``, so the one API maps
them to their status and code (and views show their message) with no new handler."""

from leanmark.lib.errors import LeanmarkError


class ExperimentError(LeanmarkError):
    code = "experiment_error"
    status = 400


class InvalidExperimentInput(ExperimentError):
    code = "invalid"
    status = 422


class WrongState(ExperimentError):
    code = "wrong_state"
    status = 409


class DecisionRefused(ExperimentError):
    """The gate refused: too early, or against the evidence, and no override reason given."""

    code = "decision_refused"
    status = 409
