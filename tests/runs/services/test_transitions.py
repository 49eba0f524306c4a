"""The run state machine: conditional updates, forbidden transitions."""

from __future__ import annotations

import pytest

from runs.models import Run, RunStatus
from runs.services import InvalidTransition, run_transition
from tests import factories

pytestmark = pytest.mark.django_db


def test_it_moves_a_run_that_is_still_in_the_expected_status(alice):
    run = factories.run(factories.workflow(alice))
    assert run_transition(run=run, from_status=RunStatus.QUEUED, to_status=RunStatus.RUNNING)
    stored = Run.objects.get(pk=run.pk)
    assert stored.status == RunStatus.RUNNING
    assert stored.started_at is not None


def test_it_does_not_move_a_run_another_worker_moved_first(alice):
    run = factories.run(factories.workflow(alice))
    stale_copy = Run.objects.get(pk=run.pk)
    assert run_transition(run=run, from_status=RunStatus.QUEUED, to_status=RunStatus.CANCELLED)
    assert not run_transition(
        run=stale_copy, from_status=RunStatus.QUEUED, to_status=RunStatus.RUNNING
    )
    assert Run.objects.get(pk=run.pk).status == RunStatus.CANCELLED
    assert stale_copy.status == RunStatus.QUEUED


def test_it_stamps_finished_at_when_a_run_ends(alice):
    run = factories.run(factories.workflow(alice), status=RunStatus.RUNNING)
    assert run_transition(run=run, from_status=RunStatus.RUNNING, to_status=RunStatus.FAILED,
                          message="Reconnect your Salesforce account")
    stored = Run.objects.get(pk=run.pk)
    assert stored.finished_at is not None
    assert stored.message == "Reconnect your Salesforce account"


@pytest.mark.parametrize(
    ("source", "target"),
    [
        (RunStatus.SUCCEEDED, RunStatus.RUNNING),
        (RunStatus.FAILED, RunStatus.QUEUED),
        (RunStatus.QUEUED, RunStatus.SUCCEEDED),
        (RunStatus.CANCELLED, RunStatus.QUEUED),
    ],
)
def test_it_refuses_transitions_the_state_machine_forbids(source, target, alice):
    run = factories.run(factories.workflow(alice), status=source)
    with pytest.raises(InvalidTransition):
        run_transition(run=run, from_status=source, to_status=target)
    assert Run.objects.get(pk=run.pk).status == source


def test_it_lets_a_running_run_go_back_to_the_queue_only_as_a_deferral(alice):
    # RUNNING → QUEUED exists for a run whose first call found no rate budget
    # (runs.services.deferral); it is a conditional update like every other.
    run = factories.run(factories.workflow(alice), status=RunStatus.RUNNING)
    stale_copy = Run.objects.get(pk=run.pk)
    assert run_transition(run=run, from_status=RunStatus.RUNNING, to_status=RunStatus.QUEUED)
    assert not run_transition(run=stale_copy, from_status=RunStatus.RUNNING,
                              to_status=RunStatus.QUEUED)
    assert Run.objects.get(pk=run.pk).status == RunStatus.QUEUED
