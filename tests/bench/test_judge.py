"""Which targets apply to a harness result, and when each one is missed."""

from __future__ import annotations

from bench.harness import judge


def _result(**changes) -> dict:
    result = {"scenario": "initial_to_smartsheet", "records": 10_000, "fields": 10,
              "latency_ms": 0.0, "api_calls": {"salesforce": 6, "smartsheet": 22, "total": 28},
              "max_api_calls": 31, "run_calls": {"salesforce": 6, "smartsheet": 22},
              "expected": {"rows_added": 10_000}, "run": {"rows_added": 10_000},
              "observed": {}, "failure": None, "cpu_s": 1.2, "wall_s": 3.0,
              "peak_rss_mb": 120.0}
    result.update(changes)
    return result


def _missed(result: dict) -> list[str]:
    return [t["name"] for t in judge(result) if not t["ok"]]


def test_it_passes_a_run_at_the_floor_within_the_cpu_budget():
    assert _missed(_result()) == []


def test_it_misses_the_call_bound_and_the_counter_cross_check():
    result = _result(api_calls={"salesforce": 10, "smartsheet": 22, "total": 32})
    assert _missed(result) == ["api_calls <= max_api_calls", "run counters == sandbox counts"]


def test_it_judges_cpu_only_at_the_size_the_issue_names():
    assert _missed(_result(cpu_s=2.0)) == ["cpu_s"]
    assert _missed(_result(cpu_s=2.0, records=500,
                           expected={}, run={})) == []


def test_it_judges_memory_at_20000_records_and_20_columns():
    big = _result(records=20_000, fields=20, peak_rss_mb=320.0, expected={})
    assert _missed(big) == ["peak_rss_mb"]


def test_it_judges_wall_time_of_initial_to_salesforce_under_latency():
    slow = _result(scenario="initial_to_salesforce", latency_ms=100.0, wall_s=13.0,
                   expected={})
    assert _missed(slow) == ["wall_s"]
    assert _missed({**slow, "latency_ms": 0.0}) == []


def test_it_misses_work_not_done_and_failures():
    result = _result(run={"rows_added": 9_999}, failure={"kind": "auth", "message": "x"})
    assert _missed(result) == ["run.rows_added == 10000", "no failure"]


def test_it_judges_an_incremental_run_of_200_changes_at_20000_records():
    run = _result(scenario="incremental", records=20_000, changes=200, cpu_s=0.25,
                  run_peak_mb=12.0, expected={})
    assert _missed(run) == []
    assert _missed({**run, "cpu_s": 0.31, "run_peak_mb": 41.0}) == ["cpu_s", "run_peak_mb"]
    # Other sizes and numbers of changes are measured, not judged on time.
    assert _missed({**run, "changes": 100, "cpu_s": 0.5}) == []
    assert _missed({**run, "records": 10_000, "cpu_s": 0.5}) == []


def test_it_judges_a_real_time_change_at_20000_records():
    run = _result(scenario="realtime_change", records=20_000, changes=1, cpu_s=0.08,
                  max_api_calls=4, api_calls={"salesforce": 2, "smartsheet": 2, "total": 4},
                  run_calls={"salesforce": 2, "smartsheet": 2}, expected={})
    assert _missed(run) == []
    assert _missed({**run, "cpu_s": 0.11}) == ["cpu_s"]
