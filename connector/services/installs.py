"""Install services: who may create and change installs, and the checks every write
passes (the outbound policy on every URL, the admin's own team)."""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied

from accounts.models import Team, User
from connector.models import Install
from connector.outbound import HostNotAllowed, outbound_policy

log = logging.getLogger(__name__)

#: Fields an admin may set through the API (secrets included, write-only there).
INSTALL_FIELDS = frozenset({
    "name", "kind", "salesforce_login_url", "salesforce_instance_url",
    "smartsheet_api_base", "smartsheet_authorize_url", "polling_interval_minutes",
    "restrict_users", "api_budget_percent", "status", "salesforce_client_id",
    "salesforce_client_secret", "smartsheet_client_id", "smartsheet_client_secret",
    "tls_ca_bundle", "time_zone", "sla_hours", "business_hours", "use_business_hours",
    "language",
})


def user_can_manage_installs(*, user: User, install: Install | None = None) -> bool:
    """System or Connector Admins of the install's team (superusers: any install)."""
    if not user.is_authenticated or not user.is_active:
        return False
    if not (user.is_system_admin or user.is_connector_admin):
        return False
    if install is None or user.is_superuser:
        return True
    return install.team_id is not None and install.team_id == user.team_id


class InstallInvalid(ValueError):
    """An install's fields were refused: ``errors`` maps field names to messages."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        self.errors = errors
        self.message = next(m for msgs in errors.values() for m in msgs)
        super().__init__(self.message)


#: The install URLs the clients call (each checked against the outbound policy).
URL_FIELDS = ("salesforce_login_url", "salesforce_instance_url", "smartsheet_api_base",
              "smartsheet_authorize_url")


def install_check_urls(fields: dict[str, Any]) -> None:
    """Raise :class:`InstallInvalid` naming every URL field the outbound policy refuses."""
    policy = outbound_policy()
    errors = {}
    for name in URL_FIELDS:
        value = (fields.get(name) or "").strip()
        if not value:
            continue
        try:
            policy.check(value)
        except HostNotAllowed as exc:
            errors[name] = [exc.message]
    if errors:
        raise InstallInvalid(errors)


def _team_of_new_install(*, user: User, team: Team | None) -> int | None:
    """An admin creates installs for their own team; only a superuser picks another."""
    if team is not None and user.is_superuser:
        return team.pk
    if user.team_id is None and not user.is_superuser:
        raise PermissionDenied("You are not on a team: ask a superuser to add you to one.")
    return user.team_id


def install_create(*, user: User, team: Team | None = None, **fields: Any) -> Install:
    """Create an install for the admin's own team (a superuser may name ``team``)."""
    if not user_can_manage_installs(user=user):
        raise PermissionDenied("Only System Admins and Connector Admins create installs.")
    unknown = set(fields) - INSTALL_FIELDS
    if unknown:
        raise TypeError(f"install_create() got unexpected fields: {', '.join(sorted(unknown))}")
    install_check_urls(fields)
    install = Install.objects.create(team_id=_team_of_new_install(user=user, team=team),
                                     **fields)
    log.info("install %s created by user %s", install.pk, user.pk)
    return install


def install_update(*, user: User, install: Install, team: Team | None = None,
                   **fields: Any) -> Install:
    """Change an install (admins of its team). Secrets given as "" are left unchanged.

    An install stays in its team: only a superuser moves it (``team``).
    """
    if not user_can_manage_installs(user=user, install=install):
        raise PermissionDenied("Only System Admins and Connector Admins change installs.")
    unknown = set(fields) - INSTALL_FIELDS
    if unknown:
        raise TypeError(f"install_update() got unexpected fields: {', '.join(sorted(unknown))}")
    if team is not None and team.pk != install.team_id:
        if not user.is_superuser:
            raise PermissionDenied("Only a superuser moves an install to another team.")
        install.team = team
    install_check_urls(fields)
    for key, value in fields.items():
        if key in ("salesforce_client_secret", "smartsheet_client_secret") and not value:
            continue  # a form that does not show secrets sends them back empty
        setattr(install, key, value)
    install.save()
    log.info("install %s changed by user %s (%s)", install.pk, user.pk, ", ".join(sorted(fields)))
    return install


def install_ca_bundle(install: Install) -> str | None:
    """The install's extra trusted CA certificates (PEM text or a file path), or None."""
    bundle = (install.tls_ca_bundle or "").strip()
    return bundle or None
