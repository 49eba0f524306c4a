"""What the console's model admins share: read-only inlines and pages, safe redirects,
the objects an admin may act on."""

from __future__ import annotations

from django.contrib import admin
from django.http import Http404, HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme

from core.admin import RoleAdminMixin


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return True


class MachineWrittenAdmin(RoleAdminMixin, admin.ModelAdmin):
    """Rows the engine writes: System Admins look, nobody edits (no Save button)."""

    change_roles = ()
    view_roles = ("is_system_admin",)

    def has_change_permission(self, request, obj=None):
        return False


class ViewPageAdmin(RoleAdminMixin, admin.ModelAdmin):
    """A model admin whose object page is read-only (no Save buttons), while the list
    keeps its actions (they call services)."""

    def has_change_permission(self, request, obj=None):
        if obj is not None:
            return False
        return super().has_change_permission(request, obj)

    def object_in_scope(self, request, object_id):
        """The object if it is in the admin's (team-scoped) queryset; 404 otherwise."""
        obj = self.get_queryset(request).filter(pk=object_id).first()
        if obj is None:
            raise Http404
        return obj


def redirect_back(request, default: str) -> HttpResponseRedirect:
    """To the ``next`` the form carried when it is on this site, else ``default``."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return HttpResponseRedirect(target)
    return HttpResponseRedirect(default)
