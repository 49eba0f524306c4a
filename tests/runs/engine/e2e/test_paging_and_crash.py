"""Scale and crash safety: more than 2,500 records page through one query; a run
interrupted at any batch and run again creates no duplicate and loses no change."""

from __future__ import annotations

import pytest

from runs.engine import context, sync_workflow
from runs.engine.apply import SALESFORCE_BATCH
from runs.models import Link, SyncState
from tests import factories


class Interrupted(Exception):
    pass


@pytest.fixture
def interrupt_at():
    """Make the engine die right after the first batch of a phase."""
    def arm(phase: str) -> None:
        def hook(name: str) -> None:
            if name == phase:
                context.after_batch_hook = None
                raise Interrupted(name)
        context.after_batch_hook = hook

    yield arm
    context.after_batch_hook = None


def _to_smartsheet(sandbox, alice, install, tag):
    sheet_id, _ = factories.sheet(sandbox, ["Name"])
    workflow = factories.workflow(
        alice, install, sheet_id=sheet_id, direction="to_smartsheet",
        mappings=[("Name", "Name", "to_smartsheet"),
                  ("NumberOfEmployees", "Employees", "to_smartsheet", "", True)],
        filters=[("salesforce", "AccountNumber", "equals", tag)])
    return sheet_id, workflow


def test_it_pages_through_more_than_2500_records(sandbox, alice, connected_install, tag):
    sandbox.salesforce.insert("Account", [
        {"Name": f"Bulk {i:04d}", "AccountNumber": tag, "NumberOfEmployees": i}
        for i in range(2600)])
    sheet_id, workflow = _to_smartsheet(sandbox, alice, connected_install, tag)
    sandbox.control.reset_counts()

    run = factories.start_run(workflow)
    outcome = sync_workflow(run=run)

    counts = sandbox.control.counts()["salesforce"]["by_endpoint"]
    assert counts.get("GET queryAll", 0) + counts.get("GET query", 0) == 2  # 2,000 + 600
    assert outcome.counts["records_read"] == 2600
    assert outcome.counts["rows_added"] == 2600
    rows = factories.rows_by_title(sandbox, sheet_id)
    assert len(rows) == 2600
    assert len({r["Salesforce ID"] for r in rows}) == 2600
    smartsheet = sandbox.control.counts()["smartsheet"]["by_endpoint"]
    assert sum(n for k, n in smartsheet.items() if k.startswith("POST") and "rows" in k) <= 7


@pytest.mark.parametrize("phase", ["row_adds_sent", "row_adds"])
def test_it_adds_no_duplicate_rows_after_a_crash(sandbox, alice, connected_install, tag,
                                                 interrupt_at, phase):
    sandbox.salesforce.insert("Account", [
        {"Name": f"Crash {i}", "AccountNumber": tag, "NumberOfEmployees": i}
        for i in range(1200)])
    sheet_id, workflow = _to_smartsheet(sandbox, alice, connected_install, tag)
    interrupt_at(phase)
    with pytest.raises(Interrupted):
        sync_workflow(run=factories.start_run(workflow))
    assert 0 < len(factories.rows_by_title(sandbox, sheet_id)) < 1200

    sync_workflow(run=factories.start_run(workflow))

    rows = factories.rows_by_title(sandbox, sheet_id)
    assert len(rows) == 1200
    assert len({r["Salesforce ID"] for r in rows}) == 1200
    assert Link.objects.filter(workflow=workflow).count() == 1200
    assert SyncState.objects.get(workflow=workflow).pending_adds == {}


@pytest.mark.parametrize("phase", ["record_creates_sent", "record_creates"])
def test_it_creates_no_duplicate_records_after_a_crash(sandbox, alice, connected_install, tag,
                                                       interrupt_at, phase):
    sheet_id, columns = factories.sheet(sandbox, ["Name", "Number"])
    workflow = factories.workflow(
        alice, connected_install, sheet_id=sheet_id, direction="to_salesforce",
        mappings=[("Name", "Name", "to_salesforce"),
                  ("AccountNumber", "Number", "to_salesforce")])
    client = factories.salesforce_client(sandbox)
    # One committed batch: a collections call (200) per parallel slot of the client.
    batch = SALESFORCE_BATCH * client.max_parallel
    total = batch + 250
    factories.smartsheet_client(sandbox).add_rows(sheet_id, [
        {"toBottom": True, "cells": [{"columnId": columns["Name"], "value": f"New {i}"},
                                     {"columnId": columns["Number"], "value": tag}]}
        for i in range(total)])
    interrupt_at(phase)
    with pytest.raises(Interrupted):
        sync_workflow(run=factories.start_run(workflow))
    created = client.query_all(f"SELECT Id FROM Account WHERE AccountNumber = '{tag}'")
    assert len(created) == batch

    sync_workflow(run=factories.start_run(workflow))

    records = client.query_all(f"SELECT Id, Name FROM Account WHERE AccountNumber = '{tag}'")
    assert len(records) == total
    assert len({r["Name"] for r in records}) == total
    rows = factories.rows_by_title(sandbox, sheet_id)
    assert {r["Salesforce ID"] for r in rows} == {r["Id"] for r in records}
    assert SyncState.objects.get(workflow=workflow).pending_creates == {}
