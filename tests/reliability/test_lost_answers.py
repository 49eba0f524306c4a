"""Lost answers: a create that Salesforce or Smartsheet applied, but whose answer never
arrived (500 after the work, or the connection closed), is not made twice.

The client does not repeat such a create (its outcome is unknown); the run fails, and
the next run's recovery (pending creates / pending adds) links what was created.
"""

from __future__ import annotations

from collections import Counter

import pytest

from runs.engine import SyncFailed, sync_workflow
from runs.models import RunStatus
from tests import factories
from tests.reliability.world import World


def _run(world: World, *, faults: dict | None = None, service: str = "",
         path: str | None = None):
    """One run (with faults on ``service`` while it works); SyncFailed ends it FAILED."""
    run = factories.start_run(world.workflow)
    if faults:
        world.sandbox.control.configure(service, faults=faults, fault_path_contains=path)
    try:
        sync_workflow(run=run)
    except SyncFailed as exc:
        run.status, run.message = RunStatus.FAILED, exc.message
    else:
        run.status = RunStatus.SUCCEEDED
    finally:
        if faults:
            world.sandbox.control.configure(service, faults={}, fault_path_contains=None)
    run.save(update_fields=["status", "message"])
    return run


@pytest.mark.parametrize("fault", ["http_500_after", "drop_after"])
def test_records_created_from_rows_whose_answer_was_lost_exist_once(
        sandbox, alice, connected_install, tag, fault):
    world = World.build(sandbox, alice, connected_install, tag, from_salesforce=0, from_sheet=5)

    failed = _run(world, faults={fault: 1.0}, service="salesforce",
                  path="composite/sobjects")
    assert failed.status == RunStatus.FAILED
    # The create did land, once.
    assert len(world.records()) == 5

    assert _run(world).status == RunStatus.SUCCEEDED
    _run(world)  # a quiet run: nothing left to do, nothing created again

    names = Counter(r["Name"] for r in world.records())
    assert sorted(names) == sorted(world.expected) and set(names.values()) == {1}
    assert world.differences() == []


@pytest.mark.parametrize("fault", ["http_500_after", "drop_after"])
def test_rows_added_from_records_whose_answer_was_lost_exist_once(
        sandbox, alice, connected_install, tag, fault):
    world = World.build(sandbox, alice, connected_install, tag, from_salesforce=5, from_sheet=0)

    failed = _run(world, faults={fault: 1.0}, service="smartsheet", path="/rows")
    assert failed.status == RunStatus.FAILED
    assert len(world.rows()) == 5  # the add did land, once

    assert _run(world).status == RunStatus.SUCCEEDED
    _run(world)

    names = Counter(r["Name"] for r in world.rows())
    assert sorted(names) == sorted(world.expected) and set(names.values()) == {1}
    assert len(world.records()) == 5  # no row came back as a new record
    assert world.differences() == []
