"""The Smartsheet API 2.0 emulator: WSGI app, auth, rate limit, state, control actions.

Implements the emulator contract of :mod:`sandbox.runner`. The API is served under
``/2.0`` (the SDK's ``api_base``); the OAuth sign-in page under ``/b/authorize``.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from pathlib import Path

from werkzeug.utils import redirect
from werkzeug.wrappers import Request, Response

from sandbox.control import Control
from sandbox.personas import PERSONAS, SMARTSHEET_CLIENT_ID, SMARTSHEET_CLIENT_SECRET

from . import api, routes, seed
from . import rows as row_ops
from . import webhooks as hooks
from .auth import RateLimiter, TokenStore, authorize_page, authorize_submit
from .errors import ApiError, error_response_parts
from .model import RANK, Sheet

_NUMBER = re.compile(r"^\d+$")
_JSON = "application/json;charset=UTF-8"
_FAULTS = {"http_429": 4003, "http_500": 4000, "http_503": 4001}


def persona_token(email: str) -> str:
    """The persona's personal API token: stable across restarts and resets."""
    return "ss" + hashlib.sha256(f"smartsheet-sandbox|{email}".encode()).hexdigest()[:24]


class SmartsheetEmulator:
    """Options: ``token_ttl_seconds`` (OAuth tokens, default 7 days), ``rate_per_minute``
    (300), ``webhook_retry_delays`` (seconds between callback retries, default
    ``(0.1, 0.2, 0.4)``), ``webhook_timeout_seconds`` (5), ``webhook_delay_seconds``
    (callback batching, default 60 as the real service; 0 sends each write's callback at
    once), ``webhook_reverify_every`` (a new verification challenge every N callbacks,
    default 100), ``allow_insecure_callbacks`` (accept ``http`` and loopback callback URLs
    on any port; off by default, as the real service refuses them). See
    :mod:`.webhooks`; all of them can change at run time through the ``webhooks`` control
    action."""

    service = "smartsheet"

    def __init__(self, control: Control, *, state_dir: Path | None, seed: str = "empty",
                 token_ttl_seconds: float = 7 * 24 * 3600, rate_per_minute: int = 300,
                 webhook_retry_delays: tuple[float, ...] = (0.1, 0.2, 0.4),
                 webhook_timeout_seconds: float = 5.0, webhook_delay_seconds: float = 60.0,
                 webhook_reverify_every: int = 100,
                 allow_insecure_callbacks: bool = False) -> None:
        self.control_ = control
        self.state_path = Path(state_dir) / "smartsheet.json" if state_dir else None
        self.seed_name = seed
        self.base_url = ""
        self.lock = threading.RLock()
        self.account_id = 4_000_000_000_000_001
        self.ttl = token_ttl_seconds
        self.rate = RateLimiter(rate_per_minute)
        self.default_rate = rate_per_minute
        self.webhooks: dict[int, dict] = {}
        self.hook_settings = hooks.HookSettings(
            delay_seconds=float(webhook_delay_seconds),
            reverify_every=int(webhook_reverify_every),
            allow_insecure_callbacks=bool(allow_insecure_callbacks),
            retry_delays=tuple(webhook_retry_delays), timeout=float(webhook_timeout_seconds))
        self.default_hook_settings = hooks.HookSettings(**{
            **self.hook_settings.__dict__})
        self.deliverer = hooks.Deliverer(self.webhooks, self.lock, self.hook_settings)
        if self.state_path is not None and self.state_path.exists():
            self._load(json.loads(self.state_path.read_text()))
        else:
            self.reset()

    # -- state ---------------------------------------------------------------------
    def reset(self, seed_name: str | None = None) -> dict:
        """Back to the seed: users, their tokens and (for ``demo``) the demo sheets."""
        with self.lock:
            self._next_id = 1_100_000_000_000_000
            self.users: dict[int, dict] = {}
            self.users_by_email: dict[str, dict] = {}
            self.sheets: dict[int, Sheet] = {}
            self.webhooks.clear()
            self.deliverer.clear()
            self.tokens = TokenStore(self.ttl)
            for persona in PERSONAS:
                user = {"id": self.new_id(), "email": persona.email, "name": persona.name,
                        "firstName": persona.first_name, "lastName": persona.last_name,
                        "admin": persona.smartsheet_admin}
                self.users[user["id"]] = user
                self.users_by_email[user["email"]] = user
                self.tokens.add_personal(persona_token(persona.email), user["id"])
            self.rate.configure(self.default_rate)
            self.rate.reset()
            self.hook_settings.__dict__.update(self.default_hook_settings.__dict__)
            if (seed_name or self.seed_name) == "demo":
                seed.make_demo(self)
            return {"reset": True, "sheets": len(self.sheets)}

    def _load(self, data: dict) -> None:
        self._next_id = data["next_id"]
        self.users = {u["id"]: u for u in data["users"]}
        self.users_by_email = {u["email"]: u for u in data["users"]}
        self.sheets = {s["id"]: Sheet.from_state(s) for s in data["sheets"]}
        self.webhooks.update({h["id"]: h for h in data["webhooks"]})
        self.tokens = TokenStore(self.ttl)
        self.tokens.load_state(data["tokens"])

    def save(self) -> None:
        """Write the whole state to ``state_dir/smartsheet.json`` (no-op in memory)."""
        if self.state_path is None:
            return
        with self.lock:
            data = {"next_id": self._next_id, "users": list(self.users.values()),
                    "sheets": [s.to_state() for s in self.sheets.values()],
                    "webhooks": list(self.webhooks.values()),
                    "tokens": self.tokens.to_state()}
            text = json.dumps(data)
        tmp = self.state_path.with_suffix(".tmp")
        tmp.write_text(text)
        tmp.replace(self.state_path)

    def new_id(self) -> int:
        # Large ids like the real ones, below 2**53 so JavaScript clients stay exact.
        self._next_id += 1009
        return self._next_id

    def now(self) -> float:
        return self.control_.clock.now().timestamp()

    def now_iso(self) -> str:
        return self.control_.clock.now().strftime("%Y-%m-%dT%H:%M:%SZ")

    # -- the emulator contract -----------------------------------------------------
    def credentials(self) -> dict:
        admin = PERSONAS[0]
        return {"access_token": persona_token(admin.email), "client_id": SMARTSHEET_CLIENT_ID,
                "client_secret": SMARTSHEET_CLIENT_SECRET}

    def endpoint_key(self, method: str, path: str) -> str | None:
        if path.startswith("/b/"):
            return None
        parts = [p for p in path.split("/") if p]
        if parts[:1] == ["2.0"]:
            parts = parts[1:]
        return f"{method} " + "/".join("{id}" if _NUMBER.match(p) else p for p in parts)

    def fault_response(self, kind: str) -> tuple[int, list, bytes]:
        return error_response_parts(_FAULTS.get(kind, 4000))

    def __call__(self, environ, start_response):
        request = Request(environ)
        if request.path.startswith("/b/authorize"):
            return self._authorize(request)(environ, start_response)
        try:
            status, body = self._api(request)
            headers = {}
        except ApiError as err:
            status, body = err.status, err.oauth_body() if request.path == "/2.0/token" \
                else err.body()
            headers = {"Retry-After": "1"} if err.code == 4003 else {}
        # A handler may return already-encoded JSON text (GET sheet's fast path).
        text = body if isinstance(body, str) else json.dumps(body)
        return Response(text, status=status, content_type=_JSON,
                        headers=headers)(environ, start_response)

    def _api(self, request: Request) -> tuple[int, dict]:
        if not request.path.startswith("/2.0/"):
            raise ApiError(1006)
        key = self.endpoint_key(request.method, request.path)
        method, route = key.split(" ", 1)
        if route == "token":
            return self._token(request)
        handler = routes.ROUTES.get((method, route))
        if handler is None:
            if any(r == route for _, r in routes.ROUTES):
                raise ApiError(1010)
            raise ApiError(1006)
        header = request.headers.get("Authorization")
        with self.lock:
            user_id = self.tokens.user_for(header, self.now())
        self.rate.take(header, routes.WEIGHTS.get(route, 1), self.now())
        ids = [int(p) for p in request.path.split("/") if _NUMBER.match(p)]
        with self.lock:
            call = api.Call(request, self.users[user_id], ids,
                            request.headers.get("Smartsheet-Change-Agent"))
            return handler(self, call)

    def _token(self, request: Request) -> tuple[int, dict]:
        if request.method == "DELETE":
            header = request.headers.get("Authorization")
            with self.lock:
                self.tokens.user_for(header, self.now())
                self.tokens.revoke(token=header[7:].strip())
            return 200, {"message": "SUCCESS", "resultCode": 0}
        if request.method != "POST":
            raise ApiError(1010)
        with self.lock:
            return 200, self.tokens.exchange(request.form.to_dict(), self.now())

    def _authorize(self, request: Request) -> Response:
        if request.method == "GET":
            return Response(authorize_page(request.args.to_dict()), content_type="text/html")
        form = request.form.to_dict()
        with self.lock:
            url, error = authorize_submit(form, self.users_by_email, self.tokens, self.now())
        if url is None:
            return Response(authorize_page(form, error), status=400, content_type="text/html")
        return redirect(url, code=302)

    # -- helpers for the handlers --------------------------------------------------
    def sheet_for(self, call: api.Call, minimum: str) -> tuple[Sheet, str]:
        """The sheet of the path and the caller's access level, at least ``minimum``."""
        sheet = self.sheets.get(call.ids[0] if call.ids else None)
        if sheet is None:
            raise ApiError(1006)
        level = sheet.shares.get(call.user["id"])
        if level is None or RANK[level] < RANK[minimum]:
            raise ApiError(1004)
        return sheet, level

    def write_context(self, call: api.Call | None, level: str, user: dict | None = None
                      ) -> row_ops.WriteContext:
        now = self.control_.clock.now()
        return row_ops.WriteContext(
            user=user or call.user, access_level=level,
            at=now.strftime("%Y-%m-%dT%H:%M:%SZ"), ts=now.timestamp(), new_id=self.new_id,
            users_by_email=self.users_by_email, users_by_id=self.users)

    def notify(self, sheet: Sheet, events: list[dict], call: api.Call | None,
               user: dict | None = None) -> None:
        """Queue one callback per enabled webhook of the sheet for this write."""
        targets = [h for h in self.webhooks.values()
                   if h["enabled"] and h["scopeObjectId"] == sheet.id]
        if not targets:
            return
        user_id = (user or call.user)["id"]
        stamp = {"userId": user_id, "timestamp": self.now_iso()}
        agent = call.change_agent if call is not None else None
        if agent:
            stamp["changeAgent"] = agent
        if events[0]["objectType"] != "sheet":
            events = [{"objectType": "sheet", "eventType": "updated", "id": sheet.id}, *events]
        full = [{**e, **stamp} for e in events]
        for hook in targets:
            self.deliverer.enqueue(hook, sheet.id, full)

    def verify_webhook(self, hook: dict) -> None:
        # The handshake runs inside the PUT, as on the real service; the lock is released
        # so that a subscriber living in this process can answer.
        self.lock.release()
        try:
            ok = hooks.verify(hook["callbackUrl"], hook["id"], self.hook_settings.timeout)
        finally:
            self.lock.acquire()
        hook["enabled"] = ok
        hook["status"] = "ENABLED" if ok else "DISABLED_VERIFICATION_FAILED"
        self.deliverer.since_verified[hook["id"]] = 0

    def remove_sheet(self, sheet_id: int) -> None:
        self.sheets.pop(sheet_id, None)
        for hook in self.webhooks.values():
            if hook["scopeObjectId"] == sheet_id:
                self._scope_lost(hook)

    def _scope_lost(self, hook: dict) -> None:
        """The owner lost the sheet: disabled, and told so if it was listening."""
        was_enabled = hook["enabled"]
        hook["enabled"], hook["status"] = False, "DISABLED_SCOPE_INACCESSIBLE"
        if was_enabled:
            self.deliverer.status_change(hook, "DISABLED_SCOPE_INACCESSIBLE", self.now_iso())

    def _scope_regained(self, sheet: Sheet, user_id: int) -> None:
        for hook in self.webhooks.values():
            if (hook["scopeObjectId"] == sheet.id and hook["ownerId"] == user_id
                    and hook["status"] == "DISABLED_SCOPE_INACCESSIBLE"):
                hook["enabled"], hook["status"] = True, "ENABLED"
                self.deliverer.status_change(hook, "ENABLED", self.now_iso())

    # -- control actions (also callable as methods) ---------------------------------
    def control(self, action: str, payload: dict) -> dict:
        actions = {"reset": lambda p: self.reset(p.get("seed")),
                   "edit_cells": lambda p: self.edit_cells(**p),
                   "share": lambda p: self.share(**p),
                   "rate_limit": lambda p: self.rate_limit(**p),
                   "expire_tokens": lambda p: self.expire_tokens(**p),
                   "revoke": lambda p: self.revoke(**p),
                   "delete_sheet": lambda p: self.delete_sheet(**p),
                   "count": lambda p: self.count(),
                   "tokens": lambda p: self.persona_tokens(),
                   "webhooks": lambda p: self.configure_webhooks(**p),
                   "webhooks_flush": lambda p: {"flushed": self.deliverer.flush()}}
        if action not in actions:
            raise KeyError(f"unknown smartsheet control action {action!r}")
        try:
            return actions[action](payload or {})
        except ApiError as err:
            raise ValueError(str(err)) from err

    def persona_tokens(self) -> dict:
        """``{email: personal access token}`` of every persona."""
        return {p.email: persona_token(p.email) for p in PERSONAS}

    def _user(self, email: str) -> dict:
        user = self.users_by_email.get(email.lower())
        if user is None:
            raise ValueError(f"no sandbox user {email!r}")
        return user

    def edit_cells(self, *, sheet_id: int, email: str, rows: list[dict],
                   strict: bool = True) -> dict:
        """Change cells as a person would in the web app (history, version, webhooks).

        ``rows``: ``[{"id": rowId, "cells": [{"columnId": .., "value": ..}]}]``.
        """
        with self.lock:
            user = self._user(email)
            sheet = self.sheets[int(sheet_id)]
            level = sheet.shares.get(user["id"])
            if level is None or RANK[level] < RANK["EDITOR"]:
                raise ValueError(f"{email} cannot edit sheet {sheet_id}")
            body = [{"id": r["id"], "cells": [{**c, "strict": c.get("strict", strict)}
                                              for c in r.get("cells", [])]} for r in rows]
            result, events = row_ops.update_rows(
                sheet, body, self.write_context(None, level, user=user), partial=False)
            if events:
                self.notify(sheet, events, None, user=user)
            return {"version": sheet.version, "rows": [r["id"] for r in result["result"]]}

    def configure_webhooks(self, *, reset: bool = False, **changes) -> dict:
        """Change webhook behaviour at run time: ``delay_seconds``, ``reverify_every``,
        ``allow_insecure_callbacks``, ``retry_delays``, ``timeout``; ``reset`` first goes
        back to the emulator's options."""
        settings = self.hook_settings
        if reset:
            settings.__dict__.update(self.default_hook_settings.__dict__)
        for key, value in changes.items():
            if not hasattr(settings, key):
                raise ValueError(f"unknown webhook setting {key!r}")
            kind = type(getattr(settings, key))
            setattr(settings, key, tuple(value) if kind is tuple else kind(value))
        return settings.as_dict()

    def share(self, *, sheet_id: int, email: str, access_level: str | None) -> dict:
        """Share a sheet with a persona at ``access_level``; None takes the share away
        (their webhooks on it become DISABLED_SCOPE_INACCESSIBLE)."""
        with self.lock:
            sheet = self.sheets[int(sheet_id)]
            user = self._user(email)
            if access_level is None:
                if sheet.shares.get(user["id"]) == "OWNER":
                    raise ValueError("the owner's access cannot be taken away")
                sheet.shares.pop(user["id"], None)
                for hook in self.webhooks.values():
                    if hook["scopeObjectId"] == sheet.id and hook["ownerId"] == user["id"]:
                        self._scope_lost(hook)
            elif access_level not in RANK:
                raise ValueError(f"unknown access level {access_level!r}")
            else:
                sheet.shares[user["id"]] = access_level
                self._scope_regained(sheet, user["id"])
            return {"sheet_id": sheet.id, "email": user["email"], "access_level": access_level}

    def rate_limit(self, *, per_minute: int, window_seconds: float = 60.0) -> dict:
        """Allow ``per_minute`` request weights per token per ``window_seconds``."""
        self.rate.configure(per_minute, window_seconds)
        return {"per_minute": self.rate.per_minute, "window_seconds": self.rate.window}

    def expire_tokens(self, *, email: str | None = None, token: str | None = None) -> dict:
        with self.lock:
            uid = self._user(email)["id"] if email else None
            return {"expired": self.tokens.expire(now=self.now(), user_id=uid, token=token)}

    def revoke(self, *, email: str | None = None, token: str | None = None) -> dict:
        with self.lock:
            uid = self._user(email)["id"] if email else None
            return {"revoked": self.tokens.revoke(user_id=uid, token=token)}

    def delete_sheet(self, *, sheet_id: int) -> dict:
        with self.lock:
            self.remove_sheet(int(sheet_id))
            return {"deleted": int(sheet_id)}

    def count(self) -> dict:
        with self.lock:
            return {"sheets": len(self.sheets),
                    "rows": sum(len(s.rows) for s in self.sheets.values()),
                    "webhooks": len(self.webhooks), "rate_limited": self.rate.refused,
                    "rate_peak_per_token": max(self.rate.peaks.values(), default=0),
                    "rate_peaks": dict(self.rate.peaks),
                    "callbacks_delivered": self.deliverer.delivered,
                    "callback_failures": self.deliverer.failed_attempts,
                    "callbacks_pending": self.deliverer.pending()}
