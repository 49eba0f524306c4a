"""django-q2 tasks. Thin on purpose: they take ids and call a service.

django-q2 stores tasks by dotted path (``runs.tasks.execute_run``...), so these names
are a stable interface: renaming one strands the tasks already in the queue.
"""

from __future__ import annotations

import time

from django.db import connection

from runs import scheduling, services

#: Statements that are transaction control, not queries (not counted).
TRANSACTION_CONTROL = ("BEGIN", "SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK", "COMMIT")


def execute_run(run_id: int) -> str:
    """Execute one queued run (see :func:`runs.services.run_execute`)."""
    return services.run_execute(run_id=run_id).outcome


def scheduler_tick() -> dict:
    """The once-a-minute scheduler pass (see :func:`runs.scheduling.scheduler_tick`).

    Its result (kept with the task) says what it did and what it cost: seconds and
    database queries — the fleet benchmark reads them.
    """
    queries = {"own": 0, "broker": 0}

    def count(execute, sql, params, many, context):
        # Transaction control is not a query; with the ORM broker, each queued run is
        # also a row of django-q2's queue.
        if not sql.startswith(TRANSACTION_CONTROL):
            queries["broker" if "django_q_" in sql else "own"] += 1
        return execute(sql, params, many, context)

    started = time.perf_counter()
    with connection.execute_wrapper(count):
        report = scheduling.scheduler_tick()
    return {
        "queued": len(report.queued_runs),
        "reaped": len(report.reaped_runs),
        "resumed": len(report.resumed_installs),
        "redispatched": len(report.redispatched_runs),
        "seconds": round(time.perf_counter() - started, 4),
        "queries": queries["own"],
        "broker_queries": queries["broker"],
    }


def cleanup_runs() -> int:
    """Delete runs past the retention period (see :func:`runs.services.runs_cleanup`)."""
    return services.runs_cleanup()
