"""Enabling, disabling and deleting workflows (each recorded in the audit log)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from audit.models import AuditAction
from workflows.models import Workflow
from workflows.permissions import (
    user_can_delete_workflow,
    user_can_set_enabled,
    user_can_view_workflow,
)
from workflows.services.auditing import workflow_audit, workflow_audit_state

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
        raise PermissionDenied(_("Only the owner or a System Admin can enable or disable this workflow."))
    with transaction.atomic():
        changed = Workflow.objects.filter(pk=workflow.pk).exclude(
            enabled=bool(enabled)).update(enabled=bool(enabled))
        workflow.enabled = bool(enabled)
        if changed:
            workflow_audit(actor=user, workflow=workflow, before={"enabled": not enabled},
                           after={"enabled": bool(enabled)},
                           action=AuditAction.WORKFLOW_ENABLE if enabled
                           else AuditAction.WORKFLOW_DISABLE)
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
        raise PermissionDenied(_("Only the owner or a System Admin can delete this workflow."))
    workflow_id = workflow.pk
    with transaction.atomic():
        workflow_audit(actor=user, action=AuditAction.WORKFLOW_DELETE, workflow=workflow,
                       before=workflow_audit_state(workflow))
        workflow.delete()
    log.info("workflow %s deleted by user %s", workflow_id, user.pk)
