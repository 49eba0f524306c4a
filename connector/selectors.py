"""Reads of installs and connections, scoped to who may see them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet

from connector.models import Connection, Install

if TYPE_CHECKING:
    from accounts.models import User


def installs_visible_to(user: User) -> QuerySet[Install]:
    """The installs of the user's team (superusers: all)."""
    if not user.is_authenticated or not user.is_active:
        return Install.objects.none()
    if user.is_superuser:
        return Install.objects.all()
    if user.team_id is None:
        return Install.objects.none()
    return Install.objects.filter(team_id=user.team_id)


def connections_of(user: User) -> QuerySet[Connection]:
    """The user's own connections (every install, both services)."""
    return Connection.objects.filter(user=user).select_related("install")
