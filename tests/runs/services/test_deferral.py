"""A run whose first call finds no shared rate budget is deferred, not failed, and the
scheduler tick dispatches it again once its deferral has passed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from connector.clients.errors import ClientError
from runs.engine import SyncFailed
from runs.models import Run, RunStatus, SyncState
from runs.scheduling import scheduler_tick
from runs.services import run_execute
from tests import factories

pytestmark = pytest.mark.django_db


def held_back(*, run, dry_run, full, deadline):
    """The engine, when its first call found no budget (as connector.clients raise it)."""
    error = ClientError(service="smartsheet", kind="rate", code="budget", retry_after=30,
                        message="sheetforce held this call back.")
    raise SyncFailed("Smartsheet failed: held back", "rate") from error


def rate_limited(*, run, dry_run, full, deadline):
    """The engine, when Smartsheet itself answered 4003 beyond its retries."""
    error = ClientError(service="smartsheet", kind="rate", code="4003",
                        message="Rate limit exceeded.")
    raise SyncFailed("Smartsheet failed: Rate limit exceeded.", "rate") from error


def test_it_defers_a_run_that_found_no_budget_and_frees_its_workflow(alice):
    run = factories.run(factories.workflow(alice))
    result = run_execute(run_id=run.pk, sync=held_back)
    assert result.outcome == "deferred"
    stored = Run.objects.get(pk=run.pk)
    assert stored.status == RunStatus.QUEUED
    assert stored.deferrals == 1
    assert stored.message == ""
    assert stored.started_at is None
    assert timezone.now() + timedelta(seconds=20) < stored.deferred_until
    assert SyncState.objects.get(workflow_id=run.workflow_id).running_run_id is None


def test_it_still_fails_a_run_the_service_itself_rate_limited(alice):
    run = factories.run(factories.workflow(alice))
    assert run_execute(run_id=run.pk, sync=rate_limited).outcome == "executed"
    assert Run.objects.get(pk=run.pk).status == RunStatus.FAILED


def test_the_tick_dispatches_a_deferred_run_once_its_deferral_passed(
        alice, django_capture_on_commit_callbacks):
    run = factories.run(factories.workflow(alice))
    run_execute(run_id=run.pk, sync=held_back)
    with django_capture_on_commit_callbacks(execute=False) as early:
        scheduler_tick()
    assert run.pk not in factories.enqueued_runs(early)
    with django_capture_on_commit_callbacks(execute=False) as due:
        report = scheduler_tick(now=timezone.now() + timedelta(minutes=1))
    assert report.redispatched_runs == [run.pk]
    assert factories.enqueued_runs(due) == [run.pk]
    assert Run.objects.get(pk=run.pk).deferred_until is None
    # The workflow was not requested twice: its deferred run is the one that will poll.
    assert report.queued_runs == []
