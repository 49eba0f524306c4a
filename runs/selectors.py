"""Reads of runs: a workflow's history, what a user may see, what is in progress,
workflows annotated with their latest run; the figures behind /readyz and /metrics."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from django.db.models import Count, F, IntegerField, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from connector.models import Install
from runs.models import OpenError, Run, RunStatus, RunTally, ServiceHeartbeat, SyncState
from workflows.models import Workflow
from workflows.selectors import workflows_visible_to

if TYPE_CHECKING:
    from accounts.models import User


def runs_of_workflow(*, workflow: Workflow, limit: int | None = None) -> QuerySet[Run]:
    """Runs of ``workflow``, newest first, with their counts (``duration_seconds`` is a
    property of each run; ``error_rows`` / ``conflict_rows`` count the stored rows)."""
    queryset = (
        Run.objects.filter(workflow=workflow)
        .annotate(error_rows=Count("errors", distinct=True),
                  conflict_rows=Count("conflicts", distinct=True))
        .order_by("-queued_at", "-id")
    )
    return queryset[:limit] if limit else queryset


def runs_visible_to(*, user: User) -> QuerySet[Run]:
    """Runs of the workflows the user may see (``workflows_visible_to``: one rule for
    pages, API and admin). Newest first."""
    return (
        Run.objects.select_related("workflow", "workflow__owner")
        .filter(workflow__in=workflows_visible_to(user).values("pk"))
        .order_by("-queued_at", "-id")
    )


def run_active_of_workflow(*, workflow: Workflow) -> Run | None:
    """The queued or running run of ``workflow`` (the running one first), or None."""
    return (
        Run.objects.filter(workflow=workflow, status__in=(RunStatus.RUNNING, RunStatus.QUEUED))
        .order_by("-status", "queued_at").first()
    )


def workflows_with_last_run(workflows: QuerySet[Workflow]) -> QuerySet[Workflow]:
    """``workflows`` annotated with their latest run (id, status, times, errors, phase)
    and their open errors (``open_errors_count``), in one query."""
    latest = Run.objects.filter(workflow=OuterRef("pk")).order_by("-queued_at", "-id")
    open_count = (OpenError.objects.filter(workflow=OuterRef("pk"), resolved_at__isnull=True)
                  .order_by().values("workflow").annotate(n=Count("pk")).values("n"))
    return workflows.select_related("owner", "install").annotate(
        open_errors_count=Coalesce(Subquery(open_count), Value(0)),
        last_run_id=Subquery(latest.values("id")[:1]),
        last_run_status=Subquery(latest.values("status")[:1]),
        last_run_queued_at=Subquery(latest.values("queued_at")[:1]),
        last_run_started_at=Subquery(latest.values("started_at")[:1]),
        last_run_finished_at=Subquery(latest.values("finished_at")[:1]),
        last_run_errors=Subquery(latest.values("errors_count")[:1]),
        last_run_phase=Subquery(latest.values("phase")[:1]),
        last_run_message=Subquery(latest.values("message")[:1]),
    )


def open_errors_by_workflow(workflow_ids) -> dict[int, int]:
    """Workflow id → its open row and record errors, for each of ``workflow_ids`` (0 when
    none). One query."""
    ids = list(workflow_ids)
    if not ids:
        return {}
    counts = dict(OpenError.objects.filter(workflow_id__in=ids, resolved_at__isnull=True)
                  .order_by().values("workflow_id").annotate(n=Count("pk"))
                  .values_list("workflow_id", "n"))
    return {i: counts.get(i, 0) for i in ids}


def _latest_usage(*, since: datetime) -> Subquery:
    """The Salesforce API usage (``"used/max"``) the install's latest run since ``since``
    reported, as a subquery on ``Install``."""
    return Subquery(
        Run.objects.filter(workflow__install_id=OuterRef("pk"), queued_at__gte=since)
        .exclude(salesforce_api_usage="")
        .order_by("-queued_at", "-id")
        .values("salesforce_api_usage")[:1]
    )


def installs_with_usage_today(installs: QuerySet[Install], *, now: datetime | None = None
                              ) -> QuerySet[Install]:
    """``installs`` annotated, in one query, with what today cost: ``usage`` (the org's
    ``"used/max"`` as the latest run of the last 24 hours reported, or ""),
    ``salesforce_calls_today`` / ``smartsheet_calls_today`` (the calls sheetforce's runs
    made since 00:00 UTC) and ``workflows_count``."""
    now = now or timezone.now()
    midnight = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)

    def calls(field: str) -> Coalesce:
        total = (Run.objects.filter(workflow__install_id=OuterRef("pk"),
                                    queued_at__gte=midnight)
                 .order_by().values("workflow__install_id")
                 .annotate(total=Sum(field)).values("total")[:1])
        return Coalesce(Subquery(total, output_field=IntegerField()), Value(0))

    workflows = (Workflow.objects.filter(install_id=OuterRef("pk")).order_by()
                 .values("install_id").annotate(n=Count("pk")).values("n")[:1])
    return installs.annotate(
        usage=Coalesce(_latest_usage(since=now - timedelta(hours=24)), Value("")),
        salesforce_calls_today=calls("salesforce_calls"),
        smartsheet_calls_today=calls("smartsheet_calls"),
        workflows_count=Coalesce(Subquery(workflows, output_field=IntegerField()), Value(0)),
    )


# --- Operations: /readyz and /metrics (a constant number of queries) -------------------

def heartbeats_latest() -> dict[str, datetime]:
    """``BeatingService`` value → when it last beat (absent: never). One query."""
    return dict(ServiceHeartbeat.objects.values_list("service", "beat_at"))


def run_tallies() -> dict[str, RunTally]:
    """Final status → the totals of the runs that ended with it (``RunTally``): absent
    until a run first ends with that status. One query."""
    return {tally.status: tally for tally in RunTally.objects.all()}


def runs_active_counts() -> dict[str, int]:
    """How many runs are queued and running now: ``{"queued": n, "running": m}``. One
    query (the status index)."""
    counts = {str(RunStatus.QUEUED): 0, str(RunStatus.RUNNING): 0}
    rows = (Run.objects.filter(status__in=list(counts)).order_by()
            .values("status").annotate(n=Count("pk")))
    counts.update({row["status"]: row["n"] for row in rows})
    return counts


def installs_api_usage(*, now: datetime | None = None) -> list[dict]:
    """Each install with the Salesforce API usage its latest run of the last 24 hours
    reported (``"used/max"``, or "" when none did): one query.

    ``[{"id", "name", "status", "api_budget_percent", "usage"}]``, ordered by id.
    """
    since = (now or timezone.now()) - timedelta(hours=24)
    return list(
        Install.objects.order_by("pk")
        .annotate(usage=Coalesce(_latest_usage(since=since), Value("")))
        .values("id", "name", "status", "api_budget_percent", "usage")
    )


def open_errors_count() -> int:
    """Row and record errors still open across all workflows (not yet synced cleanly, nor
    out of scope). One query."""
    return OpenError.objects.filter(resolved_at__isnull=True).count()


def owned_column_ids_of(*, workflow_id: int) -> set[int]:
    """The ids of the record id and Sync Error columns the engine tracks for a workflow
    (renamed or not): never offered as a mapping target."""
    row = (SyncState.objects.filter(workflow_id=workflow_id)
           .values_list("salesforce_id_column_id", "sync_error_column_id").first())
    return {i for i in row or () if i is not None}


# --- Open errors --------------------------------------------------------------------------

def open_errors_of_workflow(*, workflow: Workflow) -> QuerySet[OpenError]:
    """The workflow's open errors, by row number (errors without a row last). For the
    dashboard, the run history, the console and ``GET /api/v1/workflows/{id}/errors/``;
    the caller checks the person may see the workflow (``workflows_visible_to``)."""
    return (OpenError.objects.filter(workflow=workflow, resolved_at__isnull=True)
            .order_by(F("row_number").asc(nulls_last=True), "record_name", "id"))


def open_errors_visible_to(*, user: User) -> QuerySet[OpenError]:
    """Open errors of the workflows the user may see (one rule for pages, API and
    admin), with their workflow."""
    return (OpenError.objects.select_related("workflow")
            .filter(workflow__in=workflows_visible_to(user).values("pk"),
                    resolved_at__isnull=True)
            .order_by("workflow_id", F("row_number").asc(nulls_last=True), "id"))


def run_errors_by_state(*, run: Run) -> dict[str, list]:
    """A run's errors as its page shows them: ``new`` (opened by this run, or about no
    row or record), ``still_open`` (open before it, retried and failing again) and
    ``resolved`` (open errors this run closed: synced, or no longer synced)."""
    errors = list(run.errors.select_related("open_error").order_by(
        F("row_number").asc(nulls_last=True), "id"))
    new = [e for e in errors
           if e.open_error is None or e.open_error.first_run_id == run.pk]
    new_ids = {e.pk for e in new}
    return {"new": new, "still_open": [e for e in errors if e.pk not in new_ids],
            "resolved": list(OpenError.objects.filter(resolved_by=run).order_by(
                F("row_number").asc(nulls_last=True), "id"))}
