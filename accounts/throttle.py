"""Sign-in throttling: failed attempts counted per person and per client address.

Both sign-in doors — the web page and ``POST /api/v1/auth/token/`` — count here, in the
deployment's shared cache. A username is counted as authentication reads it (NFKC, as
Django's sign-in form normalises it) and without case, so ``ｖictim`` or ``VICTIM`` are
not fresh tries at ``victim``. The address is the socket's peer unless a trusted proxy
vouches for another (:func:`core.net.client_address`).

Limits, per window of :data:`WINDOW_SECONDS`: :data:`MAX_FAILURES_PER_USERNAME` for one
account from anywhere (slows a spread-out guess at one account), and
:data:`MAX_FAILURES_PER_ADDRESS` from one address whatever the usernames (slows one
machine trying many accounts).
"""

from __future__ import annotations

import hashlib
import time
import unicodedata

from django.core.cache import cache

MAX_FAILURES_PER_USERNAME = 5
MAX_FAILURES_PER_ADDRESS = 20
WINDOW_SECONDS = 300


def normalize_username(username: str) -> str:
    """The form every spelling of one account's username is counted under."""
    return unicodedata.normalize("NFKC", username or "").strip().casefold()


def _key(kind: str, value: str) -> str:
    # Hashed: usernames are user input and cache keys must stay short and safe.
    return f"signin:{kind}:{hashlib.sha256(value.encode()).hexdigest()}"


def _keys(username: str, address: str) -> tuple[tuple[str, int], ...]:
    return ((_key("user", normalize_username(username)), MAX_FAILURES_PER_USERNAME),
            (_key("addr", address or "-"), MAX_FAILURES_PER_ADDRESS))


def signin_retry_after(*, username: str, address: str) -> int:
    """Seconds until a sign-in as ``username`` from ``address`` may be tried; 0: now."""
    wait = 0
    now = time.time()
    for key, limit in _keys(username, address):
        entry = cache.get(key)
        if entry and entry["failures"] >= limit:
            wait = max(wait, int(entry["first"] + WINDOW_SECONDS - now) or 1)
    return max(wait, 0)


def signin_failure_record(*, username: str, address: str) -> None:
    """Count one failed sign-in against the username and the address."""
    now = time.time()
    for key, _ in _keys(username, address):
        entry = cache.get(key) or {"failures": 0, "first": now}
        entry["failures"] += 1
        cache.set(key, entry, timeout=max(1, int(entry["first"] + WINDOW_SECONDS - now)))


def signin_success_record(*, username: str) -> None:
    """A successful sign-in forgets the account's failures (not the address's: one good
    password must not reset a machine that tries many accounts)."""
    cache.delete(_key("user", normalize_username(username)))
