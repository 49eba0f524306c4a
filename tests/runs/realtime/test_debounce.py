"""Debouncing: a burst of changes → one armed task → one run request; a flood on one
workflow neither multiplies its runs nor starves another workflow."""

from __future__ import annotations

import pytest
from django.test import override_settings

from runs.models import Run, RunStatus, RunTrigger, SyncState
from runs.realtime.debounce import FIRE_TASK, realtime_fire, realtime_request
from runs.realtime.models import RealtimeSignal
from tests import factories

pytestmark = pytest.mark.django_db


def _fire_tasks(callbacks) -> list[int]:
    """Workflow ids of the debounce tasks queued by the captured on_commit callbacks."""
    return [cb.args[1] for cb in callbacks if getattr(cb, "args", ())[:1] == (FIRE_TASK,)]


def _no_wait(seconds: float) -> None:
    raise AssertionError(f"should not wait, asked to sleep {seconds}")


@override_settings(SHEETFORCE_REALTIME_QUIET_SECONDS=0, SHEETFORCE_REALTIME_MAX_WAIT_SECONDS=0)
def test_a_burst_of_changes_arms_one_task_and_makes_one_run(
        django_capture_on_commit_callbacks, alice):
    workflow = factories.workflow(alice)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        armed = [realtime_request(workflow_id=workflow.pk, trigger=RunTrigger.WEBHOOK)
                 for _ in range(25)]
    assert armed.count(True) == 1
    assert _fire_tasks(callbacks) == [workflow.pk]
    assert RealtimeSignal.objects.get(workflow=workflow).pending_events == 25

    run = realtime_fire(workflow_id=workflow.pk, sleep=_no_wait)
    assert run is not None and run.trigger == RunTrigger.WEBHOOK
    assert realtime_fire(workflow_id=workflow.pk, sleep=_no_wait) is None  # disarmed
    assert Run.objects.filter(workflow=workflow).count() == 1


@override_settings(SHEETFORCE_REALTIME_QUIET_SECONDS=0.5, SHEETFORCE_REALTIME_MAX_WAIT_SECONDS=2)
def test_the_task_waits_for_the_burst_to_be_quiet_but_never_past_the_maximum(alice):
    workflow = factories.workflow(alice)
    realtime_request(workflow_id=workflow.pk, trigger=RunTrigger.EVENT)
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        # A change arrives during every wait: only the maximum wait ends the burst.
        realtime_request(workflow_id=workflow.pk, trigger=RunTrigger.EVENT)
        signal = RealtimeSignal.objects.get(workflow=workflow)
        RealtimeSignal.objects.filter(pk=signal.pk).update(
            armed_at=signal.armed_at - _seconds(seconds))

    run = realtime_fire(workflow_id=workflow.pk, sleep=sleep)
    assert run is not None and run.trigger == RunTrigger.EVENT
    assert slept and all(0 < s <= 0.5 for s in slept)
    assert sum(slept) <= 2.0 + 0.5


def _seconds(value: float):
    from datetime import timedelta

    return timedelta(seconds=value)


@override_settings(SHEETFORCE_REALTIME_QUIET_SECONDS=0, SHEETFORCE_REALTIME_MAX_WAIT_SECONDS=0)
def test_changes_during_a_run_coalesce_into_one_follow_up(
        django_capture_on_commit_callbacks, alice):
    workflow = factories.workflow(alice)
    running = factories.run(workflow, status=RunStatus.RUNNING)
    SyncState.objects.update_or_create(workflow=workflow, defaults={"running_run": running})
    answers = []
    for _burst in range(3):
        with django_capture_on_commit_callbacks(execute=False):
            for _ in range(10):
                realtime_request(workflow_id=workflow.pk, trigger=RunTrigger.EVENT)
        answers.append(realtime_fire(workflow_id=workflow.pk, sleep=_no_wait))
    assert SyncState.objects.get(workflow=workflow).rerun_requested is True
    follow_ups = Run.objects.filter(workflow=workflow).exclude(pk=running.pk)
    assert [(r.trigger, r.status) for r in follow_ups] == [
        (RunTrigger.FOLLOW_UP, RunStatus.QUEUED)]
    assert {a.pk for a in answers} == {follow_ups[0].pk}  # every burst lands on it


@override_settings(SHEETFORCE_REALTIME_QUIET_SECONDS=0, SHEETFORCE_REALTIME_MAX_WAIT_SECONDS=0)
def test_a_flood_on_one_workflow_does_not_starve_another(django_capture_on_commit_callbacks, alice):
    flooded, quiet = factories.workflow(alice), factories.workflow(alice)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        for i in range(500):
            realtime_request(workflow_id=flooded.pk, trigger=RunTrigger.EVENT)
            if i == 250:
                realtime_request(workflow_id=quiet.pk, trigger=RunTrigger.WEBHOOK)
    # One task per workflow, the quiet one's among them: it waits behind one task, not 500.
    assert sorted(_fire_tasks(callbacks)) == sorted([flooded.pk, quiet.pk])
    with django_capture_on_commit_callbacks(execute=False) as enqueued:
        runs = [realtime_fire(workflow_id=w, sleep=_no_wait) for w in _fire_tasks(callbacks)]
    assert {r.workflow_id for r in runs} == {flooded.pk, quiet.pk}
    assert Run.objects.filter(workflow=flooded).count() == 1
    assert Run.objects.filter(workflow=quiet).count() == 1
    assert len(enqueued) == 2  # one execute_run task each


def test_a_disabled_workflow_gets_no_run(alice):
    workflow = factories.workflow(alice, enabled=False)
    realtime_request(workflow_id=workflow.pk, trigger=RunTrigger.WEBHOOK)
    with override_settings(SHEETFORCE_REALTIME_QUIET_SECONDS=0,
                           SHEETFORCE_REALTIME_MAX_WAIT_SECONDS=0):
        assert realtime_fire(workflow_id=workflow.pk, sleep=_no_wait) is None
    assert not Run.objects.filter(workflow=workflow).exists()
