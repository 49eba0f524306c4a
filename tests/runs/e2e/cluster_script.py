"""Database side of the cluster tests, run in a subprocess against the test's own
database (``DATABASE_URL``) and broker (``REDIS_URL`` or the ORM broker).

    python -m tests.runs.e2e.cluster_script setup-scale SPEC.json OUT.json
    python -m tests.runs.e2e.cluster_script setup-tick SPEC.json OUT.json
    python -m tests.runs.e2e.cluster_script setup-fleet SPEC.json OUT.json
    python -m tests.runs.e2e.cluster_script report OUT.json

SPEC.json: {"info": sandbox.info, "admin_id": sandbox.salesforce.admin_id, "specs": [...],
"runs_per_workflow": N}.
"""

from __future__ import annotations

import json
import os
import sys
from types import SimpleNamespace


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sheetforce.settings")
    import django

    django.setup()


def _sandbox(spec: dict) -> SimpleNamespace:
    """The sandbox as far as building the world needs it: its info and admin id."""
    return SimpleNamespace(info=spec["info"],
                           salesforce=SimpleNamespace(admin_id=spec["admin_id"]))


def setup_scale(spec: dict) -> dict:
    """Queue ``runs_per_workflow`` runs of every workflow, interleaved, each its own task.

    Runs are created directly (not through ``run_request``, which would coalesce them)
    so that every one of them must execute, once.
    """
    from django.db import transaction

    from runs.models import Run, RunTrigger
    from runs.services import run_enqueue
    from tests.runs.e2e.world import build_world

    _, _, workflows = build_world(_sandbox(spec), spec["specs"])
    run_ids = []
    for _ in range(spec["runs_per_workflow"]):
        with transaction.atomic():
            for workflow in workflows:
                run = Run.objects.create(workflow=workflow, trigger=RunTrigger.API)
                run_enqueue(run_id=run.pk)
                run_ids.append(run.pk)
    return {"workflows": [w.pk for w in workflows], "runs": run_ids}


def setup_tick(spec: dict) -> dict:
    """One never-run workflow and the schedules, the tick due at once."""
    from django.utils import timezone
    from django_q.models import Schedule

    from runs.scheduling import TICK_TASK, ensure_schedules
    from tests.runs.e2e.world import build_world

    _, _, workflows = build_world(_sandbox(spec), spec["specs"], polling_interval_minutes=1)
    ensure_schedules()
    Schedule.objects.filter(func=TICK_TASK).update(next_run=timezone.now())
    return {"workflows": [w.pk for w in workflows], "runs": []}


def setup_fleet(spec: dict) -> dict:
    """Every workflow of the spec (one owner, one token), never run, polling every
    minute; the schedules, the tick due at once."""
    from django.utils import timezone
    from django_q.models import Schedule

    from runs.scheduling import TICK_TASK, ensure_schedules
    from tests.runs.e2e.world import build_world

    _, _, workflows = build_world(_sandbox(spec), spec["specs"], polling_interval_minutes=1)
    ensure_schedules()
    Schedule.objects.filter(func=TICK_TASK).update(next_run=timezone.now())
    return {"workflows": [w.pk for w in workflows], "runs": []}


def report() -> dict:
    from django_q.models import Task

    from runs.models import Run

    runs = [
        {"id": r.pk, "workflow": r.workflow_id, "status": r.status, "trigger": r.trigger,
         "started_at": r.started_at.isoformat() if r.started_at else None,
         "finished_at": r.finished_at.isoformat() if r.finished_at else None,
         "worker": r.worker, "message": r.message, "rows_added": r.rows_added,
         "errors_count": r.errors_count, "deferrals": r.deferrals,
         "smartsheet_calls": r.smartsheet_calls}
        for r in Run.objects.order_by("id")
    ]
    tasks = [
        {"func": t.func, "args": list(t.args or ()), "result": t.result, "success": t.success}
        for t in Task.objects.all()
    ]
    return {"runs": runs, "tasks": tasks}


def main(argv: list[str]) -> None:
    _django()
    command = argv[0]
    if command == "report":
        out = report()
        path = argv[1]
    else:
        with open(argv[1]) as fh:
            spec = json.load(fh)
        out = {"setup-scale": setup_scale, "setup-tick": setup_tick,
               "setup-fleet": setup_fleet}[command](spec)
        path = argv[2]
    with open(path, "w") as fh:
        json.dump(out, fh)


if __name__ == "__main__":
    main(sys.argv[1:])
