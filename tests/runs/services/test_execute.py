"""Executing runs: claim, finish statuses, failures as data, follow-ups, races.

The engine is passed in as ``sync`` (the same keyword contract as
``runs.engine.sync_workflow``): these tests are about the orchestration around it. The
end-to-end tests with the real engine and the sandbox are in ``tests/runs/e2e``.
"""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.core import mail
from django.db import OperationalError, connection
from django.utils import timezone

from connector.models import Install, InstallStatus
from runs.engine import SyncFailed
from runs.models import Run, RunError, RunStatus, RunTrigger, SyncState
from runs.services import (
    STALE_MESSAGE,
    RunRefused,
    run_claim,
    run_execute,
    run_execute_now,
    run_request,
)
from runs.services.requests import EXECUTE_TASK
from tests import factories


def engine(*, errors: int = 0, usage: str = "", raises: BaseException | None = None,
           calls: list | None = None):
    """A stand-in with the engine's contract: takes a RUNNING run, records counts."""

    def sync(*, run, dry_run, full, deadline):
        assert run.status == RunStatus.RUNNING
        assert deadline > timezone.now()
        if calls is not None:
            calls.append({"run": run.pk, "dry_run": dry_run, "full": full})
        if raises is not None:
            raise raises
        for n in range(errors):
            RunError.objects.create(run=run, row_id=100 + n, row_number=n + 1, field="Stage",
                                    message="Bad value", culprit_email="bob@example.com")
        run.records_read, run.errors_count, run.salesforce_api_usage = 3, errors, usage
        run.save(update_fields=["records_read", "errors_count", "salesforce_api_usage"])
        return SimpleNamespace(summary={"rows_added": 3})

    return sync


@pytest.fixture
def queued(db, alice):
    wf = factories.workflow(alice)
    return factories.run(wf)


def test_it_runs_a_queued_run_to_success(queued):
    result = run_execute(run_id=queued.pk, sync=engine())
    assert result.outcome == "executed"
    run = Run.objects.get(pk=queued.pk)
    assert run.status == RunStatus.SUCCEEDED
    assert run.summary == {"rows_added": 3}
    assert run.records_read == 3
    assert run.started_at <= run.finished_at
    assert run.worker
    state = SyncState.objects.get(workflow=queued.workflow)
    assert state.running_run is None
    assert state.last_run_at == run.started_at


def test_it_ends_partial_when_rows_failed_and_mails_them(queued):
    run_execute(run_id=queued.pk, sync=engine(errors=2))
    assert Run.objects.get(pk=queued.pk).status == RunStatus.PARTIAL
    assert sorted(m.to[0] for m in mail.outbox) == ["alice@example.com", "bob@example.com"]


def test_it_stores_the_engines_message_when_the_sync_fails(queued):
    failure = SyncFailed("Reconnect your Salesforce account", "revoked")
    run_execute(run_id=queued.pk, sync=engine(raises=failure))
    run = Run.objects.get(pk=queued.pk)
    assert (run.status, run.message) == (RunStatus.FAILED, "Reconnect your Salesforce account")
    assert SyncState.objects.get(workflow=queued.workflow).running_run is None
    [sent] = mail.outbox  # the owner hears that the workflow stopped syncing
    assert sent.to == [queued.workflow.owner.email]
    assert "Reconnect your Salesforce account" in sent.body


def test_it_fails_cleanly_on_an_unexpected_exception_without_leaking_it(queued, caplog):
    boom = RuntimeError("token=00Dxx!secret leaked into an exception")
    run_execute(run_id=queued.pk, sync=engine(raises=boom))
    run = Run.objects.get(pk=queued.pk)
    assert run.status == RunStatus.FAILED
    assert "RuntimeError" in run.message and "secret" not in run.message
    assert "Traceback" in caplog.text
    # Not stuck: the workflow can run again at once.
    again = run_request(workflow=queued.workflow, trigger=RunTrigger.MANUAL)
    assert run_execute(run_id=again.pk, sync=engine()).outcome == "executed"


def test_it_pauses_the_install_when_salesforce_says_limit_exceeded(queued):
    failure = SyncFailed("Salesforce API limit reached (REQUEST_LIMIT_EXCEEDED)", "limit")
    failure.reset_at = timezone.now() + timedelta(hours=2)
    run_execute(run_id=queued.pk, sync=engine(raises=failure))
    install = Install.objects.get(pk=queued.workflow.install_id)
    assert install.status == InstallStatus.PAUSED_LIMIT
    assert install.paused_until == failure.reset_at
    assert "REQUEST_LIMIT_EXCEEDED" in install.status_message
    with pytest.raises(RunRefused):
        run_request(workflow=queued.workflow, trigger=RunTrigger.SCHEDULE)


def test_it_pauses_the_install_when_a_run_spent_the_budget(queued):
    Install.objects.filter(pk=queued.workflow.install_id).update(api_budget_percent=50)
    run_execute(run_id=queued.pk, sync=engine(usage="7600/15000"))
    assert Run.objects.get(pk=queued.pk).status == RunStatus.SUCCEEDED
    install = Install.objects.get(pk=queued.workflow.install_id)
    assert install.status == InstallStatus.PAUSED_LIMIT
    assert install.paused_until > timezone.now()


def test_it_never_executes_a_run_twice(queued):
    calls = []
    run_execute(run_id=queued.pk, sync=engine(calls=calls))
    assert run_execute(run_id=queued.pk, sync=engine(calls=calls)).outcome == "skipped"
    assert len(calls) == 1


def test_it_cancels_a_queued_run_of_a_workflow_disabled_since(queued):
    type(queued.workflow).objects.filter(pk=queued.workflow_id).update(enabled=False)
    calls = []
    assert run_execute(run_id=queued.pk, sync=engine(calls=calls)).outcome == "skipped"
    assert calls == []
    run = Run.objects.get(pk=queued.pk)
    assert (run.status, run.message) == (RunStatus.CANCELLED, "This workflow is disabled.")


def test_a_deleted_workflows_task_does_nothing(queued):
    type(queued.workflow).objects.filter(pk=queued.workflow_id).delete()
    assert run_execute(run_id=queued.pk, sync=engine()).outcome == "skipped"


def test_a_request_during_a_run_yields_exactly_one_follow_up(
    queued, django_capture_on_commit_callbacks
):
    requested = []

    def sync_with_requests(**kwargs):
        # Three "Run now" clicks while the sync runs.
        requested.extend(run_request(workflow=queued.workflow, trigger=RunTrigger.MANUAL).pk
                         for _ in range(3))
        return engine()(**kwargs)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        run_execute(run_id=queued.pk, sync=sync_with_requests)
    follow_up = Run.objects.exclude(pk=queued.pk).get()
    assert requested == [follow_up.pk] * 3
    assert (follow_up.trigger, follow_up.status) == (RunTrigger.FOLLOW_UP, RunStatus.QUEUED)
    assert [cb.args for cb in callbacks] == [(EXECUTE_TASK, follow_up.pk)]
    assert SyncState.objects.get(workflow=queued.workflow).rerun_requested is False
    # The follow-up runs, and no further run is owed after it.
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        run_execute(run_id=follow_up.pk, sync=engine())
    assert callbacks == []
    assert Run.objects.count() == 2


def test_a_rerun_flag_without_a_queued_run_still_yields_one_follow_up(
    queued, django_capture_on_commit_callbacks
):
    def sync_flagging(**kwargs):
        SyncState.objects.filter(workflow=queued.workflow).update(rerun_requested=True)
        return engine()(**kwargs)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        run_execute(run_id=queued.pk, sync=sync_flagging)
    follow_up = Run.objects.exclude(pk=queued.pk).get()
    assert follow_up.trigger == RunTrigger.FOLLOW_UP
    assert [cb.args for cb in callbacks] == [(EXECUTE_TASK, follow_up.pk)]


def test_a_run_whose_workflow_is_busy_waits_and_is_dispatched_after(
    queued, django_capture_on_commit_callbacks
):
    second = factories.run(queued.workflow)
    order = []

    def sync_trying_the_second(**kwargs):
        order.append(run_execute(run_id=second.pk, sync=engine()).outcome)
        return engine()(**kwargs)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        run_execute(run_id=queued.pk, sync=sync_trying_the_second)
    assert order == ["busy"]
    assert Run.objects.get(pk=second.pk).status == RunStatus.QUEUED
    assert [cb.args for cb in callbacks] == [(EXECUTE_TASK, second.pk)]
    assert run_execute(run_id=second.pk, sync=engine()).outcome == "executed"


def test_a_reaped_runs_late_finish_changes_nothing(queued):
    from runs.services import runs_reap_stale

    def slow_engine(**kwargs):
        # The reaper decides this worker is dead while it still works.
        runs_reap_stale(now=timezone.now() + timedelta(hours=2))
        replacement = run_request(workflow=queued.workflow, trigger=RunTrigger.MANUAL)
        run_execute(run_id=replacement.pk, sync=engine())
        return engine()(**kwargs)

    run_execute(run_id=queued.pk, sync=slow_engine)
    run = Run.objects.get(pk=queued.pk)
    assert (run.status, run.message) == (RunStatus.FAILED, STALE_MESSAGE)
    assert SyncState.objects.get(workflow=queued.workflow).running_run is None


def test_run_execute_now_takes_over_the_run_waiting_for_a_worker(queued):
    run = run_execute_now(workflow=queued.workflow, sync=engine(), full=True)
    assert (run.pk, run.trigger, run.status, run.full) == (
        queued.pk, queued.trigger, RunStatus.SUCCEEDED, True)
    # The worker that receives the queued task later finds the run taken.
    assert run_execute(run_id=queued.pk, sync=engine()).outcome == "skipped"
    run = run_execute_now(workflow=queued.workflow, sync=engine())
    assert (run.trigger, run.status) == (RunTrigger.COMMAND, RunStatus.SUCCEEDED)
    assert Run.objects.filter(workflow=queued.workflow).count() == 2


def test_run_execute_now_refuses_while_a_run_is_running(queued):
    assert run_claim(run_id=queued.pk)[0] == "claimed"
    with pytest.raises(RunRefused, match="already running"):
        run_execute_now(workflow=queued.workflow, sync=engine())


@pytest.mark.django_db(transaction=True)
def test_concurrent_workers_never_run_one_workflow_twice_at_once(alice):
    """Eight threads (eight DB connections) race over 12 queued runs of 3 workflows."""
    workflows = [factories.workflow(alice) for _ in range(3)]
    run_ids = [factories.run(wf).pk for wf in workflows for _ in range(4)]
    lock = threading.Lock()
    active: dict[int, int] = {}
    overlaps, executions = [], []

    def sync(*, run, **kwargs):
        with lock:
            active[run.workflow_id] = active.get(run.workflow_id, 0) + 1
            if active[run.workflow_id] > 1:
                overlaps.append(run.workflow_id)
            executions.append(run.pk)
        time.sleep(0.02)
        with lock:
            active[run.workflow_id] -= 1
        return SimpleNamespace(summary={})

    def worker(ids):
        try:
            # Each worker keeps trying its runs until none is left queued (a busy run is
            # re-dispatched by the finisher in production; here the loop plays the broker).
            for _ in range(200):
                try:
                    pending = list(Run.objects.filter(pk__in=ids, status=RunStatus.QUEUED)
                                   .values_list("pk", flat=True))
                except OperationalError:  # the in-memory test database is briefly locked
                    time.sleep(0.01)
                    continue
                if not pending:
                    return
                for run_id in pending:
                    run_execute(run_id=run_id, sync=sync)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(run_ids[i % 3::3] + run_ids,))
               for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert overlaps == []
    assert sorted(executions) == sorted(run_ids)
    assert set(Run.objects.values_list("status", flat=True)) == {RunStatus.SUCCEEDED}
    assert not SyncState.objects.filter(running_run__isnull=False).exists()


@pytest.mark.django_db(transaction=True)
def test_the_worker_beats_while_the_engine_is_busy(settings, alice):
    settings.RUN_TIMEOUT_SECONDS = 10  # a beat every second
    run = factories.run(factories.workflow(alice))
    beats = []

    def slow(*, run, **kwargs):
        time.sleep(2.5)
        beats.append(Run.objects.get(pk=run.pk).heartbeat_at)
        return SimpleNamespace(summary={})

    run_execute(run_id=run.pk, sync=slow)
    started = Run.objects.get(pk=run.pk).started_at
    assert beats[0] >= started + timedelta(seconds=1)


@pytest.mark.django_db(transaction=True)
def test_a_database_error_other_than_locking_does_not_stop_the_heartbeat(alice):
    from django.db import DatabaseError

    from runs.services.execute import _Heartbeat

    run = factories.run(factories.workflow(alice), status=RunStatus.RUNNING)
    failures = []

    def fail_once(execute, sql, params, many, context):
        if "UPDATE" in sql and not failures:
            failures.append(sql)
            raise DatabaseError("server closed the connection unexpectedly")
        return execute(sql, params, many, context)

    beat = _Heartbeat(run_id=run.pk)
    with connection.execute_wrapper(fail_once):
        beat._beat_once()  # logged, not raised: the beating thread would have died
        beat._beat_once()
    assert failures
    assert Run.objects.get(pk=run.pk).heartbeat_at is not None


@pytest.fixture
def french_queued(db, alice):
    install = factories.install(language="fr")
    return factories.run(factories.workflow(alice, install))


def test_what_a_run_stores_is_worded_in_its_installs_language(french_queued):
    # A failure, and the pause of the install a spent limit causes: one language, the
    # install's, as its Sync Error cells — whatever language the worker runs in.
    run_execute(run_id=french_queued.pk, sync=engine(raises=RuntimeError("boom")))
    failed = Run.objects.get(pk=french_queued.pk)
    assert failed.message.startswith("La synchronisation s’est arrêtée"), failed.message
    again = factories.run(french_queued.workflow)
    failure = SyncFailed("Limite d’API atteinte", "limit")
    run_execute(run_id=again.pk, sync=engine(raises=failure))
    message = Install.objects.get(pk=french_queued.workflow.install_id).status_message
    assert message.startswith("Limite d’API atteinte. La synchronisation reprend le "), message


def test_a_refused_or_reaped_run_is_explained_in_its_installs_language(french_queued):
    from runs.services import runs_reap_stale

    type(french_queued.workflow).objects.filter(pk=french_queued.workflow_id).update(
        enabled=False)
    run_execute(run_id=french_queued.pk, sync=engine())
    assert Run.objects.get(pk=french_queued.pk).message == "Ce flux de travail est désactivé."
    type(french_queued.workflow).objects.filter(pk=french_queued.workflow_id).update(
        enabled=True)
    stuck = factories.run(french_queued.workflow, status=RunStatus.RUNNING)
    runs_reap_stale(now=timezone.now() + timedelta(hours=2))
    assert Run.objects.get(pk=stuck.pk).message.startswith("Le worker a cessé de répondre")
