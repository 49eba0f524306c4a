"""A workflow's configuration as plain, immutable data.

The engine plans from a :class:`WorkflowSpec`, never from model instances, so that the
wizard can preview an unsaved draft with the same code that runs a saved workflow, and
so that the planner stays a pure function of plain data.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field


@dataclass(frozen=True)
class MappingSpec:
    salesforce_field: str
    column_title: str
    direction: str  # MappingDirection value: to_smartsheet | to_salesforce | both
    column_id: int | None = None
    new_column: bool = False
    lookup_field: str = ""

    @property
    def key(self) -> str:
        """The snapshot key of this mapping (stable while the mapping exists)."""
        return self.salesforce_field + (f"->{self.lookup_field}" if self.lookup_field else "")


@dataclass(frozen=True)
class FilterSpec:
    side: str  # salesforce | smartsheet
    field: str  # field path or column title
    operator: str
    value: str = ""
    column_id: int | None = None


@dataclass(frozen=True)
class RowGroupSpec:
    level: int
    field: str = ""
    value: str = ""


@dataclass(frozen=True)
class WorkflowSpec:
    direction: str
    salesforce_object: str
    install_id: int
    owner_id: int
    sheet_id: int | None = None
    sheet_name: str = ""
    new_sheet_name: str = ""
    conflict_policy: str = "salesforce_wins"
    remove_rows_on_filter_exit: bool = False
    remove_rows_on_delete: bool = False
    #: Send writes with ``Sforce-Duplicate-Rule-Header: allowSave=true``: records that
    #: the org's duplicate rules flag are saved rather than refused.
    allow_duplicates: bool = False
    mappings: tuple[MappingSpec, ...] = ()
    filters: tuple[FilterSpec, ...] = ()
    row_groups: tuple[RowGroupSpec, ...] = ()
    id: int | None = None
    name: str = ""
    extra: dict = field(default_factory=dict, hash=False, compare=False)

    @property
    def sync_key(self) -> str:
        """A digest of the editable settings that decide which records and rows sync and
        which values travel: mappings, filters, row groups and removal rules. When it
        changes, records nobody edited may need writing (a new mapping, a wider filter), so
        the engine's next run reads everything instead of only what changed. Object, sheet
        and direction cannot change after creation; column ids are left out because the
        engine pins them (and a new sheet's id) after its first run, which changes nothing."""

        parts = [self.remove_rows_on_filter_exit, self.remove_rows_on_delete,
                 [[m.salesforce_field, m.lookup_field, m.column_title, m.direction]
                  for m in self.mappings],
                 [[f.side, f.field, f.operator, f.value] for f in self.filters],
                 [[g.level, g.field, g.value] for g in self.row_groups]]
        return hashlib.sha256(json.dumps(parts, default=str).encode()).hexdigest()[:32]

    @property
    def salesforce_filters(self) -> tuple[FilterSpec, ...]:
        return tuple(f for f in self.filters if f.side == "salesforce")

    @property
    def smartsheet_filters(self) -> tuple[FilterSpec, ...]:
        return tuple(f for f in self.filters if f.side == "smartsheet")


def spec_from_workflow(workflow) -> WorkflowSpec:
    """Snapshot a saved :class:`~workflows.models.Workflow` (uses prefetched relations)."""
    return WorkflowSpec(
        id=workflow.pk,
        name=workflow.name,
        direction=workflow.direction,
        salesforce_object=workflow.salesforce_object,
        install_id=workflow.install_id,
        owner_id=workflow.owner_id,
        sheet_id=workflow.sheet_id,
        sheet_name=workflow.sheet_name,
        conflict_policy=workflow.conflict_policy,
        remove_rows_on_filter_exit=workflow.remove_rows_on_filter_exit,
        remove_rows_on_delete=workflow.remove_rows_on_delete,
        allow_duplicates=workflow.allow_duplicates,
        mappings=tuple(
            MappingSpec(
                salesforce_field=m.salesforce_field,
                column_title=m.column_title,
                direction=m.direction,
                column_id=m.column_id,
                new_column=m.new_column,
                lookup_field=m.lookup_field,
            )
            for m in workflow.mappings.all()
        ),
        filters=tuple(
            FilterSpec(side=f.side, field=f.field, operator=f.operator, value=f.value,
                       column_id=f.column_id)
            for f in workflow.filters.all()
        ),
        row_groups=tuple(
            RowGroupSpec(level=g.level, field=g.field, value=g.value)
            for g in workflow.row_groups.all()
        ),
    )
