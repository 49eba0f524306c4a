"""Who may sync a sheet, as the connector's documentation says, for real against the
sandbox (which enforces Smartsheet's access levels on every endpoint): Editor access is
enough once the sheet is prepared; preparing it — adding the connector's own columns —
takes an Admin, in one click.

The sheet belongs to Ada (the sandbox's integration user); bob is an Editor of it and
alice an Admin, each through their own Smartsheet account (Salesforce through Ada's).
"""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from runs.engine import sync_workflow
from runs.models import SyncState
from tests import factories
from workflows.services import (
    WorkflowValidationError,
    sheet_prepare,
    sheet_readiness,
    workflow_create,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def shared_sheet(sandbox, alice, bob, live_install):
    """Ada's sheet (Name, Employees), bob an Editor and alice an Admin of it."""
    sheet_id, columns = factories.sheet(sandbox, ["Name", "Employees"])
    sandbox.smartsheet.share(sheet_id=sheet_id, email="bob@example.com", access_level="EDITOR")
    sandbox.smartsheet.share(sheet_id=sheet_id, email="alice@example.com",
                             access_level="ADMIN")
    factories.connect(bob, live_install, sandbox, smartsheet_as="bob@example.com")
    factories.connect(alice, live_install, sandbox, smartsheet_as="alice@example.com")
    return sheet_id, columns


def _draft(sheet_id: int, tag: str, **changes) -> dict:
    draft = {"name": "Bob's accounts", "direction": "to_smartsheet",
             "salesforce_object": "Account", "sheet_id": sheet_id,
             "mappings": [{"salesforce_field": "Name", "column": "Name"},
                          {"salesforce_field": "NumberOfEmployees", "column": "Employees"}],
             "salesforce_filters": [{"field": "AccountNumber", "operator": "equals",
                                     "value": tag}]}
    draft.update(changes)
    return draft


def test_an_editor_of_an_unprepared_sheet_is_told_who_can_prepare_it(
        bob, live_install, shared_sheet, tag):
    sheet_id, _ = shared_sheet
    with pytest.raises(WorkflowValidationError) as refused:
        workflow_create(user=bob, install=live_install, **_draft(sheet_id, tag))
    (message,) = refused.value.errors["sheet_id"]
    assert "is not prepared for syncing" in message
    assert "Ada Lovelace (owner) or Alice Martin (admin) can prepare it in one click" in message
    readiness = sheet_readiness(user=bob, install=live_install, sheet_id=sheet_id)
    assert (readiness.can_sync, readiness.prepared, readiness.ready) == (True, False, False)
    with pytest.raises(PermissionDenied, match="needs Admin access"):
        sheet_prepare(user=bob, install=live_install, sheet_id=sheet_id)


def test_an_admin_prepares_it_in_one_click_and_the_editor_builds_and_runs_a_workflow(
        sandbox, alice, bob, live_install, shared_sheet, tag):
    sheet_id, columns = shared_sheet
    sandbox.salesforce.insert("Account", [
        {"Name": f"Editor {n}", "AccountNumber": tag, "NumberOfEmployees": n}
        for n in range(3)])

    assert sheet_prepare(user=alice, install=live_install, sheet_id=sheet_id) == [
        "Salesforce ID", "Sync Error"]
    assert sheet_prepare(user=alice, install=live_install, sheet_id=sheet_id) == []  # once
    assert sheet_readiness(user=bob, install=live_install, sheet_id=sheet_id).ready

    # A new column still needs an Admin; existing columns are the Editor's to map.
    with pytest.raises(WorkflowValidationError) as refused:
        workflow_create(user=bob, install=live_install, **_draft(sheet_id, tag, mappings=[
            {"salesforce_field": "Name", "column": "Name"},
            {"salesforce_field": "Phone", "column": "Phone", "new_column": True}]))
    assert "needs Admin access" in refused.value.errors["mappings"][0]
    workflow = workflow_create(user=bob, install=live_install, **_draft(sheet_id, tag))
    assert workflow.sheet_permalink.endswith(str(sheet_id))

    outcome = sync_workflow(run=factories.start_run(workflow))

    assert outcome.counts["rows_added"] == 3 and outcome.counts.get("errors_count", 0) == 0
    body = factories.smartsheet_client(sandbox).get_sheet(sheet_id)
    owned = {c["title"]: c["id"] for c in body["columns"]}
    assert list(owned) == ["Name", "Employees", "Salesforce ID", "Sync Error"]  # no second set
    state = SyncState.objects.get(workflow=workflow)
    assert (state.salesforce_id_column_id, state.sync_error_column_id) == (
        owned["Salesforce ID"], owned["Sync Error"])  # found by title, tracked by id
    rows = factories.rows_by_title(sandbox, sheet_id)
    assert sorted(r["Name"] for r in rows) == ["Editor 0", "Editor 1", "Editor 2"]


def test_a_viewer_cannot_sync_the_sheet(sandbox, bob, live_install, shared_sheet, tag):
    sheet_id, _ = shared_sheet
    sandbox.smartsheet.share(sheet_id=sheet_id, email="bob@example.com", access_level="VIEWER")
    with pytest.raises(WorkflowValidationError) as refused:
        workflow_create(user=bob, install=live_install, **_draft(sheet_id, tag))
    assert refused.value.errors["sheet_id"][0].startswith(
        "You have Viewer access to “")
    readiness = sheet_readiness(user=bob, install=live_install, sheet_id=sheet_id)
    assert not readiness.can_sync and readiness.access_words == "Viewer"
