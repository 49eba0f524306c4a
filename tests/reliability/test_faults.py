"""Faults: with 20 % transient faults on both services, a bidirectional workflow of 2,000
records with edits on both sides (between runs and during a run) converges, within a
bounded number of runs, to exactly the state the test computes on its own.

Fault mix per request (each service): 429 (Smartsheet 4003 / Salesforce's concurrent
limit) 5 %, 500 5 %, 503 4 %, dropped connection 4 %, stall 2 % — 20 % in all. The stall
lasts 1 s instead of 2 s and is the rarest kind, to keep the test's runtime bounded;
both are far below the clients' timeout, so what a stall exercises is the same.
"""

from __future__ import annotations

import contextlib

import pytest

from runs.engine import SyncFailed, context, sync_workflow
from runs.models import Conflict, Link, RunStatus
from tests import factories
from tests.reliability.world import FIELDS, World

FAULTS = {"http_429": 0.05, "http_500": 0.05, "http_503": 0.04, "drop": 0.04, "stall": 0.02}
MAX_RUNS_PER_CYCLE = 6

pytestmark = pytest.mark.slow


@contextlib.contextmanager
def faulty(sandbox, seed: int):
    """Faults on both services while a run works (the test's own reads stay calm)."""
    sandbox.control.reseed(seed)
    for service in ("salesforce", "smartsheet"):
        sandbox.control.configure(service, faults=FAULTS, stall_seconds=1.0)
    try:
        yield
    finally:
        for service in ("salesforce", "smartsheet"):
            sandbox.control.configure(service, faults={}, stall_seconds=2.0)


def one_run(world: World, seed: int):
    """One run under faults; a systemic failure ends it FAILED (as run_execute would)."""
    run = factories.start_run(world.workflow)
    with faulty(world.sandbox, seed):
        try:
            outcome = sync_workflow(run=run)
        except SyncFailed as exc:
            run.status, run.message = RunStatus.FAILED, exc.message
            run.save(update_fields=["status", "message"])
            return run, None
    run.status = RunStatus.SUCCEEDED
    run.save(update_fields=["status"])
    return run, outcome


def quiet(outcome) -> bool:
    s = outcome.summary
    return (s["salesforce"] == {"records_to_create": 0, "records_to_update": 0}
            and s["smartsheet"]["rows_to_add"] == 0 and s["smartsheet"]["rows_to_update"] == 0
            and s["errors"] == 0 and s["conflicts"] == 0)


def converge(world: World, seed: int) -> int:
    """Run until a successful run finds nothing to do; return how many runs it took."""
    for n in range(1, MAX_RUNS_PER_CYCLE + 1):
        _, outcome = one_run(world, seed * 100 + n)
        if outcome is not None and quiet(outcome):
            return n
    problems = world.differences()
    raise AssertionError(f"no quiet run after {MAX_RUNS_PER_CYCLE} runs; {problems[:10]}")


def cycle_edits(world: World, names: list[str], cycle: int):
    """Edits on both sides of one cycle: one-sided, merged (different fields of one
    record) and conflicting (the same field, different values)."""
    sf, ss = {}, {}
    for i, name in enumerate(names[:60]):          # Salesforce only
        sf[name] = {"Phone": f"c{cycle}-sf-{i}"}
    for i, name in enumerate(names[60:120]):       # sheet only
        ss[name] = {"Employees": 50_000 + cycle * 1000 + i}
    for i, name in enumerate(names[120:150]):      # both sides, different fields: merged
        sf[name] = {"Phone": f"c{cycle}-merge-{i}"}
        ss[name] = {"Employees": 70_000 + cycle * 1000 + i}
    for i, name in enumerate(names[150:180]):      # both sides, same field: conflict
        field = "Phone" if i % 2 else "Employees"
        sf[name] = {field: f"c{cycle}-sfwin-{i}" if field == "Phone" else 80_000 + i}
        ss[name] = {field: f"c{cycle}-sslose-{i}" if field == "Phone" else 90_000 + i}
    return sf, ss


def test_it_converges_under_transient_faults_with_edits_on_both_sides(
        sandbox, alice, connected_install, tag):
    world = World.build(sandbox, alice, connected_install, tag, from_salesforce=1000,
                        from_sheet=1000)
    faults_before = sum(sandbox.control.counts()["salesforce"]["faults"].values())

    runs_needed = [converge(world, seed=1)]
    assert world.differences() == []

    names = sorted(world.expected)
    for cycle in (1, 2):
        # Every cycle edits a different slice of the 2,000 (both origins mixed).
        picked = names[cycle * 7 % 11::5][:200]
        sf, ss = cycle_edits(world, picked, cycle)
        world.edit_salesforce({n: v for n, v in sf.items() if n not in ss})
        world.edit_sheet(ss)
        # Salesforce edited last, and later: a conflict is SF-wins by policy either way.
        sandbox.control.clock.advance(2)
        world.edit_salesforce({n: v for n, v in sf.items() if n in ss})
        world.expect_cycle(sf, ss)

        # Edits made while the first run of the cycle is writing (after its reads),
        # on records this cycle did not touch: the next runs must not lose them.
        untouched = [n for n in names if n not in sf and n not in ss][cycle * 40:][:40]
        live_sf = {n: {"Phone": f"live{cycle}-{i}"} for i, n in enumerate(untouched[:20])}
        live_ss = {n: {"Employees": 60_000 + cycle * 100 + i}
                   for i, n in enumerate(untouched[20:])}

        def edit_during_run(phase: str, live_sf=live_sf, live_ss=live_ss) -> None:
            context.after_batch_hook = None
            with faulty_off(sandbox):
                world.edit_salesforce(live_sf)
                world.edit_sheet(live_ss)

        context.after_batch_hook = edit_during_run
        runs_needed.append(converge(world, seed=cycle + 1))
        assert context.after_batch_hook is None, "the live edits never happened"
        world.expect_cycle(live_sf, live_ss)
        if world.differences():  # the live edits arrived after the quiet run's read
            runs_needed.append(converge(world, seed=cycle + 10))
        assert world.differences() == []

    # Bounded: each cycle converged within MAX_RUNS_PER_CYCLE (converge() asserts it).
    assert sum(sandbox.control.counts()["salesforce"]["faults"].values()) > faults_before
    assert Link.objects.filter(workflow=world.workflow).count() == 2000
    record_ids = world.record_ids_by_name()
    recorded = {(c.record_id, c.field, c.winner)
                for c in Conflict.objects.filter(run__workflow=world.workflow)}
    for name, field in world.expected_conflicts:
        assert (record_ids[name], FIELDS[field][0], "salesforce") in recorded, (name, field)
    assert len(world.expected_conflicts) == 60
    print("runs per cycle:", runs_needed)


@contextlib.contextmanager
def faulty_off(sandbox):
    """The test's own reads during a run go without faults (then faults come back)."""
    saved = {s: dict(sandbox.control.settings[s].faults) for s in ("salesforce", "smartsheet")}
    for service in saved:
        sandbox.control.configure(service, faults={})
    try:
        yield
    finally:
        for service, faults in saved.items():
            sandbox.control.configure(service, faults=faults)
