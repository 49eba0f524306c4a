"""The django-q2 tasks resolve by their dotted paths and call the services."""

from __future__ import annotations

import pytest
from django_q.models import Task
from django_q.tasks import async_task

from runs.models import Run, RunStatus
from tests import factories

pytestmark = pytest.mark.django_db


def test_execute_run_runs_by_its_dotted_path(alice):
    # No connections: the real engine fails the run with a message, as data.
    run = factories.run(factories.workflow(alice))
    task_id = async_task("runs.tasks.execute_run", run.pk, sync=True)
    assert Task.objects.get(id=task_id).result == "executed"
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED
    assert "connect" in run.message.lower()


def test_scheduler_tick_and_cleanup_run_by_their_dotted_paths(
        django_capture_on_commit_callbacks, alice):
    factories.workflow(alice)
    with django_capture_on_commit_callbacks(execute=False):
        task_id = async_task("runs.tasks.scheduler_tick", sync=True)
    assert Task.objects.get(id=task_id).result["queued"] == 1
    assert Run.objects.count() == 1
    task_id = async_task("runs.tasks.cleanup_runs", sync=True)
    assert Task.objects.get(id=task_id).result == 0
