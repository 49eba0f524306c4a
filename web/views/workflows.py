"""Dashboard and the Settings menu actions: rename, enable/disable, delete.

Visibility comes from ``workflows.selectors`` (someone else's workflow is a 404); what a
user may do to a visible workflow comes from ``workflows.permissions``, and the services
check it again, so a hand-made POST is refused even when the button is not shown.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.selectors import system_admins_of_team
from connector.selectors import installs_visible_to
from runs.models import RunStatus
from runs.selectors import workflows_with_last_run
from web.wizard.session import SAVED_BANNER_KEY
from workflows import permissions
from workflows.models import Workflow
from workflows.selectors import (
    workflow_visible_to,
    workflows_of_organization,
    workflows_visible_to,
)
from workflows.services import (
    WorkflowValidationError,
    workflow_delete,
    workflow_rename,
    workflow_set_enabled,
)


def status_label(status: str | None) -> str:
    """A run status as people read it ("Succeeded with errors"), "" for none."""
    return str(RunStatus(status).label) if status in RunStatus.values else ""


def get_visible_workflow(request: HttpRequest, workflow_id: int, *, for_edit: bool = False) -> Workflow:
    """The workflow if the user may see (or, ``for_edit``, edit) it; 404 otherwise."""
    try:
        return workflow_visible_to(user=request.user, workflow_id=workflow_id, for_edit=for_edit)
    except Workflow.DoesNotExist:
        raise Http404(_("No such workflow.")) from None


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    user = request.user
    workflows = list(workflows_with_last_run(workflows_visible_to(user)))
    for wf in workflows:
        wf.can_edit = permissions.user_can_edit_workflow(user=user, workflow=wf)
        wf.can_set_enabled = permissions.user_can_set_enabled(user=user, workflow=wf)
        wf.can_delete = permissions.user_can_delete_workflow(user=user, workflow=wf)
        wf.is_active_run = wf.last_run_status in ("queued", "running")
        wf.last_run_status_label = status_label(wf.last_run_status)
    installs = list(installs_visible_to(user).order_by("name"))
    creatable, refusals = [], []
    for install in installs:
        allowed, reason = permissions.user_can_create_workflows(user=user, install=install)
        (creatable if allowed else refusals).append((install, reason))
    # Set by the wizard's Save step, shown once: the workflow saved and its first run.
    saved = request.session.pop(SAVED_BANNER_KEY, None)
    return render(request, "web/dashboard.html", {
        "saved": saved,
        "workflows": workflows,
        "show_owner": user.is_system_admin or user.is_connector_admin,
        "can_create": bool(creatable),
        "refusals": refusals,
        "installs": installs,
        "admins": list(system_admins_of_team(team_id=user.team_id)),
    })


@login_required
@require_GET
def organization_page(request: HttpRequest) -> HttpResponse:
    """Every workflow of the team: owner, sheet, object, direction, status, last run.
    Enable and disable where the person may (the owner; System and Connector Admins)."""
    user = request.user
    workflows = list(workflows_with_last_run(workflows_of_organization(user))
                     .order_by("owner__first_name", "owner__username", "name", "id"))
    for wf in workflows:
        wf.can_set_enabled = permissions.user_can_set_enabled(user=user, workflow=wf)
        wf.is_mine = wf.owner_id == user.pk
        wf.last_run_status_label = status_label(wf.last_run_status)
    return render(request, "web/organization.html", {"workflows": workflows})


class RenameForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Workflow name"), max_length=200)


@login_required
@require_http_methods(["GET", "POST"])
def workflow_rename_page(request: HttpRequest, workflow_id: int) -> HttpResponse:

    workflow = get_visible_workflow(request, workflow_id, for_edit=True)
    form = RenameForm(request.POST or None, initial={"name": workflow.name})
    if request.method == "POST" and form.is_valid():
        try:
            workflow_rename(user=request.user, workflow=workflow, name=form.cleaned_data["name"])
        except WorkflowValidationError as exc:
            for field, errors in exc.errors.items():
                for error in errors:
                    form.add_error("name" if field in ("name", "__all__") else None, error)
        else:
            messages.success(request, _("Renamed to “%(name)s”.") % {"name": form.cleaned_data["name"]})
            return redirect("dashboard")
    return render(request, "web/workflow_rename.html", {"workflow": workflow, "form": form})


@login_required
@require_POST
def workflow_set_enabled_action(request: HttpRequest, workflow_id: int) -> HttpResponse:

    workflow = get_visible_workflow(request, workflow_id)
    enabled = request.POST.get("enabled") == "1"
    if not permissions.user_can_set_enabled(user=request.user, workflow=workflow):
        raise PermissionDenied(_("You cannot change this workflow."))
    workflow_set_enabled(user=request.user, workflow=workflow, enabled=enabled)
    messages.success(request, (_("“%(name)s” is enabled.") if enabled else
                              _("“%(name)s” is disabled.")) % {"name": workflow.name})
    back = request.POST.get("next", "")
    if back and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()},
                                                require_https=request.is_secure()):
        return redirect(back)
    return redirect("dashboard")


@login_required
@require_http_methods(["GET", "POST"])
def workflow_delete_page(request: HttpRequest, workflow_id: int) -> HttpResponse:

    workflow = get_visible_workflow(request, workflow_id)
    if not permissions.user_can_delete_workflow(user=request.user, workflow=workflow):
        raise PermissionDenied(_("You cannot delete this workflow."))
    if request.method == "POST":
        name = workflow.name
        workflow_delete(user=request.user, workflow=workflow)
        messages.success(request, _("Deleted “%(name)s”.") % {"name": name})
        return redirect("dashboard")
    return render(request, "web/workflow_delete.html", {"workflow": workflow})
