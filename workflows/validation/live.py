"""Validation against live metadata: describes and the sheet, through the user's connections.

The only part of ``workflows.validation`` that talks to the services (through
``connector.services``); :func:`check_live` feeds :func:`check_draft` and turns
connection and service failures into errors on ``salesforce`` / ``smartsheet``.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from connector.clients import ClientError
from connector.services import ConnectionMissing, salesforce_client_for, smartsheet_client_for
from workflows.columns import owned_columns_missing
from workflows.metadata import Metadata
from workflows.validation.draft import Draft, SheetInfo, check_draft
from workflows.validation.errors import WorkflowValidationError
from workflows.validation.sheet import access_at_least

if TYPE_CHECKING:
    from accounts.models import User
    from connector.models import Install
    from workflows.models import Workflow
    from workflows.spec import WorkflowSpec


def check_live(*, user: User, install: Install, draft: Draft, workflow: Workflow | None,
                check_name: bool) -> WorkflowSpec:
    """Run :func:`check_draft` on live metadata; connection and service failures become
    validation errors on ``salesforce`` / ``smartsheet``."""

    # Both connections first, before any call: a user missing one hears about both at
    # once, and nothing goes over the network for a draft that cannot be checked.
    errors: dict[str, list[str]] = {}
    for service, make in (("salesforce", salesforce_client_for),
                          ("smartsheet", smartsheet_client_for)):
        try:
            make(user=user, install=install)
        except ConnectionMissing as exc:
            errors[service] = [str(exc)]
    if errors:
        raise WorkflowValidationError(errors)
    meta = Metadata(user=user, install=install)
    sheet: SheetInfo | None = None
    if draft.sheet_id not in (None, ""):
        try:
            sheet = meta.sheet(int(draft.sheet_id))
        except (TypeError, ValueError):
            raise WorkflowValidationError.single("sheet_id", "Choose a sheet.") from None
        except ClientError as exc:
            errors["smartsheet"] = [exc.message]
        else:
            if sheet is None:
                errors["sheet_id"] = ["That sheet does not exist or is not shared with you."]
            elif _needs_an_admin(sheet, draft, install.kind, workflow):
                # Name who can do it: the owner and admins, from the sheet's shares.
                sheet = replace(sheet, admins=meta.sheet_admins(sheet.id))
    try:
        if draft.salesforce_object:
            meta.describe(draft.salesforce_object)
    except ClientError as exc:
        errors["salesforce"] = [exc.message]
    if errors:
        raise WorkflowValidationError(errors)
    own_column_ids: frozenset[int] = frozenset()
    if workflow is not None:
        own_column_ids = frozenset(
            m.column_id for m in workflow.mappings.all() if m.new_column and m.column_id
        )
    try:
        return check_draft(
            draft=draft, describe=meta.describe, sheet=sheet, install_kind=install.kind,
            install_id=install.pk, owner_id=workflow.owner_id if workflow else user.pk,
            install_polling_minutes=install.polling_interval_minutes,
            workflow_id=workflow.pk if workflow else None, own_column_ids=own_column_ids,
            check_name=check_name,
        )
    except ClientError as exc:
        raise WorkflowValidationError.single("salesforce", exc.message) from exc


def _needs_an_admin(sheet: SheetInfo, draft: Draft, install_kind: str,
                    workflow: Workflow | None) -> bool:
    """Whether the draft asks for something only a sheet Admin can do (or the user
    cannot sync the sheet at all): then the message names who can."""
    if access_at_least(sheet.access_level, "ADMIN"):
        return False
    if not access_at_least(sheet.access_level, "EDITOR"):
        return True
    titles = {(c.get("title") or "").lower() for c in sheet.columns}
    new_columns = any(isinstance(m, dict) and str(m.get("new_column")).lower() in ("true", "1")
                      and str(m.get("column") or "").strip().lower() not in titles
                      for m in draft.mappings)
    unprepared = workflow is None and bool(owned_columns_missing(sheet.columns, install_kind))
    return new_columns or unprepared
