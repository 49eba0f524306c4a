"""The plan under construction, and the helpers every part of planning shares: errors,
the row and record updates being gathered, values in each side's form."""

from __future__ import annotations

from typing import Any

from runs.engine import words
from runs.engine.columns import CHECKBOX, cell_refusal
from runs.engine.computed import case_inputs, computed_values
from runs.engine.convert import (
    ConversionError,
    from_cell,
    sf_canonical,
    to_cell,
    to_salesforce,
)
from runs.engine.groups import GroupResolver, group_path
from runs.engine.plan.inputs import PlanInput
from runs.engine.types import (
    SALESFORCE_EDIT,
    SHEET_EDIT,
    MappingInfo,
    Plan,
    RecordUpdate,
    RowError,
    RowUpdate,
)
from workflows.service_cloud import is_computed


class Planner:
    """One planning pass over a :class:`PlanInput`; :meth:`finish` returns the plan."""

    def __init__(self, inp: PlanInput) -> None:
        self.inp = inp
        self.spec = inp.spec
        self.plan = Plan()
        self.to_ss = inp.spec.direction in ("to_smartsheet", "bidirectional")
        self.to_sf = inp.spec.direction in ("to_salesforce", "bidirectional")
        self.row_updates: dict[int, RowUpdate] = {}
        self.record_updates: dict[str, RecordUpdate] = {}
        self.errored_rows: set[int] = set()
        self.handled_rows: set[int] = set()
        self.groups = GroupResolver(
            known=dict(inp.group_rows), rows=inp.rows, primary_column_id=inp.primary_column_id,
            full_sheet=inp.full_sheet, linked_rows={link.row_id for link in inp.links},
            sheet_rows=inp.sheet_primary_rows,
        )
        self.group_row_ids = set(inp.group_rows.values())
        self.computed = [m for m in inp.mappings if is_computed(m.key)]
        self._case_values: dict[str, dict] = {}

    def error(self, message: str, *, row_id: int | None, record_id: str = "",
              mapping: MappingInfo | None = None, code: str = "invalid",
              kind: str | None = None, column_id: int | None = None,
              record_side: bool = False) -> None:
        """A row error found while planning. Most are sheet edits Salesforce (or the
        planner) cannot take: a cell of ``mapping``, or a Salesforce ID cell
        (``column_id``), whose culprit is the cell's last editor. ``record_side``: the
        Salesforce value is what fails (the column refuses it), so the culprit is the
        record's last modifier. The row's number and the record's name are noted from
        what the run read (a preview shows them; the record phase completes them)."""
        record = self.inp.records.get(record_id) if record_id else None
        row = self.inp.rows.get(row_id) if row_id is not None else None
        self.plan.errors.append(RowError(
            message=message, row_id=row_id, record_id=record_id,
            column=mapping.spec.column_title if mapping else "",
            field=mapping.field_label if mapping else "",
            column_id=mapping.column_id if mapping else column_id,
            mapping_key=mapping.key if mapping else "", code=code, kind=kind or code,
            cause=SALESFORCE_EDIT if record_side else SHEET_EDIT,
            row_number=row.row_number if row is not None else None,
            record_name=str((record or {}).get("Name") or ""),
        ))
        if row_id is not None:
            self.errored_rows.add(row_id)

    def blank_refused(self, m: MappingInfo, value: Any, *, row_id: int, record_id: str
                      ) -> bool:
        """Whether writing ``value`` to ``m``'s field clears a field Salesforce requires
        (reported as a row error)."""
        if value is not None or m.info.nillable or m.info.type == "boolean":
            return False
        self.error(f"{m.spec.column_title}: Salesforce requires a value", row_id=row_id,
                   record_id=record_id, mapping=m, code="required")
        return True

    def row_update(self, row_id: int, record_id: str = "") -> RowUpdate:
        update = self.row_updates.get(row_id)
        if update is None:
            update = self.row_updates[row_id] = RowUpdate(row_id=row_id, record_id=record_id)
        if record_id and not update.record_id:
            update.record_id = record_id
        return update

    def record_update(self, record_id: str, row_id: int) -> RecordUpdate:
        update = self.record_updates.get(record_id)
        if update is None:
            update = self.record_updates[record_id] = RecordUpdate(
                record_id=record_id, row_id=row_id, fields={}, snapshot_patch={})
        return update

    def cell_of(self, m: MappingInfo, canonical: Any) -> Any:
        """The cell to write for a canonical Salesforce value (a blank checkbox is
        written as false: that is what Smartsheet makes of it)."""
        cell = to_cell(canonical, m.info, tz=self.inp.tz)
        if cell is None and m.column is not None and m.column.type == CHECKBOX:
            return False
        return cell

    def refuses(self, m: MappingInfo, cell: Any, *, row_id: int | None,
                record_id: str = "") -> bool:
        """Whether the column cannot take ``cell`` (``columns.cell_refusal``: its type, the
        options of a column that restricts values): then a row error says why, nothing
        is written, and the next run tries again."""
        problem = cell_refusal(cell, m.column)
        if not problem:
            return False
        code = "picklist" if m.column is not None and m.column.restricted else "cell_refused"
        self.error(f"{m.spec.column_title}: {problem}", row_id=row_id, record_id=record_id,
                   mapping=m, code=code, record_side=True)
        return True

    def holds_formula(self, row_id: int, m: MappingInfo) -> bool:
        """Whether the row's cell of ``m`` holds its own formula: never overwritten."""
        return m.column_id is not None and self.inp.formula_cells.holds(row_id, m.column_id)

    def sf_value(self, m: MappingInfo, record: dict) -> Any:
        if is_computed(m.key):
            values = self.case_values(case_inputs(record), record.get("Id") or "")
            return None if values is None else values.get(m.key)
        return sf_canonical(record.get(m.read_path), m.info)

    def case_values(self, inputs: dict | None, record_id: str) -> dict | None:
        """Computed column values of one case (None without inputs or settings)."""
        settings = self.inp.case_settings
        if inputs is None or settings is None:
            return None
        if record_id not in self._case_values:
            self._case_values[record_id] = computed_values(inputs, settings)
        return self._case_values[record_id]

    def sheet_to_sf(self, m: MappingInfo, cell: Any, row_id: int, record_id: str = ""
                    ) -> tuple[bool, Any, Any]:
        """(ok, canonical, value to write) for a cell; a failure is a row error."""
        try:
            canonical = from_cell(cell, m.info, tz=self.inp.tz)
        except ConversionError as exc:
            self.error(words.cannot_convert(m.spec.column_title, str(exc)), row_id=row_id,
                       record_id=record_id, mapping=m, code="conversion", kind=exc.kind)
            return False, None, None
        if m.lookup is None or canonical is None:
            return True, canonical, to_salesforce(canonical, m.info)
        # Names are looked up trimmed (see lookup_values_needed): match them trimmed too.
        canonical = str(canonical).strip()
        ids = self.inp.lookups.get(m.lookup, {}).get(canonical.casefold(), [])
        if len(ids) != 1:
            self.error(words.lookup_failed(m.spec.column_title, m.lookup, canonical,
                                           several=bool(ids)),
                       row_id=row_id, record_id=record_id, mapping=m, code="lookup")
            return False, None, None
        return True, canonical, ids[0]

    def target_parent(self, record: dict) -> tuple[tuple[str, ...], int | None]:
        path = group_path(self.spec.row_groups, record, self.inp.group_infos, tz=self.inp.tz)
        return path, self.groups.resolve(path)

    def finish(self) -> Plan:
        """Write the Sync Error cells and hand out the plan."""
        self.error_cells()
        self.plan.row_updates = [u for u in self.row_updates.values() if u.cells]
        self.plan.record_updates = [u for u in self.record_updates.values() if u.fields]
        self.plan.group_adds = list(self.groups.adds)
        self.plan.group_rows = dict(self.groups.known)
        return self.plan

    def error_cells(self) -> None:
        """Write new error messages; clear the Sync Error cell of rows that synced cleanly."""
        column = self.inp.error_column_id
        if column is None:
            return
        messages: dict[int, list[str]] = {}
        for err in self.plan.errors:
            if err.row_id is not None:
                messages.setdefault(err.row_id, []).append(err.message)
        for row_id, texts in messages.items():
            text = "; ".join(texts)[:4000]
            row = self.inp.rows.get(row_id)
            if row is None or row.cells.get(column) != text:
                self.row_update(row_id).cells[column] = text
        for row_id in self.handled_rows - self.errored_rows:
            row = self.inp.rows.get(row_id)
            if row is not None and row.cells.get(column) is not None:
                update = self.row_update(row_id)
                if column not in update.cells:
                    update.cells[column] = None
