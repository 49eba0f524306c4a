"""Run one scenario end to end and judge it against the targets in bench/README.md.

The parent process (this module) starts the sandbox in its own process, sets up a
throwaway database, seeds and prepares the scenario, then starts a fresh measuring child
(:mod:`bench.measure`) for the measured run. API calls are the sandbox's own request
counts, reset just before the measured run and cross-checked with the Run's counters.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.sandbox_process import ROOT, SandboxProcess, admit_sandbox, child_env

#: Targets that depend on size or latency (2 cores). Call-count bounds are
#: checked for every run; these only when the run matches their conditions.
CPU_TARGETS = {"initial_to_smartsheet": 1.5, "no_change_poll": 0.15}
TARGET_RECORDS = 10_000
#: Incremental runs cost what changed: at N = 20,000 (10 fields), 200 changes on each
#: side, and one change on each side as a real-time run sees it.
SCALE_RECORDS = 20_000
INCREMENTAL_CHANGES, INCREMENTAL_CPU_S, INCREMENTAL_RUN_PEAK_MB = 200, 0.3, 40.0
REALTIME_CPU_S = 0.1
RSS_TARGET_MB, RSS_RECORDS, RSS_FIELDS = 300.0, 20_000, 20
WALL_TARGET_S, WALL_LATENCY_MS = 12.0, 100.0


def _target(name: str, value, limit, ok: bool, kind: str) -> dict:
    return {"name": name, "kind": kind, "value": value, "limit": limit, "ok": bool(ok)}


def judge(result: dict) -> list[dict]:
    """The targets that apply to ``result`` (a harness JSON line), each with ``ok``.

    ``kind`` "calls" (checked everywhere, CI included), "work" (the run did what the
    scenario asked), or "time"/"memory" (checked only at the sizes the issue names).
    """
    targets: list[dict] = []
    calls = result["api_calls"]["total"]
    if result.get("max_api_calls") is not None:
        targets.append(_target("api_calls <= max_api_calls", calls, result["max_api_calls"],
                               calls <= result["max_api_calls"], "calls"))
    if result.get("run_calls") is not None:
        run_total = result["run_calls"]["salesforce"] + result["run_calls"]["smartsheet"]
        targets.append(_target("run counters == sandbox counts", run_total, calls,
                               run_total == calls, "calls"))
    seen = {**(result.get("run") or {}), **(result.get("observed") or {})}
    for name, wanted in (result.get("expected") or {}).items():
        got = seen.get(name)
        label = name if name.startswith("sheet.") else f"run.{name}"
        targets.append(_target(f"{label} == {wanted}", got, wanted, got == wanted, "work"))
    targets.append(_target("no failure", result.get("failure"), None,
                           not result.get("failure"), "work"))
    scenario, records = result["scenario"], result["records"]
    if scenario in CPU_TARGETS and records == TARGET_RECORDS and result["fields"] == 10:
        limit = CPU_TARGETS[scenario]
        targets.append(_target("cpu_s", result["cpu_s"], limit,
                               result["cpu_s"] <= limit, "time"))
    if records == SCALE_RECORDS and result["fields"] == 10:
        if (scenario == "incremental" and result.get("changes") == INCREMENTAL_CHANGES
                and not result.get("first_poll")):
            targets.append(_target("cpu_s", result["cpu_s"], INCREMENTAL_CPU_S,
                                   result["cpu_s"] <= INCREMENTAL_CPU_S, "time"))
            peak = result.get("run_peak_mb")
            if peak is not None:
                targets.append(_target("run_peak_mb", peak, INCREMENTAL_RUN_PEAK_MB,
                                       peak <= INCREMENTAL_RUN_PEAK_MB, "memory"))
        if scenario == "realtime_change":
            targets.append(_target("cpu_s", result["cpu_s"], REALTIME_CPU_S,
                                   result["cpu_s"] <= REALTIME_CPU_S, "time"))
    if records >= RSS_RECORDS and result["fields"] >= RSS_FIELDS:
        targets.append(_target("peak_rss_mb", result["peak_rss_mb"], RSS_TARGET_MB,
                               result["peak_rss_mb"] <= RSS_TARGET_MB, "memory"))
    if (scenario == "initial_to_salesforce" and records == TARGET_RECORDS
            and result["latency_ms"] >= WALL_LATENCY_MS):
        targets.append(_target("wall_s", result["wall_s"], WALL_TARGET_S,
                               result["wall_s"] <= WALL_TARGET_S, "time"))
    return targets


def _measure(*, env: dict, workflow_id: int, mode: str, id_column_id: int | None,
             profile: str | None, trace_memory: bool) -> dict:
    command = [sys.executable, "-m", "bench.measure", "--workflow-id", str(workflow_id),
               "--mode", mode]
    if trace_memory:
        command.append("--trace-memory")
    if id_column_id is not None:
        command += ["--id-column-id", str(id_column_id)]
    if profile:
        command += ["--profile", profile]
    if mode.startswith("naive"):
        # One call per record: the sandbox's limit is lifted for them, so are our budgets.
        env = {**env, "RATE_BUDGET_SMARTSHEET_PER_MINUTE": "0",
               "RATE_BUDGET_SALESFORCE_PER_MINUTE": "0"}
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        return {"failure": {"kind": "crash", "message": done.stderr[-3000:]},
                "wall_s": None, "cpu_s": None, "peak_rss_mb": None, "run": {}}
    return json.loads(lines[-1])


def run_scenario(name: str, *, records: int, fields: int = 10, latency_ms: float = 0.0,
                 profile: str | None = None, keep: bool = False, changes: int | None = None,
                 trace_memory: bool | str = True, first_poll: bool = False) -> dict:
    """Prepare, measure and judge scenario ``name``; the harness JSON line as a dict.

    tracemalloc slows a run about fourfold, so CPU and time are measured on an untraced
    run; with ``trace_memory`` the scenario is then prepared again from nothing and a
    second, traced run gives ``run_peak_mb`` (peak bytes allocated during the run).
    ``trace_memory="only"`` is that second pass: the traced run alone, not judged."""
    if trace_memory == "only":
        return _run_once(name, records=records, fields=fields, latency_ms=latency_ms,
                         profile=None, keep=keep, changes=changes, trace=True,
                         first_poll=first_poll)
    result = _run_once(name, records=records, fields=fields, latency_ms=latency_ms,
                       profile=profile, keep=keep, changes=changes, trace=False,
                       first_poll=first_poll)
    if trace_memory and result["mode"] == "engine" and not result.get("failure"):
        traced = _traced_pass(name, records=records, fields=fields, latency_ms=latency_ms,
                              changes=changes, first_poll=first_poll)
        result["run_peak_mb"] = traced.get("run_peak_mb")
        result["harness_s"] = round(result["harness_s"] + traced.get("harness_s", 0), 1)
        if traced.get("failure"):
            result["failure"] = {"kind": "traced pass", **traced["failure"]}
    result["targets"] = judge(result)
    result["ok"] = all(t["ok"] for t in result["targets"])
    return result


def _traced_pass(name: str, *, records: int, fields: int, latency_ms: float,
                 changes: int | None, first_poll: bool) -> dict:
    """The traced run, in a process of its own (Django's settings — the database file,
    the sandbox's hosts — are fixed once set up)."""
    command = [sys.executable, "-m", "bench", name, "--records", str(records), "--fields",
               str(fields), "--latency-ms", str(latency_ms), "--json", "--trace-pass"]
    if changes is not None:
        command += ["--changes", str(changes)]
    if first_poll:
        command.append("--first-poll")
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if not lines:
        return {"failure": {"message": (done.stdout + done.stderr)[-3000:]}}
    return json.loads(lines[-1])


def _run_once(name: str, *, records: int, fields: int, latency_ms: float,
              profile: str | None, keep: bool, changes: int | None, trace: bool,
              first_poll: bool = False) -> dict:
    from bench.scenarios import SCENARIOS, Bench

    if name not in SCENARIOS:
        raise ValueError(f"unknown scenario {name!r}; one of {', '.join(SCENARIOS)}")
    workdir = Path(tempfile.mkdtemp(prefix=f"bench-{name}-"))
    env = child_env(workdir)
    started = time.perf_counter()
    try:
        with SandboxProcess(workdir=workdir, env=env) as sandbox:
            admit_sandbox(env, sandbox.info)
            from bench.world import django_setup, migrate, owner_with_connections

            django_setup(env)
            migrate(workdir / "bench.sqlite3")
            owner, install = owner_with_connections(sandbox.info)
            bench = Bench(sandbox=sandbox, owner=owner, install=install, records=records,
                          fields=fields, changes=changes, first_poll=first_poll)
            prepared = SCENARIOS[name](bench)
            sandbox.set_latency(latency_ms)
            sandbox.reset_counts()
            measured = _measure(env=env, workflow_id=prepared.workflow_id, mode=prepared.mode,
                                id_column_id=prepared.id_column_id, profile=profile,
                                trace_memory=trace)
            counts = sandbox.counts()
            sandbox.set_latency(0)
            observed = prepared.observe() if prepared.observe is not None else {}
    finally:
        if not keep:
            shutil.rmtree(workdir, ignore_errors=True)
    run = measured.get("run") or {}
    return {
        "scenario": name,
        "records": records,
        "fields": fields,
        "changes": prepared.changes,
        "first_poll": first_poll,
        "latency_ms": latency_ms,
        "api_calls": {"salesforce": counts["salesforce"]["total"],
                      "smartsheet": counts["smartsheet"]["total"],
                      "total": counts["salesforce"]["total"] + counts["smartsheet"]["total"]},
        "min_api_calls": prepared.floor.total,
        "max_api_calls": prepared.max_calls,
        "wall_s": measured["wall_s"],
        "cpu_s": measured["cpu_s"],
        "main_thread_cpu_s": measured.get("main_thread_cpu_s"),
        "peak_rss_mb": measured["peak_rss_mb"],
        "run_peak_mb": measured.get("run_peak_mb"),
        "sandbox_serve_cpu_s": {s: counts[s]["serve_cpu_s"] for s in ("salesforce",
                                                                       "smartsheet")},
        "run_calls": ({"salesforce": run["salesforce_calls"],
                       "smartsheet": run["smartsheet_calls"]}
                      if "salesforce_calls" in run else None),
        "floor": prepared.floor.as_dict(),
        "calls_by_endpoint": {s: counts[s]["by_endpoint"] for s in ("salesforce",
                                                                     "smartsheet")},
        "run": run,
        "summary": measured.get("summary"),
        "expected": prepared.expect,
        "observed": observed,
        "mode": prepared.mode,
        "rss_before_mb": measured.get("rss_before_mb"),
        "failure": measured.get("failure"),
        "notes": prepared.notes,
        "harness_s": round(time.perf_counter() - started, 1),
    }
