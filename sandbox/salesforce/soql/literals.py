"""Decoding of SOQL literal tokens: strings and LIKE patterns, numbers, dates, datetimes,
and the relative date literals.

Datetimes are compared as canonical UTC strings ``YYYY-MM-DDTHH:MM:SS.mmm+0000`` — the
format records are stored in — so filtering and sorting 20,000 records costs string
comparisons, not datetime parsing.

The sandbox org's time zone and locale are UTC and en_US: days start at 00:00 UTC, weeks
on Sunday, the fiscal year is the calendar year.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone

_ESCAPES = {
    "n": "\n", "N": "\n", "r": "\r", "R": "\r", "t": "\t", "T": "\t", "b": "\b", "B": "\b",
    "f": "\f", "F": "\f", '"': '"', "'": "'", "\\": "\\",
}


class LiteralError(ValueError):
    """A literal that is well-formed for the grammar but not a valid value."""


def decode_string(raw: str) -> str:
    """The value of a quoted string token (quotes included), escapes applied.

    A backslash before anything but the documented escapes is an error, as in Salesforce.
    """
    return "".join(_string_pieces(raw, like=False))


def like_regex(raw: str) -> re.Pattern[str]:
    """A compiled, case-insensitive full-match regex for a LIKE pattern token.

    ``%`` is any run of characters, ``_`` exactly one; ``\\%`` and ``\\_`` are literal.
    """
    parts = []
    for piece in _string_pieces(raw, like=True):
        if piece == "%" and not isinstance(piece, _Verbatim):
            parts.append(".*")
        elif piece == "_" and not isinstance(piece, _Verbatim):
            parts.append(".")
        else:
            parts.append(re.escape(piece))
    return re.compile("".join(parts), re.IGNORECASE | re.DOTALL)


class _Verbatim(str):
    """An escaped wildcard: text that matches itself in a LIKE pattern."""


def _string_pieces(raw: str, *, like: bool) -> list[str]:
    """Decoded characters of a string token (quotes included). With ``like``, ``\\%``
    and ``\\_`` are allowed and come out as :class:`_Verbatim` pieces."""
    body = raw[1:-1]
    pieces: list[str] = []
    i = 0
    while i < len(body):
        char = body[i]
        if char != "\\":
            pieces.append(char)
            i += 1
            continue
        following = body[i + 1 : i + 2]
        if following in _ESCAPES:
            pieces.append(_ESCAPES[following])
            i += 2
        elif like and following in ("%", "_"):
            pieces.append(_Verbatim(following))
            i += 2
        elif following == "u" and re.fullmatch(r"[0-9a-fA-F]{4}", body[i + 2 : i + 6]):
            pieces.append(chr(int(body[i + 2 : i + 6], 16)))
            i += 6
        else:
            raise LiteralError(
                f"Invalid string literal '{body}'. Illegal character sequence "
                f"'\\{following}' in string literal."
            )
    return pieces


def parse_number(raw: str) -> int | float:
    return float(raw) if "." in raw else int(raw)


def parse_date(raw: str) -> str:
    """A date token as ``YYYY-MM-DD`` after checking it is a real day."""
    try:
        return date.fromisoformat(raw).isoformat()
    except ValueError:
        raise LiteralError(f"invalid date: {raw}") from None


_DATETIME = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,3}))?(Z|([+-])(\d{2}):?(\d{2}))"
)


def parse_datetime(raw: str) -> str:
    """A datetime token as the canonical UTC string records use."""
    match = _DATETIME.fullmatch(raw)
    if match is None:
        raise LiteralError(f"invalid datetime: {raw}")
    year, month, day, hour, minute, second, millis, zone, sign, zh, zm = match.groups()
    offset = timedelta(0)
    if zone != "Z":
        offset = timedelta(hours=int(zh), minutes=int(zm)) * (1 if sign == "+" else -1)
    try:
        moment = datetime(
            int(year), int(month), int(day), int(hour), int(minute), int(second),
            int((millis or "0").ljust(3, "0")) * 1000, tzinfo=timezone(offset),
        )
    except ValueError:
        raise LiteralError(f"invalid datetime: {raw}") from None
    return format_canonical(moment)


def format_canonical(moment: datetime) -> str:
    utc = moment.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S") + f".{utc.microsecond // 1000:03d}+0000"


def datetime_key(value: str) -> str:
    """A stored datetime as the canonical string (fast path: it already is one)."""
    if len(value) == 28 and value[23:] == "+0000":
        return value
    text = value.replace("Z", "+00:00")
    if text[-5] in "+-" and text[-3] != ":":
        text = text[:-2] + ":" + text[-2:]
    return format_canonical(datetime.fromisoformat(text))


def day_start(day: date) -> str:
    """Midnight UTC of ``day`` as a canonical datetime string."""
    return day.isoformat() + "T00:00:00.000+0000"


# --- relative date literals -------------------------------------------------------------

#: Literals without a number, and those taking ``:n``.
RELATIVE_PLAIN = frozenset({
    "TODAY", "YESTERDAY", "TOMORROW", "LAST_WEEK", "THIS_WEEK", "NEXT_WEEK", "LAST_MONTH",
    "THIS_MONTH", "NEXT_MONTH", "LAST_90_DAYS", "NEXT_90_DAYS", "THIS_QUARTER",
    "LAST_QUARTER", "NEXT_QUARTER", "THIS_YEAR", "LAST_YEAR", "NEXT_YEAR",
})
RELATIVE_N = frozenset({
    "LAST_N_DAYS", "NEXT_N_DAYS", "N_DAYS_AGO", "LAST_N_WEEKS", "NEXT_N_WEEKS",
    "LAST_N_MONTHS", "NEXT_N_MONTHS",
})


def _add_months(day: date, months: int) -> date:
    """The first day of the month ``months`` after ``day``'s month."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def relative_range(name: str, n: int | None, today: date) -> tuple[date, date]:
    """The half-open day range ``[start, end)`` a relative literal stands for.

    Following Salesforce: LAST_N_DAYS:n (and LAST_90_DAYS) covers the past n days *and*
    today; NEXT_N_DAYS:n starts tomorrow; LAST_N_WEEKS/MONTHS end before the current
    week/month, NEXT_N_WEEKS/MONTHS start after it.
    """
    day = timedelta(days=1)
    week_start = today - timedelta(days=(today.weekday() + 1) % 7)  # Sunday
    month_start = today.replace(day=1)
    quarter_start = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    year_start = date(today.year, 1, 1)
    ranges = {
        "TODAY": (today, today + day),
        "YESTERDAY": (today - day, today),
        "TOMORROW": (today + day, today + 2 * day),
        "THIS_WEEK": (week_start, week_start + 7 * day),
        "LAST_WEEK": (week_start - 7 * day, week_start),
        "NEXT_WEEK": (week_start + 7 * day, week_start + 14 * day),
        "THIS_MONTH": (month_start, _add_months(month_start, 1)),
        "LAST_MONTH": (_add_months(month_start, -1), month_start),
        "NEXT_MONTH": (_add_months(month_start, 1), _add_months(month_start, 2)),
        "THIS_QUARTER": (quarter_start, _add_months(quarter_start, 3)),
        "LAST_QUARTER": (_add_months(quarter_start, -3), quarter_start),
        "NEXT_QUARTER": (_add_months(quarter_start, 3), _add_months(quarter_start, 6)),
        "THIS_YEAR": (year_start, date(today.year + 1, 1, 1)),
        "LAST_YEAR": (date(today.year - 1, 1, 1), year_start),
        "NEXT_YEAR": (date(today.year + 1, 1, 1), date(today.year + 2, 1, 1)),
    }
    if name == "LAST_90_DAYS":
        name, n = "LAST_N_DAYS", 90
    elif name == "NEXT_90_DAYS":
        name, n = "NEXT_N_DAYS", 90
    if name in ranges:
        return ranges[name]
    assert n is not None, name
    return {
        "LAST_N_DAYS": lambda: (today - n * day, today + day),
        "NEXT_N_DAYS": lambda: (today + day, today + (n + 1) * day),
        "N_DAYS_AGO": lambda: (today - n * day, today - (n - 1) * day),
        "LAST_N_WEEKS": lambda: (week_start - 7 * n * day, week_start),
        "NEXT_N_WEEKS": lambda: (week_start + 7 * day, week_start + 7 * (n + 1) * day),
        "LAST_N_MONTHS": lambda: (_add_months(month_start, -n), month_start),
        "NEXT_N_MONTHS": lambda: (_add_months(month_start, 1), _add_months(month_start, n + 1)),
    }[name]()
