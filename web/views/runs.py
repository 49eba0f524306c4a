"""Run history, one run's page (the URL error emails link to), and live progress JSON."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import dateformat
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from connector.models import Connection, Service
from runs.errors import grouped_by_message
from runs.models import FINISHED_STATUSES, Run, RunTrigger, run_phase_label
from runs.selectors import open_errors_of_workflow, run_errors_by_state, runs_of_workflow
from runs.services import RunRefused, run_request_for_user, user_can_run_workflow
from runs.services.limits import api_usage_text
from web.charts import RunPoint, runs_chart_svg
from web.views.workflows import get_visible_workflow
from workflows.selectors import workflows_visible_to

#: Runs drawn in the chart (the most recent ones).
CHART_RUNS = 30


def _run_for_user(request: HttpRequest, run_id: int) -> Run:
    run = (
        Run.objects.select_related("workflow", "workflow__owner", "workflow__install")
        .filter(pk=run_id, workflow__in=workflows_visible_to(request.user))
        .first()
    )
    if run is None:
        raise Http404(_("No such run."))
    return run


def _salesforce_base_url(workflow) -> str:
    """Where record links point: the owner's instance URL, else the install's."""
    url = (
        Connection.objects.filter(
            user_id=workflow.owner_id, install_id=workflow.install_id, service=Service.SALESFORCE
        )
        .values_list("instance_url", flat=True)
        .first()
    )
    return (url or workflow.install.salesforce_instance_url or "").rstrip("/")


@login_required
@require_GET
def run_history(request: HttpRequest, workflow_id: int) -> HttpResponse:
    workflow = get_visible_workflow(request, workflow_id)
    runs = runs_of_workflow(workflow=workflow)
    page = Paginator(runs, 50).get_page(request.GET.get("page"))
    recent = list(runs[:CHART_RUNS])[::-1]
    chart = runs_chart_svg([
        RunPoint(
            # Translators: the date under a run's bar in the chart (Django date format).
            label=dateformat.format(run.queued_at, _("m-d H:i")),
            synced=run.records_synced,
            errors=run.errors_count,
        )
        for run in recent
    ])
    open_errors = list(open_errors_of_workflow(workflow=workflow))
    base = _salesforce_base_url(workflow)
    for error in open_errors:
        if not error.record_url and base and error.record_id:
            error.record_url = f"{base}/{error.record_id}"
    return render(request, "web/run_history.html", {
        "workflow": workflow, "page": page, "chart": mark_safe(chart),  # noqa: S308 - escaped in runs_chart_svg
        "open_groups": grouped_by_message(open_errors), "open_count": len(open_errors),
        "can_run": workflow.enabled and user_can_run_workflow(user=request.user, workflow=workflow),
    })


@login_required
@require_GET
def run_detail(request: HttpRequest, run_id: int) -> HttpResponse:
    """A run: its counts, its errors — new, still open, and those it resolved — grouped
    by identical message, and its conflicts."""
    run = _run_for_user(request, run_id)
    base = _salesforce_base_url(run.workflow)
    errors = run_errors_by_state(run=run)
    for error in [*errors["new"], *errors["still_open"], *errors["resolved"]]:
        if not error.record_url and base and error.record_id:
            error.record_url = f"{base}/{error.record_id}"
    conflicts = list(run.conflicts.all())
    for conflict in conflicts:
        conflict.record_url = f"{base}/{conflict.record_id}" if base and conflict.record_id else ""
    return render(request, "web/run_detail.html", {
        "run": run, "workflow": run.workflow, "conflicts": conflicts,
        "new_groups": grouped_by_message(errors["new"]),
        "still_open_groups": grouped_by_message(errors["still_open"]),
        "resolved": errors["resolved"],
        "error_count": len(errors["new"]) + len(errors["still_open"]),
        "records_synced": run.records_synced,
        "api_usage": api_usage_text(run.salesforce_api_usage),
        "active": run.status not in FINISHED_STATUSES,
    })


@login_required
@require_GET
def run_progress(request: HttpRequest, run_id: int) -> JsonResponse:
    """Small JSON polled every 2 s by pages showing a queued or running sync."""
    run = _run_for_user(request, run_id)
    counts = {
        "records_read": run.records_read, "rows_read": run.rows_read,
        "rows_added": run.rows_added, "rows_updated": run.rows_updated,
        "records_created": run.records_created, "records_updated": run.records_updated,
        "errors": run.errors_count, "conflicts": run.conflicts_count,
    }
    return JsonResponse({
        "id": run.pk,
        "status": run.status,
        "status_label": run.get_status_display(),
        "phase": run.phase,
        "phase_label": run_phase_label(run.phase),
        "finished": run.status in FINISHED_STATUSES,
        "counts": counts,
        "summary": _("%(records)s records read, %(rows)s rows read, %(synced)s synced, "
                     "%(errors)s errors") % {
            "records": run.records_read, "rows": run.rows_read,
            "synced": run.records_synced, "errors": run.errors_count},
    })


@login_required
@require_POST
def workflow_run_now(request: HttpRequest, workflow_id: int) -> HttpResponse:
    """"Run now": queue a run (or join the one already queued) and show its progress.
    ``run_request_for_user`` checks the permission again and says why a run cannot start."""

    workflow = get_visible_workflow(request, workflow_id)
    try:
        run = run_request_for_user(user=request.user, workflow=workflow,
                                   trigger=RunTrigger.MANUAL)
    except RunRefused as exc:
        messages.error(request, _("“%(name)s” cannot run now: %(reason)s")
                       % {"name": workflow.name, "reason": exc.message})
        return redirect("run_history", workflow_id=workflow.pk)
    messages.success(request, _("Run #%(number)s of “%(name)s” is %(status)s.")
                     % {"number": run.pk, "name": workflow.name, "status": run.get_status_display().lower()})
    return redirect("run_history", workflow_id=workflow.pk)
