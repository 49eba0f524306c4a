"""The planner on everything around pairs: new on either side, deletes on either side,
filter exits, sheet filters, errors and the Sync Error cell (pasted ids:
test_plan_pasted_ids.py)."""

from __future__ import annotations

import pytest

from runs.engine.words import deleted_message
from tests.runs.engine.plan_helpers import (
    EMPLOYEES,
    ERR_COL,
    FLAG_COL,
    ID_COL,
    NAME,
    PHONE,
    PHONE_COL,
    PRIMARY,
    link,
    plan,
    record,
    rid,
    row,
    spec,
)


@pytest.mark.parametrize(("direction", "adds", "creates"), [
    ("to_smartsheet", 1, 0), ("to_salesforce", 0, 1), ("bidirectional", 1, 1)])
def test_new_on_either_side_flows_by_direction(direction, adds, creates):
    result, _ = plan(spec(direction), records=[record(1, Name="New record", Phone="1")],
                     rows=[row(7, name="New row", phone="2")])
    assert len(result.row_adds) == adds
    assert len(result.record_creates) == creates
    if adds:
        (add,) = result.row_adds
        assert add.cells == {PRIMARY: "New record", PHONE_COL: "1", ID_COL: rid(1)}
        assert add.snapshot == {"Name": ["New record", "New record"], "Phone": ["1", "1"]}
    if creates:
        (create,) = result.record_creates
        assert create.fields == {"Name": "New row", "Phone": "2"} and create.row_id == 7


def test_blank_rows_and_group_rows_create_nothing():
    result, _ = plan(spec("to_salesforce"), rows=[row(7), row(8, name="Group")],
                     group_rows={"Group": 8})
    assert result.record_creates == []


def test_tombstoned_records_and_rows_are_not_synced_again():
    result, _ = plan(spec(), records=[record(1, Name="A")], rows=[row(7, name="B", linked=2)],
                     tombstoned_records=frozenset({rid(1)}), tombstoned_rows=frozenset({7}))
    assert not result.row_adds and not result.record_creates and not result.errors


@pytest.mark.parametrize("remove", [False, True])
def test_a_record_deleted_in_salesforce_marks_and_unlinks_its_row(remove):
    deleted = {**record(1, Name="A"), "IsDeleted": True}
    result, _ = plan(spec(remove_rows_on_delete=remove), records=[deleted],
                     rows=[row(5, name="A", linked=1)], links=[link(1, 5, Name=["A", "A"])])
    (unlink,) = result.unlinks
    assert unlink.reason == "deleted_in_salesforce" and unlink.remove_row == remove
    assert unlink.tombstone_row and not unlink.tombstone_record
    cells = {u.row_id: u.cells for u in result.row_updates}
    assert cells.get(5, {}).get(ERR_COL) == (None if remove else deleted_message())
    assert not result.row_adds


def test_a_row_deleted_from_the_sheet_unlinks_and_tombstones_only_on_a_full_read():
    args = dict(records=[record(1, Name="A")], rows=[], links=[link(1, 5, Name=["A", "A"])])
    incremental, _ = plan(spec(), **args)
    full, _ = plan(spec(), full_sheet=True, **args)
    assert incremental.unlinks == [] and incremental.row_adds == []
    (unlink,) = full.unlinks
    assert (unlink.reason, unlink.tombstone_record, unlink.remove_row) == ("row_deleted", True,
                                                                           False)
    assert full.record_updates == [] and full.row_adds == []


@pytest.mark.parametrize("remove", [False, True])
def test_a_record_that_left_the_filter_stops_syncing_on_a_full_read(remove):
    args = dict(records=[], rows=[row(5, name="A", linked=1)],
                links=[link(1, 5, Name=["A", "A"])])
    incremental, _ = plan(spec("to_smartsheet", remove_rows_on_filter_exit=remove), **args)
    full, _ = plan(spec("to_smartsheet", remove_rows_on_filter_exit=remove),
                   full_salesforce=True, **args)
    assert incremental.unlinks == []
    (unlink,) = full.unlinks
    assert unlink.reason == "filter_exit" and unlink.remove_row == remove
    assert not unlink.tombstone_record


def test_sheet_filters_hold_back_changes_until_the_row_passes():
    workflow = spec(sheet_filters=((FLAG_COL, "Update", "is_checked", ""),))
    args = dict(records=[], links=[link(1, 5, Phone=["1", "1"])])
    held, _ = plan(workflow, rows=[row(5, phone="2", flag=False, linked=1)], **args)
    sent, _ = plan(workflow, rows=[row(5, phone="2", flag=True, linked=1)], **args)
    assert held.record_updates == []
    assert "snapshot" not in held.link_patches.get(rid(1), {})
    assert [u.fields for u in sent.record_updates] == [{"Phone": "2"}]
    new_row, _ = plan(workflow, rows=[row(7, name="N"), row(8, name="M", flag=True)])
    assert [c.row_id for c in new_row.record_creates] == [8]


def test_a_conversion_failure_is_a_row_error_and_the_other_fields_still_flow():
    result, _ = plan(spec(), mappings=[PHONE, EMPLOYEES],
                     rows=[row(5, phone="2", employees="lots", linked=1)],
                     links=[link(1, 5, Phone=["1", "1"], NumberOfEmployees=[3, 3])])
    (error,) = result.errors
    assert error.row_id == 5 and error.column == "Employees" and "lots" in error.message
    assert error.column_id == 12 and error.code == "conversion"
    assert [u.fields for u in result.record_updates] == [{"Phone": "2"}]
    assert "lots" in {u.row_id: u.cells for u in result.row_updates}[5][ERR_COL]


def test_a_row_with_a_bad_value_is_not_created():
    result, _ = plan(spec("to_salesforce"), mappings=[NAME, EMPLOYEES],
                     rows=[row(7, name="X", employees="x")])
    assert result.record_creates == [] and len(result.errors) == 1


def test_the_sync_error_cell_clears_once_the_row_syncs_cleanly():
    result, _ = plan(spec(), rows=[row(5, phone="2", error="old problem", linked=1),
                                   row(6, phone="1", error="old problem", linked=2)],
                     links=[link(1, 5, Phone=["1", "1"]), link(2, 6, Phone=["1", "1"])])
    cells = {u.row_id: u.cells for u in result.row_updates}
    assert cells[5][ERR_COL] is None and cells[6][ERR_COL] is None


def test_an_unchanged_error_message_is_not_rewritten():
    message = "Employees: 'lots' is not a number"
    result, _ = plan(spec(), mappings=[EMPLOYEES],
                     rows=[row(5, employees="lots", error=message, linked=1)],
                     links=[link(1, 5, NumberOfEmployees=[3, 3])])
    assert result.row_updates == [] and len(result.errors) == 1


