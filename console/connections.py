"""Connections: who is connected to what. Tokens are never shown, not even encrypted; a
System Admin may remove a member's connection (through the connection service)."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from connector.models import Connection
from connector.services import connection_delete
from console.display import badge, when
from core.admin import RoleAdminMixin


@admin.register(Connection)
class ConnectionAdmin(RoleAdminMixin, admin.ModelAdmin):
    team_path = "user__team_id"
    change_roles = ()
    allow_delete = True
    list_display = ("user", "service", "install", "identity", "state", "updated")
    list_filter = ("service", ("install", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("user", "install")
    search_fields = ("user__username", "user__first_name", "user__last_name", "identity")
    fields = ("user", "install", "service", "identity", "identity_name", "instance_url",
              "state", "expires_at", "revoked_at", "created_at", "updated_at")
    readonly_fields = fields

    @admin.display(description=_("State"), ordering="revoked_at")
    def state(self, obj):
        if obj.revoked_at is not None:
            return badge(_("Sign-in refused: reconnect"), "bad")
        return badge(_("Connected"), "ok")

    @admin.display(description=_("Updated"), ordering="updated_at")
    def updated(self, obj):
        return when(obj.updated_at)

    def has_delete_permission(self, request, obj=None):
        return self._has(request.user, ("is_system_admin",))

    def delete_model(self, request, obj):
        connection_delete(user=request.user, connection=obj)

    def delete_queryset(self, request, queryset):
        for connection in queryset.select_related("user", "install"):
            connection_delete(user=request.user, connection=connection)
