"""Setting up an install: the first Salesforce connection must come from a Salesforce
administrator.

Smartsheet's connector documents it ("Admin Setup"): the person who connects an org must
be a Connector Admin or System Admin *and* an administrator in Salesforce, or hold at
least API Enabled, View Setup and Configuration and View All Data. Until such a person
has connected, nobody else connects to the install. The permissions are read with one
query on ``UserPermissionAccess`` (the running user's effective permissions, from the
profile and every permission set).
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from connector.clients import ClientError, SalesforceClient
from connector.models import Install

log = logging.getLogger(__name__)

#: Salesforce permission field → its name in Salesforce's Setup.
REQUIRED_PERMISSIONS = {
    "PermissionsApiEnabled": "API Enabled",
    "PermissionsViewSetup": "View Setup and Configuration",
    "PermissionsViewAllData": "View All Data",
}


_PERMISSIONS_QUERY = (
    "SELECT PermissionsApiEnabled, PermissionsViewSetup, PermissionsViewAllData "
    "FROM UserPermissionAccess")


class InstallSetupRefused(Exception):
    """This person may not set up (or connect to) the install now; ``message`` says why."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


def salesforce_permissions_missing(client: SalesforceClient) -> list[str]:
    """The Salesforce names of the required permissions the client's user lacks."""
    rows = client.query_all(_PERMISSIONS_QUERY)
    granted = rows[0] if rows else {}
    return [label for field, label in REQUIRED_PERMISSIONS.items() if not granted.get(field)]


def salesforce_admin_permissions_missing(*, user: User, install: Install) -> list[str]:
    """:func:`salesforce_permissions_missing` through ``user``'s own Salesforce connection
    on ``install`` (raises ``ConnectionMissing`` / ``ClientError`` as the client does)."""
    from connector.services.connections import salesforce_client_for  # connections imports us

    return salesforce_permissions_missing(salesforce_client_for(user=user, install=install))


def user_may_set_up(*, user: User, install: Install) -> bool:
    """A Connector or System Admin of the install's team (superusers: any install)."""
    if not user.is_active or not (user.is_connector_admin or user.is_system_admin):
        return False
    return user.is_superuser or (install.team_id is not None and install.team_id == user.team_id)


def install_setup_check(*, user: User, install: Install, client: SalesforceClient) -> None:
    """Before ``user``'s Salesforce connection is stored: refuse it unless the install is
    set up, or ``user`` may set it up and is a Salesforce administrator (then the install
    is set up by them). ``client`` holds the new connection's tokens."""
    if install.salesforce_setup_at is not None:
        return
    if not user_may_set_up(user=user, install=install):
        raise InstallSetupRefused(_(
            "The install “%(install)s” is not set up yet: a Connector Admin who is a "
            "Salesforce administrator connects to Salesforce first.") % {"install": install.name})
    try:
        missing = salesforce_permissions_missing(client)
    except ClientError as exc:
        raise InstallSetupRefused(_(
            "Salesforce did not say which permissions you have (%(reason)s). Setting up an "
            "install needs a Salesforce administrator.") % {"reason": exc.message}) from None
    if missing:
        raise InstallSetupRefused(_(
            "Setting up “%(install)s” needs a Salesforce administrator: your Salesforce "
            "user lacks %(missing)s. Ask your Salesforce admin for these permissions, or let "
            "a Salesforce administrator connect first.") % {
                "install": install.name, "missing": ", ".join(missing)})
    with transaction.atomic():
        Install.objects.filter(pk=install.pk, salesforce_setup_at__isnull=True).update(
            salesforce_setup_at=timezone.now(), salesforce_setup_by=user)
    install.refresh_from_db(fields=["salesforce_setup_at", "salesforce_setup_by"])
    log.info("install %s set up by user %s", install.pk, user.pk)
