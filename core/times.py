"""The one parser of the timestamps both services (and our own state) write.

Salesforce writes ``2026-05-20T20:49:32.000+0000``, Smartsheet ``2026-05-20T20:49:32Z``,
and what we store ourselves is ``datetime.isoformat()``. Python 3.11's
``datetime.fromisoformat`` reads all three (``Z`` and an offset without a colon included).
"""

from __future__ import annotations

from datetime import datetime, tzinfo


def parse_timestamp(value: str | datetime | None, *, naive_as: tzinfo | None = None
                    ) -> datetime | None:
    """``value`` as a datetime: None for None or ``""``, a datetime as it is.

    A timestamp without an offset stays naive, unless ``naive_as`` says which zone it
    is in. Raises ``ValueError`` for text that is not an ISO 8601 timestamp.
    """
    if not value:
        return None
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    if naive_as is not None and moment.tzinfo is None:
        moment = moment.replace(tzinfo=naive_as)
    return moment
