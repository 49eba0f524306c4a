from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from accounts.models import Team, User
from accounts.services import ROLE_FLAGS, user_can_manage, user_update_roles
from core.admin import RoleAdminMixin


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
        "service_cloud_user", "is_active", ("team", admin.RelatedOnlyFieldListFilter),
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

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if not request.user.is_superuser:
            # A team admin neither sees nor changes (password included) a superuser.
            qs = qs.filter(is_superuser=False)
        return qs

    def has_change_permission(self, request, obj=None):
        if obj is not None and not user_can_manage(actor=request.user, user=obj):
            return False
        return super().has_change_permission(request, obj)

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            # A team admin cannot move people to other teams, nor drop their own role
            # (the rule of accounts.services.user_update_roles).
            fields.append("team")
            if obj is not None and obj.pk == request.user.pk:
                fields.append("system_admin")
        return fields

    def save_model(self, request, obj, form, change):
        if not request.user.is_superuser and not change:
            obj.team_id = request.user.team_id
        flags = {k: form.cleaned_data[k] for k in ROLE_FLAGS
                 if change and k in form.changed_data and k in form.cleaned_data}
        if flags:
            # Role and licence changes go through the service: its checks and its log.
            user_update_roles(actor=request.user, user=User.objects.get(pk=obj.pk), **flags)
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
