"""Enabling, disabling and deleting workflows."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied

from workflows.models import Workflow
from workflows.permissions import (
    user_can_delete_workflow,
    user_can_set_enabled,
    user_can_view_workflow,
)

if TYPE_CHECKING:
    from accounts.models import User

log = logging.getLogger(__name__)


def require_visible(user: User, workflow: Workflow) -> None:
    """Raise ``Workflow.DoesNotExist`` (an interface answers 404) when ``user`` may not
    see ``workflow``: someone else's workflow is never revealed."""
    if not user_can_view_workflow(user=user, workflow=workflow):
        raise Workflow.DoesNotExist("No such workflow.")


def workflow_set_enabled(*, user: User, workflow: Workflow, enabled: bool) -> Workflow:
    """Enable or disable: the owner, or a System Admin of the owner's team."""
    require_visible(user, workflow)
    if not user_can_set_enabled(user=user, workflow=workflow):
        raise PermissionDenied("Only the owner or a System Admin can enable or disable this workflow.")
    Workflow.objects.filter(pk=workflow.pk).update(enabled=bool(enabled))
    workflow.enabled = bool(enabled)
    log.info("workflow %s %s by user %s", workflow.pk,
             "enabled" if enabled else "disabled", user.pk)
    return workflow


def workflow_delete(*, user: User, workflow: Workflow) -> None:
    """Delete a workflow (owner or System Admin of the team).

    Its links, runs and schedule state go with it (database cascade); the sheet and
    the Salesforce records are never touched.
    """
    require_visible(user, workflow)
    if not user_can_delete_workflow(user=user, workflow=workflow):
        raise PermissionDenied("Only the owner or a System Admin can delete this workflow.")
    workflow_id = workflow.pk
    workflow.delete()
    log.info("workflow %s deleted by user %s", workflow_id, user.pk)
