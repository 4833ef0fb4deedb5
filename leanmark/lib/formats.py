"""How Leanmark writes numbers, shares, money and names for people: one set of rules for the pages
(leanmark/lib/formatting.py, the template filters), the charts, the CLI and the CSV headers.

- missing values are one mark, ``—``; negative values one minus sign, ``−`` (U+2212);
- counts are whole with thousands separators: ``1,610``, ``39 items``, ``0 cycles``;
- other numbers are as people write them: ``1,234`` · ``152.2`` · ``39.9`` · ``4.25`` · ``7.5``
  (none from 1,000 up, one decimal from 10 up, at most two below, trailing zeros dropped);
- shares are percentages with one decimal and a space: ``45.7 %``;
- money carries the workspace currency's symbol and pennies only where they matter: ``£155,459``,
  ``£4.37``, ``£12`` (pennies below 100 units when there are any; ``exact`` keeps them always);
- internal names are shown as words: ``paid_search`` → ``Paid search``.

No Django here: the template filters, the CLI and the chart builders call these functions. The
pages' currency is the current workspace's (``workspace_currency``), set for the length of a
workspace page by leanmark/lib/access.py and looked up only when a page writes money.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from fractions import Fraction

MISSING = "—"
MINUS = "\u2212"

# ISO 4217 code → symbol written before the amount; other codes are written as "CHF 1,234".
SYMBOLS = {
    "GBP": "£", "EUR": "€", "USD": "$", "JPY": "¥", "CNY": "¥", "INR": "₹", "KRW": "₩",
    "AUD": "A$", "CAD": "C$", "NZD": "NZ$", "HKD": "HK$", "SGD": "S$", "BRL": "R$",
    "MXN": "MX$", "ILS": "₪", "TRY": "₺", "PLN": "zł ", "SEK": "kr ", "NOK": "kr ", "DKK": "kr ",
}  # fmt: skip

Number = int | float | Decimal | Fraction


def _value(value: object) -> Decimal | None:
    """``value`` as a Decimal, or None when it is missing or not a number ("" and None are
    missing: a form's empty field and an unset one read the same)."""
    if value is None or value == "" or isinstance(value, bool):
        return None
    if isinstance(value, Fraction):
        return Decimal(value.numerator) / Decimal(value.denominator)
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def _signed(text: str) -> str:
    """One minus sign, and no negative zero ("-0", "-0.0" are zero)."""
    if text.startswith("-"):
        digits = text[1:]
        return digits if not digits.strip("0.,") else MINUS + digits
    return text


def _fixed(number: Decimal, places: int) -> str:
    """``number`` to ``places`` decimals, halves rounded up (1,234.5 → "1,235", as people
    round; Python's format rounds halves to even), with thousands separators."""
    return f"{number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP):,.{places}f}"


def _trim(text: str) -> str:
    return text.rstrip("0").rstrip(".") if "." in text else text


def number(value: object) -> str:
    """1,234 · 152.2 · 39.9 · 4.25 · 7.5 · 12 · −3: whole numbers plain, none from 1,000 up, one
    decimal from 10 up, at most two below (trailing zeros dropped)."""
    found = _value(value)
    if found is None:
        return MISSING
    size = abs(found)
    places = 0 if size >= 1000 or found == found.to_integral_value() else 1 if size >= 10 else 2
    return _signed(_trim(_fixed(found, places)))


def whole(value: object) -> str:
    """A count or an amount rounded to whole units: 1,610 · 0 · −12."""
    found = _value(value)
    return MISSING if found is None else _signed(_fixed(found, 0))


def count(value: object, noun: str = "", plural: str = "") -> str:
    """``count(39, "item")`` → "39 items"; ``count(1, "cycle")`` → "1 cycle"; without a noun
    the number alone: "1,610"."""
    text = whole(value)
    if not noun or text == MISSING:
        return text
    return f"{text} {noun if _value(value) == 1 else plural or noun + 's'}"


def significant(value: object, digits: int = 3) -> str:
    """A statistic or a fitted parameter: 4352.1 → "4,352", 1.9599 → "1.96", 0.0123 → "0.0123"."""
    found = _value(value)
    if found is None:
        return MISSING
    if abs(found) >= 100:
        return _signed(_fixed(found, 0))
    return _signed(f"{float(found):.{digits}g}")


def percent(share: object, places: int = 1) -> str:
    """A share as a percentage: 0.4567 → "45.7 %", 0.92 → "92.0 %" (``places=0`` → "92 %")."""
    found = _value(share)
    return MISSING if found is None else _signed(_fixed(found * 100, places)) + " %"


def _plus(text: str) -> str:
    """A change written signed: "+" before a positive figure; a negative one has its minus, and
    one that reads as zero ("0", "0.0 %") or is missing gets no sign."""
    if text.startswith(MINUS) or not any(c in "123456789" for c in text):
        return text
    return "+" + text


def signed_percent(share: object, places: int = 0) -> str:
    """A change as a signed percentage: 0.12 → "+12 %", −0.034 → "−3 %", 0 → "0 %"."""
    return _plus(percent(share, places))


def signed(value: object) -> str:
    """A change of a number, signed: +1,234 · −4.25 · 0."""
    return _plus(number(value))


def points(difference: object, places: int = 1) -> str:
    """A difference of two rates in percentage points, signed: 0.012 → "+1.2 pp"."""
    found = _value(difference)
    return MISSING if found is None else _plus(_signed(_fixed(found * 100, places))) + " pp"


def symbol(currency: str | None) -> str:
    """What is written before an amount in ``currency``: "£", "€", "CHF " (none when unknown)."""
    if not currency:
        return ""
    return SYMBOLS.get(currency.upper(), currency.upper() + " ")


def money(amount: object, currency: str | None = None, *, exact: bool = False) -> str:
    """An amount with the currency's symbol, pennies only where they matter: £155,459 · £4.37 ·
    £12 · −£3.50 (below 100 units with pennies shown when there are any; ``exact`` always
    shows two decimals, for amounts as entered). ``currency`` defaults to the current
    workspace's; without one the amount has no symbol."""
    found = _value(amount)
    if found is None:
        return MISSING
    code = currency if currency is not None else workspace_currency()
    size = abs(found).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    pennies = exact or (size < 100 and size != size.to_integral_value())
    text = _fixed(size, 2 if pennies else 0)
    negative = found < 0 and text.strip("0.,")
    return f"{MINUS if negative else ''}{symbol(code)}{text}"


def unit_label(currency: str | None) -> str:
    """A column or axis title's unit: "£", "€", "CHF" (the code when it has no symbol)."""
    return symbol(currency).strip() or (currency or "")


# Marketing's initialisms, written in capitals when a name is made words ("seo" → "SEO").
INITIALISMS = frozenset({"seo", "sem", "ppc", "sms", "crm", "cro", "ugc", "pr", "tv", "roi"})


def label(name: object) -> str:
    """An internal name as words: "paid_search" → "Paid search", "cycle_time" → "Cycle time",
    "email" → "Email", "seo" → "SEO"; text that is already words keeps its case ("Google Ads")."""
    if name is None or name == "":
        return MISSING
    text = str(name)
    if text != text.lower() or " " in text:
        return text
    words = [w.upper() if w in INITIALISMS else w for w in text.replace("-", "_").split("_") if w]
    if not words:
        return text
    return " ".join([words[0][:1].upper() + words[0][1:], *words[1:]])


def day(value: date | datetime | None) -> str:
    """A date as the pages write it: "7 Dec 2026"."""
    if value is None:
        return MISSING
    return f"{value.day} {value:%b %Y}"


# ---- the current workspace's currency -------------------------------------------------------

_current: ContextVar[Callable[[], str | None] | str | None] = ContextVar(
    "leanmark_currency", default=None
)
_lookup: list[Callable[[object], str | None]] = []


def look_up_currency_with(lookup: Callable[[object], str | None]) -> None:
    """Name the function that tells a workspace's currency (the ROI app owns the setting)."""
    _lookup[:] = [lookup]


def currency_code(workspace: object) -> str | None:
    """``workspace``'s currency code, from the function the ROI app named (None before)."""
    return _lookup[0](workspace) if _lookup else None


@contextmanager
def currency_of(workspace: object) -> Iterator[None]:
    """For the length of the block, money is written in ``workspace``'s currency (looked up the
    first time an amount is written)."""
    token = _current.set(lambda: currency_code(workspace))
    try:
        yield
    finally:
        _current.reset(token)


def workspace_currency() -> str | None:
    """The current workspace's currency code, or None outside a workspace page."""
    found = _current.get()
    if callable(found):
        found = found()
        _current.set(found)
    return found
