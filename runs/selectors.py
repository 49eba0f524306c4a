"""Reading runs: history lists, one run with its details, what is in progress; the
figures behind /readyz and /metrics."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import (
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from runs.models import Run, RunError, RunStatus, ServiceHeartbeat


def run_list_for_workflow(*, workflow, limit: int | None = None) -> QuerySet[Run]:
    """Runs of ``workflow``, newest first, with their counts (``duration_seconds`` is a
    property of each run; ``error_rows`` / ``conflict_rows`` count the stored rows)."""
    queryset = (
        Run.objects.filter(workflow=workflow)
        .annotate(error_rows=Count("errors", distinct=True),
                  conflict_rows=Count("conflicts", distinct=True))
        .order_by("-queued_at", "-id")
    )
    return queryset[:limit] if limit else queryset


def run_list_visible_to(*, user) -> QuerySet[Run]:
    """Runs of the workflows the user may see (``workflows_visible_to``: one rule for
    pages, API and admin). Newest first."""
    from workflows.selectors import workflows_visible_to

    return (
        Run.objects.select_related("workflow", "workflow__owner")
        .filter(workflow__in=workflows_visible_to(user).values("pk"))
        .order_by("-queued_at", "-id")
    )


def run_get(*, run_id: int) -> Run | None:
    """One run with its workflow, install and owner loaded, or None."""
    return (
        Run.objects.select_related("workflow", "workflow__install", "workflow__owner")
        .filter(pk=run_id).first()
    )


def run_errors(*, run: Run) -> QuerySet[RunError]:
    return RunError.objects.filter(run=run).order_by("row_number", "id")


def run_active_for_workflow(*, workflow) -> Run | None:
    """The queued or running run of ``workflow`` (the running one first), or None."""
    return (
        Run.objects.filter(workflow=workflow, status__in=(RunStatus.RUNNING, RunStatus.QUEUED))
        .order_by("-status", "queued_at").first()
    )


def run_last_finished(*, workflow) -> Run | None:
    return (
        Run.objects.filter(workflow=workflow, finished_at__isnull=False)
        .order_by("-finished_at", "-id").first()
    )


# --- Operations: /readyz and /metrics (constant queries, aggregated in SQL) -------------

#: Upper bounds (seconds) of the run-duration histogram's buckets (``+Inf`` is implied).
DURATION_BUCKETS = (1, 5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600)


def heartbeats_latest() -> dict[str, datetime]:
    """``BeatingService`` value → when it last beat (absent: never). One query."""
    return dict(ServiceHeartbeat.objects.values_list("service", "beat_at"))


def run_stats_by_status(*, buckets: tuple[int, ...] = DURATION_BUCKETS) -> dict[str, dict]:
    """Per run status, over every stored run (one grouped query)::

        {"succeeded": {"runs": 12, "salesforce_calls": 30, "smartsheet_calls": 25,
                       "timed": 11, "duration_seconds": 85.2, "le": {1: 3, 5: 11, ...}}}

    ``timed`` counts runs with both a start and an end (a run cancelled while queued
    has no duration); ``le[b]`` counts the timed runs that took at most ``b`` seconds.
    """
    timed = Q(started_at__isnull=False, finished_at__isnull=False)
    aggregates = {
        "runs": Count("pk"),
        "salesforce_calls": Sum("salesforce_calls", default=0),
        "smartsheet_calls": Sum("smartsheet_calls", default=0),
        "timed": Count("pk", filter=timed),
        "duration": Sum(ExpressionWrapper(F("finished_at") - F("started_at"),
                                          output_field=DurationField()), filter=timed),
        **{f"le_{bound}": Count("pk", filter=timed & Q(
            finished_at__lte=F("started_at") + timedelta(seconds=bound))) for bound in buckets},
    }
    stats = {}
    for row in Run.objects.order_by().values("status").annotate(**aggregates):
        duration = row["duration"]
        if isinstance(duration, int | float):  # a backend that sums microseconds
            duration = timedelta(microseconds=duration)
        stats[row["status"]] = {
            "runs": row["runs"], "timed": row["timed"],
            "salesforce_calls": row["salesforce_calls"],
            "smartsheet_calls": row["smartsheet_calls"],
            "duration_seconds": duration.total_seconds() if duration else 0.0,
            "le": {bound: row[f"le_{bound}"] for bound in buckets},
        }
    return stats


def installs_api_usage(*, now: datetime | None = None) -> list[dict]:
    """Each install with the Salesforce API usage its latest run of the last 24 hours
    reported (``"used/max"``, or "" when none did): one query.

    ``[{"id", "name", "status", "api_budget_percent", "usage"}]``, ordered by id.
    """
    from connector.models import Install

    since = (now or timezone.now()) - timedelta(hours=24)
    latest_usage = (
        Run.objects.filter(workflow__install_id=OuterRef("pk"), queued_at__gte=since)
        .exclude(salesforce_api_usage="")
        .order_by("-queued_at", "-id")
        .values("salesforce_api_usage")[:1]
    )
    return list(
        Install.objects.order_by("pk")
        .annotate(usage=Coalesce(Subquery(latest_usage), Value("")))
        .values("id", "name", "status", "api_budget_percent", "usage")
    )


def open_errors_count() -> int:
    """Row and record errors still open across all workflows: those of each workflow's
    latest run that finished its sync (succeeded or partial). One query.

    A failed or cancelled run did not retry the open items, so it says nothing about
    them: the run before it still does. To be re-pointed at the stored open errors once
    they have a model of their own.
    """
    from workflows.models import Workflow

    latest_complete = (
        Run.objects.filter(workflow=OuterRef("pk"),
                           status__in=(RunStatus.SUCCEEDED, RunStatus.PARTIAL))
        .order_by("-queued_at", "-id").values("pk")[:1]
    )
    runs = Workflow.objects.order_by().annotate(run_id=Subquery(latest_complete)).values("run_id")
    return RunError.objects.filter(run_id__in=runs).count()
