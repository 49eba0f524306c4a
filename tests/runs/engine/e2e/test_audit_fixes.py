"""Fixes from the engine audit, end to end against the sandbox: date-literal filters,
rows deleted from the sheet between full reads."""

from __future__ import annotations

from datetime import timedelta

import pytest

from runs.engine import SyncFailed, preview, sync_workflow
from tests import factories
from workflows.spec import spec_from_workflow


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


def test_it_unlinks_a_row_deleted_from_the_sheet_when_an_update_finds_it_gone(
        sandbox, alice, connected_install, tag):
    from runs.models import Link, RunError, Tombstone

    first, second = sandbox.salesforce.insert("Account", [
        {"Name": "One", "AccountNumber": tag}, {"Name": "Two", "AccountNumber": tag}])
    sheet_id, _ = factories.sheet(sandbox, ["Name"])
    workflow = factories.workflow(
        alice, connected_install, sheet_id=sheet_id, direction="bidirectional",
        mappings=[("Name", "Name", "both")],
        filters=[("salesforce", "AccountNumber", "equals", tag)])
    sync_workflow(run=factories.start_run(workflow))
    row_of_first = Link.objects.get(workflow=workflow, record_id=first).row_id
    factories.smartsheet_client(sandbox).delete_rows(sheet_id, [row_of_first])
    sandbox.control.clock.advance(5)
    sandbox.salesforce.update("Account", [{"Id": first, "Name": "One changed"}])
    client = factories.salesforce_client(sandbox)
    stamp = client.query_all(f"SELECT SystemModstamp FROM Account WHERE Id = '{first}'")[0][
        "SystemModstamp"]

    run = factories.start_run(workflow)
    outcome = sync_workflow(run=run)  # incremental: the deletion is not read, the update fails

    assert outcome.summary["full"] is False
    assert not RunError.objects.filter(run=run).exists()
    assert outcome.counts["errors_count"] == 0 and outcome.counts["unlinked"] == 1
    assert not Link.objects.filter(workflow=workflow, record_id=first).exists()
    assert Tombstone.objects.filter(workflow=workflow, record_id=first,
                                    reason="row_deleted").exists()
    (now,) = client.query_all(f"SELECT Name, SystemModstamp FROM Account WHERE Id = '{first}'")
    assert (now["Name"], now["SystemModstamp"]) == ("One changed", stamp)
    assert [r["Name"] for r in factories.rows_by_title(sandbox, sheet_id)] == ["Two"]

    sandbox.salesforce.update("Account", [{"Id": first, "Name": "One again"}])
    for full in (False, True):  # clean again, and the record is not added back
        run = factories.start_run(workflow, full=full)
        outcome = sync_workflow(run=run)
        assert outcome.counts["errors_count"] == 0
        assert not RunError.objects.filter(run=run).exists()
        assert [r["Name"] for r in factories.rows_by_title(sandbox, sheet_id)] == ["Two"]
