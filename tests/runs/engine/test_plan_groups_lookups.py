"""The planner on row groups and lookups."""

from __future__ import annotations

from runs.engine.groups import group_key
from runs.engine.plan import lookup_values_needed
from tests.runs.engine.plan_helpers import (
    NAME,
    OWNER_COL,
    PRIMARY,
    link,
    mapping,
    plan,
    record,
    rid,
    row,
    spec,
)

GROUPS = (("", "All"), ("Industry", ""), ("Rating", ""))
OWNER = mapping("OwnerId", OWNER_COL, lookup=("User", "Name"), title="Owner")


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


def test_lookups_resolve_names_and_report_no_or_several_matches():
    workflow = spec("bidirectional")
    rows = [row(5, owner="Bob Chen", linked=1), row(6, owner="Nobody", linked=2),
            row(7, owner="Sam Twin", linked=3)]
    links = [link(n, r, **{"OwnerId->Name": ["Ada Lovelace", "Ada Lovelace"]})
             for n, r in ((1, 5), (2, 6), (3, 7))]
    lookups = {("User", "Name"): {"bob chen": ["005A"], "sam twin": ["005B", "005C"]}}
    result, inp = plan(workflow, mappings=[OWNER], rows=rows, links=links, lookups=lookups)
    assert [(u.record_id, u.fields) for u in result.record_updates] == [
        (rid(1), {"OwnerId": "005A"})]
    messages = sorted(e.message for e in result.errors)
    assert "no User with Name 'Nobody'" in messages[0]
    assert "several User with Name 'Sam Twin'" in messages[1]
    assert lookup_values_needed(inp) == {("User", "Name"): {"Bob Chen", "Nobody", "Sam Twin"}}


def test_lookups_show_the_related_name_in_the_sheet():
    result, _ = plan(spec("to_smartsheet"), mappings=[NAME, OWNER],
                     records=[record(1, Name="A", **{"Owner.Name": "Ada Lovelace"})])
    (add,) = result.row_adds
    assert add.cells[OWNER_COL] == "Ada Lovelace" and add.cells[PRIMARY] == "A"


def test_only_changed_lookup_values_are_looked_up():
    links = [link(1, 5, **{"OwnerId->Name": ["Ada Lovelace", "Ada Lovelace"]})]
    _, inp = plan(spec(), mappings=[OWNER], rows=[row(5, owner="Ada Lovelace", linked=1)],
                  links=links)
    assert lookup_values_needed(inp) == {}
