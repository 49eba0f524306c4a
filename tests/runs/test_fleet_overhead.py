"""At fleet scale, the scheduler and the work around each poll cost the same whatever the
number of workflows: the tick in a constant number of queries, a quiet poll's claim and
finish in a handful."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from runs.models import Run, RunStatus
from runs.scheduling import scheduler_tick
from runs.services import run_execute
from tests import factories

pytestmark = pytest.mark.django_db


def fleet(size: int, owners: list) -> None:
    installs = {owner.pk: factories.install(team=owner.team) for owner in owners}
    for n in range(size):
        owner = owners[n % len(owners)]
        factories.workflow(owner, installs[owner.pk], polling_interval_minutes=5)


def statements(queries: CaptureQueriesContext) -> list[str]:
    """What the database was asked, savepoints aside (the test's own transaction makes
    every ``atomic`` block a savepoint; in production the outer one is BEGIN/COMMIT)."""
    return [q["sql"][:120] for q in queries.captured_queries
            if not q["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))]


def tick_queries():
    with CaptureQueriesContext(connection) as queries:
        report = scheduler_tick()
    return report, statements(queries)


def run_insert_batches(runs: int) -> int:
    """INSERTs one bulk_create of ``runs`` runs takes: one on PostgreSQL; on SQLite,
    Django splits it to stay under 999 parameters a statement."""
    fields = [f for f in Run._meta.concrete_fields if not f.primary_key]
    per_batch = connection.ops.bulk_batch_size(fields, [None] * runs)
    return -(-runs // per_batch)


def test_the_tick_costs_the_same_queries_for_5_or_50_workflows(alice, bob, charlie):
    scheduler_tick()  # the scheduler's heartbeat row exists from the first tick on
    fleet(5, [alice, bob])
    small, small_sql = tick_queries()
    Run.objects.all().delete()
    fleet(45, [alice, bob, charlie])
    large, large_sql = tick_queries()
    assert len(small.queued_runs) == 5
    assert len(large.queued_runs) == 50
    # Enqueuing is on commit, one broker message a run: a Redis push in production,
    # never a query of the tick's own.
    extra = run_insert_batches(50) - run_insert_batches(5)
    assert len(large_sql) == len(small_sql) + extra, "\n".join(large_sql)
    if connection.vendor == "postgresql":
        assert extra == 0
    assert len(large_sql) - extra <= 10, "\n".join(large_sql)


def test_a_quiet_tick_costs_the_same_queries_as_a_busy_one(alice, bob):
    fleet(20, [alice, bob])
    _, busy_sql = tick_queries()
    _, quiet_sql = tick_queries()  # everything is queued now: nothing is due
    assert len(quiet_sql) <= len(busy_sql)


def quiet_poll(*, run, dry_run, full, deadline):
    """A poll that found nothing to do (the engine's own queries are not counted here)."""
    return SimpleNamespace(summary={})


def test_a_quiet_polls_overhead_outside_the_engine_is_a_handful_of_queries(alice):
    workflow = factories.workflow(alice)
    # The workflow's first run makes its scheduler state (and the first tally row).
    run_execute(run_id=factories.run(workflow).pk, sync=quiet_poll)
    run = factories.run(workflow)
    with CaptureQueriesContext(connection) as queries:
        assert run_execute(run_id=run.pk, sync=quiet_poll).outcome == "executed"
    sql = statements(queries)
    assert Run.objects.get(pk=run.pk).status == RunStatus.SUCCEEDED
    assert len(sql) <= 12, "\n".join(sql)


def test_one_tick_queues_no_more_polls_per_owner_than_a_minute_of_their_budget_carries(
        settings, alice, bob):
    # 12 requests a minute is sustained as 10 (the budget's window spans 70 s); at 2
    # calls a poll, one owner's connection gets 5 polls a tick, the oldest due first.
    settings.RATE_BUDGET_SMARTSHEET_PER_MINUTE = 12
    settings.SCHEDULE_CALLS_PER_POLL = 2
    fleet(16, [alice, bob])
    report = scheduler_tick()
    queued = Run.objects.filter(pk__in=report.queued_runs)
    per_owner = {owner.pk: queued.filter(workflow__owner=owner).count() for owner in (alice, bob)}
    assert per_owner == {alice.pk: 5, bob.pk: 5}
    # The rest wait for the next ticks, not for budget inside a run.
    assert len(scheduler_tick().queued_runs) == 6
