"""Where a client's tokens are kept besides the client itself (a Connection row).

Several clients can be built from one stored connection (two runs of one owner, a run and
the web UI), each holding its own copy of the tokens. Refresh tokens rotate: once one
client has refreshed, the copy in every other client is dead. So a client about to
refresh — or about to declare the sign-in dead — first reads the stored tokens back and
adopts them when someone else has refreshed meanwhile, and does both under the store's
lock so that two refreshes of one connection never race.

The clients stay free of Django: the owner of the tokens hands in two callbacks.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext

from connector.clients.types import TokenSet

log = logging.getLogger(__name__)

#: Reads the stored tokens back (None: nothing stored any more).
ReloadTokens = Callable[[], "TokenSet | None"]
#: A lock held around one refresh (or the recording of a dead sign-in) of the connection;
#: the token callbacks called inside it run in the same thread.
LockTokens = Callable[[], AbstractContextManager]


class TokenStore:
    """A client's view of the stored copy of its tokens; without callbacks, no store."""

    def __init__(self, *, reload: ReloadTokens | None = None,
                 lock: LockTokens | None = None) -> None:
        self._reload = reload
        self._lock = lock

    def locked(self) -> AbstractContextManager:
        """The store's lock (a no-op without one)."""
        return self._lock() if self._lock is not None else nullcontext()

    def newer(self, *, access_token: str, refresh_token: str) -> TokenSet | None:
        """The stored tokens when they differ from the client's copy (someone else
        refreshed or reconnected), else None."""
        if self._reload is None:
            return None
        try:
            stored = self._reload()
        except Exception:
            # Not being able to read them back only means refreshing as before.
            log.exception("reading the stored tokens back failed")
            return None
        if stored is None or not stored.access_token:
            return None
        if (stored.access_token, stored.refresh_token) == (access_token, refresh_token):
            return None
        return stored
