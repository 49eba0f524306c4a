"""Account services: role and licence changes, deactivation (each recorded in the audit
log)."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from accounts.models import User
from audit.models import AuditAction
from audit.services import audit_record

log = logging.getLogger(__name__)

#: The flags a System Admin may change (the model fields behind the ``is_*`` properties).
ROLE_FLAGS = ("system_admin", "connector_admin", "licensed", "salesforce_user", "service_cloud_user")
#: The flags a Connector Admin may change too: they designate the connector's users
#: (Smartsheet's "Connector user types": a Connector Admin designates Salesforce
#: Connector users); admin roles stay with System Admins.
CONNECTOR_USER_FLAGS = ("licensed", "salesforce_user", "service_cloud_user")


def user_set_language(*, user: User, language: str) -> User:
    """Set the interface language a person chose ("" follows their browser)."""
    if language and language not in dict(settings.LANGUAGES):
        raise ValueError(f"unknown language {language!r}")
    if user.language != language:
        user.language = language
        user.save(update_fields=["language"])
    return user


def user_can_manage(*, actor: User, user: User) -> bool:
    """A System Admin manages the users of their own team; superusers manage everyone.
    Nobody but a superuser manages a superuser (its password, its flags)."""
    if not actor.is_authenticated or not actor.is_active:
        return False
    if actor.is_superuser:
        return True
    if user.is_superuser:
        return False
    return bool(actor.system_admin and actor.team_id is not None and actor.team_id == user.team_id)


def flags_grantable_by(*, actor: User, user: User) -> frozenset[str]:
    """The role and licence flags ``actor`` may set on ``user``: every flag for a System
    Admin of the team or a superuser (only superusers touch superusers), the
    connector-user flags for a Connector Admin of the team, none otherwise."""
    if user_can_manage(actor=actor, user=user):
        return frozenset(ROLE_FLAGS)
    if (actor.is_authenticated and actor.is_active and actor.connector_admin
            and not user.is_superuser and actor.team_id is not None
            and actor.team_id == user.team_id):
        return frozenset(CONNECTOR_USER_FLAGS)
    return frozenset()


def flags_grantable_in_team(*, actor: User) -> frozenset[str]:
    """The flags ``actor`` may set on an ordinary member of their team (what a console
    offers in bulk; each person is still checked by :func:`flags_grantable_by`)."""
    if not actor.is_authenticated or not actor.is_active:
        return frozenset()
    return flags_grantable_by(actor=actor, user=User(team_id=actor.team_id))


def user_update_roles(*, actor: User, user: User, **flags: bool) -> User:
    """Set role and licence flags (:data:`ROLE_FLAGS`) of ``user``.

    System Admins of the same team (or superusers) set any flag; Connector Admins of the
    team set :data:`CONNECTOR_USER_FLAGS`. Raises ``PermissionDenied`` otherwise. A
    System Admin cannot take away their own System Admin role, so a team never loses
    its last admin by accident.
    """
    unknown = set(flags) - set(ROLE_FLAGS)
    if unknown:
        raise TypeError(f"user_update_roles() got unexpected flags: {', '.join(sorted(unknown))}")
    allowed = flags_grantable_by(actor=actor, user=user)
    if not allowed:
        raise PermissionDenied(_("Only a System or Connector Admin of the team can change roles "
                               "and licences."))
    changing = {k for k, v in flags.items() if getattr(user, k) != bool(v)}
    if changing - allowed:
        raise PermissionDenied(_("Only a System Admin of the team can change admin roles."))
    if actor.pk == user.pk and flags.get("system_admin") is False and not actor.is_superuser:
        raise PermissionDenied(_("You cannot remove your own System Admin role."))
    changed = [k for k, v in flags.items() if getattr(user, k) != bool(v)]
    before = {key: getattr(user, key) for key in changed}
    for key in changed:
        setattr(user, key, bool(flags[key]))
    if changed:
        user.save(update_fields=changed)
        log.info("user %s changed %s of user %s", actor.pk, ", ".join(changed), user.pk)
        audit_record(actor=actor, action=AuditAction.USER_ROLES, target=user,
                     team_id=user.team_id, before=before,
                     after={key: getattr(user, key) for key in changed},
                     label=user.display_name)
    return user


def user_set_active(*, actor: User, user: User, active: bool) -> User:
    """Deactivate (or reactivate) a person: System Admins of the team, superusers.

    A deactivated person cannot sign in, their API tokens end (``User.save``) and their
    workflows pause (``Workflow.paused_reason`` says why) until they are reactivated or
    their workflows are transferred. Nobody deactivates themselves.
    """
    if not user_can_manage(actor=actor, user=user):
        raise PermissionDenied(_("Only a System Admin of the team can deactivate people."))
    if actor.pk == user.pk and not active:
        raise PermissionDenied(_("You cannot deactivate your own account."))
    if user.is_active == bool(active):
        return user
    user.is_active = bool(active)
    user.save(update_fields=["is_active"])
    log.info("user %s %s user %s", actor.pk, "reactivated" if active else "deactivated",
             user.pk)
    audit_record(actor=actor, team_id=user.team_id, target=user, label=user.display_name,
                 action=AuditAction.USER_REACTIVATE if active else AuditAction.USER_DEACTIVATE,
                 before={"is_active": not active}, after={"is_active": bool(active)})
    return user
