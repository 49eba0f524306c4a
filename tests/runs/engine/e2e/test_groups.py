"""Row groups: three levels (fixed value, then two fields), reuse of existing parent
rows, records under the deepest group, moves when a group value changes, empty groups
stay."""

from __future__ import annotations

from runs.engine import sync_workflow
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
