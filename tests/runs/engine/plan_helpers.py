"""Plain-data builders for planner tests."""

from __future__ import annotations

from runs.engine.convert import FieldInfo
from runs.engine.plan import PlanInput, plan_sync
from runs.engine.types import LinkState, MappingInfo, SheetRow
from sandbox.salesforce.ids import make_id
from workflows.spec import FilterSpec, MappingSpec, RowGroupSpec, WorkflowSpec

ID_COL, ERR_COL, PRIMARY = 1, 2, 10
PHONE_COL, EMPLOYEES_COL, OWNER_COL, FLAG_COL = 11, 12, 13, 14
T0, T1, T2 = "2026-05-01T10:00:00.000+0000", "2026-05-01T11:00:00.000+0000", "2026-05-01T12:00:00Z"


def rid(n: int) -> str:
    return make_id("001", n)


def mapping(field: str, column_id: int, direction: str = "both", *, kind: str = "string",
            lookup: tuple[str, str] | None = None, title: str | None = None,
            writable: bool = True) -> MappingInfo:
    info = FieldInfo(name=field, type=kind, updateable=writable, createable=writable)
    spec = MappingSpec(field, title or field, direction, column_id=column_id,
                       lookup_field=lookup[1] if lookup else "")
    read_path = f"{field[:-2]}.{lookup[1]}" if lookup else field
    return MappingInfo(spec=spec, key=spec.key, column_id=column_id,
                       info=FieldInfo(name=lookup[1], type="string") if lookup else info,
                       read_path=read_path, write_field=field if writable else None,
                       createable=writable, to_smartsheet=direction in ("to_smartsheet", "both"),
                       to_salesforce=direction in ("to_salesforce", "both"), lookup=lookup,
                       updateable=writable)


NAME = mapping("Name", PRIMARY)
PHONE = mapping("Phone", PHONE_COL)
EMPLOYEES = mapping("NumberOfEmployees", EMPLOYEES_COL, kind="int", title="Employees")


def spec(direction: str = "bidirectional", *, policy: str = "salesforce_wins",
         groups: tuple = (), sheet_filters: tuple = (), **options) -> WorkflowSpec:
    return WorkflowSpec(
        direction=direction, salesforce_object="Account", install_id=1, owner_id=1,
        sheet_id=99, conflict_policy=policy,
        row_groups=tuple(RowGroupSpec(level=i + 1, field=f, value=v)
                         for i, (f, v) in enumerate(groups)),
        filters=tuple(FilterSpec("smartsheet", title, op, value, column_id=col)
                      for col, title, op, value in sheet_filters), **options)


def record(n: int, stamp: str = T1, **fields) -> dict:
    return {"Id": rid(n), "SystemModstamp": stamp, "IsDeleted": False,
            "LastModifiedBy.Name": "Ada Lovelace", **fields}


def row(row_id: int, *, modified: str = T1, parent: int | None = None, linked: int | None = None,
        **cells) -> SheetRow:
    values = {}
    columns = {"name": PRIMARY, "phone": PHONE_COL, "employees": EMPLOYEES_COL,
               "owner": OWNER_COL, "flag": FLAG_COL, "error": ERR_COL, "sfid": ID_COL}
    for key, value in cells.items():
        values[columns[key]] = value
    links = {}
    if linked is not None:
        values[ID_COL] = rid(linked)
        links[ID_COL] = f"https://sf.test/{rid(linked)}"
    return SheetRow(id=row_id, parent_id=parent, modified_at=modified, cells=values, links=links)


def link(n: int, row_id: int, *, parent: int | None = None, **snapshot) -> LinkState:
    return LinkState(record_id=rid(n), row_id=row_id, snapshot=dict(snapshot),
                     record_stamp=T0, row_modified_at=T0, parent_row_id=parent)


def plan(workflow: WorkflowSpec, *, mappings=(NAME, PHONE), records=(), rows=(), links=(),
         **options):
    inp = PlanInput(spec=workflow, mappings=list(mappings),
                    records={r["Id"]: r for r in records}, rows={r.id: r for r in rows},
                    links=list(links), id_column_id=ID_COL, error_column_id=ERR_COL,
                    primary_column_id=PRIMARY, key_prefix="001", **options)
    if workflow.smartsheet_filters:
        inp.sheet_filters = [(f.column_id, f.operator, f.value)
                             for f in workflow.smartsheet_filters]
    return plan_sync(inp), inp
