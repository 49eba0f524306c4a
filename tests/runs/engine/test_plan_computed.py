"""The planner's computed Case columns, on plain data: values from the record or, for a
case not read this run, from the inputs kept in its snapshot."""

from __future__ import annotations

from datetime import UTC, datetime

from runs.engine.computed import INPUTS_KEY, CaseSettings, computed_info
from runs.engine.plan import PlanInput, plan_sync
from runs.engine.types import LinkState, MappingInfo, SheetRow
from workflows.spec import MappingSpec, WorkflowSpec

AGE_COL, STATUS_COL, ID_COL = 21, 22, 1
NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
SETTINGS = CaseSettings(now=NOW, sla_hours={"High": 8, "Medium": 24, "Low": 72})


def computed(name: str, column_id: int) -> MappingInfo:
    spec = MappingSpec(name, name[1:], "to_smartsheet", column_id=column_id, new_column=True)
    return MappingInfo(spec=spec, key=spec.key, column_id=column_id, info=computed_info(name),
                       read_path=name, write_field=None, createable=False,
                       to_smartsheet=True, to_salesforce=False, updateable=False)


MAPPINGS = [computed("$age", AGE_COL), computed("$sla_status", STATUS_COL)]
SPEC = WorkflowSpec(direction="to_smartsheet", salesforce_object="Case", install_id=1,
                    owner_id=1, sheet_id=9)
INPUTS = {"CreatedDate": "2026-05-01T05:00:00.000+0000", "ClosedDate": None,
          "IsClosed": False, "Priority": "High", "IsEscalated": False, "Status": "New"}


def plan(*, records=(), rows=(), links=(), settings=SETTINGS):
    return plan_sync(PlanInput(spec=SPEC, mappings=list(MAPPINGS),
                               records={r["Id"]: r for r in records},
                               rows={r.id: r for r in rows}, links=list(links),
                               id_column_id=ID_COL, case_settings=settings))


def test_it_adds_rows_with_computed_values_and_keeps_the_inputs():
    record = {"Id": "500A", "SystemModstamp": "2026-05-01T05:00:00Z", "IsDeleted": False,
              **INPUTS}
    (add,) = plan(records=[record]).row_adds
    assert add.cells[AGE_COL] == 7 and add.cells[STATUS_COL] == "At risk"
    assert add.snapshot[INPUTS_KEY] == [INPUTS, None]


def test_it_refreshes_an_unread_open_case_from_its_snapshot():
    link = LinkState(record_id="500A", row_id=7, snapshot={
        INPUTS_KEY: [INPUTS, None], "$age": [5, 5], "$sla_status": ["Within SLA", "Within SLA"]})
    (update,) = plan(links=[link]).row_updates
    assert update.cells == {AGE_COL: 7, STATUS_COL: "At risk"}  # 7 h of 8: ≥ 80 %
    assert update.snapshot_patch["$sla_status"] == ["At risk", "At risk"]


def test_it_writes_nothing_while_the_displayed_values_stand():
    link = LinkState(record_id="500A", row_id=7, snapshot={
        INPUTS_KEY: [INPUTS, None], "$age": [7, 7], "$sla_status": ["At risk", "At risk"]})
    result = plan(links=[link])
    assert result.row_updates == [] and result.link_patches == {}


def test_it_puts_back_a_computed_cell_someone_overwrote():
    link = LinkState(record_id="500A", row_id=7, snapshot={
        INPUTS_KEY: [INPUTS, None], "$age": [7, 7], "$sla_status": ["At risk", "At risk"]})
    row = SheetRow(id=7, cells={AGE_COL: 1, STATUS_COL: "At risk", ID_COL: "500A"},
                   links={ID_COL: "x"})
    (update,) = plan(links=[link], rows=[row]).row_updates
    assert update.cells == {AGE_COL: 7}


def test_it_stores_new_inputs_when_a_read_case_changed():
    closed = {**INPUTS, "IsClosed": True, "Status": "Closed",
              "ClosedDate": "2026-05-01T11:00:00.000+0000"}
    record = {"Id": "500A", "SystemModstamp": "2026-05-01T11:00:00Z", "IsDeleted": False,
              **closed}
    link = LinkState(record_id="500A", row_id=7, snapshot={
        INPUTS_KEY: [INPUTS, None], "$age": [7, 7], "$sla_status": ["At risk", "At risk"]})
    result = plan(records=[record], links=[link])
    (update,) = result.row_updates
    assert update.cells == {AGE_COL: None, STATUS_COL: "Met"}  # 6 h ≤ 8 h
    assert result.link_patches["500A"]["snapshot"][INPUTS_KEY] == [closed, None]


def test_it_leaves_computed_cells_alone_without_settings():
    link = LinkState(record_id="500A", row_id=7, snapshot={INPUTS_KEY: [INPUTS, None]})
    assert plan(links=[link], settings=None).row_updates == []
