"""Benchmark: 2,000 records created through sObject Collections (10 calls of 200).

Run: ``.venv/bin/python bench/sandbox_salesforce.py``. Prints JSON with the wall time,
which must stay under 2 s on one machine, and the emulator's own CPU share.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import requests
from simple_salesforce import Salesforce

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sandbox.runner import start_sandbox  # noqa: E402

CALLS, PER_CALL, BUDGET_SECONDS = 10, 200, 2.0


def main() -> dict:
    box = start_sandbox(seed="empty")
    try:
        info = box.info["salesforce"]
        session = requests.Session()
        session.verify = info["ca_bundle"]
        session.trust_env = False  # REQUESTS_CA_BUNDLE would override verify
        sf = Salesforce(instance_url=info["instance_url"], session_id=info["access_token"],
                        session=session)
        batches = [[{"attributes": {"type": "Account"}, "Name": f"Bench {c}-{i}",
                     "Industry": "Energy", "NumberOfEmployees": i}
                    for i in range(PER_CALL)] for c in range(CALLS)]
        box.control.reset_counts()
        started = time.perf_counter()
        results = [sf.restful("composite/sobjects", method="POST",
                              json={"allOrNone": False, "records": batch})
                   for batch in batches]
        elapsed = time.perf_counter() - started
        created = sum(r["success"] for result in results for r in result)
        counts = box.control.counts()["salesforce"]
        return {
            "scenario": "salesforce collections create", "records": created,
            "calls": counts["by_endpoint"].get("POST composite/sobjects", 0),
            "seconds": round(elapsed, 3), "budget_seconds": BUDGET_SECONDS,
            "within_budget": created == CALLS * PER_CALL and elapsed < BUDGET_SECONDS,
            "records_per_second": round(created / elapsed),
            "sandbox_cpu_seconds": counts["serve_cpu_s"],
        }
    finally:
        box.stop()


if __name__ == "__main__":
    report = main()
    print(json.dumps(report))
    sys.exit(0 if report["within_budget"] else 1)
