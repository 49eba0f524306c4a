"""The audit log, read-only: who changed what, when, before → after (System Admins)."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import admin
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from audit.models import AuditEntry, AuditTarget
from audit.selectors import audit_entries_visible_to
from console.display import changes_table, label, value_html
from core.admin import RoleAdminMixin

#: Target kind → the console page of one target.
TARGET_PAGES = {AuditTarget.INSTALL: "admin:connector_install_change",
                AuditTarget.USER: "admin:accounts_user_change",
                AuditTarget.WORKFLOW: "admin:workflows_workflow_change",
                AuditTarget.CONNECTION: "admin:connector_connection_change"}


class WhenFilter(admin.SimpleListFilter):
    """Days as people say them: today, yesterday, the past week (in the console's time
    zone)."""

    title = _("when")
    parameter_name = "when"

    def lookups(self, request, model_admin):
        return (("today", _("Today")), ("yesterday", _("Yesterday")),
                ("week", _("Past 7 days")))

    def queryset(self, request, queryset):
        midnight = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
        value = self.value()
        if value == "today":
            return queryset.filter(at__gte=midnight)
        if value == "yesterday":
            return queryset.filter(at__gte=midnight - timedelta(days=1), at__lt=midnight)
        if value == "week":
            return queryset.filter(at__gte=midnight - timedelta(days=6))
        return queryset


def short(value, limit: int = 40) -> str:
    text = str(value_html(value))
    return text if len(text) <= limit else text[: limit - 1] + "…"


@admin.register(AuditEntry)
class AuditEntryAdmin(RoleAdminMixin, admin.ModelAdmin):
    view_roles = ("is_system_admin",)
    change_roles = ()
    list_display = ("moment", "who", "action", "target", "summary")
    list_filter = (WhenFilter, "action", "target_type",
                   ("actor", admin.RelatedOnlyFieldListFilter))
    date_hierarchy = "at"
    search_fields = ("target_label", "actor_name")
    fields = ("moment", "who", "action", "target", "changes")
    readonly_fields = fields
    list_per_page = 50

    def get_changelist_instance(self, request):
        changelist = super().get_changelist_instance(request)
        changelist.title = _("Audit log")
        return changelist

    def get_queryset(self, request):
        # The one rule of who reads the log (the API uses it too).
        return audit_entries_visible_to(request.user)

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("When"), ordering="at")
    def moment(self, obj):
        return date_format(timezone.localtime(obj.at), "j M Y H:i:s")

    @admin.display(description=_("Who"), ordering="actor_name")
    def who(self, obj):
        return obj.actor_name or "—"

    @admin.display(description=_("Changed"), ordering="target_label")
    def target(self, obj):
        page = TARGET_PAGES.get(obj.target_type)
        kind = obj.get_target_type_display()
        if page and obj.target_id and obj.action not in ("workflow.delete",
                                                         "connection.disconnect"):
            try:
                url = reverse(page, args=[obj.target_id])
            except NoReverseMatch:
                url = ""
            if url:
                return format_html('<a href="{}">{}</a> <span class="sf-sub">{}</span>', url,
                                   obj.target_label, kind)
        return format_html('{} <span class="sf-sub">{}</span>', obj.target_label, kind)

    @admin.display(description=_("What changed"))
    def summary(self, obj):
        """"Licensed: No → Yes" for a few short values; the entry's page has them all."""
        keys = [*obj.after, *(k for k in obj.before if k not in obj.after)]
        parts = []
        for key in keys[:3]:
            old, new = obj.before.get(key), obj.after.get(key)
            if any(isinstance(v, dict | list) for v in (old, new)):
                parts.append(label(key))
            else:
                parts.append(f"{label(key)}: {short(old)} → {short(new)}")
        return "; ".join(parts) + ("; …" if len(keys) > 3 else "")

    @admin.display(description=_("Before → after"))
    def changes(self, obj):
        return changes_table(obj.before or {}, obj.after or {})
