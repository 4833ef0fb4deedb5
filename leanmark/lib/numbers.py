"""Numbers as Leanmark stores them."""

from decimal import Decimal
from typing import TypeVar

N = TypeVar("N", Decimal, float)


def unsigned_zero(number: N) -> N:
    """``number``, with a negative zero ("-0", "-0.00", -0.0) made plain zero: it is the same
    amount, and stored as typed it showed as a spend of "-0.00"."""
    return abs(number) if number == 0 else number
