from __future__ import annotations

import pytest
import requests
from simple_salesforce.exceptions import SalesforceGeneralError


def test_it_injects_faults_in_salesforces_error_shape(sandbox, sf):
    sandbox.control.configure("salesforce", faults={"http_503": 1.0},
                              fault_path_contains="/query")
    try:
        with pytest.raises(SalesforceGeneralError) as caught:
            sf.query("SELECT Id FROM Account")
    finally:
        sandbox.control.configure("salesforce", faults={}, fault_path_contains=None)
    assert caught.value.status == 503
    assert caught.value.content[0]["errorCode"] == "SERVER_UNAVAILABLE"
    assert sandbox.control.counts()["salesforce"]["faults"]["http_503"] >= 1


def test_it_counts_calls_by_endpoint(sandbox, sf):
    sandbox.control.reset_counts()
    sf.query("SELECT Id FROM Account")
    sf.restful("composite/sobjects", method="POST", json={"records": []})
    counts = sandbox.control.counts()["salesforce"]["by_endpoint"]
    assert counts == {"GET query": 1, "POST composite/sobjects": 1}


def test_it_takes_control_actions_over_http(sandbox, org, sf):
    url = f"{sandbox.info['control_url']}/salesforce"
    inserted = requests.post(f"{url}/insert", json={
        "object": "Account", "user": "bob", "records": [{"Name": "Via control"}]}).json()
    assert len(inserted["ids"]) == 1
    assert requests.post(f"{url}/count", json={"object": "Account"}).json() == {"Account": 1}
    refused = requests.post(f"{url}/insert", json={"object": "Account", "records": [{}]})
    assert refused.status_code == 400
    requests.post(f"{url}/update", json={"object": "Account", "user": "carol", "records": [
        {"Id": inserted["ids"][0], "Name": "Edited by Carol"}]})
    got = sf.Account.get(inserted["ids"][0])
    assert got["Name"] == "Edited by Carol" and got["LastModifiedById"] == org.user_id("carol")


def test_it_serves_the_demo_org(demo_sandbox, connect):
    info = demo_sandbox.info["salesforce"]
    from simple_salesforce import Salesforce

    from tests.sandbox.salesforce.conftest import https_session

    sf = Salesforce(instance_url=info["instance_url"], session_id=info["access_token"],
                    session=https_session(info["ca_bundle"]))
    cases = sf.query_all("SELECT Id, CaseNumber, Account.Name, Status, ClosedDate "
                         "FROM Case ORDER BY CreatedDate")["records"]
    assert len(cases) >= 2000
    assert all(c["ClosedDate"] for c in cases if c["Status"] == "Closed")
    recent = sf.query("SELECT COUNT() FROM Case WHERE CreatedDate = LAST_N_DAYS:7")
    assert 0 < recent["totalSize"] < len(cases)
