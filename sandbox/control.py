"""Shared control of both emulators: clock, latency, injected faults, request counts.

One :class:`Control` is shared by the Salesforce and Smartsheet emulators of a sandbox.
The HTTP middleware in :mod:`sandbox.runner` consults it before every request; the
``/__sandbox__`` control endpoint (served next to the Smartsheet API) changes it.
"""

from __future__ import annotations

import random
import threading
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

SERVICES = ("salesforce", "smartsheet")

#: Fault kinds. ``http_500``/``http_503``/``http_429`` answer with the service's own error
#: body; ``limit`` is Salesforce's 403 REQUEST_LIMIT_EXCEEDED; ``drop`` closes the
#: connection without an answer; ``stall`` sleeps ``stall_seconds`` then serves normally.
#: All of those strike before the emulator does the work. ``http_500_after`` and
#: ``drop_after`` let the emulator apply the request first, then answer 500 / close the
#: connection: a write that happened but whose answer was lost.
FAULT_KINDS = ("http_429", "http_500", "http_503", "limit", "drop", "stall",
               "http_500_after", "drop_after")
#: Fault kinds that strike after the emulator applied the request.
AFTER_FAULTS = frozenset({"http_500_after", "drop_after"})


class Clock:
    """The sandbox's notion of now: real time plus an offset, or frozen.

    Tests move time (token expiry, relative date literals, SLA ages) without sleeping.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._offset = timedelta(0)
        self._frozen: datetime | None = None

    def now(self) -> datetime:
        with self._lock:
            if self._frozen is not None:
                return self._frozen
            return datetime.now(UTC) + self._offset

    def advance(self, seconds: float) -> datetime:
        with self._lock:
            if self._frozen is not None:
                self._frozen += timedelta(seconds=seconds)
            else:
                self._offset += timedelta(seconds=seconds)
        return self.now()

    def freeze(self, at: datetime | None = None) -> datetime:
        with self._lock:
            self._frozen = at or (datetime.now(UTC) + self._offset)
            return self._frozen

    def unfreeze(self) -> None:
        with self._lock:
            if self._frozen is not None:
                self._offset = self._frozen - datetime.now(UTC)
            self._frozen = None

    def state(self) -> dict:
        return {
            "now": self.now().isoformat(),
            "frozen": self._frozen is not None,
            "offset_seconds": self._offset.total_seconds(),
        }


@dataclass
class ServiceSettings:
    """Latency and fault settings of one service."""

    latency_ms: float = 0.0
    per_record_latency_ms: float = 0.0
    #: fault kind -> probability in [0, 1]
    faults: dict[str, float] = field(default_factory=dict)
    stall_seconds: float = 2.0
    #: Only requests whose path contains this substring get faults (None: all).
    fault_path_contains: str | None = None


class Control:
    """Thread-safe settings and counters shared by both emulators."""

    def __init__(self, seed: int = 1234) -> None:
        self.clock = Clock()
        self._lock = threading.Lock()
        self._random = random.Random(seed)
        self.settings: dict[str, ServiceSettings] = {s: ServiceSettings() for s in SERVICES}
        self._counts: dict[str, Counter] = {s: Counter() for s in SERVICES}
        self._faults_injected: dict[str, Counter] = {s: Counter() for s in SERVICES}
        #: Server-side CPU seconds spent serving, per service (the sandbox's own cost).
        self._serve_seconds: dict[str, float] = {s: 0.0 for s in SERVICES}
        #: When each service's recent requests came (real time), and the most it ever
        #: received within 60 seconds: "requests per minute, at most".
        self._recent: dict[str, deque] = {s: deque() for s in SERVICES}
        self._peak_minute: dict[str, int] = {s: 0 for s in SERVICES}

    # -- configuration -------------------------------------------------------------
    def configure(self, service: str, **changes) -> ServiceSettings:
        """Change a service's settings; unknown keys or fault kinds raise ``ValueError``."""
        if service not in SERVICES:
            raise ValueError(f"unknown service {service!r}")
        with self._lock:
            current = self.settings[service]
            for key, value in changes.items():
                if not hasattr(current, key):
                    raise ValueError(f"unknown setting {key!r}")
                if key == "faults":
                    bad = set(value) - set(FAULT_KINDS)
                    if bad:
                        raise ValueError(f"unknown fault kinds {sorted(bad)}")
                    value = {k: float(v) for k, v in value.items()}
                setattr(current, key, value)
            return current

    def reseed(self, seed: int) -> None:
        with self._lock:
            self._random.seed(seed)

    # -- per request ---------------------------------------------------------------
    def draw_fault(self, service: str, path: str) -> str | None:
        """Decide (seeded) whether this request gets a fault, and which."""
        with self._lock:
            settings = self.settings[service]
            if not settings.faults:
                return None
            if settings.fault_path_contains and settings.fault_path_contains not in path:
                return None
            roll = self._random.random()
            acc = 0.0
            for kind, rate in settings.faults.items():
                acc += rate
                if roll < acc:
                    self._faults_injected[service][kind] += 1
                    return kind
            return None

    def delay(self, service: str, records: int = 0) -> None:
        """Sleep for the configured latency (fixed + per record)."""
        settings = self.settings[service]
        seconds = (settings.latency_ms + settings.per_record_latency_ms * records) / 1000.0
        if seconds > 0:
            time.sleep(seconds)

    def count(self, service: str, endpoint: str) -> None:
        now = time.monotonic()
        with self._lock:
            self._counts[service][endpoint] += 1
            recent = self._recent[service]
            recent.append(now)
            while recent[0] <= now - 60:
                recent.popleft()
            self._peak_minute[service] = max(self._peak_minute[service], len(recent))

    def add_serve_time(self, service: str, seconds: float) -> None:
        with self._lock:
            self._serve_seconds[service] += seconds

    # -- reporting -----------------------------------------------------------------
    def counts(self) -> dict:
        """``{service: {"total": n, "by_endpoint": {...}, "faults": {...}, "serve_cpu_s": x}}``."""
        with self._lock:
            return {
                s: {
                    "total": sum(self._counts[s].values()),
                    "by_endpoint": dict(self._counts[s]),
                    "faults": dict(self._faults_injected[s]),
                    "serve_cpu_s": round(self._serve_seconds[s], 4),
                    "peak_per_minute": self._peak_minute[s],
                }
                for s in SERVICES
            }

    def reset_counts(self) -> None:
        with self._lock:
            for s in SERVICES:
                self._counts[s].clear()
                self._faults_injected[s].clear()
                self._serve_seconds[s] = 0.0
                self._recent[s].clear()
                self._peak_minute[s] = 0

    def state(self) -> dict:
        with self._lock:
            settings = {
                s: {
                    "latency_ms": v.latency_ms,
                    "per_record_latency_ms": v.per_record_latency_ms,
                    "faults": dict(v.faults),
                    "stall_seconds": v.stall_seconds,
                    "fault_path_contains": v.fault_path_contains,
                }
                for s, v in self.settings.items()
            }
        return {"clock": self.clock.state(), "settings": settings}
