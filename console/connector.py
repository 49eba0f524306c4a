from __future__ import annotations

from django import forms
from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from connector.models import Connection, Install, InstallKind
from connector.services import (
    INSTALL_FIELDS,
    InstallInvalid,
    install_check_urls,
    install_create,
    install_update,
)
from core.admin import RoleAdminMixin

SECRET_FIELDS = ("salesforce_client_secret", "smartsheet_client_secret")


class InstallForm(forms.ModelForm):
    """Client secrets are write-only: never rendered back, blank keeps the stored one."""

    salesforce_client_secret = forms.CharField(
        required=False, widget=forms.PasswordInput(render_value=False),
        help_text="Write-only. Leave blank to keep the stored secret.",
    )
    smartsheet_client_secret = forms.CharField(
        required=False, widget=forms.PasswordInput(render_value=False),
        help_text="Write-only. Leave blank to keep the stored secret.",
    )

    class Meta:
        model = Install
        fields = (
            "name", "team", "kind", "status", "salesforce_login_url", "salesforce_instance_url",
            "salesforce_client_id", "salesforce_client_secret", "smartsheet_api_base",
            "smartsheet_authorize_url", "smartsheet_client_id", "smartsheet_client_secret",
            "polling_interval_minutes", "restrict_users", "api_budget_percent", "time_zone",
            "tls_ca_bundle", "sla_hours", "use_business_hours", "business_hours", "language",
        )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in SECRET_FIELDS:
            self.initial[name] = ""

    def clean(self):
        data = super().clean()
        for name in SECRET_FIELDS:
            if not data.get(name) and self.instance.pk:
                data[name] = getattr(Install.objects.get(pk=self.instance.pk), name)
        try:
            install_check_urls(data)
        except InstallInvalid as exc:
            for field, messages in exc.errors.items():
                self.add_error(field, messages)
        return data


@admin.register(Install)
class InstallAdmin(RoleAdminMixin, admin.ModelAdmin):
    form = InstallForm
    view_roles = ("is_system_admin",)
    change_roles = ("is_connector_admin",)
    team_path = "team_id"
    allow_add = True
    list_display = ("name", "kind", "team", "polling_interval_minutes", "restrict_users",
                    "api_budget_percent", "status", "service_report")
    list_filter = ("kind", "status", "restrict_users")
    list_select_related = ("team",)
    fieldsets = (
        (None, {"fields": ("name", "team", "kind", "status", "status_message", "paused_until")}),
        ("Salesforce", {"fields": ("salesforce_login_url", "salesforce_instance_url",
                                   "salesforce_client_id", "salesforce_client_secret")}),
        ("Smartsheet", {"fields": ("smartsheet_api_base", "smartsheet_authorize_url",
                                   "smartsheet_client_id", "smartsheet_client_secret")}),
        ("Sync", {"fields": ("polling_interval_minutes", "restrict_users", "api_budget_percent",
                             "time_zone", "language", "tls_ca_bundle")}),
        ("Service Cloud", {"fields": ("sla_hours", "use_business_hours", "business_hours")}),
    )
    readonly_fields = ("status_message", "paused_until")

    @admin.display(description="Service report")
    def service_report(self, obj):
        if obj.kind != InstallKind.SERVICE_CLOUD:
            return "—"
        return format_html('<a href="{}">SLA and cases</a>',
                           reverse("install_report", args=[obj.pk]))

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        # An admin's installs belong to their own team; only a superuser picks one.
        return [f for f in fields if f != "team" or request.user.is_superuser]

    def get_fieldsets(self, request, obj=None):
        fieldsets = [(name, {**opts, "fields": tuple(
            f for f in opts["fields"] if f != "team" or request.user.is_superuser)})
            for name, opts in self.fieldsets]
        if self.has_change_permission(request, obj):
            return fieldsets
        # View-only pages render fields as text, bypassing the write-only form widgets:
        # secrets are left out entirely.
        return [(name, {**opts, "fields": tuple(f for f in opts["fields"]
                                                 if f not in SECRET_FIELDS)})
                for name, opts in fieldsets]

    def save_model(self, request, obj, form, change):
        """Through the install services: their permission, team and URL checks."""
        fields = {k: v for k, v in form.cleaned_data.items() if k in INSTALL_FIELDS}
        team = form.cleaned_data.get("team") if request.user.is_superuser else None
        if change:
            saved = install_update(user=request.user, install=Install.objects.get(pk=obj.pk),
                                   team=team, **fields)
        else:
            saved = install_create(user=request.user, team=team, **fields)
        obj.pk = saved.pk
        obj.refresh_from_db()


@admin.register(Connection)
class ConnectionAdmin(RoleAdminMixin, admin.ModelAdmin):
    """Who is connected to what. Tokens are never shown, not even encrypted."""

    team_path = "user__team_id"
    change_roles = ()
    allow_delete = True
    list_display = ("user", "install", "service", "identity", "expires_at", "revoked_at", "updated_at")
    list_filter = ("service", ("install", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("user", "install")
    search_fields = ("user__username", "identity")
    fields = ("user", "install", "service", "identity", "identity_name", "instance_url",
              "expires_at", "revoked_at", "created_at", "updated_at")
    readonly_fields = fields

    def has_delete_permission(self, request, obj=None):
        return self._has(request.user, ("is_system_admin",))
