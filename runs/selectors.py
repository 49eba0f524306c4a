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
    """Runs the user may see: their own workflows', their team's for a System Admin,
    everything for a superuser. Newest first."""
    queryset = Run.objects.select_related("workflow", "workflow__owner").order_by(
        "-queued_at", "-id"
    )
    if user.is_superuser:
        return queryset
    if user.is_system_admin and user.team_id:
        return queryset.filter(workflow__owner__team_id=user.team_id)
    return queryset.filter(workflow__owner=user)


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
