"""A poll whose Smartsheet token has no rate budget left is put off, not failed — with the
real engine, after it has read Salesforce (a poll to the sheet reads Salesforce first),
and without writing anything."""

from __future__ import annotations

from connector.budgets import budget_acquire, budget_for, budgets_reset
from connector.models import Connection, Service
from runs.models import Run, RunStatus
from runs.services import run_execute
from tests import factories


def test_a_poll_without_smartsheet_budget_is_put_off_after_reading_salesforce(
        sandbox, alice, connected_install, tag, settings):
    sandbox.salesforce.insert("Account", [{"Name": f"B{i}", "AccountNumber": tag}
                                          for i in range(3)])
    sheet_id, _ = factories.sheet(sandbox, ["Name"])
    workflow = factories.workflow(
        alice, connected_install, sheet_id=sheet_id, direction="to_smartsheet",
        mappings=[("Name", "Name", "to_smartsheet")],
        filters=[("salesforce", "AccountNumber", "equals", tag)])
    settings.REDIS_URL = ""  # the database's budgets: this test's own rows
    settings.RATE_BUDGET_SMARTSHEET_PER_MINUTE = 5
    settings.RATE_BUDGET_DEFER_AFTER_SECONDS = 0
    budgets_reset()
    token = Connection.objects.get(user=alice, install=connected_install,
                                   service=Service.SMARTSHEET).access_token
    budget = budget_for(service="smartsheet", identity=f"Bearer {token}")
    budget_acquire(budget, cost=5)  # someone else spent this minute's budget
    sandbox.control.reset_counts()
    run = factories.run(workflow)
    try:
        result = run_execute(run_id=run.pk)
    finally:
        budgets_reset()
    assert result.outcome == "deferred"
    stored = Run.objects.get(pk=run.pk)
    assert (stored.status, stored.deferrals) == (RunStatus.QUEUED, 1)
    assert stored.deferred_until is not None
    counts = sandbox.control.counts()
    assert counts["salesforce"]["total"] >= 1  # it had read Salesforce...
    assert counts["smartsheet"]["total"] == 0  # ...and sent Smartsheet nothing
    assert factories.rows_by_title(sandbox, sheet_id) == []
