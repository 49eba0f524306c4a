"""OAuth 2.0 state of the org: authorization codes, access and refresh tokens.

Access tokens expire ``token_ttl`` after issue (measured on the sandbox clock). Refresh
tokens rotate only when the connected app enables "Refresh Token Rotation": then each
refresh issues a new one and the old one stops working. By default, as in a new connected
app, the refresh answer has no ``refresh_token`` and the old one keeps working (REST API
Developer Guide, "OAuth 2.0 Refresh Token Flow").
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import threading
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from sandbox.personas import SALESFORCE_CLIENT_ID, SALESFORCE_CLIENT_SECRET

#: Lifetime of an authorization code, as in Salesforce.
CODE_TTL = timedelta(minutes=15)


class OAuthError(Exception):
    """An OAuth failure: ``{"error": ..., "error_description": ...}`` with ``status``."""

    def __init__(self, error: str, description: str, status: int = 400) -> None:
        super().__init__(f"{error}: {description}")
        self.error, self.description, self.status = error, description, status

    def as_body(self) -> dict:
        return {"error": self.error, "error_description": self.description}


@dataclass
class Grant:
    """What a token stands for."""

    user_id: str
    client_id: str
    scope: str
    expires_at: str  # ISO datetime, "" for refresh tokens (they do not expire)


@dataclass
class Code:
    user_id: str
    client_id: str
    redirect_uri: str
    scope: str
    expires_at: str
    code_challenge: str | None = None


class TokenStore:
    """Tokens and codes; thread-safe. ``org_id`` prefixes access tokens as Salesforce's do."""

    def __init__(self, org_id: str, token_ttl: timedelta) -> None:
        self.org_id = org_id
        self.token_ttl = token_ttl
        self.clients = {SALESFORCE_CLIENT_ID: SALESFORCE_CLIENT_SECRET}
        #: client id -> the connected app rotates refresh tokens
        self.rotation: dict[str, bool] = {SALESFORCE_CLIENT_ID: False}
        self.access: dict[str, Grant] = {}
        self.refresh: dict[str, Grant] = {}
        self.codes: dict[str, Code] = {}
        self._lock = threading.Lock()

    # -- issuing -------------------------------------------------------------------------
    def issue(self, user_id: str, client_id: str, scope: str, now: datetime, *,
              with_refresh: bool) -> tuple[str, str | None]:
        """A new access token (and refresh token when asked)."""
        access = f"{self.org_id[:15]}!{secrets.token_urlsafe(72)}"
        with self._lock:
            self.access[access] = Grant(user_id, client_id, scope,
                                        (now + self.token_ttl).isoformat())
            refresh = None
            if with_refresh:
                refresh = "5Aep861" + secrets.token_urlsafe(60)
                self.refresh[refresh] = Grant(user_id, client_id, scope, "")
        return access, refresh

    def new_code(self, code: Code) -> str:
        value = "aPrx" + secrets.token_urlsafe(48)
        with self._lock:
            self.codes[value] = code
        return value

    # -- using ---------------------------------------------------------------------------
    def check_client(self, client_id: str, client_secret: str | None, *,
                     secret_required: bool = True) -> None:
        if client_id not in self.clients:
            raise OAuthError("invalid_client_id", "client identifier invalid")
        if secret_required and not hmac.compare_digest(
            self.clients[client_id], client_secret or ""
        ):
            raise OAuthError("invalid_client", "invalid client credentials")

    def redeem_code(self, value: str, client_id: str, redirect_uri: str,
                    verifier: str | None, now: datetime) -> Code:
        with self._lock:
            code = self.codes.pop(value, None)  # single use, even when it fails below
        if code is None or code.client_id != client_id:
            raise OAuthError("invalid_grant", "invalid authorization code")
        if now.isoformat() > code.expires_at:
            raise OAuthError("invalid_grant", "expired authorization code")
        if code.redirect_uri != redirect_uri:
            raise OAuthError("redirect_uri_mismatch", "redirect_uri must match configuration")
        if code.code_challenge is not None:
            digest = hashlib.sha256((verifier or "").encode()).digest()
            expected = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
            if not hmac.compare_digest(expected, code.code_challenge):
                raise OAuthError("invalid_grant", "invalid code verifier")
        return code

    def use_refresh(self, refresh: str, client_id: str) -> tuple[Grant, bool]:
        """The grant of a refresh token and whether the app rotates them; a rotated token
        is consumed (the caller issues the next one)."""
        with self._lock:
            grant = self.refresh.get(refresh)
            if grant is None or grant.client_id != client_id:
                raise OAuthError("invalid_grant", "expired access/refresh token")
            rotate = self.rotation.get(client_id, False)
            if rotate:
                del self.refresh[refresh]
            return grant, rotate

    def session(self, token: str, now: datetime) -> Grant | None:
        """The live grant of an access token, or None (unknown, expired, revoked)."""
        grant = self.access.get(token)
        if grant is None or now.isoformat() >= grant.expires_at:
            return None
        return grant

    # -- control -------------------------------------------------------------------------
    def revoke_token(self, token: str) -> bool:
        with self._lock:
            grant = self.access.pop(token, None) or self.refresh.pop(token, None)
            if grant is not None and token in self.refresh:
                del self.refresh[token]
            return grant is not None

    def revoke_user(self, user_id: str) -> int:
        """Kill every access and refresh token of a user; return how many."""
        with self._lock:
            dead = [t for t, g in self.access.items() if g.user_id == user_id]
            dead += [t for t, g in self.refresh.items() if g.user_id == user_id]
            for token in dead:
                self.access.pop(token, None)
                self.refresh.pop(token, None)
            return len(dead)

    def expire(self, user_id: str | None, now: datetime) -> int:
        """Make access tokens (of one user, or all) expired now; refresh tokens live on."""
        with self._lock:
            count = 0
            for grant in self.access.values():
                if user_id is None or grant.user_id == user_id:
                    grant.expires_at = now.isoformat()
                    count += 1
            return count

    def signature(self, client_id: str, identity_url: str, issued_at: str) -> str:
        secret = self.clients.get(client_id, "").encode()
        digest = hmac.new(secret, (identity_url + issued_at).encode(), hashlib.sha256).digest()
        return base64.b64encode(digest).decode()

    def dump(self) -> dict:
        with self._lock:
            return {"access": {t: asdict(g) for t, g in self.access.items()},
                    "refresh": {t: asdict(g) for t, g in self.refresh.items()},
                    "rotation": dict(self.rotation)}

    def load(self, data: dict) -> None:
        with self._lock:
            self.access = {t: Grant(**g) for t, g in data.get("access", {}).items()}
            self.refresh = {t: Grant(**g) for t, g in data.get("refresh", {}).items()}
            self.rotation.update(data.get("rotation", {}))
