"""What the audit log records of a workflow: its settings and configuration as plain,
readable values (a mapping reads "Name → Account"), so before → after says what changed."""

from __future__ import annotations

from typing import Any

from audit.models import AuditAction
from audit.services import audit_changes, audit_record
from workflows.models import FilterSide, MappingDirection, Workflow

_ARROWS = {MappingDirection.TO_SMARTSHEET: "→", MappingDirection.TO_SALESFORCE: "←",
           MappingDirection.BOTH: "⇄"}


def workflow_audit_state(workflow: Workflow) -> dict[str, Any]:
    """The workflow as the audit log shows it (the fixed parts, settings, configuration)."""
    filters = list(workflow.filters.all())
    return {
        "name": workflow.name, "owner": workflow.owner.username,
        "install": workflow.install.name, "direction": workflow.direction,
        "salesforce_object": workflow.salesforce_object,
        "sheet": workflow.sheet_name or str(workflow.sheet_id),
        "enabled": workflow.enabled, "conflict_policy": workflow.conflict_policy,
        "polling_interval_minutes": workflow.polling_interval_minutes,
        "remove_rows_on_filter_exit": workflow.remove_rows_on_filter_exit,
        "remove_rows_on_delete": workflow.remove_rows_on_delete,
        "mappings": [f"{m.salesforce_field}{'.' + m.lookup_field if m.lookup_field else ''} "
                     f"{_ARROWS.get(m.direction, '⇄')} {m.column_title}"
                     for m in workflow.mappings.all()],
        "salesforce_filters": [str(f) for f in filters if f.side == FilterSide.SALESFORCE],
        "smartsheet_filters": [str(f) for f in filters if f.side == FilterSide.SMARTSHEET],
        "row_groups": [g.field or repr(g.value) for g in workflow.row_groups.all()],
    }


def workflow_audit(*, actor, action: AuditAction, workflow: Workflow,
                   before: dict[str, Any] | None = None,
                   after: dict[str, Any] | None = None) -> None:
    """Record ``action`` on ``workflow``: with both states, only what differs (nothing
    when nothing does, unless the action itself is the news)."""
    if before is not None and after is not None:
        before, after = audit_changes(before, after)
        if not after and action == AuditAction.WORKFLOW_UPDATE:
            return
    audit_record(actor=actor, action=action, target=workflow, label=workflow.name,
                 team_id=workflow.owner.team_id, before=before, after=after)
