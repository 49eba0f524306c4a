"""Lookup by: a reference shown by the related record's name; names typed in the sheet
become ids through one batched query; no match is a row error naming the value."""

from __future__ import annotations

from runs.engine import sync_workflow
from runs.models import RunError
from tests import factories


def test_it_resolves_typed_names_in_one_query(sandbox, alice, connected_install, tag):
    first, second, third = sandbox.salesforce.insert("Account", [
        {"Name": f"L{i}", "AccountNumber": tag} for i in range(3)])
    sheet_id, _ = factories.sheet(sandbox, ["Name"])
    workflow = factories.workflow(
        alice, connected_install, sheet_id=sheet_id, direction="bidirectional",
        mappings=[("Name", "Name", "both"), ("OwnerId", "Owner", "both", "Name", True)],
        filters=[("salesforce", "AccountNumber", "equals", tag)])
    sync_workflow(run=factories.start_run(workflow))
    rows = {r["Name"]: r for r in factories.rows_by_title(sandbox, sheet_id)}
    assert rows["L0"]["Owner"] == "Ada Lovelace"
    owner_column = workflow.mappings.get(salesforce_field="OwnerId").column_id
    sandbox.smartsheet.edit_cells(sheet_id=sheet_id, email="ada@example.com", rows=[
        {"id": rows["L0"]["_id"], "cells": [{"columnId": owner_column, "value": "Bob Chen"}]},
        {"id": rows["L1"]["_id"], "cells": [{"columnId": owner_column, "value": "bob chen"}]},
        {"id": rows["L2"]["_id"], "cells": [{"columnId": owner_column, "value": "Nobody Here"}]},
    ])
    sandbox.control.reset_counts()

    run = factories.start_run(workflow)
    sync_workflow(run=run)
    queries = sandbox.control.counts()["salesforce"]["by_endpoint"]

    client = factories.salesforce_client(sandbox)
    owners = {r["Id"]: r["Owner"]["Name"] for r in client.query_all(
        f"SELECT Id, Owner.Name FROM Account WHERE AccountNumber = '{tag}'")}
    assert owners[first] == "Bob Chen" and owners[second] == "Bob Chen"
    assert owners[third] == "Ada Lovelace"
    (error,) = RunError.objects.filter(run=run)
    assert "Nobody Here" in error.message and error.column == "Owner"
    query_calls = sum(n for key, n in queries.items() if "query" in key.lower())
    assert query_calls == 2, queries  # the records and one lookup for every name
