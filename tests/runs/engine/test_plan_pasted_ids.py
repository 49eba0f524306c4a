"""The planner on ids pasted in the Salesforce ID column: a valid id of a record in the
filter links its row (a 15-character id becomes the 18-character one), anything else is a
row error; values that differ on both sides of a new pair are a conflict the policy
settles."""

from __future__ import annotations

import pytest

from tests.runs.engine.plan_helpers import (
    ID_COL,
    PHONE_COL,
    link,
    plan,
    record,
    rid,
    row,
    spec,
)


def test_pasted_ids_link_when_valid_and_are_errors_otherwise():
    fifteen = rid(1)[:15]
    rows = [row(5, sfid=fifteen, phone="typed"),
            row(6, sfid="001xyz"),
            row(7, sfid="005" + rid(3)[3:15]),
            row(8, sfid=rid(4)),
            row(9, sfid=rid(2))]
    result, _ = plan(spec(), records=[record(1, Phone=None, Name="A"), record(2, Name="B")],
                     rows=rows, links=[link(2, 50, Name=["B", "B"])])
    (new_link,) = result.new_links
    assert (new_link.record_id, new_link.row_id) == (rid(1), 5)
    assert new_link.snapshot["Phone"] == ["typed", "typed"]
    errors = {e.row_id: e for e in result.errors}
    assert set(errors) == {6, 7, 8, 9}
    assert "not a valid" in errors[6].message and "not a valid" in errors[7].message
    assert "No Account" in errors[8].message and "another row" in errors[9].message
    cells = {u.row_id: u.cells for u in result.row_updates}
    assert cells[5][ID_COL] == rid(1)  # the 15-character id becomes a hyperlinked 18
    assert [u.fields for u in result.record_updates] == [{"Phone": "typed"}]
    assert [a.record_id for a in result.row_adds] == []


@pytest.mark.parametrize(("policy", "winner"), [("salesforce_wins", "salesforce"),
                                                ("smartsheet_wins", "smartsheet")])
def test_a_pasted_id_with_different_values_on_both_sides_is_a_conflict(policy, winner):
    result, _ = plan(spec("bidirectional", policy=policy),
                     records=[record(1, Name="A", Phone="555-1000")],
                     rows=[row(5, name="A", phone="555-2000", sfid=rid(1))])

    (new_link,) = result.new_links
    assert (new_link.record_id, new_link.row_id) == (rid(1), 5)
    (conflict,) = result.conflicts  # the losing value is kept
    assert (conflict.record_id, conflict.row_id, conflict.field) == (rid(1), 5, "Phone")
    assert (conflict.salesforce_value, conflict.smartsheet_value) == ("555-1000", "555-2000")
    assert conflict.winner == winner
    cells = {u.row_id: u.cells for u in result.row_updates}
    fields = {u.record_id: u.fields for u in result.record_updates}
    if winner == "salesforce":
        assert cells[5][PHONE_COL] == "555-1000" and rid(1) not in fields
    else:
        assert fields[rid(1)] == {"Phone": "555-2000"} and PHONE_COL not in cells.get(5, {})
    assert cells[5][ID_COL] == rid(1)


def test_a_pasted_id_with_a_blank_side_or_equal_values_is_no_conflict():
    result, _ = plan(spec("bidirectional"),
                     records=[record(1, Name="A", Phone=None), record(2, Name="B", Phone="1")],
                     rows=[row(5, name="A", phone="typed", sfid=rid(1)),
                           row(6, name="B", phone="1", sfid=rid(2))])

    assert len(result.new_links) == 2
    assert result.conflicts == []
