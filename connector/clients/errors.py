"""The one error type of both clients: what went wrong, and whether retrying can help."""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

#: Error kinds a caller decides on — the services' own codes never leave the clients.
#: ``row_not_found`` and ``column_not_found`` name what a Smartsheet call referred to that
#: does not exist (a row of a row write, a column asked for); ``not_found`` is the sheet,
#: object or other resource the call was about; ``config`` is a call the install's own
#: configuration forbids (an address outside the outbound policy). Only ``transient`` and
#: ``rate`` are worth retrying.
KINDS = ("auth", "revoked", "limit", "rate", "not_found", "row_not_found", "column_not_found",
         "permission", "invalid", "transient", "config")
RETRYABLE_KINDS = frozenset({"transient", "rate"})

#: What one refused item of a batched write (a record of an sObject Collections call, a
#: row of a Smartsheet rows call) is about, beside the kinds above — so that callers can
#: say what to do without reading the services' codes:
#:
#: ``picklist``         a value that is not one of the picklist's (or column's) options
#: ``required``         a required field is empty
#: ``validation_rule``  a validation rule of the org refused the save (its message says why)
#: ``permission``       a read-only field or column, or no right to edit the item
#: ``duplicate``        a duplicate rule or unique field found another record like it
#: ``too_long``         a value longer than the field allows
#: ``type``             a value of the wrong type for the field or column
#: ``record_not_found`` the record was deleted
#:
#: Anything else is ``invalid``.
ITEM_KINDS = ("picklist", "required", "validation_rule", "permission", "duplicate",
              "too_long", "type", "record_not_found", "invalid", "row_not_found",
              "column_not_found")

RECONNECT_MESSAGES = {
    "salesforce": gettext_lazy(
        "Salesforce refused the saved sign-in: reconnect your Salesforce account."),
    "smartsheet": gettext_lazy(
        "Smartsheet refused the saved sign-in: reconnect your Smartsheet account."),
}


class ClientError(Exception):
    """A failed call to Salesforce or Smartsheet, as data.

    ``kind`` is one of :data:`KINDS`, what callers decide on; ``code`` is the service's own
    error code (``"INVALID_SESSION_ID"``, ``"1006"``, ...), to show or store, never to
    compare outside the clients; ``message`` is fit to show a user and never
    contains a token; ``retryable`` is true only for ``transient`` and ``rate``;
    ``outcome_unknown`` marks a write that may have been applied (see below).
    """

    def __init__(
        self,
        *,
        service: str,
        kind: str,
        message: str,
        code: str = "",
        status: int | None = None,
        retry_after: float | None = None,
        results: list | None = None,
        outcome_unknown: bool = False,
    ) -> None:
        if kind not in KINDS:
            raise ValueError(f"unknown error kind {kind!r}")
        self.service = service
        self.kind = kind
        self.code = str(code or "")
        self.message = message
        self.status = status
        self.retryable = kind in RETRYABLE_KINDS
        self.retry_after = retry_after
        #: For a batched write stopped by a systemic error (auth, revoked, limit): every
        #: item's result, those written before the stop included, so none is lost.
        self.results = results
        #: A create (non-idempotent write) that failed after it may have reached the
        #: service (5xx other than 503, dropped connection, read timeout): it may or may
        #: not have been applied, so it was not retried. Its kind stays ``transient``.
        self.outcome_unknown = outcome_unknown
        super().__init__(message)

    def __str__(self) -> str:
        code = f" {self.code}" if self.code else ""
        return f"{self.service} {self.kind}{code}: {self.message}"

    def __repr__(self) -> str:
        return (
            f"ClientError(service={self.service!r}, kind={self.kind!r}, code={self.code!r}, "
            f"status={self.status!r})"
        )

    def with_results(self, results: list) -> ClientError:
        """This error, stopping a batched write, with every item's result of that write."""
        return ClientError(service=self.service, kind=self.kind, code=self.code,
                           message=self.message, status=self.status,
                           retry_after=self.retry_after, results=results,
                           outcome_unknown=self.outcome_unknown)

    def as_dict(self) -> dict:
        """A JSON-ready form, for storing on a run."""
        return {
            "service": self.service,
            "kind": self.kind,
            "code": self.code,
            "message": self.message,
            "status": self.status,
            "retryable": self.retryable,
            "retry_after": self.retry_after,
            "outcome_unknown": self.outcome_unknown,
        }


def outcome_unknown(error: ClientError, note: str) -> ClientError:
    """``error`` of a create that may have been applied before it failed: it was not
    repeated, and ``note`` says so to the user."""
    return ClientError(service=error.service, kind=error.kind, code=error.code,
                       status=error.status, retry_after=error.retry_after,
                       outcome_unknown=True, message=f"{error.message} {note}")


def unreachable(service: str, label: str, cause: BaseException | None) -> ClientError:
    """The error of a request that got no answer (connection refused or dropped, timeout)."""
    name = type(cause).__name__ if cause is not None else "RequestException"
    return ClientError(service=service, kind="transient", code=name,
                       message=_("%(service)s did not answer (%(error)s); it may be unreachable "
                                 "or slow.") % {"service": label, "error": name})


# A bearer token or an OAuth secret in free text from a service (an echoed header, a
# request body quoted in an error): redact anything that looks like one, on top of
# redacting the exact secrets the client knows.
_TOKENISH = re.compile(
    r"(?i)(bearer\s+|access_token[\"'=:\s]+|refresh_token[\"'=:\s]+|client_secret[\"'=:\s]+)"
    r"[A-Za-z0-9!._~+/=-]{8,}"
)


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """``text`` without any of ``secrets`` or anything shaped like a token."""
    if not text:
        return ""
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, "[redacted]")
    return _TOKENISH.sub(lambda m: m.group(1) + "[redacted]", text)
