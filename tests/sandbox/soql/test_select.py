"""SELECT lists: the REST record shape, parent paths, polymorphic paths, COUNT."""

from __future__ import annotations

from sandbox.salesforce.soql import compile_query

from .support import NOW, SCHEMA, MemorySource, make_id

U1, U2, U3 = make_id("User", 1), make_id("User", 2), make_id("User", 3)
A1, A2, A3, A4 = (make_id("Account", n) for n in (1, 2, 3, 4))
C1, C2 = make_id("Contact", 1), make_id("Contact", 2)
K1 = make_id("Case", 1)
G1 = make_id("Group", 1)

SOURCE = MemorySource(
    User=[
        {"Id": U1, "Name": "Ada Lovelace", "Email": "ada@example.com", "ManagerId": None},
        {"Id": U2, "Name": "Alice Martin", "Email": "alice@example.com", "ManagerId": U1},
        {"Id": U3, "Name": "Bob Chen", "Email": "bob@example.com", "ManagerId": U2},
    ],
    Group=[{"Id": G1, "Name": "Support Queue"}],
    Account=[
        {"Id": A1, "Name": "Root", "OwnerId": U3, "ParentId": None, "IsDeleted": False},
        {"Id": A2, "Name": "Mid", "OwnerId": U1, "ParentId": A1, "IsDeleted": False},
        {"Id": A3, "Name": "Leaf", "OwnerId": U2, "ParentId": A2, "IsDeleted": False},
        {"Id": A4, "Name": "Old", "OwnerId": U2, "ParentId": None, "IsDeleted": True},
    ],
    Contact=[
        {"Id": C1, "LastName": "Lee", "Name": "Ann Lee", "AccountId": A3, "IsDeleted": False},
        {"Id": C2, "LastName": "Kim", "Name": "Jo Kim", "AccountId": None, "IsDeleted": False},
    ],
    Case=[{"Id": K1, "CaseNumber": "00001001", "Subject": "Broken", "OwnerId": G1,
           "IsDeleted": False}],
    Task=[
        {"Id": make_id("Task", 1), "Subject": "Call", "WhatId": A2, "WhoId": C1},
        {"Id": make_id("Task", 2), "Subject": "Fix", "WhatId": K1, "WhoId": None},
        {"Id": make_id("Task", 3), "Subject": "Idle", "WhatId": None, "WhoId": C2},
    ],
)


def run(text: str, **options):
    return compile_query(text, SCHEMA).run(SOURCE, now=NOW, **options)


def test_it_returns_only_selected_fields_in_select_order_with_attributes():
    result = run("select name, ID from account where Name = 'Mid'")
    assert result.total_size == 1
    assert result.records == [{
        "attributes": {"type": "Account", "url": f"/services/data/v59.0/sobjects/Account/{A2}"},
        "Name": "Mid", "Id": A2,
    }]
    assert list(result.records[0]) == ["attributes", "Name", "Id"]


def test_it_reports_canonical_names_and_uses_the_api_version_in_urls():
    query = compile_query("SELECT owner.email, NAME, parent.owner.NAME FROM ACCOUNT", SCHEMA)
    assert query.object_name == "Account"
    assert query.fields == ["Owner.Email", "Name", "Parent.Owner.Name"]
    assert query.is_count is False
    record = query.run(SOURCE, now=NOW, api_version="62.0").records[0]
    assert record["attributes"]["url"] == f"/services/data/v62.0/sobjects/Account/{A1}"
    assert record["Owner"]["attributes"] == {
        "type": "User", "url": f"/services/data/v62.0/sobjects/User/{U3}"}


def test_it_nests_parents_and_merges_paths_through_the_same_relationship():
    result = run("SELECT Name, Account.Name, Account.Owner.Email, Account.Id FROM Contact")
    lee, kim = result.records
    assert lee["Account"] == {
        "attributes": {"type": "Account", "url": f"/services/data/v59.0/sobjects/Account/{A3}"},
        "Name": "Leaf",
        "Owner": {"attributes": {"type": "User", "url": f"/services/data/v59.0/sobjects/User/{U2}"},
                  "Email": "alice@example.com"},
        "Id": A3,
    }
    assert list(lee) == ["attributes", "Name", "Account"]
    assert kim["Account"] is None


def test_it_follows_five_levels_of_parents():
    text = "SELECT Account.Parent.Parent.Owner.Manager.Name FROM Contact WHERE LastName = 'Lee'"
    (record,) = run(text).records
    # Lee -> Leaf -> Mid -> Root -> owner Bob -> manager Alice
    assert record["Account"]["Parent"]["Parent"]["Owner"]["Manager"]["Name"] == "Alice Martin"


def test_it_stops_at_an_empty_reference_on_any_level():
    text = "SELECT Name, Parent.Parent.Name FROM Account ORDER BY Name"
    assert [(r["Name"], r["Parent"]) for r in run(text).records][:2] == [
        ("Leaf", {"attributes": {"type": "Account",
                                 "url": f"/services/data/v59.0/sobjects/Account/{A2}"},
                  "Parent": {"attributes": {"type": "Account",
                                            "url": f"/services/data/v59.0/sobjects/Account/{A1}"},
                             "Name": "Root"}}),
        ("Mid", {"attributes": {"type": "Account",
                                "url": f"/services/data/v59.0/sobjects/Account/{A1}"},
                 "Parent": None}),
    ]


def test_it_resolves_polymorphic_paths_against_the_record_the_id_points_to():
    result = run("SELECT Subject, What.Name, What.Type, Who.Name FROM Task")
    call, fix, idle = result.records
    assert call["What"] == {"attributes": {"type": "Account",
                                           "url": f"/services/data/v59.0/sobjects/Account/{A2}"},
                            "Name": "Mid", "Type": "Account"}
    assert call["Who"]["Name"] == "Ann Lee"
    # A Case has no Name: the Name pseudo-field is its name field, CaseNumber.
    assert fix["What"]["Name"] == "00001001"
    assert fix["What"]["attributes"]["type"] == "Case"
    assert fix["Who"] is None
    assert idle["What"] is None


def test_it_filters_and_sorts_on_polymorphic_paths():
    result = run("SELECT Subject FROM Task WHERE What.Type = 'Case' OR Who.Name LIKE 'Jo%'")
    assert [r["Subject"] for r in result.records] == ["Fix", "Idle"]
    result = run("SELECT Subject FROM Case WHERE Owner.Name = 'support queue'")
    assert result.total_size == 1


def test_it_treats_a_deleted_parent_as_an_empty_reference():
    source = MemorySource(
        Account=SOURCE.records("Account"),
        Contact=[{"Id": C1, "LastName": "X", "AccountId": make_id("Account", 4)}],
    )
    query = compile_query("SELECT Account.Name FROM Contact", SCHEMA)
    assert query.run(source, now=NOW).records[0]["Account"] is None


def test_it_counts_matching_rows_without_records():
    query = compile_query("SELECT COUNT() FROM Account WHERE Name != 'Root'", SCHEMA)
    assert query.is_count is True
    assert query.fields == []
    result = query.run(SOURCE, now=NOW)
    assert (result.total_size, result.records) == (2, [])
    assert query.run(SOURCE, now=NOW, include_deleted=True).total_size == 3


def test_it_applies_limit_to_count():
    result = run("SELECT count() FROM Account LIMIT 1")
    assert (result.total_size, result.records) == (1, [])


def test_it_answers_count_of_a_field_as_an_aggregate_result():
    result = run("SELECT COUNT(ParentId) FROM Account")
    assert result.total_size == 1
    assert result.records == [{"attributes": {"type": "AggregateResult"}, "expr0": 2}]
