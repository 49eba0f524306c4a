"""Systemic failures fail the run with a message a user can act on; what the owner may
not write is reported, never skipped silently."""

from __future__ import annotations

import pytest

from connector.models import Connection
from runs.engine import SyncFailed, sync_workflow
from runs.models import RunError
from tests.runs.engine import factories


def _workflow(sandbox, owner, install, tag, sheet_id=None):
    if sheet_id is None:
        sheet_id, _ = factories.make_sheet(sandbox, ["Name"])
    return sheet_id, factories.make_workflow(
        owner, install, sheet_id=sheet_id, direction="to_smartsheet",
        mappings=[("Name", "Name", "to_smartsheet")],
        filters=[("salesforce", "AccountNumber", "equals", tag)])


def test_a_missing_sheet_fails_the_run(sandbox, alice, install, tag):
    sheet_id, workflow = _workflow(sandbox, alice, install, tag)
    sandbox.smartsheet.delete_sheet(sheet_id=sheet_id)
    with pytest.raises(SyncFailed) as failure:
        sync_workflow(run=factories.start_run(workflow))
    assert failure.value.kind == "not_found"
    assert "sheet" in failure.value.message


def test_a_missing_connection_fails_the_run(sandbox, alice, install, tag):
    _, workflow = _workflow(sandbox, alice, install, tag)
    Connection.objects.filter(user=alice, service="smartsheet").delete()
    with pytest.raises(SyncFailed) as failure:
        sync_workflow(run=factories.start_run(workflow))
    assert failure.value.kind == "auth" and "Connect your Smartsheet account" in str(failure.value)


def test_a_revoked_salesforce_sign_in_asks_to_reconnect(sandbox, db, tag):
    carol = factories.make_user("carol")
    install = factories.make_install(sandbox)
    factories.connect(carol, install, sandbox)
    username = "carol@example.com.sandbox"
    tokens = sandbox.salesforce.control("token", {"user": username})
    Connection.objects.filter(user=carol, service="salesforce").update(
        access_token=tokens["access_token"], refresh_token=tokens["refresh_token"])
    _, workflow = _workflow(sandbox, carol, install, tag)
    sandbox.salesforce.revoke(username)
    with pytest.raises(SyncFailed) as failure:
        sync_workflow(run=factories.start_run(workflow))
    assert failure.value.kind in ("auth", "revoked")
    assert "Reconnect your Salesforce account" in failure.value.message


def test_the_api_limit_fails_the_run_with_kind_limit(sandbox, alice, install, tag):
    _, workflow = _workflow(sandbox, alice, install, tag)
    before = sandbox.salesforce.set_limit()
    sandbox.salesforce.set_limit(before["max"], used=before["max"])
    try:
        with pytest.raises(SyncFailed) as failure:
            sync_workflow(run=factories.start_run(workflow))
    finally:
        sandbox.salesforce.set_limit(before["max"], used=0)
    assert failure.value.kind == "limit" and "limit" in failure.value.message


def test_writes_the_owner_is_not_allowed_are_reported(sandbox, db, tag):
    bob = factories.make_user("bob")
    install = factories.make_install(sandbox)
    factories.connect(bob, install, sandbox)
    Connection.objects.filter(user=bob, service="smartsheet").update(
        access_token=sandbox.smartsheet.persona_tokens()["bob@example.com"])
    sheet_id, _ = factories.make_sheet(sandbox, ["Name"])
    sandbox.smartsheet.share(sheet_id=sheet_id, email="bob@example.com", access_level="VIEWER")
    sandbox.salesforce.insert("Account", [{"Name": "Viewer", "AccountNumber": tag}])
    _, workflow = _workflow(sandbox, bob, install, tag, sheet_id=sheet_id)
    run = factories.start_run(workflow)
    try:
        sync_workflow(run=run)
    except SyncFailed as failure:
        assert failure.kind == "permission"
    else:
        assert RunError.objects.filter(run=run).exists()
    assert factories.rows_by_title(sandbox, sheet_id) == []


def test_a_locked_column_is_reported_as_row_errors(sandbox, db, tag):
    bob = factories.make_user("bob")
    install = factories.make_install(sandbox)
    factories.connect(bob, install, sandbox)
    Connection.objects.filter(user=bob, service="smartsheet").update(
        access_token=sandbox.smartsheet.persona_tokens()["bob@example.com"])
    sheet_id, columns = factories.make_sheet(sandbox, ["Name", "Salesforce ID", "Sync Error",
                                                       "Employees"])
    factories.smartsheet_client(sandbox).update_column(sheet_id, columns["Employees"],
                                                       {"locked": True})
    sandbox.smartsheet.share(sheet_id=sheet_id, email="bob@example.com", access_level="EDITOR")
    sandbox.salesforce.insert("Account", [
        {"Name": "Locked", "AccountNumber": tag, "NumberOfEmployees": 3}])
    workflow = factories.make_workflow(
        bob, install, sheet_id=sheet_id, direction="to_smartsheet",
        mappings=[("Name", "Name", "to_smartsheet"),
                  ("NumberOfEmployees", "Employees", "to_smartsheet")],
        filters=[("salesforce", "AccountNumber", "equals", tag)])
    run = factories.start_run(workflow)

    outcome = sync_workflow(run=run)

    assert outcome.counts["errors_count"] >= 1
    error = RunError.objects.filter(run=run).first()
    assert error.message and error.code
