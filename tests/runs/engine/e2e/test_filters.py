"""Filters: Salesforce filters compile to SOQL that no value can break out of; sheet
filters decide which rows go to Salesforce (the "Update in Salesforce" checkbox)."""

from __future__ import annotations

import pytest

from runs.engine import sync_workflow
from tests import factories

HOSTILE = [
    "' OR Name != '",
    "x\\' OR Name != \\'",
    "\\",
    "%' OR AccountNumber LIKE '%",
    "a_b%c",
    "Ünïcødé ' \" \n ✓",
]


@pytest.mark.parametrize("hostile", HOSTILE)
def test_it_matches_hostile_values_literally(sandbox, alice, connected_install, tag, hostile):
    sandbox.salesforce.insert("Account", [
        {"Name": hostile, "AccountNumber": tag},
        {"Name": "innocent", "AccountNumber": tag},
        {"Name": hostile + " suffix", "AccountNumber": tag}])
    sheet_id, _ = factories.sheet(sandbox, ["Name"])
    workflow = factories.workflow(
        alice, connected_install, sheet_id=sheet_id, direction="to_smartsheet",
        mappings=[("Name", "Name", "to_smartsheet")],
        filters=[("salesforce", "AccountNumber", "equals", tag),
                 ("salesforce", "Name", "starts_with", hostile)])

    outcome = sync_workflow(run=factories.start_run(workflow))

    names = sorted(r["Name"] for r in factories.rows_by_title(sandbox, sheet_id))
    assert names == sorted([hostile, hostile + " suffix"])
    assert outcome.counts["errors_count"] == 0


def test_it_compiles_typed_filters(sandbox, alice, connected_install, tag):
    sandbox.salesforce.insert("Account", [
        {"Name": "Small", "AccountNumber": tag, "NumberOfEmployees": 5},
        {"Name": "Big", "AccountNumber": tag, "NumberOfEmployees": 500,
         "Phone": "555"},
        {"Name": "Blank", "AccountNumber": tag}])
    sheet_id, _ = factories.sheet(sandbox, ["Name"])
    workflow = factories.workflow(
        alice, connected_install, sheet_id=sheet_id, direction="to_smartsheet",
        mappings=[("Name", "Name", "to_smartsheet")],
        filters=[("salesforce", "AccountNumber", "equals", tag),
                 ("salesforce", "NumberOfEmployees", "greater_or_equal", "100"),
                 ("salesforce", "Phone", "is_not_blank", "")])

    sync_workflow(run=factories.start_run(workflow))

    assert [r["Name"] for r in factories.rows_by_title(sandbox, sheet_id)] == ["Big"]


def test_it_sends_only_checked_rows_to_salesforce(sandbox, alice, connected_install, tag):
    first, second = sandbox.salesforce.insert("Account", [
        {"Name": "One", "AccountNumber": tag}, {"Name": "Two", "AccountNumber": tag}])
    sheet_id, columns = factories.sheet(sandbox, ["Name", "Update in Salesforce"])
    workflow = factories.workflow(
        alice, connected_install, sheet_id=sheet_id, direction="bidirectional",
        mappings=[("Name", "Name", "both")],
        filters=[("salesforce", "AccountNumber", "equals", tag),
                 ("smartsheet", "Update in Salesforce", "is_checked", "")])
    sync_workflow(run=factories.start_run(workflow))
    rows = {r["Name"]: r["_id"] for r in factories.rows_by_title(sandbox, sheet_id)}
    flag = columns["Update in Salesforce"]
    name = columns["Name"]
    sandbox.smartsheet.edit_cells(sheet_id=sheet_id, email="ada@example.com", rows=[
        {"id": rows["One"], "cells": [{"columnId": name, "value": "One changed"},
                                      {"columnId": flag, "value": "true"}]},
        {"id": rows["Two"], "cells": [{"columnId": name, "value": "Two changed"}]}])

    sync_workflow(run=factories.start_run(workflow))

    client = factories.salesforce_client(sandbox)
    names = {r["Id"]: r["Name"] for r in client.query_all(
        f"SELECT Id, Name FROM Account WHERE AccountNumber = '{tag}'")}
    assert names == {first: "One changed", second: "Two"}
    # Checking the box later sends the change that waited.
    sandbox.smartsheet.edit_cells(sheet_id=sheet_id, email="ada@example.com", rows=[
        {"id": rows["Two"], "cells": [{"columnId": flag, "value": "true"}]}])
    sync_workflow(run=factories.start_run(workflow))
    names = {r["Id"]: r["Name"] for r in client.query_all(
        f"SELECT Id, Name FROM Account WHERE AccountNumber = '{tag}'")}
    assert names[second] == "Two changed"
