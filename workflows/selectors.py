"""Reads of workflows, scoped to what a user may see."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet

from core.ids import parse_id
from workflows.models import Workflow
from workflows.permissions import user_can_edit_workflow

if TYPE_CHECKING:
    from accounts.models import User


def workflows_visible_to(user: User) -> QuerySet[Workflow]:
    """The user's own workflows; for System and Connector Admins every workflow of their
    team (the dashboard shows admins every team member's workflows, with the owner).

    Superusers see every workflow. Anonymous or inactive users see none.
    """
    qs = Workflow.objects.select_related("owner", "install")
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    if user.is_superuser:
        return qs
    condition = Q(owner=user)
    if (user.system_admin or user.connector_admin) and user.team_id is not None:
        condition |= Q(owner__team_id=user.team_id)
    return qs.filter(condition)


def workflows_of_organization(user: User) -> QuerySet[Workflow]:
    """Every workflow of the user's team, for the organisation-wide list that everyone
    with access to the connector sees (owner, sheet, object, direction, status — never
    errors, values or settings: see ``workflows_visible_to`` for those). Superusers see
    every team's; people without a licence or an admin role see none."""
    qs = Workflow.objects.select_related("owner", "install")
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    if user.is_superuser:
        return qs
    if user.team_id is None or not (user.licensed or user.system_admin
                                    or user.connector_admin):
        return qs.none()
    return qs.filter(owner__team_id=user.team_id)


def workflow_visible_to(*, user: User, workflow_id: int, for_edit: bool = False) -> Workflow:
    """The workflow if ``user`` may see it (``for_edit``: only if they own it).

    Raises ``Workflow.DoesNotExist`` otherwise, so callers answer 404 and never reveal
    that someone else's workflow exists.
    """
    parsed = parse_id(workflow_id)
    if parsed is None:
        raise Workflow.DoesNotExist(f"No workflow {workflow_id!r}.")
    workflow_id = parsed
    workflow = (
        workflows_visible_to(user)
        .prefetch_related("mappings", "filters", "row_groups")
        .get(pk=workflow_id)
    )
    if for_edit and not user_can_edit_workflow(user=user, workflow=workflow):
        raise Workflow.DoesNotExist("Only the owner edits a workflow.")
    return workflow


def workflows_enabled_of(*, user: User, install_id: int) -> QuerySet[Workflow]:
    """``user``'s own enabled workflows on an install: what stops syncing when they
    disconnect from it."""
    return Workflow.objects.filter(owner=user, install_id=install_id,
                                   enabled=True).order_by("name")


def workflows_syncing_sheet(*, user: User, install_id: int, sheet_id: int,
                            exclude_id: int | None = None) -> QuerySet[Workflow]:
    """The workflows of ``user``'s team (as the organisation list shows them) that already
    sync a sheet: two workflows writing the same rows can undo each other's changes."""
    qs = workflows_of_organization(user).filter(install_id=install_id, sheet_id=sheet_id)
    if exclude_id is not None:
        qs = qs.exclude(pk=exclude_id)
    return qs.order_by("name", "id")
