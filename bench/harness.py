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
    if records >= RSS_RECORDS and result["fields"] >= RSS_FIELDS:
        targets.append(_target("peak_rss_mb", result["peak_rss_mb"], RSS_TARGET_MB,
                               result["peak_rss_mb"] <= RSS_TARGET_MB, "memory"))
    if (scenario == "initial_to_salesforce" and records == TARGET_RECORDS
            and result["latency_ms"] >= WALL_LATENCY_MS):
        targets.append(_target("wall_s", result["wall_s"], WALL_TARGET_S,
                               result["wall_s"] <= WALL_TARGET_S, "time"))
    return targets


def _measure(*, env: dict, workflow_id: int, mode: str, id_column_id: int | None,
             profile: str | None) -> dict:
    command = [sys.executable, "-m", "bench.measure", "--workflow-id", str(workflow_id),
               "--mode", mode]
    if id_column_id is not None:
        command += ["--id-column-id", str(id_column_id)]
    if profile:
        command += ["--profile", profile]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        return {"failure": {"kind": "crash", "message": done.stderr[-3000:]},
                "wall_s": None, "cpu_s": None, "peak_rss_mb": None, "run": {}}
    return json.loads(lines[-1])


def run_scenario(name: str, *, records: int, fields: int = 10, latency_ms: float = 0.0,
                 profile: str | None = None, keep: bool = False) -> dict:
    """Prepare, measure and judge scenario ``name``; the harness JSON line as a dict."""
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
                          fields=fields)
            prepared = SCENARIOS[name](bench)
            sandbox.set_latency(latency_ms)
            sandbox.reset_counts()
            measured = _measure(env=env, workflow_id=prepared.workflow_id, mode=prepared.mode,
                                id_column_id=prepared.id_column_id, profile=profile)
            counts = sandbox.counts()
            sandbox.set_latency(0)
            observed = prepared.observe() if prepared.observe is not None else {}
    finally:
        if not keep:
            shutil.rmtree(workdir, ignore_errors=True)
    run = measured.get("run") or {}
    result = {
        "scenario": name,
        "records": records,
        "fields": fields,
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
    result["targets"] = judge(result)
    result["ok"] = all(t["ok"] for t in result["targets"])
    return result
