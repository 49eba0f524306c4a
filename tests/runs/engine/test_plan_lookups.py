"""The planner on lookups: a typed name becomes the related record's id, in one query for
all rows; no match or several are row errors; the sheet shows the related name."""

from __future__ import annotations

from runs.engine.plan import lookup_values_needed
from tests.runs.engine.plan_helpers import (
    NAME,
    OWNER_COL,
    PRIMARY,
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
