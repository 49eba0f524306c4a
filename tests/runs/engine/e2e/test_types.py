"""Typed values through real columns: "new column" mappings get CHECKBOX, DATE and
PICKLIST columns, and values convert both ways without coming back as changes."""

from __future__ import annotations

from runs.engine import sync_workflow
from tests import factories


def test_it_syncs_booleans_dates_and_picklists_both_ways(sandbox, alice, connected_install, tag):
    (contact,) = sandbox.salesforce.insert("Contact", [
        {"LastName": "Typed", "Department": tag, "Birthdate": "1990-04-05",
         "HasOptedOutOfEmail": False, "LeadSource": "Phone Inquiry"}])
    sheet_id, _ = factories.sheet(sandbox, ["Last name"])
    workflow = factories.workflow(
        alice, connected_install, sheet_id=sheet_id, direction="bidirectional",
        salesforce_object="Contact",
        mappings=[("LastName", "Last name", "both"),
                  ("Birthdate", "Birthday", "both", "", True),
                  ("HasOptedOutOfEmail", "Opted out", "both", "", True),
                  ("LeadSource", "Source", "both", "", True)],
        filters=[("salesforce", "Department", "equals", tag)])
    sync_workflow(run=factories.start_run(workflow))

    body = factories.smartsheet_client(sandbox).get_sheet(sheet_id)
    types = {c["title"]: c["type"] for c in body["columns"]}
    assert (types["Birthday"], types["Opted out"], types["Source"]) == ("DATE", "CHECKBOX",
                                                                        "PICKLIST")
    (row,) = factories.rows_by_title(sandbox, sheet_id)
    assert row["Birthday"] == "1990-04-05" and row["Source"] == "Phone Inquiry"
    assert row.get("Opted out") in (False, None)

    columns = {c["title"]: c["id"] for c in body["columns"]}
    sandbox.smartsheet.edit_cells(sheet_id=sheet_id, email="ada@example.com", rows=[
        {"id": row["_id"], "cells": [{"columnId": columns["Opted out"], "value": True},
                                     {"columnId": columns["Birthday"], "value": "2001-02-03"},
                                     {"columnId": columns["Source"], "value": "Web"}]}])
    outcome = sync_workflow(run=factories.start_run(workflow))

    assert outcome.counts["records_updated"] == 1 and outcome.counts["errors_count"] == 0
    client = factories.salesforce_client(sandbox)
    (record,) = client.query_all(
        "SELECT Birthdate, HasOptedOutOfEmail, LeadSource FROM Contact "
        f"WHERE Id = '{contact}'")
    assert (record["Birthdate"], record["HasOptedOutOfEmail"], record["LeadSource"]) == (
        "2001-02-03", True, "Web")
    quiet = sync_workflow(run=factories.start_run(workflow))
    assert quiet.summary["salesforce"]["records_to_update"] == 0
    assert quiet.summary["smartsheet"]["rows_to_update"] == 0
