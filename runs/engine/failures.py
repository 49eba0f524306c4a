"""Systemic failures: what stops a run, and the message a user can act on.

Per-row problems never come here (they are RunErrors and Sync Error cells); a client
error, a filter that cannot compile or a workflow that no longer fits its sheet or object
becomes one :class:`SyncFailed`, in :func:`systemic_failures` — the one place a run and a
preview translate them.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from connector.clients import ClientError
from runs.engine.mappings import ConfigurationError
from runs.engine.soql import FilterError


class SyncFailed(Exception):
    """A systemic failure: the run cannot go on. ``message`` says what the user can do.

    ``kind``: auth | revoked | limit | not_found | permission | config | transient |
    timeout (or another client error kind). ``reset_at`` is when an API limit is
    expected to lift, when known.
    """

    def __init__(self, message: str, kind: str, *, reset_at: datetime | None = None) -> None:
        self.message = message
        self.kind = kind
        self.reset_at = reset_at
        super().__init__(message)


@contextmanager
def systemic_failures(spec=None) -> Iterator[None]:
    """Turn what makes a whole run fail into :class:`SyncFailed` (naming the workflow's
    sheet or object from ``spec`` when given)."""
    try:
        yield
    except ConfigurationError as exc:
        raise SyncFailed(str(exc), "config") from exc
    except FilterError as exc:
        raise filter_failure(exc) from exc
    except ClientError as exc:
        raise failure_from(exc, spec=spec) from exc


def filter_failure(error: FilterError) -> SyncFailed:
    """The SyncFailed a Salesforce filter that cannot compile becomes: the workflow's
    settings must change, retrying cannot help."""
    reason = str(error).rstrip(".")
    return SyncFailed(_("A Salesforce filter of this workflow cannot be used: %(reason)s. "
                        "Edit the workflow's filters.") % {"reason": reason}, "config")


def failure_from(error: ClientError, *, spec=None) -> SyncFailed:
    """The SyncFailed a systemic client error becomes, with a message a user can act on
    (naming the workflow's sheet or object when ``spec`` is given)."""
    service = "Salesforce" if error.service == "salesforce" else "Smartsheet"
    if error.kind in ("auth", "revoked"):
        return SyncFailed(_("Reconnect your %(service)s account: %(service)s refused the "
                            "workflow owner's sign-in.") % {"service": service}, error.kind)
    if error.kind == "limit":
        reset = (timezone.now() + timedelta(seconds=error.retry_after)
                 if error.retry_after else None)
        return SyncFailed(_("%(service)s API limit reached; the workflow resumes when it "
                            "resets.") % {"service": service}, "limit", reset_at=reset)
    if error.kind == "not_found":
        return SyncFailed(_not_found_message(error, spec), "not_found")
    if error.kind == "permission":
        return SyncFailed(_("The workflow owner has no access in %(service)s: %(reason)s")
                          % {"service": service, "reason": error.message}, "permission")
    if error.kind == "config":
        return SyncFailed(_("The install's %(service)s settings need an admin: %(reason)s")
                          % {"service": service, "reason": error.message}, "config")
    return SyncFailed(_("%(service)s failed: %(reason)s")
                      % {"service": service, "reason": error.message}, error.kind)


def _not_found_message(error: ClientError, spec) -> str:
    """The sentence naming the object or sheet that a run could not find."""
    values = {"reason": error.message}
    if error.service == "salesforce":
        if spec:
            values["object"] = spec.salesforce_object
            return _("The Salesforce object '%(object)s' of this workflow was not found or is "
                     "not shared with its owner (%(reason)s).") % values
        return _("The Salesforce object of this workflow was not found or is not shared with "
                 "its owner (%(reason)s).") % values
    if spec and spec.sheet_name:
        values.update(name=spec.sheet_name, id=spec.sheet_id)
        return _("The sheet '%(name)s' (id %(id)s) of this workflow was not found or is not "
                 "shared with its owner (%(reason)s).") % values
    if spec:
        values["id"] = spec.sheet_id
        return _("The sheet %(id)s of this workflow was not found or is not shared with its "
                 "owner (%(reason)s).") % values
    return _("The sheet of this workflow was not found or is not shared with its owner "
             "(%(reason)s).") % values
