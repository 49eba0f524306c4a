"""Validation of a workflow draft against Salesforce describes and the sheet's columns.

:func:`check_draft` is pure: it takes the draft as the API/wizard send it, a describe
lookup and the sheet (or ``None`` for a sheet to be created) and returns a
:class:`~workflows.spec.WorkflowSpec`, or raises :class:`WorkflowValidationError` with
every problem found, per field. ``workflows.services.workflow_validate`` feeds it live
metadata through the user's own connections.
"""

from __future__ import annotations

from workflows.validation.draft import Draft, SheetInfo, check_draft
from workflows.validation.errors import WorkflowValidationError
from workflows.validation.fields import (
    PathError,
    ResolvedField,
    column_operators,
    column_read_only_reason,
    column_type_for_field,
    field_operators,
    read_only_reason,
    resolve_path,
)

__all__ = [
    "Draft",
    "PathError",
    "ResolvedField",
    "SheetInfo",
    "WorkflowValidationError",
    "check_draft",
    "column_operators",
    "column_read_only_reason",
    "column_type_for_field",
    "field_operators",
    "read_only_reason",
    "resolve_path",
]
