"""Reads of installs and connections, scoped to who may see them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet

from connector.models import Connection, Install, Service

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


def users_connected_everywhere(*, user_ids, install_ids) -> set[int]:
    """Of ``user_ids``, those with live Salesforce and Smartsheet connections on every
    install of ``install_ids`` (what owning those installs' workflows takes). One query."""
    install_ids = set(install_ids)
    wanted = {(i, s) for i in install_ids for s in Service.values}
    have: dict[int, set] = {}
    rows = (Connection.objects.filter(user_id__in=list(user_ids), install_id__in=install_ids,
                                      revoked_at__isnull=True).exclude(access_token="")
            .values_list("user_id", "install_id", "service"))
    for user_id, install_id, service in rows:
        have.setdefault(user_id, set()).add((install_id, service))
    return {user_id for user_id, pairs in have.items() if wanted <= pairs}


def install_users_by_salesforce_id(*, install_id: int, salesforce_user_ids) -> dict[str, User]:
    """The install's users among these Salesforce users (by their Salesforce connection's
    user id, 15 or 18 characters; keyed by its first 15): who to name and mail when their
    edit in Salesforce could not be synced. One query."""
    wanted = {str(i)[:15] for i in salesforce_user_ids if i}
    if not wanted:
        return {}
    candidates = {*wanted, *(i for i in salesforce_user_ids if i)}
    found: dict[str, User] = {}
    for connection in (Connection.objects.filter(install_id=install_id, service=Service.SALESFORCE,
                                                 external_user_id__in=candidates,
                                                 user__is_active=True)
                       .select_related("user")):
        found.setdefault(connection.external_user_id[:15], connection.user)
    return found
