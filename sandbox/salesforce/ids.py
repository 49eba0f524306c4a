"""Salesforce record ids: key prefix, 15-character case-sensitive id, 3-character checksum.

The checksum is Salesforce's documented case-safe suffix: for each 5-character chunk of the
15-character id, a 5-bit number whose bit ``i`` is set when character ``i`` is an
uppercase letter, mapped onto ``A-Z0-5``. Clients that compare ids case-insensitively
rely on it, so the sandbox must get it right.
"""

from __future__ import annotations

import string

_SUFFIX_ALPHABET = string.ascii_uppercase + "012345"
_BASE62 = string.digits + string.ascii_uppercase + string.ascii_lowercase
#: Two "pod" characters and one reserved character, as in real ids (``0015g00000...``).
_POD = "5g0"


def checksum(id15: str) -> str:
    """The 3-character case-safe suffix of a 15-character id."""
    suffix = []
    for chunk in range(3):
        bits = 0
        for position, char in enumerate(id15[chunk * 5 : chunk * 5 + 5]):
            if "A" <= char <= "Z":
                bits |= 1 << position
        suffix.append(_SUFFIX_ALPHABET[bits])
    return "".join(suffix)


def to18(record_id: str) -> str:
    """The 18-character form of a 15- or 18-character id (``ValueError`` if malformed)."""
    if not is_valid(record_id):
        raise ValueError(f"malformed id {record_id!r}")
    return record_id if len(record_id) == 18 else record_id + checksum(record_id)


def is_valid(record_id: object) -> bool:
    """True for a 15-character alphanumeric id or an 18-character one with a correct suffix."""
    if not isinstance(record_id, str) or len(record_id) not in (15, 18):
        return False
    if not record_id.isascii() or not record_id.isalnum():
        return False
    return len(record_id) == 15 or checksum(record_id[:15]) == record_id[15:]


def make_id(prefix: str, number: int) -> str:
    """The 18-character id number ``number`` of the object with key prefix ``prefix``."""
    digits = []
    for _ in range(9):
        number, rest = divmod(number, 62)
        digits.append(_BASE62[rest])
    if number:
        raise ValueError("id space exhausted")
    id15 = prefix + _POD + "".join(reversed(digits))
    return id15 + checksum(id15)
