"""What both clients share: an HTTP session that counts every call, the token lifecycle
(:class:`~connector.clients.tokens.TokenRenewal`) and the one loop every call runs in —
renew a refused token, adopt tokens another client stored, retry what retrying can help,
and never repeat a create that may have been applied.

A client says how one attempt went (:meth:`ServiceClient._attempt`): it returns the
answer, or raises :class:`AttemptFailed` with the error as callers will see it and what
the loop must know about it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import TypeVar

from django.conf import settings

from connector.clients.errors import ClientError, outcome_unknown
from connector.clients.tokens import LockTokens, ReloadTokens, TokenRenewal, TokenStore
from connector.clients.transport import CallCounter, CountingSession, backoff_delay, ca_bundle_path
from connector.clients.types import TokenSet

log = logging.getLogger(__name__)
T = TypeVar("T")

#: Token renewals (adopting stored tokens, or one refresh) allowed within one call.
MAX_RENEWALS = 3


class AttemptFailed(Exception):
    """One attempt of a call failed with ``error``.

    ``token_refused``: the service refused the access token (renew it and try again);
    ``maybe_applied``: the request may have been applied before it failed (a create is
    then never repeated); ``retried``: the SDK already retried it (not again here).
    """

    def __init__(self, error: ClientError, *, token_refused: bool = False,
                 maybe_applied: bool = False, retried: bool = False) -> None:
        super().__init__(error.message)
        self.error = error
        self.token_refused = token_refused
        self.maybe_applied = maybe_applied
        self.retried = retried


class ServiceClient(TokenRenewal):
    """The part of a client that is the same for both services.

    A subclass sets ``SERVICE``, ``SERVICE_LABEL`` and ``OUTCOME_UNKNOWN_NOTE`` and
    provides :meth:`_attempt` and the token hooks of :class:`TokenRenewal`.
    """

    SERVICE = ""
    #: Appended to the message of a create that may have been applied.
    OUTCOME_UNKNOWN_NOTE = ""

    def __init__(
        self,
        *,
        refresh_token: str = "",
        client_id: str = "",
        client_secret: str = "",
        counter: CallCounter | None = None,
        on_tokens_refreshed: Callable[[TokenSet], None] | None = None,
        on_auth_failed: Callable[[ClientError], None] | None = None,
        timeout: float | None = None,
        max_attempts: int = 4,
        retry_backoff: float = 1.0,
        ca_bundle: str | None = None,
        reload_tokens: ReloadTokens | None = None,
        lock_tokens: LockTokens | None = None,
        pool_size: int = 10,
    ) -> None:
        self.client_id = client_id
        self._client_secret = client_secret
        self._refresh_token = refresh_token
        self.counter = counter or CallCounter()
        self.on_tokens_refreshed = on_tokens_refreshed
        #: Called once with the error when the saved sign-in is dead for good (refresh
        #: refused, or expired without a refresh token): the owner must reconnect.
        self.on_auth_failed = on_auth_failed
        #: The stored copy of the tokens, shared with other clients of the connection.
        self.token_store = TokenStore(reload=reload_tokens, lock=lock_tokens)
        self.has_token_store = reload_tokens is not None
        self.max_attempts = max(1, max_attempts)
        self.retry_backoff = retry_backoff
        #: Every request of this client, the SDK's included, goes through this session.
        self.http = CountingSession(
            service=self.SERVICE,
            counter=self.counter,
            timeout=timeout if timeout is not None else settings.HTTP_TIMEOUT_SECONDS,
            verify=ca_bundle_path(ca_bundle),
            pool_size=pool_size,
        )
        # Reentrant: recording a dead sign-in (which may adopt stored tokens) happens
        # both inside a refresh and on its own.
        self._refresh_lock = threading.RLock()

    def _secrets(self) -> list[str]:
        """What never appears in an error message."""
        return [self._current_access_token(), self._refresh_token, self._client_secret]

    def _attempt(self, fn: Callable[[], T]) -> T:
        """Run ``fn`` once: its answer, or :class:`AttemptFailed`."""
        raise NotImplementedError

    def _can_refresh(self) -> bool:
        """Whether a refused token is worth renewing here (else the refusal is final)."""
        return True

    def _call(self, fn: Callable[[], T], *, unsafe: bool = False) -> T:
        """Run one call: renew a refused token once, retry transient failures with
        backoff, raise every failure as ClientError.

        ``unsafe``: the call is a non-idempotent write (a create). It is retried only
        when it certainly was not applied — connecting failed, rate limited, 503 — and a
        failure after which it may have been (another 5xx, a dropped connection, a read
        timeout) raises at once with ``outcome_unknown``: retrying could create twice.
        """
        refreshed = False
        renewals = 0
        attempt = 0
        while True:
            attempt += 1
            token_used = self._current_access_token()
            try:
                return self._attempt(fn)
            except AttemptFailed as failed:
                error = failed.error
                if (failed.token_refused and not refreshed and renewals < MAX_RENEWALS
                        and self._can_refresh()):
                    # Adopted stored tokens may be expired too: they may still be
                    # refreshed once; our own refresh is not repeated.
                    refreshed = self._refresh(token_used, refused=error)
                    renewals += 1
                    attempt -= 1  # a renewal is not a failed attempt
                    continue
                if error.kind == "auth":
                    self._auth_failed(error)
                    if self._current_access_token() != token_used and renewals < MAX_RENEWALS:
                        renewals += 1  # stored tokens of another client were adopted
                        attempt -= 1
                        continue
                    raise error from None
                if unsafe and failed.maybe_applied:
                    raise outcome_unknown(error, self.OUTCOME_UNKNOWN_NOTE) from None
                if failed.retried or not error.retryable or attempt >= self.max_attempts:
                    raise error from None
            delay = backoff_delay(attempt, base=self.retry_backoff, retry_after=error.retry_after)
            log.info("%s %s (%s), retry %d in %.2fs", self.SERVICE, error.kind, error.code,
                     attempt, delay)
            time.sleep(delay)


__all__ = ["MAX_RENEWALS", "AttemptFailed", "ServiceClient"]
