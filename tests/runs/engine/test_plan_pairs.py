"""The planner on linked pairs: direction × which side changed × policy."""

from __future__ import annotations

import pytest

from tests.runs.engine.plan_helpers import (
    PHONE,
    PHONE_COL,
    T0,
    T2,
    link,
    mapping,
    plan,
    record,
    rid,
    row,
    spec,
)

# (direction, salesforce now, sheet now, policy, expected cell, expected field, winner)
CASES = [
    ("bidirectional", "1", "1", "salesforce_wins", None, None, None),
    ("bidirectional", "2", "1", "salesforce_wins", "2", None, None),
    ("bidirectional", "1", "2", "salesforce_wins", None, "2", None),
    ("bidirectional", "2", "2", "salesforce_wins", None, None, None),
    ("bidirectional", "2", "3", "salesforce_wins", "2", None, "salesforce"),
    ("bidirectional", "2", "3", "smartsheet_wins", None, "3", "smartsheet"),
    ("to_smartsheet", "2", "1", "salesforce_wins", "2", None, None),
    ("to_smartsheet", "1", "2", "salesforce_wins", None, None, None),
    ("to_smartsheet", "2", "3", "smartsheet_wins", "2", None, None),
    ("to_salesforce", "2", "1", "salesforce_wins", None, None, None),
    ("to_salesforce", "1", "2", "salesforce_wins", None, "2", None),
    ("to_salesforce", "2", "3", "salesforce_wins", None, "3", None),
]


@pytest.mark.parametrize(("direction", "sf", "sheet", "policy", "cell", "field", "winner"), CASES)
def test_it_compares_each_side_with_the_snapshot(direction, sf, sheet, policy, cell, field,
                                                 winner):
    result, _ = plan(spec(direction, policy=policy),
                     records=[record(1, Phone=sf, Name="A")],
                     rows=[row(5, name="A", phone=sheet, linked=1)],
                     links=[link(1, 5, Name=["A", "A"], Phone=["1", "1"])])

    cells = {u.row_id: u.cells for u in result.row_updates}
    fields = {u.record_id: u.fields for u in result.record_updates}
    assert cells.get(5, {}).get(PHONE_COL) == cell
    assert fields.get(rid(1), {}).get("Phone") == field
    assert [c.winner for c in result.conflicts] == ([winner] if winner else [])
    if winner:
        (conflict,) = result.conflicts
        assert (conflict.salesforce_value, conflict.smartsheet_value) == (sf, sheet)
    assert not result.row_adds and not result.record_creates and not result.errors


@pytest.mark.parametrize(("sheet_modified", "winner"), [(T2, "smartsheet"), (T0, "salesforce")])
def test_newest_wins_compares_systemmodstamp_with_the_row(sheet_modified, winner):
    result, _ = plan(spec(policy="newest_wins"),
                     records=[record(1, Phone="sf", Name="A")],
                     rows=[row(5, name="A", phone="sheet", linked=1, modified=sheet_modified)],
                     links=[link(1, 5, Name=["A", "A"], Phone=["1", "1"])])
    assert [c.winner for c in result.conflicts] == [winner]


def test_it_treats_an_unread_side_as_unchanged():
    only_record, _ = plan(spec(), records=[record(1, Phone="2", Name="A")],
                          links=[link(1, 5, Name=["A", "A"], Phone=["1", "1"])])
    only_row, _ = plan(spec(), rows=[row(5, name="A", phone="2", linked=1)],
                       links=[link(1, 5, Name=["A", "A"], Phone=["1", "1"])])
    assert [u.cells for u in only_record.row_updates] == [{PHONE_COL: "2"}]
    assert [u.fields for u in only_row.record_updates] == [{"Phone": "2"}]


def test_it_snapshots_what_each_side_will_hold():
    result, _ = plan(spec(), records=[record(1, Phone="2", Name="A")],
                     rows=[row(5, name="A", phone="1", linked=1)],
                     links=[link(1, 5, Name=["A", "A"], Phone=["1", "1"])])
    (update,) = result.row_updates
    assert update.snapshot_patch == {"Phone": ["2", "2"]}


def test_it_absorbs_sheet_edits_of_fields_that_cannot_flow():
    read_only = mapping("Phone", PHONE_COL, "to_smartsheet")
    result, _ = plan(spec(), mappings=[read_only], records=[],
                     rows=[row(5, phone="typed", linked=1)],
                     links=[link(1, 5, Phone=["1", "1"])])
    assert not result.record_updates
    assert result.link_patches[rid(1)]["snapshot"] == {"Phone": ["1", "typed"]}


def test_it_never_writes_fields_the_describe_marks_not_updateable():
    locked = mapping("Phone", PHONE_COL, "both", writable=False)
    result, _ = plan(spec(), mappings=[locked], rows=[row(5, phone="2", linked=1)],
                     links=[link(1, 5, Phone=["1", "1"])])
    assert not result.record_updates


def test_equal_values_in_different_forms_are_no_change():
    employees = mapping("NumberOfEmployees", 12, kind="int", title="Employees")
    result, _ = plan(spec(), mappings=[employees],
                     records=[record(1, NumberOfEmployees=5.0)],
                     rows=[row(5, employees=5.0, linked=1)],
                     links=[link(1, 5, NumberOfEmployees=[5, 5])])
    assert not result.row_updates and not result.record_updates and not result.conflicts


def test_it_counts_fields_to_update_for_the_summary():
    result, _ = plan(spec(), records=[record(1, Phone="2", Name="B"), record(2, Phone="9")],
                     rows=[row(5, name="A", phone="1", linked=1), row(6, phone="1", linked=2)],
                     links=[link(1, 5, Name=["A", "A"], Phone=["1", "1"]),
                            link(2, 6, Phone=["1", "1"])])
    assert result.fields_to_update == {"Phone": 2, "Name": 1}
    assert result.summary()["smartsheet"]["rows_to_update"] == 2
    assert PHONE.key == "Phone"
