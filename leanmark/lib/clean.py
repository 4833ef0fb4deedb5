"""One set of rules for what people type, in one message style, for every app.

Each function takes the raw value (from a form, the API or the CLI), the field's name (as the
error's ``field``) and, where the message should say it otherwise, a ``label`` ("the hourly
cost"); it returns the cleaned value or raises ``error`` (an InvalidInput, or the app's own
subclass) with a message that names the field, what is wrong and what is allowed:

- text: stripped; not text → "must be text"; control characters (line breaks allowed where
  ``multiline``), lone surrogates and bidirectional overrides refused (leanmark/lib/text.py); a
  required text with nothing visible → "cannot be empty"; too long → "has N characters; at most
  M are allowed";
- choice: one of the allowed values, or "unknown … choose one of …";
- number and money: finite, within bounds, negative zero made zero; text such as "1,234" is not
  guessed at;
- day: an ISO date (YYYY-MM-DD) between 1900 and 2100.
"""

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from leanmark.lib import text as text_rules
from leanmark.lib.errors import InvalidInput, LeanmarkError
from leanmark.lib.numbers import unsigned_zero

FIRST_YEAR, LAST_YEAR = 1900, 2100


def _label(field: str, label: str | None) -> str:
    return label or f"the {field.replace('_', ' ')}"


def text(
    value: Any,
    field: str,
    *,
    limit: int,
    required: bool = False,
    multiline: bool = False,
    label: str | None = None,
    error: type[LeanmarkError] = InvalidInput,
) -> str:
    """Text as stored: see the module's rules. None is "" (or "cannot be empty" if required)."""
    name = _label(field, label)
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise error(f"{name} must be text", field=field)
    cleaned = value.strip()
    problem = text_rules.problem(cleaned, multiline=multiline)
    if problem:
        raise error(f"{name} {problem}", field=field)
    if required and not cleaned:
        raise error(f"{name} cannot be empty", field=field)
    if required and text_rules.blank(cleaned):
        raise error(
            f"{name} shows no visible character (only spaces or zero-width characters)",
            field=field,
        )
    if len(cleaned) > limit:
        raise error(
            f"{name} has {len(cleaned):,} characters; at most {limit:,} are allowed", field=field
        )
    return cleaned


def choice(
    value: Any,
    field: str,
    choices: Any,
    *,
    label: str | None = None,
    error: type[LeanmarkError] = InvalidInput,
) -> str:
    """One of ``choices`` (values, or (value, label) pairs)."""
    allowed = [c[0] if isinstance(c, tuple) else c for c in choices]
    if value not in allowed:
        shown = ", ".join(str(c) or "(none)" for c in allowed)
        raise error(
            f"unknown {_label(field, label).removeprefix('the ')} {str(value)[:60]!r}; "
            f"choose one of {shown}",
            field=field,
        )
    return str(value)


def decimal(
    value: Any,
    field: str,
    *,
    minimum: Decimal | None = None,
    maximum: Decimal | None = None,
    places: int = 2,
    label: str | None = None,
    error: type[LeanmarkError] = InvalidInput,
) -> Decimal:
    """A finite decimal number (an amount of money, hours), rounded to ``places``."""
    name = _label(field, label)
    if isinstance(value, bool) or value is None or (isinstance(value, str) and not value.strip()):
        raise error(f"{name} must be a number", field=field)
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise error(f"{name} must be a number, not {str(value)[:30]!r}", field=field) from None
    if not number.is_finite():
        raise error(f"{name} must be a finite number", field=field)
    if minimum is not None and number < minimum:
        raise error(f"{name} must be at least {minimum:,}", field=field)
    if maximum is not None and number > maximum:
        raise error(f"{name} must be at most {maximum:,}", field=field)
    return unsigned_zero(number.quantize(Decimal(1).scaleb(-places)))


def day(
    value: Any,
    field: str = "date",
    *,
    label: str | None = None,
    error: type[LeanmarkError] = InvalidInput,
) -> date:
    """A date given as a date or as YYYY-MM-DD text, between 1900 and 2100."""
    name = _label(field, label)
    if isinstance(value, date):
        found = value
    else:
        try:
            found = date.fromisoformat(str(value or "").strip())
        except ValueError:
            raise error(
                f"{name} must be a date as YYYY-MM-DD (for example 2026-12-04), "
                f"not {str(value)[:30]!r}",
                field=field,
            ) from None
    if not FIRST_YEAR <= found.year <= LAST_YEAR:
        raise error(f"{name} must be between {FIRST_YEAR} and {LAST_YEAR}", field=field)
    return found
