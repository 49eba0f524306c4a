from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from simple_salesforce.exceptions import (
    SalesforceMalformedRequest,
    SalesforceMoreThanOneRecord,
    SalesforceResourceNotFound,
)


def test_it_creates_gets_updates_and_deletes_a_record(sf):
    account = sf.Account.create({"Name": "Acme", "Industry": "Energy"})["id"]
    got = sf.Account.get(account)
    assert got["attributes"]["type"] == "Account" and got["Name"] == "Acme"
    assert sf.Account.update(account, {"Name": "Acme 2"}) == 204
    assert sf.Account.get(account)["Name"] == "Acme 2"
    assert sf.Account.delete(account) == 204
    with pytest.raises(SalesforceResourceNotFound) as caught:
        sf.Account.get(account)
    assert caught.value.content[0]["errorCode"] == "ENTITY_IS_DELETED"
    live = sf.query(f"SELECT Id FROM Account WHERE Id = '{account}'")
    every = sf.query(f"SELECT Id, IsDeleted FROM Account WHERE Id = '{account}'",
                     include_deleted=True)
    assert live["totalSize"] == 0 and every["records"][0]["IsDeleted"] is True


def test_it_returns_only_the_requested_fields(sf):
    account = sf.Account.create({"Name": "Acme", "Phone": "123"})["id"]
    got = sf.restful(f"sobjects/Account/{account}", params={"fields": "Name,Phone"})
    assert set(got) == {"attributes", "Name", "Phone"}


def test_it_upserts_by_external_id(org, sf):
    org.load_schema({"fields": {"Account": [
        {"name": "Erp_Id__c", "type": "string", "length": 20, "externalId": True,
         "unique": True}]}})
    assert sf.Account.upsert("Erp_Id__c/E-1", {"Name": "Acme"}) == 201
    assert sf.Account.upsert("Erp_Id__c/E-1", {"Name": "Acme Renamed"}) == 204
    rows = sf.query("SELECT Name FROM Account WHERE Erp_Id__c = 'E-1'")
    assert [r["Name"] for r in rows["records"]] == ["Acme Renamed"]
    with pytest.raises(SalesforceMalformedRequest) as caught:
        sf.Account.create({"Name": "Other", "Erp_Id__c": "e-1"})
    assert caught.value.content[0]["errorCode"] == "DUPLICATE_VALUE"


def test_it_answers_300_when_an_external_id_matches_several_records(org, sf):
    org.load_schema({"fields": {"Contact": [
        {"name": "Legacy_Id__c", "type": "string", "externalId": True}]}})
    org.insert("Contact", [{"LastName": "A", "Legacy_Id__c": "L1"},
                           {"LastName": "B", "Legacy_Id__c": "L1"}])
    with pytest.raises(SalesforceMoreThanOneRecord):
        sf.Contact.upsert("Legacy_Id__c/L1", {"FirstName": "X"})


@pytest.mark.parametrize(("values", "code"), [
    ({"Name": "A", "Nope__c": 1}, "INVALID_FIELD"),
    ({}, "REQUIRED_FIELD_MISSING"),
    ({"Name": "A", "LastActivityDate": "2024-01-01"}, "INVALID_FIELD_FOR_INSERT_UPDATE"),
    # Text that is not a number fails in the JSON parser (see test_json_types.py).
    ({"Name": "A", "NumberOfEmployees": "many"}, "JSON_PARSER_ERROR"),
    ({"Name": 5}, "INVALID_TYPE_ON_FIELD_IN_RECORD"),
    ({"Name": "x" * 256}, "STRING_TOO_LONG"),
    ({"Name": "A", "ParentId": "not-an-id"}, "MALFORMED_ID"),
    ({"Name": "A", "ParentId": "001000000000000AAA"}, "INVALID_CROSS_REFERENCE_KEY"),
])
def test_it_refuses_bad_writes_with_the_real_error_codes(sf, values, code):
    with pytest.raises(SalesforceMalformedRequest) as caught:
        sf.Account.create(values)
    error = caught.value.content[0]
    assert error["errorCode"] == code and error["message"]


def test_it_refuses_values_outside_a_restricted_picklist(sf):
    with pytest.raises(SalesforceMalformedRequest) as caught:
        sf.Case.create({"Subject": "x", "Status": "Pending Forever"})
    assert caught.value.content[0]["errorCode"] == "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST"
    assert sf.Case.create({"Subject": "x", "Status": "Working"})["success"]


def test_it_refuses_references_to_deleted_records(sf):
    account = sf.Account.create({"Name": "Gone"})["id"]
    sf.Account.delete(account)
    with pytest.raises(SalesforceMalformedRequest) as caught:
        sf.Contact.create({"LastName": "L", "AccountId": account})
    assert caught.value.content[0]["errorCode"] == "ENTITY_IS_DELETED"


def test_it_lists_updated_and_deleted_records(sf, sandbox):
    start = sandbox.control.clock.now() - timedelta(minutes=5)
    kept = sf.Account.create({"Name": "Kept"})["id"]
    gone = sf.Account.create({"Name": "Gone"})["id"]
    sf.Account.delete(gone)
    # Salesforce covers whole minutes only: changes of the current minute come later.
    sandbox.control.clock.advance(120)
    end = sandbox.control.clock.now()
    updated = sf.Account.updated(start, end)
    assert kept in updated["ids"] and gone not in updated["ids"]
    deleted = sf.Account.deleted(start, end)
    assert [d["id"] for d in deleted["deletedRecords"]] == [gone]
    with pytest.raises(SalesforceMalformedRequest):
        sf.Account.updated(datetime.now(UTC) - timedelta(days=40), end)


def test_it_defaults_the_owner_to_the_caller(org, connect, token_for):
    bob = connect(token_for("bob"))
    case = bob.Case.create({"Subject": "Mine"})["id"]
    got = bob.Case.get(case)
    assert got["OwnerId"] == got["CreatedById"] == org.user_id("bob@example.com")
    assert got["CaseNumber"].isdigit() and len(got["CaseNumber"]) == 8
