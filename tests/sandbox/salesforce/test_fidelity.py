"""Facts the fidelity review checked against Salesforce's documentation, pinned through
simple-salesforce so that the emulator does not drift from them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from simple_salesforce.exceptions import SalesforceMalformedRequest


def test_it_refuses_a_field_selected_twice_as_invalid_field(org, sf):
    # The SOQL reference shows HTTP 400 INVALID_FIELD "duplicate field selected: Id".
    with pytest.raises(SalesforceMalformedRequest) as caught:
        sf.query("SELECT Id, Name, id FROM Account")
    error = caught.value.content[0]
    assert error["errorCode"] == "INVALID_FIELD"
    assert error["message"].endswith("duplicate field selected: Id")


def test_it_refuses_more_than_200_collection_records_in_salesforce_words(org, sf):
    records = [{"attributes": {"type": "Account"}, "Name": f"A{i}"} for i in range(201)]
    with pytest.raises(SalesforceMalformedRequest) as caught:
        sf.restful("composite/sobjects", method="PATCH", json={"records": records})
    assert caught.value.content == [{
        "errorCode": "EXCEEDED_ID_LIMIT",
        "message": "record limit reached. cannot submit more than 200 records into this call"}]


def test_it_sends_the_limit_header_on_errors_but_not_on_the_version_list(org, sf, info):
    # simple-salesforce parses Sforce-Limit-Info only on success, so read the raw answers.
    refused = sf.session.get(f"{sf.base_url}query", params={"q": "SELECT Nope FROM Account"},
                             headers=sf.headers)
    assert refused.status_code == 400 and refused.json()[0]["errorCode"] == "INVALID_FIELD"
    assert refused.headers["Sforce-Limit-Info"].startswith("api-usage=")
    versions = sf.session.get(f"{info['instance_url']}/services/data/")
    assert versions.status_code == 200 and "Sforce-Limit-Info" not in versions.headers
    sf.query("SELECT Id FROM Account")
    assert sf.api_usage["api-usage"].used >= 2


def test_it_shapes_get_updated_and_get_deleted_as_documented(sandbox, org, sf):
    start = sandbox.control.clock.now() - timedelta(days=1)
    created = sf.Account.create({"Name": "Gone"})
    sf.Account.delete(created["id"])
    # latestDateCovered is whole minutes: a change is only reported once its minute ended.
    sandbox.control.clock.advance(120)
    end = sandbox.control.clock.now()
    updated = sf.Account.updated(start, end)
    assert set(updated) == {"ids", "latestDateCovered"}
    deleted = sf.Account.deleted(start, end)
    assert set(deleted) == {"deletedRecords", "earliestDateAvailable", "latestDateCovered"}
    assert [d["id"] for d in deleted["deletedRecords"]] == [created["id"]]
    assert set(deleted["deletedRecords"][0]) == {"id", "deletedDate"}


def test_it_describes_polymorphic_and_autonumber_fields_like_salesforce(org, sf):
    task = {f["name"]: f for f in sf.Task.describe()["fields"]}
    assert (task["WhoId"]["referenceTo"], task["WhoId"]["relationshipName"],
            task["WhoId"]["polymorphicForeignKey"]) == (["Contact", "Lead"], "Who", True)
    assert task["WhatId"]["relationshipName"] == "What" and task["WhatId"]["polymorphicForeignKey"]
    assert task["OwnerId"]["referenceTo"] == ["Group", "User"]
    case = {f["name"]: f for f in sf.Case.describe()["fields"]}
    number = case["CaseNumber"]
    assert (number["type"], number["autoNumber"], number["createable"], number["updateable"],
            number["nillable"], number["length"]) == ("string", True, False, False, False, 30)
    account = {f["name"]: f for f in sf.Account.describe()["fields"]}
    assert account["OwnerId"]["referenceTo"] == ["User"]
    assert not account["OwnerId"]["polymorphicForeignKey"]
    assert (account["Name"]["length"], account["Name"]["nillable"]) == (255, False)
