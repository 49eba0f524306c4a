"""Data safety: deleting a workflow touches neither side; disabling
one stops its runs within one scheduler tick; restoring yesterday's database and running
again creates no duplicate and loses no edit."""

from __future__ import annotations

from datetime import timedelta

from django.core import serializers
from django.db import transaction
from django.utils import timezone

from runs.engine import sync_workflow
from runs.models import Link, Run, RunStatus, SyncState, Tombstone
from runs.scheduling import scheduler_tick
from runs.services import run_execute
from tests import factories
from tests.reliability.world import World
from workflows.services import workflow_delete, workflow_set_enabled


def _both_sides(sandbox, world: World) -> tuple:
    return (sorted((r["Id"], r["Name"], r["Phone"], r["NumberOfEmployees"])
                   for r in world.records()),
            sorted(tuple(sorted((k, str(v)) for k, v in r.items() if k != "_links"))
                   for r in world.rows()))


def _writes(sandbox) -> dict:
    counts = sandbox.control.counts()
    return {service: {k: v for k, v in counts[service]["by_endpoint"].items()
                      if not k.upper().startswith("GET")}
            for service in ("salesforce", "smartsheet")}


def test_deleting_a_workflow_removes_its_state_and_touches_neither_side(
        sandbox, alice, connected_install, tag):
    world = World.build(sandbox, alice, connected_install, tag, from_salesforce=3, from_sheet=3)
    sync_workflow(run=factories.start_run(world.workflow))
    # A row deleted in the sheet leaves a tombstone.
    factories.smartsheet_client(sandbox).delete_rows(world.sheet_id,
                                                     [world.rows()[0]["_id"]])
    sync_workflow(run=factories.start_run(world.workflow))
    workflow_id = world.workflow.pk
    assert Link.objects.filter(workflow_id=workflow_id).exists()
    assert SyncState.objects.filter(workflow_id=workflow_id).exists()
    had_tombstones = Tombstone.objects.filter(workflow_id=workflow_id).exists()
    before, writes_before = _both_sides(sandbox, world), _writes(sandbox)

    workflow_delete(user=alice, workflow=world.workflow)

    for model in (Link, SyncState, Tombstone, Run):
        assert not model.objects.filter(workflow_id=workflow_id).exists(), model.__name__
    assert _both_sides(sandbox, world) == before
    assert _writes(sandbox) == writes_before  # not one write call to either service
    print("tombstones existed before delete:", had_tombstones)


def test_a_disabled_workflow_is_never_enqueued(sandbox, alice, connected_install, tag,
                                               django_capture_on_commit_callbacks):
    world = World.build(sandbox, alice, connected_install, tag, from_salesforce=1, from_sheet=0)
    now = timezone.now() + timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=False):
        assert scheduler_tick(now=now).queued_runs  # enabled and due: queued
    Run.objects.filter(workflow=world.workflow).delete()

    workflow_set_enabled(user=alice, workflow=world.workflow, enabled=False)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        report = scheduler_tick(now=now + timedelta(hours=1))

    assert report.queued_runs == []
    assert not Run.objects.filter(workflow=world.workflow).exists()
    assert callbacks == []


def test_a_queued_run_of_a_disabled_workflow_is_not_executed(
        sandbox, alice, connected_install, tag):
    world = World.build(sandbox, alice, connected_install, tag, from_salesforce=2, from_sheet=0)
    run = factories.run(world.workflow, trigger="schedule")
    workflow_set_enabled(user=alice, workflow=world.workflow, enabled=False)
    writes_before = _writes(sandbox)

    result = run_execute(run_id=run.pk)

    run.refresh_from_db()
    assert result.outcome == "skipped"
    assert run.status == RunStatus.CANCELLED and "disabled" in run.message
    assert world.rows() == []  # nothing synced
    assert _writes(sandbox) == writes_before


def _dump() -> str:
    """Yesterday's backup: the rows that say what has been synced."""
    objects = [*Link.objects.all(), *SyncState.objects.all(), *Tombstone.objects.all(),
               *Run.objects.all()]
    return serializers.serialize("json", objects)


def _restore(backup: str) -> None:
    with transaction.atomic():
        SyncState.objects.all().delete()
        for model in (Link, Tombstone, Run):
            model.objects.all().delete()
        for item in serializers.deserialize("json", backup):
            item.save()


def test_a_restored_database_then_a_run_creates_no_duplicates(
        sandbox, alice, connected_install, tag):
    world = World.build(sandbox, alice, connected_install, tag, from_salesforce=4, from_sheet=4)
    sync_workflow(run=factories.start_run(world.workflow))
    assert world.differences() == []
    backup = _dump()

    # A day of work after the backup: edits on both sides, creates on both sides.
    names = sorted(world.expected)
    sf_edit = {names[0]: {"Phone": "after-backup-sf"}}
    ss_edit = {names[5]: {"Employees": 4242}}
    world.edit_salesforce(sf_edit)
    world.edit_sheet(ss_edit)
    world.expect_cycle(sf_edit, ss_edit)
    world.add_records("SF2", 2)
    world.add_rows("SS2", 2)
    sandbox.control.clock.advance(2)
    sync_workflow(run=factories.start_run(world.workflow))
    assert world.differences() == []

    _restore(backup)  # the database goes back to yesterday; both services do not
    # An edit made after the restore must survive the reconciliation too.
    late = {names[1]: {"Phone": "after-restore"}}
    sandbox.control.clock.advance(2)
    world.edit_salesforce(late)
    world.expect_cycle(late, {})
    for _ in range(2):
        sandbox.control.clock.advance(2)
        sync_workflow(run=factories.start_run(world.workflow, full=True))

    assert world.differences() == []
    assert Link.objects.filter(workflow=world.workflow).count() == len(world.expected)
