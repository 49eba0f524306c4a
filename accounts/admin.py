from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from accounts.models import Team, User
from connector.admin_site import RoleAdminMixin


@admin.register(User)
class UserAdmin(RoleAdminMixin, DjangoUserAdmin):
    team_path = "team_id"
    allow_add = True
    list_display = (
        "username", "email", "first_name", "last_name", "team", "system_admin",
        "connector_admin", "licensed", "salesforce_user", "service_cloud_user", "is_active",
    )
    list_filter = (
        "system_admin", "connector_admin", "licensed", "salesforce_user",
        "service_cloud_user", "is_active", "team",
    )
    list_editable = ("licensed", "salesforce_user", "service_cloud_user")
    list_select_related = ("team",)
    search_fields = ("username", "email", "first_name", "last_name")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("Person", {"fields": ("first_name", "last_name", "email", "team")}),
        (
            "Roles and licence",
            {"fields": ("system_admin", "connector_admin", "licensed", "salesforce_user",
                        "service_cloud_user", "is_active")},
        ),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    readonly_fields = ("last_login", "date_joined")

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            # A team admin cannot move people to other teams.
            fields.append("team")
        return fields

    def save_model(self, request, obj, form, change):
        if not request.user.is_superuser and not change:
            obj.team_id = request.user.team_id
        super().save_model(request, obj, form, change)


@admin.register(Team)
class TeamAdmin(RoleAdminMixin, admin.ModelAdmin):
    view_roles = ()
    change_roles = ()  # superusers only (RoleAdminMixin lets superusers through get_queryset)
    list_display = ("name", "created_at")

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_add_permission(self, request):
        return request.user.is_superuser
