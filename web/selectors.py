"""Reads for the HTML pages (one query per list: annotate, never loop queries)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import OuterRef, Q, QuerySet, Subquery

from connector.models import Connection, Install
from runs.models import Run


def installs_for_user(user) -> QuerySet[Install]:
    """Installs a user works with: their team's (superusers: all), as
    ``workflows.permissions.user_can_see_install`` decides for one install."""
    qs = Install.objects.all()
    if not user.is_superuser:
        qs = qs.filter(team_id=user.team_id) if user.team_id else qs.none()
    return qs.order_by("name")


def team_system_admins(user) -> list:
    """The people a user asks for roles and licences: their team's system admins."""
    if not user.team_id:
        return []
    return list(
        get_user_model().objects.filter(team_id=user.team_id, is_active=True)
        .filter(Q(system_admin=True) | Q(is_superuser=True))
        .order_by("first_name", "last_name", "username")
    )


def connections_by_install(user) -> dict[tuple[int, str], Connection]:
    """The user's connections keyed by (install id, service)."""
    return {(c.install_id, c.service): c for c in Connection.objects.filter(user=user)}


def workflows_with_last_run(workflows: QuerySet) -> QuerySet:
    """Annotate each workflow with its latest run (id, status, times, errors, phase)."""
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


def runs_for_workflow(workflow) -> QuerySet[Run]:
    """A workflow's runs, newest first."""
    return Run.objects.filter(workflow=workflow).order_by("-queued_at", "-id")


def run_records_synced(run: Run) -> int:
    """What the history calls "records synced": every row or record written."""
    return (
        run.rows_added + run.rows_updated + run.rows_moved + run.records_created
        + run.records_updated
    )
