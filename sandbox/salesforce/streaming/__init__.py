"""Change Data Capture over the Streaming API (CometD / Bayeux long polling).

- :mod:`.events`: the org's retained change events (:class:`ChangeBus`), replay ids,
  72-hour retention on the sandbox clock, the event shape.
- :mod:`.store`: :class:`PublishingStore`, the org's store publishing an event per
  committed write.
- :mod:`.cometd`: :class:`StreamingApi`, the ``/cometd/<version>`` endpoint.

Events persist with the rest of the org's state (``salesforce.json``, key
``streaming``) when the sandbox has a state directory.
"""

from __future__ import annotations

from sandbox.salesforce.streaming.cometd import StreamingApi
from sandbox.salesforce.streaming.events import (
    AUTOMATED_PROCESS_USER,
    ChangeBus,
    change_origin,
    channel_for,
)
from sandbox.salesforce.streaming.store import PublishingStore

__all__ = ["AUTOMATED_PROCESS_USER", "ChangeBus", "PublishingStore", "StreamingApi",
           "change_origin", "channel_for"]
