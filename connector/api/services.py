"""Install services for the API: who may create and change installs, and the writes.

(Kept beside the API because ``connector/services.py`` belongs to the clients; the web
UI and admin may call these too.)
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from accounts.models import User
from connector.models import Install

log = logging.getLogger(__name__)

#: Fields an admin may set through the API (secrets included, write-only there).
INSTALL_FIELDS = frozenset({
    "name", "kind", "salesforce_login_url", "salesforce_instance_url",
    "smartsheet_api_base", "smartsheet_authorize_url", "polling_interval_minutes",
    "restrict_users", "api_budget_percent", "status", "salesforce_client_id",
    "salesforce_client_secret", "smartsheet_client_id", "smartsheet_client_secret",
    "tls_ca_bundle", "time_zone",
})


def installs_visible_to(user: User) -> QuerySet[Install]:
    """The installs of the user's team (superusers: all)."""
    if not user.is_authenticated or not user.is_active:
        return Install.objects.none()
    if user.is_superuser:
        return Install.objects.all()
    if user.team_id is None:
        return Install.objects.none()
    return Install.objects.filter(team_id=user.team_id)


def user_can_manage_installs(*, user: User, install: Install | None = None) -> bool:
    """System or Connector Admins of the install's team (superusers: any install)."""
    if not user.is_authenticated or not user.is_active:
        return False
    if not (user.is_system_admin or user.is_connector_admin):
        return False
    if install is None or user.is_superuser:
        return True
    return install.team_id is not None and install.team_id == user.team_id


def install_create(*, user: User, **fields: Any) -> Install:
    """Create an install for the admin's team."""
    if not user_can_manage_installs(user=user):
        raise PermissionDenied("Only System Admins and Connector Admins create installs.")
    unknown = set(fields) - INSTALL_FIELDS
    if unknown:
        raise TypeError(f"install_create() got unexpected fields: {', '.join(sorted(unknown))}")
    install = Install.objects.create(team_id=user.team_id, **fields)
    log.info("install %s created by user %s", install.pk, user.pk)
    return install


def install_update(*, user: User, install: Install, **fields: Any) -> Install:
    """Change an install (admins of its team). Secrets given as "" are left unchanged."""
    if not user_can_manage_installs(user=user, install=install):
        raise PermissionDenied("Only System Admins and Connector Admins change installs.")
    unknown = set(fields) - INSTALL_FIELDS
    if unknown:
        raise TypeError(f"install_update() got unexpected fields: {', '.join(sorted(unknown))}")
    for key, value in fields.items():
        if key in ("salesforce_client_secret", "smartsheet_client_secret") and not value:
            continue  # a form that does not show secrets sends them back empty
        setattr(install, key, value)
    install.save()
    log.info("install %s changed by user %s (%s)", install.pk, user.pk, ", ".join(sorted(fields)))
    return install
