"""``python -m bench SCENARIO|all [--records N] [--fields F] [--changes K]
[--first-poll] [--latency-ms L] [--json] [--check] [--calls-only] [--profile FILE]
[--no-trace-memory]``

``python -m bench fleet --workflows N --owners K --interval M --minutes T [--workers W]
[--check] [--calls-only]``: the fleet benchmark (:mod:`bench.fleet`), one JSON line.

Prints one line per scenario (JSON with ``--json``). ``--check`` exits 1 when a target
is missed; with ``--calls-only`` only the call-count bounds and the work done are
checked (what CI does), never timings. ``all`` runs every scenario, each in its own
process (one database and one sandbox per scenario).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import traceback

from bench.sandbox_process import ROOT

CI_KINDS = ("calls", "work")


def _parser() -> argparse.ArgumentParser:
    from bench.scenarios import SCENARIOS

    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("scenario", choices=[*SCENARIOS, "all", "fleet"])
    fleet = parser.add_argument_group("fleet")
    fleet.add_argument("--workflows", type=int, default=50)
    fleet.add_argument("--owners", type=int, default=5)
    fleet.add_argument("--interval", type=int, default=5, help="polling interval, minutes")
    fleet.add_argument("--minutes", type=float, default=1.0, help="how long the fleet runs")
    fleet.add_argument("--workers", type=int, default=2, help="qcluster processes")
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--fields", type=int, default=10, help="mapped fields (1-20)")
    parser.add_argument("--changes", type=int, default=None,
                        help="changes on each side (incremental; default 1%% of --records)")
    parser.add_argument("--latency-ms", type=float, default=0.0,
                        help="latency the sandbox adds to every API call (both services)")
    parser.add_argument("--json", action="store_true", help="one JSON line per scenario")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument("--calls-only", action="store_true",
                        help="with --check: judge call counts and work done, not timings")
    parser.add_argument("--profile", default=None,
                        help="write the measured run's cProfile stats to this file")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    parser.add_argument("--first-poll", action="store_true",
                        help="polling scenarios: measure the first poll after the initial "
                             "sync (no warm-up poll)")
    parser.add_argument("--no-trace-memory", action="store_true",
                        help="skip the traced second pass (no run_peak_mb)")
    parser.add_argument("--trace-pass", action="store_true", help=argparse.SUPPRESS)
    return parser


def _line(result: dict) -> str:
    calls = result["api_calls"]
    bound = result["max_api_calls"]
    missed = [t["name"] for t in result["targets"] if not t["ok"]]
    return (f"{result['scenario']:<28} N={result['records']:<6} "
            f"calls={calls['total']} (sf {calls['salesforce']}, ss {calls['smartsheet']}; "
            f"floor {result['min_api_calls']}{'' if bound is None else f', max {bound}'}) "
            f"wall={result['wall_s']}s cpu={result['cpu_s']}s rss={result['peak_rss_mb']}MB "
            f"run_peak={result.get('run_peak_mb')}MB "
            f"sandbox_cpu={result['sandbox_serve_cpu_s']} "
            f"{'OK' if not missed else 'MISSED: ' + ', '.join(missed)}")


def _passes(result: dict, calls_only: bool) -> bool:
    return all(t["ok"] for t in result["targets"]
               if not calls_only or t["kind"] in CI_KINDS)


def _fleet(args) -> int:
    from bench.fleet import run_fleet
    from bench.fleet_measure import fleet_targets

    try:
        result = run_fleet(workflows=args.workflows, owners=args.owners,
                           interval=args.interval, minutes=args.minutes,
                           workers=args.workers, keep=args.keep)
    except Exception:  # noqa: BLE001 - a broken preparation is reported, not hidden
        failure = {"kind": "harness", "message": traceback.format_exc()[-3000:]}
        sys.stdout.write(json.dumps({"scenario": "fleet", "failure": failure,
                                     "ok": False}) + "\n")
        return 1
    result["targets"] = fleet_targets(result)
    result["ok"] = all(t["ok"] for t in result["targets"])
    sys.stdout.write(json.dumps(result) + "\n")
    if args.check and not _passes(result, args.calls_only):
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.scenario == "fleet":
        return _fleet(args)
    if args.scenario == "all":
        from bench.scenarios import SCENARIOS

        failed = False
        for name in SCENARIOS:
            command = [sys.executable, "-m", "bench", name, "--records", str(args.records),
                       "--fields", str(args.fields), "--latency-ms", str(args.latency_ms)]
            command += [flag for flag, on in (("--json", args.json), ("--check", args.check),
                                              ("--calls-only", args.calls_only),
                                              ("--no-trace-memory", args.no_trace_memory),
                                              ("--first-poll", args.first_poll))
                        if on]
            if args.changes is not None:
                command += ["--changes", str(args.changes)]
            done = subprocess.run(command, cwd=ROOT, stdout=subprocess.PIPE, text=True)
            sys.stdout.write(done.stdout)
            sys.stdout.flush()
            failed = failed or done.returncode != 0
        return 1 if failed else 0

    from bench.harness import run_scenario

    try:
        result = run_scenario(args.scenario, records=args.records, fields=args.fields,
                              latency_ms=args.latency_ms, profile=args.profile,
                              keep=args.keep, changes=args.changes,
                              first_poll=args.first_poll,
                              trace_memory="only" if args.trace_pass
                              else not args.no_trace_memory)
    except Exception:  # noqa: BLE001 - a broken preparation is reported, not hidden
        failure = {"kind": "harness", "message": traceback.format_exc()[-3000:]}
        sys.stdout.write(json.dumps({"scenario": args.scenario, "records": args.records,
                                     "failure": failure, "ok": False}) + "\n")
        return 1
    if args.trace_pass:
        sys.stdout.write(json.dumps(result) + "\n")
        return 0
    sys.stdout.write((json.dumps(result) if args.json else _line(result)) + "\n")
    if args.check and not _passes(result, args.calls_only):
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
