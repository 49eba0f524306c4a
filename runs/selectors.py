"""Reading runs: history lists, one run with its details, what is in progress."""

from __future__ import annotations

from django.db.models import Count, QuerySet

from runs.models import Run, RunError, RunStatus


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
