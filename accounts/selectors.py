"""Reads of users, scoped to who may see them."""

from __future__ import annotations

from django.db.models import QuerySet

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
