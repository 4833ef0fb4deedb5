"""The Marketing Hourglass stages, always in this order (PRODUCT.md §2)."""

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
