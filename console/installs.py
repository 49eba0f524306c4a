"""Installs: the form (callback URLs to register, SLA and business hours as fields), today's
API use, pause / resume and a check of what the admin's own connections can do."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

import core.ids  # noqa: F401  (registers the <id:…> converter)
from connector.models import Install, InstallKind, InstallStatus, Service
from connector.services import INSTALL_FIELDS, install_create, install_update
from connector.services.checks import install_check
from connector.services.installs import install_pause, install_resume
from console.common import redirect_back
from console.display import badge
from console.install_form import SECRET_FIELDS, SLA_FIELDS, InstallForm
from console.overview import install_rows
from core.admin import RoleAdminMixin
from runs.selectors import installs_with_usage_today

STATUS_LABELS = {
    InstallStatus.ACTIVE: gettext_lazy("Active"),
    InstallStatus.PAUSED_LIMIT: gettext_lazy("Paused: API limit reached"),
    InstallStatus.DISABLED: gettext_lazy("Paused by an admin"),
}
STATUS_BADGES = {InstallStatus.ACTIVE: "ok", InstallStatus.PAUSED_LIMIT: "warn",
                 InstallStatus.DISABLED: "bad"}


def callback_url(install: Install, service: str) -> str:
    """The OAuth redirect URL to register with ``service`` for ``install``."""
    return settings.PUBLIC_BASE_URL + reverse(
        "connection_callback", kwargs={"install_id": install.pk, "service": service})


@admin.register(Install)
class InstallAdmin(RoleAdminMixin, admin.ModelAdmin):
    form = InstallForm
    # As the install services: System and Connector Admins of the team.
    view_roles = ("is_system_admin", "is_connector_admin")
    change_roles = ("is_system_admin", "is_connector_admin")
    team_path = "team_id"
    allow_add = True
    change_form_template = "admin/connector/install/change_form.html"
    # Plain URL inputs (the admin's own widget repeats every URL as a link above it).
    formfield_overrides = {models.URLField: {"widget": forms.URLInput(
        attrs={"class": "vURLField"})}}
    list_display = ("name", "kind", "status_badge", "api_today", "polling",
                    "workflows_count_display", "service_report")
    list_filter = ("kind", "status", "restrict_users")
    list_select_related = ("team",)
    search_fields = ("name",)
    actions = ("pause_installs", "resume_installs")
    readonly_fields = ("status_badge", "callback_urls")
    fieldsets = (
        (None, {"fields": ("name", "team", "kind", "status_badge")}),
        (gettext_lazy("Callback URLs to register"), {"fields": ("callback_urls",)}),
        ("Salesforce", {"fields": ("salesforce_login_url", "salesforce_instance_url",
                                   "salesforce_client_id", "salesforce_client_secret")}),
        ("Smartsheet", {"fields": ("smartsheet_api_base", "smartsheet_authorize_url",
                                   "smartsheet_client_id", "smartsheet_client_secret")}),
        (gettext_lazy("Syncing"), {"fields": ("polling_interval_minutes", "restrict_users",
                                              "api_budget_percent", "time_zone", "language",
                                              "tls_ca_bundle")}),
        ("Service Cloud", {"fields": (tuple(SLA_FIELDS.values()), "use_business_hours",
                                      "business_days", ("business_start", "business_end"))}),
    )

    def get_queryset(self, request):
        return installs_with_usage_today(super().get_queryset(request))

    # -- columns and read-only fields ----------------------------------------------------
    @admin.display(description=gettext_lazy("Status"), ordering="status")
    def status_badge(self, obj):
        text = badge(STATUS_LABELS.get(obj.status, obj.status), STATUS_BADGES.get(obj.status))
        if obj.status_message:
            return format_html('{}<div class="sf-sub">{}</div>', text, obj.status_message)
        return text

    @admin.display(description=gettext_lazy("Salesforce API today"))
    def api_today(self, obj):
        row = install_rows([obj])[0]
        return row.usage_text or _("not reported")

    @admin.display(description=gettext_lazy("Checks"), ordering="polling_interval_minutes")
    def polling(self, obj):
        return obj.get_polling_interval_minutes_display()

    @admin.display(description=gettext_lazy("Workflows"), ordering="workflows_count")
    def workflows_count_display(self, obj):
        return obj.workflows_count

    @admin.display(description=gettext_lazy("Service report"))
    def service_report(self, obj):
        if obj.kind != InstallKind.SERVICE_CLOUD:
            return "—"
        return format_html('<a href="{}">{}</a>', reverse("install_report", args=[obj.pk]),
                           _("SLA and cases"))

    @admin.display(description=gettext_lazy("Register these"))
    def callback_urls(self, obj):
        if obj is None or obj.pk is None:
            return format_html(
                '<p>{}</p><dl class="sf-callbacks"><dt>Salesforce</dt><dd><code>{}</code></dd>'
                "<dt>Smartsheet</dt><dd><code>{}</code></dd></dl>",
                _("Once saved, this page shows the exact URLs to register as the callback "
                  "URL of your Salesforce Connected App and the redirect URL of your "
                  "Smartsheet app. They look like this, with the install's number:"),
                f"{settings.PUBLIC_BASE_URL}/connections/<number>/salesforce/callback/",
                f"{settings.PUBLIC_BASE_URL}/connections/<number>/smartsheet/callback/")
        return format_html(
            '<dl class="sf-callbacks"><dt>{}</dt><dd><code>{}</code></dd>'
            "<dt>{}</dt><dd><code>{}</code></dd></dl>",
            _("Salesforce Connected App: callback URL"), callback_url(obj, Service.SALESFORCE),
            _("Smartsheet app: redirect URL"), callback_url(obj, Service.SMARTSHEET))

    # -- the form ---------------------------------------------------------------------------
    def get_fieldsets(self, request, obj=None):
        hidden = set() if request.user.is_superuser else {"team"}
        if obj is None:
            hidden.add("status_badge")
        if not self.has_change_permission(request, obj):
            # View-only pages render fields as text, bypassing the write-only widgets.
            hidden.update(SECRET_FIELDS)

        def keep(fields):
            out = []
            for field in fields:
                if isinstance(field, tuple):
                    field = tuple(f for f in field if f not in hidden)
                    if field:
                        out.append(field)
                elif field not in hidden:
                    out.append(field)
            return tuple(out)

        return [(name, {**opts, "fields": keep(opts["fields"])})
                for name, opts in self.fieldsets]

    def save_model(self, request, obj, form, change):
        """Through the install services: their permission, team and URL checks."""
        fields = {k: v for k, v in form.cleaned_data.items() if k in INSTALL_FIELDS}
        fields.pop("status", None)  # status moves by pause / resume and the API limit only
        team = form.cleaned_data.get("team") if request.user.is_superuser else None
        if change:
            saved = install_update(user=request.user, install=Install.objects.get(pk=obj.pk),
                                   team=team, **fields)
        else:
            saved = install_create(user=request.user, team=team, **fields)
        obj.pk = saved.pk
        obj.refresh_from_db()

    # -- pause, resume, check ---------------------------------------------------------------
    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<id:install_id>/pause/", wrap(self.pause_view), name="connector_install_pause"),
            path("<id:install_id>/resume/", wrap(self.resume_view),
                 name="connector_install_resume"),
            path("<id:install_id>/check/", wrap(self.check_view), name="connector_install_check"),
            *super().get_urls(),
        ]

    def _install(self, request, install_id) -> Install:
        install = self.get_queryset(request).filter(pk=install_id).first()
        if install is None:
            raise Http404
        if not self.has_change_permission(request, install):
            raise PermissionDenied
        return install

    def _pause_or_resume(self, request, install_id, service, done):
        if request.method != "POST":
            raise Http404
        install = self._install(request, install_id)
        service(user=request.user, install=install)
        self.message_user(request, done % {"name": install.name}, messages.SUCCESS)
        return redirect_back(request, reverse("admin:connector_install_change",
                                              args=[install.pk]))

    def pause_view(self, request, install_id):
        return self._pause_or_resume(request, install_id, install_pause,
                                     _("“%(name)s” is paused: nothing syncs until it is "
                                       "resumed."))

    def resume_view(self, request, install_id):
        return self._pause_or_resume(request, install_id, install_resume,
                                     _("“%(name)s” syncs again."))

    def check_view(self, request, install_id):
        install = self._install(request, install_id)
        results = install_check(user=request.user, install=install) \
            if request.method == "POST" else None
        return TemplateResponse(request, "console/install_check.html", {
            **self.admin_site.each_context(request), "opts": self.opts, "install": install,
            "title": _("Check “%(name)s”") % {"name": install.name}, "results": results,
            "service_names": dict(Service.choices)})

    @admin.action(description=gettext_lazy("Pause the selected installs"))
    def pause_installs(self, request, queryset):
        for install in queryset:
            install_pause(user=request.user, install=install)
        self.message_user(request, _("Paused: nothing syncs until they are resumed."))

    @admin.action(description=gettext_lazy("Resume the selected installs"))
    def resume_installs(self, request, queryset):
        for install in queryset:
            install_resume(user=request.user, install=install)
        self.message_user(request, _("Resumed."))
