"""Economy of polls: the incremental window follows the Salesforce server's time, the
sheet version comes from the engine's own write answers, and the engine never
overwrites the scheduler's fields of SyncState."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from runs.engine import context, sync_workflow
from runs.engine.pipeline import salesforce_since
from runs.models import SyncState
from tests import factories


@pytest.fixture(scope="module")
def sandbox(clock_sandbox):
    """This module rewinds the sandbox clock: it gets a sandbox of its own."""
    return clock_sandbox


@pytest.fixture
def clock(sandbox):
    """The sandbox clock, put back where it was afterwards (the sandbox is shared)."""
    moved = []
    yield lambda seconds: (moved.append(seconds), sandbox.control.clock.advance(seconds))
    sandbox.control.clock.advance(-sum(moved))


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000+0000")


def _catch_up_with_stamps(sandbox, tag, clock) -> None:
    """Stamps never go backwards in the sandbox: after a test that moved the shared clock
    forward and back, new records are stamped ahead of the clock. Move the clock past
    them, as real time would be."""
    probe, = sandbox.salesforce.insert("Account", [{"Name": "Probe", "AccountNumber": tag + "p"}])
    stamp = factories.salesforce_client(sandbox).query_all(
        f"SELECT SystemModstamp FROM Account WHERE Id = '{probe}'")[0]["SystemModstamp"]
    ahead = (datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%S.%f%z")
             - sandbox.control.clock.now()).total_seconds()
    if ahead > 0:
        clock(ahead + 2)


def _workflow(sandbox, alice, install, tag):
    sheet_id, _ = factories.sheet(sandbox, ["Name"])
    workflow = factories.workflow(
        alice, install, sheet_id=sheet_id, direction="to_smartsheet",
        mappings=[("Name", "Name", "to_smartsheet")],
        filters=[("salesforce", "AccountNumber", "equals", tag)])
    return sheet_id, workflow


def test_it_polls_in_two_calls_and_still_reads_a_late_commit_with_an_older_stamp(
        sandbox, alice, connected_install, tag, clock):
    _catch_up_with_stamps(sandbox, tag, clock)
    sandbox.salesforce.insert("Account", [
        {"Name": f"Poll {i}", "AccountNumber": tag} for i in range(30)])
    sheet_id, workflow = _workflow(sandbox, alice, connected_install, tag)
    sync_workflow(run=factories.start_run(workflow))
    state = SyncState.objects.get(workflow=workflow)
    read_at = datetime.fromisoformat(state.salesforce_cursor["server_time"])
    # The window is based on the sandbox's (the server's) clock, not this machine's.
    assert abs((read_at - sandbox.control.clock.now()).total_seconds()) < 30
    assert state.sheet_version is not None

    clock(120)  # the next poll, minutes later
    first_poll = factories.start_run(workflow)
    sync_workflow(run=first_poll)
    clock(120)
    sandbox.control.reset_counts()
    quiet = factories.start_run(workflow)
    outcome = sync_workflow(run=quiet)

    counts = sandbox.control.counts()
    assert counts["salesforce"]["total"] + counts["smartsheet"]["total"] == 2
    assert outcome.counts["records_read"] == 0

    # A record committed after that poll's query, stamped 30 s before the query ran
    # (a long transaction): inside the overlap, so the next poll reads it.
    poll_at = datetime.fromisoformat(
        SyncState.objects.get(workflow=workflow).salesforce_cursor["server_time"])
    late_id, = sandbox.salesforce.insert("Account", [
        {"Name": "Late", "AccountNumber": tag,
         "SystemModstamp": _stamp(poll_at - timedelta(seconds=30))}])
    clock(120)
    outcome = sync_workflow(run=factories.start_run(workflow))

    assert outcome.counts["rows_added"] == 1
    rows = factories.rows_by_title(sandbox, sheet_id)
    assert late_id in {r["Salesforce ID"] for r in rows}


def test_it_takes_the_sheet_version_from_its_own_writes(sandbox, alice, connected_install, tag):
    sandbox.salesforce.insert("Account", [
        {"Name": f"Version {i}", "AccountNumber": tag} for i in range(12)])
    sheet_id, workflow = _workflow(sandbox, alice, connected_install, tag)
    sandbox.control.reset_counts()

    sync_workflow(run=factories.start_run(workflow))

    by_endpoint = sandbox.control.counts()["smartsheet"]["by_endpoint"]
    assert "GET sheets/{id}/version" not in by_endpoint
    version = factories.smartsheet_client(sandbox).get_version(sheet_id)
    assert SyncState.objects.get(workflow=workflow).sheet_version == version


def test_it_reads_the_sheet_again_when_someone_wrote_between_its_writes(
        sandbox, alice, connected_install, tag):
    sandbox.salesforce.insert("Account", [
        {"Name": f"Between {i}", "AccountNumber": tag} for i in range(3)])
    sheet_id, workflow = _workflow(sandbox, alice, connected_install, tag)
    other = factories.smartsheet_client(sandbox)
    columns = {c["title"]: c["id"] for c in other.get_sheet(sheet_id)["columns"]}

    def someone_writes(phase: str) -> None:
        if phase == "row_adds_sent":
            context.after_batch_hook = None
            other.add_rows(sheet_id, [{"toBottom": True, "cells": [
                {"columnId": columns["Name"], "value": "Typed by hand"}]}])

    context.after_batch_hook = someone_writes
    try:
        sync_workflow(run=factories.start_run(workflow))
    finally:
        context.after_batch_hook = None

    # Our writes did not account for the whole version change: the next poll must not
    # skip the row typed between them.
    assert SyncState.objects.get(workflow=workflow).sheet_version < other.get_version(sheet_id)


def test_it_keeps_a_rerun_requested_by_the_scheduler_during_the_run(
        sandbox, alice, connected_install, tag):
    sandbox.salesforce.insert("Account", [
        {"Name": f"Rerun {i}", "AccountNumber": tag} for i in range(3)])
    _, workflow = _workflow(sandbox, alice, connected_install, tag)
    SyncState.objects.get_or_create(workflow=workflow)

    def scheduler_asks_again(phase: str) -> None:
        if phase == "row_adds":
            SyncState.objects.filter(workflow=workflow).update(rerun_requested=True)

    context.after_batch_hook = scheduler_asks_again
    try:
        sync_workflow(run=factories.start_run(workflow))
    finally:
        context.after_batch_hook = None

    state = SyncState.objects.get(workflow=workflow)
    assert state.rerun_requested is True
    assert state.sheet_version is not None  # the engine's own fields were saved


def test_it_bases_the_window_on_the_server_time_or_else_the_newest_stamp():
    overlap = timedelta(seconds=60)
    read_at = datetime(2026, 1, 2, 3, 4, 5).astimezone()
    newest = read_at - timedelta(hours=5)
    with_time = SyncState(salesforce_watermark=newest,
                          salesforce_cursor={"server_time": read_at.isoformat()})
    without = SyncState(salesforce_watermark=newest, salesforce_cursor={})

    assert salesforce_since(with_time) == read_at - overlap
    assert salesforce_since(without) == newest - overlap
    assert salesforce_since(SyncState()) is None
