"""Workflow services: validate, create, change, enable/disable, rename, delete, transfer.

Permissions are enforced here, not only in views (the web UI, the REST API and commands
all call these). A workflow the user may not see raises ``Workflow.DoesNotExist`` (an
interface answers 404); one they may see but not change raises ``PermissionDenied``
(403); an invalid draft raises :class:`WorkflowValidationError` with messages per field.

Requesting a run is not done here: ``runs`` sits to the right of ``workflows``;
``runs.services.workflow_save`` saves through these services and then requests the run.
"""

from __future__ import annotations

from workflows.services.save import (
    EDITABLE_FIELDS,
    FIXED_FIELDS,
    workflow_create,
    workflow_rename,
    workflow_update,
)
from workflows.services.sheets import SheetReadiness, sheet_prepare, sheet_readiness
from workflows.services.state import workflow_delete, workflow_set_enabled
from workflows.services.transfer import TransferRefused, transfer_refusal, workflow_transfer
from workflows.services.validate import workflow_validate
from workflows.validation import WorkflowValidationError

__all__ = [
    "EDITABLE_FIELDS",
    "FIXED_FIELDS",
    "TransferRefused",
    "SheetReadiness",
    "WorkflowValidationError",
    "sheet_prepare",
    "sheet_readiness",
    "workflow_create",
    "workflow_delete",
    "transfer_refusal",
    "workflow_rename",
    "workflow_set_enabled",
    "workflow_transfer",
    "workflow_update",
    "workflow_validate",
]
