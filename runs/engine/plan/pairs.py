"""Linked pairs: each record and row compared field by field with the snapshot of what
they held last time (three-way), changes flowing where the mappings allow, conflicts
settled by the workflow's policy; and links whose record or row is gone.

A side that was not read this run (incremental) counts as unchanged; rows that fail the
sheet filters send nothing to Salesforce (their changes wait).
"""

from __future__ import annotations

from typing import Any

from core.times import parse_timestamp
from runs.engine import words
from runs.engine.computed import INPUTS_KEY, case_inputs
from runs.engine.convert import ConversionError, from_cell, normalize_cell
from runs.engine.plan.builder import Planner
from runs.engine.sheetfilter import row_passes
from runs.engine.types import (
    ConflictItem,
    LinkState,
    MappingInfo,
    RowMove,
    SheetRow,
    Unlink,
)
from workflows.service_cloud import is_computed


def plan_links(p: Planner) -> None:
    """Every link: unlinked when its record or row is gone or the record left the
    filter (seen on a full read, or when read by id), else synced as a pair."""
    inp, spec = p.inp, p.spec
    for link in inp.links:
        record = inp.records.get(link.record_id)
        row = inp.rows.get(link.row_id)
        if record is not None and record.get("IsDeleted"):
            unlink_deleted(p, link, row)
        elif row is None and (inp.full_sheet or link.row_id in inp.checked_rows):
            p.plan.unlinks.append(Unlink(link.record_id, link.row_id, "row_deleted",
                                         tombstone_record=True))
        elif (record is None and spec.direction != "to_salesforce"
              and (inp.full_salesforce or link.record_id in inp.checked_records)):
            # A kept row is marked so its Salesforce ID cell does not link it again.
            remove = spec.remove_rows_on_filter_exit
            p.plan.unlinks.append(Unlink(
                link.record_id, link.row_id, "filter_exit",
                remove_row=remove, tombstone_row=not remove))
            if (not remove and row is not None and inp.error_column_id is not None
                    and row.cells.get(inp.error_column_id)):
                # The row is no longer synced: an error it shows no longer applies.
                p.row_update(link.row_id).cells[inp.error_column_id] = None
        else:
            sync_pair(p, link, record, row)


def unlink_deleted(p: Planner, link: LinkState, row: SheetRow | None) -> None:
    p.plan.unlinks.append(Unlink(
        link.record_id, link.row_id, "deleted_in_salesforce",
        remove_row=p.spec.remove_rows_on_delete, tombstone_row=True))
    if not p.spec.remove_rows_on_delete and p.inp.error_column_id is not None:
        p.row_update(link.row_id).cells[p.inp.error_column_id] = words.deleted_message()
    if row is not None:
        p.handled_rows.add(row.id)
        p.errored_rows.add(row.id)


def sync_pair(p: Planner, link: LinkState, record: dict | None, row: SheetRow | None) -> None:
    inp = p.inp
    passes = row is not None and row_passes(inp.sheet_filters, row)
    patch: dict[str, list] = {}
    for m in inp.mappings:
        if is_computed(m.key):
            sync_computed(p, m, link, record, row)
            continue
        base = link.snapshot.get(m.key)
        if base is None and (record is None or row is None):
            continue  # nothing to compare with yet: a later read settles it
        sf_now = p.sf_value(m, record) if record is not None else base[0]
        cell_now = row.cells.get(m.column_id) if row is not None and m.column_id else (
            base[1] if base else None)
        if base is None:
            # First comparison (a pasted id): a blank side never erases the other.
            sf_changed = sf_now is not None and sf_now is not False
            ss_changed = cell_now is not None
            if not (sf_changed or ss_changed):
                patch[m.key] = [sf_now, cell_now]
        else:
            sf_changed = record is not None and sf_now != base[0]
            ss_changed = row is not None and m.column_id is not None and cell_now != base[1]
        if not (sf_changed or ss_changed):
            continue
        flow_ss = p.to_ss and m.to_smartsheet and m.column_id is not None
        can_sf = (p.to_sf and m.to_salesforce and m.write_field is not None
                  and m.updateable)
        flow_sf = can_sf and passes
        if sf_changed and ss_changed:
            if agree(p, m, sf_now, cell_now):
                patch[m.key] = [sf_now, cell_now]
                continue
            if flow_ss and flow_sf:
                winner = winner_by_policy(p, record, row)
                # Without a snapshot too (a pasted id): both sides hold a value, they
                # differ, and one is overwritten — the Conflict keeps the losing one.
                p.plan.conflicts.append(ConflictItem(
                    record_id=link.record_id, row_id=link.row_id, field=m.key,
                    salesforce_value=sf_now, smartsheet_value=cell_now, winner=winner))
            elif flow_ss and can_sf:
                # A sheet edit the Smartsheet filter holds back ("Update in Salesforce"
                # unchecked) meets a Salesforce change: a conflict like any other.
                winner = winner_by_policy(p, record, row)
                p.plan.conflicts.append(ConflictItem(
                    record_id=link.record_id, row_id=link.row_id, field=m.key,
                    salesforce_value=sf_now, smartsheet_value=cell_now, winner=winner))
                if winner == "smartsheet":
                    continue  # the edit stays in the sheet, waiting for the filter
            elif flow_ss:
                winner = "salesforce"
            elif flow_sf:
                winner = "smartsheet"
            else:
                if not can_sf or not p.to_ss:
                    patch[m.key] = [sf_now, cell_now]
                continue
        elif sf_changed:
            if not flow_ss:
                patch[m.key] = [sf_now, base[1] if base else None]
                continue
            winner = "salesforce"
        else:
            if not flow_sf:
                if not can_sf:  # can never flow: absorb; else wait for the filter
                    patch[m.key] = [base[0] if base else None, cell_now]
                continue
            winner = "smartsheet"
        if winner == "salesforce":
            if p.holds_formula(link.row_id, m):
                # The cell computes its own value: it is the sheet's, never overwritten.
                patch[m.key] = [sf_now, cell_now]
                continue
            cell = p.cell_of(m, sf_now)
            if p.refuses(m, cell, row_id=link.row_id, record_id=link.record_id):
                continue
            update = p.row_update(link.row_id, link.record_id)
            update.cells[m.column_id] = cell
            update.snapshot_patch[m.key] = [sf_now, normalize_cell(cell)]
            p.plan.count_field(m.spec.column_title)
        else:
            ok, canonical, value = p.sheet_to_sf(m, cell_now, link.row_id, link.record_id)
            if not ok or p.blank_refused(m, value, row_id=link.row_id,
                                         record_id=link.record_id):
                continue
            update = p.record_update(link.record_id, link.row_id)
            update.fields[m.write_field] = value
            update.snapshot_patch[m.key] = [canonical, cell_now]
            p.plan.count_field(m.key)
    if p.computed and record is not None:
        inputs = case_inputs(record)
        if (link.snapshot.get(INPUTS_KEY) or [None])[0] != inputs:
            patch[INPUTS_KEY] = [inputs, None]
    if patch:
        # Stamps are kept current only with a snapshot change: rewriting every read
        # link's stamps would cost a database write per record on every poll.
        entry = p.plan.link_patches.setdefault(link.record_id, {})
        entry.setdefault("snapshot", {}).update(patch)
        if record is not None:
            entry["record_stamp"] = record.get("SystemModstamp")
        if row is not None:
            entry["row_modified_at"] = row.modified_at
    if row is not None:
        p.handled_rows.add(row.id)
        fix_id_cell(p, row, link.record_id)
    if record is not None and p.spec.row_groups and p.to_ss:
        path, parent = p.target_parent(record)
        current = row.parent_id if row is not None else link.parent_row_id
        if parent is None or parent != current:
            p.plan.row_moves.append(RowMove(link.row_id, link.record_id, path))


def sync_computed(p: Planner, m: MappingInfo, link: LinkState, record: dict | None,
                  row: SheetRow | None) -> None:
    """Write a computed cell when its displayed value moved (time passed, the case
    changed) or someone overwrote it in the sheet. Inputs come from the record when
    it was read, else from the snapshot: refreshing an open case costs no read."""
    if not p.to_ss or not m.to_smartsheet or m.column_id is None:
        return
    if p.holds_formula(link.row_id, m):
        return
    if record is not None:
        inputs = case_inputs(record)
    else:
        inputs = (link.snapshot.get(INPUTS_KEY) or [None])[0]
    values = p.case_values(inputs, link.record_id)
    if values is None:
        return
    value = values.get(m.key)
    base = link.snapshot.get(m.key)
    changed = base is None or base[0] != value
    if not changed and row is not None and row.cells.get(m.column_id) != base[1]:
        changed = True  # edited in the sheet: a computed column is the engine's own
    if not changed:
        return
    cell = p.cell_of(m, value)
    if p.refuses(m, cell, row_id=link.row_id, record_id=link.record_id):
        return
    update = p.row_update(link.row_id, link.record_id)
    update.cells[m.column_id] = cell
    update.snapshot_patch[m.key] = [value, normalize_cell(cell)]
    p.plan.count_field(m.spec.column_title)


def agree(p: Planner, m: MappingInfo, sf_now: Any, cell_now: Any) -> bool:
    """Whether both sides changed to the same value (nothing to write, no conflict)."""
    if normalize_cell(p.cell_of(m, sf_now)) == cell_now:
        return True
    try:
        sheet = from_cell(cell_now, m.info, tz=p.inp.tz)
    except ConversionError:
        return False
    if m.lookup is not None and isinstance(sheet, str) and isinstance(sf_now, str):
        return sheet.strip().casefold() == sf_now.strip().casefold()
    return sheet == sf_now


def winner_by_policy(p: Planner, record: dict | None, row: SheetRow | None) -> str:
    policy = p.spec.conflict_policy
    if policy == "smartsheet_wins":
        return "smartsheet"
    if policy == "newest_wins" and record is not None and row is not None:
        sf_at = parse_timestamp(record.get("SystemModstamp"))
        ss_at = parse_timestamp(row.modified_at)
        if sf_at and ss_at and ss_at > sf_at:
            return "smartsheet"
    return "salesforce"


def fix_id_cell(p: Planner, row: SheetRow, record_id: str) -> None:
    """Write the record id (with its link) into a row whose Salesforce ID cell lost it."""
    column = p.inp.id_column_id
    if column is None:
        return
    if row.cells.get(column) != record_id or not row.links.get(column):
        p.row_update(row.id, record_id).cells[column] = record_id
