"""Relative date literals as ranges, on date and datetime fields, with a fixed now.

NOW is Wednesday 2026-05-20 15:30 UTC; weeks start on Sunday (en_US), days at 00:00 UTC.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from sandbox.salesforce.soql import compile_query

from .support import NOW, SCHEMA, MemorySource, make_id

# literal -> (first day, day after the last), written out by hand.
RANGES = {
    "TODAY": ("2026-05-20", "2026-05-21"),
    "YESTERDAY": ("2026-05-19", "2026-05-20"),
    "TOMORROW": ("2026-05-21", "2026-05-22"),
    "THIS_WEEK": ("2026-05-17", "2026-05-24"),
    "LAST_WEEK": ("2026-05-10", "2026-05-17"),
    "NEXT_WEEK": ("2026-05-24", "2026-05-31"),
    "THIS_MONTH": ("2026-05-01", "2026-06-01"),
    "LAST_MONTH": ("2026-04-01", "2026-05-01"),
    "NEXT_MONTH": ("2026-06-01", "2026-07-01"),
    "LAST_90_DAYS": ("2026-02-19", "2026-05-21"),
    "NEXT_90_DAYS": ("2026-05-21", "2026-08-19"),
    "THIS_QUARTER": ("2026-04-01", "2026-07-01"),
    "LAST_QUARTER": ("2026-01-01", "2026-04-01"),
    "THIS_YEAR": ("2026-01-01", "2027-01-01"),
    "LAST_YEAR": ("2025-01-01", "2026-01-01"),
    "LAST_N_DAYS:7": ("2026-05-13", "2026-05-21"),
    "last_n_days:1": ("2026-05-19", "2026-05-21"),
    "NEXT_N_DAYS:3": ("2026-05-21", "2026-05-24"),
    "LAST_N_WEEKS:2": ("2026-05-03", "2026-05-17"),
    "LAST_N_MONTHS:2": ("2026-03-01", "2026-05-01"),
    "LAST_N_MONTHS:5": ("2025-12-01", "2026-05-01"),
}


def _days() -> list[date]:
    first, last = date(2024, 12, 1), date(2027, 2, 1)
    return [first + timedelta(days=n) for n in range((last - first).days)]


CONTACTS = [
    {"Id": make_id("Contact", n), "IsDeleted": False, "LastName": f"c{n}",
     "Birthdate": day.isoformat(), "SystemModstamp": None}
    for n, day in enumerate(_days())
]
DATE_SOURCE = MemorySource(Contact=CONTACTS)


def birthdates(where: str) -> list[str]:
    query = compile_query(f"SELECT Birthdate FROM Contact WHERE {where}", SCHEMA)
    return [r["Birthdate"] for r in query.run(DATE_SOURCE, now=NOW).records]


def days_between(first: str, after: str) -> list[str]:
    return [d.isoformat() for d in _days() if first <= d.isoformat() < after]


@pytest.mark.parametrize("literal", sorted(RANGES))
def test_it_matches_a_date_field_within_before_and_after_the_range(literal):
    first, after = RANGES[literal]
    assert birthdates(f"Birthdate = {literal}") == days_between(first, after)
    assert birthdates(f"Birthdate < {literal}") == days_between("0000", first)
    assert birthdates(f"Birthdate > {literal}") == days_between(after, "9999")
    assert birthdates(f"Birthdate <= {literal}") == days_between("0000", after)
    assert birthdates(f"Birthdate >= {literal}") == days_between(first, "9999")
    outside = days_between("0000", first) + days_between(after, "9999")
    assert birthdates(f"Birthdate != {literal}") == sorted(outside)


@pytest.mark.parametrize("literal", sorted(RANGES))
def test_it_compares_a_datetime_field_with_the_range_in_utc(literal):
    first, after = RANGES[literal]
    stamps = {
        "before": f"{_shift(first, -1)}T23:59:59.000+0000",
        "start": f"{first}T00:00:00.000+0000",
        "last": f"{_shift(after, -1)}T23:59:59.000+0000",
        "end": f"{after}T00:00:00.000+0000",
    }
    source = MemorySource(Contact=[
        {"Id": make_id("Contact", n), "LastName": label, "SystemModstamp": stamp}
        for n, (label, stamp) in enumerate(stamps.items())
    ])

    def labels(op: str) -> list[str]:
        query = compile_query(
            f"SELECT LastName FROM Contact WHERE SystemModstamp {op} {literal}", SCHEMA)
        return [r["LastName"] for r in query.run(source, now=NOW).records]

    assert labels("=") == ["start", "last"]
    assert labels("<") == ["before"]
    assert labels(">") == ["end"]
    assert labels(">=") == ["start", "last", "end"]
    assert labels("<=") == ["before", "start", "last"]


def _shift(day: str, days: int) -> str:
    return (date.fromisoformat(day) + timedelta(days=days)).isoformat()


def test_it_evaluates_relative_literals_at_each_runs_now():
    query = compile_query("SELECT Birthdate FROM Contact WHERE Birthdate = TODAY", SCHEMA)
    later = NOW + timedelta(days=3)
    assert [r["Birthdate"] for r in query.run(DATE_SOURCE, now=NOW).records] == ["2026-05-20"]
    assert [r["Birthdate"] for r in query.run(DATE_SOURCE, now=later).records] == ["2026-05-23"]
