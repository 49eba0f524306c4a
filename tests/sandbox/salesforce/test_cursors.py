"""Query cursors (``nextRecordsUrl``): from API 56.0 on no count limit and two days of
life; before it, the eleventh open cursor of a user drops the oldest."""

from __future__ import annotations

import pytest
from simple_salesforce.exceptions import SalesforceMalformedRequest

from tests.sandbox.salesforce.conftest import https_session

QUERY = "SELECT Id FROM Account"
BATCH = {"Sforce-Query-Options": "batchSize=200"}


def _open(sf, n: int) -> list[str]:
    return [sf.query(QUERY, headers=BATCH)["nextRecordsUrl"] for _ in range(n)]


def _more(sf, url: str) -> dict:
    return sf.query_more(url, identifier_is_url=True, headers=BATCH)


@pytest.fixture
def accounts(org):
    org.insert("Account", [{"Name": f"A{i:03d}"} for i in range(250)])


def test_it_keeps_every_cursor_from_api_56_on(accounts, sf):
    urls = _open(sf, 15)
    assert all(len(_more(sf, u)["records"]) == 50 for u in urls)


def test_it_drops_the_oldest_of_eleven_before_api_56(accounts, connect):
    old = connect(version="55.0")
    urls = _open(old, 11)
    with pytest.raises(SalesforceMalformedRequest) as caught:
        _more(old, urls[0])
    assert caught.value.content[0]["errorCode"] == "INVALID_QUERY_LOCATOR"
    assert len(_more(old, urls[1])["records"]) == 50


def test_a_cursor_lives_two_days_of_sandbox_time(clock_sandbox):
    from simple_salesforce import Salesforce

    org = clock_sandbox.salesforce
    org.reset()
    org.insert("Account", [{"Name": f"A{i:03d}"} for i in range(250)])
    info = clock_sandbox.info["salesforce"]

    def ada():  # a fresh session each time: access tokens live two hours
        token = org.control("token", {"user": "ada"})["access_token"]
        return Salesforce(instance_url=info["instance_url"], session_id=token,
                          session=https_session(info["ca_bundle"]))

    kept, lost = _open(ada(), 2)
    clock_sandbox.control.clock.advance(47 * 3600)
    assert len(_more(ada(), kept)["records"]) == 50
    clock_sandbox.control.clock.advance(2 * 3600)
    with pytest.raises(SalesforceMalformedRequest) as caught:
        _more(ada(), lost)
    assert caught.value.content[0]["errorCode"] == "INVALID_QUERY_LOCATOR"
