"""The measuring child: a fresh process that runs one sync (or naive variant) and
prints its own cost as one JSON line on stdout.

``python -m bench.measure --workflow-id W --mode engine|naive_to_smartsheet|
naive_to_salesforce [--id-column-id C] [--profile FILE]``

A fresh process per measurement keeps the harness's own setup (seeding, the preparing
runs) out of ``peak_rss_mb``; CPU is ``time.process_time()`` (user + system, every
thread of this process) around the measured call only, so Django's start-up is not
counted either.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import resource
import sys
import time
import tracemalloc


def _rss_mb() -> float:
    """This process's peak resident memory. ``VmHWM`` is its address space's own high
    water mark; ``ru_maxrss`` (the fallback, KiB on Linux) survives ``execve``, so it
    would count the harness's size at the moment it forked this child."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.measure")
    parser.add_argument("--workflow-id", type=int, required=True)
    parser.add_argument("--mode", default="engine",
                        choices=["engine", "naive_to_smartsheet", "naive_to_salesforce"])
    parser.add_argument("--id-column-id", type=int, default=None)
    parser.add_argument("--profile", default=None, help="Write cProfile stats here.")
    parser.add_argument("--trace-memory", action="store_true",
                        help="tracemalloc around the run: run_peak_mb (slows the run)")
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sheetforce.settings")
    import django

    django.setup()
    from bench import naive
    from bench.world import run_counts, run_finish, run_start
    from runs.engine import SyncFailed, sync_workflow
    from workflows.models import Workflow

    workflow = Workflow.objects.select_related("owner", "install").get(pk=args.workflow_id)
    run = run_start(workflow) if args.mode == "engine" else None
    if args.mode != "engine":
        list(workflow.mappings.all())  # load before measuring, as the engine's run does

    profiler = None
    if args.profile:
        import cProfile

        profiler = cProfile.Profile()
    gc.collect()
    rss_before = _rss_mb()
    if args.trace_memory:
        tracemalloc.start()
    result: dict = {}
    failure = None
    wall0, cpu0, main0 = time.perf_counter(), time.process_time(), time.thread_time()
    if profiler is not None:
        profiler.enable()
    try:
        if args.mode == "engine":
            outcome = sync_workflow(run=run)
            result = {"summary": outcome.summary}
        elif args.mode == "naive_to_smartsheet":
            result = naive.naive_to_smartsheet(workflow, id_column_id=args.id_column_id)
        else:
            result = naive.naive_to_salesforce(workflow, id_column_id=args.id_column_id)
    except SyncFailed as exc:
        failure = {"kind": exc.kind, "message": exc.message}
    finally:
        if profiler is not None:
            profiler.disable()
    cpu_s = time.process_time() - cpu0
    main_thread_cpu_s = time.thread_time() - main0
    wall_s = time.perf_counter() - wall0
    run_peak_mb = None
    if args.trace_memory:
        run_peak_mb = round(tracemalloc.get_traced_memory()[1] / 2**20, 1)
        tracemalloc.stop()
    if profiler is not None:
        profiler.dump_stats(args.profile)

    # cpu_s counts every thread (parallel Salesforce calls); the main thread's share
    # tells what cProfile, which sees only the main thread, can explain.
    out = {"wall_s": round(wall_s, 3), "cpu_s": round(cpu_s, 3),
           "main_thread_cpu_s": round(main_thread_cpu_s, 3),
           "peak_rss_mb": round(_rss_mb(), 1), "rss_before_mb": round(rss_before, 1),
           "run_peak_mb": run_peak_mb,
           "failure": failure}
    if run is not None:
        run.refresh_from_db()
        out["run"] = run_counts(run)
        out["summary"] = result.get("summary")
        run_finish(run)
    else:
        out["run"] = {"salesforce_calls": result["calls"]["salesforce"],
                      "smartsheet_calls": result["calls"]["smartsheet"],
                      **{k: v for k, v in result.items() if k != "calls"}}
    sys.stdout.write(json.dumps(out) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
