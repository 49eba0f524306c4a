"""To Salesforce: rows create records (ids written back) and edits update them; errors
are data with culprits, and the Sync Error cell clears once a row syncs cleanly."""

from __future__ import annotations

from runs.engine import sync_workflow
from runs.models import Link, RunError
from tests import factories


def _setup(sandbox, alice, install, tag, *, direction="to_salesforce"):
    sheet_id, columns = factories.sheet(sandbox, ["Name", "Number", "Employees"])
    workflow = factories.workflow(
        alice, install, sheet_id=sheet_id, direction=direction,
        mappings=[("Name", "Name", "to_salesforce"),
                  ("AccountNumber", "Number", "to_salesforce"),
                  ("NumberOfEmployees", "Employees", "to_salesforce")])
    return sheet_id, columns, workflow


def _add_rows(sandbox, sheet_id, columns, rows):
    client = factories.smartsheet_client(sandbox)
    results = client.add_rows(sheet_id, [
        {"toBottom": True, "cells": [{"columnId": columns[t], "value": v}
                                     for t, v in row.items()]} for row in rows])
    return [r.row_id for r in results]


def _records(sandbox, tag):
    client = factories.salesforce_client(sandbox)
    return client.query_all(
        f"SELECT Id, Name, NumberOfEmployees FROM Account WHERE AccountNumber = '{tag}'")


def test_it_creates_records_and_writes_their_ids_back(sandbox, alice, connected_install, tag):
    sheet_id, columns, workflow = _setup(sandbox, alice, connected_install, tag)
    _add_rows(sandbox, sheet_id, columns, [
        {"Name": "Row one", "Number": tag, "Employees": 5},
        {"Name": "Row two", "Number": tag, "Employees": "12"}])

    outcome = sync_workflow(run=factories.start_run(workflow))

    records = {r["Name"]: r for r in _records(sandbox, tag)}
    assert set(records) == {"Row one", "Row two"}
    assert records["Row two"]["NumberOfEmployees"] == 12
    rows = {r["Name"]: r for r in factories.rows_by_title(sandbox, sheet_id)}
    instance = sandbox.info["salesforce"]["instance_url"]
    for name in ("Row one", "Row two"):
        assert rows[name]["Salesforce ID"] == records[name]["Id"]
        assert rows[name]["_links"]["Salesforce ID"] == f"{instance}/{records[name]['Id']}"
    assert outcome.counts["records_created"] == 2

    # A second run creates nothing more; an edit updates the record.
    client = factories.smartsheet_client(sandbox)
    client.update_rows(sheet_id, [{"id": rows["Row one"]["_id"], "cells": [
        {"columnId": columns["Employees"], "value": 7}]}])
    outcome = sync_workflow(run=factories.start_run(workflow))
    records = {r["Name"]: r for r in _records(sandbox, tag)}
    assert len(records) == 2
    assert records["Row one"]["NumberOfEmployees"] == 7
    assert outcome.counts["records_updated"] == 1
    assert outcome.counts.get("records_created", 0) == 0


def test_it_reports_bad_values_with_culprit_and_clears_the_error_once_fixed(
        sandbox, alice, connected_install, tag):
    sheet_id, columns, workflow = _setup(sandbox, alice, connected_install, tag)
    sandbox.smartsheet.share(sheet_id=sheet_id, email="bob@example.com", access_level="EDITOR")
    (row_id,) = _add_rows(sandbox, sheet_id, columns, [{"Name": "Bad", "Number": tag}])
    sandbox.smartsheet.edit_cells(sheet_id=sheet_id, email="bob@example.com", rows=[
        {"id": row_id, "cells": [{"columnId": columns["Employees"], "value": "many"}]}])

    run = factories.start_run(workflow)
    outcome = sync_workflow(run=run)

    assert outcome.counts["errors_count"] == 1
    error = RunError.objects.get(run=run)
    assert error.row_id == row_id and "many" in error.message
    assert error.field == "Employees"
    assert error.culprit == "Bob Chen"
    assert _records(sandbox, tag) == []
    row = factories.rows_by_title(sandbox, sheet_id)[0]
    assert "many" in row["Sync Error"]

    sandbox.smartsheet.edit_cells(sheet_id=sheet_id, email="bob@example.com", rows=[
        {"id": row_id, "cells": [{"columnId": columns["Employees"], "value": 40}]}])
    outcome = sync_workflow(run=factories.start_run(workflow))

    assert outcome.counts["errors_count"] == 0
    (record,) = _records(sandbox, tag)
    assert record["NumberOfEmployees"] == 40
    row = factories.rows_by_title(sandbox, sheet_id)[0]
    assert row.get("Sync Error") in (None, "")
    assert row["Salesforce ID"] == record["Id"]


def test_it_links_pasted_ids_and_rejects_invalid_ones(sandbox, alice, connected_install, tag):
    (existing,) = sandbox.salesforce.insert("Account", [{"Name": "Pasted", "AccountNumber": tag}])
    sheet_id, columns, workflow = _setup(sandbox, alice, connected_install, tag)
    sync_workflow(run=factories.start_run(workflow))  # creates the owned columns
    state = workflow.sync_state
    state.refresh_from_db()
    id_column = state.salesforce_id_column_id
    client = factories.smartsheet_client(sandbox)
    good, bad, wrong_object = (r.row_id for r in client.add_rows(sheet_id, [
        {"toBottom": True, "cells": [{"columnId": id_column, "value": existing[:15]},
                                     {"columnId": columns["Employees"], "value": 3}]},
        {"toBottom": True, "cells": [{"columnId": id_column, "value": "001notanid"},
                                     {"columnId": columns["Name"], "value": "X"}]},
        {"toBottom": True, "cells": [{"columnId": id_column,
                                      "value": sandbox.salesforce.admin_id},
                                     {"columnId": columns["Name"], "value": "Y"}]},
    ]))

    run = factories.start_run(workflow)
    sync_workflow(run=run)

    link = Link.objects.get(workflow=workflow, row_id=good)
    assert link.record_id == existing
    (record,) = [r for r in _records(sandbox, tag) if r["Id"] == existing]
    assert record["NumberOfEmployees"] == 3
    errors = {e.row_id: e for e in RunError.objects.filter(run=run)}
    assert set(errors) == {bad, wrong_object}
    assert "001notanid" in errors[bad].message
    rows = {r["_id"]: r for r in factories.rows_by_title(sandbox, sheet_id)}
    assert rows[good]["Salesforce ID"] == existing
    assert rows[good]["_links"]["Salesforce ID"].endswith(existing)
    assert "not a valid" in rows[bad]["Sync Error"]
    assert len(_records(sandbox, tag)) == 1
