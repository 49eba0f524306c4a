"""Benchmark: the sandbox's SOQL engine on the connector's incremental query.

``python -m bench.sandbox_soql`` prints one JSON line: CPU seconds (best of 5) to filter
and sort 20,000 records by ``SystemModstamp, Id``. Target: well under 0.1 s.
"""

from __future__ import annotations

import json
import time

from sandbox.salesforce.soql import compile_query
from tests.sandbox.soql.support import NOW, SCHEMA
from tests.sandbox.soql.test_volume import _source


def main() -> None:
    source = _source()
    query = compile_query(
        "SELECT Id, LastName, Email, SystemModstamp FROM Contact "
        "WHERE SystemModstamp >= 2026-01-01T00:30:00Z ORDER BY SystemModstamp, Id", SCHEMA)
    timings = []
    for _ in range(5):
        began = time.process_time()
        result = query.run(source, now=NOW)
        timings.append(time.process_time() - began)
    print(json.dumps({"scenario": "sandbox_soql", "records": 20000, "matched": result.total_size,
                      "cpu_s": round(min(timings), 4), "target_cpu_s": 0.1}))


if __name__ == "__main__":
    main()
