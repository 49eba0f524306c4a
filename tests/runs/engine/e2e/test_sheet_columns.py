"""Columns as Smartsheet really stores them: picklists that take free text unless they
restrict values, checkboxes that clear to false, dates without a displayed value,
formulas (read, never overwritten), multi-picklists (only seen at ``level=2``) and
date-time fields (no DATETIME column can be made) — through the real SDK, against the
sandbox's real defaults, with nothing coming back as a change."""

from __future__ import annotations

from runs.engine import sync_workflow
from runs.models import RunError
from tests import factories

MULTI_FIELD = {"name": "Regions__c", "type": "multipicklist", "label": "Regions",
               "values": ["North", "South", "East", "West"]}


def _sheet(sandbox, columns: list[dict]) -> tuple[int, dict[str, int]]:
    created = factories.smartsheet_client(sandbox).create_sheet(factories.unique("sheet"),
                                                                columns)
    return created["id"], {c["title"]: c["id"] for c in created["columns"]}


def _run(workflow, *, full: bool = False):
    return sync_workflow(run=factories.start_run(workflow, full=full))


def _quiet(workflow) -> None:
    """A full run finds nothing to write on either side."""
    outcome = _run(workflow, full=True)
    assert outcome.summary["smartsheet"]["rows_to_update"] == 0, outcome.summary
    assert outcome.summary["salesforce"]["records_to_update"] == 0, outcome.summary
    assert outcome.counts.get("errors_count", 0) == 0


def _record(sandbox, object_name: str, record_id: str) -> dict:
    return sandbox.salesforce.store.records[object_name][record_id]


def test_a_picklist_value_outside_the_columns_options_is_written_as_text(
        sandbox, alice, connected_install, tag):
    sandbox.salesforce.insert("Account", [{"Name": f"{tag} pick", "AccountNumber": tag,
                                           "Industry": "Energy"}])
    sheet_id, _ = _sheet(sandbox, [
        {"title": "Account", "type": "TEXT_NUMBER", "primary": True},
        {"title": "Industry", "type": "PICKLIST", "options": ["Banking", "Retail"]}])
    workflow = factories.workflow(
        alice, connected_install, sheet_id=sheet_id, direction="bidirectional",
        mappings=[("Name", "Account", "both"), ("Industry", "Industry", "both")],
        filters=[("salesforce", "AccountNumber", "equals", tag)])

    outcome = _run(workflow)

    assert outcome.counts["rows_added"] == 1 and outcome.counts.get("errors_count", 0) == 0
    (row,) = factories.rows_by_title(sandbox, sheet_id)
    assert row["Industry"] == "Energy"  # the sheet shows Salesforce's value
    _quiet(workflow)


def test_a_column_that_restricts_values_gets_a_row_error_naming_the_missing_option(
        sandbox, alice, connected_install, tag):
    sandbox.salesforce.insert("Account", [{"Name": f"{tag} strict", "AccountNumber": tag,
                                           "Industry": "Energy", "Phone": "555-0100"}])
    sheet_id, columns = _sheet(sandbox, [
        {"title": "Account", "type": "TEXT_NUMBER", "primary": True},
        {"title": "Phone", "type": "TEXT_NUMBER"},
        {"title": "Industry", "type": "PICKLIST", "options": ["Banking", "Retail"],
         "validation": True}])
    workflow = factories.workflow(
        alice, connected_install, sheet_id=sheet_id, direction="to_smartsheet",
        mappings=[("Name", "Account", "to_smartsheet"), ("Phone", "Phone", "to_smartsheet"),
                  ("Industry", "Industry", "to_smartsheet")],
        filters=[("salesforce", "AccountNumber", "equals", tag)])

    outcome = _run(workflow)

    assert outcome.counts["rows_added"] == 1 and outcome.counts["errors_count"] == 1
    (error,) = RunError.objects.filter(run__workflow=workflow)
    assert "'Energy' is not one of the column's options" in error.message
    assert error.message.startswith("Industry:")
    (row,) = factories.rows_by_title(sandbox, sheet_id)
    assert row["Phone"] == "555-0100" and row.get("Industry") is None  # the rest is there
    assert "'Energy'" in row["Sync Error"]

    # Once the column takes the value, the next full run writes it and clears the error.
    factories.smartsheet_client(sandbox).update_column(
        sheet_id, columns["Industry"], {"options": ["Banking", "Energy", "Retail"]})
    fixed = _run(workflow, full=True)
    assert fixed.counts.get("errors_count", 0) == 0
    (row,) = factories.rows_by_title(sandbox, sheet_id)
    assert row["Industry"] == "Energy" and row["Sync Error"] is None
    _quiet(workflow)


def test_cleared_checkboxes_dates_and_cleared_cells_do_not_come_back_as_changes(
        sandbox, alice, connected_install, tag):
    (contact,) = sandbox.salesforce.insert("Contact", [
        {"LastName": "Cleared", "Department": tag, "Birthdate": "1990-04-05",
         "HasOptedOutOfEmail": True, "Title": None}])
    sheet_id, columns = _sheet(sandbox, [
        {"title": "Last name", "type": "TEXT_NUMBER", "primary": True},
        {"title": "Birthday", "type": "DATE"},
        {"title": "Opted out", "type": "CHECKBOX"},
        # A text field into a checkbox: blank is written as false, what Smartsheet keeps.
        {"title": "Titled", "type": "CHECKBOX"}])
    workflow = factories.workflow(
        alice, connected_install, sheet_id=sheet_id, direction="bidirectional",
        salesforce_object="Contact",
        mappings=[("LastName", "Last name", "both"), ("Birthdate", "Birthday", "both"),
                  ("HasOptedOutOfEmail", "Opted out", "both"), ("Title", "Titled", "both")],
        filters=[("salesforce", "Department", "equals", tag)])
    assert _run(workflow).counts["rows_added"] == 1
    (row,) = factories.rows_by_title(sandbox, sheet_id)
    assert (row["Birthday"], row["Opted out"], row["Titled"]) == ("1990-04-05", True, False)
    _quiet(workflow)

    # Salesforce clears the date and the box: the sheet's cells are cleared (the box to
    # false), and what the write answered is what the next read finds.
    sandbox.salesforce.update("Contact", [{"Id": contact, "Birthdate": None,
                                           "HasOptedOutOfEmail": False}])
    outcome = _run(workflow)
    assert outcome.counts["rows_updated"] == 1
    (row,) = factories.rows_by_title(sandbox, sheet_id)
    assert row.get("Birthday") is None and row["Opted out"] is False
    _quiet(workflow)

    # A person clears the box in the sheet ("" makes it false): Salesforce gets false.
    sandbox.salesforce.update("Contact", [{"Id": contact, "HasOptedOutOfEmail": True}])
    _run(workflow)
    sandbox.smartsheet.edit_cells(sheet_id=sheet_id, email="ada@example.com", rows=[
        {"id": row["_id"], "cells": [{"columnId": columns["Opted out"], "value": ""}]}])
    _run(workflow)
    assert _record(sandbox, "Contact", contact)["HasOptedOutOfEmail"] is False
    assert _record(sandbox, "Contact", contact)["Title"] is None
    _quiet(workflow)


def test_a_column_formula_is_read_and_flows_to_salesforce_only(
        sandbox, alice, connected_install, tag):
    (account,) = sandbox.salesforce.insert("Account", [
        {"Name": f"{tag} formula", "AccountNumber": tag, "Description": "from Salesforce"}])
    sheet_id, columns = _sheet(sandbox, [
        {"title": "Account", "type": "TEXT_NUMBER", "primary": True},
        {"title": "Summary", "type": "TEXT_NUMBER", "formula": '="Account " + Account@row'}])
    workflow = factories.workflow(
        alice, connected_install, sheet_id=sheet_id, direction="bidirectional",
        mappings=[("Name", "Account", "both"), ("Description", "Summary", "both")],
        filters=[("salesforce", "AccountNumber", "equals", tag)])

    first = _run(workflow)

    # The row is added without the formula column (writing it is refused: 1302); its
    # computed value then flows to Salesforce, never the other way.
    assert first.counts["rows_added"] == 1 and first.counts.get("errors_count", 0) == 0
    second = _run(workflow)
    assert second.counts.get("errors_count", 0) == 0
    assert _record(sandbox, "Account", account)["Description"] == f"Account {tag} formula"
    sandbox.salesforce.update("Account", [{"Id": account, "Description": "edited"}])
    third = _run(workflow)
    assert third.counts.get("errors_count", 0) == 0
    (row,) = factories.rows_by_title(sandbox, sheet_id)
    assert row["Summary"] == f"Account {tag} formula"
    (summary,) = [c for c in factories.smartsheet_client(sandbox).list_columns(sheet_id)
                  if c["id"] == columns["Summary"]]
    assert summary["formula"] == '="Account " + Account@row'


def test_a_cell_formula_is_never_overwritten(sandbox, alice, connected_install, tag):
    (account,) = sandbox.salesforce.insert("Account", [
        {"Name": f"{tag} cell", "AccountNumber": tag, "NumberOfEmployees": 10}])
    sheet_id, columns = _sheet(sandbox, [
        {"title": "Account", "type": "TEXT_NUMBER", "primary": True},
        {"title": "Employees", "type": "TEXT_NUMBER"}])
    workflow = factories.workflow(
        alice, connected_install, sheet_id=sheet_id, direction="bidirectional",
        mappings=[("Name", "Account", "both"), ("NumberOfEmployees", "Employees", "both")],
        filters=[("salesforce", "AccountNumber", "equals", tag)])
    _run(workflow)
    (row,) = factories.rows_by_title(sandbox, sheet_id)
    sandbox.smartsheet.edit_cells(sheet_id=sheet_id, email="ada@example.com", rows=[
        {"id": row["_id"], "cells": [{"columnId": columns["Employees"], "formula": "=6 * 7"}]}])

    _run(workflow)  # the computed value is the sheet's value: it reaches Salesforce
    assert _record(sandbox, "Account", account)["NumberOfEmployees"] == 42

    # A later Salesforce change does not overwrite the formula, even though this run
    # does not read the row (it did not change).
    sandbox.salesforce.update("Account", [{"Id": account, "NumberOfEmployees": 5}])
    outcome = _run(workflow)
    assert outcome.counts.get("rows_updated", 0) == 0
    body = factories.smartsheet_client(sandbox).get_sheet(sheet_id)
    cell = next(c for c in body["rows"][0]["cells"] if c["columnId"] == columns["Employees"])
    assert (cell.get("formula"), cell["value"]) == ("=6 * 7", 42)


def test_multi_picklist_fields_get_multi_picklist_columns_read_at_level_two(
        sandbox, alice, connected_install, tag):
    sandbox.salesforce.control("schema", {"fields": {"Account": [MULTI_FIELD]}})
    (account,) = sandbox.salesforce.insert("Account", [
        {"Name": f"{tag} multi", "AccountNumber": tag, "Regions__c": "South;North"}])
    sheet_id, _ = factories.sheet(sandbox, ["Account"])
    workflow = factories.workflow(
        alice, connected_install, sheet_id=sheet_id, direction="bidirectional",
        mappings=[("Name", "Account", "both"), ("Regions__c", "Regions", "both", "", True)],
        filters=[("salesforce", "AccountNumber", "equals", tag)])

    assert _run(workflow).counts["rows_added"] == 1

    client = factories.smartsheet_client(sandbox)
    column = next(c for c in client.list_columns(sheet_id) if c["title"] == "Regions")
    assert column["type"] == "MULTI_PICKLIST" and column["options"] == MULTI_FIELD["values"]
    body = client.get_sheet(sheet_id, include=("objectValue",))
    cell = next(c for c in body["rows"][0]["cells"] if c["columnId"] == column["id"])
    assert cell["objectValue"] == {"objectType": "MULTI_PICKLIST", "values": ["North", "South"]}
    _quiet(workflow)

    sandbox.smartsheet.edit_cells(sheet_id=sheet_id, email="ada@example.com", rows=[
        {"id": body["rows"][0]["id"], "cells": [{"columnId": column["id"], "objectValue": {
            "objectType": "MULTI_PICKLIST", "values": ["West", "East"]}}]}])
    _run(workflow)
    assert _record(sandbox, "Account", account)["Regions__c"] == "East;West"
    _quiet(workflow)


def test_a_date_time_field_gets_a_text_column_never_a_datetime_one(
        sandbox, alice, connected_install, tag):
    (contact,) = sandbox.salesforce.insert("Contact", [
        {"LastName": "Timed", "Department": tag}])
    sheet_id, _ = factories.sheet(sandbox, ["Last name"])
    workflow = factories.workflow(
        alice, connected_install, sheet_id=sheet_id, direction="to_smartsheet",
        salesforce_object="Contact",
        mappings=[("LastName", "Last name", "to_smartsheet"),
                  ("CreatedDate", "Created", "to_smartsheet", "", True)],
        filters=[("salesforce", "Department", "equals", tag)])

    outcome = _run(workflow)

    assert outcome.counts["rows_added"] == 1 and outcome.counts.get("errors_count", 0) == 0
    columns = factories.smartsheet_client(sandbox).list_columns(sheet_id)
    assert next(c for c in columns if c["title"] == "Created")["type"] == "TEXT_NUMBER"
    (row,) = factories.rows_by_title(sandbox, sheet_id)
    assert len(row["Created"]) == len("2026-05-20 22:49")  # in the install's time zone
    assert _record(sandbox, "Contact", contact)["LastName"] == "Timed"
