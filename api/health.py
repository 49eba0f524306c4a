"""What ``GET /readyz`` checks: the database, the broker, and that the scheduler tick and
(when real time is on) the listener have shown signs of life recently.

Each check answers ``{"status": "ok" | "fail", ...}`` with fixed words only: an exception's
text may name hosts or carry a URL with a password, so it goes to the log, never into
the answer (which anyone may read: probes do not authenticate).
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.conf import settings
from django.db import connections
from django.utils import timezone

from runs.models import BeatingService
from runs.selectors import heartbeats_latest

log = logging.getLogger(__name__)

#: A heartbeat older than this fails its check: the tick beats every minute, the
#: listener every 30 s, so three minutes allow for a slow pass or a restart.
HEARTBEAT_MAX_AGE_SECONDS = 180
#: Seconds a broker ping may take before the check fails.
BROKER_TIMEOUT_SECONDS = 2.0

_redis_clients: dict[str, object] = {}


def _ok(**details) -> dict:
    return {"status": "ok", **details}


def _fail(reason: str, **details) -> dict:
    return {"status": "fail", "reason": reason, **details}


def check_database() -> dict:
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # noqa: BLE001 - any failure means "not ready"
        log.warning("readiness: database unreachable", exc_info=True)
        return _fail("unreachable")
    return _ok()


def _redis_ping(url: str) -> None:
    import redis

    client = _redis_clients.get(url)
    if client is None:
        client = _redis_clients[url] = redis.Redis.from_url(
            url, socket_timeout=BROKER_TIMEOUT_SECONDS,
            socket_connect_timeout=BROKER_TIMEOUT_SECONDS)
    client.ping()


def check_broker() -> dict:
    """django-q2's broker: ping Redis, or read the ORM broker's queue table."""
    cluster = settings.Q_CLUSTER
    kind = "redis" if cluster.get("redis") else "orm"
    try:
        if kind == "redis":
            _redis_ping(cluster["redis"])
        else:
            from django_q.models import OrmQ

            OrmQ.objects.using(cluster["orm"]).exists()
    except Exception:  # noqa: BLE001
        log.warning("readiness: %s broker unreachable", kind, exc_info=True)
        return _fail("unreachable", broker=kind)
    return _ok(broker=kind)


def _heartbeat(beat: datetime | None, now: datetime) -> dict:
    if beat is None:
        return _fail("never seen", last_seen_seconds_ago=None)
    age = max(0, int((now - beat).total_seconds()))
    if age > HEARTBEAT_MAX_AGE_SECONDS:
        return _fail("stale", last_seen_seconds_ago=age)
    return _ok(last_seen_seconds_ago=age)


def readiness(*, now: datetime | None = None) -> tuple[bool, dict[str, dict]]:
    """(all checks passed, check name → result). A constant number of queries: 3."""
    now = now or timezone.now()
    checks = {"database": check_database(), "broker": check_broker()}
    beats: dict[str, datetime] | None = None
    if checks["database"]["status"] == "ok":
        try:
            beats = heartbeats_latest()
        except Exception:  # noqa: BLE001 - e.g. migrations not applied yet
            log.warning("readiness: heartbeats unreadable", exc_info=True)
    services = [BeatingService.SCHEDULER]
    if settings.SHEETFORCE_REALTIME_ENABLED:
        services.append(BeatingService.LISTENER)
    for service in services:
        checks[str(service)] = (_heartbeat(beats.get(service), now) if beats is not None
                                else _fail("unknown", last_seen_seconds_ago=None))
    return all(c["status"] == "ok" for c in checks.values()), checks
