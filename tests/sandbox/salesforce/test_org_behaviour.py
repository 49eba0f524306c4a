from __future__ import annotations

import pytest
from simple_salesforce.exceptions import SalesforceMalformedRequest


def test_it_keeps_audit_fields_and_never_moves_modstamp_back(org, sf, connect, token_for):
    account = sf.Account.create({"Name": "Acme"})["id"]
    created = sf.Account.get(account)
    assert created["CreatedDate"] == created["LastModifiedDate"] == created["SystemModstamp"]
    assert created["CreatedDate"].endswith(".000+0000")
    org.shared.clock.advance(5)
    connect(token_for("bob")).Account.update(account, {"Phone": "1"})
    changed = sf.Account.get(account)
    assert changed["LastModifiedById"] == org.user_id("bob") != changed["CreatedById"]
    assert changed["SystemModstamp"] > created["SystemModstamp"]
    stamps = [r["SystemModstamp"] for r in sf.query_all(
        "SELECT SystemModstamp FROM Account ORDER BY SystemModstamp")["records"]]
    assert stamps == sorted(stamps)


def test_it_runs_automation_that_moves_only_systemmodstamp(org, sf):
    org.control("automation", {"object": "Case", "when": "Priority = 'High'",
                               "set": {"IsEscalated": True}, "after_seconds": 60})
    case = sf.Case.create({"Subject": "Fire", "Priority": "High"})["id"]
    before = sf.Case.get(case)
    assert before["IsEscalated"] is False
    org.shared.clock.advance(61)
    after = sf.Case.get(case)
    assert after["IsEscalated"] is True
    assert after["LastModifiedDate"] == before["LastModifiedDate"]
    assert after["SystemModstamp"] > after["LastModifiedDate"]


def test_it_applies_validation_rules(org, sf):
    org.control("validation_rule", {"object": "Account", "condition": "Phone = null",
                                    "message": "Phone is required", "field": "Phone"})
    with pytest.raises(SalesforceMalformedRequest) as caught:
        sf.Account.create({"Name": "No phone"})
    assert caught.value.content == [{"message": "Phone is required",
                                     "errorCode": "FIELD_CUSTOM_VALIDATION_EXCEPTION",
                                     "fields": ["Phone"]}]
    assert sf.Account.create({"Name": "Phone", "Phone": "1"})["success"]


def test_it_computes_formula_and_derived_fields(sf):
    opp = sf.Opportunity.create({"Name": "Deal", "StageName": "Value Proposition",
                                 "CloseDate": "2025-05-01", "Amount": 1000.0})["id"]
    got = sf.Opportunity.get(opp)
    assert (got["Probability"], got["ExpectedRevenue"], got["IsClosed"]) == (50, 500.0, False)
    sf.Opportunity.update(opp, {"Amount": 2000.0})
    assert sf.Opportunity.get(opp)["ExpectedRevenue"] == 1000.0
    case = sf.Case.create({"Subject": "x"})["id"]
    assert sf.Case.get(case)["IsClosed"] is False and sf.Case.get(case)["ClosedDate"] is None
    sf.Case.update(case, {"Status": "Closed"})
    closed = sf.Case.get(case)
    assert closed["IsClosed"] is True and closed["ClosedDate"]
    assert sf.query("SELECT Id FROM Case WHERE IsClosed = true")["totalSize"] == 1


def test_it_makes_a_field_read_only_for_one_user(org, connect, token_for):
    org.control("readonly_field", {"user": "bob", "object": "Account", "field": "Phone"})
    bob, alice = connect(token_for("bob")), connect(token_for("alice"))
    phone = next(f for f in bob.Account.describe()["fields"] if f["name"] == "Phone")
    assert phone["updateable"] is False
    with pytest.raises(SalesforceMalformedRequest) as caught:
        bob.Account.create({"Name": "A", "Phone": "1"})
    assert caught.value.content[0]["errorCode"] == "INVALID_FIELD_FOR_INSERT_UPDATE"
    assert alice.Account.create({"Name": "A", "Phone": "1"})["success"]


def test_it_describes_objects_realistically(sf):
    case = sf.Case.describe()
    fields = {f["name"]: f for f in case["fields"]}
    assert case["keyPrefix"] == "500" and fields["CaseNumber"]["autoNumber"] is True
    assert fields["IsClosed"]["calculated"] and fields["IsClosed"]["calculatedFormula"]
    assert fields["Status"]["restrictedPicklist"]
    assert [p["value"] for p in fields["Priority"]["picklistValues"]
            if p["defaultValue"]] == ["Medium"]
    who = {f["name"]: f for f in sf.Task.describe()["fields"]}["WhoId"]
    assert who["polymorphicForeignKey"] and who["referenceTo"] == ["Contact", "Lead"]
    names = {o["name"] for o in sf.describe()["sobjects"]}
    assert {"Account", "Case", "CaseMilestone", "CaseComment", "Entitlement", "Event"} <= names


def test_it_forgets_a_removed_field(org, sf):
    org.load_schema({"fields": {"Lead": [{"name": "Score__c", "type": "double"}]}})
    sf.query("SELECT Score__c FROM Lead")
    org.control("remove_field", {"object": "Lead", "field": "Score__c"})
    with pytest.raises(SalesforceMalformedRequest) as caught:
        sf.query("SELECT Score__c FROM Lead")
    assert caught.value.content[0]["errorCode"] == "INVALID_FIELD"
