"""Checking an install: can the admin's own connections reach each service, and may the
Salesforce one set the install up? What works is said per service, in plain words."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from accounts.models import User
from connector.clients import ClientError
from connector.models import Install, Service
from connector.services.connections import (
    ConnectionMissing,
    salesforce_client_for,
    smartsheet_client_for,
)
from connector.services.installs import user_can_manage_installs


@dataclass
class ServiceCheck:
    """One service's result: ``ok`` when everything checked works; ``lines`` say what
    was checked and how it went."""

    service: str
    ok: bool = True
    lines: list[str] = field(default_factory=list)

    def fail(self, line: str) -> None:
        self.ok = False
        self.lines.append(line)


def _salesforce(*, user: User, install: Install) -> ServiceCheck:
    from connector.services.setup import salesforce_admin_permissions_missing

    check = ServiceCheck(Service.SALESFORCE)
    try:
        who = salesforce_client_for(user=user, install=install, max_attempts=2).identity()
    except ConnectionMissing as exc:
        check.fail(_("Not checked. %(reason)s (Connections page).")
                   % {"reason": exc.message})
        return check
    except ClientError as exc:
        check.fail(_("Salesforce refused your connection: %(reason)s") % {"reason": exc.message})
        return check
    check.lines.append(_("Signed in as %(user)s.") % {"user": who.get("username")
                                                       or who.get("email") or who.get("name")})
    try:
        missing = salesforce_admin_permissions_missing(user=user, install=install)
    except ClientError as exc:
        check.fail(_("Could not read your Salesforce permissions: %(reason)s")
                   % {"reason": exc.message})
        return check
    if missing:
        check.fail(_("Your Salesforce user lacks %(missing)s: a Salesforce administrator "
                     "must set the install up.") % {"missing": ", ".join(missing)})
    else:
        check.lines.append(_("Your Salesforce user has the permissions to set the install "
                             "up."))
    return check


def _smartsheet(*, user: User, install: Install) -> ServiceCheck:
    check = ServiceCheck(Service.SMARTSHEET)
    try:
        client = smartsheet_client_for(user=user, install=install, max_attempts=2,
                                       max_retry_time=10)
        me = client.me()
        sheets = client.list_sheets()
    except ConnectionMissing as exc:
        check.fail(_("Not checked. %(reason)s (Connections page).")
                   % {"reason": exc.message})
        return check
    except ClientError as exc:
        check.fail(_("Smartsheet refused your connection: %(reason)s") % {"reason": exc.message})
        return check
    check.lines.append(_("Signed in as %(user)s; %(count)d sheets visible.")
                       % {"user": me.get("email") or me.get("name"), "count": len(sheets)})
    return check


def install_check(*, user: User, install: Install) -> list[ServiceCheck]:
    """Call each service with ``user``'s own connections on ``install``: Salesforce's
    identity and the permissions setting up an install needs, Smartsheet's sheet list.
    Never raises for a service's answer; PermissionDenied for a non-admin."""
    if not user_can_manage_installs(user=user, install=install):
        raise PermissionDenied(_("Only System Admins and Connector Admins check installs."))
    return [_salesforce(user=user, install=install), _smartsheet(user=user, install=install)]
