"""The planner on the audit's findings: lookup names with stray spaces, and a pasted
Salesforce id whose values differ on both sides."""

from __future__ import annotations

import pytest

from runs.engine.plan import lookup_values_needed
from tests.runs.engine.plan_helpers import (
    ID_COL,
    OWNER_COL,
    PHONE_COL,
    T2,
    link,
    mapping,
    plan,
    record,
    rid,
    row,
    spec,
)

OWNER = mapping("OwnerId", OWNER_COL, lookup=("User", "Name"), title="Owner")
BOB = {("User", "Name"): {"bob chen": ["005A"]}}


def test_it_resolves_a_lookup_name_typed_with_stray_spaces():
    rows = [row(5, owner="Bob Chen ", linked=1), row(6, owner="  bob chen", linked=2)]
    links = [link(n, r, **{"OwnerId->Name": ["Ada Lovelace", "Ada Lovelace"]})
             for n, r in ((1, 5), (2, 6))]

    result, inp = plan(spec("bidirectional"), mappings=[OWNER], rows=rows, links=links,
                       lookups=BOB)

    assert result.errors == []
    assert sorted((u.record_id, u.fields["OwnerId"]) for u in result.record_updates) == [
        (rid(1), "005A"), (rid(2), "005A")]
    # The query asks for the trimmed name, the one the match uses.
    assert lookup_values_needed(inp) == {("User", "Name"): {"Bob Chen", "bob chen"}}


def test_it_remembers_the_trimmed_name_so_the_next_run_changes_nothing():
    first, _ = plan(spec("bidirectional"), mappings=[OWNER],
                    rows=[row(5, owner="Bob Chen ", linked=1)],
                    links=[link(1, 5, **{"OwnerId->Name": ["Ada Lovelace", "Ada Lovelace"]})],
                    lookups=BOB)
    (update,) = first.record_updates
    snapshot = update.snapshot_patch["OwnerId->Name"]
    assert snapshot == ["Bob Chen", "Bob Chen "]

    # Salesforce now answers the owner's name without the space: nothing to sync back.
    second, _ = plan(spec("bidirectional"), mappings=[OWNER],
                     records=[record(1, T2, OwnerId="005A", **{"Owner.Name": "Bob Chen"})],
                     rows=[row(5, owner="Bob Chen ", linked=1)],
                     links=[link(1, 5, **{"OwnerId->Name": snapshot})], lookups=BOB)
    assert second.record_updates == [] and second.row_updates == []
    assert second.conflicts == [] and second.errors == []


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
