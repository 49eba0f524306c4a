"""Salesforce filters through a relationship (Account.AnnualRevenue on Contact) are typed
by the related object's field: Salesforce refuses a number or a date in quotes."""

from __future__ import annotations

import pytest

from runs.engine import SyncFailed, preview, sync_workflow
from runs.models import SyncState
from tests import factories
from workflows.spec import spec_from_workflow


def _contacts(sandbox, alice, install, tag, *filters):
    sheet_id, _ = factories.sheet(sandbox, ["Last Name"])
    workflow = factories.workflow(
        alice, install, sheet_id=sheet_id, direction="to_smartsheet",
        salesforce_object="Contact", mappings=[("LastName", "Last Name", "to_smartsheet")],
        filters=[("salesforce", "LastName", "starts_with", tag), *filters])
    return sheet_id, workflow


def test_a_number_filter_through_a_relationship_reads_the_right_records(
        sandbox, alice, connected_install, tag):
    big, small = sandbox.salesforce.insert("Account", [
        {"Name": f"{tag} big", "AnnualRevenue": 5_000_000},
        {"Name": f"{tag} small", "AnnualRevenue": 10}])
    sandbox.salesforce.insert("Contact", [
        {"LastName": f"{tag} at big", "AccountId": big},
        {"LastName": f"{tag} at small", "AccountId": small}])
    sheet_id, workflow = _contacts(
        sandbox, alice, connected_install, tag,
        ("salesforce", "Account.AnnualRevenue", "greater_than", "1000"))

    outcome = sync_workflow(run=factories.start_run(workflow))

    assert outcome.counts["errors_count"] == 0
    assert [r["Last Name"] for r in factories.rows_by_title(sandbox, sheet_id)] == [
        f"{tag} at big"]
    cached = SyncState.objects.get(workflow=workflow).field_cache
    assert cached["path_fields"]["Account.AnnualRevenue"]["type"] == "currency"
    assert preview(spec_from_workflow(workflow), user=alice, workflow=workflow)["errors"] == 0
    # The next poll uses the cached leaf type: no describe call.
    sandbox.control.reset_counts()
    sync_workflow(run=factories.start_run(workflow))
    counts = sandbox.control.counts()
    assert counts["salesforce"]["total"] + counts["smartsheet"]["total"] <= 2


def test_a_relationship_that_no_longer_exists_fails_the_run_as_configuration(
        sandbox, alice, connected_install, tag):
    _, workflow = _contacts(sandbox, alice, connected_install, tag,
                            ("salesforce", "Nowhere.Name", "equals", "x"))
    with pytest.raises(SyncFailed) as failure:
        sync_workflow(run=factories.start_run(workflow))
    assert failure.value.kind == "config"
    assert "Nowhere.Name" in failure.value.message
