"""Install services: who may create, change, pause and resume installs, and the checks
every write passes (the outbound policy on every URL, the admin's own team). Every change
is recorded in the audit log (secrets and the CA bundle only as "changed")."""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Team, User
from audit.models import AuditAction
from audit.services import audit_changes, audit_record
from connector.models import Install, InstallStatus
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


#: Install fields recorded as "changed", never with their value.
AUDIT_SECRET_FIELDS = frozenset({"salesforce_client_secret", "smartsheet_client_secret",
                                 "tls_ca_bundle"})


def _audit_state(install: Install) -> dict[str, Any]:
    return {"team": install.team_id, **{name: getattr(install, name)
                                        for name in sorted(INSTALL_FIELDS)}}


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
        raise PermissionDenied(_("You are not on a team: ask a superuser to add you to one."))
    return user.team_id


def install_create(*, user: User, team: Team | None = None, **fields: Any) -> Install:
    """Create an install for the admin's own team (a superuser may name ``team``)."""
    if not user_can_manage_installs(user=user):
        raise PermissionDenied(_("Only System Admins and Connector Admins create installs."))
    unknown = set(fields) - INSTALL_FIELDS
    if unknown:
        raise TypeError(f"install_create() got unexpected fields: {', '.join(sorted(unknown))}")
    install_check_urls(fields)
    with transaction.atomic():
        install = Install.objects.create(team_id=_team_of_new_install(user=user, team=team),
                                         **fields)
        _before, after = audit_changes({}, _audit_state(install), secret=AUDIT_SECRET_FIELDS)
        audit_record(actor=user, action=AuditAction.INSTALL_CREATE, target=install,
                     team_id=install.team_id, after=after)
    log.info("install %s created by user %s", install.pk, user.pk)
    return install


def install_update(*, user: User, install: Install, team: Team | None = None,
                   **fields: Any) -> Install:
    """Change an install (admins of its team). Secrets given as "" are left unchanged.

    An install stays in its team: only a superuser moves it (``team``).
    """
    if not user_can_manage_installs(user=user, install=install):
        raise PermissionDenied(_("Only System Admins and Connector Admins change installs."))
    unknown = set(fields) - INSTALL_FIELDS
    if unknown:
        raise TypeError(f"install_update() got unexpected fields: {', '.join(sorted(unknown))}")
    before = _audit_state(install)
    if team is not None and team.pk != install.team_id:
        if not user.is_superuser:
            raise PermissionDenied(_("Only a superuser moves an install to another team."))
        install.team = team
    install_check_urls(fields)
    for key, value in fields.items():
        if key in ("salesforce_client_secret", "smartsheet_client_secret") and not value:
            continue  # a form that does not show secrets sends them back empty
        setattr(install, key, value)
    with transaction.atomic():
        install.save()
        old, new = audit_changes(before, _audit_state(install), secret=AUDIT_SECRET_FIELDS)
        if new:
            audit_record(actor=user, action=AuditAction.INSTALL_UPDATE, target=install,
                         team_id=install.team_id, before=old, after=new)
    log.info("install %s changed by user %s (%s)", install.pk, user.pk, ", ".join(sorted(fields)))
    return install


def install_pause(*, user: User, install: Install) -> Install:
    """Stop every sync of ``install`` until :func:`install_resume` (its admins). The
    scheduler and the real-time listener skip it; people see who paused it and when."""
    if not user_can_manage_installs(user=user, install=install):
        raise PermissionDenied(_("Only System Admins and Connector Admins pause installs."))
    if install.status == InstallStatus.DISABLED:
        return install
    before = {"status": install.status, "status_message": install.status_message}
    name = user.get_full_name() or user.username
    message = _("Paused by %(name)s on %(when)s.") % {
        "name": name, "when": f"{timezone.localtime():%Y-%m-%d %H:%M}"}
    with transaction.atomic():
        Install.objects.filter(pk=install.pk).update(
            status=InstallStatus.DISABLED, status_message=message, updated_at=timezone.now())
        install.refresh_from_db()
        audit_record(actor=user, action=AuditAction.INSTALL_PAUSE, target=install,
                     team_id=install.team_id, before=before,
                     after={"status": install.status, "status_message": message})
    log.info("install %s paused by user %s", install.pk, user.pk)
    return install


def install_resume(*, user: User, install: Install) -> Install:
    """Let ``install`` sync again, whether an admin paused it or an API limit did (a
    limit still reached pauses it again at the next run)."""
    if not user_can_manage_installs(user=user, install=install):
        raise PermissionDenied(_("Only System Admins and Connector Admins resume installs."))
    if install.status == InstallStatus.ACTIVE:
        return install
    before = {"status": install.status, "status_message": install.status_message}
    with transaction.atomic():
        Install.objects.filter(pk=install.pk).update(
            status=InstallStatus.ACTIVE, status_message="", paused_until=None,
            updated_at=timezone.now())
        install.refresh_from_db()
        audit_record(actor=user, action=AuditAction.INSTALL_RESUME, target=install,
                     team_id=install.team_id, before=before,
                     after={"status": install.status, "status_message": ""})
    log.info("install %s resumed by user %s", install.pk, user.pk)
    return install


def install_ca_bundle(install: Install) -> str | None:
    """The install's extra trusted CA certificates (PEM text or a file path), or None."""
    bundle = (install.tls_ca_bundle or "").strip()
    return bundle or None
