"""Wire formats of Salesforce values (dates and datetimes in UTC)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from urllib.parse import unquote


def format_datetime(moment: datetime) -> str:
    """``2026-05-20T20:49:32.000+0000``: the REST API's datetime format (seconds precision)."""
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S") + ".000+0000"


def format_date(day: date) -> str:
    return day.strftime("%Y-%m-%d")


def parse_datetime(text: str) -> datetime:
    """Parse the datetime forms clients send (``Z``, ``+0000``, ``+00:00``, fractional
    seconds, URL-encoded); naive values are UTC. ``ValueError`` when unparsable."""
    text = unquote(text).strip().replace(" ", "+")
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    # simple-salesforce sends a trailing ':' for naive datetimes ("...T00:00:00:").
    text = text.rstrip(":")
    if len(text) >= 5 and text[-5] in "+-" and text[-4:].isdigit():
        text = text[:-5] + text[-5:-2] + ":" + text[-2:]
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def floor_second(moment: datetime) -> datetime:
    return moment.replace(microsecond=0)


def ms_timestamp(moment: datetime) -> str:
    """Milliseconds since the epoch as a string (OAuth ``issued_at``)."""
    return str(int(moment.timestamp() * 1000))


ONE_SECOND = timedelta(seconds=1)
