"""Filters: Salesforce filters compile to SOQL that no value can break out of (date
literals included, and a filter that cannot compile fails the run as a configuration
problem); sheet filters decide which rows go to Salesforce (the "Update in Salesforce"
checkbox)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from runs.engine import SyncFailed, preview, sync_workflow
from tests import factories
from workflows.spec import spec_from_workflow

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


def _contacts_workflow(sandbox, alice, install, tag, birthdate_value):
    sheet_id, _ = factories.sheet(sandbox, ["Last Name"])
    workflow = factories.workflow(
        alice, install, sheet_id=sheet_id, direction="to_smartsheet",
        salesforce_object="Contact", mappings=[("LastName", "Last Name", "to_smartsheet")],
        filters=[("salesforce", "LastName", "starts_with", tag),
                 ("salesforce", "Birthdate", "equals", birthdate_value)])
    return sheet_id, workflow


def test_it_filters_on_a_relative_date_literal(sandbox, alice, connected_install, tag):
    today = sandbox.control.clock.now().date()
    sandbox.salesforce.insert("Contact", [
        {"LastName": f"{tag} recent", "Birthdate": (today - timedelta(days=3)).isoformat()},
        {"LastName": f"{tag} today", "Birthdate": today.isoformat()},
        {"LastName": f"{tag} old", "Birthdate": (today - timedelta(days=30)).isoformat()}])
    sheet_id, workflow = _contacts_workflow(sandbox, alice, connected_install, tag, "LAST_N_DAYS:7")

    outcome = sync_workflow(run=factories.start_run(workflow))

    names = sorted(r["Last Name"] for r in factories.rows_by_title(sandbox, sheet_id))
    assert names == [f"{tag} recent", f"{tag} today"]
    assert outcome.counts["errors_count"] == 0
    summary = preview(spec_from_workflow(workflow), user=alice, workflow=workflow)
    assert summary["errors"] == 0


def test_a_filter_that_cannot_compile_fails_the_run_as_a_config_problem(
        sandbox, alice, connected_install, tag):
    # Shaped like a date literal (so it passed the form's check) but none Salesforce knows.
    _, workflow = _contacts_workflow(sandbox, alice, connected_install, tag, "SOMEDAY")

    with pytest.raises(SyncFailed) as failure:
        sync_workflow(run=factories.start_run(workflow))
    assert failure.value.kind == "config"
    assert "Birthdate" in failure.value.message and "filter" in failure.value.message

    with pytest.raises(SyncFailed) as failure:
        preview(spec_from_workflow(workflow), user=alice, workflow=workflow)
    assert failure.value.kind == "config"
