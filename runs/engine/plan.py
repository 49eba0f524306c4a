"""The planner: a pure function of plain data → a :class:`~runs.engine.types.Plan`.

No I/O, no ORM. Rules (see DESIGN.md, "The engine"):

- each side is compared with what the Link snapshot says it held last time; a side that
  was not read this run (incremental) counts as unchanged;
- a field changed on one side flows to the other when the mapping allows it; changed on
  both to different values is a conflict settled by the workflow's policy;
- rows that fail the sheet filters send nothing to Salesforce (their changes wait);
- a record deleted in Salesforce marks its row and unlinks it; a row deleted from the
  sheet (seen only when the whole sheet is read) unlinks and tombstones its record; a
  record that left the Salesforce filter (seen only on a full read) stops syncing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from runs.engine.computed import INPUTS_KEY, CaseSettings, case_inputs, computed_values
from runs.engine.convert import (
    ConversionError,
    FieldInfo,
    from_cell,
    normalize_cell,
    sf_canonical,
    to_cell,
    to_salesforce,
)
from runs.engine.gcpause import gc_paused
from runs.engine.groups import GroupResolver, group_key, group_path
from runs.engine.plan_new import NewItemsMixin
from runs.engine.sheetfilter import row_passes
from runs.engine.types import (
    DELETED_MESSAGE,
    ConflictItem,
    LinkState,
    MappingInfo,
    Plan,
    RecordUpdate,
    RowError,
    RowMove,
    RowUpdate,
    SheetRow,
    Unlink,
)
from workflows.service_cloud import is_computed
from workflows.spec import WorkflowSpec

_MISSING = object()


@dataclass
class PlanInput:
    spec: WorkflowSpec
    mappings: list[MappingInfo]
    #: record id → flat record (field path → raw value), incl. SystemModstamp, IsDeleted.
    records: dict[str, dict]
    rows: dict[int, SheetRow]
    links: list[LinkState]
    id_column_id: int | None = None
    error_column_id: int | None = None
    primary_column_id: int | None = None
    key_prefix: str = ""
    tz: str = "UTC"
    #: True when every record matching the filter was read (deletes / exits visible).
    full_salesforce: bool = False
    #: True when every row of the sheet was read (deleted rows visible).
    full_sheet: bool = False
    tombstoned_records: frozenset[str] = frozenset()
    tombstoned_rows: frozenset[int] = frozenset()
    #: Rows unlinked because their record left the Salesforce filter. Their id cell is
    #: ignored unless the record is read again (it is back in the filter).
    left_filter_rows: frozenset[int] = frozenset()
    group_rows: dict[str, int] = field(default_factory=dict)
    #: Every row of the sheet with only its primary value, read by an incremental run
    #: whose first plan wanted a group row it did not know: for reusing parent rows only.
    sheet_primary_rows: dict[int, SheetRow] = field(default_factory=dict)
    group_infos: dict[str, FieldInfo] = field(default_factory=dict)
    #: (object, field) → casefolded value → matching ids.
    lookups: dict[tuple[str, str], dict[str, list[str]]] = field(default_factory=dict)
    #: (column id, operator, value) sheet filters.
    sheet_filters: list[tuple[int | None, str, str]] = field(default_factory=list)
    #: The run's time and the install's SLA policy, for computed Case columns (None: the
    #: workflow maps none, or they are left as they are).
    case_settings: CaseSettings | None = None


def _parse(stamp: str | None) -> datetime | None:
    if not stamp:
        return None
    text = stamp.replace("Z", "+00:00")
    if len(text) >= 5 and text[-5] in "+-" and text[-4:].isdigit():
        text = text[:-5] + text[-5:-2] + ":" + text[-2:]
    return datetime.fromisoformat(text)


class _Planner(NewItemsMixin):
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

    # -- helpers -------------------------------------------------------------------------
    def error(self, message: str, *, row_id: int | None, record_id: str = "",
              mapping: MappingInfo | None = None, code: str = "invalid") -> None:
        culprit = ""
        record = self.inp.records.get(record_id) if record_id else None
        if record is not None and mapping is None:
            culprit = record.get("LastModifiedBy.Name") or ""
        self.plan.errors.append(RowError(
            message=message, row_id=row_id, record_id=record_id,
            field=mapping.spec.column_title if mapping else "",
            column_id=mapping.column_id if mapping else None, code=code, culprit=culprit,
        ))
        if row_id is not None:
            self.errored_rows.add(row_id)

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

    def sync_computed(self, m: MappingInfo, link: LinkState, record: dict | None,
                      row: SheetRow | None) -> None:
        """Write a computed cell when its displayed value moved (time passed, the case
        changed) or someone overwrote it in the sheet. Inputs come from the record when
        it was read, else from the snapshot: refreshing an open case costs no read."""
        if not self.to_ss or m.column_id is None:
            return
        if record is not None:
            inputs = case_inputs(record)
        else:
            inputs = (link.snapshot.get(INPUTS_KEY) or [None])[0]
        values = self.case_values(inputs, link.record_id)
        if values is None:
            return
        value = values.get(m.key)
        base = link.snapshot.get(m.key)
        changed = base is None or base[0] != value
        if not changed and row is not None and row.cells.get(m.column_id) != base[1]:
            changed = True  # edited in the sheet: a computed column is the engine's own
        if not changed:
            return
        cell = to_cell(value, m.info, tz=self.inp.tz)
        update = self.row_update(link.row_id, link.record_id)
        update.cells[m.column_id] = cell
        update.snapshot_patch[m.key] = [value, normalize_cell(cell)]
        self.plan.count_field(m.spec.column_title)

    def sheet_to_sf(self, m: MappingInfo, cell: Any, row_id: int, record_id: str = ""
                    ) -> tuple[bool, Any, Any]:
        """(ok, canonical, value to write) for a cell; a failure is a row error."""
        try:
            canonical = from_cell(cell, m.info, tz=self.inp.tz)
        except ConversionError as exc:
            self.error(f"{m.spec.column_title}: {exc}", row_id=row_id, record_id=record_id,
                       mapping=m, code="conversion")
            return False, None, None
        if m.lookup is None or canonical is None:
            return True, canonical, to_salesforce(canonical, m.info)
        # Names are looked up trimmed (see lookup_values_needed): match them trimmed too.
        canonical = str(canonical).strip()
        ids = self.inp.lookups.get(m.lookup, {}).get(canonical.casefold(), [])
        if len(ids) != 1:
            what = "no" if not ids else "several"
            self.error(f"{m.spec.column_title}: {what} {m.lookup[0]} with {m.lookup[1]} "
                       f"'{canonical}'", row_id=row_id, record_id=record_id, mapping=m,
                       code="lookup")
            return False, None, None
        return True, canonical, ids[0]

    def agree(self, m: MappingInfo, sf_now: Any, cell_now: Any) -> bool:
        if normalize_cell(to_cell(sf_now, m.info, tz=self.inp.tz)) == cell_now:
            return True
        try:
            sheet = from_cell(cell_now, m.info, tz=self.inp.tz)
        except ConversionError:
            return False
        if m.lookup is not None and isinstance(sheet, str) and isinstance(sf_now, str):
            return sheet.strip().casefold() == sf_now.strip().casefold()
        return sheet == sf_now

    def winner_by_policy(self, record: dict | None, row: SheetRow | None) -> str:
        policy = self.spec.conflict_policy
        if policy == "smartsheet_wins":
            return "smartsheet"
        if policy == "newest_wins" and record is not None and row is not None:
            sf_at = _parse(record.get("SystemModstamp"))
            ss_at = _parse(row.modified_at)
            if sf_at and ss_at and ss_at > sf_at:
                return "smartsheet"
        return "salesforce"

    def target_parent(self, record: dict) -> tuple[tuple[str, ...], int | None]:
        path = group_path(self.spec.row_groups, record, self.inp.group_infos, tz=self.inp.tz)
        return path, self.groups.resolve(path)

    # -- pairs -------------------------------------------------------------------------
    def sync_pair(self, link: LinkState, record: dict | None, row: SheetRow | None) -> None:
        passes = row is not None and row_passes(self.inp.sheet_filters, row)
        patch: dict[str, list] = {}
        for m in self.inp.mappings:
            if is_computed(m.key):
                self.sync_computed(m, link, record, row)
                continue
            base = link.snapshot.get(m.key)
            if base is None and (record is None or row is None):
                continue  # nothing to compare with yet: a later read settles it
            sf_now = self.sf_value(m, record) if record is not None else base[0]
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
            flow_ss = self.to_ss and m.to_smartsheet and m.column_id is not None
            can_sf = (self.to_sf and m.to_salesforce and m.write_field is not None
                      and m.updateable)
            flow_sf = can_sf and passes
            if sf_changed and ss_changed:
                if self.agree(m, sf_now, cell_now):
                    patch[m.key] = [sf_now, cell_now]
                    continue
                if flow_ss and flow_sf:
                    winner = self.winner_by_policy(record, row)
                    # Without a snapshot too (a pasted id): both sides hold a value, they
                    # differ, and one is overwritten — the Conflict keeps the losing one.
                    self.plan.conflicts.append(ConflictItem(
                        record_id=link.record_id, row_id=link.row_id, field=m.key,
                        salesforce_value=sf_now, smartsheet_value=cell_now, winner=winner))
                elif flow_ss and can_sf:
                    # A sheet edit the Smartsheet filter holds back ("Update in Salesforce"
                    # unchecked) meets a Salesforce change: a conflict like any other.
                    winner = self.winner_by_policy(record, row)
                    self.plan.conflicts.append(ConflictItem(
                        record_id=link.record_id, row_id=link.row_id, field=m.key,
                        salesforce_value=sf_now, smartsheet_value=cell_now, winner=winner))
                    if winner == "smartsheet":
                        continue  # the edit stays in the sheet, waiting for the filter
                elif flow_ss:
                    winner = "salesforce"
                elif flow_sf:
                    winner = "smartsheet"
                else:
                    if not can_sf or not self.to_ss:
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
                cell = to_cell(sf_now, m.info, tz=self.inp.tz)
                update = self.row_update(link.row_id, link.record_id)
                update.cells[m.column_id] = cell
                update.snapshot_patch[m.key] = [sf_now, normalize_cell(cell)]
                self.plan.count_field(m.spec.column_title)
            else:
                ok, canonical, value = self.sheet_to_sf(m, cell_now, link.row_id, link.record_id)
                if not ok:
                    continue
                update = self.record_update(link.record_id, link.row_id)
                update.fields[m.write_field] = value
                update.snapshot_patch[m.key] = [canonical, cell_now]
                self.plan.count_field(m.key)
        if self.computed and record is not None:
            inputs = case_inputs(record)
            if (link.snapshot.get(INPUTS_KEY) or [None])[0] != inputs:
                patch[INPUTS_KEY] = [inputs, None]
        if patch:
            # Stamps are kept current only with a snapshot change: rewriting every read
            # link's stamps would cost a database write per record on every poll.
            entry = self.plan.link_patches.setdefault(link.record_id, {})
            entry.setdefault("snapshot", {}).update(patch)
            if record is not None:
                entry["record_stamp"] = record.get("SystemModstamp")
            if row is not None:
                entry["row_modified_at"] = row.modified_at
        if row is not None:
            self.handled_rows.add(row.id)
            self.fix_id_cell(row, link.record_id)
        if record is not None and self.spec.row_groups and self.to_ss:
            path, parent = self.target_parent(record)
            current = row.parent_id if row is not None else link.parent_row_id
            if parent is None or parent != current:
                self.plan.row_moves.append(RowMove(link.row_id, link.record_id, path))

    def fix_id_cell(self, row: SheetRow, record_id: str) -> None:
        column = self.inp.id_column_id
        if column is None:
            return
        if row.cells.get(column) != record_id or not row.links.get(column):
            self.row_update(row.id, record_id).cells[column] = record_id

    # -- the whole plan ------------------------------------------------------------------
    def run(self) -> Plan:
        inp = self.inp
        links_by_record = {link.record_id: link for link in inp.links}
        linked_rows = {link.row_id for link in inp.links}
        claimed = self.link_pasted_rows(links_by_record, linked_rows)
        for link in inp.links:
            record = inp.records.get(link.record_id)
            row = inp.rows.get(link.row_id)
            if record is not None and record.get("IsDeleted"):
                self.unlink_deleted(link, row)
            elif inp.full_sheet and row is None:
                self.plan.unlinks.append(Unlink(link.record_id, link.row_id, "row_deleted",
                                                tombstone_record=True))
            elif inp.full_salesforce and record is None and self.spec.direction != "to_salesforce":
                # A kept row is marked so its Salesforce ID cell does not link it again.
                remove = self.spec.remove_rows_on_filter_exit
                self.plan.unlinks.append(Unlink(
                    link.record_id, link.row_id, "filter_exit",
                    remove_row=remove, tombstone_row=not remove))
            else:
                self.sync_pair(link, record, row)
        if self.to_ss:
            self.add_rows(links_by_record, claimed)
        if self.to_sf:
            self.create_records(linked_rows | set(claimed.values()))
        self.error_cells()
        self.plan.row_updates = [u for u in self.row_updates.values() if u.cells]
        self.plan.record_updates = [u for u in self.record_updates.values() if u.fields]
        self.plan.group_adds = list(self.groups.adds)
        self.plan.group_rows = dict(self.groups.known)
        return self.plan

    def unlink_deleted(self, link: LinkState, row: SheetRow | None) -> None:
        self.plan.unlinks.append(Unlink(
            link.record_id, link.row_id, "deleted_in_salesforce",
            remove_row=self.spec.remove_rows_on_delete, tombstone_row=True))
        if not self.spec.remove_rows_on_delete and self.inp.error_column_id is not None:
            self.row_update(link.row_id).cells[self.inp.error_column_id] = DELETED_MESSAGE
        if row is not None:
            self.handled_rows.add(row.id)
            self.errored_rows.add(row.id)


def plan_sync(inp: PlanInput) -> Plan:
    """Plan one run. Pure: the same input always gives the same plan."""
    with gc_paused():  # thousands of small containers: see runs.engine.gcpause
        return _Planner(inp).run()


def lookup_values_needed(inp: PlanInput) -> dict[tuple[str, str], set[str]]:
    """The distinct typed values each lookup mapping needs resolved this run: values of
    read rows that differ from the snapshot (or of unlinked rows)."""
    needed: dict[tuple[str, str], set[str]] = {}
    lookups = [m for m in inp.mappings if m.lookup and m.to_salesforce and m.column_id]
    if not lookups or inp.spec.direction == "to_smartsheet":
        return needed
    snapshots = {link.row_id: link.snapshot for link in inp.links}
    for row in inp.rows.values():
        snapshot = snapshots.get(row.id)
        for m in lookups:
            value = row.cells.get(m.column_id)
            if value is None:
                continue
            if snapshot is not None and snapshot.get(m.key, [None, _MISSING])[1] == value:
                continue
            needed.setdefault(m.lookup, set()).add(str(value).strip())
    return needed


__all__ = ["PlanInput", "group_key", "lookup_values_needed", "plan_sync"]
