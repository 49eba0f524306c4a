"""Sheet webhooks: registry rules, the verification handshake, batched signed callbacks.

As the real service does, by default:

- callback URLs are ``https`` on port 443, 8000, 8008, 8080 or 8443 and not on a private or
  loopback address; ``http`` is error 1152 ("Webhook callbacks" notes, "Webhook errors").
  ``allow_insecure_callbacks`` (an explicit switch, off by default) lets tests and the local
  demo use ``http`` on loopback and any port;
- changes are batched: a callback goes out ``delay_seconds`` (60) after the last change,
  carrying every event since the previous callback ("Webhook callbacks": a one-minute
  debounce). ``delay_seconds=0`` sends one callback per write at once;
- verification is repeated every ``reverify_every`` (100) callbacks; an unanswered challenge
  disables the webhook with DISABLED_VERIFICATION_FAILED ("Webhook verification");
- a webhook whose owner loses the sheet is disabled with DISABLED_SCOPE_INACCESSIBLE and
  the subscriber gets a status-change callback carrying ``newWebhookStatus`` ("Webhook
  callbacks — Status Change Callbacks").

Callbacks go out from one background thread, in order per webhook, each retried with
backoff (short in the sandbox, set by ``retry_delays``); after the last retry the webhook
becomes DISABLED_CALLBACK_FAILED. A 410 answer disables at once.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import secrets
import threading
import time
import uuid
from collections import deque
from dataclasses import dataclass
from urllib.parse import urlsplit

import requests

from .errors import ApiError

STATUSES = ("ENABLED", "NEW_NOT_VERIFIED", "DISABLED_BY_OWNER", "DISABLED_CALLBACK_FAILED",
            "DISABLED_SCOPE_INACCESSIBLE", "DISABLED_VERIFICATION_FAILED",
            "DISABLED_APP_REVOKED", "DISABLED_ADMINISTRATIVE")
CALLBACK_PORTS = (443, 8000, 8008, 8080, 8443)
#: The debounce cap: a sheet that never stops changing still gets a callback this many
#: delays after its first pending change (the sandbox's own choice; undocumented).
_MAX_WAIT_FACTOR = 10


@dataclass
class HookSettings:
    """Webhook behaviour; every field can change at run time (control action ``webhooks``)."""

    delay_seconds: float = 60.0
    reverify_every: int = 100
    allow_insecure_callbacks: bool = False
    retry_delays: tuple[float, ...] = (0.1, 0.2, 0.4)
    timeout: float = 5.0

    def as_dict(self) -> dict:
        return {"delay_seconds": self.delay_seconds, "reverify_every": self.reverify_every,
                "allow_insecure_callbacks": self.allow_insecure_callbacks,
                "retry_delays": list(self.retry_delays), "timeout": self.timeout}


def sign(secret: str, body: bytes) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def check_callback_url(url: object, settings: HookSettings) -> str:
    """The URL if Smartsheet would call it; ApiError 1152 (not https) or 1031 otherwise."""
    if not isinstance(url, str) or not url:
        raise ApiError(1012, "callbackUrl")
    parts = urlsplit(url)
    insecure = settings.allow_insecure_callbacks
    if parts.scheme != "https" and not (insecure and parts.scheme == "http"):
        raise ApiError(1152, "callbackUrl")
    if not parts.hostname:
        raise ApiError(1031, url, "callbackUrl")
    if insecure:
        return url
    try:
        port = parts.port or 443
    except ValueError:
        raise ApiError(1031, url, "callbackUrl") from None
    if port not in CALLBACK_PORTS or _private(parts.hostname):
        # The notes list the rules; which code the service gives for them is not documented.
        raise ApiError(1031, url, "callbackUrl")
    return url


def _private(host: str) -> bool:
    if host.lower() == "localhost" or host.lower().endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return not address.is_global


def new_webhook(body: dict, *, webhook_id: int, owner_id: int, at: str,
                settings: HookSettings) -> dict:
    """Validate a create request; return the stored webhook."""
    for name in ("name", "callbackUrl", "scope", "scopeObjectId", "events", "version"):
        if body.get(name) is None:
            raise ApiError(1012, name)
    if body["scope"] != "sheet":
        raise ApiError(1018, body["scope"], "scope")
    if body["events"] != ["*.*"]:
        raise ApiError(1018, body["events"], "events")
    if body["version"] != 1:
        raise ApiError(1018, body["version"], "version")
    hook = {"id": webhook_id, "name": str(body["name"]), "scope": "sheet",
            "scopeObjectId": body["scopeObjectId"], "events": ["*.*"],
            "callbackUrl": check_callback_url(body["callbackUrl"], settings),
            "sharedSecret": secrets.token_hex(16), "enabled": False,
            "status": "NEW_NOT_VERIFIED", "version": 1, "createdAt": at, "modifiedAt": at,
            "ownerId": owner_id}
    subscope = body.get("subscope")
    if subscope:
        hook["subscope"] = {"columnIds": list(subscope.get("columnIds") or [])}
    return hook


def public(hook: dict) -> dict:
    return {k: v for k, v in hook.items() if k != "ownerId"}


def verify(url: str, hook_id: int, timeout: float) -> bool:
    """The handshake: POST a challenge; the subscriber must echo it back."""
    challenge = str(uuid.uuid4())
    try:
        response = requests.post(
            url, json={"challenge": challenge, "webhookId": hook_id},
            headers={"Smartsheet-Hook-Challenge": challenge}, timeout=timeout)
    except requests.RequestException:
        return False
    if response.status_code != 200:
        return False
    if response.headers.get("Smartsheet-Hook-Response") == challenge:
        return True
    try:
        return response.json().get("smartsheetHookResponse") == challenge
    except (ValueError, AttributeError):
        return False


def _event_key(event: dict) -> tuple:
    return tuple(sorted((k, v) for k, v in event.items() if k != "timestamp"))


class Deliverer:
    """The background thread that batches, sends and retries callbacks."""

    def __init__(self, hooks: dict[int, dict], lock: threading.RLock,
                 settings: HookSettings) -> None:
        self.hooks = hooks
        self.lock = lock
        self.settings = settings
        #: hook id -> {"sheet": id, "events": [...], "keys": set, "first": t, "last": t}
        self._batches: dict[int, dict] = {}
        #: hook id -> deque of [body bytes, retries, not before, is status change]
        self._queues: dict[int, deque] = {}
        #: hook id -> callbacks delivered since the last verification
        self.since_verified: dict[int, int] = {}
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None
        self.delivered = 0
        self.failed_attempts = 0
        self.verifications = 0

    # -- producers -------------------------------------------------------------------
    def enqueue(self, hook: dict, sheet_id: int, events: list[dict]) -> None:
        """Add one write's events to the webhook's pending batch."""
        columns = (hook.get("subscope") or {}).get("columnIds")
        if columns:
            events = [e for e in events if e["objectType"] != "cell" or e["columnId"] in columns]
            if not events:
                return
        now = time.monotonic()
        with self._cond:
            batch = self._batches.setdefault(hook["id"], {
                "sheet": sheet_id, "events": [], "keys": set(), "first": now, "last": now})
            for event in events:
                key = _event_key(event)
                if key not in batch["keys"]:
                    batch["keys"].add(key)
                    batch["events"].append(event)
            batch["last"] = now
            if self.settings.delay_seconds <= 0:
                self._release_locked(hook["id"])
            self._cond.notify()
        self._ensure_thread()

    def status_change(self, hook: dict, status: str, at: str) -> None:
        """Tell the subscriber its webhook was disabled or re-enabled automatically."""
        payload = {"nonce": str(uuid.uuid4()), "timestamp": at, "webhookId": hook["id"],
                   "scope": "sheet", "scopeObjectId": hook["scopeObjectId"],
                   "newWebhookStatus": status}
        with self._cond:
            self._batches.pop(hook["id"], None)
            self._queues[hook["id"]] = deque([[json.dumps(payload).encode(), 0, 0.0, True]])
            self._cond.notify()
        self._ensure_thread()

    def flush(self) -> int:
        """Send every pending batch now (control action ``webhooks_flush``)."""
        with self._cond:
            ids = list(self._batches)
            for hook_id in ids:
                self._release_locked(hook_id)
            self._cond.notify()
        if ids:
            self._ensure_thread()
        return len(ids)

    def clear(self) -> None:
        with self._cond:
            self._queues.clear()
            self._batches.clear()
            self.since_verified.clear()

    def pending(self) -> int:
        with self._cond:
            return sum(len(q) for q in self._queues.values()) + len(self._batches)

    # -- the thread --------------------------------------------------------------------
    def _release_locked(self, hook_id: int) -> None:
        batch = self._batches.pop(hook_id)
        events = batch["events"]
        payload = {"nonce": str(uuid.uuid4()), "timestamp": events[-1]["timestamp"],
                   "webhookId": hook_id, "scope": "sheet", "scopeObjectId": batch["sheet"],
                   "events": events}
        self._queues.setdefault(hook_id, deque()).append(
            [json.dumps(payload).encode(), 0, 0.0, False])

    def _ensure_thread(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(target=self._run, name="smartsheet-webhooks",
                                            daemon=True)
            self._thread.start()

    def _next(self) -> tuple[int, list] | None:
        now = time.monotonic()
        delay = self.settings.delay_seconds
        for hook_id, batch in list(self._batches.items()):
            if now >= min(batch["last"] + delay, batch["first"] + delay * _MAX_WAIT_FACTOR):
                self._release_locked(hook_id)
        for hook_id, queue in self._queues.items():
            if queue and queue[0][2] <= now:
                return hook_id, queue[0]
        return None

    def _run(self) -> None:
        while True:
            with self._cond:
                item = self._next()
                while item is None:
                    self._cond.wait(timeout=0.05)
                    item = self._next()
            self._attempt(*item)

    def _attempt(self, hook_id: int, item: list) -> None:
        body, retries, _, is_status = item
        with self.lock:
            hook = self.hooks.get(hook_id)
            usable = hook is not None and (hook["enabled"] or is_status)
            url, secret = (hook["callbackUrl"], hook["sharedSecret"]) if usable else ("", "")
        if not usable:
            self._pop(hook_id)
            return
        if not is_status and not self._still_verified(hook_id, url):
            return
        try:
            response = requests.post(url, data=body, timeout=self.settings.timeout, headers={
                "Content-Type": "application/json", "Smartsheet-Hmac-SHA256": sign(secret, body)})
            status = response.status_code
        except requests.RequestException:
            status = None
        ok = status is not None and 200 <= status < 300
        with self.lock:
            stats = hook.setdefault("stats", {})
            stats["lastCallbackAttempt"] = _now_iso()
            stats["lastCallbackAttemptRetryCount"] = retries
            if ok:
                stats["lastSuccessfulCallback"] = stats["lastCallbackAttempt"]
                self.delivered += 1
            else:
                self.failed_attempts += 1
        if ok or is_status:  # a status change is sent once, best effort
            if ok and not is_status:
                self.since_verified[hook_id] = self.since_verified.get(hook_id, 0) + 1
            self._pop(hook_id)
            return
        if status == 410 or retries >= len(self.settings.retry_delays):
            self._disable(hook_id, "DISABLED_CALLBACK_FAILED")
            return
        item[1] = retries + 1
        item[2] = time.monotonic() + self.settings.retry_delays[retries]

    def _still_verified(self, hook_id: int, url: str) -> bool:
        """Every ``reverify_every`` callbacks the subscriber must answer a new challenge."""
        every = self.settings.reverify_every
        if every <= 0 or self.since_verified.get(hook_id, 0) < every:
            return True
        self.verifications += 1
        if verify(url, hook_id, self.settings.timeout):
            self.since_verified[hook_id] = 0
            return True
        self._disable(hook_id, "DISABLED_VERIFICATION_FAILED")
        return False

    def _disable(self, hook_id: int, status: str) -> None:
        with self.lock:
            hook = self.hooks.get(hook_id)
            if hook is not None:
                hook["enabled"], hook["status"] = False, status
        with self._cond:
            self._queues.pop(hook_id, None)
            self._batches.pop(hook_id, None)

    def _pop(self, hook_id: int) -> None:
        with self._cond:
            queue = self._queues.get(hook_id)
            if queue:
                queue.popleft()


def _now_iso() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
