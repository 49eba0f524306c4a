"""CI smoke of the benchmark harness: every scenario once at N = 500.

Each scenario runs as ``python -m bench SCENARIO --records 500 --json`` in its own
process (its own sandbox process and database), exactly as a person would run it. Only
the JSON's shape and the API-call bounds are checked here, never timings: benchmarks
are not tests. Scenarios run two at a time to keep the smoke near a minute and a half
(marked ``slow``: ``make test`` and ``.ci/run`` run it, ``make test-fast`` does not).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from bench.floors import NO_CHANGE_POLL_MAX, SLACK
from bench.scenarios import REALTIME_MAX_CALLS, SCENARIOS

# One xdist worker runs the whole module: the scenarios are shared by a module fixture.
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("bench")]

ROOT = Path(__file__).resolve().parents[2]
RECORDS = 500
KEYS = {"scenario", "records", "api_calls", "min_api_calls", "wall_s", "cpu_s",
        "peak_rss_mb", "run_peak_mb", "sandbox_serve_cpu_s"}


def _bench(name: str) -> dict:
    done = subprocess.run(
        [sys.executable, "-m", "bench", name, "--records", str(RECORDS), "--json"],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
        # The product's own settings, not the test suite's (tests/settings.py).
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "sheetforce.settings"})
    assert done.returncode == 0, (done.stdout[-3000:], done.stderr[-3000:])
    lines = done.stdout.strip().splitlines()
    assert len(lines) == 1, done.stdout
    return json.loads(lines[0])


@pytest.fixture(scope="module")
def results() -> dict[str, dict]:
    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(zip(SCENARIOS, pool.map(_bench, SCENARIOS), strict=True))


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_it_prints_one_json_line_with_the_issue_fields(results, name):
    result = results[name]
    assert set(result) >= KEYS
    assert result["scenario"] == name
    assert result["records"] == RECORDS
    calls = result["api_calls"]
    assert calls["total"] == calls["salesforce"] + calls["smartsheet"] > 0
    for key in ("wall_s", "cpu_s", "peak_rss_mb"):
        assert isinstance(result[key], float) and result[key] > 0, (key, result[key])
    assert set(result["sandbox_serve_cpu_s"]) == {"salesforce", "smartsheet"}
    assert result["failure"] is None, result["failure"]


@pytest.mark.parametrize("name", [n for n in SCENARIOS if not n.startswith("naive_")])
def test_it_stays_within_three_calls_of_the_floor(results, name):
    result = results[name]
    assert result["min_api_calls"] == result["floor"]["total"] > 0
    assert result["api_calls"]["total"] <= result["min_api_calls"] + SLACK, result["floor"]
    # The Run's own counters saw the same calls as the sandbox.
    run_calls = result["run_calls"]
    assert run_calls == {k: result["api_calls"][k] for k in ("salesforce", "smartsheet")}


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_it_did_the_work_the_scenario_asks_for(results, name):
    result = results[name]
    missed = [t for t in result["targets"] if t["kind"] == "work" and not t["ok"]]
    assert not missed, missed


def test_it_polls_an_unchanged_pair_in_at_most_two_calls(results):
    assert results["no_change_poll"]["api_calls"]["total"] <= NO_CHANGE_POLL_MAX


def test_a_real_time_change_on_each_side_costs_at_most_four_calls(results):
    result = results["realtime_change"]
    assert result["max_api_calls"] == REALTIME_MAX_CALLS == 4
    assert result["api_calls"]["total"] <= REALTIME_MAX_CALLS, result["calls_by_endpoint"]
    assert result["run"]["records_read"] <= 2 and result["run"]["rows_read"] <= 2


def test_it_reports_the_runs_own_memory(results):
    for name, result in results.items():
        if result["mode"] == "engine":
            assert isinstance(result["run_peak_mb"], float) and result["run_peak_mb"] > 0, name


@pytest.mark.parametrize("name", ["naive_initial_to_salesforce", "naive_initial_to_smartsheet"])
def test_it_shows_the_naive_variants_cost_a_call_per_record(results, name):
    result = results[name]
    writes = result["api_calls"]["total"]
    assert writes >= RECORDS
    assert writes > 10 * result["min_api_calls"]
