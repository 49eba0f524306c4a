"""The REST API's JSON parser: a value of the wrong JSON type fails the whole request with
400 JSON_PARSER_ERROR, in sObject Collections too (nothing of the call is saved)."""

from __future__ import annotations

import pytest
from simple_salesforce.exceptions import SalesforceMalformedRequest


def _refused(call) -> dict:
    with pytest.raises(SalesforceMalformedRequest) as caught:
        call()
    assert caught.value.status == 400
    [error] = caught.value.content
    return error


@pytest.mark.parametrize(("values", "start"), [
    ({"NumberOfEmployees": "many"}, "Cannot deserialize instance of int from VALUE_STRING value many"),
    ({"AnnualRevenue": "lots"}, "Cannot deserialize instance of currency from VALUE_STRING value lots"),
    ({"AnnualRevenue": True}, "Cannot deserialize instance of currency from VALUE_TRUE value true"),
    ({"Description": ["a", "b"]}, "Cannot deserialize instance of textarea from START_ARRAY value ["),
])
def test_it_refuses_values_of_the_wrong_json_type(org, sf, values, start):
    error = _refused(lambda: sf.Account.create({"Name": "A", **values}))
    assert error["errorCode"] == "JSON_PARSER_ERROR"
    assert error["message"].startswith(start)
    assert "or request may be missing a required field at [line:1, column:" in error["message"]
    assert org.count("Account") == {"Account": 0}


@pytest.mark.parametrize(("field", "value", "kind"), [
    ("CloseDate", "2026-06-10T22:42:34Z", "date"),
    ("CloseDate", "next week", "date"),
])
def test_it_refuses_date_times_in_date_fields(org, sf, field, value, kind):
    error = _refused(lambda: sf.Opportunity.create({
        "Name": "Deal", "StageName": "Prospecting", "CloseDate": "2026-06-10", field: value}))
    assert error["errorCode"] == "JSON_PARSER_ERROR"
    assert error["message"].startswith(f"Cannot deserialize instance of {kind} from VALUE_STRING")


def test_it_refuses_a_date_time_written_with_a_space(org, sf):
    [case] = org.insert("Case", [{"Subject": "s"}])
    error = _refused(lambda: sf.Case.update(case, {"SlaStartDate": "2026-06-10 22:42:34"}))
    assert error["message"].startswith(
        "Cannot deserialize instance of datetime from VALUE_STRING value 2026-06-10 22:42:34")


def test_it_refuses_a_non_boolean_checkbox(org, sf):
    [case] = org.insert("Case", [{"Subject": "s"}])
    error = _refused(lambda: sf.Case.update(case, {"IsEscalated": "yes"}))
    assert error["message"].startswith("Cannot deserialize instance of boolean from VALUE_STRING")
    sf.Case.update(case, {"IsEscalated": "true"})  # the parser reads these strings
    assert sf.Case.get(case)["IsEscalated"] is True


def test_it_reads_numbers_sent_as_text(org, sf):
    created = sf.Account.create({"Name": "A", "NumberOfEmployees": "12",
                                 "AnnualRevenue": "1500"})
    record = sf.Account.get(created["id"])
    assert (record["NumberOfEmployees"], record["AnnualRevenue"]) == (12, 1500)


def test_a_wrong_type_fails_a_whole_collection(org, sf):
    records = [{"attributes": {"type": "Account"}, "Name": f"A{i}"} for i in range(3)]
    records[2]["NumberOfEmployees"] = "x"
    for all_or_none in (False, True):
        error = _refused(lambda a=all_or_none: sf.restful(
            "composite/sobjects", method="POST", json={"allOrNone": a, "records": records}))
        assert error["errorCode"] == "JSON_PARSER_ERROR"
    assert org.count("Account") == {"Account": 0}
    [existing] = org.insert("Account", [{"Name": "Before"}])
    error = _refused(lambda: sf.restful("composite/sobjects", method="PATCH", json={
        "records": [{"attributes": {"type": "Account"}, "id": existing, "Name": "After"},
                    {"attributes": {"type": "Account"}, "id": existing,
                     "AnnualRevenue": "much"}]}))
    assert error["errorCode"] == "JSON_PARSER_ERROR"
    assert sf.Account.get(existing)["Name"] == "Before"
