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

from connector.clients.errors import ClientError
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


class TokenRenewal:
    """The token lifecycle both clients share: refresh after a refusal, adopt tokens
    another client stored, record a dead sign-in — in one place, so the two services
    cannot drift apart.

    A client provides ``SERVICE_LABEL``, ``token_store``, ``_refresh_lock`` (an RLock),
    ``_refresh_token``, ``client_id``, ``on_tokens_refreshed``, ``on_auth_failed`` and:
    :meth:`_current_access_token`, :meth:`_use_tokens`, :meth:`_request_refresh` and
    :meth:`_refresh_impossible`.
    """

    SERVICE_LABEL = ""

    def _current_access_token(self) -> str:
        raise NotImplementedError

    def _use_tokens(self, tokens: TokenSet) -> None:
        raise NotImplementedError

    def _request_refresh(self) -> TokenSet:
        """Ask the service for new tokens with ``_refresh_token`` (raises ClientError)."""
        raise NotImplementedError

    def _refresh_impossible(self, refused: ClientError | None) -> ClientError | None:
        """The failure to record when this client cannot refresh at all (no refresh
        token, no OAuth client), else None."""
        raise NotImplementedError

    def _refresh(self, token_used: str, *, refused: ClientError | None = None) -> bool:
        """Replace the access token after ``token_used`` was refused: True when it was
        refreshed (here, or by another thread of this client), False when tokens another
        client stored meanwhile were adopted instead. Raises ClientError when the
        sign-in is dead (recorded through ``on_auth_failed``)."""
        with self._refresh_lock:
            if self._current_access_token() != token_used:
                return True
            failure: ClientError | None = None
            # Under the store's lock: two clients of one connection never refresh at once,
            # and the one that comes second finds the first one's tokens stored.
            with self.token_store.locked():
                if self._adopt_stored():
                    return False
                impossible = self._refresh_impossible(refused)
                if impossible is not None:
                    failure = self._auth_failed(impossible)
                else:
                    try:
                        tokens = self._request_refresh()
                    except ClientError as error:
                        # _auth_failed adopts instead when the refused refresh token was
                        # rotated out by a refresh stored meanwhile.
                        failure = self._auth_failed(error)
                        if self._current_access_token() != token_used:
                            return False
                    else:
                        self._use_tokens(tokens)
                        self._save_tokens(tokens)
            # Raised outside the store's lock: leaving it normally keeps what was recorded.
            if failure is not None:
                raise failure
            return True

    def _save_tokens(self, tokens: TokenSet) -> None:
        if self.on_tokens_refreshed is not None:
            try:
                self.on_tokens_refreshed(tokens)
            except Exception:
                # The new tokens are in use here either way; losing them only means the
                # next process refreshes again (or asks to reconnect if rotated).
                log.exception("saving refreshed %s tokens failed", self.SERVICE_LABEL)

    def _adopt_stored(self) -> bool:
        """Take the stored tokens when another client refreshed (or the owner
        reconnected) since this one read them; True when it did."""
        stored = self.token_store.newer(access_token=self._current_access_token(),
                                        refresh_token=self._refresh_token)
        if stored is None:
            return False
        log.info("%s: using tokens refreshed by another client of the connection",
                 self.SERVICE_LABEL)
        self._use_tokens(stored)
        return True

    def _auth_failed(self, error: ClientError) -> ClientError:
        """Record a dead sign-in through ``on_auth_failed`` — unless the stored tokens
        changed meanwhile (another client refreshed): those are adopted instead, and the
        connection is not marked dead."""
        if error.kind in ("auth", "revoked") and self.on_auth_failed is not None:
            with self._refresh_lock, self.token_store.locked():
                if self._adopt_stored():
                    return error
                try:
                    self.on_auth_failed(error)
                except Exception:
                    log.exception("recording a dead %s sign-in failed", self.SERVICE_LABEL)
        return error
