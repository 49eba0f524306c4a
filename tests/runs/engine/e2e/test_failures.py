"""Systemic failures fail the run with a message a user can act on; what the owner may
not write is reported, never skipped silently."""

from __future__ import annotations

import pytest

from connector.models import Connection
from runs.engine import SyncFailed, sync_workflow
from runs.models import RunError
from tests import factories


def _workflow(sandbox, owner, install, tag, sheet_id=None):
    if sheet_id is None:
        sheet_id, _ = factories.sheet(sandbox, ["Name"])
    return sheet_id, factories.workflow(
        owner, install, sheet_id=sheet_id, direction="to_smartsheet",
        mappings=[("Name", "Name", "to_smartsheet")],
        filters=[("salesforce", "AccountNumber", "equals", tag)])


def test_a_missing_sheet_fails_the_run(sandbox, alice, connected_install, tag):
    sheet_id, workflow = _workflow(sandbox, alice, connected_install, tag)
    sandbox.smartsheet.delete_sheet(sheet_id=sheet_id)
    with pytest.raises(SyncFailed) as failure:
        sync_workflow(run=factories.start_run(workflow))
    assert failure.value.kind == "not_found"
    assert "sheet" in failure.value.message


def test_a_missing_connection_fails_the_run(sandbox, alice, connected_install, tag):
    _, workflow = _workflow(sandbox, alice, connected_install, tag)
    Connection.objects.filter(user=alice, service="smartsheet").delete()
    with pytest.raises(SyncFailed) as failure:
        sync_workflow(run=factories.start_run(workflow))
    assert failure.value.kind == "auth" and "Connect your Smartsheet account" in str(failure.value)


def test_a_revoked_salesforce_sign_in_asks_to_reconnect(sandbox, bob, live_install, tag):
    # bob signs in to Salesforce as the sandbox's carol: revoking her sign-in touches no
    # token that other tests share.
    username = "carol@example.com.sandbox"
    factories.connect(bob, live_install, sandbox, salesforce_as=username)
    _, workflow = _workflow(sandbox, bob, live_install, tag)
    sandbox.salesforce.revoke(username)
    with pytest.raises(SyncFailed) as failure:
        sync_workflow(run=factories.start_run(workflow))
    assert failure.value.kind == "revoked"
    assert "Reconnect your Salesforce account" in failure.value.message


def test_the_api_limit_fails_the_run_with_kind_limit(sandbox, alice, connected_install, tag):
    _, workflow = _workflow(sandbox, alice, connected_install, tag)
    before = sandbox.salesforce.set_limit()
    sandbox.salesforce.set_limit(before["max"], used=before["max"])
    try:
        with pytest.raises(SyncFailed) as failure:
            sync_workflow(run=factories.start_run(workflow))
    finally:
        sandbox.salesforce.set_limit(before["max"], used=0)
    assert failure.value.kind == "limit" and "limit" in failure.value.message


def test_writes_the_owner_is_not_allowed_are_reported(sandbox, bob, live_install, tag):
    factories.connect(bob, live_install, sandbox, smartsheet_as="bob@example.com")
    sheet_id, _ = factories.sheet(sandbox, ["Name"])
    sandbox.smartsheet.share(sheet_id=sheet_id, email="bob@example.com", access_level="VIEWER")
    sandbox.salesforce.insert("Account", [{"Name": "Viewer", "AccountNumber": tag}])
    _, workflow = _workflow(sandbox, bob, live_install, tag, sheet_id=sheet_id)
    run = factories.start_run(workflow)
    try:
        sync_workflow(run=run)
    except SyncFailed as failure:
        assert failure.kind == "permission"
    else:
        assert RunError.objects.filter(run=run).exists()
    assert factories.rows_by_title(sandbox, sheet_id) == []


def test_a_locked_column_is_reported_as_row_errors(sandbox, bob, live_install, tag):
    factories.connect(bob, live_install, sandbox, smartsheet_as="bob@example.com")
    sheet_id, columns = factories.sheet(sandbox, ["Name", "Salesforce ID", "Sync Error",
                                                       "Employees"])
    factories.smartsheet_client(sandbox).update_column(sheet_id, columns["Employees"],
                                                       {"locked": True})
    sandbox.smartsheet.share(sheet_id=sheet_id, email="bob@example.com", access_level="EDITOR")
    sandbox.salesforce.insert("Account", [
        {"Name": "Locked", "AccountNumber": tag, "NumberOfEmployees": 3}])
    workflow = factories.workflow(
        bob, live_install, sheet_id=sheet_id, direction="to_smartsheet",
        mappings=[("Name", "Name", "to_smartsheet"),
                  ("NumberOfEmployees", "Employees", "to_smartsheet")],
        filters=[("salesforce", "AccountNumber", "equals", tag)])
    run = factories.start_run(workflow)

    outcome = sync_workflow(run=run)

    assert outcome.counts["errors_count"] == 1  # the one record, its row refused
    (error,) = RunError.objects.filter(run=run)
    assert "locked column" in error.message and error.code
