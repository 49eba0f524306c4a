"""The worker side of the crash tests, run in a subprocess against a file-based SQLite
database shared with the test (``DATABASE_URL``).

    python -m tests.reliability.crash_script setup SPEC.json OUT.json
    python -m tests.reliability.crash_script run WORKFLOW_ID OUT.json
    python -m tests.reliability.crash_script recover WORKFLOW_ID OUT.json

``run`` executes one run as the ``run_workflow`` command does (``run_execute_now``). With
``SHEETFORCE_TEST_KILL_AT_BATCH=N`` the process SIGKILLs itself at the engine's N-th
committed batch (``runs.engine.context.after_batch_hook``) — no client is wrapped; the
parent may also SIGKILL it from outside after the sandbox has seen K requests.
``recover`` reaps stale runs as the scheduler would once their heartbeat is old, then
runs the workflow again to completion.
"""

from __future__ import annotations

import json
import os
import signal
import sys
from datetime import timedelta
from types import SimpleNamespace


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sheetforce.settings")
    import django

    django.setup()


def setup(spec: dict) -> dict:
    from tests import factories, personas
    from tests.reliability.world import MAPPINGS

    box = SimpleNamespace(info=spec["info"],
                          salesforce=SimpleNamespace(admin_id=spec["admin_id"]))
    alice = personas.alice()
    install = factories.install(sandbox=box)
    factories.connect(alice, install, box)
    workflow = factories.workflow(
        alice, install, sheet_id=spec["sheet_id"], direction="bidirectional",
        conflict_policy="salesforce_wins", mappings=MAPPINGS,
        filters=[("salesforce", "AccountNumber", "equals", spec["tag"])])
    return {"workflow": workflow.pk}


def _arm_kill() -> None:
    kill_at = int(os.environ.get("SHEETFORCE_TEST_KILL_AT_BATCH") or 0)
    if not kill_at:
        return
    from runs.engine import context

    seen = []

    def hook(phase: str) -> None:
        seen.append(phase)
        if len(seen) == kill_at:
            sys.stdout.write(f"killing at {phase}\n")
            sys.stdout.flush()
            os.kill(os.getpid(), signal.SIGKILL)

    context.after_batch_hook = hook


def run(workflow_id: int) -> dict:
    from runs.services import run_execute_now
    from workflows.models import Workflow

    _arm_kill()
    done = run_execute_now(workflow=Workflow.objects.get(pk=workflow_id))
    return {"run": done.pk, "status": done.status, "message": done.message,
            "errors": done.errors_count}


def recover(workflow_id: int) -> dict:
    from django.conf import settings
    from django.utils import timezone

    from runs.models import Run, RunError, SyncState
    from runs.services import run_execute_now, runs_reap_stale
    from workflows.models import Workflow

    later = timezone.now() + timedelta(seconds=settings.RUN_TIMEOUT_SECONDS + 60)
    reaped = runs_reap_stale(now=later)
    reaped_runs = [{"id": r.pk, "status": r.status, "message": r.message}
                   for r in Run.objects.filter(pk__in=reaped)]
    claim_free = SyncState.objects.get(workflow_id=workflow_id).running_run_id is None
    done = run_execute_now(workflow=Workflow.objects.get(pk=workflow_id))
    return {"reaped": reaped_runs, "claim_free": claim_free,
            "run": done.pk, "status": done.status, "message": done.message,
            "errors": list(RunError.objects.filter(run=done).values_list("message",
                                                                         flat=True)[:5])}


def main(argv: list[str]) -> None:
    _django()
    command, arg, out = argv
    if command == "setup":
        with open(arg) as fh:
            result = setup(json.load(fh))
    else:
        result = {"run": run, "recover": recover}[command](int(arg))
    with open(out, "w") as fh:
        json.dump(result, fh)


if __name__ == "__main__":
    main(sys.argv[1:])
