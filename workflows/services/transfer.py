"""Handing a workflow to another member of its team (a leaver's workflows, a reorg).

The workflow keeps everything — links, run history, open errors, settings — and only its
owner changes: later runs read and write through the new owner's connections.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from audit.models import AuditAction
from connector.models import InstallKind, Service
from connector.services import SERVICE_NAMES, ConnectionMissing, connection_get
from workflows.models import Workflow
from workflows.permissions import user_can_transfer_workflow
from workflows.services.auditing import workflow_audit
from workflows.services.state import require_visible

if TYPE_CHECKING:
    from accounts.models import User

log = logging.getLogger(__name__)


class TransferRefused(ValueError):
    """The new owner cannot take the workflow over; ``message`` says why and what to do."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


def transfer_refusal(*, workflow: Workflow, new_owner: User) -> str | None:
    """Why ``new_owner`` may not own ``workflow``, or None: they must be another active,
    licensed member of the owner's team, hold the role the install requires, and have
    live Salesforce and Smartsheet connections on the install (the runs act as them)."""
    name = new_owner.get_full_name() or new_owner.username
    install = workflow.install
    if new_owner.pk == workflow.owner_id:
        return _("%(name)s already owns this workflow.") % {"name": name}
    if new_owner.team_id is None or new_owner.team_id != workflow.owner.team_id:
        return _("%(name)s is not on this workflow's team.") % {"name": name}
    if not new_owner.is_active:
        return _("%(name)s's account is deactivated.") % {"name": name}
    if not new_owner.is_licensed:
        return _("%(name)s has no licence: give them one first.") % {"name": name}
    if install.restrict_users:
        if install.kind == InstallKind.SERVICE_CLOUD and not new_owner.is_service_cloud_user:
            return _("%(install)s is restricted to Service Cloud users: give %(name)s the "
                     "Service Cloud user role first.") % {"install": install.name, "name": name}
        if install.kind == InstallKind.SALESFORCE and not new_owner.is_salesforce_user:
            return _("%(install)s is restricted to Salesforce users: give %(name)s the "
                     "Salesforce user role first.") % {"install": install.name, "name": name}
    for service in (Service.SALESFORCE, Service.SMARTSHEET):
        try:
            connection_get(user=new_owner, install=install, service=service)
        except ConnectionMissing:
            return _("%(name)s has no live %(service)s connection on %(install)s: they "
                     "connect on their Connections page first.") % {
                "name": name, "service": SERVICE_NAMES[service], "install": install.name}
    return None


def workflow_transfer(*, actor: User, workflow: Workflow, new_owner: User) -> Workflow:
    """Make ``new_owner`` the owner of ``workflow`` (a System Admin of its team).

    Raises ``Workflow.DoesNotExist`` when ``actor`` may not see it, ``PermissionDenied``
    when they may not transfer it, :class:`TransferRefused` when ``new_owner`` cannot own
    it (:func:`transfer_refusal`). Recorded in the audit log.
    """
    require_visible(actor, workflow)
    if not user_can_transfer_workflow(user=actor, workflow=workflow):
        raise PermissionDenied(_("Only a System Admin of the team transfers workflows."))
    refusal = transfer_refusal(workflow=workflow, new_owner=new_owner)
    if refusal:
        raise TransferRefused(refusal)
    previous = workflow.owner
    with transaction.atomic():
        moved = Workflow.objects.filter(pk=workflow.pk, owner_id=previous.pk).update(
            owner=new_owner)
        if not moved:
            raise TransferRefused(_("This workflow changed meanwhile: reload and try again."))
        workflow.owner = new_owner
        workflow_audit(actor=actor, action=AuditAction.WORKFLOW_TRANSFER, workflow=workflow,
                       before={"owner": previous.username}, after={"owner": new_owner.username})
    log.info("workflow %s transferred from user %s to user %s by user %s", workflow.pk,
             previous.pk, new_owner.pk, actor.pk)
    return workflow
