"""Operations tests: Alice owns workflows on the Acme install; runs are made directly
(the figures behind /metrics are what the runs table says)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import Team, User
from connector.models import Install
from runs.models import Run, RunStatus
from runs.services import run_transition
from workflows.models import Direction, Workflow

METRICS_TOKEN = "m3tr1cs-t0ken-0f-32-characters!!"


@pytest.fixture
def alice(db):
    team = Team.objects.create(name="Acme")
    return User.objects.create_user(username="alice", email="alice@example.com", team=team,
                                    licensed=True, salesforce_user=True)


@pytest.fixture
def install(alice):
    return Install.objects.create(
        name="Acme org", team=alice.team, salesforce_client_id="cid",
        salesforce_client_secret="top-secret-sf", smartsheet_client_id="ssid",
        smartsheet_client_secret="top-secret-ss")


@pytest.fixture
def make_workflow(alice, install):
    def make(name: str = "Opportunities", *, on=None) -> Workflow:
        return Workflow.objects.create(owner=alice, install=on or install, name=name,
                                       direction=Direction.TO_SMARTSHEET, sheet_id=1001,
                                       salesforce_object="Opportunity")

    return make


def make_run(workflow, status: str = RunStatus.SUCCEEDED, *, seconds: float | None = 3,
             salesforce_calls: int = 0, smartsheet_calls: int = 0, usage: str = "",
             ago: timedelta = timedelta(minutes=5)) -> Run:
    """A run of ``workflow`` queued ``ago``. Queued or running: as such. Otherwise it
    ends through the state machine, as a worker ends it, after ``seconds`` (None: it
    never started, cancelled while queued)."""
    queued = timezone.now() - ago
    active = status in (RunStatus.QUEUED, RunStatus.RUNNING)
    first = status if active else (RunStatus.QUEUED if seconds is None else RunStatus.RUNNING)
    run = Run.objects.create(workflow=workflow, trigger="schedule", status=first,
                             started_at=queued if first == RunStatus.RUNNING else None,
                             salesforce_calls=salesforce_calls,
                             smartsheet_calls=smartsheet_calls, salesforce_api_usage=usage)
    Run.objects.filter(pk=run.pk).update(queued_at=queued)  # auto_now_add ignores a value
    run.refresh_from_db()
    if not active:
        end = queued if seconds is None else queued + timedelta(seconds=seconds)
        assert run_transition(run=run, from_status=first, to_status=status, finished_at=end)
    return run
