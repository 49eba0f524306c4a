"""The Django admin as the system admin's console.

Access follows the product's roles, not Django's per-model permissions: System Admins
manage their team's users and workflows, Connector Admins manage installs; a superuser
counts as both. Every admin is scoped to the admin's team.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _


class SheetforceAdminSite(admin.AdminSite):
    site_header = "sheetforce administration"
    site_title = "sheetforce admin"
    index_title = "Team console"

    def has_permission(self, request) -> bool:
        user = request.user
        return bool(
            user.is_active
            and user.is_authenticated
            and (user.is_system_admin or user.is_connector_admin)
        )

    def login(self, request, extra_context=None):
        """One sign-in for the whole product: the web sign-in page (throttled, and it
        admits admins by role; Django's admin login wants ``is_staff`` and has no
        throttle). A signed-in person without an admin role goes to the dashboard."""

        target = request.GET.get("next") or reverse("admin:index", current_app=self.name)
        if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                               require_https=request.is_secure()):
            target = reverse("admin:index", current_app=self.name)
        if not request.user.is_authenticated:
            return redirect(f"{reverse('login')}?{urlencode({'next': target})}")
        if self.has_permission(request):
            return redirect(target)
        messages.error(request, _("The admin console is for System Admins and Connector Admins."))
        return redirect("dashboard")


class RoleAdminMixin:
    """Model admin permissions from roles; querysets limited to the admin's team.

    ``view_roles`` may look, ``change_roles`` may change. ``team_path`` is the lookup from
    the model to its team (``None``: superusers only see everything, others nothing).
    """

    view_roles: tuple[str, ...] = ("is_system_admin",)
    change_roles: tuple[str, ...] = ("is_system_admin",)
    team_path: str | None = None
    allow_add = False
    allow_delete = False

    @staticmethod
    def _has(user, roles) -> bool:
        return user.is_active and any(getattr(user, r, False) for r in roles)

    def has_module_permission(self, request) -> bool:
        return self._has(request.user, self.view_roles + self.change_roles)

    def has_view_permission(self, request, obj=None) -> bool:
        return self._has(request.user, self.view_roles + self.change_roles)

    def has_change_permission(self, request, obj=None) -> bool:
        return self._has(request.user, self.change_roles)

    def has_add_permission(self, request, *args) -> bool:
        return self.allow_add and self._has(request.user, self.change_roles)

    def has_delete_permission(self, request, obj=None) -> bool:
        return self.allow_delete and self._has(request.user, self.change_roles)

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        user = request.user
        if user.is_superuser:
            return qs
        if self.team_path is None or user.team_id is None:
            return qs.none()
        return qs.filter(**{self.team_path: user.team_id})
