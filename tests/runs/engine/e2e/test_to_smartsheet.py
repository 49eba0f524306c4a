"""To Smartsheet: matching records become rows, with owned columns and hyperlinks."""

from __future__ import annotations

from runs.engine import sync_workflow
from runs.models import Link, SyncState
from tests import factories


def test_it_adds_rows_for_matching_records(sandbox, alice, connected_install, tag):
    ids = sandbox.salesforce.insert("Account", [
        {"Name": f"Acme {i}", "AccountNumber": tag, "NumberOfEmployees": i * 10,
         "Industry": "Banking"} for i in range(3)])
    sandbox.salesforce.insert("Account", [{"Name": "Other", "AccountNumber": tag + "x"}])
    sheet_id, _ = factories.sheet(sandbox, ["Name"])
    workflow = factories.workflow(
        alice, connected_install, sheet_id=sheet_id, direction="to_smartsheet",
        mappings=[("Name", "Name", "to_smartsheet"),
                  ("NumberOfEmployees", "Employees", "to_smartsheet", "", True),
                  ("Industry", "Industry", "to_smartsheet", "", True)],
        filters=[("salesforce", "AccountNumber", "equals", tag)])
    run = factories.start_run(workflow)

    outcome = sync_workflow(run=run)

    rows = factories.rows_by_title(sandbox, sheet_id)
    assert sorted(r["Name"] for r in rows) == ["Acme 0", "Acme 1", "Acme 2"]
    by_name = {r["Name"]: r for r in rows}
    assert by_name["Acme 1"]["Employees"] == 10
    assert by_name["Acme 1"]["Salesforce ID"] in ids
    instance = sandbox.info["salesforce"]["instance_url"]
    assert by_name["Acme 1"]["_links"]["Salesforce ID"] == f"{instance}/{by_name['Acme 1']['Salesforce ID']}"
    assert outcome.counts["rows_added"] == 3
    assert Link.objects.filter(workflow=workflow).count() == 3
    state = SyncState.objects.get(workflow=workflow)
    assert state.salesforce_id_column_id and state.sync_error_column_id
    run.refresh_from_db()
    assert run.rows_added == 3
    # A first run's whole cost, exactly: a change to it should be a conscious one.
    assert (run.salesforce_calls, run.smartsheet_calls) == (2, 3)


def _account_workflow(sandbox, alice, install, tag, **options):
    sheet_id, _ = factories.sheet(sandbox, ["Name"])
    workflow = factories.workflow(
        alice, install, sheet_id=sheet_id, direction="to_smartsheet",
        mappings=[("Name", "Name", "to_smartsheet"),
                  ("AnnualRevenue", "Revenue", "to_smartsheet", "", True),
                  ("Owner.Email", "Owner email", "to_smartsheet", "", True),
                  ("OwnerId", "Owner", "to_smartsheet", "Name", True),
                  ("LastModifiedDate", "Modified", "to_smartsheet", "", True)],
        filters=[("salesforce", "AccountNumber", "equals", tag)], **options)
    return sheet_id, workflow


def test_it_updates_changed_cells_and_shows_related_values(sandbox, alice, connected_install, tag):
    (first, second) = sandbox.salesforce.insert("Account", [
        {"Name": "Globex", "AccountNumber": tag, "AnnualRevenue": 1000},
        {"Name": "Initech", "AccountNumber": tag, "AnnualRevenue": 2000}])
    sheet_id, workflow = _account_workflow(sandbox, alice, connected_install, tag)
    sync_workflow(run=factories.start_run(workflow))
    sandbox.salesforce.update("Account", [{"Id": first, "AnnualRevenue": 1750}])

    run = factories.start_run(workflow)
    outcome = sync_workflow(run=run)

    rows = {r["Salesforce ID"]: r for r in factories.rows_by_title(sandbox, sheet_id)}
    assert rows[first]["Revenue"] == 1750
    assert rows[second]["Revenue"] == 2000
    assert rows[first]["Owner"] == "Ada Lovelace"
    assert rows[first]["Owner email"] == "ada@example.com"
    # Datetimes are shown in the install's time zone (Europe/Paris), to the minute.
    assert len(rows[first]["Modified"]) == len("2026-01-01 10:00")
    assert outcome.counts["rows_updated"] == 1
    assert outcome.counts.get("rows_added", 0) == 0


def test_it_costs_at_most_two_calls_when_nothing_changed(sandbox, alice, connected_install, tag):
    sandbox.salesforce.insert("Account", [
        {"Name": f"Quiet {i}", "AccountNumber": tag} for i in range(5)])
    sheet_id, workflow = _account_workflow(sandbox, alice, connected_install, tag)
    sync_workflow(run=factories.start_run(workflow))
    sync_workflow(run=factories.start_run(workflow))  # reads back the engine's own writes
    sandbox.control.reset_counts()

    run = factories.start_run(workflow)
    outcome = sync_workflow(run=run)

    run.refresh_from_db()
    counts = sandbox.control.counts()
    assert run.salesforce_calls + run.smartsheet_calls <= 2
    assert counts["salesforce"]["total"] + counts["smartsheet"]["total"] <= 2
    assert run.salesforce_calls == counts["salesforce"]["total"]
    assert run.smartsheet_calls == counts["smartsheet"]["total"]
    assert outcome.summary["smartsheet"] == {"rows_to_add": 0, "group_rows_to_add": 0,
                                             "rows_to_update": 0, "rows_to_move": 0,
                                             "rows_to_remove": 0}
    assert run.salesforce_api_usage
