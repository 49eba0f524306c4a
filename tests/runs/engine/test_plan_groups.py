"""The planner on row groups: parent rows planned before their children and reused when
they exist, rows moved when their group value changes, deleted group rows forgotten."""

from __future__ import annotations

from runs.engine.groups import group_key
from tests.runs.engine.plan_helpers import (
    link,
    plan,
    record,
    rid,
    row,
    spec,
)

GROUPS = (("", "All"), ("Industry", ""), ("Rating", ""))


def test_it_plans_missing_groups_parents_first_and_reuses_existing_rows():
    workflow = spec("to_smartsheet", groups=GROUPS)
    records = [record(1, Name="A", Industry="Banking", Rating="Hot"),
               record(2, Name="B", Industry="Banking", Rating=None),
               record(3, Name="C", Industry="Energy", Rating="Hot")]
    rows = [row(100, name="All"), row(101, name="Banking", parent=100)]
    result, _ = plan(workflow, records=records, rows=rows, full_sheet=True)

    assert result.group_rows == {"All": 100, group_key(("All", "Banking")): 101}
    assert result.group_adds == [("All", "Banking", "Hot"), ("All", "Banking", "(blank)"),
                                 ("All", "Energy"), ("All", "Energy", "Hot")]
    assert {a.record_id: a.group_path for a in result.row_adds} == {
        rid(1): ("All", "Banking", "Hot"), rid(2): ("All", "Banking", "(blank)"),
        rid(3): ("All", "Energy", "Hot")}


def test_it_moves_a_row_whose_group_value_changed():
    workflow = spec("to_smartsheet", groups=(("Industry", ""),))
    known = {"Banking": 100, "Energy": 200}
    result, _ = plan(workflow, records=[record(1, Name="A", Industry="Energy")],
                     links=[link(1, 5, parent=100, Name=["A", "A"])], group_rows=known)
    (move,) = result.row_moves
    assert (move.row_id, move.group_path) == (5, ("Energy",))
    same, _ = plan(workflow, records=[record(1, Name="A", Industry="Banking")],
                   links=[link(1, 5, parent=100, Name=["A", "A"])], group_rows=known)
    assert same.row_moves == []


def test_it_forgets_group_rows_deleted_from_the_sheet():
    workflow = spec("to_smartsheet", groups=(("", "All"),))
    result, _ = plan(workflow, records=[record(1, Name="A")], rows=[], full_sheet=True,
                     group_rows={"All": 100})
    assert result.group_adds == [("All",)]
