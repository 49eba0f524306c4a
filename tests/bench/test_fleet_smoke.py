"""CI smoke of the fleet benchmark: 50 workflows of 5 owners for a minute.

``python -m bench fleet`` runs as a person would run it — its own sandbox, database and
two real ``qcluster`` processes — and only the JSON's shape and the call bounds are
checked: no token above its budget, no rate-limit answer, no failed run, a tick and a
poll's overhead in a bounded number of queries. Never timings (marked ``slow``, like
the other benchmark smoke tests).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bench.fleet_measure import tick_query_limit

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("bench")]

ROOT = Path(__file__).resolve().parents[2]


def test_a_small_fleet_stays_within_its_call_bounds():
    done = subprocess.run(
        [sys.executable, "-m", "bench", "fleet", "--workflows", "50", "--owners", "5",
         "--interval", "1", "--minutes", "1", "--workers", "2"],
        cwd=ROOT, capture_output=True, text=True, timeout=400,
        # The product's own settings, not the test suite's (tests/settings.py).
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "sheetforce.settings"})
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    assert lines, (done.stdout[-3000:], done.stderr[-3000:])
    result = json.loads(lines[-1])
    assert "failure" not in result, result.get("failure")
    assert result["per_minute_max"]["smartsheet_per_token"] <= 250
    assert result["per_minute_max"]["smartsheet_tokens"] == 5  # five owners, five tokens
    assert result["rate_limit_answers"] == {"smartsheet_4003": 0,
                                            "salesforce_runs_failed_on_limit": 0}
    assert result["runs_failed"] == 0, result["failures"]
    assert result["ticks"]["count"] >= 1
    # 10 a tick; on SQLite, the bulk insert of its runs takes one statement per 33 runs.
    assert result["ticks"]["queries_max"] <= tick_query_limit(result)
    assert tick_query_limit(result) <= 10 + result["workflows"] // 33
    assert result["poll_overhead"]["queries_max"] <= 12
    assert result["polls"]["done"] >= 1
    assert result["api_calls"]["smartsheet"] > 0 and result["api_calls"]["salesforce"] > 0
    calls_only = [t for t in result["targets"] if t["kind"] in ("calls", "work")]
    assert all(t["ok"] for t in calls_only), calls_only
