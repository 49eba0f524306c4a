"""Deterministic benchmark data: Account records and the matching sheet rows.

Record ``i`` always has the same values, so two runs of a scenario do the same work.
Values are valid for the sandbox org's Account describe (picklists, lengths, types).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

INDUSTRIES = ("Banking", "Energy", "Retail", "Technology", "Other")
RATINGS = ("Hot", "Warm", "Cold")
SOURCES = ("Web", "Phone Inquiry", "Partner Referral", "Purchased List", "Other")
#: Sandbox users (Salesforce full names) a lookup-by-name column may hold.
OWNER_NAMES = ("Ada Lovelace", "Alice Martin", "Bob Chen", "Carol Diaz", "Dan Evans",
               "Erin Novak")


@dataclass(frozen=True)
class BenchField:
    name: str
    title: str
    value: Callable[[int], Any]


#: The mapped fields, in order; scenarios map the first 10 (or 20 with ``--fields 20``).
FIELDS: tuple[BenchField, ...] = (
    BenchField("Name", "Account Name", lambda i: f"Account {i:06d}"),
    BenchField("AccountNumber", "Account Number", lambda i: f"AN-{i:06d}"),
    BenchField("Phone", "Phone", lambda i: f"+1 555 {i:07d}"),
    BenchField("Website", "Website", lambda i: f"https://a{i}.example.com"),
    BenchField("Industry", "Industry", lambda i: INDUSTRIES[i % len(INDUSTRIES)]),
    BenchField("AnnualRevenue", "Annual Revenue", lambda i: 1000 * (i % 997 + 1)),
    BenchField("NumberOfEmployees", "Employees", lambda i: i % 5000 + 1),
    BenchField("Rating", "Rating", lambda i: RATINGS[i % len(RATINGS)]),
    BenchField("AccountSource", "Account Source", lambda i: SOURCES[(i // 3) % len(SOURCES)]),
    BenchField("BillingCity", "Billing City", lambda i: f"City {i % 100}"),
    BenchField("Fax", "Fax", lambda i: f"+1 556 {i:07d}"),
    BenchField("Description", "Description",
               lambda i: f"Benchmark account number {i}, created by bench."),
    BenchField("BillingStreet", "Billing Street", lambda i: f"{i % 900 + 1} Main Street"),
    BenchField("BillingState", "Billing State", lambda i: f"State {i % 50}"),
    BenchField("BillingPostalCode", "Billing Postal Code", lambda i: f"{10000 + i % 89999}"),
    BenchField("BillingCountry", "Billing Country", lambda i: "United States"),
    BenchField("ShippingStreet", "Shipping Street", lambda i: f"{i % 700 + 1} Dock Road"),
    BenchField("ShippingCity", "Shipping City", lambda i: f"Port {i % 60}"),
    BenchField("ShippingState", "Shipping State", lambda i: f"Region {i % 40}"),
    BenchField("ShippingPostalCode", "Shipping Postal Code", lambda i: f"{20000 + i % 79999}"),
)


def fields(count: int) -> tuple[BenchField, ...]:
    if not 1 <= count <= len(FIELDS):
        raise ValueError(f"--fields must be between 1 and {len(FIELDS)}")
    return FIELDS[:count]


def record(i: int, mapped: tuple[BenchField, ...]) -> dict:
    return {f.name: f.value(i) for f in mapped}


def records(n: int, mapped: tuple[BenchField, ...]) -> list[dict]:
    return [record(i, mapped) for i in range(n)]


def changed_value(name: str, i: int, tag: str) -> Any:
    """A new value for field ``name`` of item ``i`` (``tag`` keeps two sides apart)."""
    if name == "Phone":
        return f"+1 {'777' if tag == 'sf' else '888'} {i:07d}"
    if name == "AccountNumber":
        return f"{tag.upper()}-{i:06d}"
    if name == "BillingCity":
        return f"{tag} city {i}"
    raise ValueError(f"no change rule for {name}")


def sheet_columns(mapped: tuple[BenchField, ...], *, extra: tuple[str, ...] = ()) -> list[dict]:
    """Columns of a hand-made sheet: the first mapped field is the primary column."""
    columns = [{"title": f.title, "type": "TEXT_NUMBER", **({"primary": True} if k == 0 else {})}
               for k, f in enumerate(mapped)]
    columns.extend({"title": title, "type": "TEXT_NUMBER"} for title in extra)
    return columns


def sheet_rows(n: int, mapped: tuple[BenchField, ...], ids: dict[str, int],
               extra: dict[str, Callable[[int], Any]] | None = None) -> list[dict]:
    """Rows (for a POST rows body) holding record ``i``'s values in the mapped columns."""
    out = []
    for i in range(n):
        cells = [{"columnId": ids[f.title], "value": f.value(i)} for f in mapped]
        for title, make in (extra or {}).items():
            cells.append({"columnId": ids[title], "value": make(i)})
        out.append({"toBottom": True, "cells": cells})
    return out
