"""Reads of users, scoped to who may see them."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from accounts.models import User


def users_manageable_by(actor: User) -> QuerySet[User]:
    """Users a System Admin manages: their team (superusers: everyone); others: none."""
    qs = User.objects.select_related("team")
    if not actor.is_authenticated or not actor.is_active:
        return qs.none()
    if actor.is_superuser:
        return qs
    if actor.system_admin and actor.team_id is not None:
        return qs.filter(team_id=actor.team_id)
    return qs.none()


def users_role_managed_by(actor: User) -> QuerySet[User]:
    """Users whose roles or licences ``actor`` may change: their team for System and
    Connector Admins (superusers: everyone); others: none. What each may change:
    ``accounts.services.flags_grantable_by``."""
    qs = User.objects.select_related("team")
    if not actor.is_authenticated or not actor.is_active:
        return qs.none()
    if actor.is_superuser:
        return qs
    if (actor.system_admin or actor.connector_admin) and actor.team_id is not None:
        return qs.filter(team_id=actor.team_id, is_superuser=False)
    return qs.none()


def system_admins_of_team(*, team_id: int | None) -> QuerySet[User]:
    """The active System Admins of a team — the people its members ask for roles and
    licences — by name."""
    if team_id is None:
        return User.objects.none()
    return (User.objects.filter(team_id=team_id, is_active=True)
            .filter(Q(system_admin=True) | Q(is_superuser=True))
            .order_by("first_name", "last_name", "username"))


def users_of_team(*, team_id: int | None) -> QuerySet[User]:
    """Every member of a team, active or not, by name."""
    if team_id is None:
        return User.objects.none()
    return (User.objects.filter(team_id=team_id)
            .order_by("first_name", "last_name", "username"))


def users_licensed_of_team(*, team_id: int | None) -> QuerySet[User]:
    """The active, licensed members of a team (superusers count as licensed), by name:
    the people who may own workflows (``workflows.services.transfer_refusal`` has the
    rest of the rule)."""
    return (users_of_team(team_id=team_id).filter(is_active=True)
            .filter(Q(licensed=True) | Q(is_superuser=True)))
