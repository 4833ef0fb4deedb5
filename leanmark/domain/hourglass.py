"""The Marketing Hourglass stages, always in this order (docs/product.md §2)."""

from enum import StrEnum


class Stage(StrEnum):
    KNOW = "know"
    LIKE = "like"
    TRUST = "trust"
    TRY = "try"
    BUY = "buy"
    REPEAT = "repeat"
    REFER = "refer"


STAGES: tuple[Stage, ...] = tuple(Stage)


# (value, label) pairs for a stage picker: know → "Know"
STAGE_CHOICES = [(s.value, s.value.capitalize()) for s in Stage]
