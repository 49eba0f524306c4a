"""Database ids from outside: what can be one, and the ``<id:…>`` URL converter.

``<id:…>`` matches any run of digits; ``/runs/99999999999999999999/`` then overflows
the database's integer and answers 500. An id beyond 2**63 - 1 names no object: 404.
"""

from __future__ import annotations

from typing import Any

from django.urls import register_converter

#: Database ids are signed 64-bit integers; anything else names no object.
MAX_ID = 2**63 - 1


def parse_id(raw: Any) -> int | None:
    """``raw`` as a database id, or None when it cannot be one (not a number, < 1, too big)."""
    text = str(raw).strip()
    if not text.isascii() or not text.isdigit() or len(text) > 19:
        return None
    value = int(text)
    return value if 1 <= value <= MAX_ID else None


class IdConverter:
    regex = "[0-9]{1,19}"

    def to_python(self, value: str) -> int:
        number = int(value)
        if not 1 <= number <= MAX_ID:
            raise ValueError("not a database id")  # Django: this pattern does not match
        return number

    def to_url(self, value: int) -> str:
        return str(int(value))


register_converter(IdConverter, "id")
