"""The service report, read live: one paged SOQL query, then the pure :func:`service_report`.

Per workflow the query runs through the *owner's* Salesforce connection with the
workflow's Salesforce filters (compiled by the engine's SOQL builder, so the report
covers exactly the cases the workflow syncs); per install through the viewing admin's
own connection over every case or, when they have none, through the connection of an
owner of one of the install's Case workflows (a System Admin need not be connected to
Salesforce to see their team's service). Nothing is cached: the numbers are as of the
request.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from connector.clients import ClientError
from connector.models import Connection, Service
from connector.services import ConnectionMissing, salesforce_client_for
from runs.engine import soql
from runs.engine.convert import FieldInfo
from runs.service_cloud.metrics import BusinessHours
from runs.service_cloud.report import REPORT_FIELDS, ServiceReport, service_report
from workflows.models import Workflow
from workflows.permissions import runnable_owner_q

REPORT_OBJECT = "Case"


class ReportUnavailable(Exception):
    """The report cannot be built (not a Case workflow, no connection, Salesforce failed);
    ``message`` says what a user can do."""

    def __init__(self, message: str, status: int = 409) -> None:
        self.message = message
        self.status = status
        super().__init__(message)


def _business(install) -> BusinessHours | None:
    if not install.use_business_hours:
        return None
    return BusinessHours.from_settings(install.business_hours or {}, install.time_zone or "UTC")


def _filter_infos(workflow, client) -> dict[str, FieldInfo]:
    """Field types of the filters' fields: from the run's field cache when it has them
    (no call), else one describe."""
    names = {f.field for f in workflow.filters.all() if f.side == "salesforce"
             and "." not in f.field}
    if not names:
        return {}
    state = getattr(workflow, "sync_state", None)
    cached = ((state.field_cache or {}).get("fields") or {}) if state is not None else {}
    if names <= set(cached):
        return {n: FieldInfo.from_dict(cached[n]) for n in names}
    describe = client.describe(REPORT_OBJECT)
    by_name = {f["name"].lower(): f for f in describe.get("fields", [])}
    return {n: FieldInfo.from_describe(by_name[n.lower()]) for n in names
            if n.lower() in by_name}


def report_query_for_workflow(workflow, infos: dict[str, FieldInfo]) -> str:
    """The report's one query for ``workflow`` (pure given the field types)."""
    filters = [(f.field, f.operator, f.value, infos.get(f.field) or FieldInfo(name=f.field))
               for f in workflow.filters.all() if f.side == "salesforce"]
    return soql.build_select_query(object_name=REPORT_OBJECT, fields=REPORT_FIELDS,
                                   filters=filters)


def _records(client, query: str) -> Iterator[dict]:
    for page in client.query_pages(query):
        yield from page


def _run(client, query: str, install, now: datetime | None) -> ServiceReport:

    try:
        return service_report(_records(client, query), now=now or timezone.now(),
                              sla_hours=dict(install.sla_hours or {}),
                              business=_business(install))
    except ClientError as exc:
        raise ReportUnavailable(_("Salesforce failed: %(reason)s") % {"reason": exc.message},
                                502) from exc


def service_report_for_workflow(*, workflow, now: datetime | None = None) -> ServiceReport:
    """The report over the cases ``workflow`` syncs, read as its owner."""

    if workflow.salesforce_object != REPORT_OBJECT:
        raise ReportUnavailable(_("The service report covers Case workflows only."), 404)
    try:
        client = salesforce_client_for(user=workflow.owner, install=workflow.install)
    except ConnectionMissing as exc:
        raise ReportUnavailable(_("%(reason)s (the workflow owner's connection).")
                                % {"reason": exc.message}) from exc
    try:
        infos = _filter_infos(workflow, client)
    except ClientError as exc:
        raise ReportUnavailable(_("Salesforce failed: %(reason)s") % {"reason": exc.message},
                                502) from exc
    report = _run(client, report_query_for_workflow(workflow, infos), workflow.install, now)
    report.read_as = workflow.owner.display_name
    return report


def install_report_reader(*, install, user):
    """Whose Salesforce connection reads the install report for ``user`` (an admin): their
    own when they have a live one, else that of an owner (who may sync) of one of the
    install's Case workflows. Raises :class:`ReportUnavailable` (409) naming what is
    missing."""
    live = Connection.objects.filter(install=install, service=Service.SALESFORCE,
                                     revoked_at__isnull=True).exclude(access_token="")
    if live.filter(user=user).exists():
        return user
    # Only an owner who may sync lends their sign-in (as for the real-time listener).
    owners = (Workflow.objects.filter(runnable_owner_q(), install=install,
                                      salesforce_object=REPORT_OBJECT)
              .select_related("owner").order_by("-enabled", "id"))
    connected = set(live.values_list("user_id", flat=True))
    names = []
    for workflow in owners:
        if workflow.owner_id in connected:
            return workflow.owner
        names.append(workflow.owner.display_name)
    if names:
        raise ReportUnavailable(
            _("No Salesforce connection can read this install's cases: neither yours nor "
              "those of its Case workflows' owners (%(names)s) is live. Connect your "
              "Salesforce account on the Connections page, or ask one of them to reconnect.")
            % {"names": ", ".join(sorted(set(names)))})
    raise ReportUnavailable(
        _("No Salesforce connection can read this install's cases: you are not connected "
        "and it has no Case workflow. Connect your Salesforce account on the Connections "
        "page."))


def service_report_for_install(*, install, user, now: datetime | None = None) -> ServiceReport:
    """The report over every case of the install's org, read through
    :func:`install_report_reader`'s connection."""

    reader = install_report_reader(install=install, user=user)
    try:
        client = salesforce_client_for(user=reader, install=install)
    except ConnectionMissing as exc:
        raise ReportUnavailable(f"{exc.message} ({reader.display_name}'s connection).") from exc
    query = soql.build_select_query(object_name=REPORT_OBJECT, fields=REPORT_FIELDS)
    report = _run(client, query, install, now)
    report.read_as = reader.display_name
    return report


def report_as_dict(report: ServiceReport) -> dict:
    """The report as JSON-ready data (the REST endpoint's body)."""
    def compliance(c) -> dict:
        return {"met": c.met, "breached": c.breached,
                "rate": None if c.rate is None else round(c.rate, 4)}

    def ranked(items) -> list[dict]:
        return [{"name": name, "cases": count} for name, count in items]

    return {
        "total_cases": report.total_cases,
        "open_cases": report.open_cases,
        "closed_cases": report.closed_cases,
        "escalated_cases": report.escalated_cases,
        "compliance_by_priority": {k: compliance(v)
                                   for k, v in report.compliance_by_priority.items()},
        "compliance_by_week": {k: compliance(v) for k, v in report.compliance_by_week.items()},
        "time_to_close": {
            "median_hours": None if report.time_to_close_median is None
            else round(report.time_to_close_median, 2),
            "p90_hours": None if report.time_to_close_p90 is None
            else round(report.time_to_close_p90, 2),
            "histogram": [{"bucket": k, "cases": v}
                          for k, v in report.time_to_close_histogram.items()],
        },
        "at_risk": list(report.at_risk),
        "escalations_by_account": ranked(report.escalations_by_account),
        "top_accounts": ranked(report.top_accounts),
        "top_contacts": ranked(report.top_contacts),
    }
