"""Plain data the planner reads and returns (no Django, no SDK types)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from runs.engine.columns import ColumnFacts
from runs.engine.convert import FieldInfo
from workflows.spec import MappingSpec

#: How many errors a summary lists one by one (all are counted).
SUMMARY_ERROR_ITEMS = 50


@dataclass(frozen=True)
class MappingInfo:
    """A mapping resolved against the describe and the sheet.

    ``read_path`` is what the SOQL query selects for the sheet-side value (``Owner.Name``
    for ``OwnerId`` looked up by ``Name``); ``write_field`` the field a sheet value is
    written to (``None``: cannot be written); ``lookup`` the ``(object, field)`` a typed
    value is resolved through.
    """

    spec: MappingSpec
    key: str
    column_id: int | None
    info: FieldInfo
    read_path: str
    write_field: str | None
    createable: bool
    to_smartsheet: bool
    to_salesforce: bool
    lookup: tuple[str, str] | None = None
    #: False for a field that can be set on create only.
    updateable: bool = True
    #: The mapped column, as last read (None: not known yet, e.g. a column to create).
    column: ColumnFacts | None = None
    #: The Salesforce field's label, to name it to people.
    field_label: str = ""


@dataclass
class SheetRow:
    id: int
    parent_id: int | None = None
    modified_at: str | None = None
    row_number: int | None = None
    #: column id → normalized cell value (only the columns read).
    cells: dict[int, Any] = field(default_factory=dict)
    #: column id → hyperlink url, for cells that carry one.
    links: dict[int, str] = field(default_factory=dict)
    #: Columns whose cell holds its own formula (never overwritten).
    formulas: frozenset[int] = frozenset()


@dataclass
class LinkState:
    record_id: str
    row_id: int
    #: mapping key → [Salesforce canonical value, normalized cell value] last synced.
    snapshot: dict[str, list] = field(default_factory=dict)
    record_stamp: str | None = None
    row_modified_at: str | None = None
    parent_row_id: int | None = None


#: Which edit caused an error (:attr:`RowError.cause`).
SHEET_EDIT, SALESFORCE_EDIT = "smartsheet", "salesforce"


@dataclass
class RowError:
    """A row or record that did not sync, as the planner or the apply phase found it;
    the record phase adds what names it to people (row number, primary value, record
    name) from what the run read, and stores it (RunError, OpenError)."""

    message: str
    row_id: int | None = None
    record_id: str = ""
    #: The sheet column's title and the Salesforce field's label (or API names).
    column: str = ""
    field: str = ""
    column_id: int | None = None
    #: The mapping it is about (its key; else the fields' names): with the item, what
    #: tells one open error from another.
    mapping_key: str = ""
    #: The service's code (to show) or the planner's own (``conversion``, ``lookup``...).
    code: str = "invalid"
    #: What it is about: the clients' item kinds (``picklist``, ``required``...) or the
    #: planner's (``type``, ``too_long``, ``lookup``, ``invalid_id``, ``duplicate_id``).
    kind: str = "invalid"
    #: :data:`SHEET_EDIT` — a sheet edit that Salesforce (or the planner) refused: its
    #: culprit is the cell's last editor; :data:`SALESFORCE_EDIT` — a record change the
    #: sheet refused: its culprit is the record's last modifier; "" unknown.
    cause: str = ""
    culprit: str = ""
    culprit_email: str = ""
    #: For people reading a summary or an error: the row's number in the sheet, its
    #: primary-column value.
    row_number: int | None = None
    primary_value: str = ""
    record_name: str = ""


@dataclass
class ConflictItem:
    record_id: str
    row_id: int
    field: str
    salesforce_value: Any
    smartsheet_value: Any
    winner: str  # "salesforce" | "smartsheet"


@dataclass
class RowAdd:
    record_id: str
    cells: dict[int, Any]
    snapshot: dict[str, list]
    record_stamp: str | None
    group_path: tuple[str, ...] = ()


@dataclass
class RowUpdate:
    row_id: int
    record_id: str = ""
    cells: dict[int, Any] = field(default_factory=dict)
    #: snapshot entries that hold once this update is written.
    snapshot_patch: dict[str, list] = field(default_factory=dict)


@dataclass
class RowMove:
    row_id: int
    record_id: str
    group_path: tuple[str, ...]


@dataclass
class RecordCreate:
    row_id: int
    fields: dict[str, Any]
    snapshot: dict[str, list]
    row_modified_at: str | None = None
    parent_row_id: int | None = None


@dataclass
class RecordUpdate:
    record_id: str
    row_id: int
    fields: dict[str, Any]
    snapshot_patch: dict[str, list]


@dataclass
class Unlink:
    record_id: str
    row_id: int
    reason: str  # deleted_in_salesforce | row_deleted | filter_exit
    remove_row: bool = False
    tombstone_record: bool = False
    tombstone_row: bool = False


@dataclass
class NewLink:
    """A row linked to an existing record without a write (pasted id, reconciled add)."""

    record_id: str
    row_id: int
    snapshot: dict[str, list]
    record_stamp: str | None
    row_modified_at: str | None
    parent_row_id: int | None


@dataclass
class Plan:
    row_adds: list[RowAdd] = field(default_factory=list)
    row_updates: list[RowUpdate] = field(default_factory=list)
    row_moves: list[RowMove] = field(default_factory=list)
    group_adds: list[tuple[str, ...]] = field(default_factory=list)
    record_creates: list[RecordCreate] = field(default_factory=list)
    record_updates: list[RecordUpdate] = field(default_factory=list)
    conflicts: list[ConflictItem] = field(default_factory=list)
    unlinks: list[Unlink] = field(default_factory=list)
    new_links: list[NewLink] = field(default_factory=list)
    #: Links whose snapshot or stamps change without any write.
    link_patches: dict[str, dict] = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)
    #: Group key → parent row id, known after planning (without the groups to add).
    group_rows: dict[str, int] = field(default_factory=dict)
    #: Column title or field → number of values to write.
    fields_to_update: dict[str, int] = field(default_factory=dict)

    def count_field(self, name: str) -> None:
        self.fields_to_update[name] = self.fields_to_update.get(name, 0) + 1

    def summary(self, *, details: bool = False) -> dict:
        """The counts the wizard's "summary of updates" shows — each one what the run's
        own count will be when the services accept what the plan predicts they accept.

        Rows to add are the records' rows; group parent rows are counted apart. Rows to
        update are rows whose synced values change (a Sync Error cell alone is not an
        update). ``details`` adds the first :data:`SUMMARY_ERROR_ITEMS` errors, each
        naming its row or record and why it fails.
        """
        out = {
            "smartsheet": {
                "rows_to_add": len(self.row_adds),
                "group_rows_to_add": len(self.group_adds),
                "rows_to_update": len({u.row_id for u in self.row_updates
                                       if u.record_id and u.snapshot_patch}),
                "rows_to_move": len(self.row_moves),
                "rows_to_remove": len({u.row_id for u in self.unlinks if u.remove_row}),
            },
            "salesforce": {
                "records_to_create": len(self.record_creates),
                "records_to_update": len(self.record_updates),
            },
            "fields_to_update": dict(self.fields_to_update),
            "errors": len(self.errors),
            "conflicts": len(self.conflicts),
            "unlinks": len(self.unlinks),
            "groups_to_add": len(self.group_adds),
        }
        if details:
            out["error_items"] = [
                {"message": e.message, "field": e.field, "row_id": e.row_id,
                 "row_number": e.row_number, "record_id": e.record_id or "",
                 "record_name": e.record_name, "code": e.code}
                for e in self.errors[:SUMMARY_ERROR_ITEMS]]
        return out
