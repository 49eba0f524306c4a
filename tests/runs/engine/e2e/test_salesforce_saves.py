"""Saves as the real Salesforce takes them: a value of the wrong JSON type would fail a
whole collection, so conversion stops it as a row error for every field type; an active
duplicate rule refuses a record with a row error naming the existing record, unless the
workflow allows duplicates."""

from __future__ import annotations

import pytest

from runs.engine import sync_workflow
from runs.models import RunError
from tests import factories

#: One writable custom field of every scalar type Salesforce's JSON parser checks.
TYPED_FIELDS = [
    {"name": "Count__c", "type": "int", "label": "Count", "digits": 9},
    {"name": "Ratio__c", "type": "double", "label": "Ratio", "precision": 18, "scale": 2},
    {"name": "Share__c", "type": "percent", "label": "Share", "precision": 5, "scale": 2},
    {"name": "Cost__c", "type": "currency", "label": "Cost", "precision": 18, "scale": 2},
    {"name": "Due__c", "type": "date", "label": "Due"},
    {"name": "When__c", "type": "datetime", "label": "When"},
    {"name": "At__c", "type": "time", "label": "At"},
    {"name": "Flag__c", "type": "boolean", "label": "Flag", "nillable": False},
]
GOOD = {"Count": "12", "Ratio": "1.5", "Share": "12.5%", "Cost": "$1,200.50",
        "Due": "2026-03-04", "When": "2026-03-04 09:30", "At": "9:30 AM", "Flag": "yes"}
BAD = {"Count": "twelve", "Ratio": "1.5.2", "Share": "half", "Cost": "lots",
       "Due": "next week", "When": "soon", "At": "noonish", "Flag": "maybe"}


@pytest.fixture
def duplicate_rules(sandbox):
    sandbox.salesforce.control("duplicate_rules", {"enabled": True})
    yield
    sandbox.salesforce.control("duplicate_rules", {"enabled": False})


def _add_rows(sandbox, sheet_id, columns, rows):
    factories.smartsheet_client(sandbox).add_rows(sheet_id, [
        {"toBottom": True, "cells": [{"columnId": columns[t], "value": v}
                                     for t, v in row.items()]} for row in rows])


def _accounts(sandbox, tag) -> dict[str, dict]:
    return {r["Name"]: r for r in sandbox.salesforce.store.records["Account"].values()
            if r.get("AccountNumber") == tag and not r.get("IsDeleted")}


def test_a_value_of_the_wrong_type_is_a_row_error_and_never_reaches_salesforce(
        sandbox, alice, connected_install, tag):
    sandbox.salesforce.control("schema", {"fields": {"Account": TYPED_FIELDS}})
    labels = [f["label"] for f in TYPED_FIELDS]
    sheet_id, columns = factories.sheet(sandbox, ["Name", "Number", *labels])
    workflow = factories.workflow(
        alice, connected_install, sheet_id=sheet_id, direction="to_salesforce",
        mappings=[("Name", "Name", "to_salesforce"),
                  ("AccountNumber", "Number", "to_salesforce"),
                  *[(f["name"], f["label"], "to_salesforce") for f in TYPED_FIELDS]],
        filters=[("salesforce", "AccountNumber", "equals", tag)])
    _add_rows(sandbox, sheet_id, columns, [
        {"Name": "good", "Number": tag, **GOOD},
        *[{"Name": f"bad {label}", "Number": tag, **GOOD, label: BAD[label]}
          for label in labels]])

    outcome = sync_workflow(run=factories.start_run(workflow))

    assert set(_accounts(sandbox, tag)) == {"good"}
    good = _accounts(sandbox, tag)["good"]
    assert (good["Count__c"], good["Ratio__c"], good["Share__c"], good["Cost__c"]) == (
        12, 1.5, 12.5, 1200.5)
    assert (good["Due__c"], good["At__c"], good["Flag__c"]) == (
        "2026-03-04", "09:30:00.000Z", True)
    assert good["When__c"].startswith("2026-03-04T08:30:00")  # Paris time, stored in UTC
    errors = RunError.objects.filter(run__workflow=workflow)
    assert sorted(e.field for e in errors) == sorted(labels)
    assert all(e.code == "conversion" for e in errors)
    # Describe, query, one collection call: nothing was refused as a whole.
    assert outcome.summary["calls"]["salesforce"] == 3


def test_a_duplicate_is_a_row_error_naming_the_existing_record(
        sandbox, alice, connected_install, tag, duplicate_rules):
    (existing,) = sandbox.salesforce.insert("Account", [
        {"Name": f"{tag} Dup", "AccountNumber": "elsewhere"}])
    sheet_id, columns = factories.sheet(sandbox, ["Name", "Number"])
    workflow = factories.workflow(
        alice, connected_install, sheet_id=sheet_id, direction="to_salesforce",
        mappings=[("Name", "Name", "to_salesforce"), ("AccountNumber", "Number", "to_salesforce")],
        filters=[("salesforce", "AccountNumber", "equals", tag)])
    _add_rows(sandbox, sheet_id, columns, [{"Name": f"{tag} dup", "Number": tag},
                                           {"Name": f"{tag} new", "Number": tag}])

    outcome = sync_workflow(run=factories.start_run(workflow))

    assert outcome.counts["records_created"] == 1
    (error,) = RunError.objects.filter(run__workflow=workflow)
    assert existing in error.message
    rows = {r["Name"]: r for r in factories.rows_by_title(sandbox, sheet_id)}
    assert existing in rows[f"{tag} dup"]["Sync Error"]

    # The workflow allows duplicates (the wizard's setting): the next run saves it.
    workflow.allow_duplicates = True
    workflow.save(update_fields=["allow_duplicates"])
    again = sync_workflow(run=factories.start_run(workflow, full=True))
    assert again.counts["records_created"] == 1
    assert set(_accounts(sandbox, tag)) == {f"{tag} dup", f"{tag} new"}
