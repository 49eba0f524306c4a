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
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

import smartsheet
from django.conf import settings
from smartsheet.exceptions import HttpError, UnexpectedRequestError
from smartsheet.models import Error
from smartsheet.smartsheet import AbstractUserCalcBackoff
from smartsheet.util import fresh_operation

from connector.clients.errors import RECONNECT_MESSAGES, ClientError, redact
from connector.clients.oauth import smartsheet_token_refresh
from connector.clients.results import row_results, row_results_failed
from connector.clients.tokens import LockTokens, ReloadTokens, TokenRenewal, TokenStore
from connector.clients.transport import (
    CallCounter,
    CountingSession,
    backoff_delay,
    ca_bundle_path,
    json_body,
    never_sent,
    parse_retry_after,
)
from connector.clients.types import RowResult, TokenSet

log = logging.getLogger(__name__)

SERVICE = "smartsheet"
ROWS_PER_CALL = 500
#: Row ids travel in the URL of a delete: keep it well under common URL limits.
DELETE_IDS_PER_CALL = 200
SDK_RETRIED_CODES = frozenset({4001, 4002, 4003, 4004})
#: 500s the SDK would retry that may come after the request was applied (server timeout,
#: unexpected error): not retried for a create (see ``SmartsheetClient._call``).
AMBIGUOUS_SDK_CODES = frozenset({4002, 4004})
TOKEN_CODES = frozenset({1002, 1003})
#: "The columnId ... is invalid": a column asked for is not in the sheet (any more).
COLUMN_NOT_FOUND = 1036
#: Kinds that stop a batched write: nothing after them can succeed.
SYSTEMIC_KINDS = frozenset({"auth", "revoked", "limit", "permission", "not_found"})
#: Token renewals (adopting stored tokens, or one refresh) allowed within one call.
MAX_RENEWALS = 3


class _Smartsheet(smartsheet.Smartsheet):
    """The SDK client, minus the cost of its request log.

    ``Smartsheet._log_request`` decodes and re-encodes every JSON request and response
    body for a debug line even when debug logging is off — doubling the CPU of reading
    a large sheet. Only pay for it when someone listens.
    """

    def _log_request(self, operation, response):
        if self._log.isEnabledFor(logging.DEBUG):
            super()._log_request(operation, response)


class _Backoff(AbstractUserCalcBackoff):
    """The SDK's retry pause for 4001–4004: Retry-After when given, else exponential."""

    def __init__(self, client: SmartsheetClient) -> None:
        self.client = client

    def calc_backoff(self, previous_attempts, total_elapsed_time, error_result):
        client = self.client
        if (getattr(client._local, "unsafe", False)
                and getattr(error_result, "code", None) in AMBIGUOUS_SDK_CODES):
            return -1  # a create that may have been applied: never repeated
        delay = backoff_delay(previous_attempts, base=client.retry_backoff,
                              retry_after=client.session.last_retry_after,
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


def _outcome_unknown(error: ClientError) -> ClientError:
    """``error`` of a create that may have been applied: not retried (see ``_call``)."""
    return ClientError(
        service=SERVICE, kind=error.kind, code=error.code, status=error.status,
        retry_after=error.retry_after, outcome_unknown=True,
        message=f"{error.message} Smartsheet may have applied this write before failing; "
                "it was not repeated, so that nothing is added twice.")


def _format_time(moment: datetime) -> str:
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


class SmartsheetClient(TokenRenewal):
    """One user's Smartsheet API access. Writes to a sheet are serial by design."""

    SERVICE_LABEL = "Smartsheet"

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
        self.api_base = api_base.rstrip("/")
        self.client_id = client_id
        self._client_secret = client_secret
        self._refresh_token = refresh_token
        self.counter = counter or CallCounter()
        self.on_tokens_refreshed = on_tokens_refreshed
        #: Called once with the error when the saved sign-in is dead for good (refresh
        #: refused, or expired without a refresh token): the owner must reconnect.
        self.on_auth_failed = on_auth_failed
        #: The stored copy of the tokens, shared with other clients of the connection.
        self.token_store = TokenStore(reload=reload_tokens, lock=lock_tokens)
        self.has_token_store = reload_tokens is not None
        self.change_agent = change_agent
        self.max_retry_time = max_retry_time
        self.max_attempts = max(1, max_attempts)
        self.retry_backoff = retry_backoff
        self.session = CountingSession(
            service=SERVICE,
            counter=self.counter,
            timeout=timeout if timeout is not None else settings.HTTP_TIMEOUT_SECONDS,
            verify=ca_bundle_path(ca_bundle),
        )
        self._ss = _Smartsheet(access_token, api_base=self.api_base,
                               max_retry_time=_Backoff(self), user_agent="sheetforce")
        # The SDK has no public way to pass a session: ours counts every request, sets
        # timeouts (the SDK sends without one) and verifies TLS against our CA bundle.
        self._ss._session = self.session
        self._ss.errors_as_exceptions(False)
        if change_agent:
            self._ss.with_change_agent(change_agent)
        # Reentrant: recording a dead sign-in (which may adopt stored tokens) happens
        # both inside a refresh and on its own.
        self._refresh_lock = threading.RLock()
        #: The sheet ``version`` the last write (rows, columns) answered with: a caller
        #: can tell its own writes' versions apart from anyone else's without a call.
        self.last_write_version: int | None = None
        #: Per thread: whether the call in progress is a create (read by _Backoff).
        self._local = threading.local()

    def __repr__(self) -> str:
        return f"SmartsheetClient(api_base={self.api_base!r})"

    # -- the call wrapper ----------------------------------------------------------------
    @property
    def _token(self) -> str:
        return self._ss._access_token

    def _secrets(self) -> list[str]:
        return [self._token, self._refresh_token, self._client_secret]

    def _call(self, fn: Callable[[], Any], *, unsafe: bool = False) -> Any:
        """Run one Passthrough call; return its raw JSON or raise ClientError.

        ``unsafe``: the call is a non-idempotent write (add rows, create a sheet, add
        columns, create a webhook). It is retried only when it certainly was not applied
        — connecting failed, rate limit (429/4003), 503/4001 — and a failure after which
        it may have been (another 5xx, a dropped connection, a read timeout) raises at
        once with ``outcome_unknown``: retrying could add the rows twice.
        """
        self._local.unsafe = unsafe
        try:
            return self._call_with_retries(fn, unsafe)
        finally:
            self._local.unsafe = False

    def _call_with_retries(self, fn: Callable[[], Any], unsafe: bool) -> Any:
        refreshed = False
        renewals = 0
        attempt = 0
        while True:
            attempt += 1
            token_used = self._token
            try:
                result = fn()
            except UnexpectedRequestError as exc:
                cause = type(exc.__cause__).__name__ if exc.__cause__ else "RequestException"
                error = ClientError(
                    service=SERVICE, kind="transient", code=cause,
                    message=f"Smartsheet did not answer ({cause}); it may be unreachable "
                            "or slow.")
                if unsafe and not never_sent(exc.__cause__):
                    raise _outcome_unknown(error) from None
            except HttpError:
                # Raised by the SDK for TLS failures only: a configuration problem.
                raise ClientError(
                    service=SERVICE, kind="invalid", code="tls",
                    message="The TLS certificate of the Smartsheet server could not be "
                            "verified: check the install's CA bundle.") from None
            else:
                if not isinstance(result, Error):
                    return result.data if hasattr(result, "data") else result
                error, sdk_retried = self._error_from_sdk(result)
                if (int(error.code or 0) in TOKEN_CODES and not refreshed
                        and renewals < MAX_RENEWALS
                        and (self._refresh_token or self.has_token_store)):
                    # Adopted stored tokens may be expired too: they may still be
                    # refreshed once; our own refresh is not repeated.
                    refreshed = self._refresh(token_used, refused=error)
                    renewals += 1
                    attempt -= 1
                    continue
                if error.kind == "auth":
                    self._auth_failed(error)
                    if self._token != token_used and renewals < MAX_RENEWALS:
                        renewals += 1  # stored tokens of another client were adopted
                        attempt -= 1
                        continue
                    raise error
                if unsafe and error.kind == "transient" and not _not_applied(error):
                    raise _outcome_unknown(error)
                if sdk_retried:
                    raise error
            if not error.retryable or attempt >= self.max_attempts:
                raise error
            delay = backoff_delay(attempt, base=self.retry_backoff,
                                  retry_after=error.retry_after)
            log.info("smartsheet %s (%s), retry %d in %.2fs", error.kind, error.code,
                     attempt, delay)
            time.sleep(delay)

    def _error_from_sdk(self, error: Error) -> tuple[ClientError, bool]:
        """(ClientError, whether the SDK already retried it)."""
        result = error.result
        response = error.request_response
        status = int(result.status_code or (response.status_code if response else 0) or 0)
        code = int(result.code or 0)
        text = redact(str(result.message or ""), self._secrets())[:1000]
        retry_after = None
        if response is not None:
            retry_after = parse_retry_after(response.headers.get("Retry-After"))
        if status == 401 or code in (1001, 1002, 1003):
            kind, text = "auth", RECONNECT_MESSAGES[SERVICE]
        elif code == 4003 or status == 429:
            kind = "rate"
            text = text or "Smartsheet's rate limit is exceeded."
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
                                   message=text or f"Smartsheet answered HTTP {status}.",
                                   status=status or None, retry_after=retry_after)
        return client_error, code in SDK_RETRIED_CODES

    # -- token renewal (the shared lifecycle is TokenRenewal's) ---------------------------
    def _current_access_token(self) -> str:
        return self._token

    def _use_tokens(self, tokens: TokenSet) -> None:
        self._refresh_token = tokens.refresh_token
        self._ss._access_token = tokens.access_token

    def _request_refresh(self) -> TokenSet:
        return smartsheet_token_refresh(
            api_base=self.api_base, client_id=self.client_id,
            client_secret=self._client_secret, refresh_token=self._refresh_token,
            session=self.session)

    def _refresh_impossible(self, refused: ClientError | None) -> ClientError | None:
        if not self._refresh_token and refused is not None:
            return refused
        if not self.client_id:
            return ClientError(service=SERVICE, kind="auth", code="1003", status=401,
                               message=RECONNECT_MESSAGES[SERVICE])
        return None

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

    # -- users and sheets ----------------------------------------------------------------
    def me(self) -> dict:
        """``{id, email, name}`` of the token's user."""
        body = self._get("/users/me")
        name = body.get("name") or " ".join(
            part for part in (body.get("firstName"), body.get("lastName")) if part)
        return {"id": body.get("id"), "email": body.get("email", ""), "name": name}

    def list_sheets(self) -> list[dict]:
        """Every sheet the user can see: ``[{id, name, accessLevel, ...}]``."""
        return self._list("/sheets")

    def _list(self, path: str, params: dict | None = None) -> list[dict]:
        body = self._get(path, {**(params or {}), "includeAll": "true"})
        data = list(body.get("data") or [])
        page, total_pages = 1, int(body.get("totalPages") or 1)
        # includeAll answers with everything in one page; follow pages if it did not.
        while page < total_pages and len(data) < int(body.get("totalCount") or 0):
            page += 1
            body = self._get(path, {**(params or {}), "page": page, "pageSize": 1000})
            data.extend(body.get("data") or [])
        return data

    def get_sheet(
        self,
        sheet_id: int,
        *,
        column_ids: list[int] | None = None,
        rows_modified_since: datetime | None = None,
        row_ids: list[int] | None = None,
        include: tuple[str, ...] = (),
        if_version_after: int | None = None,
    ) -> dict:
        """The raw sheet JSON (all rows unless filtered). With ``if_version_after`` and an
        unchanged sheet, Smartsheet answers with only ``{"version": n}``."""
        params: dict[str, Any] = {}
        if column_ids:
            params["columnIds"] = ",".join(str(c) for c in column_ids)
        if row_ids:
            params["rowIds"] = ",".join(str(r) for r in row_ids)
        if rows_modified_since is not None:
            params["rowsModifiedSince"] = _format_time(rows_modified_since)
        if include:
            params["include"] = ",".join(include)
        if if_version_after is not None:
            params["ifVersionAfter"] = int(if_version_after)
        return self._get(f"/sheets/{int(sheet_id)}", params)

    def list_columns(self, sheet_id: int) -> list[dict]:
        """The sheet's columns in order, without its rows (``GET /sheets/{id}/columns``)."""
        return self._list(f"/sheets/{int(sheet_id)}/columns")

    def get_version(self, sheet_id: int) -> int:
        return int(self._get(f"/sheets/{int(sheet_id)}/version")["version"])

    def create_sheet(self, name: str, columns: list[dict]) -> dict:
        """Create a sheet in the user's Sheets folder; the new sheet's raw JSON."""
        return self._post("/sheets", {"name": name, "columns": columns})["result"]

    def add_columns(self, sheet_id: int, columns: list[dict]) -> list[dict]:
        result = self._post(f"/sheets/{int(sheet_id)}/columns", columns)["result"]
        return result if isinstance(result, list) else [result]

    def update_column(self, sheet_id: int, column_id: int, changes: dict) -> dict:
        return self._put(f"/sheets/{int(sheet_id)}/columns/{int(column_id)}", changes)["result"]

    # -- rows ----------------------------------------------------------------------------
    def add_rows(self, sheet_id: int, rows: list[dict]) -> list[RowResult]:
        """Add raw rows (with their location attributes), 500 per call, serially,
        ``allowPartialSuccess=true``; one RowResult per input row, in input order.

        A call refused as a whole (``invalid``) marks its rows failed. A systemic failure
        (auth, revoked, permission, not_found, rate after the SDK's retries) — or, for
        adds, a call whose outcome is unknown after retries (transient) — stops the
        remaining calls and raises ClientError whose ``.results`` holds every row's
        outcome, so the caller's crash recovery can reconcile instead of adding twice.
        """
        return self._write_rows("POST", sheet_id, rows)

    def update_rows(self, sheet_id: int, rows: list[dict]) -> list[RowResult]:
        """Update raw rows (each with ``id``); as :meth:`add_rows`, except that a
        transient failure only marks the call's rows failed (updates are idempotent)."""
        return self._write_rows("PUT", sheet_id, rows)

    def _write_rows(self, method: str, sheet_id: int, rows: list[dict]) -> list[RowResult]:
        path = f"/sheets/{int(sheet_id)}/rows"
        params = {"allowPartialSuccess": "true"}
        results: list[RowResult] = []
        stop: ClientError | None = None
        for start in range(0, len(rows), ROWS_PER_CALL):
            chunk = rows[start:start + ROWS_PER_CALL]
            if stop is not None:
                results.extend(row_results_failed(start, chunk, stop))
                continue
            try:
                if method == "POST":
                    body = self._post(path, chunk, params)
                else:
                    body = self._put(path, chunk, params)
            except ClientError as error:
                if error.kind in SYSTEMIC_KINDS or error.kind == "rate" or (
                        method == "POST" and error.kind == "transient"):
                    stop = error
                results.extend(row_results_failed(start, chunk, error))
                continue
            results.extend(row_results(start, chunk, body))
        if stop is not None:
            raise ClientError(service=SERVICE, kind=stop.kind, code=stop.code,
                              message=stop.message, status=stop.status,
                              retry_after=stop.retry_after, results=results,
                              outcome_unknown=stop.outcome_unknown)
        return results

    def delete_rows(self, sheet_id: int, row_ids: Iterable[int]) -> list[int]:
        """Delete rows (and their children); the ids actually deleted. Missing rows are
        ignored."""
        ids = [int(r) for r in row_ids]
        deleted: list[int] = []
        for start in range(0, len(ids), DELETE_IDS_PER_CALL):
            chunk = ids[start:start + DELETE_IDS_PER_CALL]
            path = (f"/sheets/{int(sheet_id)}/rows?ids={','.join(map(str, chunk))}"
                    "&ignoreRowsNotFound=true")
            deleted.extend(int(i) for i in (self._delete(path).get("result") or []))
        return deleted

    def cell_history(self, sheet_id: int, row_id: int, column_id: int) -> list[dict]:
        """A cell's history, newest first (costs 10 requests of the rate limit)."""
        return self._list(
            f"/sheets/{int(sheet_id)}/rows/{int(row_id)}/columns/{int(column_id)}/history")

    # -- webhooks (thin) ---------------------------------------------------------------
    def create_webhook(self, *, name: str, callback_url: str, sheet_id: int,
                       events: tuple[str, ...] = ("*.*",),
                       column_ids: list[int] | None = None) -> dict:
        payload: dict[str, Any] = {"name": name, "callbackUrl": callback_url, "scope": "sheet",
                                   "scopeObjectId": int(sheet_id), "events": list(events),
                                   "version": 1}
        if column_ids:
            payload["subscope"] = {"columnIds": [int(c) for c in column_ids]}
        return self._post("/webhooks", payload)["result"]

    def update_webhook(self, webhook_id: int, changes: dict) -> dict:
        return self._put(f"/webhooks/{int(webhook_id)}", changes)["result"]

    def delete_webhook(self, webhook_id: int) -> None:
        self._delete(f"/webhooks/{int(webhook_id)}")

    def list_webhooks(self) -> list[dict]:
        return self._list("/webhooks")

