"""Numbers and dates as the tools and their users' locales write them.

``number("1.234,56")`` and ``number("1,234.56")`` are both 1234.56; a currency sign or code
(``£``, ``€``, ``US$``, ``GBP``) and a percent sign are dropped, ``(12.00)`` is negative, and
``""`` or ``--`` (how Google Ads and GA4 write "no value") is None. When a file's own numbers
show its decimal mark (``12,50`` can only be a decimal comma), the reader passes it in, so
``1.234`` in that file is a thousand and more, not one and a bit.

``day("01/12/2026")`` is the first of December unless ``day_first=False``; ``day_first_of``
looks at all of a file's dates at once, as a person would (a ``13/12/2026`` anywhere settles
it). A timestamp keeps the calendar date it was written with, whatever its offset: Shopify's
``2026-12-01 23:30:00 +0100`` is an order of the 1st in the shop's own time zone.

Every refusal is a NotReadable whose message reads well after ``'abc' in column Cost``.
"""

import re
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from functools import lru_cache


class NotReadable(ValueError):
    """A value that is not the number or date its column needs; the message says which."""


EMPTY = frozenset({"", "-", "--", "—", "–", "n/a", "(not set)"})

_SPACES = re.compile(r"[\s\u00a0\u202f\u2009\u2007']")
# A currency sign or ISO code in front of or behind the number: "£", "US$", "CA$", "EUR ", " kr".
_CURRENCY = re.compile(
    r"^(?:[A-Z]{0,3}[$£€¥₹₩₽₺₪฿₫]|[A-Z]{3}(?![0-9A-Z])|kr\.?|zł|Fr\.?)"
    r"|(?:[$£€¥₹₩₽₺₪฿₫]|(?<![0-9A-Z])[A-Z]{3}|kr\.?|zł)$"
)
_PLAIN = re.compile(r"^\d+(?:\.\d+)?$")
# The common cases, read without the general rules: "1234", "-12.50", "1,234.56".
FAST_PLAIN = re.compile(r"-?\d+(?:\.\d+)?")
_FAST_GROUPED = re.compile(r"[1-9]\d{0,2}(?:,\d{3})+\.\d+")
_FAST_WHOLE = re.compile(r"\d+")
_FAST_GROUPED_WHOLE = re.compile(r"[1-9]\d{0,2}(?:,\d{3})+")
_GROUPED = re.compile(r"^\d{1,3}(?:X\d{3})+$")


def is_empty(text: str) -> bool:
    return text.strip().lower() in EMPTY


def _strip_currency(text: str) -> str:
    for _ in range(2):  # a sign on each side at most ("US$ 3.20 USD" is not a thing; "€12,50" is)
        stripped = _CURRENCY.sub("", text).strip()
        if stripped == text:
            break
        text = stripped
    return text


def _integer_part_ok(whole: str, thousands: str) -> bool:
    if thousands not in whole:
        return whole.isdigit()
    return bool(_GROUPED.match(whole.replace(thousands, "X")))


def number(text: str, *, decimal_mark: str | None = None) -> Decimal | None:
    """The number ``text`` writes, or None for an empty cell; raises NotReadable.

    ``decimal_mark`` is "." or "," when the file's numbers settle it; with None, a lone comma
    followed by exactly three digits (``1,234``) groups thousands and any other lone comma
    (``12,5``) is a decimal comma, while a lone point is always a decimal point."""
    raw = text
    text = text.strip()
    if FAST_PLAIN.fullmatch(text) and (decimal_mark != "," or "." not in text):
        return Decimal(text)
    if decimal_mark != "," and _FAST_GROUPED.fullmatch(text):
        return Decimal(text.replace(",", ""))
    if text.lower() in EMPTY:
        return None
    negative = False
    if text.startswith("(") and text.endswith(")"):
        negative, text = True, text[1:-1].strip()
    text = text.removesuffix("%").strip()
    if text[:1] in "-−":
        negative, text = not negative, text[1:].strip()
    text = _strip_currency(text)
    if text[:1] in "-−":  # "£-12.00", the sign after the currency
        negative, text = not negative, text[1:].strip()
    text = _SPACES.sub("", text)
    value = _digits(text, decimal_mark)
    if value is None:
        raise NotReadable(f"'{raw.strip()}' is not a number")
    return -value if negative else value


def _digits(text: str, decimal_mark: str | None) -> Decimal | None:
    if not text or not (text[0].isdigit() or text[0] in ".,"):
        return None
    commas, points = text.count(","), text.count(".")
    mark: str | None  # the decimal mark, None when the text has only grouping
    if commas and points:
        mark = "," if text.rfind(",") > text.rfind(".") else "."
    elif decimal_mark is not None:
        mark = decimal_mark
    elif commas == 1:
        whole, _, fraction = text.partition(",")
        mark = None if len(fraction) == 3 and whole and whole != "0" else ","
    elif commas > 1:
        mark = None
    elif points > 1:
        mark = None
        return _grouped(text, ".")
    else:
        mark = "."
    if mark is None:
        return _grouped(text, ",")
    if text.count(mark) > 1:
        return None
    whole, _, fraction = text.partition(mark)
    if fraction and not fraction.isdigit():
        return None
    if whole == "" and fraction:
        whole = "0"
    thousands = "." if mark == "," else ","
    if not _integer_part_ok(whole, thousands):
        return None
    plain = whole.replace(thousands, "") + (f".{fraction}" if fraction else "")
    return Decimal(plain) if _PLAIN.match(plain) else None


def _grouped(text: str, thousands: str) -> Decimal | None:
    return Decimal(text.replace(thousands, "")) if _integer_part_ok(text, thousands) else None


def whole_number(text: str, *, decimal_mark: str | None = None) -> int | None:
    """A count (impressions, clicks): ``1,234`` is 1234; ``12.5`` is refused."""
    if _FAST_WHOLE.fullmatch(text):
        return int(text)
    if decimal_mark != "," and _FAST_GROUPED_WHOLE.fullmatch(text):
        return int(text.replace(",", ""))
    value = number(text, decimal_mark=decimal_mark)
    if value is None:
        return None
    if value != value.to_integral_value():
        raise NotReadable(f"'{text.strip()}' is not a whole number")
    return int(value)


def decimal_mark_of(values: Iterable[str]) -> str | None:
    """The decimal mark a file's numbers show, "," or ".", or None when none of them tells.

    ``12,50``, ``0,5`` and ``1.234,56`` show a decimal comma; ``12.50`` and ``1,234.56`` a
    decimal point; ``1,234`` and ``1.234`` alone tell nothing."""
    comma = point = False
    for value in set(values):
        if _FAST_WHOLE.fullmatch(value):
            continue
        text = _SPACES.sub("", _strip_currency(value.strip().strip("()%-−").strip()))
        if not text or not text[0].isdigit():
            continue
        last_comma, last_point = text.rfind(","), text.rfind(".")
        if last_comma >= 0 and last_point >= 0:
            if last_comma > last_point:
                comma = True
            else:
                point = True
        elif last_comma >= 0 and text.count(",") == 1:
            whole, fraction = text[:last_comma], text[last_comma + 1 :]
            if len(fraction) != 3 or whole == "0":
                comma = True
        elif last_point >= 0 and text.count(".") == 1:
            whole, fraction = text[:last_point], text[last_point + 1 :]
            if len(fraction) != 3 or whole == "0":
                point = True
    if comma and not point:
        return ","
    if point and not comma:
        return "."
    return None


MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january", "janv", "janvier", "januar", "ene", "enero", "gen", "gennaio"),
            ("feb", "february", "févr", "fevr", "février", "februar", "febrero", "febbraio"),
            ("mar", "march", "mars", "märz", "marz", "marzo", "mär"),
            ("apr", "april", "avr", "avril", "abr", "abril", "aprile"),
            ("may", "mai", "mayo", "maggio", "mei"),
            ("jun", "june", "juin", "juni", "junio", "giu", "giugno"),
            ("jul", "july", "juil", "juillet", "juli", "julio", "lug", "luglio"),
            ("aug", "august", "août", "aout", "ago", "agosto"),
            ("sep", "sept", "september", "septembre", "septiembre", "set", "settembre"),
            ("oct", "october", "octobre", "okt", "oktober", "octubre", "ott", "ottobre"),
            ("nov", "november", "novembre", "noviembre"),
            ("dec", "december", "déc", "decembre", "décembre", "dez", "dezember", "dic"),
        ),
        start=1,
    )
    for name in names
}

# What may follow a date in a timestamp: a time, am/pm, and an offset or zone name.
_TIME = (
    r"(?:[ T,]+\d{1,2}[:.]\d{2}(?:[:.]\d{2}(?:\.\d+)?)?\s*(?:[ap]\.?m\.?)?"
    r"\s*(?:Z|[+-]\d{2}:?\d{2}|(?:UTC|GMT)(?:[+-]\d{1,2}(?::?\d{2})?)?|[A-Z]{3,5})?)?"
)
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})" + _TIME + r"$", re.I)
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_NUMERIC = re.compile(r"^(\d{1,2})([/.\-])(\d{1,2})\2(\d{4}|\d{2})" + _TIME + r"$", re.I)
_YEAR_FIRST_SLASH = re.compile(r"^(\d{4})[/.](\d{1,2})[/.](\d{1,2})" + _TIME + r"$", re.I)
_MONTH_FIRST = re.compile(
    r"^(?:[a-zé]{3,9}\.?,?\s+)?([a-zéûä]{3,9})\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})"
    + _TIME
    + r"$",
    re.I,
)
_DAY_FIRST = re.compile(
    r"^(?:[a-zé]{3,9}\.?,?\s+)?(\d{1,2})(?:st|nd|rd|th)?\.?[\s\-]+([a-zéûä]{3,9})\.?[\s\-,]+(\d{4})"
    + _TIME
    + r"$",
    re.I,
)


def _make(year: int, month: int, day_of_month: int, text: str) -> date:
    try:
        return date(year, month, day_of_month)
    except ValueError:
        raise NotReadable(f"'{text}' is not a date") from None


def day(text: str, *, day_first: bool = True) -> date:
    """The calendar date ``text`` writes (a timestamp's own date); raises NotReadable."""
    return _day(text.strip(), day_first)


@lru_cache(maxsize=4096)  # a file repeats its days on every row
def _day(text: str, day_first: bool) -> date:
    if m := _ISO.match(text):
        return _make(int(m[1]), int(m[2]), int(m[3]), text)
    if m := _COMPACT.match(text):
        return _make(int(m[1]), int(m[2]), int(m[3]), text)
    if m := _YEAR_FIRST_SLASH.match(text):
        return _make(int(m[1]), int(m[2]), int(m[3]), text)
    if m := _NUMERIC.match(text):
        first, second, year = int(m[1]), int(m[3]), int(m[4])
        if len(m[4]) == 2:
            year += 2000
        month, day_of_month = (second, first) if day_first else (first, second)
        if not 1 <= month <= 12:
            order = "day first (DD/MM/YYYY)" if day_first else "month first (MM/DD/YYYY)"
            raise NotReadable(f"'{text}' is not a date when read {order}")
        return _make(year, month, day_of_month, text)
    for pattern, month_group, day_group in ((_MONTH_FIRST, 1, 2), (_DAY_FIRST, 2, 1)):
        if (m := pattern.match(text)) and (named := MONTHS.get(m[month_group].lower())):
            return _make(int(m[3]), named, int(m[day_group]), text)
    if not text:
        raise NotReadable("the date is missing")
    raise NotReadable(f"'{text}' is not a date")


_AM_PM = re.compile(r"\d\s*[ap]\.?m\.?\s*$", re.I)


class AmbiguousDates(NotReadable):
    """A file whose dates are written both day-first and month-first."""


def day_first_of(values: Iterable[str], *, default: bool = True) -> bool:
    """Whether a file's ``01/12/2026``-style dates put the day first, judged on all of them.

    A first field above 12 (``13/12/2026``) means day-first, a second field above 12
    (``12/13/2026``) month-first; a file with both is refused. When none tells, times with
    am/pm (``12/01/2026 09:30 AM``, as US-English exports write them) mean month-first, and
    otherwise ``default``."""
    day_first = month_first = ""
    twelve_hour = False
    for value in set(values):
        if m := _NUMERIC.match(value.strip()):
            twelve_hour = twelve_hour or bool(_AM_PM.search(value))
            if int(m[1]) > 12:
                day_first = day_first or value.strip()
            elif int(m[3]) > 12:
                month_first = month_first or value.strip()
    if day_first and month_first:
        raise AmbiguousDates(
            f"the dates are written both day-first ('{day_first}') and month-first "
            f"('{month_first}'); save the file with one date format"
        )
    if day_first:
        return True
    if month_first or twelve_hour:
        return False
    return default
