"""Sheet webhooks: registry, verification handshake, signed skinny callbacks.

Callbacks go out from one background thread, in order per webhook, each retried with
backoff (short in the sandbox, set by the ``webhook_retry_delays`` option); after the last
retry the webhook becomes DISABLED_CALLBACK_FAILED. A 410 answer disables at once.

The real service accepts only public HTTPS callback URLs on a few ports; the sandbox also
accepts plain ``http`` on loopback, so tests and the local demo can receive callbacks.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import threading
import time
import uuid
from collections import deque
from urllib.parse import urlsplit

import requests

from .errors import ApiError

STATUSES = ("ENABLED", "NEW_NOT_VERIFIED", "DISABLED_BY_OWNER", "DISABLED_CALLBACK_FAILED",
            "DISABLED_SCOPE_INACCESSIBLE", "DISABLED_VERIFICATION_FAILED",
            "DISABLED_APP_REVOKED", "DISABLED_ADMINISTRATIVE")
_LOOPBACK = ("127.0.0.1", "localhost", "::1")


def sign(secret: str, body: bytes) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def check_callback_url(url: object) -> str:
    if not isinstance(url, str):
        raise ApiError(1012, "callbackUrl")
    parts = urlsplit(url)
    if parts.scheme == "https" or (parts.scheme == "http" and parts.hostname in _LOOPBACK):
        return url
    raise ApiError(1018, url, "callbackUrl")


def new_webhook(body: dict, *, webhook_id: int, owner_id: int, at: str) -> dict:
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
            "callbackUrl": check_callback_url(body["callbackUrl"]),
            "sharedSecret": secrets.token_hex(16), "enabled": False,
            "status": "NEW_NOT_VERIFIED", "version": 1, "createdAt": at, "modifiedAt": at,
            "ownerId": owner_id}
    subscope = body.get("subscope")
    if subscope:
        hook["subscope"] = {"columnIds": list(subscope.get("columnIds") or [])}
    return hook


def public(hook: dict) -> dict:
    return {k: v for k, v in hook.items() if k != "ownerId"}


def verify(hook: dict, timeout: float) -> bool:
    """The handshake: POST a challenge; the subscriber must echo it back."""
    challenge = str(uuid.uuid4())
    try:
        response = requests.post(
            hook["callbackUrl"], json={"challenge": challenge, "webhookId": hook["id"]},
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


class Deliverer:
    """The background thread that sends callbacks and retries them."""

    def __init__(self, hooks: dict[int, dict], lock: threading.RLock, *,
                 retry_delays: tuple[float, ...], timeout: float) -> None:
        self.hooks = hooks
        self.lock = lock
        self.retry_delays = retry_delays
        self.timeout = timeout
        self._queues: dict[int, deque] = {}
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None
        self.delivered = 0
        self.failed_attempts = 0

    def enqueue(self, hook: dict, sheet_id: int, events: list[dict]) -> None:
        """Queue one skinny callback for a write (all its events in one callback)."""
        columns = (hook.get("subscope") or {}).get("columnIds")
        if columns:
            events = [e for e in events if e["objectType"] != "cell" or e["columnId"] in columns]
            if not events:
                return
        payload = {"nonce": str(uuid.uuid4()), "timestamp": events[0]["timestamp"],
                   "webhookId": hook["id"], "scope": "sheet", "scopeObjectId": sheet_id,
                   "events": events}
        with self._cond:
            self._queues.setdefault(hook["id"], deque()).append(
                [json.dumps(payload).encode(), 0, 0.0])
            self._cond.notify()
        self._ensure_thread()

    def clear(self) -> None:
        with self._cond:
            self._queues.clear()

    def pending(self) -> int:
        with self._cond:
            return sum(len(q) for q in self._queues.values())

    def _ensure_thread(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(target=self._run, name="smartsheet-webhooks",
                                            daemon=True)
            self._thread.start()

    def _next(self) -> tuple[int, list] | None:
        now = time.monotonic()
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
        with self.lock:
            hook = self.hooks.get(hook_id)
            usable = hook is not None and hook["enabled"]
            url, secret = (hook["callbackUrl"], hook["sharedSecret"]) if usable else ("", "")
        if not usable:
            self._pop(hook_id)
            return
        body, retries = item[0], item[1]
        try:
            response = requests.post(url, data=body, timeout=self.timeout, headers={
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
        if ok:
            self._pop(hook_id)
            return
        if status == 410 or retries >= len(self.retry_delays):
            with self.lock:
                hook["enabled"] = False
                hook["status"] = "DISABLED_CALLBACK_FAILED"
            self._drop(hook_id)
            return
        item[1] = retries + 1
        item[2] = time.monotonic() + self.retry_delays[retries]

    def _pop(self, hook_id: int) -> None:
        with self._cond:
            queue = self._queues.get(hook_id)
            if queue:
                queue.popleft()

    def _drop(self, hook_id: int) -> None:
        with self._cond:
            self._queues.pop(hook_id, None)


def _now_iso() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
