"""The standard duplicate rules of a new org refuse API saves that match an existing
record, unless the request says ``Sforce-Duplicate-Rule-Header: allowSave=true``."""

from __future__ import annotations

import pytest
from simple_salesforce.exceptions import SalesforceMalformedRequest

ALLOW = {"Sforce-Duplicate-Rule-Header": "allowSave=true"}


def _refused(call) -> dict:
    with pytest.raises(SalesforceMalformedRequest) as caught:
        call()
    [error] = caught.value.content
    return error


def test_it_refuses_an_account_with_the_name_of_another(org, sf):
    first = sf.Account.create({"Name": "Acme Corp"})["id"]
    error = _refused(lambda: sf.Account.create({"Name": "acme  corp."}))
    assert (error["errorCode"], error["message"]) == ("DUPLICATES_DETECTED",
                                                      "Use one of these records?")
    result = error["duplicateResult"]
    assert (result["duplicateRule"], result["duplicateRuleEntityType"], result["allowSave"]) == (
        "Standard_Account_Duplicate_Rule", "Account", True)
    [match] = result["matchResults"]
    assert match["rule"] == "Standard_Account_Match_Rule_v1_0" and match["size"] == 1
    assert match["matchRecords"][0]["record"]["Id"] == first
    assert org.count("Account") == {"Account": 1}


def test_the_header_lets_a_duplicate_through(org, sf):
    sf.Account.create({"Name": "Acme"})
    sf.Account.create({"Name": "Acme"}, headers=ALLOW)
    assert org.count("Account") == {"Account": 2}


def test_an_update_into_a_duplicate_is_refused_too(org, sf):
    sf.Account.create({"Name": "Acme"})
    other = sf.Account.create({"Name": "Globex"})["id"]
    assert _refused(lambda: sf.Account.update(other, {"Name": "ACME"}))[
        "errorCode"] == "DUPLICATES_DETECTED"
    sf.Account.update(other, {"Phone": "555"})  # its own name does not match itself
    sf.Account.update(other, {"Name": "ACME"}, headers=ALLOW)


def test_contacts_match_on_email_or_name_at_the_same_account(org, sf):
    account, other = org.insert("Account", [{"Name": "A"}, {"Name": "B"}])
    sf.Contact.create({"LastName": "Kim", "FirstName": "Ana", "Email": "ana@example.org",
                       "AccountId": account})
    assert _refused(lambda: sf.Contact.create({"LastName": "Other",
                                               "Email": "ANA@example.org"}))[
        "errorCode"] == "DUPLICATES_DETECTED"
    assert _refused(lambda: sf.Contact.create({"LastName": "kim", "FirstName": "ana",
                                               "AccountId": account}))[
        "duplicateResult"]["duplicateRule"] == "Standard_Contact_Duplicate_Rule"
    sf.Contact.create({"LastName": "Kim", "FirstName": "Ana", "AccountId": other})


def test_leads_match_on_email_or_name_at_the_same_company(org, sf):
    sf.Lead.create({"LastName": "Ng", "FirstName": "Bo", "Company": "Initech"})
    assert _refused(lambda: sf.Lead.create({"LastName": "Ng", "FirstName": "Bo",
                                            "Company": "INITECH"}))[
        "duplicateResult"]["duplicateRule"] == "Standard_Lead_Duplicate_Rule"
    sf.Lead.create({"LastName": "Ng", "FirstName": "Bo", "Company": "Hooli"})


def test_collections_refuse_duplicates_per_record(org, sf):
    sf.Account.create({"Name": "Acme"})
    records = [{"attributes": {"type": "Account"}, "Name": name}
               for name in ("New One", "Acme", "New One")]
    result = sf.restful("composite/sobjects", method="POST",
                        json={"allOrNone": False, "records": records})
    assert [r["success"] for r in result] == [True, False, False]
    error = result[1]["errors"][0]
    assert (error["statusCode"], error["message"]) == ("DUPLICATES_DETECTED",
                                                       "Use one of these records?")
    assert "duplicateResult" in error
    allowed = sf.restful("composite/sobjects", method="POST", headers=ALLOW,
                         json={"records": records})
    assert all(r["success"] for r in allowed)


def test_control_inserts_and_a_switch_skip_the_rules(sandbox, org, sf):
    org.insert("Account", [{"Name": "Acme"}, {"Name": "Acme"}])  # loaded by an admin
    assert sandbox.handle_control("POST", ["salesforce", "duplicate_rules"],
                                  {"enabled": False}) == {"duplicate_rules": False}
    sf.Account.create({"Name": "Acme"})
    org.reset()  # back to the option: active
    sf.Account.create({"Name": "Acme"})
    assert _refused(lambda: sf.Account.create({"Name": "Acme"}))[
        "errorCode"] == "DUPLICATES_DETECTED"


def test_the_demo_org_holds_no_duplicates(demo_sandbox):
    from collections import Counter

    from sandbox.salesforce import duplicates

    store = demo_sandbox.salesforce.store
    for name in duplicates.RULES:
        keys = Counter(key for rec in store.records[name].values()
                       for key in duplicates.keys(name, rec))
        assert [k for k, n in keys.items() if n > 1] == [], name
