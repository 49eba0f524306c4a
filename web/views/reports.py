"""Service report pages: per Case workflow (owner, team admins) and per
Service Cloud install (its admins). Thin: permission, one service call, charts."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from connector.models import InstallKind
from connector.selectors import installs_visible_to
from runs.service_cloud.report import ServiceReport
from runs.service_cloud.services import (
    ReportUnavailable,
    service_report_for_install,
    service_report_for_workflow,
)
from web.report_charts import bar_chart_svg
from web.views.workflows import get_visible_workflow


def _charts(report: ServiceReport) -> dict:
    weeks = [(week[5:], round(100 * (c.rate or 0.0), 1))
             for week, c in report.compliance_by_week.items()]
    priorities = [(name, round(100 * (c.rate or 0.0), 1))
                  for name, c in report.compliance_by_priority.items()]
    histogram = [(bucket, float(n)) for bucket, n in report.time_to_close_histogram.items()]
    return {  # escaped in bar_chart_svg
        "week_chart": mark_safe(bar_chart_svg(  # noqa: S308
            weeks, title=_("SLA compliance per week (%)"), unit=" %", max_value=100)),
        "priority_chart": mark_safe(bar_chart_svg(  # noqa: S308
            priorities, title=_("SLA compliance per priority (%)"), unit=" %", max_value=100,
            width=380)),
        "histogram_chart": mark_safe(bar_chart_svg(  # noqa: S308
            histogram, title=_("Time to close (cases per bucket)"))),
    }


def _render(request: HttpRequest, *, title: str, back: tuple[str, str], build) -> HttpResponse:
    error, report, charts, status = "", None, {}, 200
    try:
        report = build()
        charts = _charts(report)
    except ReportUnavailable as exc:
        if exc.status == 404:
            raise Http404(exc.message) from exc
        # 409: a connection is missing (the message names it); 502: Salesforce failed.
        error, status = exc.message, exc.status
    return render(request, "web/service_report.html", {
        "title": title, "back_url": back[0], "back_label": back[1], "report": report,
        "error": error, **charts}, status=status)


@login_required
@require_GET
def workflow_report(request: HttpRequest, workflow_id: int) -> HttpResponse:
    workflow = get_visible_workflow(request, workflow_id)
    if workflow.salesforce_object != "Case":
        raise Http404(_("The service report covers Case workflows only."))
    return _render(request, title=f"Service report: {workflow.name}",
                   back=(f"/workflows/{workflow.pk}/runs/", "Run history"),
                   build=lambda: service_report_for_workflow(workflow=workflow))


@login_required
@require_GET
def install_report(request: HttpRequest, install_id: int) -> HttpResponse:
    user = request.user
    install = (installs_visible_to(user)
               .filter(pk=install_id, kind=InstallKind.SERVICE_CLOUD).first())
    if install is None or not (user.is_system_admin or user.is_connector_admin):
        raise Http404(_("No such install."))
    return _render(request, title=f"Service report: {install.name}", back=("/", "Workflows"),
                   build=lambda: service_report_for_install(install=install, user=user))
