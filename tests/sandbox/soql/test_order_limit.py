"""ORDER BY (several keys, directions, null placement, parent paths), LIMIT and OFFSET."""

from __future__ import annotations

import pytest

from sandbox.salesforce.soql import compile_query

from .support import NOW, SCHEMA, MemorySource, make_id

U1, U2 = make_id("User", 1), make_id("User", 2)


def account(n: int, name: str | None, revenue, owner=None, stamp=None) -> dict:
    return {"Id": make_id("Account", n), "Name": name, "AnnualRevenue": revenue,
            "OwnerId": owner, "SystemModstamp": stamp, "IsDeleted": False}


SOURCE = MemorySource(
    User=[{"Id": U1, "Name": "zed"}, {"Id": U2, "Name": "Amy"}],
    Account=[
        account(1, "beta", 20, U1, "2026-05-01T00:00:02.000+0000"),
        account(2, "Alpha", None, U2, "2026-05-01T00:00:01.000+0000"),
        account(3, "gamma", 10, None, "2026-05-01T00:00:01.000+0000"),
        account(4, None, 20, U2, "2026-05-01T00:00:03.000+0000"),
        account(5, "Delta", 5, U1, None),
    ],
)


def order(clause: str) -> list[int]:
    query = compile_query(f"SELECT Id FROM Account {clause}", SCHEMA)
    return [int(r["Id"][3:15]) for r in query.run(SOURCE, now=NOW).records]


@pytest.mark.parametrize(("clause", "expected"), [
    ("", [1, 2, 3, 4, 5]),
    ("ORDER BY Name", [4, 2, 1, 5, 3]),  # nulls first, case-insensitive
    ("ORDER BY Name ASC NULLS LAST", [2, 1, 5, 3, 4]),
    ("ORDER BY Name DESC", [4, 3, 5, 1, 2]),  # NULLS FIRST is the default either way
    ("ORDER BY Name DESC NULLS LAST", [3, 5, 1, 2, 4]),
    ("ORDER BY name desc nulls first", [4, 3, 5, 1, 2]),
    ("ORDER BY AnnualRevenue", [2, 5, 3, 1, 4]),
    ("ORDER BY AnnualRevenue DESC NULLS LAST, Name DESC", [4, 1, 3, 5, 2]),
    ("ORDER BY AnnualRevenue DESC NULLS LAST, Name ASC NULLS LAST", [1, 4, 3, 5, 2]),
    ("ORDER BY AnnualRevenue DESC NULLS LAST, Name ASC NULLS FIRST", [4, 1, 3, 5, 2]),
    ("ORDER BY SystemModstamp, Id", [5, 2, 3, 1, 4]),
    ("ORDER BY SystemModstamp DESC NULLS LAST, Id DESC", [4, 1, 3, 2, 5]),
    ("ORDER BY Owner.Name NULLS LAST, Id", [2, 4, 1, 5, 3]),
    ("ORDER BY Owner.Name DESC, Id DESC", [3, 5, 1, 4, 2]),
    ("ORDER BY Id LIMIT 2", [1, 2]),
    ("ORDER BY Id LIMIT 2 OFFSET 2", [3, 4]),
    ("ORDER BY Id OFFSET 3", [4, 5]),
    ("ORDER BY Id LIMIT 0", []),
    ("ORDER BY Id OFFSET 2000", []),
    ("WHERE AnnualRevenue > 5 ORDER BY AnnualRevenue DESC, Id LIMIT 2", [1, 4]),
])
def test_it_orders_and_pages(clause, expected):
    assert order(clause) == expected


def test_it_counts_total_size_after_limit_and_offset():
    query = compile_query("SELECT Id FROM Account ORDER BY Id LIMIT 3 OFFSET 1", SCHEMA)
    result = query.run(SOURCE, now=NOW)
    assert result.total_size == len(result.records) == 3
