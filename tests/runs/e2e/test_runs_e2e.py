"""Runs with the real engine, the real clients and SDKs, against a sandbox of their own
(these tests revoke tokens and spend the org's API limit: a shared sandbox would feel
it)."""

from __future__ import annotations

import json

import pytest
from django.core.management import CommandError, call_command

from connector.models import Connection, Install, InstallStatus, Service
from runs.models import Run, RunStatus, RunTrigger
from runs.services import run_execute, run_request
from sandbox.runner import start_sandbox
from tests.conftest import allow_sandbox_hosts
from tests.runs.e2e.world import build_world, sandbox_workflow_specs

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def box():
    sandbox = start_sandbox(state_dir=None, seed="empty")
    yield allow_sandbox_hosts(sandbox)
    sandbox.stop()


@pytest.fixture(autouse=True)
def generous_limit(box):
    box.salesforce.set_limit(1_000_000, used=0)
    yield
    box.salesforce.set_limit(1_000_000, used=0)


@pytest.fixture
def world(box):
    """(owner, install, workflow) of one sheet with three matching Accounts."""
    owner, install, [workflow] = build_world(box, sandbox_workflow_specs(box, workflows=1))
    return owner, install, workflow


def execute(workflow, trigger=RunTrigger.MANUAL) -> Run:
    run = run_request(workflow=workflow, trigger=trigger)
    assert run_execute(run_id=run.pk).outcome == "executed"
    return Run.objects.get(pk=run.pk)


def test_a_requested_run_syncs_and_the_next_one_is_a_cheap_poll(box, world):
    _, _, workflow = world
    first = execute(workflow)
    assert first.status == RunStatus.SUCCEEDED, first.message
    assert (first.records_read, first.rows_added) == (3, 3)
    assert len(box.smartsheet.sheets[workflow.sheet_id].rows) == 3
    assert "/" in first.salesforce_api_usage

    second = execute(workflow, trigger=RunTrigger.SCHEDULE)
    assert second.status == RunStatus.SUCCEEDED
    assert second.rows_added == 0
    assert second.salesforce_calls + second.smartsheet_calls <= 2
    assert len(box.smartsheet.sheets[workflow.sheet_id].rows) == 3


def _reconnect_owner_as(box, install, owner, persona: str) -> None:
    """Give the owner tokens of their own sandbox persona (revocable without harm)."""
    tokens = box.salesforce.control("token", {"user": persona})
    Connection.objects.filter(user=owner, install=install, service=Service.SALESFORCE).update(
        access_token=tokens["access_token"], refresh_token=tokens["refresh_token"])
    email = f"{persona}@example.com"
    Connection.objects.filter(user=owner, install=install, service=Service.SMARTSHEET).update(
        access_token=box.smartsheet.persona_tokens()[email], refresh_token="")


def test_a_revoked_salesforce_connection_fails_the_run_with_reconnect(box, world):
    owner, install, workflow = world
    _reconnect_owner_as(box, install, owner, "carol")
    box.smartsheet.share(sheet_id=workflow.sheet_id, email="carol@example.com",
                         access_level="ADMIN")
    box.salesforce.revoke("carol")
    run = execute(workflow)
    assert run.status == RunStatus.FAILED
    assert "reconnect your salesforce account" in run.message.lower()
    # The workflow is not stuck: it can be requested again.
    assert run_request(workflow=workflow, trigger=RunTrigger.MANUAL).status == RunStatus.QUEUED


def test_a_revoked_smartsheet_connection_fails_the_run_with_reconnect(box, world):
    owner, install, workflow = world
    _reconnect_owner_as(box, install, owner, "dan")
    box.smartsheet.revoke(email="dan@example.com")
    run = execute(workflow)
    assert run.status == RunStatus.FAILED
    assert "reconnect your smartsheet account" in run.message.lower()


def test_request_limit_exceeded_fails_the_run_and_pauses_the_install(box, world):
    _, install, workflow = world
    box.salesforce.set_limit(500, used=500)
    run = execute(workflow)
    assert run.status == RunStatus.FAILED
    install = Install.objects.get(pk=install.pk)
    assert install.status == InstallStatus.PAUSED_LIMIT
    assert install.paused_until is not None and install.status_message


def test_a_run_that_spends_the_daily_budget_pauses_the_install(box, world):
    _, install, workflow = world
    Install.objects.filter(pk=install.pk).update(api_budget_percent=50)
    box.salesforce.set_limit(10_000, used=6_000)
    run = execute(workflow)
    assert run.status == RunStatus.SUCCEEDED, run.message
    install = Install.objects.get(pk=install.pk)
    assert install.status == InstallStatus.PAUSED_LIMIT
    assert "50%" in install.status_message


def test_run_workflow_prints_the_summary_and_exits_zero(box, world, capsys):
    _, _, workflow = world
    call_command("run_workflow", str(workflow.pk))
    report = json.loads(capsys.readouterr().out)
    assert (report["status"], report["rows_added"]) == ("succeeded", 3)
    assert Run.objects.get(pk=report["run"]).trigger == RunTrigger.COMMAND


def test_run_workflow_dry_run_writes_nothing(box, world, capsys):
    _, _, workflow = world
    call_command("run_workflow", str(workflow.pk), "--dry-run")
    preview = json.loads(capsys.readouterr().out)
    assert preview["smartsheet"]["rows_to_add"] == 3
    assert len(box.smartsheet.sheets[workflow.sheet_id].rows) == 0
    assert not Run.objects.filter(workflow=workflow).exists()


def test_run_workflow_exits_non_zero_when_the_run_fails(box, world):
    owner, install, workflow = world
    Connection.objects.filter(user=owner, install=install, service=Service.SALESFORCE).delete()
    with pytest.raises(CommandError, match="failed"):
        call_command("run_workflow", str(workflow.pk))
    assert Run.objects.get(workflow=workflow).status == RunStatus.FAILED


def test_run_workflow_exits_non_zero_for_a_disabled_workflow(world):
    _, _, workflow = world
    type(workflow).objects.filter(pk=workflow.pk).update(enabled=False)
    with pytest.raises(CommandError, match="disabled"):
        call_command("run_workflow", str(workflow.pk))
