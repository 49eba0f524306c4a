"""Computed Service Cloud columns end to end: a Case workflow on a Service Cloud install
writes Time to close, Age, SLA target, SLA status and Escalated, and refreshes open cases
as time passes without reading them again."""

from __future__ import annotations

from datetime import timedelta

import pytest

from runs.engine import sync_workflow
from runs.models import Link, Run, RunStatus
from tests import factories


@pytest.fixture(scope="module")
def sandbox(clock_sandbox):
    """This module rewinds the sandbox clock: it gets a sandbox of its own."""
    return clock_sandbox


COMPUTED = [("Subject", "Subject", "to_smartsheet"),
            ("$time_to_close", "Time to close", "to_smartsheet", "", True),
            ("$age", "Age", "to_smartsheet", "", True),
            ("$sla_target", "SLA target", "to_smartsheet", "", True),
            ("$sla_status", "SLA status", "to_smartsheet", "", True),
            ("$escalated", "Escalated", "to_smartsheet", "", True)]


def _stamp(moment) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000+0000")


def _start(workflow, sandbox) -> Run:
    """A run whose time is the sandbox's (the org's) clock: Age is measured against it."""
    return Run.objects.create(workflow=workflow, trigger="manual", status=RunStatus.RUNNING,
                              started_at=sandbox.control.clock.now())


@pytest.fixture
def service_install(connected_install):
    connected_install.kind = "service_cloud"
    connected_install.save(update_fields=["kind"])
    return connected_install


@pytest.fixture
def clock(sandbox):
    """The sandbox clock, put back where it was afterwards (the sandbox is shared)."""
    moved = []
    yield lambda seconds: (moved.append(seconds), sandbox.control.clock.advance(seconds))
    sandbox.control.clock.advance(-sum(moved))


def test_it_writes_computed_case_columns_and_refreshes_open_cases_without_reads(
        sandbox, alice, service_install, tag, clock):
    now = sandbox.control.clock.now()
    # Each case last changed when it was created or closed: the newest change is the
    # breached case's closing, so only it shares the watermark's second on the next poll.
    open_high, open_medium, met, breached = sandbox.salesforce.insert("Case", [
        {"Subject": tag, "Status": "New", "Priority": "High",
         "CreatedDate": _stamp(now - timedelta(hours=5)),
         "SystemModstamp": _stamp(now - timedelta(hours=5))},
        {"Subject": tag, "Status": "Working", "Priority": "Medium",
         "CreatedDate": _stamp(now - timedelta(hours=10)),
         "SystemModstamp": _stamp(now - timedelta(hours=10))},
        {"Subject": tag, "Status": "Closed", "Priority": "High",
         "CreatedDate": _stamp(now - timedelta(hours=30)),
         "ClosedDate": _stamp(now - timedelta(hours=22)),  # exactly at the 8 h target
         "SystemModstamp": _stamp(now - timedelta(hours=22))},
        {"Subject": tag, "Status": "Closed", "Priority": "Low", "IsEscalated": True,
         "CreatedDate": _stamp(now - timedelta(hours=100)),
         "ClosedDate": _stamp(now - timedelta(hours=19, minutes=30)),
         "SystemModstamp": _stamp(now - timedelta(hours=1))},
    ])
    sheet_id, _ = factories.sheet(sandbox, ["Subject"])
    workflow = factories.workflow(
        alice, service_install, sheet_id=sheet_id, direction="to_smartsheet",
        salesforce_object="Case", mappings=COMPUTED,
        filters=[("salesforce", "Subject", "equals", tag)])

    first = _start(workflow, sandbox)
    sync_workflow(run=first)

    body = factories.smartsheet_client(sandbox).get_sheet(sheet_id)
    types = {c["title"]: (c["type"], c.get("options")) for c in body["columns"]}
    assert types["Age"][0] == "TEXT_NUMBER" and types["Time to close"][0] == "TEXT_NUMBER"
    assert types["SLA status"] == ("PICKLIST", ["Met", "Breached", "At risk", "Within SLA"])
    assert types["Escalated"][0] == "CHECKBOX"
    # A Service Cloud install names its record id column so.
    assert "Service Cloud ID" in types and "Salesforce ID" not in types
    rows = {r["Service Cloud ID"]: r for r in factories.rows_by_title(sandbox, sheet_id)}
    assert rows[open_high]["Age"] == 5 and rows[open_high]["SLA status"] == "Within SLA"
    assert rows[open_high]["SLA target"] == 8 and rows[open_high].get("Time to close") is None
    assert rows[open_medium]["Age"] == 10 and rows[open_medium]["SLA status"] == "Within SLA"
    assert rows[met]["Time to close"] == 8 and rows[met]["SLA status"] == "Met"
    assert rows[breached]["Time to close"] == 80.5 and rows[breached]["SLA status"] == "Breached"
    assert rows[breached]["Escalated"] is True and rows[met].get("Escalated") in (False, None)
    snapshot = Link.objects.get(workflow=workflow, record_id=open_high).snapshot
    assert snapshot["$case"][0]["Priority"] == "High" and snapshot["$case"][0]["IsClosed"] is False

    clock(90 * 60)  # High: 6.5 h of 8 (≥ 80 %); under the access token's lifetime
    sandbox.control.reset_counts()
    second = _start(workflow, sandbox)
    outcome = sync_workflow(run=second)
    salesforce_requests = sandbox.control.counts()["salesforce"]["by_endpoint"]

    rows = {r["Service Cloud ID"]: r for r in factories.rows_by_title(sandbox, sheet_id)}
    assert rows[open_high]["Age"] == 7 and rows[open_high]["SLA status"] == "At risk"  # 6.5 → 7
    assert rows[open_medium]["Age"] == 12 and rows[open_medium]["SLA status"] == "Within SLA"
    assert rows[met]["Time to close"] == 8 and rows[breached]["Time to close"] == 80.5
    second.refresh_from_db()
    # One incremental query and nothing else from Salesforce. Its window starts a minute
    # before the first query ran (server time), so it holds no record: the open cases
    # were refreshed from their snapshots, not read.
    assert second.salesforce_calls == 1 and second.records_read == 0
    assert sum(salesforce_requests.values()) == 1, salesforce_requests
    # Only the two open rows were rewritten, in one batched call.
    assert outcome.counts["rows_updated"] == 2
    assert second.smartsheet_calls <= 3


def test_it_leaves_open_rows_alone_while_their_whole_hours_do_not_move(
        sandbox, alice, service_install, tag, clock):
    now = sandbox.control.clock.now()
    sandbox.salesforce.insert("Case", [
        {"Subject": tag, "Status": "New", "Priority": "Low",
         "CreatedDate": _stamp(now - timedelta(hours=3, minutes=1))}])
    sheet_id, _ = factories.sheet(sandbox, ["Subject"])
    workflow = factories.workflow(
        alice, service_install, sheet_id=sheet_id, direction="to_smartsheet",
        salesforce_object="Case", mappings=COMPUTED,
        filters=[("salesforce", "Subject", "equals", tag)])
    sync_workflow(run=_start(workflow, sandbox))

    clock(10 * 60)  # 3 h 11 min: still "3" hours, still within SLA
    outcome = sync_workflow(run=_start(workflow, sandbox))

    assert outcome.counts.get("rows_updated", 0) == 0
    assert [r["Age"] for r in factories.rows_by_title(sandbox, sheet_id)] == [3]


def test_it_recomputes_a_case_read_again_after_it_closes(
        sandbox, alice, service_install, tag, clock):
    now = sandbox.control.clock.now()
    (case,) = sandbox.salesforce.insert("Case", [
        {"Subject": tag, "Status": "New", "Priority": "High",
         "CreatedDate": _stamp(now - timedelta(hours=2))}])
    sheet_id, _ = factories.sheet(sandbox, ["Subject"])
    workflow = factories.workflow(
        alice, service_install, sheet_id=sheet_id, direction="to_smartsheet",
        salesforce_object="Case", mappings=COMPUTED,
        filters=[("salesforce", "Subject", "equals", tag)])
    sync_workflow(run=_start(workflow, sandbox))

    clock(3600)
    sandbox.salesforce.update("Case", [{"Id": case, "Status": "Closed"}])  # ClosedDate = now
    sync_workflow(run=_start(workflow, sandbox))

    (row,) = factories.rows_by_title(sandbox, sheet_id)
    assert row["Time to close"] == 3 and row["SLA status"] == "Met"
    assert row.get("Age") is None
    snapshot = Link.objects.get(workflow=workflow, record_id=case).snapshot
    assert snapshot["$case"][0]["IsClosed"] is True
