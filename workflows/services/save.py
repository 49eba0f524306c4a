"""Creating and changing workflows: validate everything first, then write."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from audit.models import AuditAction
from connector.clients import ClientError
from connector.services import smartsheet_client_for
from workflows.metadata import Metadata
from workflows.models import (
    ConflictPolicy,
    Filter,
    FilterSide,
    Mapping,
    RowGroup,
    Workflow,
)
from workflows.permissions import (
    user_can_edit_workflow,
)
from workflows.selectors import workflow_visible_to
from workflows.services.auditing import workflow_audit, workflow_audit_state
from workflows.services.state import require_visible, workflow_set_enabled
from workflows.services.validate import workflow_validate
from workflows.spec import WorkflowSpec
from workflows.validation import Draft, WorkflowValidationError, column_type_for_field, resolve_path
from workflows.validation.live import check_live

if TYPE_CHECKING:
    from accounts.models import User
    from connector.models import Install

log = logging.getLogger(__name__)


#: Fields PATCH may change.
EDITABLE_FIELDS = frozenset({
    "name", "enabled", "conflict_policy", "mappings", "salesforce_filters",
    "smartsheet_filters", "row_groups", "polling_interval_minutes",
    "remove_rows_on_filter_exit", "remove_rows_on_delete", "allow_duplicates",
})
#: Fields fixed at creation, with the message a change attempt gets.
FIXED_FIELDS = {
    "direction": "A workflow's direction cannot change after it is saved. Create a new workflow instead.",
    "sheet_id": "A workflow's sheet cannot change after it is saved. Create a new workflow instead.",
    "new_sheet_name": "A workflow's sheet cannot change after it is saved. Create a new workflow instead.",
    "salesforce_object": "A workflow's Salesforce object cannot change after it is saved. Create a new workflow instead.",
    "install": "A workflow's install cannot change after it is saved.",
}
_CONFIG_FIELDS = ("mappings", "salesforce_filters", "smartsheet_filters", "row_groups")


def _primary_mapping_index(spec: WorkflowSpec, describe) -> int | None:
    """The mapping whose column becomes a new sheet's primary column: the first mapped
    text column (TEXT_NUMBER), or none (then a "Name" column is made)."""

    for i, m in enumerate(spec.mappings):
        if m.salesforce_field.startswith("$"):
            continue
        field = resolve_path(describe, spec.salesforce_object, m.salesforce_field).field
        if m.lookup_field or column_type_for_field(field) == "TEXT_NUMBER":
            return i
    return None


def _create_sheet(*, user: User, install: Install, spec: WorkflowSpec
                  ) -> tuple[int, str, list, str]:
    """Create the new sheet with only its primary column; return (id, name, mappings,
    permalink).

    The engine adds the mapped and owned columns on the first run; the mapping that
    became the primary column is linked to it here.
    """

    meta = Metadata(user=user, install=install)
    index = _primary_mapping_index(spec, meta.describe)
    titles = {m.column_title.lower() for m in spec.mappings}
    if index is not None:
        primary = spec.mappings[index].column_title
    else:
        primary = "Name" if "name" not in titles else "Primary"
    client = smartsheet_client_for(user=user, install=install)
    body = client.create_sheet(
        spec.new_sheet_name, [{"title": primary, "type": "TEXT_NUMBER", "primary": True}]
    )
    sheet = body.get("result", body)
    column_id = next(
        (c["id"] for c in sheet.get("columns", []) if c.get("primary")),
        (sheet.get("columns") or [{}])[0].get("id"),
    )
    mappings = []
    for i, m in enumerate(spec.mappings):
        if i == index:
            mappings.append((m, column_id, False))
        else:
            mappings.append((m, None, True))
    return (int(sheet["id"]), sheet.get("name", spec.new_sheet_name), mappings,
            sheet.get("permalink") or "")


def _write_config(*, workflow: Workflow, spec: WorkflowSpec, mappings=None,
                  keep_column_ids: dict[str, int] | None = None) -> None:
    """Replace the workflow's mappings, filters and groups with the spec's."""
    keep_column_ids = keep_column_ids or {}
    workflow.mappings.all().delete()
    workflow.filters.all().delete()
    workflow.row_groups.all().delete()
    rows = mappings or [(m, m.column_id, m.new_column) for m in spec.mappings]
    Mapping.objects.bulk_create([
        Mapping(
            workflow=workflow, position=pos, salesforce_field=m.salesforce_field,
            column_id=column_id or keep_column_ids.get(m.column_title.lower()),
            column_title=m.column_title, new_column=new_column, direction=m.direction,
            lookup_field=m.lookup_field,
        )
        for pos, (m, column_id, new_column) in enumerate(rows)
    ])
    positions = {FilterSide.SALESFORCE: 0, FilterSide.SMARTSHEET: 0}
    filters = []
    for f in spec.filters:
        filters.append(Filter(workflow=workflow, side=f.side, field=f.field,
                              column_id=f.column_id, operator=f.operator, value=f.value,
                              position=positions[f.side]))
        positions[f.side] += 1
    Filter.objects.bulk_create(filters)
    RowGroup.objects.bulk_create([
        RowGroup(workflow=workflow, level=g.level, field=g.field, value=g.value)
        for g in spec.row_groups
    ])


def workflow_create(
    *,
    user: User,
    install: Install,
    name: str,
    direction: str,
    salesforce_object: str,
    sheet_id: int | None = None,
    new_sheet_name: str = "",
    mappings: list[dict],
    salesforce_filters: list[dict] | None = None,
    smartsheet_filters: list[dict] | None = None,
    row_groups: list[dict] | None = None,
    conflict_policy: str = "salesforce_wins",
    enabled: bool = True,
    polling_interval_minutes: int | None = None,
    remove_rows_on_filter_exit: bool = False,
    remove_rows_on_delete: bool = False,
    allow_duplicates: bool = False,
) -> Workflow:
    """Validate and save a new workflow owned by ``user``.

    With ``new_sheet_name`` the sheet is created (through the user's Smartsheet
    connection) only after validation passed. Nothing runs: see
    ``runs.services.workflow_save``.
    """
    spec = workflow_validate(
        user=user, install=install, direction=direction, salesforce_object=salesforce_object,
        sheet_id=sheet_id, new_sheet_name=new_sheet_name, mappings=mappings,
        salesforce_filters=salesforce_filters, smartsheet_filters=smartsheet_filters,
        row_groups=row_groups, name=name, conflict_policy=conflict_policy,
        polling_interval_minutes=polling_interval_minutes,
        remove_rows_on_filter_exit=remove_rows_on_filter_exit,
        remove_rows_on_delete=remove_rows_on_delete, allow_duplicates=allow_duplicates,
        require_name=True,
    )
    mapping_rows = None
    sheet_id_final, sheet_name = spec.sheet_id, spec.sheet_name
    permalink = spec.extra.get("sheet_permalink", "")
    if spec.new_sheet_name:

        try:
            sheet_id_final, sheet_name, mapping_rows, permalink = _create_sheet(
                user=user, install=install, spec=spec)
        except ClientError as exc:
            raise WorkflowValidationError.single(
                "new_sheet_name", f"Smartsheet did not create the sheet: {exc.message}"
            ) from exc
    with transaction.atomic():
        workflow = Workflow.objects.create(
            owner=user, install=install, name=spec.name, direction=spec.direction,
            sheet_id=sheet_id_final, sheet_name=sheet_name, sheet_permalink=permalink,
            salesforce_object=spec.salesforce_object, enabled=bool(enabled),
            conflict_policy=spec.conflict_policy,
            polling_interval_minutes=polling_interval_minutes,
            remove_rows_on_filter_exit=spec.remove_rows_on_filter_exit,
            remove_rows_on_delete=spec.remove_rows_on_delete,
            allow_duplicates=spec.allow_duplicates,
        )
        _write_config(workflow=workflow, spec=spec, mappings=mapping_rows)
        workflow_audit(actor=user, action=AuditAction.WORKFLOW_CREATE, workflow=workflow,
                       after=workflow_audit_state(workflow))
    log.info("workflow %s created by user %s (%s %s ⇄ sheet %s)", workflow.pk, user.pk,
             workflow.direction, workflow.salesforce_object, workflow.sheet_id)
    return workflow


def _config_as_dicts(workflow: Workflow) -> dict[str, list[dict]]:
    """The saved configuration in the draft's dict shape (for a partial update)."""
    filters = list(workflow.filters.all())
    return {
        "mappings": [
            {"salesforce_field": m.salesforce_field, "column": m.column_title,
             "new_column": m.new_column, "direction": m.direction,
             "lookup_field": m.lookup_field}
            for m in workflow.mappings.all()
        ],
        "salesforce_filters": [
            {"field": f.field, "operator": f.operator, "value": f.value}
            for f in filters if f.side == FilterSide.SALESFORCE
        ],
        "smartsheet_filters": [
            {"column": f.field, "operator": f.operator, "value": f.value}
            for f in filters if f.side == FilterSide.SMARTSHEET
        ],
        "row_groups": [
            {"field": g.field} if g.field else {"value": g.value}
            for g in workflow.row_groups.all()
        ],
    }


def workflow_update(*, user: User, workflow: Workflow, **changes: Any) -> Workflow:
    """Change a workflow's editable settings and configuration (owner only).

    ``changes`` may hold :data:`EDITABLE_FIELDS`. Changing direction, sheet, Salesforce
    object or install raises :class:`WorkflowValidationError` (the same value again is
    not a change). A change of only ``enabled`` follows :func:`workflow_set_enabled`'s
    rule (admins may disable). New mappings, filters or groups are validated against
    the live metadata first; nothing is saved unless everything is valid.
    """
    require_visible(user, workflow)
    fixed_errors = {}
    for key, message in FIXED_FIELDS.items():
        if key not in changes:
            continue
        value = changes.pop(key)
        current = {
            "direction": workflow.direction, "sheet_id": workflow.sheet_id,
            "salesforce_object": workflow.salesforce_object, "install": workflow.install_id,
            "new_sheet_name": "",
        }[key]
        same = str(getattr(value, "pk", value) or "") == str(current or "")
        if not same:
            fixed_errors[key] = [message]
    if fixed_errors:
        raise WorkflowValidationError(fixed_errors)
    unknown = set(changes) - EDITABLE_FIELDS
    if unknown:
        raise TypeError(f"workflow_update() got unexpected fields: {', '.join(sorted(unknown))}")
    if set(changes) <= {"enabled"}:
        if "enabled" in changes:
            return workflow_set_enabled(user=user, workflow=workflow, enabled=changes["enabled"])
        return workflow
    if not user_can_edit_workflow(user=user, workflow=workflow):
        raise PermissionDenied(_("Only the owner of a workflow can change it."))

    current = _config_as_dicts(workflow)
    config_changed = any(k in changes for k in _CONFIG_FIELDS)
    spec = None
    if config_changed:
        draft = Draft(
            direction=workflow.direction, salesforce_object=workflow.salesforce_object,
            sheet_id=workflow.sheet_id,
            mappings=list(changes.get("mappings", current["mappings"]) or []),
            salesforce_filters=list(
                changes.get("salesforce_filters", current["salesforce_filters"]) or []),
            smartsheet_filters=list(
                changes.get("smartsheet_filters", current["smartsheet_filters"]) or []),
            row_groups=list(changes.get("row_groups", current["row_groups"]) or []),
            name=changes.get("name", workflow.name),
            conflict_policy=changes.get("conflict_policy", workflow.conflict_policy),
            polling_interval_minutes=changes.get(
                "polling_interval_minutes", workflow.polling_interval_minutes),
        )
        spec = check_live(user=user, install=workflow.install, draft=draft,
                           workflow=workflow, check_name=True)
        if spec.extra.get("sheet_permalink"):
            workflow.sheet_permalink = spec.extra["sheet_permalink"]
    else:
        _check_simple(changes, install_polling=workflow.install.polling_interval_minutes)

    before = workflow_audit_state(workflow)
    with transaction.atomic():
        for key in ("name", "enabled", "conflict_policy", "polling_interval_minutes",
                    "remove_rows_on_filter_exit", "remove_rows_on_delete", "allow_duplicates"):
            if key in changes:
                value = changes[key]
                setattr(workflow, key, value.strip() if key == "name" else value)
        workflow.save()
        if spec is not None and any(k in changes for k in _CONFIG_FIELDS):
            # Keep the ids of columns the engine already added for this workflow.
            keep = {
                m.column_title.lower(): m.column_id
                for m in workflow.mappings.all() if m.column_id
            }
            _write_config(workflow=workflow, spec=spec, keep_column_ids=keep)
    log.info("workflow %s changed by user %s (%s)", workflow.pk, user.pk,
             ", ".join(sorted(changes)))
    saved = workflow_visible_to(user=user, workflow_id=workflow.pk)
    workflow_audit(actor=user, action=AuditAction.WORKFLOW_UPDATE, workflow=saved,
                   before=before, after=workflow_audit_state(saved))
    return saved


def _check_simple(changes: dict, *, install_polling: int) -> None:
    """Validate the plain settings of an update that leaves the configuration alone."""

    errors: dict[str, list[str]] = {}
    if "name" in changes:
        name = (changes["name"] or "").strip()
        if not name:
            errors["name"] = ["Name the workflow."]
        elif len(name) > 200:
            errors["name"] = ["Use at most 200 characters."]
    if "conflict_policy" in changes and changes["conflict_policy"] not in ConflictPolicy.values:
        errors["conflict_policy"] = [f"Choose one of: {', '.join(ConflictPolicy.values)}."]
    for flag in ("remove_rows_on_filter_exit", "remove_rows_on_delete", "allow_duplicates"):
        if flag in changes and not isinstance(changes[flag], bool):
            errors[flag] = ["Use true or false."]
    minutes = changes.get("polling_interval_minutes")
    if minutes is not None and (not isinstance(minutes, int) or minutes < install_polling):
        errors["polling_interval_minutes"] = [
            f"The install polls every {install_polling} minutes; a workflow may only poll "
            "less often."]
    if errors:
        raise WorkflowValidationError(errors)


def workflow_rename(*, user: User, workflow: Workflow, name: str) -> Workflow:
    """Rename (owner only); the sheet keeps its own name."""
    return workflow_update(user=user, workflow=workflow, name=name)
