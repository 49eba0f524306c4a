"""Account services: role and licence changes."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied

from accounts.models import User

log = logging.getLogger(__name__)

#: The flags a System Admin may change (the model fields behind the ``is_*`` properties).
ROLE_FLAGS = ("system_admin", "connector_admin", "licensed", "salesforce_user", "service_cloud_user")


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


def user_update_roles(*, actor: User, user: User, **flags: bool) -> User:
    """Set role and licence flags (:data:`ROLE_FLAGS`) of ``user``.

    Only System Admins of the same team (or superusers) may; raises ``PermissionDenied``
    otherwise. A System Admin cannot take away their own System Admin role, so a team
    never loses its last admin by accident.
    """
    unknown = set(flags) - set(ROLE_FLAGS)
    if unknown:
        raise TypeError(f"user_update_roles() got unexpected flags: {', '.join(sorted(unknown))}")
    if not user_can_manage(actor=actor, user=user):
        raise PermissionDenied("Only a System Admin of the team can change roles and licences.")
    if actor.pk == user.pk and flags.get("system_admin") is False and not actor.is_superuser:
        raise PermissionDenied("You cannot remove your own System Admin role.")
    changed = [k for k, v in flags.items() if getattr(user, k) != bool(v)]
    for key in changed:
        setattr(user, key, bool(flags[key]))
    if changed:
        user.save(update_fields=changed)
        log.info("user %s changed %s of user %s", actor.pk, ", ".join(changed), user.pk)
    return user
