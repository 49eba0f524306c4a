"""Reads of runs: a workflow's history, what a user may see, what is in progress,
workflows annotated with their latest run; the figures behind /readyz and /metrics."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from connector.models import Install
from runs.models import Run, RunError, RunStatus, RunTally, ServiceHeartbeat, SyncState
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
    """``workflows`` annotated with their latest run (id, status, times, errors, phase),
    in one query."""
    latest = Run.objects.filter(workflow=OuterRef("pk")).order_by("-queued_at", "-id")
    return workflows.select_related("owner", "install").annotate(
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
    none). One query.

    Computed from the runs: the ``errors_count`` of each workflow's latest run that
    finished its sync (succeeded or partial) — every run retries every open item, so that
    run's errors are the ones still open. The one place to re-point at stored open
    errors when they have a model of their own (as :func:`open_errors_count`).
    """
    ids = list(workflow_ids)
    if not ids:
        return {}
    latest_complete = (
        Run.objects.filter(workflow=OuterRef("pk"),
                           status__in=(RunStatus.SUCCEEDED, RunStatus.PARTIAL))
        .order_by("-queued_at", "-id").values("errors_count")[:1]
    )
    rows = (Workflow.objects.filter(pk__in=ids).order_by()
            .annotate(open_errors=Coalesce(Subquery(latest_complete), Value(0)))
            .values_list("pk", "open_errors"))
    return {pk: int(count) for pk, count in rows}


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
    """Row and record errors still open across all workflows: those of each workflow's
    latest run that finished its sync (succeeded or partial). One query.

    A failed or cancelled run did not retry the open items, so it says nothing about
    them: the run before it still does. To be re-pointed at the stored open errors once
    they have a model of their own.
    """
    latest_complete = (
        Run.objects.filter(workflow=OuterRef("pk"),
                           status__in=(RunStatus.SUCCEEDED, RunStatus.PARTIAL))
        .order_by("-queued_at", "-id").values("pk")[:1]
    )
    runs = Workflow.objects.order_by().annotate(run_id=Subquery(latest_complete)).values("run_id")
    return RunError.objects.filter(run_id__in=runs).count()


def owned_column_ids_of(*, workflow_id: int) -> set[int]:
    """The ids of the record id and Sync Error columns the engine tracks for a workflow
    (renamed or not): never offered as a mapping target."""
    row = (SyncState.objects.filter(workflow_id=workflow_id)
           .values_list("salesforce_id_column_id", "sync_error_column_id").first())
    return {i for i in row or () if i is not None}
