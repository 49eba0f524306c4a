"""Outgoing HTTP for both clients: one counting session per client, CA bundles, backoff.

Every request either SDK sends goes through :class:`CountingSession.send` — simple-salesforce
calls ``session.request`` (which ends in ``send``) and the Smartsheet SDK calls
``session.send`` directly — so counting, the timeout and TLS verification are applied in
one place and no call escapes, retries and token refreshes included.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import re
import tempfile
import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

import orjson
import requests
from django.conf import settings
from django.utils.translation import gettext as _
from requests.adapters import HTTPAdapter
from urllib3.exceptions import ConnectTimeoutError, MaxRetryError

from connector.clients.errors import ClientError
from connector.outbound import HostNotAllowed, outbound_policy


def _deployment_policy_check(url: str) -> None:
    outbound_policy().check(url)


_ca_lock = threading.Lock()
_ca_files: dict[str, str] = {}


class CallCounter:
    """Thread-safe count of HTTP calls per service (shared by a run's clients).

    ``deferrable``: the calls belong to a run that may be put off while it has only read
    — its first call, and its first Smartsheet call, wait only
    ``RATE_BUDGET_DEFER_AFTER_SECONDS`` for rate budget, then fail with code ``budget``
    (see :func:`budget_error_defers`).
    """

    def __init__(self, *, deferrable: bool = False) -> None:
        self._lock = threading.Lock()
        self.salesforce = 0
        self.smartsheet = 0
        self.deferrable = deferrable

    def add(self, service: str, n: int = 1) -> None:
        if service not in ("salesforce", "smartsheet"):
            raise ValueError(f"unknown service {service!r}")
        with self._lock:
            setattr(self, service, getattr(self, service) + n)

    def total(self) -> int:
        with self._lock:
            return self.salesforce + self.smartsheet

    def snapshot(self) -> dict:
        with self._lock:
            return {"salesforce": self.salesforce, "smartsheet": self.smartsheet}

    def __repr__(self) -> str:
        return f"CallCounter({self.snapshot()})"


def ca_bundle_path(ca_bundle: str | None) -> str | bool:
    """What ``requests`` wants as ``verify``: a CA file path, or True for the system roots.

    PEM text is written once per distinct content to a private temporary file; a path is
    used as is. Verification is never turned off.
    """
    if not ca_bundle or not ca_bundle.strip():
        return True
    if "-----BEGIN" not in ca_bundle:
        return ca_bundle
    digest = hashlib.sha256(ca_bundle.encode()).hexdigest()[:24]
    with _ca_lock:
        path = _ca_files.get(digest)
        if path and os.path.exists(path):
            return path
        fd, path = tempfile.mkstemp(prefix=f"sheetforce-ca-{digest}-", suffix=".pem")
        with os.fdopen(fd, "w") as fh:
            fh.write(ca_bundle.strip() + "\n")
        _ca_files[digest] = path
        return path


def parse_retry_after(value: str | None) -> float | None:
    """Seconds from a ``Retry-After`` header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        from datetime import UTC, datetime

        return max((parsedate_to_datetime(value) - datetime.now(UTC)).total_seconds(), 0.0)
    except (TypeError, ValueError):
        return None


_HTTP_DATE = re.compile(r"[A-Za-z]{3}, \d{1,2} [A-Za-z]{3} \d{4} \d{2}:\d{2}:\d{2} GMT")


def server_time_of(date_header: str | None, elapsed_seconds: float = 0.0) -> datetime | None:
    """The earliest the server can have started answering, by its own clock: the
    response's ``Date`` minus the round trip (``Date`` is stamped after the work, in
    whole seconds, rounded down). None without a readable ``Date``.

    When a response carries several ``Date`` headers (joined with ", "; the sandbox's
    HTTP server adds a real-time one before the application's), the last — the
    application's — is used.
    """
    if not date_header:
        return None
    found = _HTTP_DATE.findall(date_header)
    if not found:
        return None
    try:
        moment = parsedate_to_datetime(found[-1])
    except (TypeError, ValueError):
        return None
    return moment - timedelta(seconds=max(elapsed_seconds, 0.0))


def never_sent(exc: BaseException | None) -> bool:
    """True when a failed request certainly never reached the server: connecting failed
    (refused, name not resolved, connect timeout). Anything else — a dropped connection,
    a read timeout, a TLS error mid-stream — may have come after the server read it.

    With our adapters' ``max_retries=0``, urllib3 wraps a connect failure in
    MaxRetryError (reason NewConnectionError / ConnectTimeoutError, the former being a
    subclass of the latter) and re-raises read and protocol errors as they are.
    """
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return True
    if isinstance(exc, requests.exceptions.ConnectionError) and not isinstance(
            exc, requests.exceptions.SSLError):
        reason = exc.args[0] if exc.args else None
        if isinstance(reason, MaxRetryError):
            reason = reason.reason
        return isinstance(reason, ConnectTimeoutError)
    return False


def backoff_delay(
    attempt: int, *, base: float, retry_after: float | None = None, cap: float = 30.0
) -> float:
    """Delay before retry number ``attempt`` (1-based): the server's Retry-After when it
    gave one, else exponential with jitter; never above ``cap``."""
    if retry_after is not None:
        return min(retry_after, cap)
    return min(base * (2 ** (attempt - 1)) * (1 + random.random() / 2), cap)


_UTF8 = frozenset({"utf-8", "utf8"})
#: The keyword arguments simple-salesforce passes to ``Response.json`` with our client's
#: settings (plain dicts, default floats): the same as none at all.
_DEFAULT_JSON_KWARGS = ({"object_pairs_hook": dict, "parse_float": None},
                        {"object_pairs_hook": dict}, {})


class FastJSONResponse(requests.Response):
    """A ``requests.Response`` whose ``json()`` decodes with orjson (5-10x faster than
    ``json.loads``, which is most of reading a 10,000-row sheet or 2,000-record page).

    Same answers as ``requests``: orjson decodes only UTF-8 bodies without special
    decoding options; anything it refuses (NaN/Infinity literals, a BOM, UTF-16/32,
    lone surrogates, invalid JSON) goes to ``requests``' own ``json()``, which decodes
    it or raises its usual ``RequestsJSONDecodeError``. One difference is left:
    integers beyond 64 bits decode as floats (neither service sends them).
    """

    __slots__ = ()

    def json(self, **kwargs):
        encoding = self.encoding
        if (kwargs in _DEFAULT_JSON_KWARGS
                and (encoding is None or encoding.lower() in _UTF8)):
            try:
                return orjson.loads(self.content)
            except orjson.JSONDecodeError:
                pass
        return super().json(**kwargs)


def json_body(payload, *, allow_nan: bool) -> bytes:
    """``payload`` as a compact UTF-8 JSON request body, encoded with orjson.

    Same JSON as ``json.dumps(payload, allow_nan=allow_nan)``: orjson writes NaN and
    Infinity as ``null``, so a body holding ``null`` (rare in our writes: blank cells are
    sent as "") — and anything orjson cannot encode (integers beyond 64 bits, non-string
    keys) — is encoded by ``json`` instead. With ``allow_nan=False`` a NaN raises
    ``requests``' ``InvalidJSONError``, as ``requests(json=...)`` does.
    """
    try:
        body = orjson.dumps(payload)
    except TypeError:
        body = None
    if body is not None and b"null" not in body:
        return body
    try:
        return json.dumps(payload, separators=(",", ":"), ensure_ascii=False,
                          allow_nan=allow_nan).encode()
    except ValueError as exc:
        raise requests.exceptions.InvalidJSONError(exc) from exc


class CountingSession(requests.Session):
    """A ``requests.Session`` that counts every request it sends on a :class:`CallCounter`,
    applies a default timeout and the CA bundle, and remembers per-thread response headers
    the clients need (``Retry-After``, ``Sforce-Limit-Info``)."""

    def __init__(
        self,
        *,
        service: str,
        counter: CallCounter,
        timeout: float,
        verify: str | bool = True,
        pool_size: int = 10,
        check_url: Callable[[str], None] | None = None,
    ) -> None:
        super().__init__()
        self.service = service
        #: Raises for a URL the outbound policy refuses; the deployment's policy unless a
        #: caller passes its own. Checked on every send: redirects, retries and URLs a
        #: service handed back (Salesforce's ``instance_url``) included.
        self.check_url = check_url or _deployment_policy_check
        self.counter = counter
        self.timeout = timeout
        self.verify = verify
        self.last_limit_info: str | None = None
        self._local = threading.local()
        # No adapter-level retries: each send is exactly one HTTP request, and retrying
        # is the clients' decision (they know what is safe and count it).
        for prefix in ("https://", "http://"):
            self.mount(prefix, HTTPAdapter(pool_connections=4, pool_maxsize=pool_size,
                                           max_retries=0))

    @property
    def last_retry_after(self) -> float | None:
        return getattr(self._local, "retry_after", None)

    @property
    def last_server_time(self) -> datetime | None:
        """:func:`server_time_of` the last response this thread received (None when it
        had no ``Date``)."""
        return getattr(self._local, "server_time", None)

    def send(self, request, **kwargs):
        try:
            self.check_url(request.url)
        except HostNotAllowed as exc:
            # Before anything leaves the process: the token is not sent to that host.
            raise ClientError(service=self.service, kind="config", code="host_not_allowed",
                              message=_("sheetforce may not call this address: %(reason)s")
                              % {"reason": exc.message},
                              ) from None
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self.timeout
        # Session.request lets REQUESTS_CA_BUNDLE win over session.verify; a client
        # configured with its own CA must verify against exactly that CA.
        if isinstance(self.verify, str):
            kwargs["verify"] = self.verify
        self._take_budget(request)
        self.counter.add(self.service)
        self._local.retry_after = None
        response = super().send(request, **kwargs)
        if response.__class__ is requests.Response:
            # The same object, decoding JSON faster (see FastJSONResponse); the SDKs
            # call ``response.json()`` themselves.
            response.__class__ = FastJSONResponse
        self._local.retry_after = parse_retry_after(response.headers.get("Retry-After"))
        self._local.server_time = server_time_of(response.headers.get("Date"),
                                                 response.elapsed.total_seconds())
        limit_info = response.headers.get("Sforce-Limit-Info")
        if limit_info:
            self.last_limit_info = limit_info
        # The sent request hangs off the response (and off exceptions built from it):
        # keep the bearer token out of anything that might be logged or printed.
        if "Authorization" in response.request.headers:
            response.request.headers["Authorization"] = "[redacted]"
        return response

    def _take_budget(self, request) -> None:
        """Wait for this request's share of the shared rate budget (see
        :mod:`connector.budgets`): per access token for Smartsheet, per org for
        Salesforce. Raises ClientError ``rate``/``budget`` when none came in time."""
        from connector.budgets import BudgetExhausted, budget_acquire, budget_for

        if self.service == "smartsheet":
            identity = request.headers.get("Authorization") or ""
            cost = SMARTSHEET_HEAVY_COST if request.path_url.split("?")[0].endswith(
                "/history") else 1
        else:
            identity, cost = urlsplit(request.url).netloc, 1
        budget = budget_for(service=self.service, identity=identity)
        if budget is None:
            return
        # A run may still be put off while its calls have only read: before its first
        # call at all, and — Smartsheet's per-token limit being the one that bites —
        # before its first Smartsheet call, which every direction makes while reading,
        # before it writes anything (a poll reads Salesforce first when it syncs to
        # the sheet).
        sent = self.counter.snapshot()
        first = self.counter.deferrable and (
            sent["smartsheet"] == 0 if self.service == "smartsheet" else not any(sent.values()))
        wait = (settings.RATE_BUDGET_DEFER_AFTER_SECONDS if first
                else settings.RATE_BUDGET_WAIT_SECONDS)
        try:
            budget_acquire(budget, cost=cost, wait=wait)
        except BudgetExhausted as exc:
            raise ClientError(
                service=self.service, kind="rate", code=BUDGET_CODE,
                message=_("sheetforce held this call back to stay within %(budget)s; "
                                "it will try again.") % {"budget": exc.budget.label},
                retry_after=exc.retry_after) from None


#: The code of a call held back for lack of shared rate budget (never sent).
BUDGET_CODE = "budget"
#: Requests Smartsheet counts a cell history call as.
SMARTSHEET_HEAVY_COST = 10


def budget_error_defers(error: BaseException | None) -> bool:
    """Whether ``error`` is a run's call held back for lack of rate budget (never sent):
    the run may be put off rather than failed — at once while it has only read, else
    after ``RATE_BUDGET_WAIT_SECONDS`` of waiting (a rerun is safe: the engine survives
    being cut short anywhere)."""
    return isinstance(error, ClientError) and error.code == BUDGET_CODE
