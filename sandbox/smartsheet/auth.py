"""Access tokens, the OAuth 2.0 flow (authorize page and ``POST /2.0/token``), rate limits.

Personal API tokens of the personas never expire on their own (like Smartsheet's raw
tokens) but can be expired or revoked through the control endpoint. OAuth access tokens
expire after ``token_ttl_seconds`` measured with the sandbox clock.
"""

from __future__ import annotations

import hashlib
import html
import secrets
import threading
from collections import deque
from urllib.parse import urlencode

from sandbox.personas import PASSWORD, SMARTSHEET_CLIENT_ID, SMARTSHEET_CLIENT_SECRET

from .errors import ApiError

AUTH_CODE_TTL_SECONDS = 600


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


class TokenStore:
    """token -> {user_id, expires_at (epoch seconds or None), kind}; refresh tokens; codes.

    All times are sandbox-clock epoch seconds passed in by the caller.
    """

    def __init__(self, ttl_seconds: float) -> None:
        self.ttl = ttl_seconds
        self.access: dict[str, dict] = {}
        self.refresh: dict[str, dict] = {}
        self.codes: dict[str, dict] = {}

    def add_personal(self, token: str, user_id: int) -> None:
        self.access[token] = {"user_id": user_id, "expires_at": None, "kind": "personal"}

    def user_for(self, header: str | None, now: float) -> int:
        """The user id a ``Bearer`` header names; ApiError 1001/1002/1003 otherwise."""
        if not header or not header.startswith("Bearer ") or not header[7:].strip():
            raise ApiError(1001)
        record = self.access.get(header[7:].strip())
        if record is None:
            raise ApiError(1002)
        if record["expires_at"] is not None and record["expires_at"] <= now:
            raise ApiError(1003)
        return record["user_id"]

    # -- OAuth ---------------------------------------------------------------------
    def issue_code(self, user_id: int, redirect_uri: str, scope: str, now: float) -> str:
        code = secrets.token_urlsafe(12)
        self.codes[code] = {"user_id": user_id, "redirect_uri": redirect_uri, "scope": scope,
                            "expires_at": now + AUTH_CODE_TTL_SECONDS}
        return code

    def _issue(self, user_id: int, now: float) -> dict:
        access, refresh = secrets.token_urlsafe(20), secrets.token_urlsafe(20)
        self.access[access] = {"user_id": user_id, "expires_at": now + self.ttl,
                               "kind": "oauth", "refresh": refresh}
        self.refresh[refresh] = {"user_id": user_id, "access": access}
        return {"access_token": access, "token_type": "bearer", "refresh_token": refresh,
                "expires_in": int(self.ttl) - 1}

    def exchange(self, form: dict, now: float) -> dict:
        """``POST /2.0/token``: authorization_code or refresh_token grant (form fields)."""
        grant = form.get("grant_type")
        for name in ("grant_type", "client_id", "hash"):
            if not form.get(name):
                raise ApiError(1070, name)
        if form["client_id"] != SMARTSHEET_CLIENT_ID:
            raise ApiError(1067)
        if grant == "authorization_code":
            code = form.get("code")
            if not code:
                raise ApiError(1070, "code")
            record = self.codes.get(code)
            if record is None:
                raise ApiError(1071)
            if record["expires_at"] <= now:
                del self.codes[code]
                raise ApiError(1069)
            if form["hash"] != sha256_hex(f"{SMARTSHEET_CLIENT_SECRET}|{code}"):
                raise ApiError(1072)
            if form.get("redirect_uri") and form["redirect_uri"] != record["redirect_uri"]:
                raise ApiError(1073)
            del self.codes[code]  # a code is good once
            return self._issue(record["user_id"], now)
        if grant == "refresh_token":
            refresh = form.get("refresh_token")
            if not refresh:
                raise ApiError(1070, "refresh_token")
            record = self.refresh.get(refresh)
            if record is None:
                raise ApiError(1071)
            if form["hash"] != sha256_hex(f"{SMARTSHEET_CLIENT_SECRET}|{refresh}"):
                raise ApiError(1072)
            # Rotation: the old refresh token and its access token stop working.
            del self.refresh[refresh]
            self.access.pop(record["access"], None)
            return self._issue(record["user_id"], now)
        raise ApiError(1068)

    # -- control -------------------------------------------------------------------
    def expire(self, *, now: float, user_id: int | None = None, token: str | None = None
               ) -> int:
        n = 0
        for key, record in self.access.items():
            if (token is None or key == token) and (user_id is None
                                                    or record["user_id"] == user_id):
                record["expires_at"] = now
                n += 1
        return n

    def revoke(self, *, user_id: int | None = None, token: str | None = None) -> int:
        doomed = [k for k, r in self.access.items()
                  if (token is None or k == token)
                  and (user_id is None or r["user_id"] == user_id)]
        for key in doomed:
            record = self.access.pop(key)
            if record.get("refresh"):
                self.refresh.pop(record["refresh"], None)
        return len(doomed)

    def to_state(self) -> dict:
        return {"access": self.access, "refresh": self.refresh, "codes": self.codes}

    def load_state(self, data: dict) -> None:
        self.access, self.refresh, self.codes = data["access"], data["refresh"], data["codes"]


class RateLimiter:
    """A sliding window of request weights per token, on the sandbox clock.

    ``peaks`` keeps, per token (known by a short hash), the most weight its window ever
    held: "requests per token per minute, at most", whatever the limit.
    """

    def __init__(self, per_minute: int, window_seconds: float = 60.0) -> None:
        self.per_minute = per_minute
        self.window = window_seconds
        self._lock = threading.Lock()
        self._hits: dict[str, deque] = {}
        self.refused = 0
        self.peaks: dict[str, int] = {}

    def configure(self, per_minute: int, window_seconds: float = 60.0) -> None:
        with self._lock:
            self.per_minute, self.window = int(per_minute), float(window_seconds)
            self._hits.clear()
            self.peaks.clear()

    def take(self, token: str, weight: int, now: float) -> None:
        """Count a request; ApiError 4003 (HTTP 429) when the window is full."""
        with self._lock:
            hits = self._hits.setdefault(token, deque())
            while hits and hits[0][0] <= now - self.window:
                hits.popleft()
            used = sum(w for _, w in hits)
            if used + weight > self.per_minute:
                self.refused += 1
                raise ApiError(4003)
            hits.append((now, weight))
            who = hashlib.sha256(str(token).encode()).hexdigest()[:12]
            self.peaks[who] = max(self.peaks.get(who, 0), used + weight)

    def reset(self) -> None:
        with self._lock:
            self._hits.clear()
            self.refused = 0
            self.peaks.clear()


def authorize_page(params: dict, error: str = "") -> str:
    """The sign-in and consent page of ``/b/authorize`` (GET shows it, POST submits it)."""
    hidden = "".join(
        f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
        for k, v in params.items()
        if k in ("response_type", "client_id", "scope", "state", "redirect_uri"))
    message = f'<p class="error">{html.escape(error)}</p>' if error else ""
    scope = html.escape(params.get("scope", ""))
    return f"""<!doctype html>
<html><head><meta charset="utf-8"><title>Smartsheet sandbox - Allow access</title></head>
<body><h1>Smartsheet sandbox</h1>{message}
<form method="post" action="/b/authorize">{hidden}
<p>The app <b>{html.escape(params.get("client_id", ""))}</b> asks for: {scope}</p>
<label>Email <input name="email" type="email" autocomplete="username"></label>
<label>Password <input name="password" type="password" autocomplete="current-password"></label>
<button name="decision" value="allow" type="submit">Allow</button>
<button name="decision" value="deny" type="submit">Deny</button>
</form><p>Every sandbox user's password is the sandbox password.</p></body></html>"""


def authorize_submit(form: dict, users_by_email: dict[str, dict], tokens: TokenStore,
                     now: float) -> tuple[str | None, str]:
    """Handle the submitted page: (redirect URL, "") or (None, error to show)."""
    if form.get("client_id") != SMARTSHEET_CLIENT_ID:
        return None, "Unknown client_id."
    if form.get("response_type") != "code":
        return None, "response_type must be code."
    redirect_uri = form.get("redirect_uri") or ""
    if not redirect_uri.startswith(("http://", "https://")):
        return None, "A redirect_uri is required."
    state = {"state": form["state"]} if form.get("state") else {}
    sep = "&" if "?" in redirect_uri else "?"
    if form.get("decision") != "allow":
        return f"{redirect_uri}{sep}{urlencode({'error': 'access_denied', **state})}", ""
    user = users_by_email.get((form.get("email") or "").strip().lower())
    if user is None or form.get("password") != PASSWORD:
        return None, "Invalid username and/or password."
    code = tokens.issue_code(user["id"], redirect_uri, form.get("scope", ""), now)
    query = urlencode({"code": code, "expires_in": AUTH_CODE_TTL_SECONDS * 1000, **state})
    return f"{redirect_uri}{sep}{query}", ""
