"""What is new on either side: rows whose Salesforce ID cell names a record (pasted ids),
records without a row (rows to add), rows without a record (records to create)."""

from __future__ import annotations

from typing import Any

from runs.engine import sfids, words
from runs.engine.computed import INPUTS_KEY, case_inputs
from runs.engine.convert import (
    FieldInfo,
    normalize_cell,
    sf_canonical_for,
    to_cell_for,
)
from runs.engine.plan.builder import Planner
from runs.engine.plan.pairs import sync_pair
from runs.engine.sheetfilter import row_passes
from runs.engine.types import LinkState, NewLink, RecordCreate, RowAdd
from workflows.service_cloud import is_computed


def link_pasted_rows(p: Planner, links_by_record: dict[str, LinkState],
                     linked_rows: set[int]) -> dict[str, int]:
    """Unlinked rows whose Salesforce ID cell holds an id: link them or report why not.
    Returns record id → row id of the new links."""
    inp, claimed = p.inp, {}
    if inp.id_column_id is None:
        return claimed
    for row in inp.rows.values():
        value = row.cells.get(inp.id_column_id)
        if (value is None or row.id in linked_rows or row.id in inp.tombstoned_rows
                or row.id in p.group_row_ids):
            continue
        record_id = sfids.to18(str(value).strip())
        if record_id is None or (inp.key_prefix and not record_id.startswith(inp.key_prefix)):
            p.error(words.invalid_id(value, inp.spec.salesforce_object), row_id=row.id,
                    code="invalid_id", column_id=inp.id_column_id)
            p.handled_rows.add(row.id)
            continue
        record = inp.records.get(record_id)
        if row.id in inp.left_filter_rows and (record is None or record.get("IsDeleted")):
            continue  # its record left the filter: the row stays, silently, unsynced
        if record is None or record.get("IsDeleted"):
            p.error(words.no_such_record(record_id, inp.spec.salesforce_object),
                    row_id=row.id, code="invalid_id", column_id=inp.id_column_id)
            p.handled_rows.add(row.id)
            continue
        if record_id in links_by_record or record_id in claimed:
            p.error(words.already_synced(record_id), row_id=row.id, code="duplicate_id",
                    column_id=inp.id_column_id)
            p.handled_rows.add(row.id)
            continue
        claimed[record_id] = row.id
        link = LinkState(record_id=record_id, row_id=row.id, parent_row_id=row.parent_id)
        sync_pair(p, link, record, row)
        patch = p.plan.link_patches.pop(record_id, {})
        snapshot = dict(patch.get("snapshot", {}))
        for update in (p.row_updates.get(row.id), p.record_updates.get(record_id)):
            if update is not None:
                snapshot.update(update.snapshot_patch)
                update.snapshot_patch = {}
        p.plan.new_links.append(NewLink(
            record_id=record_id, row_id=row.id, snapshot=snapshot,
            record_stamp=record.get("SystemModstamp"), row_modified_at=row.modified_at,
            parent_row_id=row.parent_id))
    return claimed


def add_rows(p: Planner, links_by_record: dict[str, LinkState], claimed: dict[str, int]
             ) -> None:
    inp = p.inp
    # Per mapping, decided once (not per record): how to read the value, its cell
    # form, whether it is written. Same values as sf_value / to_cell per cell.
    # A column that needs more than the plain conversion (a checkbox, a column that
    # restricts values) takes the general path: sf_value, then the planner's cell_of.
    steps = [(m.key, m.read_path,
              None if is_computed(m.key) or _column_rules(m) else sf_canonical_for(m.info),
              m, m.column_id if m.to_smartsheet and m.column_id is not None else None,
              to_cell_for(m.info, tz=inp.tz))
             for m in inp.mappings]
    text_canonical = sf_canonical_for(FieldInfo(name="", type="string"))
    for record_id, record in inp.records.items():
        if (record_id in links_by_record or record_id in claimed or record.get("IsDeleted")
                or record_id in inp.tombstoned_records):
            continue
        cells: dict[int, Any] = {}
        snapshot: dict[str, list] = {}
        get = record.get
        for key, path, canonical, m, column_id, cell_of in steps:
            value = get(path)
            if value.__class__ is str and value and canonical is text_canonical:
                # Non-empty text (most cells): canonical, cell and normalized at once.
                if column_id is not None:
                    cells[column_id] = value
                    snapshot[key] = [value, value]
                else:
                    snapshot[key] = [value, None]
                continue
            if canonical is None:
                sf_now = p.sf_value(m, record)
                cell = p.cell_of(m, sf_now)
                if column_id is not None and p.refuses(m, cell, row_id=None,
                                                       record_id=record_id):
                    # Added without it, the error in its Sync Error cell; no snapshot
                    # of it, so that the next run tries again.
                    if inp.error_column_id is not None:
                        cells[inp.error_column_id] = "; ".join(filter(None, (
                            cells.get(inp.error_column_id), p.plan.errors[-1].message)))
                    continue
            else:
                sf_now = canonical(value)
                cell = sf_now if cell_of is None else cell_of(sf_now)
            if column_id is not None:
                cells[column_id] = cell
                # Non-empty text is its own normalized form.
                snapshot[key] = [sf_now, cell if cell.__class__ is str and cell
                                 else normalize_cell(cell)]
            else:
                snapshot[key] = [sf_now, None]
        if p.computed:
            # What refreshes the row's Age and SLA status later, without a read.
            snapshot[INPUTS_KEY] = [case_inputs(record), None]
        if inp.id_column_id is not None:
            cells[inp.id_column_id] = record_id
        path = ()
        if p.spec.row_groups:
            path, _ = p.target_parent(record)
        p.plan.row_adds.append(RowAdd(record_id=record_id, cells=cells, snapshot=snapshot,
                                      record_stamp=record.get("SystemModstamp"),
                                      group_path=path))


def _column_rules(m) -> bool:
    """Whether the mapped column adds rules of its own to the cell written (anything but
    a plain text column: a checkbox, a date, a dropdown or contact column)."""
    column = m.column
    return column is not None and column.type != "TEXT_NUMBER"


def create_records(p: Planner, taken_rows: set[int]) -> None:
    inp = p.inp
    for row in inp.rows.values():
        if (row.id in taken_rows or row.id in p.handled_rows or row.id in inp.tombstoned_rows
                or row.id in p.group_row_ids or row.id in p.groups.known.values()):
            continue
        if inp.id_column_id is not None and row.cells.get(inp.id_column_id) is not None:
            continue
        writable = [m for m in inp.mappings
                    if m.to_salesforce and m.write_field and m.createable and m.column_id]
        if not any(row.cells.get(m.column_id) is not None for m in writable):
            continue
        if not row_passes(inp.sheet_filters, row):
            continue
        p.handled_rows.add(row.id)
        fields, snapshot, ok = {}, {}, True
        for m in writable:
            cell = row.cells.get(m.column_id)
            good, canonical, value = p.sheet_to_sf(m, cell, row.id)
            if not good:
                ok = False
                continue
            if value is not None:
                fields[m.write_field] = value
            snapshot[m.key] = [canonical, cell]
        if ok:
            ok = _required_set(p, row, fields, writable)
        if ok:
            p.plan.record_creates.append(RecordCreate(
                row_id=row.id, fields=fields, snapshot=snapshot,
                row_modified_at=row.modified_at, parent_row_id=row.parent_id))


def _required_set(p: Planner, row, fields: dict[str, Any], writable: list) -> bool:
    """Whether the create sets every field Salesforce requires; else a row error naming
    them (the column to fill in, or the field no column sends)."""
    missing = [name for name in p.inp.required_fields if fields.get(name) in (None, "")]
    if not missing:
        return True
    columns = {m.write_field: m.spec.column_title for m in writable}
    parts = [f"{columns[name]}: Salesforce requires a value" if name in columns else
             f"Salesforce requires {p.inp.required_fields[name]}, which no column sends"
             for name in missing]
    p.error("; ".join(parts), row_id=row.id, code="required")
    return False
