"""What the planner is given: plain data from the read phase (no ORM, no clients)."""

from __future__ import annotations

from dataclasses import dataclass, field

from runs.engine.columns import FormulaCells
from runs.engine.computed import CaseSettings
from runs.engine.convert import FieldInfo
from runs.engine.types import LinkState, MappingInfo, SheetRow
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
    #: Records and rows read by id this run (the items of open errors): one of them that
    #: is not in ``records`` / ``rows`` is out of scope, as on a full read (a record out
    #: of the filter or purged, a row deleted).
    checked_records: frozenset[str] = frozenset()
    checked_rows: frozenset[int] = frozenset()
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
    #: Cells holding their own formula (never overwritten), rows read or not.
    formula_cells: FormulaCells = field(default_factory=FormulaCells)
    #: Fields a create must set (name → label), from the describe: a create that leaves
    #: one blank is a row error in the plan, not a call Salesforce refuses.
    required_fields: dict[str, str] = field(default_factory=dict)


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
