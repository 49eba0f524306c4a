"""Runs and links: what the engine wrote, read-only, in words and tables (no JSON)."""

from __future__ import annotations

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from console.common import MachineWrittenAdmin, ReadOnlyInline
from console.display import value_html, values_table, when
from core.numbers import grouped
from runs.models import Conflict, Link, Run, RunError
from runs.services import parse_api_usage
from runs.services.limits import api_usage_text

COUNT_LABELS = (
    ("records_read", gettext_lazy("Salesforce records read")),
    ("rows_read", gettext_lazy("Sheet rows read")),
    ("rows_added", gettext_lazy("Rows added")),
    ("rows_updated", gettext_lazy("Rows updated")),
    ("rows_moved", gettext_lazy("Rows moved")),
    ("rows_removed", gettext_lazy("Rows removed")),
    ("records_created", gettext_lazy("Records created")),
    ("records_updated", gettext_lazy("Records updated")),
    ("unlinked", gettext_lazy("Unlinked")),
    ("errors_count", gettext_lazy("Errors")),
    ("conflicts_count", gettext_lazy("Conflicts")),
)


class RunErrorInline(ReadOnlyInline):
    model = RunError
    fields = ("row_number", "record_id", "field", "message", "culprit")
    verbose_name_plural = gettext_lazy("Errors")


class ConflictInline(ReadOnlyInline):
    model = Conflict
    fields = ("record_id", "field", "salesforce", "smartsheet", "winner")
    readonly_fields = ("salesforce", "smartsheet")
    verbose_name_plural = gettext_lazy("Conflicts")

    @admin.display(description=gettext_lazy("Salesforce value"))
    def salesforce(self, obj):
        return value_html(obj.salesforce_value)

    @admin.display(description=gettext_lazy("Smartsheet value"))
    def smartsheet(self, obj):
        return value_html(obj.smartsheet_value)


@admin.register(Run)
class RunAdmin(MachineWrittenAdmin):
    team_path = "workflow__owner__team_id"
    list_display = ("title", "status_badge", "queued", "duration", "written", "errors",
                    "salesforce", "smartsheet")
    list_filter = ("status", "trigger", ("workflow", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("workflow",)
    search_fields = ("workflow__name",)
    date_hierarchy = "queued_at"
    inlines = (RunErrorInline, ConflictInline)
    fieldsets = (
        (None, {"fields": ("workflow_link", "status_badge", "trigger_label", "message")}),
        (gettext_lazy("When"), {"fields": ("queued", "started", "finished", "duration")}),
        (gettext_lazy("What it did"), {"fields": ("counts",)}),
        (gettext_lazy("API calls"), {"fields": ("calls",)}),
        (gettext_lazy("Plan"), {"fields": ("plan",)}),
    )
    readonly_fields = ("workflow_link", "status_badge", "trigger_label", "message", "queued",
                       "started", "finished", "duration", "counts", "calls", "plan")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("workflow", "workflow__owner")

    @admin.display(description=gettext_lazy("Run"), ordering="-id")
    def title(self, obj):
        return format_html("{} <span class=\"sf-sub\">#{}</span>", obj.workflow.name, obj.pk)

    @admin.display(description=gettext_lazy("Status"), ordering="status")
    def status_badge(self, obj):
        return format_html('<span class="sf-badge sf-{}">{}</span>', obj.status,
                           obj.get_status_display())

    @admin.display(description=gettext_lazy("Queued"), ordering="queued_at")
    def queued(self, obj):
        return when(obj.queued_at)

    @admin.display(description=gettext_lazy("Started"))
    def started(self, obj):
        return when(obj.started_at)

    @admin.display(description=gettext_lazy("Finished"))
    def finished(self, obj):
        return when(obj.finished_at)

    @admin.display(description=gettext_lazy("Duration"))
    def duration(self, obj):
        seconds = obj.duration_seconds
        if seconds is None:
            return "—"
        if seconds < 60:
            return _("%(s).1f s") % {"s": seconds}
        return _("%(m)d min %(s)02d s") % {"m": seconds // 60, "s": seconds % 60}

    @admin.display(description=gettext_lazy("Written"))
    def written(self, obj):
        return grouped(obj.records_synced)

    @admin.display(description=gettext_lazy("Errors"), ordering="errors_count")
    def errors(self, obj):
        return grouped(obj.errors_count)

    @admin.display(description=gettext_lazy("Salesforce calls"), ordering="salesforce_calls")
    def salesforce(self, obj):
        return grouped(obj.salesforce_calls)

    @admin.display(description=gettext_lazy("Smartsheet calls"), ordering="smartsheet_calls")
    def smartsheet(self, obj):
        return grouped(obj.smartsheet_calls)

    @admin.display(description=gettext_lazy("Workflow"))
    def workflow_link(self, obj):
        url = reverse("admin:workflows_workflow_change", args=[obj.workflow_id])
        return format_html('<a href="{}">{}</a> · <a href="{}">{}</a>', url, obj.workflow.name,
                           reverse("run_detail", args=[obj.pk]), _("this run in sheetforce"))

    @admin.display(description=gettext_lazy("Trigger"))
    def trigger_label(self, obj):
        label = obj.get_trigger_display()
        return _("%(trigger)s (full reconciliation)") % {"trigger": label} if obj.full else label

    @admin.display(description=gettext_lazy("What it did"))
    def counts(self, obj):
        return values_table({str(label): getattr(obj, name) for name, label in COUNT_LABELS})

    @admin.display(description=gettext_lazy("API calls"))
    def calls(self, obj):
        data = {"Salesforce": obj.salesforce_calls, "Smartsheet": obj.smartsheet_calls}
        if parse_api_usage(obj.salesforce_api_usage):
            data[_("The org's daily API use after this run")] = api_usage_text(
                obj.salesforce_api_usage)
        return values_table(data)

    @admin.display(description=gettext_lazy("Plan"))
    def plan(self, obj):
        return values_table(obj.summary or {}, empty=_("No plan recorded."))


@admin.register(Link)
class LinkAdmin(MachineWrittenAdmin):
    team_path = "workflow__owner__team_id"
    list_display = ("record_id", "row_id", "workflow", "synced")
    list_select_related = ("workflow",)
    search_fields = ("=record_id", "=row_id")
    list_filter = (("workflow", admin.RelatedOnlyFieldListFilter),)
    fields = ("workflow", "record_id", "row_id", "parent_row_id", "values", "record_stamp",
              "row_modified_at", "created_at", "updated_at")
    readonly_fields = fields

    @admin.display(description=gettext_lazy("Last synced"), ordering="updated_at")
    def synced(self, obj):
        return when(obj.updated_at)

    @admin.display(description=gettext_lazy("Values last synced"))
    def values(self, obj):
        return values_table(obj.snapshot or {})

    def get_search_results(self, request, queryset, search_term):
        # row ids are integers: an exact search on a non-numeric term must not crash.
        term = search_term.strip()
        if term.isdigit():
            return queryset.filter(row_id=int(term)) | queryset.filter(record_id=term), False
        return queryset.filter(record_id=term) if term else queryset, False

