"""What every app's API shares: the error envelope, ids, pages, and the one ``ERRORS`` map of
error statuses that each endpoint documents."""

from typing import Annotated, Generic, Literal, TypeVar

from ninja import Schema
from ninja.responses import codes_4xx
from pydantic import Field

from leanmark.lib.api_input import Filled, Strict

__all__ = [
    "ERRORS", "CursorPage", "ErrorBody", "ErrorOut", "Filled", "Id", "LaneName", "Page",
    "StageName", "Strict",
]  # fmt: skip

Id = Annotated[int, Field(ge=1, le=2**63 - 1)]  # a 64-bit id; larger answers 422
LaneName = Literal["expedite", "fixed_date", "standard", "intangible"]
StageName = Literal["", "know", "like", "trust", "try", "buy", "repeat", "refer"]  # the hourglass
T = TypeVar("T")


class ErrorBody(Schema):
    code: str
    message: str
    fields: dict[str, str] = {}


class ErrorOut(Schema):
    error: ErrorBody


# Every 4xx an endpoint can answer, with the envelope. ninja's codes_4xx leaves out 413 (a body
# over the limit) and 422 (validation), which every endpoint taking input can answer.
ERRORS = {codes_4xx | {413, 422}: ErrorOut}


class CursorPage(Schema, Generic[T]):
    """A page of a list read in id order: pass ``next_cursor`` back for the next page (None at
    the end)."""

    items: list[T]
    next_cursor: int | None


class Page(Schema, Generic[T]):
    """A page of a list read by offset, with the ``total`` of the whole list."""

    items: list[T]
    total: int
