"""Requesting runs: queueing on commit, coalescing, refusals, permissions."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from connector.models import InstallStatus
from runs.models import Run, RunStatus, RunTrigger, SyncState
from runs.services import (
    RunRefused,
    run_request,
    run_request_for_user,
    user_can_run_workflow,
)
from runs.services.requests import EXECUTE_TASK
from tests import factories, personas

pytestmark = pytest.mark.django_db


def queued_task_args(callbacks) -> list[tuple]:
    return [cb.args for cb in callbacks]


def test_it_queues_a_run_and_enqueues_it_on_commit(django_capture_on_commit_callbacks, alice):
    wf = factories.workflow(alice)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        run = run_request(workflow=wf, trigger=RunTrigger.MANUAL)
    assert run.status == RunStatus.QUEUED
    assert run.trigger == RunTrigger.MANUAL
    assert queued_task_args(callbacks) == [(EXECUTE_TASK, run.pk)]


def test_it_returns_the_queued_run_instead_of_queueing_another(
        django_capture_on_commit_callbacks, alice):
    wf = factories.workflow(alice)
    first = run_request(workflow=wf, trigger=RunTrigger.SCHEDULE)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        second = run_request(workflow=wf, trigger=RunTrigger.MANUAL, full=True)
    assert second.pk == first.pk
    assert callbacks == []
    assert Run.objects.filter(workflow=wf).count() == 1
    # A full reconciliation request upgrades the queued run rather than being dropped.
    assert Run.objects.get(pk=first.pk).full is True


def test_it_coalesces_requests_during_a_run_into_one_follow_up(
        django_capture_on_commit_callbacks, alice):
    wf = factories.workflow(alice)
    running = factories.run(wf, status=RunStatus.RUNNING)
    SyncState.objects.create(workflow=wf, running_run=running)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        answers = [run_request(workflow=wf, trigger=RunTrigger.MANUAL) for _ in range(3)]
    follow_up = Run.objects.exclude(pk=running.pk).get(workflow=wf)
    assert (follow_up.trigger, follow_up.status) == (RunTrigger.FOLLOW_UP, RunStatus.QUEUED)
    assert {a.pk for a in answers} == {follow_up.pk}
    # Not enqueued now: the running run dispatches it when it finishes.
    assert callbacks == []
    assert SyncState.objects.get(workflow=wf).rerun_requested is True


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"enabled": False}, "disabled"),
        ({"install_status": InstallStatus.DISABLED}, "disabled"),
        ({"install_status": InstallStatus.PAUSED_LIMIT}, "paused"),
    ],
)
def test_it_refuses_workflows_that_may_not_run(change, expected, alice):
    inst = factories.install(status=change.get("install_status", InstallStatus.ACTIVE))
    wf = factories.workflow(alice, inst, enabled=change.get("enabled", True))
    with pytest.raises(RunRefused, match=expected):
        run_request(workflow=wf, trigger=RunTrigger.SCHEDULE)
    assert not Run.objects.filter(workflow=wf).exists()


def test_it_refuses_a_deleted_workflow(alice):
    wf = factories.workflow(alice)
    Run.objects.filter(workflow=wf).delete()
    type(wf).objects.filter(pk=wf.pk).delete()
    with pytest.raises(RunRefused, match="no longer exists"):
        run_request(workflow=wf, trigger=RunTrigger.MANUAL)


def test_it_lets_the_owner_run_her_workflow(alice):
    wf = factories.workflow(alice)
    run = run_request_for_user(workflow=wf, user=alice)
    assert run.trigger == RunTrigger.MANUAL


def test_it_lets_a_system_admin_of_the_owners_team_run_it(alice, sam):
    wf = factories.workflow(alice)
    assert user_can_run_workflow(user=sam, workflow=wf)
    assert run_request_for_user(workflow=wf, user=sam).status == RunStatus.QUEUED


def test_it_refuses_a_teammate_who_is_not_a_system_admin(alice, bob):
    wf = factories.workflow(alice)
    with pytest.raises(PermissionDenied):
        run_request_for_user(workflow=wf, user=bob)
    assert not Run.objects.filter(workflow=wf).exists()


def test_it_refuses_a_system_admin_of_another_team(alice, charlie):
    wf = factories.workflow(alice)
    with pytest.raises(PermissionDenied):
        run_request_for_user(workflow=wf, user=personas.with_roles(charlie, system_admin=True))


def test_it_lets_a_superuser_run_any_workflow(alice):
    wf = factories.workflow(alice)
    root = type(alice).objects.create_superuser("root", "root@example.com", "pw")
    assert run_request_for_user(workflow=wf, user=root).status == RunStatus.QUEUED


def test_a_batch_of_runs_reaches_the_broker_as_the_tasks_django_q2_queues_one_by_one(
        monkeypatch):
    from uuid import uuid4

    from django_q.brokers import get_broker
    from django_q.signing import SignedPackage

    from runs.services import requests as run_requests

    # A queue of this test's own (Redis in the PostgreSQL + Redis pass, else the ORM).
    broker = get_broker(list_key=f"test-batch-{uuid4().hex}")
    monkeypatch.setattr(run_requests, "get_broker", lambda: broker)
    try:
        run_requests.tasks_push(EXECUTE_TASK, [11, 12, 13])
        tasks = []
        while len(tasks) < 3:
            taken = broker.dequeue()
            assert taken, f"only {len(tasks)} of 3 tasks reached the queue"
            for ack_id, package in taken:
                tasks.append(SignedPackage.loads(package))
                broker.acknowledge(ack_id)
    finally:
        broker.delete_queue()
    assert [(t["func"], t["args"], t["name"], t["group"]) for t in tasks] == [
        (EXECUTE_TASK, (n,), f"run-{n}", "runs") for n in (11, 12, 13)]
