"""SalesforceClient through simple-salesforce over HTTPS against the sandbox."""

from __future__ import annotations

import pytest

from connector.clients import ClientError, SalesforceClient, salesforce_token_refresh
from tests.connector.conftest import sf_server_calls


def mint(sandbox, user: str) -> dict:
    """Fresh access and refresh tokens for a sandbox user (other tests keep theirs)."""
    return sandbox.salesforce.control("token", {"user": user})


def test_it_reports_the_identity_of_the_token(make_salesforce):
    client = make_salesforce()

    who = client.identity()

    assert who["username"] == "ada@example.com.sandbox"
    assert who["email"] == "ada@example.com"
    assert who["name"] == "Ada Lovelace"
    assert who["user_id"].startswith("005") and len(who["user_id"]) == 18
    assert who["organization_id"].startswith("00D")


def test_it_describes_objects_and_caches_each_describe(make_salesforce):
    client = make_salesforce()

    names = {o["name"] for o in client.describe_global()}
    account = client.describe("Account")
    calls = client.counter.salesforce
    again = client.describe("Account")

    assert {"Account", "Contact", "Case", "Opportunity"} <= names
    assert account["name"] == "Account"
    assert "Name" in {f["name"] for f in account["fields"]}
    assert again is account
    assert client.counter.salesforce == calls == 2


def test_it_pages_a_query_over_2000_records(sandbox, make_salesforce, unique):
    sandbox.salesforce.insert("Account", [{"Name": f"page-{unique}-{i:05d}"}
                                          for i in range(2101)])
    client = make_salesforce()

    pages = list(client.query_pages(
        f"SELECT Id, Name FROM Account WHERE Name LIKE 'page-{unique}-%' ORDER BY Name"))

    assert [len(p) for p in pages] == [2000, 101]
    names = [r["Name"] for page in pages for r in page]
    assert names == sorted(names) and len(set(names)) == 2101
    assert pages[0][0]["attributes"]["type"] == "Account"
    assert client.counter.salesforce == 2


def test_it_asks_for_smaller_batches(sandbox, make_salesforce, unique):
    sandbox.salesforce.insert("Account", [{"Name": f"batch-{unique}-{i}"} for i in range(450)])
    client = make_salesforce()

    pages = list(client.query_pages(
        f"SELECT Id FROM Account WHERE Name LIKE 'batch-{unique}-%'", batch_size=200))

    assert [len(p) for p in pages] == [200, 200, 50]
    assert client.counter.salesforce == 3


def test_it_reads_parent_fields_in_the_same_query(sandbox, make_salesforce, unique):
    [account_id] = sandbox.salesforce.insert("Account", [{"Name": f"parent-{unique}"}])
    sandbox.salesforce.insert("Contact", [{"LastName": f"child-{unique}",
                                           "AccountId": account_id}])
    client = make_salesforce()

    [record] = client.query_all(
        f"SELECT Id, Account.Name FROM Contact WHERE LastName = 'child-{unique}'")

    assert record["Account"]["Name"] == f"parent-{unique}"


def test_it_creates_records_with_per_record_errors_in_input_order(make_salesforce, unique):
    client = make_salesforce()
    records = [{"Name": f"ok-{unique}-0"}, {"Phone": "555"}, {"Name": f"ok-{unique}-2"},
               {"Name": "x" * 300}]

    results = client.create("Account", records)

    assert [r.index for r in results] == [0, 1, 2, 3]
    assert [r.success for r in results] == [True, False, True, False]
    assert results[0].id.startswith("001") and results[2].id.startswith("001")
    assert results[1].id is None
    assert results[1].errors[0]["code"] == "REQUIRED_FIELD_MISSING"
    assert results[1].errors[0]["fields"] == ["Name"]
    assert results[3].errors[0]["code"] == "STRING_TOO_LONG"
    saved = client.query_all(f"SELECT Name FROM Account WHERE Name LIKE 'ok-{unique}-%'")
    assert sorted(r["Name"] for r in saved) == [f"ok-{unique}-0", f"ok-{unique}-2"]


def test_it_sends_201_records_in_two_collection_calls(sandbox, make_salesforce, unique):
    client = make_salesforce()
    before = sandbox.control.counts()["salesforce"]["by_endpoint"].get(
        "POST composite/sobjects", 0)

    results = client.create("Account", [{"Name": f"two-{unique}-{i}"} for i in range(201)])

    after = sandbox.control.counts()["salesforce"]["by_endpoint"]["POST composite/sobjects"]
    assert after - before == 2
    assert client.counter.salesforce == 2
    assert [r.index for r in results] == list(range(201))
    assert all(r.success for r in results)
    assert len({r.id for r in results}) == 201


def test_it_runs_collection_calls_in_parallel_and_keeps_order(make_salesforce, unique):
    client = make_salesforce(max_parallel=4)

    results = client.create("Account", [{"Name": f"par-{unique}-{i:04d}"} for i in range(650)])

    assert client.counter.salesforce == 4
    ids = [r.id for r in results]
    rows = client.query_all(f"SELECT Id, Name FROM Account WHERE Name LIKE 'par-{unique}-%'")
    name_of = {r["Id"]: r["Name"] for r in rows}
    assert [name_of[i] for i in ids] == [f"par-{unique}-{i:04d}" for i in range(650)]


def test_it_updates_records_with_per_record_errors(sandbox, make_salesforce, unique):
    ids = sandbox.salesforce.insert("Account", [{"Name": f"upd-{unique}-{i}"} for i in range(2)])
    client = make_salesforce()

    results = client.update("Account", [
        {"Id": ids[0], "Name": f"renamed-{unique}"},
        {"Id": ids[1], "Name": ""},
    ])

    assert [r.success for r in results] == [True, False]
    assert results[0].id == ids[0]
    assert results[1].errors[0]["code"] == "REQUIRED_FIELD_MISSING"
    [row] = client.query_all(f"SELECT Name FROM Account WHERE Id = '{ids[0]}'")
    assert row["Name"] == f"renamed-{unique}"


def test_it_refuses_an_update_without_an_id(make_salesforce):
    with pytest.raises(ValueError):
        make_salesforce().update("Account", [{"Name": "no id"}])


def test_it_counts_exactly_the_calls_the_server_saw(sandbox, make_salesforce, unique):
    client = make_salesforce()
    before = sf_server_calls(sandbox)

    client.identity()
    client.describe("Contact")
    client.create("Account", [{"Name": f"count-{unique}-{i}"} for i in range(250)])
    list(client.query_pages(f"SELECT Id FROM Account WHERE Name LIKE 'count-{unique}-%'"))
    client.limits()

    assert client.counter.salesforce == sf_server_calls(sandbox) - before == 6


def test_it_reports_api_usage_from_the_limit_header(make_salesforce):
    client = make_salesforce()
    assert client.api_usage() is None

    limits = client.limits()
    used, maximum = client.api_usage()

    assert maximum == limits["DailyApiRequests"]["Max"]
    assert 0 < used <= maximum


def test_it_refreshes_an_expired_token_and_hands_over_the_rotated_tokens(
        sandbox, make_salesforce, sf_info, rotating_refresh_tokens):
    tokens = mint(sandbox, "dan")
    seen = []
    client = make_salesforce(access_token=tokens["access_token"],
                             refresh_token=tokens["refresh_token"],
                             on_tokens_refreshed=seen.append)
    sandbox.salesforce.expire_tokens("dan")
    before = sf_server_calls(sandbox)

    who = client.identity()

    assert who["email"] == "dan@example.com"
    [fresh] = seen
    assert fresh.access_token and fresh.access_token != tokens["access_token"]
    assert fresh.refresh_token and fresh.refresh_token != tokens["refresh_token"]
    assert fresh.instance_url == sf_info["instance_url"]
    # 401, refresh, retry: all three counted.
    assert client.counter.salesforce == sf_server_calls(sandbox) - before == 3
    # Rotation: the old refresh token is dead now.
    with pytest.raises(ClientError) as dead:
        salesforce_token_refresh(login_url=sf_info["login_url"], client_id=sf_info["client_id"],
                                 client_secret=sf_info["client_secret"],
                                 refresh_token=tokens["refresh_token"],
                                 ca_bundle=sf_info["ca_bundle"])
    assert dead.value.kind == "revoked"


def test_it_reports_revoked_when_the_refresh_is_refused(sandbox, make_salesforce):
    tokens = mint(sandbox, "erin")
    failures = []
    client = make_salesforce(access_token=tokens["access_token"],
                             refresh_token=tokens["refresh_token"],
                             on_auth_failed=failures.append)
    sandbox.salesforce.revoke("erin")

    with pytest.raises(ClientError) as caught:
        client.describe_global()

    error = caught.value
    assert (error.service, error.kind, error.retryable) == ("salesforce", "revoked", False)
    assert "reconnect your Salesforce account" in error.message
    assert failures == [error]
    for text in (str(error), repr(error), error.message):
        assert tokens["access_token"] not in text
        assert tokens["refresh_token"] not in text


def test_it_asks_to_reconnect_when_expired_without_a_refresh_token(sandbox, make_salesforce):
    tokens = mint(sandbox, "carol")
    client = make_salesforce(access_token=tokens["access_token"], refresh_token="")
    sandbox.salesforce.expire_tokens("carol")

    with pytest.raises(ClientError) as caught:
        client.identity()

    assert caught.value.kind == "auth"
    assert caught.value.code == "INVALID_SESSION_ID"
    assert client.counter.salesforce == 1


def test_it_maps_request_limit_exceeded_to_limit(sandbox, make_salesforce):
    client = make_salesforce()
    state = sandbox.salesforce.set_limit()
    sandbox.salesforce.set_limit(state["used"])
    try:
        with pytest.raises(ClientError) as caught:
            client.describe_global()
    finally:
        sandbox.salesforce.set_limit(state["max"])

    error = caught.value
    assert (error.kind, error.code, error.status) == ("limit", "REQUEST_LIMIT_EXCEEDED", 403)
    assert not error.retryable
    assert client.counter.salesforce == 1  # a limit is not retried


def test_it_stops_a_batched_write_at_the_limit_and_keeps_every_result(sandbox, make_salesforce,
                                                                     unique):
    client = make_salesforce(max_parallel=1)
    state = sandbox.salesforce.set_limit()
    sandbox.salesforce.set_limit(state["used"] + 1)  # room for exactly one call
    try:
        with pytest.raises(ClientError) as caught:
            client.create("Account", [{"Name": f"lim-{unique}-{i}"} for i in range(450)])
    finally:
        sandbox.salesforce.set_limit(state["max"])

    error = caught.value
    assert error.kind == "limit"
    assert [r.success for r in error.results] == [True] * 200 + [False] * 250
    assert client.counter.salesforce == 2  # the third chunk was never sent


@pytest.mark.parametrize("fault", ["http_500", "http_503", "drop", "http_429"])
def test_it_gives_up_on_a_persistent_fault_after_bounded_attempts(sandbox, make_salesforce,
                                                                  fault):
    client = make_salesforce(max_attempts=3)
    sandbox.control.configure("salesforce", faults={fault: 1.0})
    before = sf_server_calls(sandbox)

    with pytest.raises(ClientError) as caught:
        client.describe_global()

    assert caught.value.kind == ("rate" if fault == "http_429" else "transient")
    assert caught.value.retryable
    assert client.counter.salesforce == sf_server_calls(sandbox) - before == 3


def test_it_rides_out_intermittent_faults(sandbox, make_salesforce, unique):
    sandbox.salesforce.insert("Account", [{"Name": f"flaky-{unique}-{i}"} for i in range(5)])
    client = make_salesforce(max_attempts=8)
    sandbox.control.reseed(7)
    sandbox.control.configure("salesforce", faults={"http_500": 0.15, "http_503": 0.15,
                                                    "drop": 0.15})
    before = sf_server_calls(sandbox)
    faults_before = sum(sandbox.control.counts()["salesforce"]["faults"].values())

    answers = [client.query_all(f"SELECT Id FROM Account WHERE Name LIKE 'flaky-{unique}-%'")
               for _ in range(15)]

    assert all(len(a) == 5 for a in answers)
    assert sum(sandbox.control.counts()["salesforce"]["faults"].values()) > faults_before
    assert client.counter.salesforce == sf_server_calls(sandbox) - before > 15


def test_it_reports_a_bad_query_as_invalid(make_salesforce):
    with pytest.raises(ClientError) as caught:
        list(make_salesforce().query_pages("SELECT Nope__x FROM Account"))

    assert caught.value.kind == "invalid"
    assert caught.value.code == "INVALID_FIELD"
    assert "Nope__x" in caught.value.message


def test_it_reports_an_unknown_object_as_not_found(make_salesforce):
    with pytest.raises(ClientError) as caught:
        make_salesforce().describe("NoSuchThing__c")

    assert caught.value.kind == "not_found"


def test_it_accepts_the_ca_bundle_as_pem_text(make_salesforce, ca_pem):
    assert make_salesforce(ca_bundle=ca_pem).identity()["email"] == "ada@example.com"


def test_it_refuses_a_server_it_cannot_verify(make_salesforce):
    client = make_salesforce(ca_bundle=None, max_attempts=1)

    with pytest.raises(ClientError) as caught:
        client.identity()

    assert caught.value.kind == "transient"
    assert "SSLError" in caught.value.code


def test_it_never_shows_tokens_in_its_repr(make_salesforce, sf_info):
    client = make_salesforce()
    assert sf_info["access_token"] not in repr(client)
    assert isinstance(client, SalesforceClient)


def test_it_times_out_a_stalled_call(sandbox, make_salesforce):
    client = make_salesforce(timeout=0.3, max_attempts=2)
    sandbox.control.configure("salesforce", faults={"stall": 1.0}, stall_seconds=1.0)

    with pytest.raises(ClientError) as caught:
        client.limits()

    assert (caught.value.kind, caught.value.code) == ("transient", "ReadTimeout")
    assert client.counter.salesforce == 2


def test_it_stops_a_create_whose_outcome_is_unknown(sandbox, make_salesforce, unique):
    client = make_salesforce(max_attempts=2, max_parallel=1)
    sandbox.control.configure("salesforce", faults={"http_500": 1.0},
                              fault_path_contains="composite")

    with pytest.raises(ClientError) as caught:
        client.create("Account", [{"Name": f"unknown-{unique}-{i}"} for i in range(250)])

    assert caught.value.kind == "transient"
    assert [r.success for r in caught.value.results] == [False] * 250
    # A 500 on a create may mean it was applied: it is not repeated (the engine's
    # pending-create recovery settles it), and the second chunk is never sent.
    assert client.counter.salesforce == 1
    assert caught.value.outcome_unknown is True


def test_it_marks_records_failed_when_an_update_call_keeps_failing(sandbox, make_salesforce,
                                                                  unique):
    ids = sandbox.salesforce.insert("Account", [{"Name": f"idem-{unique}-{i}"} for i in range(3)])
    client = make_salesforce(max_attempts=2)
    sandbox.control.configure("salesforce", faults={"http_503": 1.0},
                              fault_path_contains="composite")

    results = client.update("Account", [{"Id": i, "Name": "x"} for i in ids])

    assert [(r.success, r.id, r.errors[0]["code"]) for r in results] == [
        (False, i, "SERVER_UNAVAILABLE") for i in ids]
