"""Salesforce record ids: 15-character case-sensitive ids and their 18-character form."""

from __future__ import annotations

import string

_SUFFIX = string.ascii_uppercase + "012345"


def checksum(id15: str) -> str:
    """The documented 3-character case-safe suffix of a 15-character id."""
    out = []
    for chunk in range(3):
        bits = 0
        for position, char in enumerate(id15[chunk * 5: chunk * 5 + 5]):
            if "A" <= char <= "Z":
                bits |= 1 << position
        out.append(_SUFFIX[bits])
    return "".join(out)


def to18(value: str) -> str | None:
    """The 18-character id for a valid 15- or 18-character id, else None.

    An 18-character id whose suffix does not match its first 15 characters is invalid
    (a typo, or case lost in copying).
    """
    if not isinstance(value, str) or len(value) not in (15, 18):
        return None
    if not value.isascii() or not value.isalnum():
        return None
    suffix = checksum(value[:15])
    if len(value) == 18 and value[15:].upper() != suffix:
        return None
    return value[:15] + suffix
