"""Services of the HTML interface that are not another app's business.

Sign-in throttling lives here: a small per (username, IP) failure counter in Django's
cache. It slows down password guessing against one account from one address without
locking the account out for everyone else.
"""

from __future__ import annotations

import hashlib
import time

from django.core.cache import cache

#: Failures allowed within the window before sign-in is refused.
SIGNIN_MAX_FAILURES = 5
#: How long failures are remembered and how long a block lasts (seconds).
SIGNIN_WINDOW_SECONDS = 300


def _signin_key(username: str, ip: str) -> str:
    # Hash: usernames are user input and cache keys must stay short and safe.
    digest = hashlib.sha256(f"{username.strip().lower()}|{ip}".encode()).hexdigest()
    return f"web:signin:{digest}"


def signin_retry_after(*, username: str, ip: str) -> int:
    """Seconds until this username may try again from this IP; 0 when not blocked."""
    entry = cache.get(_signin_key(username, ip))
    if not entry or entry["failures"] < SIGNIN_MAX_FAILURES:
        return 0
    return max(0, int(entry["first"] + SIGNIN_WINDOW_SECONDS - time.time())) or 0


def signin_failure_record(*, username: str, ip: str) -> int:
    """Count one failed sign-in; returns the number of failures in the current window."""
    key = _signin_key(username, ip)
    entry = cache.get(key) or {"failures": 0, "first": time.time()}
    entry["failures"] += 1
    remaining = max(1, int(entry["first"] + SIGNIN_WINDOW_SECONDS - time.time()))
    cache.set(key, entry, timeout=remaining)
    return entry["failures"]


def signin_success_record(*, username: str, ip: str) -> None:
    """A successful sign-in forgets earlier failures."""
    cache.delete(_signin_key(username, ip))
