"""Editing a workflow's mappings or filters makes the next run read everything once, so
records nobody touched still get the new column's values or enter the wider filter;
the runs after it are incremental again."""

from __future__ import annotations

from runs.engine import sync_workflow
from runs.models import SyncState
from tests import factories
from workflows.services import workflow_update


def _workflow(sandbox, alice, install, tag):
    sheet_id, _ = factories.sheet(sandbox, ["Name", "Phone"])
    workflow = factories.workflow(
        alice, install, sheet_id=sheet_id, direction="to_smartsheet",
        mappings=[("Name", "Name", "to_smartsheet")],
        filters=[("salesforce", "AccountNumber", "equals", tag)])
    return sheet_id, workflow


def _run(workflow):
    return sync_workflow(run=factories.start_run(workflow))


def test_a_new_mapping_fills_its_column_for_records_nobody_edited(
        sandbox, alice, connected_install, tag):
    sandbox.salesforce.insert("Account", [
        {"Name": f"Quiet {i}", "AccountNumber": tag, "Phone": f"555-01{i:02d}"}
        for i in range(5)])
    sheet_id, workflow = _workflow(sandbox, alice, connected_install, tag)
    assert _run(workflow).summary["full"] is True  # the first run
    assert _run(workflow).summary["full"] is False  # nothing changed: incremental

    workflow_update(user=alice, workflow=workflow, mappings=[
        {"salesforce_field": "Name", "column": "Name", "direction": "to_smartsheet"},
        {"salesforce_field": "Phone", "column": "Phone", "direction": "to_smartsheet"}])
    after_edit = _run(workflow)

    assert after_edit.summary["full"] is True
    phones = sorted(r["Phone"] for r in factories.rows_by_title(sandbox, sheet_id))
    assert phones == [f"555-01{i:02d}" for i in range(5)]
    assert _run(workflow).summary["full"] is False  # back to incremental


def test_a_wider_filter_brings_in_records_that_did_not_match_before(
        sandbox, alice, connected_install, tag):
    sandbox.salesforce.insert("Account", [
        {"Name": "In", "AccountNumber": tag, "Industry": "Energy"},
        {"Name": "Out", "AccountNumber": tag, "Industry": "Banking"}])
    sheet_id, workflow = _workflow(sandbox, alice, connected_install, tag)
    workflow_update(user=alice, workflow=workflow, salesforce_filters=[
        {"field": "AccountNumber", "operator": "equals", "value": tag},
        {"field": "Industry", "operator": "equals", "value": "Energy"}])
    _run(workflow)
    assert [r["Name"] for r in factories.rows_by_title(sandbox, sheet_id)] == ["In"]
    _run(workflow)

    workflow_update(user=alice, workflow=workflow, salesforce_filters=[
        {"field": "AccountNumber", "operator": "equals", "value": tag}])
    assert _run(workflow).summary["full"] is True
    assert sorted(r["Name"] for r in factories.rows_by_title(sandbox, sheet_id)) == ["In", "Out"]


def test_renaming_or_pinning_column_ids_is_not_a_settings_change(
        sandbox, alice, connected_install, tag):
    sandbox.salesforce.insert("Account", [{"Name": "Only", "AccountNumber": tag}])
    _, workflow = _workflow(sandbox, alice, connected_install, tag)
    _run(workflow)  # pins the mapped column's id on the mapping
    key = SyncState.objects.get(workflow=workflow).synced_spec_key
    workflow_update(user=alice, workflow=workflow, name="Renamed")
    assert _run(workflow).summary["full"] is False
    assert SyncState.objects.get(workflow=workflow).synced_spec_key == key
