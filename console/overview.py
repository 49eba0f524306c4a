"""The console's home: the team at a glance.

For System Admins every workflow of the team — owner, direction, sheet, object, state
(and why it is paused), open errors, last run, next run — filterable by owner, install,
status and open errors; for System and Connector Admins every install with today's API
use against its budget, its status and pause / resume. A constant number of queries,
whatever the team's size.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django import forms
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.selectors import users_of_team
from audit.selectors import audit_entries_visible_to
from connector.models import Install, InstallStatus
from connector.selectors import installs_visible_to
from console.display import when
from core.numbers import grouped
from runs.models import RunStatus
from runs.scheduling import effective_interval_minutes
from runs.selectors import (
    installs_with_usage_today,
    open_errors_by_workflow,
    workflows_with_last_run,
)
from runs.services import parse_api_usage
from workflows.models import Workflow
from workflows.selectors import workflows_visible_to

#: Overview status filter: what a System Admin asks first.
STATUS_CHOICES = (
    ("", gettext_lazy("Any status")),
    ("failing", gettext_lazy("Failing (last run failed)")),
    ("paused", gettext_lazy("Paused")),
    ("disabled", gettext_lazy("Disabled")),
    ("syncing", gettext_lazy("Syncing normally")),
)


class OverviewFilter(forms.Form):
    owner = forms.ModelChoiceField(queryset=None, required=False, label=gettext_lazy("Owner"),
                                   empty_label=gettext_lazy("Anyone"))
    install = forms.ModelChoiceField(queryset=None, required=False,
                                     label=gettext_lazy("Install"),
                                     empty_label=gettext_lazy("Every install"))
    status = forms.ChoiceField(choices=STATUS_CHOICES, required=False,
                               label=gettext_lazy("Status"))
    open_errors = forms.BooleanField(required=False, label=gettext_lazy("Has open errors"))

    def __init__(self, *args, user, installs, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = users_of_team(team_id=user.team_id)
        self.fields["owner"].label_from_instance = lambda u: u.display_name
        self.fields["install"].queryset = installs


@dataclass
class WorkflowRow:
    workflow: Workflow
    state: str  # "syncing" | "paused" | "disabled"
    reason: str
    open_errors: int
    failing: bool
    next_run: str
    sheet_url: str

    @property
    def last_run_label(self) -> str:
        status = self.workflow.last_run_status
        return str(RunStatus(status).label) if status in RunStatus.values else ""

    @property
    def last_run_when(self) -> str:
        return when(self.workflow.last_run_queued_at)


def _install_pause_reason(install: Install) -> str:
    if install.status == InstallStatus.DISABLED:
        return install.status_message or _("Its install is paused by an admin.")
    if install.status == InstallStatus.PAUSED_LIMIT:
        return install.status_message or _("Its install is paused: API limit reached.")
    return ""


def workflow_state(workflow: Workflow) -> tuple[str, str]:
    """("syncing" | "paused" | "disabled", why it is paused): the owner's account, licence
    or role (``Workflow.paused_reason``) or its install's pause."""
    if not workflow.enabled:
        return "disabled", ""
    reason = workflow.paused_reason or _install_pause_reason(workflow.install)
    return ("paused", reason) if reason else ("syncing", "")


def _next_run(workflow: Workflow, state: str, now: datetime) -> str:
    if state != "syncing":
        return _("Not scheduled")
    if workflow.last_run_status == RunStatus.RUNNING:
        return _("Running now")
    if workflow.last_run_status == RunStatus.QUEUED:
        return _("Queued")
    sync_state = getattr(workflow, "sync_state", None)
    last = sync_state.last_run_at if sync_state is not None else None
    if last is None:
        return _("Due now")
    minutes = effective_interval_minutes(
        install_minutes=workflow.install.polling_interval_minutes,
        workflow_minutes=workflow.polling_interval_minutes)
    due = last + timedelta(minutes=minutes)
    if due <= now:
        return _("Due now")
    return when(due)


def workflow_rows(workflows: list[Workflow], *, now: datetime | None = None) -> list[WorkflowRow]:
    """Each workflow with what the overview says of it (one query for the open errors)."""
    now = now or timezone.now()
    errors = open_errors_by_workflow([w.pk for w in workflows])
    rows = []
    for workflow in workflows:
        state, reason = workflow_state(workflow)
        rows.append(WorkflowRow(
            workflow=workflow, state=state, reason=reason,
            open_errors=errors.get(workflow.pk, 0),
            failing=workflow.last_run_status == RunStatus.FAILED,
            next_run=_next_run(workflow, state, now),
            sheet_url=getattr(workflow, "sheet_permalink", "") or ""))
    return rows


def _keep(row: WorkflowRow, status: str, open_errors: bool) -> bool:
    if open_errors and not row.open_errors:
        return False
    if status == "failing":
        return row.failing
    return not status or row.state == status


@dataclass
class InstallRow:
    install: Install
    used: int | None
    maximum: int | None
    budget: int | None
    budget_share: int | None  # percent of the budget used

    @property
    def usage_text(self) -> str:
        if not self.budget:
            return ""
        return _("%(used)s of %(budget)s (%(share)s %% of the %(percent)s %% budget)") % {
            "used": grouped(self.used),
            "budget": grouped(self.budget), "share": self.budget_share,
            "percent": self.install.api_budget_percent}


def install_rows(installs) -> list[InstallRow]:
    rows = []
    for install in installs:
        parsed = parse_api_usage(install.usage)
        used, maximum = parsed if parsed else (None, None)
        budget = maximum * install.api_budget_percent // 100 if maximum else None
        share = round(100 * used / budget) if budget else None
        rows.append(InstallRow(install=install, used=used, maximum=maximum, budget=budget,
                               budget_share=share))
    return rows


def team_overview(request) -> dict:
    """The index page's context for ``request.user``."""
    user = request.user
    installs = installs_visible_to(user).select_related("team").order_by("name", "id")
    context: dict = {
        "install_rows": install_rows(installs_with_usage_today(installs)),
        "can_manage_installs": user.is_system_admin or user.is_connector_admin,
        "overview_next": reverse("admin:index"),
    }
    if not user.is_system_admin:
        return context
    form = OverviewFilter(request.GET or None, user=user, installs=installs)
    workflows = (workflows_with_last_run(workflows_visible_to(user))
                 .select_related("sync_state").order_by("name", "id"))
    status, open_errors = "", False
    if form.is_valid():
        data = form.cleaned_data
        if data["owner"]:
            workflows = workflows.filter(owner=data["owner"])
        if data["install"]:
            workflows = workflows.filter(install=data["install"])
        status, open_errors = data["status"], data["open_errors"]
    every = workflow_rows(list(workflows))
    rows = [row for row in every if _keep(row, status, open_errors)]
    context.update({
        "filter_form": form,
        "filtered": bool(request.GET),
        "workflow_rows": rows,
        "totals": {
            "workflows": len(every),
            "failing": sum(row.failing for row in every),
            "paused": sum(row.state == "paused" for row in every),
            "open_errors": sum(row.open_errors for row in every),
        },
        "recent_changes": list(audit_entries_visible_to(user)[:8]),
    })
    return context
