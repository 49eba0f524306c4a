"""Workflows: every workflow of the team. Configuration is the owner's (the wizard); System
Admins run, enable, disable, transfer and delete — each through its service."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

import core.ids  # noqa: F401  (registers the <id:…> converter)
from connector.models import InstallStatus
from console.common import ReadOnlyInline, ViewPageAdmin, redirect_back
from console.display import badge, when
from console.overview import workflow_state
from console.transfer import transfer_view
from runs.models import Link, Run, RunStatus, RunTrigger
from runs.scheduling import effective_interval_minutes
from runs.selectors import open_errors_by_workflow, workflows_with_last_run
from runs.services import RunRefused, run_request_for_user
from workflows.models import Filter, Mapping, RowGroup, Workflow
from workflows.permissions import runnable_owner_q
from workflows.services import workflow_delete, workflow_set_enabled

STATE_LABELS = {"syncing": gettext_lazy("Enabled"), "paused": gettext_lazy("Paused"),
                "disabled": gettext_lazy("Disabled")}
STATE_BADGES = {"syncing": "ok", "paused": "warn", "disabled": "muted"}


class StatusFilter(admin.SimpleListFilter):
    title = gettext_lazy("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return (("syncing", _("Enabled and syncing")), ("paused", _("Paused")),
                ("disabled", _("Disabled")), ("failing", _("Last run failed")))

    def queryset(self, request, queryset):
        # The same rule as workflow_state, as a query (Workflow.paused_reason's
        # runnable_owner_q, and the install's status).
        syncing = Q(enabled=True, install__status=InstallStatus.ACTIVE) & runnable_owner_q()
        value = self.value()
        if value == "syncing":
            return queryset.filter(syncing)
        if value == "paused":
            return queryset.filter(enabled=True).exclude(syncing)
        if value == "disabled":
            return queryset.filter(enabled=False)
        if value == "failing":
            return queryset.filter(last_run_status=RunStatus.FAILED)
        return queryset


class MappingInline(ReadOnlyInline):
    model = Mapping
    fields = ("salesforce_field", "column_title", "direction", "lookup_field")
    verbose_name_plural = gettext_lazy("Fields and columns")


class FilterInline(ReadOnlyInline):
    model = Filter
    fields = ("side", "field", "operator", "value")
    verbose_name_plural = gettext_lazy("Filters")


class RowGroupInline(ReadOnlyInline):
    model = RowGroup
    fields = ("level", "field", "value")
    verbose_name_plural = gettext_lazy("Row groups")


@admin.register(Workflow)
class WorkflowAdmin(ViewPageAdmin):
    """Every workflow of the admin's team, read-only; actions call the services."""

    team_path = "owner__team_id"
    allow_delete = True
    change_form_template = "admin/workflows/workflow/change_form.html"
    delete_confirmation_template = "admin/workflows/workflow/delete_confirmation.html"
    delete_selected_confirmation_template = (
        "admin/workflows/workflow/delete_selected_confirmation.html")
    list_display = ("name", "owner_name", "syncs", "state", "last_run")
    list_filter = (StatusFilter, ("owner", admin.RelatedOnlyFieldListFilter),
                   ("install", admin.RelatedOnlyFieldListFilter), "direction")
    list_select_related = ("owner", "install")
    search_fields = ("name", "sheet_name", "owner__username", "owner__first_name",
                     "owner__last_name", "salesforce_object")
    actions = ("run_workflows_now", "enable_workflows", "disable_workflows",
               "transfer_workflows", "delete_selected")
    inlines = (MappingInline, FilterInline, RowGroupInline)
    fieldsets = (
        (None, {"fields": ("name", "owner_name", "install", "state", "syncs", "sheet")}),
        (gettext_lazy("Syncing"), {"fields": ("conflict_policy", "polling", "last_run",
                                              "open_errors", "created", "updated")}),
    )
    readonly_fields = ("name", "owner_name", "install", "state", "syncs", "sheet",
                       "conflict_policy", "polling", "last_run", "open_errors", "created",
                       "updated")

    def get_queryset(self, request):
        return workflows_with_last_run(super().get_queryset(request))

    # -- columns ----------------------------------------------------------------------------
    @admin.display(description=gettext_lazy("Owner"), ordering="owner__first_name")
    def owner_name(self, obj):
        url = reverse("admin:accounts_user_change", args=[obj.owner_id])
        return format_html('<a href="{}">{}</a>', url, obj.owner.display_name)

    @admin.display(description=gettext_lazy("Syncs"), ordering="salesforce_object")
    def syncs(self, obj):
        arrow = {"to_smartsheet": "→", "to_salesforce": "←"}.get(obj.direction, "⇄")
        return format_html('{} <span class="sf-arrow" title="{}">{}</span> {}',
                           obj.salesforce_object, obj.get_direction_display(), arrow,
                           obj.sheet_name or obj.sheet_id)

    @admin.display(description=gettext_lazy("Sheet"))
    def sheet(self, obj):
        name = obj.sheet_name or str(obj.sheet_id)
        url = getattr(obj, "sheet_permalink", "")
        if url:
            return format_html('<a href="{}" rel="noopener noreferrer" target="_blank">{}</a>',
                               url, name)
        return name

    @admin.display(description=gettext_lazy("State"), ordering="enabled")
    def state(self, obj):
        state, reason = workflow_state(obj)
        text = badge(STATE_LABELS[state], STATE_BADGES[state])
        return format_html('{}<div class="sf-sub">{}</div>', text, reason) if reason else text

    @admin.display(description=gettext_lazy("Last run"), ordering="last_run_queued_at")
    def last_run(self, obj):
        if not getattr(obj, "last_run_id", None):
            return _("Never run")
        url = reverse("admin:runs_run_change", args=[obj.last_run_id])
        label = RunStatus(obj.last_run_status).label
        out = format_html('<span class="sf-badge sf-{}">{}</span> <a href="{}">{}</a>',
                          obj.last_run_status, label, url, when(obj.last_run_queued_at))
        if obj.last_run_status == RunStatus.FAILED and obj.last_run_message:
            out = format_html('{}<div class="sf-sub sf-bad">{}</div>', out,
                              obj.last_run_message[:200])
        return out

    @admin.display(description=gettext_lazy("Checks for changes"))
    def polling(self, obj):
        minutes = effective_interval_minutes(
            install_minutes=obj.install.polling_interval_minutes,
            workflow_minutes=obj.polling_interval_minutes)
        return ngettext("every minute", "every %(n)d minutes", minutes) % {"n": minutes}

    @admin.display(description=gettext_lazy("Open errors"))
    def open_errors(self, obj):
        count = open_errors_by_workflow([obj.pk]).get(obj.pk, 0)
        if not count:
            return "0"
        url = reverse("admin:runs_run_changelist") + f"?workflow__id__exact={obj.pk}"
        return format_html('<a class="sf-warn" href="{}">{}</a>', url, count)

    @admin.display(description=gettext_lazy("Created"))
    def created(self, obj):
        return when(obj.created_at)

    @admin.display(description=gettext_lazy("Last changed"))
    def updated(self, obj):
        return when(obj.updated_at)

    # -- deletion: the product's rule and words -------------------------------------------
    def get_deleted_objects(self, objs, request):
        """What goes: the workflows, their runs and links (never the sheet or records).
        Runs and links are the engine's, so Django's per-model check would refuse."""
        workflows = list(objs)
        ids = [w.pk for w in workflows]
        summary = {
            _("workflows"): len(workflows),
            _("runs"): Run.objects.filter(workflow_id__in=ids).count(),
            _("links between rows and records"): Link.objects.filter(
                workflow_id__in=ids).count(),
        }
        names = [f"{w.name} ({w.owner.display_name})" for w in workflows]
        return names, summary, set(), []

    def delete_model(self, request, obj):
        workflow_delete(user=request.user, workflow=obj)

    def delete_queryset(self, request, queryset):
        for workflow in queryset.select_related("owner", "install"):
            workflow_delete(user=request.user, workflow=workflow)

    # -- actions ----------------------------------------------------------------------------
    def _each(self, request, workflows, action, done) -> None:
        """Apply ``action`` to each workflow; a refusal is reported for that workflow and
        the others go on."""
        ok = 0
        for workflow in workflows:
            try:
                action(workflow)
                ok += 1
            except RunRefused as exc:
                self.message_user(request, f"{workflow}: {exc.message}", messages.ERROR)
            except (PermissionDenied, ValueError) as exc:
                self.message_user(request, f"{workflow}: {exc}", messages.ERROR)
        if ok:
            self.message_user(request, done(ok), messages.SUCCESS)

    @admin.action(description=gettext_lazy("Run now"))
    def run_workflows_now(self, request, queryset):
        self._each(request, queryset, lambda w: run_request_for_user(
            user=request.user, workflow=w, trigger=RunTrigger.MANUAL),
            lambda n: ngettext("%(n)d workflow queued.", "%(n)d workflows queued.", n)
            % {"n": n})

    @admin.action(description=gettext_lazy("Enable"))
    def enable_workflows(self, request, queryset):
        self._each(request, queryset, lambda w: workflow_set_enabled(
            user=request.user, workflow=w, enabled=True),
            lambda n: ngettext("%(n)d workflow enabled.", "%(n)d workflows enabled.", n)
            % {"n": n})

    @admin.action(description=gettext_lazy("Disable"))
    def disable_workflows(self, request, queryset):
        self._each(request, queryset, lambda w: workflow_set_enabled(
            user=request.user, workflow=w, enabled=False),
            lambda n: ngettext("%(n)d workflow disabled.", "%(n)d workflows disabled.", n)
            % {"n": n})

    @admin.action(description=gettext_lazy("Transfer to another owner…"))
    def transfer_workflows(self, request, queryset):
        ids = ",".join(str(pk) for pk in queryset.values_list("pk", flat=True))
        return redirect(reverse("admin:workflows_workflow_transfer") + f"?ids={ids}")

    def get_actions(self, request):
        actions = super().get_actions(request)
        if actions.get("delete_selected"):
            func, name, _label = actions["delete_selected"]
            actions["delete_selected"] = (func, name, gettext_lazy("Delete…"))
        return actions

    # -- one workflow's buttons -------------------------------------------------------------
    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("transfer/", wrap(lambda request: transfer_view(self, request)),
                 name="workflows_workflow_transfer"),
            path("<id:workflow_id>/run/", wrap(self.run_view), name="workflows_workflow_run"),
            path("<id:workflow_id>/enable/", wrap(self.enable_view),
                 name="workflows_workflow_enable"),
            path("<id:workflow_id>/disable/", wrap(self.disable_view),
                 name="workflows_workflow_disable"),
            *super().get_urls(),
        ]

    def _one(self, request, workflow_id, action, done: str):
        if request.method != "POST":
            raise Http404
        workflow = self.object_in_scope(request, workflow_id)
        self._each(request, [workflow], action, lambda n: done)
        return redirect_back(request, reverse("admin:workflows_workflow_change",
                                              args=[workflow.pk]))

    def run_view(self, request, workflow_id):
        return self._one(request, workflow_id, lambda w: run_request_for_user(
            user=request.user, workflow=w, trigger=RunTrigger.MANUAL), _("Queued a run."))

    def enable_view(self, request, workflow_id):
        return self._one(request, workflow_id, lambda w: workflow_set_enabled(
            user=request.user, workflow=w, enabled=True), _("Enabled."))

    def disable_view(self, request, workflow_id):
        return self._one(request, workflow_id, lambda w: workflow_set_enabled(
            user=request.user, workflow=w, enabled=False), _("Disabled."))

    def get_changelist_instance(self, request):
        changelist = super().get_changelist_instance(request)
        changelist.title = _("Workflows of the team")
        return changelist

