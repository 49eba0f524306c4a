"""What the fleet benchmark (:mod:`bench.fleet`) measures in its own process: polls due
and done and their lag, a quiet poll's overhead outside the engine, and the targets."""

from __future__ import annotations

import os
import sys
import time


def percentile(values: list[float], share: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(share * len(ordered)))], 2)


def fleet_polls(world: dict, *, interval: int, start: float, end: float) -> dict:
    """Polls due and done in [start, end], and how late each began after it was due."""
    from runs.models import Run, RunStatus, RunTrigger

    period = interval * 60
    runs: dict[int, list] = {}
    for workflow_id, started in (Run.objects.filter(
            trigger=RunTrigger.SCHEDULE, started_at__isnull=False,
            status__in=(RunStatus.SUCCEEDED, RunStatus.PARTIAL, RunStatus.FAILED))
            .values_list("workflow_id", "started_at")):
        runs.setdefault(workflow_id, []).append(started.timestamp())
    lags, due, settled = [], 0, 0
    for item in world["workflows"]:
        last = item["last_poll"]
        due += max(0, int((end - last) // period))
        # Due a minute before the end: the scheduler has had its tick to start them.
        settled += max(0, int((end - 60 - last) // period))
        for started in sorted(runs.get(item["id"], [])):
            lags.append(max(0.0, started - (last + period)))
            last = started
    return {"due": due, "due_a_minute_before_end": settled, "done": len(lags),
            "lag_p50_s": percentile(lags, 0.5),
            "lag_p99_s": percentile(lags, 0.99), "lag_max_s": percentile(lags, 1.0)}


def poll_overhead(world: dict, *, sample: int = 20) -> dict:
    """A quiet poll's cost outside the engine — claim, heartbeat, finish — measured here
    on the same database: time and queries of ``run_execute`` minus the engine's."""
    from django.db import connection

    from runs.engine import sync_workflow
    from runs.models import Run, RunTrigger
    from runs.services import run_execute
    from runs.tasks import TRANSACTION_CONTROL

    inside = {"queries": 0, "seconds": 0.0}
    counted = {"queries": 0}
    engine_running = [False]

    def count(execute, sql, params, many, context):
        if not sql.startswith(TRANSACTION_CONTROL):  # BEGIN, SAVEPOINT: not queries
            counted["queries"] += 1
            if engine_running[0]:
                inside["queries"] += 1
        return execute(sql, params, many, context)

    def engine(**kwargs):
        engine_running[0] = True
        began = time.perf_counter()
        try:
            return sync_workflow(**kwargs)
        finally:
            inside["seconds"] += time.perf_counter() - began
            engine_running[0] = False

    seconds, queries, statements = [], [], []

    def keep(execute, sql, params, many, context):
        if not engine_running[0]:
            statements.append(sql[:100])
        return execute(sql, params, many, context)

    for item in world["workflows"][:sample]:
        run = Run.objects.create(workflow_id=item["id"], trigger=RunTrigger.SCHEDULE)
        inside.update(queries=0, seconds=0.0)
        counted["queries"] = 0
        began = time.perf_counter()
        statements.clear()
        with connection.execute_wrapper(count), connection.execute_wrapper(keep):
            run_execute(run_id=run.pk, sync=engine)
        seconds.append((time.perf_counter() - began - inside["seconds"]) * 1000)
        queries.append(counted["queries"] - inside["queries"])
    if os.environ.get("BENCH_FLEET_SQL"):
        sys.stderr.write("\n".join(statements) + "\n")
    return {"ms_p50": percentile(seconds, 0.5), "ms_max": percentile(seconds, 1.0),
            "queries_max": max(queries, default=None)}


def sqlite_runs_per_insert() -> int:
    """Runs one INSERT holds on SQLite: Django splits a bulk insert to stay under 999
    parameters a statement."""
    from runs.models import Run

    return 999 // len([f for f in Run._meta.concrete_fields if not f.primary_key])


def tick_query_limit(result: dict) -> int:
    """10 queries a tick; on SQLite, one more for every further batch of the runs' bulk
    insert (:func:`sqlite_runs_per_insert`; on PostgreSQL one INSERT holds them all)."""
    if result["database"] == "postgresql" or not result["ticks"]["queued_max"]:
        return 10
    return 10 + -(-result["ticks"]["queued_max"] // sqlite_runs_per_insert()) - 1


def fleet_targets(result: dict) -> list[dict]:
    """The issue's targets, judged on ``result``: "calls" ones hold at any size (CI),
    "time" ones only mean something at the target configuration."""
    def target(name, value, limit, ok, kind):
        return {"name": name, "kind": kind, "value": value, "limit": limit, "ok": bool(ok)}

    polls, ticks = result["polls"], result["ticks"]
    overhead, peaks = result["poll_overhead"], result["per_minute_max"]
    return [
        target("no token above 250 requests in any minute", peaks["smartsheet_per_token"],
               250, peaks["smartsheet_per_token"] <= 250, "calls"),
        target("no rate-limit answer", result["rate_limit_answers"], 0,
               not any(result["rate_limit_answers"].values()), "calls"),
        target("no failed run", result["runs_failed"], 0, result["runs_failed"] == 0, "work"),
        target("queries per tick <= 10", ticks["queries_max"], tick_query_limit(result),
               ticks["queries_max"] is not None
               and ticks["queries_max"] <= tick_query_limit(result), "calls"),
        target("queries per poll outside the engine <= 12", overhead["queries_max"], 12,
               overhead["queries_max"] is not None and overhead["queries_max"] <= 12, "calls"),
        target("every poll due a minute before the end done",
               (polls["done"], polls["due_a_minute_before_end"]), None,
               polls["done"] >= polls["due_a_minute_before_end"], "work"),
        target("lag p99 <= 60 s", polls["lag_p99_s"], 60,
               polls["lag_p99_s"] is not None and polls["lag_p99_s"] <= 60, "time"),
        target("tick <= 0.2 s", ticks["seconds_max"], 0.2,
               ticks["seconds_max"] is not None and ticks["seconds_max"] <= 0.2, "time"),
        target("poll overhead <= 15 ms", overhead["ms_p50"], 15,
               overhead["ms_p50"] is not None and overhead["ms_p50"] <= 15, "time"),
    ]
