"""Admin for workflows (here, because its actions start runs) and machine-written run data.

Runs, errors, conflicts and links are written by the engine: read-only, no "add".
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, Subquery
from django.urls import reverse
from django.utils.html import format_html

from core.admin import RoleAdminMixin
from runs.models import Conflict, Link, Run, RunError, RunTrigger
from runs.services import RunRefused, run_request_for_user
from workflows.models import Filter, Mapping, RowGroup, Workflow
from workflows.services import workflow_set_enabled


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


class MappingInline(ReadOnlyInline):
    model = Mapping
    fields = ("salesforce_field", "column_title", "direction", "lookup_field", "new_column")


class FilterInline(ReadOnlyInline):
    model = Filter
    fields = ("side", "field", "operator", "value")


class RowGroupInline(ReadOnlyInline):
    model = RowGroup
    fields = ("level", "field", "value")


@admin.register(Workflow)
class WorkflowAdmin(RoleAdminMixin, admin.ModelAdmin):
    """Every workflow of the admin's team. Configuration changes go through the owner's
    wizard; admins enable, disable and run."""

    team_path = "owner__team_id"
    list_display = ("name", "owner", "install", "salesforce_object", "sheet_name", "direction",
                    "state", "last_run")
    list_filter = ("enabled", "direction", ("install", admin.RelatedOnlyFieldListFilter),
                   "salesforce_object")
    list_select_related = ("owner", "install")
    search_fields = ("name", "sheet_name", "owner__username", "salesforce_object")
    actions = ("enable_workflows", "disable_workflows", "run_workflows_now")
    inlines = (MappingInline, FilterInline, RowGroupInline)
    fields = ("name", "owner", "install", "direction", "salesforce_object", "sheet_id",
              "sheet_name", "enabled", "conflict_policy", "created_at", "updated_at")
    readonly_fields = fields

    def get_queryset(self, request):
        last = Run.objects.filter(workflow=OuterRef("pk")).order_by("-queued_at", "-id")
        return super().get_queryset(request).annotate(
            last_run_id=Subquery(last.values("id")[:1]),
            last_run_status=Subquery(last.values("status")[:1]),
            last_run_at=Subquery(last.values("queued_at")[:1]),
        )

    @admin.display(description="State", ordering="enabled")
    def state(self, obj):
        if not obj.enabled:
            return "Disabled"
        return obj.paused_reason or "Enabled"

    @admin.display(description="Last run", ordering="last_run_at")
    def last_run(self, obj):
        if not getattr(obj, "last_run_id", None):
            return "—"
        url = reverse("admin:runs_run_change", args=[obj.last_run_id])
        return format_html('<a href="{}">{} ({})</a>', url,
                           obj.last_run_at.strftime("%Y-%m-%d %H:%M"), obj.last_run_status)

    def _each(self, request, queryset, action, done: str):
        """Apply ``action`` to each workflow; a refusal (permission, a disabled workflow
        or install) is reported for that workflow and the others go on."""


        ok = 0
        for workflow in queryset:
            try:
                action(workflow)
                ok += 1
            except RunRefused as exc:
                self.message_user(request, f"{workflow}: {exc.message}", messages.ERROR)
            except (PermissionDenied, PermissionError, ValueError) as exc:
                self.message_user(request, f"{workflow}: {exc}", messages.ERROR)
        if ok:
            self.message_user(request, f"{ok} workflow(s) {done}.", messages.SUCCESS)

    @admin.action(description="Enable selected workflows")
    def enable_workflows(self, request, queryset):

        self._each(request, queryset,
                   lambda w: workflow_set_enabled(user=request.user, workflow=w, enabled=True),
                   "enabled")

    @admin.action(description="Disable selected workflows")
    def disable_workflows(self, request, queryset):

        self._each(request, queryset,
                   lambda w: workflow_set_enabled(user=request.user, workflow=w, enabled=False),
                   "disabled")

    @admin.action(description="Run selected workflows now")
    def run_workflows_now(self, request, queryset):

        self._each(request, queryset,
                   lambda w: run_request_for_user(user=request.user, workflow=w,
                                                  trigger=RunTrigger.MANUAL),
                   "queued")


class RunErrorInline(ReadOnlyInline):
    model = RunError
    fields = ("row_number", "row_id", "record_id", "field", "message", "culprit")


class ConflictInline(ReadOnlyInline):
    model = Conflict
    fields = ("record_id", "row_id", "field", "salesforce_value", "smartsheet_value", "winner")


class MachineWrittenAdmin(RoleAdminMixin, admin.ModelAdmin):
    change_roles = ()
    view_roles = ("is_system_admin",)

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Run)
class RunAdmin(MachineWrittenAdmin):
    team_path = "workflow__owner__team_id"
    list_display = ("id", "workflow", "trigger", "status", "queued_at", "started_at",
                    "finished_at", "records_created", "records_updated", "rows_added",
                    "rows_updated", "errors_count", "conflicts_count", "salesforce_calls",
                    "smartsheet_calls")
    list_filter = ("status", "trigger")
    list_select_related = ("workflow",)
    search_fields = ("workflow__name",)
    date_hierarchy = "queued_at"
    inlines = (RunErrorInline, ConflictInline)
    readonly_fields = [f.name for f in Run._meta.fields]


@admin.register(Link)
class LinkAdmin(MachineWrittenAdmin):
    team_path = "workflow__owner__team_id"
    list_display = ("record_id", "row_id", "workflow", "record_stamp", "row_modified_at",
                    "updated_at")
    list_select_related = ("workflow",)
    search_fields = ("=record_id", "=row_id")
    list_filter = (("workflow", admin.RelatedOnlyFieldListFilter),)
    readonly_fields = [f.name for f in Link._meta.fields]

    def get_search_results(self, request, queryset, search_term):
        # row ids are integers: an exact search on a non-numeric term must not crash.
        term = search_term.strip()
        if term.isdigit():
            return queryset.filter(row_id=int(term)) | queryset.filter(record_id=term), False
        return queryset.filter(record_id=term) if term else queryset, False
