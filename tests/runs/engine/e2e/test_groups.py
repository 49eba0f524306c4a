"""Row groups: three levels (fixed value, then two fields), reuse of existing parent
rows (also one an incremental run did not read), records under the deepest group, moves
when a group value changes, empty groups stay."""

from __future__ import annotations

from runs.engine import sync_workflow
from runs.models import Link
from tests import factories


def test_it_builds_a_three_level_hierarchy_and_moves_rows(sandbox, alice, connected_install, tag):
    a, b, c = sandbox.salesforce.insert("Account", [
        {"Name": "A", "AccountNumber": tag, "Industry": "Banking", "Rating": "Hot"},
        {"Name": "B", "AccountNumber": tag, "Industry": "Banking", "Rating": "Cold"},
        {"Name": "C", "AccountNumber": tag, "Industry": "Energy", "Rating": "Hot"}])
    sheet_id, columns = factories.sheet(sandbox, ["Name"])
    # A parent row typed by hand before the first run is reused, not duplicated.
    client = factories.smartsheet_client(sandbox)
    (existing,) = client.add_rows(sheet_id, [{"toBottom": True, "cells": [
        {"columnId": columns["Name"], "value": "Accounts"}]}])
    workflow = factories.workflow(
        alice, connected_install, sheet_id=sheet_id, direction="to_smartsheet",
        mappings=[("Name", "Name", "to_smartsheet")],
        filters=[("salesforce", "AccountNumber", "equals", tag)],
        groups=[("", "Accounts"), ("Industry", ""), ("Rating", "")])

    sync_workflow(run=factories.start_run(workflow))

    rows = factories.rows_by_title(sandbox, sheet_id)
    by_id = {r["_id"]: r for r in rows}

    def path(name):
        row = next(r for r in rows if r["Name"] == name and r.get("Salesforce ID"))
        names = []
        parent = row["_parent"]
        while parent:
            names.insert(0, by_id[parent]["Name"])
            parent = by_id[parent]["_parent"]
        return names

    assert path("A") == ["Accounts", "Banking", "Hot"]
    assert path("B") == ["Accounts", "Banking", "Cold"]
    assert path("C") == ["Accounts", "Energy", "Hot"]
    assert [r["_id"] for r in rows if r["Name"] == "Accounts"] == [existing.row_id]
    assert len(rows) == 3 + 1 + 2 + 3  # records, top, industries, ratings

    sandbox.salesforce.update("Account", [{"Id": c, "Industry": "Banking", "Rating": "Cold"}])
    outcome = sync_workflow(run=factories.start_run(workflow))

    rows = factories.rows_by_title(sandbox, sheet_id)
    by_id = {r["_id"]: r for r in rows}
    assert path("C") == ["Accounts", "Banking", "Cold"]
    assert outcome.counts["rows_moved"] == 1
    # The now empty "Energy" group stays.
    assert sum(1 for r in rows if r["Name"] == "Energy") == 1
    assert len(rows) == 9


def test_an_incremental_run_reuses_an_existing_group_row_it_did_not_read(
        sandbox, alice, connected_install, tag):
    (record,) = sandbox.salesforce.insert("Account", [
        {"Name": "Moving", "AccountNumber": tag, "Industry": "Banking"}])
    sheet_id, columns = factories.sheet(sandbox, ["Name"])
    workflow = factories.workflow(
        alice, connected_install, sheet_id=sheet_id, direction="to_smartsheet",
        mappings=[("Name", "Name", "to_smartsheet")],
        filters=[("salesforce", "AccountNumber", "equals", tag)],
        groups=[("Industry", "")])
    sync_workflow(run=factories.start_run(workflow))
    # A person adds an "Energy" parent row; a quiet poll passes (the row is not read again).
    client = factories.smartsheet_client(sandbox)
    (energy,) = client.add_rows(sheet_id, [{"toBottom": True, "cells": [
        {"columnId": columns["Name"], "value": "Energy"}]}])
    sandbox.control.clock.advance(120)
    sync_workflow(run=factories.start_run(workflow))
    sandbox.control.clock.advance(120)
    quiet = sync_workflow(run=factories.start_run(workflow))
    assert sum(quiet.summary["calls"].values()) == 2

    sandbox.control.clock.advance(5)
    sandbox.salesforce.update("Account", [{"Id": record, "Industry": "Energy"}])
    outcome = sync_workflow(run=factories.start_run(workflow))

    assert outcome.summary["full"] is False
    rows = factories.rows_by_title(sandbox, sheet_id)
    assert [r["_id"] for r in rows if r["Name"] == "Energy"] == [energy.row_id]
    moved = next(r for r in rows if r["Name"] == "Moving")
    assert moved["_parent"] == energy.row_id
    assert Link.objects.get(workflow=workflow, record_id=record).parent_row_id == energy.row_id
    assert outcome.counts["rows_moved"] == 1
    sandbox.control.clock.advance(120)
    sync_workflow(run=factories.start_run(workflow))
    sandbox.control.clock.advance(120)
    quiet = sync_workflow(run=factories.start_run(workflow))
    assert sum(quiet.summary["calls"].values()) == 2
