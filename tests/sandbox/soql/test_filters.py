"""WHERE semantics, one row per operator and type, over a handful of accounts."""

from __future__ import annotations

import pytest

from sandbox.salesforce.soql import compile_query

from .support import NOW, SCHEMA, MemorySource, make_id

USERS = [
    {"Id": make_id("User", 1), "Name": "Alice Martin", "Email": "alice@example.com",
     "IsActive": True, "ManagerId": None},
    {"Id": make_id("User", 2), "Name": "Bob Chen", "Email": "bob@example.com",
     "IsActive": False, "ManagerId": make_id("User", 1)},
]


def account(number: int, name: str | None, **values) -> dict:
    record = {"Id": make_id("Account", number), "IsDeleted": False, "Name": name,
              "Industry": None, "AnnualRevenue": None, "NumberOfEmployees": None,
              "Tags__c": None, "FoundedOn__c": None, "CreatedDate": None,
              "SystemModstamp": "2026-05-20T00:00:00.000+0000", "OwnerId": None, "ParentId": None}
    record.update(values)
    return record


ACCOUNTS = [
    account(1, "Acme", Industry="Tech", AnnualRevenue=100.0, NumberOfEmployees=10,
            Tags__c="a;b", FoundedOn__c="2020-01-01",
            CreatedDate="2026-05-20T10:00:00.000+0000", OwnerId=make_id("User", 1)),
    account(2, "acme Labs", Industry="Finance", AnnualRevenue=250.5, NumberOfEmployees=0,
            Tags__c="b;c", FoundedOn__c="2026-05-19",
            CreatedDate="2026-05-19T23:59:59.000+0000", OwnerId=make_id("User", 2)),
    account(3, "Bob's BBQ", CreatedDate="2026-04-30T00:00:00.000+0000"),
    account(4, "100% Pure_Juice", Industry="Tech", AnnualRevenue=-5, NumberOfEmployees=3,
            Tags__c="c", FoundedOn__c="2026-05-25", CreatedDate="2026-05-21T00:00:00.000+0000"),
    account(5, "Gone", IsDeleted=True, Industry="Tech"),
]
SOURCE = MemorySource(Account=ACCOUNTS, User=USERS)


def names(where: str, *, include_deleted: bool = False) -> list[str]:
    query = compile_query(f"SELECT Name FROM Account WHERE {where}", SCHEMA)
    result = query.run(SOURCE, now=NOW, include_deleted=include_deleted)
    return [record["Name"] for record in result.records]


@pytest.mark.parametrize(("where", "expected"), [
    # text: case-insensitive equality, nulls only match != / = NULL
    ("Name = 'ACME'", ["Acme"]),
    ("Name != 'acme'", ["acme Labs", "Bob's BBQ", "100% Pure_Juice"]),
    ("Name <> 'acme'", ["acme Labs", "Bob's BBQ", "100% Pure_Juice"]),
    ("Industry = 'tech'", ["Acme", "100% Pure_Juice"]),
    ("Industry != 'Tech'", ["acme Labs", "Bob's BBQ"]),
    ("Industry = NULL", ["Bob's BBQ"]),
    ("Industry != null", ["Acme", "acme Labs", "100% Pure_Juice"]),
    ("Name < 'b'", ["Acme", "acme Labs", "100% Pure_Juice"]),
    ("Name >= 'Bob'", ["Bob's BBQ"]),
    ("Name = 'Bob\\'s BBQ'", ["Bob's BBQ"]),
    # LIKE: wildcards, case-insensitive, escaped wildcards
    ("Name LIKE 'acme%'", ["Acme", "acme Labs"]),
    ("Name LIKE '%LABS'", ["acme Labs"]),
    ("Name LIKE 'Acm_'", ["Acme"]),
    ("Name LIKE '100\\%%'", ["100% Pure_Juice"]),
    ("Name LIKE '%\\_Juice'", ["100% Pure_Juice"]),
    ("Name LIKE '1_0\\_%'", []),
    ("Name LIKE '%'", ["Acme", "acme Labs", "Bob's BBQ", "100% Pure_Juice"]),
    ("Industry LIKE '%'", ["Acme", "acme Labs", "100% Pure_Juice"]),
    # IN / NOT IN
    ("Industry IN ('TECH', 'Retail')", ["Acme", "100% Pure_Juice"]),
    ("Industry IN ('Finance', NULL)", ["acme Labs", "Bob's BBQ"]),
    ("Industry NOT IN ('Tech')", ["acme Labs", "Bob's BBQ"]),
    ("Industry NOT IN ('Tech', null)", ["acme Labs"]),
    ("NumberOfEmployees IN (0, 3)", ["acme Labs", "100% Pure_Juice"]),
    # numbers
    ("AnnualRevenue > 100", ["acme Labs"]),
    ("AnnualRevenue >= 100", ["Acme", "acme Labs"]),
    ("AnnualRevenue < 0", ["100% Pure_Juice"]),
    ("AnnualRevenue <= -5.0", ["100% Pure_Juice"]),
    ("AnnualRevenue = 250.5", ["acme Labs"]),
    ("AnnualRevenue != 100", ["acme Labs", "Bob's BBQ", "100% Pure_Juice"]),
    ("NumberOfEmployees = 0", ["acme Labs"]),
    # dates and datetimes
    ("FoundedOn__c = 2026-05-19", ["acme Labs"]),
    ("FoundedOn__c > 2026-01-01", ["acme Labs", "100% Pure_Juice"]),
    ("FoundedOn__c IN (2020-01-01, 2026-05-25)", ["Acme", "100% Pure_Juice"]),
    ("CreatedDate >= 2026-05-20T00:00:00Z", ["Acme", "100% Pure_Juice"]),
    ("CreatedDate < 2026-05-20T00:00:00.000+0000", ["acme Labs", "Bob's BBQ"]),
    ("CreatedDate = 2026-05-20T12:00:00+02:00", ["Acme"]),
    ("CreatedDate > 2026-05-19T20:00:00-04:00", ["Acme", "100% Pure_Juice"]),
    # multipicklists
    ("Tags__c INCLUDES ('a')", ["Acme"]),
    ("Tags__c INCLUDES ('a;c', 'C')", ["acme Labs", "100% Pure_Juice"]),
    ("Tags__c INCLUDES ('b;a')", ["Acme"]),
    ("Tags__c EXCLUDES ('b')", ["Bob's BBQ", "100% Pure_Juice"]),
    ("Tags__c = 'b;a'", ["Acme"]),
    ("Tags__c != 'c'", ["Acme", "acme Labs", "Bob's BBQ"]),
    # booleans and ids
    ("IsDeleted = false", ["Acme", "acme Labs", "Bob's BBQ", "100% Pure_Juice"]),
    (f"Id = '{make_id('Account', 2)}'", ["acme Labs"]),
    (f"Id = '{make_id('Account', 2)[:15]}'", ["acme Labs"]),
    (f"Id IN ('{make_id('Account', 1)}', '{make_id('Account', 4)[:15]}')",
     ["Acme", "100% Pure_Juice"]),
    (f"OwnerId != '{make_id('User', 1)}'", ["acme Labs", "Bob's BBQ", "100% Pure_Juice"]),
    # parent paths in WHERE
    ("Owner.Name LIKE 'bob%'", ["acme Labs"]),
    ("Owner.IsActive = true", ["Acme"]),
    ("Owner.Manager.Email = 'ALICE@example.com'", ["acme Labs"]),
    ("Owner.Name = null", ["Bob's BBQ", "100% Pure_Juice"]),
    # boolean structure
    ("Industry = 'Tech' AND AnnualRevenue > 0", ["Acme"]),
    ("Industry = 'Finance' OR AnnualRevenue < 0", ["acme Labs", "100% Pure_Juice"]),
    ("NOT Industry = 'Tech'", ["acme Labs", "Bob's BBQ"]),
    ("NOT (Industry = 'Tech' OR Industry = null)", ["acme Labs"]),
    ("(Name LIKE 'a%' OR Name LIKE 'b%') AND (NumberOfEmployees > 5 OR Industry = null)",
     ["Acme", "Bob's BBQ"]),
    ("Industry = 'Tech' and (AnnualRevenue > 0 or NumberOfEmployees = 3)",
     ["Acme", "100% Pure_Juice"]),
])
def test_it_filters_like_salesforce(where, expected):
    assert names(where) == expected


def test_it_skips_deleted_records_unless_asked():
    assert names("Industry = 'Tech'") == ["Acme", "100% Pure_Juice"]
    assert names("Industry = 'Tech'", include_deleted=True) == ["Acme", "100% Pure_Juice", "Gone"]


def test_it_treats_a_stored_empty_string_as_null():
    source = MemorySource(Account=[account(1, "A", Industry=""), account(2, "B", Industry="x")])
    query = compile_query("SELECT Name FROM Account WHERE Industry = null", SCHEMA)
    assert [r["Name"] for r in query.run(source, now=NOW).records] == ["A"]


def test_it_looks_each_parent_up_once_per_run():
    children = [account(10 + i, f"child {i}", OwnerId=make_id("User", 1)) for i in range(50)]
    source = MemorySource(Account=children, User=USERS)
    query = compile_query(
        "SELECT Owner.Name FROM Account WHERE Owner.Email LIKE 'alice%'", SCHEMA)
    assert query.run(source, now=NOW).total_size == 50
    assert source.lookups == 1
