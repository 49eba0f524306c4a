"""Reads of runs: a workflow's history, what a user may see, what is in progress, and
workflows annotated with their latest run."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Count, OuterRef, QuerySet, Subquery

from runs.models import Run, RunStatus
from workflows.selectors import workflows_visible_to

if TYPE_CHECKING:
    from accounts.models import User
    from workflows.models import Workflow


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
    )
