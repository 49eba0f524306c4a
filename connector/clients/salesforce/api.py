"""Salesforce through simple-salesforce, in session-id mode: the SDK, its errors, tokens.

simple-salesforce constructed with ``session_id`` + ``instance_url`` never refreshes an
expired token, so this client does: on 401 INVALID_SESSION_ID it refreshes with the
refresh token (under a lock, once for all threads that saw the same stale token), hands
the new tokens to ``on_tokens_refreshed`` (Salesforce may rotate the refresh token) and
retries the call once. With ``reload_tokens``/``lock_tokens`` (see
:mod:`connector.clients.tokens`) it first adopts tokens another client of the same
connection stored meanwhile, instead of refreshing with a rotated-out refresh token.
Transient failures are retried with backoff — for a create, only those that certainly
happened before Salesforce applied it (see :meth:`ServiceClient._call`); everything else
becomes a :class:`ClientError` whose message carries no token.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

import requests
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceError

from connector.clients.base import AttemptFailed, ServiceClient
from connector.clients.errors import RECONNECT_MESSAGES, ClientError, redact, unreachable
from connector.clients.oauth import salesforce_token_refresh
from connector.clients.tokens import LockTokens, ReloadTokens
from connector.clients.transport import CallCounter, never_sent
from connector.clients.types import TokenSet

T = TypeVar("T")

SERVICE = "salesforce"
#: The org's daily API request limit is spent (with HTTP 403).
LIMIT_EXCEEDED = "REQUEST_LIMIT_EXCEEDED"


@dataclass(frozen=True)
class SalesforceSession:
    """What a protocol helper (the Streaming API client) needs to call the org as this
    client: its URL, the current access token and the HTTP session every call of the
    client goes through (counted, with timeouts and the CA bundle). The token changes
    with :meth:`SalesforceApi.refresh`: take a new one after it."""

    instance_url: str
    access_token: str = field(repr=False)
    http: requests.Session = field(repr=False)


class SalesforceApi(ServiceClient):
    """Calls, tokens and errors of one user's Salesforce access (the resources are in
    :mod:`.query`, :mod:`.records` and :mod:`.describe`)."""

    SERVICE = SERVICE
    SERVICE_LABEL = "Salesforce"
    OUTCOME_UNKNOWN_NOTE = gettext_lazy("Salesforce may have saved this write before failing; "
                                        "it was not repeated, so that nothing is created twice.")

    def __init__(
        self,
        *,
        instance_url: str,
        access_token: str,
        refresh_token: str = "",
        login_url: str = "",
        client_id: str = "",
        client_secret: str = "",
        ca_bundle: str | None = None,
        api_version: str = "59.0",
        counter: CallCounter | None = None,
        on_tokens_refreshed: Callable[[TokenSet], None] | None = None,
        on_auth_failed: Callable[[ClientError], None] | None = None,
        timeout: float | None = None,
        max_parallel: int = 4,
        max_attempts: int = 4,
        retry_backoff: float = 1.0,
        identity_url: str = "",
        reload_tokens: ReloadTokens | None = None,
        lock_tokens: LockTokens | None = None,
    ) -> None:
        self.max_parallel = max(1, max_parallel)
        super().__init__(
            refresh_token=refresh_token, client_id=client_id, client_secret=client_secret,
            counter=counter, on_tokens_refreshed=on_tokens_refreshed,
            on_auth_failed=on_auth_failed, timeout=timeout, max_attempts=max_attempts,
            retry_backoff=retry_backoff, ca_bundle=ca_bundle, reload_tokens=reload_tokens,
            lock_tokens=lock_tokens, pool_size=max(10, self.max_parallel * 2))
        self.instance_url = instance_url.rstrip("/")
        self.login_url = (login_url or instance_url).rstrip("/")
        self.api_version = api_version
        self.identity_url = identity_url
        # Plain dicts (not OrderedDict) for records: cheaper, and what the engine expects.
        self._sf = Salesforce(
            instance_url=self.instance_url,
            session_id=access_token,
            session=self.http,
            version=api_version,
            object_pairs_hook=dict,
        )
        #: Object describes fetched so far (see :mod:`.describe`): one call per object.
        self._describe_lock = threading.Lock()
        self._describes: dict[str, dict] = {}

    def __repr__(self) -> str:
        return f"SalesforceClient(instance_url={self.instance_url!r})"

    # -- one attempt -----------------------------------------------------------------------
    def _attempt(self, fn: Callable[[], T]) -> T:
        try:
            return fn()
        except SalesforceError as exc:
            error = self._error_from_sdk(exc)
            raise AttemptFailed(error, token_refused=exc.status == 401,
                                maybe_applied=error.kind == "transient" and error.status != 503
                                ) from None
        except requests.RequestException as exc:
            raise AttemptFailed(unreachable(SERVICE, self.SERVICE_LABEL, exc),
                                maybe_applied=not never_sent(exc)) from None

    def _error_from_sdk(self, exc: SalesforceError) -> ClientError:
        content = exc.content
        code, text = "", ""
        if isinstance(content, list) and content and isinstance(content[0], dict):
            code = str(content[0].get("errorCode", ""))
            text = str(content[0].get("message", ""))
        elif isinstance(content, dict):
            code = str(content.get("errorCode") or content.get("error") or "")
            text = str(content.get("message") or content.get("error_description") or "")
        # Anything else (an HTML page, a proxy's error) is not shown: a message carries the
        # API's parsed code and message only, never a raw body from whatever answered.
        text = redact(text, self._secrets())[:1000]
        status = exc.status
        retry_after = self.http.last_retry_after
        if status == 401:
            kind = "auth"
            text = str(RECONNECT_MESSAGES[SERVICE])
        elif status == 403 and code == LIMIT_EXCEEDED:
            kind = "limit"
            text = _("The Salesforce org's daily API request limit is reached (%(detail)s).") % {
                "detail": text}
        elif status == 403:
            kind = "permission"
        elif status == 404:
            kind = "not_found"
        elif status == 429:
            kind = "rate"
        elif status >= 500:
            kind = "transient"
        else:
            kind = "invalid"
        return ClientError(service=SERVICE, kind=kind, code=code or str(status),
                           message=text or _("Salesforce answered HTTP %(status)s.") % {
                               "status": status},
                           status=status, retry_after=retry_after)

    # -- token renewal (the shared lifecycle is TokenRenewal's) ---------------------------
    def _current_access_token(self) -> str:
        return self._sf.session_id

    def _use_tokens(self, tokens: TokenSet) -> None:
        self._refresh_token = tokens.refresh_token
        self._sf.session_id = tokens.access_token
        self._sf._generate_headers()

    def _request_refresh(self) -> TokenSet:
        return salesforce_token_refresh(
            login_url=self.login_url, client_id=self.client_id,
            client_secret=self._client_secret, refresh_token=self._refresh_token,
            session=self.http)

    def _refresh_impossible(self, refused: ClientError | None) -> ClientError | None:
        if self._refresh_token and self.client_id:
            return None
        return ClientError(service=SERVICE, kind="auth", code="INVALID_SESSION_ID",
                           status=401, message=str(RECONNECT_MESSAGES[SERVICE]))

    def _save_tokens(self, tokens: TokenSet) -> None:
        if not tokens.instance_url:
            tokens.instance_url = self.instance_url
        super()._save_tokens(tokens)

    # -- for protocol helpers ----------------------------------------------------------
    @property
    def access_token(self) -> str:
        """The current access token (never log it)."""
        return self._sf.session_id

    def session(self) -> SalesforceSession:
        """The org's URL, the current token and the client's HTTP session."""
        return SalesforceSession(instance_url=self.instance_url,
                                 access_token=self._sf.session_id, http=self.http)

    def refresh(self, stale_token: str) -> None:
        """Renew the access token after Salesforce refused ``stale_token`` (nothing to do
        when it was replaced meanwhile); raises ClientError ``revoked``/``auth`` when the
        sign-in is dead."""
        self._refresh(stale_token)
