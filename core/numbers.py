"""One number parser for every input: sheet cells, filter values, API fields.

Python turns ``Decimal("1e400000")`` into an ``int`` or a plain-digits string in time
quadratic in the exponent, so a six-character cell could hold a worker for seconds and
``1e99999999`` for hours. Every number from outside therefore goes through
:func:`parse_decimal`, which works in time linear in the input's length and refuses a
magnitude that no Salesforce number field can hold (18 digits at most) long before any
slow conversion could start.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal
from typing import Any

#: Longer text is not a number anyone typed (a double has 18 significant digits).
MAX_NUMBER_CHARS = 100
#: |value| < 10**MAX_DIGITS: well beyond any Salesforce number field, far below where
#: converting a Decimal gets slow. Smaller non-zero values than 10**-MAX_DIGITS are 0.
MAX_DIGITS = 40
# Anchored, no nested repetition: linear in the input.
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d{1,12})?", re.ASCII)


class NumberError(ValueError):
    """``value`` is not a number (``kind`` "invalid") or is too large ("range")."""

    def __init__(self, value: Any, kind: str) -> None:
        self.value = value
        self.kind = kind
        shown = str(value) if len(str(value)) <= 40 else str(value)[:37] + "…"
        message = (f"'{shown}' is not a number" if kind == "invalid"
                   else f"'{shown}' is too large a number")
        super().__init__(message)
        self.message = message


def parse_decimal(value: Any) -> Decimal:
    """``value`` (int, float, Decimal or text such as ``"-1.5e3"``) as a finite Decimal.

    Raises :class:`NumberError` for anything else, for text longer than
    :data:`MAX_NUMBER_CHARS`, and for magnitudes of 10**:data:`MAX_DIGITS` or more.
    Values closer to zero than 10**-MAX_DIGITS are returned as 0.
    """
    if isinstance(value, bool) or value is None:
        raise NumberError(value, "invalid")
    if isinstance(value, int):
        # bit_length is O(1); 133 bits ≈ 10**40. No huge int is ever turned into a Decimal.
        if value.bit_length() > 133:
            raise NumberError(value, "range")
        number = Decimal(value)
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise NumberError(value, "invalid")
        number = Decimal(repr(value))
    elif isinstance(value, Decimal):
        if not value.is_finite():
            raise NumberError(value, "invalid")
        number = value
    else:
        text = str(value).strip()
        if len(text) > MAX_NUMBER_CHARS or not _NUMBER.fullmatch(text):
            raise NumberError(value, "invalid")
        number = Decimal(text)  # linear: the exponent is stored, not expanded
    if not number:
        return number
    # adjusted() is the exponent of the leading digit: no arithmetic, no context limits.
    exponent = number.adjusted()
    if exponent < -MAX_DIGITS:
        return Decimal(0)
    if exponent >= MAX_DIGITS:
        raise NumberError(value, "range")
    return number


def is_number(value: Any) -> bool:
    """Whether :func:`parse_decimal` accepts ``value``."""
    try:
        parse_decimal(value)
    except NumberError:
        return False
    return True


def grouped(value: int | float, *, decimals: int | None = None) -> str:
    """``value`` as people of the active language write it, thousands grouped: "9,120"
    in English, "9 120" in French (``decimals`` fixes the digits after the point)."""
    from django.utils.formats import number_format

    return number_format(value, decimal_pos=decimals, force_grouping=True)
