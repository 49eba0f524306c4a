"""OAuth 2.0 for both services: authorize URLs, code exchange and refresh (with rotation).

These calls go through a :class:`~connector.clients.transport.CountingSession` when the
caller has one (a client refreshing its own token counts the call), or a short-lived one.
The token endpoints are called directly rather than through the SDKs: simple-salesforce's
login helpers hard-code salesforce.com, and the Smartsheet SDK logs response bodies at
DEBUG level, which would put fresh tokens in the logs.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

import requests
from django.conf import settings
from django.utils.translation import gettext as _

from connector.clients.errors import ClientError, redact
from connector.clients.transport import CallCounter, CountingSession, ca_bundle_path
from connector.clients.types import TokenSet

SMARTSHEET_DEFAULT_SCOPES = ("READ_SHEETS", "WRITE_SHEETS", "CREATE_SHEETS", "ADMIN_SHEETS",
                             "ADMIN_WEBHOOKS", "READ_USERS")


def _session(service: str, ca_bundle: str | None, session: requests.Session | None
             ) -> requests.Session:
    if session is not None:
        return session
    return CountingSession(service=service, counter=CallCounter(),
                           timeout=settings.HTTP_TIMEOUT_SECONDS,
                           verify=ca_bundle_path(ca_bundle))


def _post_form(service: str, session: requests.Session, url: str, form: dict) -> dict:
    """POST a token request; the JSON answer, or ClientError (kind decided by caller's
    mapping of the OAuth error). Never lets a secret of ``form`` into a message."""
    secrets = [v for k, v in form.items() if k in ("code", "refresh_token", "client_secret",
                                                     "hash")]
    try:
        response = session.post(url, data=form, headers={"Accept": "application/json"})
    except requests.RequestException as exc:
        raise ClientError(service=service, kind="transient", code="connection",
                          message=_("Could not reach the %(service)s sign-in service (%(error)s).")
                          % {"service": service.title(), "error": type(exc).__name__}) from None
    try:
        body = response.json()
    except ValueError:
        body = {}
    if response.status_code >= 500:
        raise ClientError(service=service, kind="transient", status=response.status_code,
                          code=str(body.get("errorCode", "") if isinstance(body, dict) else ""),
                          message=_("The %(service)s sign-in service failed (HTTP %(status)s); try "
                                    "again shortly.")
                          % {"service": service.title(), "status": response.status_code})
    if response.status_code >= 400 or not isinstance(body, dict) or "access_token" not in body:
        body = body if isinstance(body, dict) else {}
        error = str(body.get("error") or body.get("errorCode") or "invalid_response")
        description = redact(str(body.get("error_description") or body.get("message") or ""),
                             secrets)
        raise _OAuthRefused(service=service, error=error, status=response.status_code,
                            description=description, code=str(body.get("errorCode") or error))
    return body


class _OAuthRefused(Exception):
    """The token endpoint said no; callers turn it into the right ClientError kind."""

    def __init__(self, *, service: str, error: str, status: int, description: str,
                 code: str) -> None:
        super().__init__(f"{error}: {description}")
        self.service, self.error, self.status = service, error, status
        self.description, self.code = description, code

    def as_client_error(self, *, refreshing: bool) -> ClientError:
        name = self.service.title()
        if self.error in ("invalid_client", "unauthorized_client", "1067"):
            return ClientError(
                service=self.service, kind="invalid", code=self.code, status=self.status,
                message=_("%(service)s refused the connector's OAuth client id or secret: a "
                          "connector admin must fix the install (%(reason)s).")
                % {"service": name, "reason": self.description})
        if refreshing:
            return ClientError(
                service=self.service, kind="revoked", code=self.code, status=self.status,
                message=_("%(service)s no longer accepts the saved sign-in (%(reason)s): "
                          "reconnect your %(service)s account.")
                % {"service": name, "reason": self.description or self.error})
        return ClientError(
            service=self.service, kind="auth", code=self.code, status=self.status,
            message=_("%(service)s refused the sign-in (%(reason)s); try connecting again.")
            % {"service": name, "reason": self.description or self.error})


def _expires_at(body: dict) -> datetime | None:
    try:
        seconds = float(body["expires_in"])
    except (KeyError, TypeError, ValueError):
        return None
    return datetime.now(UTC) + timedelta(seconds=seconds)


# --- Salesforce ------------------------------------------------------------------------

def salesforce_authorize_url(*, login_url: str, client_id: str, redirect_uri: str,
                             state: str) -> str:
    """The URL that starts Salesforce's web-server OAuth flow."""
    query = urlencode({"response_type": "code", "client_id": client_id,
                       "redirect_uri": redirect_uri, "state": state})
    return f"{login_url.rstrip('/')}/services/oauth2/authorize?{query}"


def _salesforce_tokens(body: dict, *, previous_refresh: str = "") -> TokenSet:
    return TokenSet(
        access_token=body["access_token"],
        # Salesforce may or may not rotate: keep the old refresh token when none comes back.
        refresh_token=body.get("refresh_token") or previous_refresh,
        expires_at=_expires_at(body),
        instance_url=body.get("instance_url", ""),
        identity_url=body.get("id", ""),
    )


def salesforce_token_exchange(*, login_url: str, client_id: str, client_secret: str,
                              code: str, redirect_uri: str, ca_bundle: str | None = None,
                              session: requests.Session | None = None) -> TokenSet:
    """Exchange an authorization code; ``identity_url`` carries Salesforce's ``id`` URL."""
    session = _session("salesforce", ca_bundle, session)
    try:
        body = _post_form("salesforce", session,
                          f"{login_url.rstrip('/')}/services/oauth2/token",
                          {"grant_type": "authorization_code", "code": code,
                           "client_id": client_id, "client_secret": client_secret,
                           "redirect_uri": redirect_uri})
    except _OAuthRefused as refused:
        raise refused.as_client_error(refreshing=False) from None
    return _salesforce_tokens(body)


def salesforce_token_refresh(*, login_url: str, client_id: str, client_secret: str,
                             refresh_token: str, ca_bundle: str | None = None,
                             session: requests.Session | None = None) -> TokenSet:
    """New tokens from a refresh token. A refused refresh is ``kind="revoked"``."""
    if not refresh_token:
        raise ClientError(service="salesforce", kind="auth", code="INVALID_SESSION_ID",
                          message=_("The Salesforce session expired and there is no refresh "
                                  "token: reconnect your Salesforce account."))
    session = _session("salesforce", ca_bundle, session)
    try:
        body = _post_form("salesforce", session,
                          f"{login_url.rstrip('/')}/services/oauth2/token",
                          {"grant_type": "refresh_token", "refresh_token": refresh_token,
                           "client_id": client_id, "client_secret": client_secret})
    except _OAuthRefused as refused:
        raise refused.as_client_error(refreshing=True) from None
    return _salesforce_tokens(body, previous_refresh=refresh_token)


# --- Smartsheet ------------------------------------------------------------------------

def smartsheet_hash(client_secret: str, value: str) -> str:
    """Smartsheet's ``hash`` parameter: hex SHA-256 of ``client_secret|value``."""
    return hashlib.sha256(f"{client_secret}|{value}".encode()).hexdigest()


def smartsheet_authorize_url(*, authorize_url: str, client_id: str, redirect_uri: str,
                             state: str, scopes: tuple[str, ...] | list[str] | str = (
                                 SMARTSHEET_DEFAULT_SCOPES)) -> str:
    """The URL of Smartsheet's authorize (sign-in and consent) page."""
    scope = scopes if isinstance(scopes, str) else " ".join(scopes)
    query = urlencode({"response_type": "code", "client_id": client_id, "scope": scope,
                       "redirect_uri": redirect_uri, "state": state})
    return f"{authorize_url}?{query}"


def _smartsheet_tokens(body: dict, *, previous_refresh: str = "") -> TokenSet:
    return TokenSet(access_token=body["access_token"],
                    refresh_token=body.get("refresh_token") or previous_refresh,
                    expires_at=_expires_at(body))


def smartsheet_token_exchange(*, api_base: str, client_id: str, client_secret: str,
                              code: str, redirect_uri: str = "",
                              ca_bundle: str | None = None,
                              session: requests.Session | None = None) -> TokenSet:
    """Exchange an authorization code at ``POST {api_base}/token``."""
    session = _session("smartsheet", ca_bundle, session)
    form = {"grant_type": "authorization_code", "code": code, "client_id": client_id,
            "hash": smartsheet_hash(client_secret, code)}
    if redirect_uri:
        form["redirect_uri"] = redirect_uri
    try:
        body = _post_form("smartsheet", session, f"{api_base.rstrip('/')}/token", form)
    except _OAuthRefused as refused:
        raise refused.as_client_error(refreshing=False) from None
    return _smartsheet_tokens(body)


def smartsheet_token_refresh(*, api_base: str, client_id: str, client_secret: str,
                             refresh_token: str, ca_bundle: str | None = None,
                             session: requests.Session | None = None) -> TokenSet:
    """New tokens from a refresh token (the old one dies). Refused → ``kind="revoked"``."""
    if not refresh_token:
        raise ClientError(service="smartsheet", kind="auth", code="1003",
                          message=_("The Smartsheet token expired and there is no refresh "
                                  "token: reconnect your Smartsheet account."))
    session = _session("smartsheet", ca_bundle, session)
    form = {"grant_type": "refresh_token", "refresh_token": refresh_token,
            "client_id": client_id, "hash": smartsheet_hash(client_secret, refresh_token)}
    try:
        body = _post_form("smartsheet", session, f"{api_base.rstrip('/')}/token", form)
    except _OAuthRefused as refused:
        raise refused.as_client_error(refreshing=True) from None
    return _smartsheet_tokens(body, previous_refresh=refresh_token)
