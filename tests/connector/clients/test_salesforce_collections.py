"""sObject Collections as the real API answers them: a value the JSON parser cannot read
fails the whole call (the client finds the record at fault and writes the others), an
active duplicate rule refuses a record (its error names the existing record) unless the
write allows duplicates, and every call holds one chunk of at most 200 records."""

from __future__ import annotations

import pytest

from tests.connector.conftest import sf_server_calls


@pytest.fixture
def duplicate_rules(sandbox):
    """The org's standard duplicate rules, active as in a new org, for one test (the
    session's sandbox runs without them: unrelated tests reuse names)."""
    sandbox.salesforce.control("duplicate_rules", {"enabled": True})
    yield
    sandbox.salesforce.control("duplicate_rules", {"enabled": False})


def test_it_isolates_the_record_whose_value_fails_the_whole_call(sandbox, make_salesforce,
                                                                  unique):
    client = make_salesforce()
    records = [{"Name": f"{unique}-{i}", "NumberOfEmployees": i} for i in range(8)]
    records[5]["NumberOfEmployees"] = "many"  # text into a number: JSON_PARSER_ERROR
    before = sf_server_calls(sandbox)

    results = client.create("Account", records)

    assert [r.success for r in results] == [True] * 5 + [False] + [True] * 2
    assert [r.index for r in results] == list(range(8))
    assert results[5].errors[0]["code"] == "JSON_PARSER_ERROR"
    assert "Cannot deserialize instance of int" in results[5].errors[0]["message"]
    # 8 (refused) → 0-3 ✓, 4-7 (refused) → 4-5 (refused) → 4 ✓, 5 ✗; 6-7 ✓
    assert client.counter.salesforce == sf_server_calls(sandbox) - before == 7
    saved = {r["Name"] for r in sandbox.salesforce.store.records["Account"].values()}
    assert {f"{unique}-{i}" for i in range(8)} & saved == {
        f"{unique}-{i}" for i in (0, 1, 2, 3, 4, 6, 7)}


def test_an_update_is_isolated_the_same_way(sandbox, make_salesforce, unique):
    ids = sandbox.salesforce.insert("Account", [{"Name": f"{unique}-{i}"} for i in range(3)])
    client = make_salesforce()

    results = client.update("Account", [
        {"Id": ids[0], "Phone": "1"}, {"Id": ids[1], "AnnualRevenue": [1]},
        {"Id": ids[2], "Phone": "3"}])

    assert [r.success for r in results] == [True, False, True]
    assert results[1].errors[0]["code"] == "JSON_PARSER_ERROR"
    assert sandbox.salesforce.store.records["Account"][ids[2]]["Phone"] == "3"


def test_a_duplicate_is_refused_with_an_error_naming_the_existing_record(
        sandbox, make_salesforce, unique, duplicate_rules):
    (existing,) = sandbox.salesforce.insert("Account", [{"Name": f"Dup {unique}"}])
    client = make_salesforce()

    results = client.create("Account", [{"Name": f"dup {unique}"},
                                         {"Name": f"Other {unique}"}])

    refused, created = results
    assert created.success and not refused.success
    (error,) = refused.errors
    assert (error["code"], error["kind"], error["duplicates"]) == (
        "DUPLICATES_DETECTED", "duplicate", [existing])
    assert existing in error["message"] and "allow duplicates" in error["message"]


def test_it_saves_a_duplicate_when_the_write_allows_it(sandbox, make_salesforce, unique,
                                                        duplicate_rules):
    sandbox.salesforce.insert("Account", [{"Name": f"Dup {unique}"}])
    client = make_salesforce()

    (created,) = client.create("Account", [{"Name": f"Dup {unique}"}], allow_duplicates=True)

    assert created.success
    (renamed,) = client.update("Account", [{"Id": created.id, "Name": f"Dup {unique}"}],
                               allow_duplicates=True)
    assert renamed.success


def test_each_call_holds_one_chunk_of_at_most_200_records(sandbox, make_salesforce, unique):
    client = make_salesforce(max_parallel=1)
    before = sf_server_calls(sandbox)

    results = client.create("Contact", [{"LastName": f"{unique}-{i}"} for i in range(450)])

    assert all(r.success for r in results)
    assert sf_server_calls(sandbox) - before == 3  # 200 + 200 + 50, one type each
