"""Polling: due computation against the clock, the tick, stale runs, the schedules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.test import override_settings
from django.utils import timezone
from django_q.models import Schedule

from connector.models import Install, InstallStatus
from runs.models import Run, RunStatus, RunTrigger, SyncState
from runs.scheduling import (
    CLEANUP_TASK,
    TICK_TASK,
    effective_interval_minutes,
    ensure_schedules,
    scheduler_tick,
    workflow_is_due,
    workflows_due,
)
from runs.services import STALE_MESSAGE
from tests import factories

NOON = datetime(2026, 5, 20, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("install_minutes", "workflow_minutes", "expected"),
    [(15, None, 15), (5, 30, 30), (30, 5, 30), (1, 1, 1), (60, None, 60), (None, None, 15)],
)
def test_it_never_polls_more_often_than_the_install(install_minutes, workflow_minutes, expected):
    assert effective_interval_minutes(
        install_minutes=install_minutes, workflow_minutes=workflow_minutes
    ) == expected


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("install_minutes", "workflow_minutes", "minutes_since", "due"),
    [
        (15, None, 14, False),
        (15, None, 15, True),
        (5, 30, 10, False),
        (5, 30, 30, True),
        (1, None, 1, True),
        (60, None, 59, False),
    ],
)
def test_it_computes_due_from_the_last_run(
        install_minutes, workflow_minutes, minutes_since, due, alice):
    wf = factories.workflow(alice, factories.install(polling_interval_minutes=install_minutes),
                            polling_interval_minutes=workflow_minutes)
    last = NOON - timedelta(minutes=minutes_since)
    assert workflow_is_due(workflow=wf, last_run_at=last, now=NOON) is due


@pytest.mark.django_db
def test_it_lists_only_enabled_idle_workflows_of_active_installs(alice):
    never_ran = factories.workflow(alice, name="never ran")
    recent = factories.workflow(alice, name="ran recently")
    SyncState.objects.create(workflow=recent, last_run_at=NOON - timedelta(minutes=3))
    old = factories.workflow(alice, name="ran long ago")
    SyncState.objects.create(workflow=old, last_run_at=NOON - timedelta(hours=2))
    factories.workflow(alice, name="disabled", enabled=False)
    factories.workflow(alice, factories.install(status=InstallStatus.PAUSED_LIMIT), name="paused")
    factories.workflow(alice, factories.install(status=InstallStatus.DISABLED),
                       name="install disabled")
    queued = factories.workflow(alice, name="queued")
    factories.run(queued)
    running = factories.workflow(alice, name="running")
    SyncState.objects.create(
        workflow=running, running_run=factories.run(running, status=RunStatus.RUNNING)
    )
    assert {w.pk for w in workflows_due(now=NOON)} == {never_ran.pk, old.pk}


@pytest.mark.django_db
def test_the_tick_queues_due_workflows_once(django_capture_on_commit_callbacks, alice):
    due = factories.workflow(alice)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        first = scheduler_tick()
        second = scheduler_tick()
    assert len(first.queued_runs) == 1
    assert second.queued_runs == []  # the first run is still queued
    run = Run.objects.get(workflow=due)
    assert run.trigger == RunTrigger.SCHEDULE
    assert factories.enqueued_runs(callbacks) == [run.pk]


@pytest.mark.django_db(transaction=True)
@override_settings(RUN_TIMEOUT_SECONDS=600)
def test_the_tick_fails_a_run_whose_worker_died_and_frees_the_workflow(alice):
    wf = factories.workflow(alice)
    now = timezone.now()
    dead = factories.run(wf, status=RunStatus.RUNNING, started_at=now - timedelta(minutes=30),
                 heartbeat_at=now - timedelta(minutes=11))
    SyncState.objects.create(workflow=wf, running_run=dead, last_run_at=now - timedelta(hours=1))
    alive_wf = factories.workflow(alice)
    alive = factories.run(alive_wf, status=RunStatus.RUNNING, started_at=now - timedelta(hours=1),
                  heartbeat_at=now - timedelta(minutes=2))
    SyncState.objects.create(workflow=alive_wf, running_run=alive, last_run_at=now)

    report = scheduler_tick(now=now)

    assert report.reaped_runs == [dead.pk]
    dead.refresh_from_db()
    assert dead.status == RunStatus.FAILED
    assert dead.message == STALE_MESSAGE
    assert SyncState.objects.get(workflow=wf).running_run is None
    # Runnable again: the same tick queued its next run.
    assert Run.objects.filter(workflow=wf, status=RunStatus.QUEUED).count() == 1
    assert Run.objects.get(pk=alive.pk).status == RunStatus.RUNNING
    assert SyncState.objects.get(workflow=alive_wf).running_run_id == alive.pk


@pytest.mark.django_db
def test_the_tick_frees_a_claim_left_on_a_finished_run(django_capture_on_commit_callbacks, alice):
    wf = factories.workflow(alice)
    ended = factories.run(wf, status=RunStatus.FAILED)
    SyncState.objects.create(workflow=wf, running_run=ended)
    with django_capture_on_commit_callbacks(execute=False):
        report = scheduler_tick()
    assert SyncState.objects.get(workflow=wf).running_run is None
    assert len(report.queued_runs) == 1


@pytest.mark.django_db
def test_the_tick_resumes_installs_whose_pause_has_passed(
        django_capture_on_commit_callbacks, alice):
    now = timezone.now()
    over = factories.install(status=InstallStatus.PAUSED_LIMIT, status_message="limit",
                     paused_until=now - timedelta(seconds=1))
    still = factories.install(status=InstallStatus.PAUSED_LIMIT, status_message="limit",
                      paused_until=now + timedelta(hours=3))
    resumed_wf = factories.workflow(alice, over)
    factories.workflow(alice, still)
    with django_capture_on_commit_callbacks(execute=False):
        report = scheduler_tick(now=now)
    assert report.resumed_installs == [over.pk]
    assert Install.objects.get(pk=over.pk).status == InstallStatus.ACTIVE
    assert Install.objects.get(pk=over.pk).status_message == ""
    assert Install.objects.get(pk=still.pk).status == InstallStatus.PAUSED_LIMIT
    assert list(Run.objects.values_list("workflow_id", flat=True)) == [resumed_wf.pk]


@pytest.mark.django_db
def test_the_tick_re_enqueues_a_run_whose_task_was_lost(django_capture_on_commit_callbacks, alice):
    wf = factories.workflow(alice)
    lost = factories.run(wf, age=timedelta(minutes=30))
    fresh_wf = factories.workflow(alice)
    factories.run(fresh_wf)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        report = scheduler_tick()
    assert report.redispatched_runs == [lost.pk]
    assert factories.enqueued_runs(callbacks) == [lost.pk]


@pytest.mark.django_db
def test_it_creates_the_schedules_once():
    ensure_schedules()
    ensure_schedules()
    tick = Schedule.objects.get(func=TICK_TASK)
    assert (tick.schedule_type, tick.minutes) == (Schedule.MINUTES, 1)
    assert Schedule.objects.get(func=CLEANUP_TASK).schedule_type == Schedule.DAILY
    assert Schedule.objects.count() == 2


@pytest.mark.django_db
def test_it_repairs_an_edited_schedule_and_keeps_its_next_run():
    [tick, _] = ensure_schedules()
    next_run = NOON + timedelta(days=1)
    Schedule.objects.filter(pk=tick.pk).update(minutes=60, next_run=next_run)
    ensure_schedules()
    tick.refresh_from_db()
    assert tick.minutes == 1
    assert tick.next_run == next_run
