"""The connector's incremental read over 20,000 records: correct at volume.

Its speed is measured by ``bench/sandbox_soql.py``, not here (no timed tests)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sandbox.salesforce.soql import compile_query

from .support import NOW, SCHEMA, MemorySource, make_id

COUNT = 20_000


def _source() -> MemorySource:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    contacts = []
    for n in range(COUNT):
        # Several records share a stamp, so the Id tiebreak matters.
        stamp = start + timedelta(seconds=(n * 7919) % (COUNT // 2))
        contacts.append({
            "Id": make_id("Contact", (n * 104729) % 1_000_003), "IsDeleted": n % 97 == 0,
            "LastName": f"Person {n}", "Email": f"p{n}@example.com", "AccountId": None,
            "SystemModstamp": stamp.strftime("%Y-%m-%dT%H:%M:%S") + ".000+0000",
        })
    return MemorySource(Contact=contacts)


def test_it_filters_and_sorts_20000_records():
    source = _source()
    query = compile_query(
        "SELECT Id, LastName, Email, SystemModstamp FROM Contact "
        "WHERE SystemModstamp >= 2026-01-01T00:30:00Z ORDER BY SystemModstamp, Id", SCHEMA)
    result = query.run(source, now=NOW)
    keys = [(r["SystemModstamp"], r["Id"]) for r in result.records]
    assert keys == sorted(keys)
    live = [c for c in source.records("Contact") if not c["IsDeleted"]]
    assert result.total_size == sum(c["SystemModstamp"] >= "2026-01-01T00:30:00" for c in live)
