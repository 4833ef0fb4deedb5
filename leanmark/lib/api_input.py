"""What every API input model shares: unknown fields refused, and JSON types taken at their word.

ninja validates a parsed body in pydantic's lax Python mode, which quietly turns ``0`` (or the
text "0") into the date 1970-01-01, ``false`` into the number 0 and ``"5"`` into 5. A client that
sent a wrong type would find a wrong value stored and no error (schemathesis found these: a
spend row dated 1970, a target of 0 from ``false``). ``Strict`` refuses them with the field's
name and what it takes; ``Day`` does the same for a date in a query string.
"""

import re
import types
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Union, get_args, get_origin

from ninja import Schema
from pydantic import BeforeValidator, ConfigDict, Field, ValidationInfo, field_validator

from leanmark.lib.text import has_surrogate

ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")

SURROGATE_MESSAGE = (
    "contains a lone UTF-16 surrogate (an unpaired \\ud800-\\udfff escape), which is not a "
    "character; send valid Unicode text"
)
DAY_MESSAGE = "a date as YYYY-MM-DD (for example 2026-12-04)"
MOMENT_MESSAGE = "a date and time in ISO 8601 (for example 2026-12-04T09:30:00Z)"


def iso_day(value: Any) -> Any:
    """A date as the API documents it: YYYY-MM-DD text (or a date, from Python callers)."""
    if value is None or (isinstance(value, date) and not isinstance(value, datetime)):
        return value
    if isinstance(value, str) and ISO_DAY.fullmatch(value.strip()):
        return value.strip()
    raise ValueError(DAY_MESSAGE)


def iso_moment(value: Any) -> Any:
    if value is None or isinstance(value, datetime):
        return value
    if isinstance(value, str) and ISO_DAY.match(value.strip()):  # pydantic reads time and zone
        return value.strip()
    raise ValueError(MOMENT_MESSAGE)


Day = Annotated[date, BeforeValidator(iso_day)]

# Text the services refuse when it is blank (or only spaces): the document says so with a
# pattern, and the service keeps its own words ("the title cannot be empty") for the 422.
NOT_BLANK: dict[str, Any] = {"pattern": r"\S"}
Filled = Annotated[str, Field(json_schema_extra=NOT_BLANK)]

# Every service refuses control characters in text (tab, newline and carriage return are
# allowed where a text may have several lines). The document says so on every text field of a
# request body; the services keep the check and their message, so nothing here changes what is
# accepted.
_TEXT = r"[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]"
NO_CONTROL = f"^{_TEXT}*$"
FILLED_NO_CONTROL = f"^{_TEXT}*" + r"[^\s\x00-\x1f\x7f]" + f"{_TEXT}*$"


def _text_rule(schema: dict[str, Any]) -> None:
    if schema.get("type") == "string" and not ({"enum", "format", "const"} & schema.keys()):
        pattern = schema.get("pattern")
        if pattern is None:
            schema["pattern"] = NO_CONTROL
        elif pattern == NOT_BLANK["pattern"]:
            schema["pattern"] = FILLED_NO_CONTROL
    elif schema.get("type") == "array" and isinstance(schema.get("items"), dict):
        _text_rule(schema["items"])


def document_text_rules(schema: dict[str, Any]) -> None:
    """``json_schema_extra`` of request bodies: the control-character rule on each text."""
    for prop in schema.get("properties", {}).values():
        branches = prop.get("anyOf")
        if branches and prop.get("pattern") == NOT_BLANK["pattern"]:  # Filled | None
            del prop["pattern"]
            for branch in branches:
                if branch.get("type") == "string":
                    branch["pattern"] = NOT_BLANK["pattern"]
        for branch in branches or [prop]:
            _text_rule(branch)


_KINDS: dict[tuple[type, str], str | None] = {}


def _kind(annotation: Any) -> str | None:
    """What JSON type a field's annotation asks for: day, moment, whole/real, or None (other)."""
    origin = get_origin(annotation)
    if origin is Annotated:
        return _kind(get_args(annotation)[0])
    if origin in (Union, types.UnionType):
        kinds = {_kind(a) for a in get_args(annotation) if a is not type(None)}
        return kinds.pop() if len(kinds) == 1 else None
    if origin in (list, tuple, set, frozenset):
        items = {_kind(a) for a in get_args(annotation) if a is not Ellipsis}
        kind = items.pop() if len(items) == 1 else None
        return f"list:{kind}" if kind else None
    if annotation is bool:
        return "bool"
    if annotation is datetime:
        return "moment"
    if annotation is date:
        return "day"
    if annotation is int:
        return "whole"
    if annotation is float:
        return "real"
    if annotation is Decimal:
        return "decimal"
    return None


def _checked(kind: str, value: Any) -> Any:
    if value is None:
        return value
    if kind.startswith("list:"):
        if not isinstance(value, list):
            return value  # pydantic says "a list" itself
        for index, item in enumerate(value):
            try:
                _checked(kind[5:], item)
            except ValueError as error:
                raise ValueError(f"item {index + 1}: {error}") from None
        return value
    if kind == "day":
        return iso_day(value)
    if kind == "moment":
        return iso_moment(value)
    if kind == "bool":
        if not isinstance(value, bool):  # lax mode read 0, "no" and "off" as false
            raise ValueError("true or false")
        return value
    what = {"whole": "a whole number", "real": "a number", "decimal": "a number"}[kind]
    if isinstance(value, bool):
        raise ValueError(f"{what}, not true or false")
    if kind != "decimal" and isinstance(value, str):  # decimals take "12.50" by design
        raise ValueError(f"{what}, not text")
    return value


class Strict(Schema):
    """The base of every request body: unknown fields and mistyped values are refused."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=document_text_rules)

    @field_validator("*", mode="before")
    @classmethod
    def _json_types(cls, value: Any, info: ValidationInfo) -> Any:
        if has_surrogate(value):  # JSON's "\ud800" alone: no database can store it (a 500)
            raise ValueError(SURROGATE_MESSAGE)
        key = (cls, info.field_name or "")
        if key not in _KINDS:
            field = cls.model_fields.get(key[1])
            _KINDS[key] = _kind(field.annotation) if field is not None else None
        kind = _KINDS[key]
        return value if kind is None else _checked(kind, value)
