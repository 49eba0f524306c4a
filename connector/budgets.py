"""Shared rate budgets: one per Smartsheet access token and one per Salesforce org,
shared by every worker process on every host.

Smartsheet allows 300 requests a minute per access token (then 429, errorCode 4003), and
Salesforce counts every request against the org's daily allowance. A user who owns many
workflows sends all their polls with one token, from whichever worker picks them up:
only a budget kept where every process sees it — Redis when ``REDIS_URL`` is set, else
the database — keeps that token under the limit.

How a budget counts: time is cut into slots of :data:`SLOT_SECONDS`; a request is
granted when the last :data:`WINDOW_SLOTS` slots hold fewer than the budget's ``limit``.
They span 60 seconds plus :data:`TRANSIT_MARGIN_SECONDS`: a request is counted here when
it is granted but by the service when it arrives, a moment later — and that moment
varies (a new TLS connection, a loaded host). Two requests granted less than 65 seconds
apart are always counted in one window, so whatever 60 seconds the service looks at,
the requests that *arrived* in them were at most ``limit``, as long as none took more
than the margin longer than another to get there. The price: a sustained rate of about
60/70 of ``limit`` (:func:`sustained_per_minute`). Each process reads its own clock: the
hosts' clocks must agree (NTP) — a host running late eats into the same margin.

Keys never hold a secret: a token is known by its SHA-256 (:func:`budget_key`).
"""

from __future__ import annotations

import hashlib
import random
import threading
import time
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.db import close_old_connections, connection, models, transaction
from django.utils.translation import gettext as _

from connector.models import RateBucket

SLOT_SECONDS = 5
#: How much longer one request may take than another between being granted and being
#: counted by the service, without two windows' worth landing in one of its minutes.
TRANSIT_MARGIN_SECONDS = 5
#: The slots of one window: the current one and every slot a request granted less than
#: 60 s + the margin earlier can fall in (a ceiling: right for any slot and margin).
WINDOW_SLOTS = -(-(60 + TRANSIT_MARGIN_SECONDS) // SLOT_SECONDS) + 1


def sustained_per_minute(limit: int) -> int:
    """Requests a minute a steady stream gets from a budget of ``limit``: one window's
    worth per window (its slots span more than a minute)."""
    return max(1, limit * 60 // (WINDOW_SLOTS * SLOT_SECONDS))


class BudgetExhausted(Exception):
    """No budget left within the time the caller would wait; ``retry_after`` (seconds)
    is when some is expected back."""

    def __init__(self, budget: Budget, retry_after: float) -> None:
        self.budget = budget
        self.retry_after = retry_after
        super().__init__(f"{budget.label}: no request budget left for {retry_after:.0f} s")


@dataclass(frozen=True)
class Budget:
    """``limit`` requests per minute under ``key`` (``label`` names it for people)."""

    key: str
    limit: int
    label: str


def budget_key(service: str, identity: str) -> str:
    """The key of ``service``'s budget for ``identity`` (a token, an org's host): a hash,
    so that neither Redis nor the database ever holds a token."""
    digest = hashlib.sha256(identity.encode()).hexdigest()[:32]
    return f"{settings.RATE_BUDGET_PREFIX}:{service}:{digest}"


def budget_for(*, service: str, identity: str) -> Budget | None:
    """The budget calls to ``service`` as ``identity`` share; None when the deployment
    turned that service's budget off (a limit of 0)."""
    limit = (settings.RATE_BUDGET_SMARTSHEET_PER_MINUTE if service == "smartsheet"
             else settings.RATE_BUDGET_SALESFORCE_PER_MINUTE)
    if not limit or not identity:
        return None
    label = (_("Smartsheet's per-token rate limit") if service == "smartsheet"
             else _("the Salesforce org's request budget"))
    return Budget(key=budget_key(service, identity), limit=int(limit), label=label)


def budget_acquire(budget: Budget, *, cost: int = 1, wait: float = 0.0,
                   now=time.time, sleep=time.sleep) -> None:
    """Take ``cost`` requests from ``budget``, waiting up to ``wait`` seconds for them.

    Raises :class:`BudgetExhausted` when none came back in time. A request heavier than
    the whole budget is let through alone once the window is empty.
    """
    cost = max(1, min(int(cost), budget.limit))
    give_up = now() + max(wait, 0.0)
    while True:
        moment = now()
        slot = int(moment // SLOT_SECONDS)
        if _backend().take(budget, slot=slot, cost=cost):
            return
        # The oldest slot leaves the window at the next boundary; a little jitter keeps
        # waiting processes from all asking again at once.
        retry_after = (slot + 1) * SLOT_SECONDS - moment + random.random()
        if moment + retry_after > give_up:
            raise BudgetExhausted(budget, retry_after)
        sleep(retry_after)


def budget_used(budget: Budget, *, at: float | None = None) -> int:
    """Requests counted in the window ending at ``at`` (now by default)."""
    slot = int((time.time() if at is None else at) // SLOT_SECONDS)
    return _backend().used(budget, slot=slot)


def budgets_reset() -> None:
    """Forget every count (tests, and an operator starting afresh)."""
    _backend().reset()


# -- backends -------------------------------------------------------------------------------

class DatabaseBudgets:
    """Counts in :class:`~connector.models.RateBucket` rows. One transaction per request:
    on PostgreSQL an advisory lock per key serialises the check and the count; on SQLite
    the IMMEDIATE transaction already does. A call made inside a caller's transaction
    (a token refresh under its connection's row lock) is seen by other processes when
    that transaction commits: the engine calls the services outside transactions."""

    def take(self, budget: Budget, *, slot: int, cost: int) -> bool:
        owner = threading.main_thread() is threading.current_thread()
        try:
            with transaction.atomic():
                if connection.vendor == "postgresql":
                    with connection.cursor() as cursor:
                        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))",
                                       [budget.key])
                if self._sum(budget, slot) + cost > budget.limit:
                    return False
                if not RateBucket.objects.filter(key=budget.key, slot=slot).update(
                        used=models.F("used") + cost):
                    RateBucket.objects.create(key=budget.key, slot=slot, used=cost)
                    # A new slot: the key's slots that left every window go.
                    RateBucket.objects.filter(key=budget.key,
                                              slot__lte=slot - WINDOW_SLOTS).delete()
                return True
        finally:
            # A client's worker thread opened this connection: do not leak it.
            if not owner and not connection.in_atomic_block:
                close_old_connections()

    def used(self, budget: Budget, *, slot: int) -> int:
        return self._sum(budget, slot)

    @staticmethod
    def _sum(budget: Budget, slot: int) -> int:
        return RateBucket.objects.filter(
            key=budget.key, slot__gt=slot - WINDOW_SLOTS, slot__lte=slot,
        ).aggregate(total=models.Sum("used"))["total"] or 0

    def reset(self) -> None:
        RateBucket.objects.filter(key__startswith=f"{settings.RATE_BUDGET_PREFIX}:").delete()


#: Sums the window's slots and counts the request only when it fits: atomic in Redis.
_TAKE = """
local used = 0
for _, key in ipairs(KEYS) do used = used + tonumber(redis.call('GET', key) or '0') end
local cost = tonumber(ARGV[1])
if used + cost > tonumber(ARGV[2]) then return 0 end
redis.call('INCRBY', KEYS[1], cost)
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[3]))
return 1
"""


class RedisBudgets:
    """Counts in Redis, one key per budget and slot, expiring with the window."""

    def __init__(self, url: str) -> None:
        import redis

        self.redis = redis.Redis.from_url(url)
        self.script = self.redis.register_script(_TAKE)

    @staticmethod
    def _keys(budget: Budget, slot: int) -> list[str]:
        # One hash tag per budget: a Redis Cluster keeps its slots on one node.
        return [f"{{{budget.key}}}:{s}" for s in range(slot, slot - WINDOW_SLOTS, -1)]

    def take(self, budget: Budget, *, slot: int, cost: int) -> bool:
        ttl = SLOT_SECONDS * (WINDOW_SLOTS + 1)
        return bool(self.script(keys=self._keys(budget, slot),
                                args=[cost, budget.limit, ttl]))

    def used(self, budget: Budget, *, slot: int) -> int:
        return sum(int(v or 0) for v in self.redis.mget(self._keys(budget, slot)))

    def reset(self) -> None:
        for key in self.redis.scan_iter(match=f"{{{settings.RATE_BUDGET_PREFIX}:*"):
            self.redis.delete(key)


@lru_cache(maxsize=4)
def _backend_for(url: str) -> DatabaseBudgets | RedisBudgets:
    return RedisBudgets(url) if url else DatabaseBudgets()


def _backend() -> DatabaseBudgets | RedisBudgets:
    return _backend_for(settings.REDIS_URL or "")


__all__ = ["SLOT_SECONDS", "TRANSIT_MARGIN_SECONDS", "WINDOW_SLOTS", "Budget", "BudgetExhausted", "DatabaseBudgets",
           "RedisBudgets", "budget_acquire", "budget_for", "budget_key", "budget_used",
           "budgets_reset", "sustained_per_minute"]
