"""Deletes: the sync never deletes a Salesforce record. A record deleted in Salesforce
marks its row and unlinks it; a row deleted from the sheet unlinks its record, which is
not added back run after run."""

from __future__ import annotations

from runs.engine import sync_workflow
from runs.models import Link, RunError, Tombstone
from tests import factories


def _workflow(sandbox, alice, install, tag, **options):
    sheet_id, _ = factories.sheet(sandbox, ["Name"])
    workflow = factories.workflow(
        alice, install, sheet_id=sheet_id, direction="bidirectional",
        mappings=[("Name", "Name", "both")],
        filters=[("salesforce", "AccountNumber", "equals", tag)], **options)
    return sheet_id, workflow


def test_it_marks_and_unlinks_rows_of_records_deleted_in_salesforce(
        sandbox, alice, connected_install, tag):
    gone, kept = sandbox.salesforce.insert("Account", [
        {"Name": "Gone", "AccountNumber": tag}, {"Name": "Kept", "AccountNumber": tag}])
    sheet_id, workflow = _workflow(sandbox, alice, connected_install, tag)
    sync_workflow(run=factories.start_run(workflow))
    sandbox.salesforce.delete([gone])

    outcome = sync_workflow(run=factories.start_run(workflow))  # incremental: queryAll

    rows = {r["Name"]: r for r in factories.rows_by_title(sandbox, sheet_id)}
    assert rows["Gone"]["Sync Error"] == "Deleted in Salesforce"
    assert rows["Kept"].get("Sync Error") is None
    assert not Link.objects.filter(workflow=workflow, record_id=gone).exists()
    assert outcome.counts["unlinked"] == 1
    # The marked row is neither re-created in Salesforce nor reported run after run.
    outcome = sync_workflow(run=factories.start_run(workflow, full=True))
    assert outcome.counts.get("records_created", 0) == 0
    assert outcome.counts["errors_count"] == 0
    assert len(factories.rows_by_title(sandbox, sheet_id)) == 2


def test_it_can_remove_rows_of_deleted_records(sandbox, alice, connected_install, tag):
    (gone,) = sandbox.salesforce.insert("Account", [{"Name": "Gone", "AccountNumber": tag}])
    sheet_id, workflow = _workflow(sandbox, alice, connected_install, tag,
                                   remove_rows_on_delete=True)
    sync_workflow(run=factories.start_run(workflow))
    sandbox.salesforce.delete([gone])

    outcome = sync_workflow(run=factories.start_run(workflow))

    assert factories.rows_by_title(sandbox, sheet_id) == []
    assert outcome.counts["rows_removed"] == 1


def test_it_unlinks_rows_deleted_from_the_sheet_without_touching_salesforce(
        sandbox, alice, connected_install, tag):
    first, second = sandbox.salesforce.insert("Account", [
        {"Name": "One", "AccountNumber": tag}, {"Name": "Two", "AccountNumber": tag}])
    sheet_id, workflow = _workflow(sandbox, alice, connected_install, tag)
    sync_workflow(run=factories.start_run(workflow))
    row_of_first = Link.objects.get(workflow=workflow, record_id=first).row_id
    factories.smartsheet_client(sandbox).delete_rows(sheet_id, [row_of_first])

    outcome = sync_workflow(run=factories.start_run(workflow, full=True))

    assert outcome.counts["unlinked"] == 1
    assert Tombstone.objects.filter(workflow=workflow, record_id=first).exists()
    client = factories.salesforce_client(sandbox)
    assert len(client.query_all(f"SELECT Id FROM Account WHERE AccountNumber = '{tag}'")) == 2
    for _ in range(2):  # not re-added, run after run
        sync_workflow(run=factories.start_run(workflow, full=True))
        assert [r["Name"] for r in factories.rows_by_title(sandbox, sheet_id)] == ["Two"]


def test_it_leaves_rows_of_records_that_left_the_filter(sandbox, alice, connected_install, tag):
    leaving, staying = sandbox.salesforce.insert("Account", [
        {"Name": "Leaving", "AccountNumber": tag}, {"Name": "Staying", "AccountNumber": tag}])
    sheet_id, workflow = _workflow(sandbox, alice, connected_install, tag)
    sync_workflow(run=factories.start_run(workflow))
    sandbox.salesforce.update("Account", [{"Id": leaving, "AccountNumber": "elsewhere",
                                           "Name": "Left"}])

    outcome = sync_workflow(run=factories.start_run(workflow, full=True))

    names = sorted(r["Name"] for r in factories.rows_by_title(sandbox, sheet_id))
    assert names == ["Leaving", "Staying"]  # left as it was
    assert outcome.counts["unlinked"] == 1
    assert not Link.objects.filter(workflow=workflow, record_id=leaving).exists()


def test_it_unlinks_a_row_deleted_from_the_sheet_when_an_update_finds_it_gone(
        sandbox, alice, connected_install, tag):
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
