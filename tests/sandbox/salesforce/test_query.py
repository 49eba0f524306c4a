from __future__ import annotations

import pytest
from simple_salesforce.exceptions import SalesforceMalformedRequest


def test_it_pages_results_over_2000_records(org, sf):
    org.insert("Account", [{"Name": f"Acc {i:05d}"} for i in range(2100)])
    first = sf.query("SELECT Id, Name FROM Account ORDER BY Name")
    assert first["totalSize"] == 2100 and not first["done"]
    assert len(first["records"]) == 2000
    assert first["nextRecordsUrl"].startswith("/services/data/v59.0/query/01g")
    assert first["nextRecordsUrl"].endswith("-2000")
    every = sf.query_all("SELECT Id, Name FROM Account ORDER BY Name")["records"]
    assert [r["Name"] for r in every] == [f"Acc {i:05d}" for i in range(2100)]


def test_it_honours_the_batch_size_header(org, sf):
    org.insert("Account", [{"Name": f"A{i}"} for i in range(450)])
    pages = []
    result = sf.query("SELECT Id FROM Account", headers={"Sforce-Query-Options": "batchSize=200"})
    pages.append(len(result["records"]))
    while not result["done"]:
        result = sf.query_more(result["nextRecordsUrl"], identifier_is_url=True)
        pages.append(len(result["records"]))
    assert pages == [200, 200, 50]


def test_it_nests_parents_and_counts(org, sf):
    account = org.insert("Account", [{"Name": "Acme"}])[0]
    org.insert("Contact", [{"LastName": "Lee", "AccountId": account}, {"LastName": "Kim"}])
    rows = sf.query("SELECT LastName, Account.Name FROM Contact ORDER BY LastName")["records"]
    assert rows[0]["Account"] is None and rows[1]["Account"]["Name"] == "Acme"
    assert sf.query("SELECT COUNT() FROM Contact")["totalSize"] == 2


@pytest.mark.parametrize(("soql", "code"), [
    ("SELECT FROM Account", "MALFORMED_QUERY"),
    ("SELECT Nope FROM Account", "INVALID_FIELD"),
])
def test_it_answers_bad_queries_with_400(sf, soql, code):
    with pytest.raises(SalesforceMalformedRequest) as caught:
        sf.query(soql)
    assert caught.value.content[0]["errorCode"] == code


def test_it_refuses_an_unknown_query_locator(sf):
    with pytest.raises(SalesforceMalformedRequest) as caught:
        sf.query_more("/services/data/v59.0/query/01g5g0000000ZZZ-2000", identifier_is_url=True)
    assert caught.value.content[0]["errorCode"] == "INVALID_QUERY_LOCATOR"
