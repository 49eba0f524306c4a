"""Validating a draft against live metadata (the wizard step by step, the API, saves)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from workflows.models import (
    Workflow,
)
from workflows.permissions import (
    user_can_create_workflows,
    user_can_edit_workflow,
)
from workflows.spec import WorkflowSpec
from workflows.validation import Draft
from workflows.validation.live import check_live

if TYPE_CHECKING:
    from accounts.models import User
    from connector.models import Install

log = logging.getLogger(__name__)


def workflow_validate(
    *,
    user: User,
    install: Install,
    direction: str,
    salesforce_object: str,
    sheet_id: int | None = None,
    new_sheet_name: str = "",
    mappings: list[dict] | None = None,
    salesforce_filters: list[dict] | None = None,
    smartsheet_filters: list[dict] | None = None,
    row_groups: list[dict] | None = None,
    name: str = "",
    conflict_policy: str = "salesforce_wins",
    polling_interval_minutes: int | None = None,
    remove_rows_on_filter_exit: bool = False,
    remove_rows_on_delete: bool = False,
    allow_duplicates: bool = False,
    require_name: bool = False,
    workflow: Workflow | None = None,
) -> WorkflowSpec:
    """Validate a draft against the live describe and sheet columns; return its spec.

    Used by :func:`workflow_create` and by the wizard step by step (``require_name``
    false: the name comes at the last step). Reads metadata through the caller's own
    connections. Raises ``PermissionDenied`` when the user may not create workflows on
    ``install`` and :class:`WorkflowValidationError` for any problem of the draft.

    Editing a saved workflow: pass ``workflow`` (owner only) so that the columns its
    first run added still count as its "new columns"; the install's create rules then
    do not apply (a user who lost a licence may still fix their workflow).
    """
    if workflow is not None:
        if not user_can_edit_workflow(user=user, workflow=workflow):
            raise PermissionDenied(_("Only the owner of a workflow can change it."))
    else:
        allowed, why = user_can_create_workflows(user=user, install=install)
        if not allowed:
            raise PermissionDenied(why)
    draft = Draft(
        direction=direction, salesforce_object=(salesforce_object or "").strip(),
        sheet_id=sheet_id, new_sheet_name=(new_sheet_name or "").strip(),
        mappings=list(mappings or []), salesforce_filters=list(salesforce_filters or []),
        smartsheet_filters=list(smartsheet_filters or []), row_groups=list(row_groups or []),
        name=name, conflict_policy=conflict_policy,
        polling_interval_minutes=polling_interval_minutes,
        remove_rows_on_filter_exit=remove_rows_on_filter_exit,
        remove_rows_on_delete=remove_rows_on_delete, allow_duplicates=allow_duplicates,
    )
    return check_live(user=user, install=install, draft=draft, workflow=workflow,
                      check_name=require_name)
