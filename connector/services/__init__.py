"""Install and connection services (the REST API, the console and the web UI call these).

The engine gets its clients from :func:`salesforce_client_for` /
:func:`smartsheet_client_for`, which persist refreshed (rotated) tokens on the
Connection and mark it revoked when the sign-in is dead.
"""

from __future__ import annotations

from connector.services.connections import (
    SERVICE_NAMES,
    ConnectionInvalid,
    ConnectionMissing,
    connection_create_from_token,
    connection_delete,
    connection_get,
    oauth_complete,
    oauth_start,
    oauth_state_matches,
    salesforce_client_for,
    smartsheet_client_for,
)
from connector.services.installs import (
    INSTALL_FIELDS,
    URL_FIELDS,
    InstallInvalid,
    install_ca_bundle,
    install_check_urls,
    install_create,
    install_update,
    user_can_manage_installs,
)
from connector.services.setup import (
    InstallSetupRefused,
    salesforce_admin_permissions_missing,
    user_may_set_up,
)

__all__ = [
    "INSTALL_FIELDS",
    "SERVICE_NAMES",
    "URL_FIELDS",
    "ConnectionInvalid",
    "ConnectionMissing",
    "InstallInvalid",
    "InstallSetupRefused",
    "salesforce_admin_permissions_missing",
    "user_may_set_up",
    "connection_create_from_token",
    "connection_delete",
    "connection_get",
    "install_ca_bundle",
    "install_check_urls",
    "install_create",
    "install_update",
    "oauth_complete",
    "oauth_start",
    "oauth_state_matches",
    "salesforce_client_for",
    "smartsheet_client_for",
    "user_can_manage_installs",
]
