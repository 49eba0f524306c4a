"""Smartsheet through smartsheet-python-sdk's Passthrough: raw JSON, retries, refresh, counting.

Why Passthrough: the SDK's typed models cost ~5 s of CPU for a 10,000-row sheet, raw JSON
0.14 s; Passthrough still goes through the SDK's session, retries and error objects.

Retries are split in two: the SDK itself retries errorCodes 4001–4004 (429 rate limit,
maintenance, timeouts) until ``max_retry_time``, with our backoff (which honours
``Retry-After``); this client retries what the SDK does not — 500/4000, 5xx without an
errorCode, dropped connections and timeouts — up to ``max_attempts``. A create (any
POST) is retried, by either, only when it certainly was not applied (see ``_call``). An
expired token (1003) is refreshed once (rotation: the new refresh token replaces the
old). With ``reload_tokens``/``lock_tokens`` (see :mod:`connector.clients.tokens`) tokens
another client of the same connection stored meanwhile are adopted instead of refreshing
with a rotated-out refresh token.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any, TypeVar

import requests
import smartsheet
import smartsheet.smartsheet as _sdk_module
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from smartsheet.exceptions import HttpError, UnexpectedRequestError
from smartsheet.models import Error
from smartsheet.smartsheet import AbstractUserCalcBackoff
from smartsheet.util import fresh_operation

from connector.clients.base import AttemptFailed, ServiceClient
from connector.clients.errors import RECONNECT_MESSAGES, ClientError, redact, unreachable
from connector.clients.oauth import smartsheet_token_refresh
from connector.clients.tokens import LockTokens, ReloadTokens
from connector.clients.transport import (
    CallCounter,
    backoff_delay,
    json_body,
    never_sent,
    parse_retry_after,
)
from connector.clients.types import TokenSet

log = logging.getLogger(__name__)
T = TypeVar("T")

SERVICE = "smartsheet"
SDK_RETRIED_CODES = frozenset({4001, 4002, 4003, 4004})
#: 500s the SDK would retry that may come after the request was applied (server timeout,
#: unexpected error): not retried for a create (see ``SmartsheetApi._call``).
AMBIGUOUS_SDK_CODES = frozenset({4002, 4004})
TOKEN_CODES = frozenset({1002, 1003})
#: "The columnId ... is invalid": a column asked for is not in the sheet (any more).
COLUMN_NOT_FOUND = 1036
#: The ``level`` of column types asked for when reading sheets and columns: below 1 a
#: MULTI_CONTACT_LIST column reads as CONTACT_LIST, below 2 a MULTI_PICKLIST column as
#: TEXT_NUMBER ("Complex column types and compatibility").
COLUMN_LEVEL = 2


def _unused_session(pool_maxsize: int = 8) -> requests.Session:
    return requests.Session()


#: Guards the brief swap of the SDK's session factory (see _Smartsheet.__init__).
_SDK_INIT = threading.Lock()


class _Smartsheet(smartsheet.Smartsheet):
    """The SDK client, minus the cost of its request log.

    ``Smartsheet._log_request`` decodes and re-encodes every JSON request and response
    body for a debug line even when debug logging is off — doubling the CPU of reading
    a large sheet. Only pay for it when someone listens.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # The SDK's constructor builds its own "pinned" session, whose SSL context loads
        # the system's CA store (~50 ms of CPU, a third of a small real-time run); our
        # client replaces that session at once (SmartsheetApi.__init__), so the SDK gets a
        # bare one to throw away. Only for this class: other SDK users keep theirs.
        with _SDK_INIT:
            original = _sdk_module.pinned_session
            _sdk_module.pinned_session = _unused_session
            try:
                super().__init__(*args, **kwargs)
            finally:
                _sdk_module.pinned_session = original

    def _log_request(self, operation, response):
        if self._log.isEnabledFor(logging.DEBUG):
            super()._log_request(operation, response)


class _Backoff(AbstractUserCalcBackoff):
    """The SDK's retry pause for 4001–4004: Retry-After when given, else exponential."""

    def __init__(self, client: SmartsheetApi) -> None:
        self.client = client

    def calc_backoff(self, previous_attempts, total_elapsed_time, error_result):
        client = self.client
        if (getattr(client._local, "unsafe", False)
                and getattr(error_result, "code", None) in AMBIGUOUS_SDK_CODES):
            return -1  # a create that may have been applied: never repeated
        delay = backoff_delay(previous_attempts, base=client.retry_backoff,
                              retry_after=client.http.last_retry_after,
                              cap=client.max_retry_time)
        if total_elapsed_time + delay > client.max_retry_time:
            return -1
        log.info("smartsheet error %s, SDK retry %d in %.2fs",
                 getattr(error_result, "code", "?"), previous_attempts, delay)
        return delay


def _not_applied(error: ClientError) -> bool:
    """A transient error answered before the request was processed: 503 (4001,
    maintenance)."""
    return error.status == 503 or error.code == "4001"


class SmartsheetApi(ServiceClient):
    """Calls, tokens and errors of one user's Smartsheet access (the resources are in
    :mod:`.sheets`, :mod:`.rows`, :mod:`.columns` and :mod:`.webhooks`)."""

    SERVICE = SERVICE
    SERVICE_LABEL = "Smartsheet"
    OUTCOME_UNKNOWN_NOTE = gettext_lazy("Smartsheet may have applied this write before "
                                        "failing; it was not repeated, so that nothing is "
                                        "added twice.")

    def __init__(
        self,
        *,
        api_base: str,
        access_token: str,
        refresh_token: str = "",
        client_id: str = "",
        client_secret: str = "",
        counter: CallCounter | None = None,
        on_tokens_refreshed: Callable[[TokenSet], None] | None = None,
        on_auth_failed: Callable[[ClientError], None] | None = None,
        change_agent: str = "sheetforce",
        timeout: float | None = None,
        max_retry_time: float = 30,
        max_attempts: int = 4,
        retry_backoff: float = 1.0,
        ca_bundle: str | None = None,
        reload_tokens: ReloadTokens | None = None,
        lock_tokens: LockTokens | None = None,
    ) -> None:
        super().__init__(
            refresh_token=refresh_token, client_id=client_id, client_secret=client_secret,
            counter=counter, on_tokens_refreshed=on_tokens_refreshed,
            on_auth_failed=on_auth_failed, timeout=timeout, max_attempts=max_attempts,
            retry_backoff=retry_backoff, ca_bundle=ca_bundle, reload_tokens=reload_tokens,
            lock_tokens=lock_tokens)
        self.api_base = api_base.rstrip("/")
        self.change_agent = change_agent
        self.max_retry_time = max_retry_time
        self._ss = _Smartsheet(access_token, api_base=self.api_base,
                               max_retry_time=_Backoff(self), user_agent="sheetforce")
        # The SDK has no public way to pass a session: ours counts every request, sets
        # timeouts (the SDK sends without one) and verifies TLS against our CA bundle.
        self._ss._session = self.http
        self._ss.errors_as_exceptions(False)
        if change_agent:
            self._ss.with_change_agent(change_agent)
        #: The sheet ``version`` the last write (rows, columns) answered with: a caller
        #: can tell its own writes' versions apart from anyone else's without a call.
        self.last_write_version: int | None = None
        #: Per thread: whether the call in progress is a create (read by _Backoff).
        self._local = threading.local()

    def __repr__(self) -> str:
        return f"SmartsheetClient(api_base={self.api_base!r})"

    # -- one attempt -----------------------------------------------------------------------
    def _call(self, fn: Callable[[], T], *, unsafe: bool = False) -> T:
        """:meth:`ServiceClient._call`, telling the SDK's retries (``_Backoff``) whether
        the call is a create: the SDK must not repeat one that may have been applied."""
        self._local.unsafe = unsafe
        try:
            return super()._call(fn, unsafe=unsafe)
        finally:
            self._local.unsafe = False

    def _attempt(self, fn: Callable[[], Any]) -> Any:
        try:
            result = fn()
        except UnexpectedRequestError as exc:
            raise AttemptFailed(unreachable(SERVICE, self.SERVICE_LABEL, exc.__cause__),
                                maybe_applied=not never_sent(exc.__cause__)) from None
        except HttpError:
            # Raised by the SDK for TLS failures only: a configuration problem.
            raise ClientError(
                service=SERVICE, kind="invalid", code="tls",
                message=_("The TLS certificate of the Smartsheet server could not be "
                        "verified: check the install's CA bundle.")) from None
        if not isinstance(result, Error):
            return result.data if hasattr(result, "data") else result
        error, sdk_retried = self._error_from_sdk(result)
        raise AttemptFailed(error, token_refused=int(error.code or 0) in TOKEN_CODES,
                            maybe_applied=error.kind == "transient" and not _not_applied(error),
                            retried=sdk_retried)

    def _can_refresh(self) -> bool:
        return bool(self._refresh_token or self.has_token_store)

    def _error_from_sdk(self, error: Error) -> tuple[ClientError, bool]:
        """(ClientError, whether the SDK already retried it)."""
        result = error.result
        response = error.request_response
        status = int(result.status_code or (response.status_code if response else 0) or 0)
        code = int(result.code or 0)
        # Only a parsed Smartsheet error (it has an errorCode) is shown; a body without one
        # (an HTML page, a proxy's error) never reaches a message.
        text = redact(str(result.message or ""), self._secrets())[:1000] if code else ""
        retry_after = None
        if response is not None:
            retry_after = parse_retry_after(response.headers.get("Retry-After"))
        if status == 401 or code in (1001, 1002, 1003):
            kind, text = "auth", str(RECONNECT_MESSAGES[SERVICE])
        elif code == 4003 or status == 429:
            kind = "rate"
            text = text or _("Smartsheet's rate limit is exceeded.")
        elif status >= 500 or 4000 <= code <= 4004:
            kind = "transient"
        elif status == 403 or code == 1004:
            kind = "permission"
        elif status == 404 or code == 1006:
            kind = "not_found"
        elif code == COLUMN_NOT_FOUND:
            kind = "column_not_found"
        else:
            kind = "invalid"
        client_error = ClientError(service=SERVICE, kind=kind, code=str(code or status),
                                   message=text or _("Smartsheet answered HTTP %(status)s.") % {
                                       "status": status},
                                   status=status or None, retry_after=retry_after)
        return client_error, code in SDK_RETRIED_CODES

    # -- token renewal (the shared lifecycle is TokenRenewal's) ---------------------------
    def _current_access_token(self) -> str:
        return self._ss._access_token

    def _use_tokens(self, tokens: TokenSet) -> None:
        self._refresh_token = tokens.refresh_token
        self._ss._access_token = tokens.access_token

    def _request_refresh(self) -> TokenSet:
        return smartsheet_token_refresh(
            api_base=self.api_base, client_id=self.client_id,
            client_secret=self._client_secret, refresh_token=self._refresh_token,
            session=self.http)

    def _refresh_impossible(self, refused: ClientError | None) -> ClientError | None:
        if not self._refresh_token and refused is not None:
            return refused
        if not self.client_id:
            return ClientError(service=SERVICE, kind="auth", code="1003", status=401,
                               message=str(RECONNECT_MESSAGES[SERVICE]))
        return None

    # -- requests, for the resources ------------------------------------------------------
    def _get(self, path: str, params: dict | None = None) -> Any:
        return self._call(lambda: self._ss.Passthrough.get(path, dict(params or {})))

    def _post(self, path: str, payload: Any, params: dict | None = None) -> Any:
        # Every POST here creates something (rows, sheet, columns, webhook).
        return self._send_json("POST", path, payload, params, unsafe=True)

    def _put(self, path: str, payload: Any, params: dict | None = None) -> Any:
        return self._send_json("PUT", path, payload, params)

    def _send_json(self, method: str, path: str, payload: Any, params: dict | None,
                   *, unsafe: bool = False) -> Any:
        """Send ``payload`` encoded once, through the SDK's own request path.

        Why not Passthrough: it decodes a JSON text body back into objects, walks them
        with the SDK's serializer and lets ``requests`` encode them again — three passes
        over every cell of a 500-row write. Here the body is encoded once and handed to
        the SDK as ready bytes; headers (token, User-Agent, change agent), the SDK's
        retries and its error objects are the same, and the answer is decoded once.
        """
        # NaN is written as the literal NaN, as ``json`` always did here (the service
        # refuses it with an answer of its own).
        body = json_body(payload, allow_nan=True)

        def send() -> Any:
            operation = fresh_operation(f"{method.lower()}_json")
            operation["method"] = method
            operation["path"] = path
            operation["form_data"] = body
            operation["headers"] = {"Content-Type": "application/json"}
            operation["query_params"] = dict(params or {})
            prepared = self._ss.prepare_request(operation)
            return self._ss.request(prepared, "JSONObject", operation)

        answer = self._call(send, unsafe=unsafe)
        if isinstance(answer, dict) and "version" in answer:
            self.last_write_version = int(answer["version"])
        return answer

    def _delete(self, path: str) -> Any:
        return self._call(lambda: self._ss.Passthrough.delete(path))

    def _list(self, path: str, params: dict | None = None) -> list[dict]:
        """Every item of a listing (``includeAll``; pages followed if it paged anyway)."""
        body = self._get(path, {**(params or {}), "includeAll": "true"})
        data = list(body.get("data") or [])
        page, total_pages = 1, int(body.get("totalPages") or 1)
        # includeAll answers with everything in one page; follow pages if it did not.
        while page < total_pages and len(data) < int(body.get("totalCount") or 0):
            page += 1
            body = self._get(path, {**(params or {}), "page": page, "pageSize": 1000})
            data.extend(body.get("data") or [])
        return data
