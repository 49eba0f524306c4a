"""Salesforce through simple-salesforce, in session-id mode, with refresh, retries and counting.

simple-salesforce constructed with ``session_id`` + ``instance_url`` never refreshes an
expired token, so this client does: on 401 INVALID_SESSION_ID it refreshes with the
refresh token (under a lock, once for all threads that saw the same stale token), hands
the new tokens to ``on_tokens_refreshed`` (Salesforce may rotate the refresh token) and
retries the call once. With ``reload_tokens``/``lock_tokens`` (see
:mod:`connector.clients.tokens`) it first adopts tokens another client of the same
connection stored meanwhile, instead of refreshing with a rotated-out refresh token.
Transient failures are retried with backoff — for a create, only those that certainly
happened before Salesforce applied it (see ``_call``); everything else becomes a
:class:`ClientError` whose message carries no token.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

import requests
from django.conf import settings
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceError, SalesforceExpiredSession
from simple_salesforce.util import exception_handler

from connector.clients.errors import RECONNECT_MESSAGES, ClientError, redact
from connector.clients.oauth import salesforce_token_refresh
from connector.clients.results import save_result, save_results_failed
from connector.clients.tokens import LockTokens, ReloadTokens, TokenRenewal, TokenStore
from connector.clients.transport import (
    CallCounter,
    CountingSession,
    backoff_delay,
    ca_bundle_path,
    json_body,
    never_sent,
)
from connector.clients.types import SaveResult, TokenSet

log = logging.getLogger(__name__)
T = TypeVar("T")

SERVICE = "salesforce"
COLLECTION_SIZE = 200
#: Kinds that stop a batched write: nothing after them can succeed.
SYSTEMIC_KINDS = frozenset({"auth", "revoked", "limit", "permission"})
#: A create that failed this way may or may not have been committed (a 500 or a dropped
#: connection after Salesforce saved): not a per-record error but a stop, so the caller's
#: crash recovery (pending creates) reconciles instead of writing the records again.
AMBIGUOUS_KINDS = frozenset({"transient", "rate"})
_LIMIT_INFO = re.compile(r"api-usage=(\d+)/(\d+)")
#: Token renewals (adopting stored tokens, or one refresh) allowed within one call.
MAX_RENEWALS = 3


class SalesforceClient(TokenRenewal):
    """One user's Salesforce API access. Thread-safe; ``create``/``update`` run up to
    ``max_parallel`` collection calls at once."""

    SERVICE_LABEL = "Salesforce"

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
        self.instance_url = instance_url.rstrip("/")
        self.login_url = (login_url or instance_url).rstrip("/")
        self.client_id = client_id
        self._client_secret = client_secret
        self._refresh_token = refresh_token
        self.api_version = api_version
        self.counter = counter or CallCounter()
        self.on_tokens_refreshed = on_tokens_refreshed
        #: Called once with the error when the saved sign-in is dead for good (refresh
        #: refused, or expired without a refresh token): the owner must reconnect.
        self.on_auth_failed = on_auth_failed
        #: The stored copy of the tokens, shared with other clients of the connection.
        self.token_store = TokenStore(reload=reload_tokens, lock=lock_tokens)
        self.max_parallel = max(1, max_parallel)
        self.max_attempts = max(1, max_attempts)
        self.retry_backoff = retry_backoff
        self.identity_url = identity_url
        self.session = CountingSession(
            service=SERVICE,
            counter=self.counter,
            timeout=timeout if timeout is not None else settings.HTTP_TIMEOUT_SECONDS,
            verify=ca_bundle_path(ca_bundle),
            pool_size=max(10, self.max_parallel * 2),
        )
        # Plain dicts (not OrderedDict) for records: cheaper, and what the engine expects.
        self._sf = Salesforce(
            instance_url=self.instance_url,
            session_id=access_token,
            session=self.session,
            version=api_version,
            object_pairs_hook=dict,
        )
        # Reentrant: recording a dead sign-in (which may adopt stored tokens) happens
        # both inside a refresh and on its own.
        self._refresh_lock = threading.RLock()
        self._describe_lock = threading.Lock()
        self._describes: dict[str, dict] = {}

    def __repr__(self) -> str:
        return f"SalesforceClient(instance_url={self.instance_url!r})"

    # -- the call wrapper ----------------------------------------------------------------
    def _secrets(self) -> list[str]:
        return [self._sf.session_id, self._refresh_token, self._client_secret]

    def _call(self, fn: Callable[[], T], *, unsafe: bool = False) -> T:
        """Run one SDK call: refresh once on an expired session, retry transient
        failures with backoff, map every failure to ClientError.

        ``unsafe``: the call is a non-idempotent write (a create). It is retried only
        when it certainly was not applied — connecting failed, 429, 503 — and a failure
        after which it may have been (another 5xx, a dropped connection, a read timeout)
        raises at once with ``outcome_unknown``: retrying could create the records twice.
        """
        refreshed = False
        renewals = 0
        attempt = 0
        while True:
            attempt += 1
            token_used = self._sf.session_id
            try:
                return fn()
            except SalesforceError as exc:
                error = self._error_from_sdk(exc)
                if exc.status == 401 and not refreshed and renewals < MAX_RENEWALS:
                    # Adopted stored tokens may be expired too: they may still be
                    # refreshed once; our own refresh is not repeated.
                    refreshed = self._refresh(token_used)
                    renewals += 1
                    attempt -= 1  # the refresh is not a failed attempt
                    continue
                if error.kind == "auth":
                    self._auth_failed(error)
                    if self._sf.session_id != token_used and renewals < MAX_RENEWALS:
                        renewals += 1  # stored tokens of another client were adopted
                        attempt -= 1
                        continue
                    raise error from None
                if unsafe and error.kind == "transient" and error.status != 503:
                    raise _outcome_unknown(error) from None
            except requests.RequestException as exc:
                error = ClientError(
                    service=SERVICE, kind="transient", code=type(exc).__name__,
                    message=f"Salesforce did not answer ({type(exc).__name__}); "
                            "it may be unreachable or slow.")
                if unsafe and not never_sent(exc):
                    raise _outcome_unknown(error) from None
            if not error.retryable or attempt >= self.max_attempts:
                raise error from None
            delay = backoff_delay(attempt, base=self.retry_backoff, retry_after=error.retry_after)
            log.info("salesforce %s (%s), retry %d in %.2fs", error.kind, error.code,
                     attempt, delay)
            time.sleep(delay)

    def _error_from_sdk(self, exc: SalesforceError) -> ClientError:
        content = exc.content
        code, text = "", ""
        if isinstance(content, list) and content and isinstance(content[0], dict):
            code = str(content[0].get("errorCode", ""))
            text = str(content[0].get("message", ""))
        elif isinstance(content, dict):
            code = str(content.get("errorCode") or content.get("error") or "")
            text = str(content.get("message") or content.get("error_description") or "")
        elif content:
            text = content.decode(errors="replace") if isinstance(content, bytes) else str(content)
        text = redact(text, self._secrets())[:1000]
        status = exc.status
        retry_after = self.session.last_retry_after
        if status == 401:
            kind = "auth"
            text = RECONNECT_MESSAGES[SERVICE]
        elif status == 403 and code == "REQUEST_LIMIT_EXCEEDED":
            kind = "limit"
            text = f"The Salesforce org's daily API request limit is reached ({text})."
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
                           message=text or f"Salesforce answered HTTP {status}.",
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
            session=self.session)

    def _refresh_impossible(self, refused: ClientError | None) -> ClientError | None:
        if self._refresh_token and self.client_id:
            return None
        return ClientError(service=SERVICE, kind="auth", code="INVALID_SESSION_ID",
                           status=401, message=RECONNECT_MESSAGES[SERVICE])

    def _save_tokens(self, tokens: TokenSet) -> None:
        if not tokens.instance_url:
            tokens.instance_url = self.instance_url
        super()._save_tokens(tokens)

    @property
    def access_token(self) -> str:
        """The current access token (for protocol helpers such as streaming; never log it)."""
        return self._sf.session_id

    def refresh_access_token(self, stale_token: str) -> None:
        """Refresh after ``stale_token`` was refused (no-op if already replaced); raises
        ClientError ``revoked``/``auth`` when the sign-in is dead."""
        self._refresh(stale_token)

    # -- reads ---------------------------------------------------------------------------
    def identity(self) -> dict:
        """``{user_id, username, email, name, organization_id}`` of the token's user."""
        url = self.identity_url or f"{self.instance_url}/services/oauth2/userinfo"

        def fetch() -> dict:
            response = self.session.get(url, headers={
                "Authorization": f"Bearer {self._sf.session_id}", "Accept": "application/json"})
            if response.status_code == 403 and "Bad_OAuth_Token" in response.text:
                # userinfo says "expired or invalid token" this way, not with a 401.
                raise SalesforceExpiredSession(url, 401, "identity", response.text)
            if response.status_code >= 300:
                exception_handler(response, name="identity")
            return response.json()

        body = self._call(fetch)
        return {
            "user_id": body.get("user_id", ""),
            "username": body.get("username") or body.get("preferred_username", ""),
            "email": body.get("email", ""),
            "name": body.get("display_name") or body.get("name", ""),
            "organization_id": body.get("organization_id", ""),
        }

    def describe_global(self) -> list[dict]:
        """Every object: ``[{name, label, queryable, createable, updateable, ...}]``."""
        body = self._call(self._sf.describe) or {}
        return list(body.get("sobjects", []))

    def describe(self, object_name: str) -> dict:
        """The raw describe of one object, fetched once per client."""
        with self._describe_lock:
            cached = self._describes.get(object_name)
        if cached is not None:
            return cached
        body = self._call(lambda: self._sf.restful(f"sobjects/{object_name}/describe"))
        with self._describe_lock:
            self._describes[object_name] = body
        return body

    def query_pages(self, soql: str, *, include_deleted: bool = False,
                    batch_size: int = 2000) -> Iterator[list[dict]]:
        """The raw records of ``soql``, one page (one HTTP call) at a time.

        ``batch_size`` (200–2,000) is a hint Salesforce may ignore.
        """
        size = min(max(int(batch_size), 200), 2000)
        headers = {"Sforce-Query-Options": f"batchSize={size}"} if size != 2000 else {}
        page = self._call(lambda: self._sf.query(soql, include_deleted=include_deleted,
                                                 headers=headers))
        yield page.get("records", [])
        while not page.get("done", True) and page.get("nextRecordsUrl"):
            next_url = page["nextRecordsUrl"]
            page = self._call(lambda u=next_url: self._sf.query_more(
                u, identifier_is_url=True, headers=headers))
            yield page.get("records", [])

    def server_time(self):
        """The Salesforce server's time when it started answering this thread's last
        call (from the ``Date`` header, minus the round trip), or None when unknown.

        Read right after the first page of :meth:`query_pages`, it is a lower bound on
        the moment the query ran: the base of an incremental window that does not
        depend on this machine's clock.
        """
        return self.session.last_server_time

    def query_all(self, soql: str, *, include_deleted: bool = False) -> list[dict]:
        """Every record of ``soql`` in one list (for small answers)."""
        out: list[dict] = []
        for page in self.query_pages(soql, include_deleted=include_deleted):
            out.extend(page)
        return out

    def limits(self) -> dict:
        """The org's ``/limits`` (``DailyApiRequests``: ``{Max, Remaining}``, ...)."""
        return self._call(self._sf.limits)

    def api_usage(self) -> tuple[int, int] | None:
        """``(used, max)`` daily API requests from the last ``Sforce-Limit-Info`` seen."""
        match = _LIMIT_INFO.search(self.session.last_limit_info or "")
        return (int(match.group(1)), int(match.group(2))) if match else None

    # -- writes --------------------------------------------------------------------------
    def create(self, object_name: str, records: list[dict]) -> list[SaveResult]:
        """Create ``records`` with sObject Collections (200 per call, ``allOrNone=false``).

        Results are in input order. A call refused as a whole (``invalid``) marks its
        records failed with the error's code. A systemic failure (auth, revoked, limit,
        permission) — or, for creates, a call whose outcome is unknown after retries
        (transient, rate) — stops further calls and raises ClientError whose ``.results``
        holds every record's outcome (those of calls that never ran or failed: failed).
        A create is retried only when it certainly was not applied (connecting failed,
        429, 503); after a failure that may have come after Salesforce committed it (other
        5xx, dropped connection, read timeout) it is not repeated: the ClientError has
        ``outcome_unknown`` and the caller reconciles (pending creates).
        """
        return self._collections("POST", object_name, records)

    def update(self, object_name: str, records: list[dict]) -> list[SaveResult]:
        """Update ``records`` (each with ``Id``) with sObject Collections; as ``create``,
        except that a call failing transiently (after retries) only marks its records
        failed: an update is idempotent, so the next run simply tries again."""
        for i, record in enumerate(records):
            if not (record.get("Id") or record.get("id")):
                raise ValueError(f"record {i} has no Id")
        return self._collections("PATCH", object_name, records)

    def _collections(self, method: str, object_name: str, records: list[dict]
                     ) -> list[SaveResult]:
        chunks = [(start, records[start:start + COLLECTION_SIZE])
                  for start in range(0, len(records), COLLECTION_SIZE)]
        stop: list[ClientError] = []

        def run(chunk: tuple[int, list[dict]]) -> list[SaveResult]:
            start, items = chunk
            if stop:
                return save_results_failed(start, items, stop[0])
            body = {"allOrNone": False, "records": [
                {**item, "attributes": {"type": object_name}} for item in items]}
            try:
                # Encoded with orjson inside the call, where requests(json=...) encoded it
                # (simple-salesforce sends the JSON content type).
                answer = self._call(lambda: self._sf.restful(
                    "composite/sobjects", method=method,
                    data=json_body(body, allow_nan=False)), unsafe=method == "POST")
            except ClientError as error:
                if error.kind in SYSTEMIC_KINDS or (
                        method == "POST" and error.kind in AMBIGUOUS_KINDS):
                    stop.append(error)
                return save_results_failed(start, items, error)
            return [save_result(start + i, item) for i, item in enumerate(answer or [])]

        if len(chunks) <= 1 or self.max_parallel == 1:
            parts = [run(chunk) for chunk in chunks]
        else:
            with ThreadPoolExecutor(max_workers=min(self.max_parallel, len(chunks)),
                                    thread_name_prefix="sf-collections") as pool:
                parts = list(pool.map(run, chunks))
        results = [result for part in parts for result in part]
        if stop:
            first = stop[0]
            raise ClientError(service=SERVICE, kind=first.kind, code=first.code,
                              message=first.message, status=first.status,
                              retry_after=first.retry_after, results=results,
                              outcome_unknown=first.outcome_unknown)
        return results


def _outcome_unknown(error: ClientError) -> ClientError:
    """``error`` of a create that may have been committed: not retried (see ``_call``)."""
    return ClientError(
        service=SERVICE, kind=error.kind, code=error.code, status=error.status,
        retry_after=error.retry_after, outcome_unknown=True,
        message=f"{error.message} Salesforce may have saved this write before failing; "
                "it was not repeated, so that nothing is created twice.")

