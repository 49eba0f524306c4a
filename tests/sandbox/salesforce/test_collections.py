from __future__ import annotations

import pytest
from simple_salesforce.exceptions import SalesforceMalformedRequest


def _accounts(n: int, prefix: str = "A") -> list[dict]:
    return [{"attributes": {"type": "Account"}, "Name": f"{prefix}{i}"} for i in range(n)]


def test_it_creates_up_to_200_records_in_request_order(org, sf):
    result = sf.restful("composite/sobjects", method="POST",
                        json={"allOrNone": False, "records": _accounts(200)})
    assert len(result) == 200 and all(r["success"] for r in result)
    names = {r["Id"]: r["Name"] for r in sf.query_all("SELECT Id, Name FROM Account")["records"]}
    assert [names[r["id"]] for r in result] == [f"A{i}" for i in range(200)]


def test_it_refuses_more_than_200_records(org, sf):
    with pytest.raises(SalesforceMalformedRequest) as caught:
        sf.restful("composite/sobjects", method="POST", json={"records": _accounts(201)})
    assert caught.value.content[0]["errorCode"] == "EXCEEDED_ID_LIMIT"
    assert org.count("Account") == {"Account": 0}


def test_it_keeps_good_records_when_all_or_none_is_false(org, sf):
    records = _accounts(3)
    records[1] = {"attributes": {"type": "Account"}}
    result = sf.restful("composite/sobjects", method="POST",
                        json={"allOrNone": False, "records": records})
    assert [r["success"] for r in result] == [True, False, True]
    assert result[1]["errors"][0]["statusCode"] == "REQUIRED_FIELD_MISSING"
    assert org.count("Account") == {"Account": 2}


def test_it_rolls_everything_back_when_all_or_none_is_true(org, sf):
    existing = org.insert("Account", [{"Name": "Before"}])[0]
    records = [
        {"attributes": {"type": "Account"}, "id": existing, "Name": "Changed"},
        {"attributes": {"type": "Account"}, "id": existing, "Name": "x" * 256},
    ]
    result = sf.restful("composite/sobjects", method="PATCH",
                        json={"allOrNone": True, "records": records})
    assert result[0]["errors"][0]["statusCode"] == "ALL_OR_NONE_OPERATION_ROLLED_BACK"
    assert result[1]["errors"][0]["statusCode"] == "STRING_TOO_LONG"
    assert sf.Account.get(existing)["Name"] == "Before"
    created = sf.restful("composite/sobjects", method="POST", json={
        "allOrNone": True, "records": [*_accounts(2), {"attributes": {"type": "Account"}}]})
    assert not any(r["success"] for r in created) and created[0]["id"] is None
    assert org.count("Account") == {"Account": 1}


def test_it_deletes_and_retrieves_by_ids(org, sf):
    a, b = org.insert("Account", [{"Name": "A"}, {"Name": "B"}])
    got = sf.restful("composite/sobjects/Account", params={"ids": f"{a},{b}",
                                                            "fields": "Name"})
    assert [r["Name"] for r in got] == ["A", "B"]
    result = sf.restful("composite/sobjects", method="DELETE",
                        params={"ids": f"{a},{a}", "allOrNone": "false"})
    assert [r["success"] for r in result] == [True, False]
    assert result[1]["errors"][0]["statusCode"] == "ENTITY_IS_DELETED"
    got = sf.restful("composite/sobjects/Account", params={"ids": f"{a},{b}",
                                                            "fields": "Name"})
    assert got[0] is None and got[1]["Name"] == "B"


def _mixed(kinds: list[str]) -> list[dict]:
    field = {"Account": "Name", "Contact": "LastName"}
    return [{"attributes": {"type": k}, field[k]: f"{k} {i}"} for i, k in enumerate(kinds)]


def test_it_allows_ten_chunks_and_refuses_eleven(org, sf):
    # A chunk is a run of records of one type ("sObject Collections" limits).
    ten = _mixed(["Account", "Contact"] * 5)
    assert all(r["success"] for r in sf.restful("composite/sobjects", method="POST",
                                                json={"records": ten}))
    with pytest.raises(SalesforceMalformedRequest) as caught:
        sf.restful("composite/sobjects", method="POST",
                   json={"records": _mixed(["Account", "Contact"] * 5 + ["Account"])})
    [error] = caught.value.content
    assert error["message"] == ("Cannot have more than 10 chunks in a single operation. "
                                "Please rearrange the data to reduce chunking.")
    assert org.count("Account") == {"Account": 5}
    grouped = _mixed(["Account"] * 100 + ["Contact"] * 100)
    for record in grouped:
        record[next(k for k in record if k != "attributes")] += " again"
    assert len(sf.restful("composite/sobjects", method="POST",
                          json={"records": grouped})) == 200
