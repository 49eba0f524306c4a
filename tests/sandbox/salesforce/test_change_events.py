"""Change Data Capture payloads, read over plain HTTPS CometD (simple-salesforce has no
streaming client): compound fields nested, compound names in changedFields,
LastModifiedDate always listed, date-times ending in Z ("Compound fields in change events",
"Change event body")."""

from __future__ import annotations

import re

import pytest

from tests.sandbox.salesforce.conftest import https_session

_ZULU = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")


@pytest.fixture
def listen(sandbox, org):
    """``listen(channel)`` -> ``poll()`` giving the payloads of new events."""
    info = sandbox.info["salesforce"]
    session = https_session(info["ca_bundle"])
    token = org.control("token", {"user": "ada"})["access_token"]
    url = f"{info['instance_url']}/cometd/59.0"

    def post(*messages):
        response = session.post(url, json=list(messages), timeout=30,
                                headers={"Authorization": f"Bearer {token}"})
        return response.json()

    def start(channel: str):
        client_id = post({"channel": "/meta/handshake", "version": "1.0",
                          "supportedConnectionTypes": ["long-polling"]})[0]["clientId"]
        post({"channel": "/meta/subscribe", "clientId": client_id, "subscription": channel,
              "ext": {"replay": {channel: -1}}})

        def poll() -> list[dict]:
            replies = post({"channel": "/meta/connect", "clientId": client_id,
                            "connectionType": "long-polling", "advice": {"timeout": 300}})
            return [r["data"]["payload"] for r in replies if "data" in r]

        return poll

    return start


def test_an_account_create_nests_its_address(listen, org, sf):
    poll = listen("/data/AccountChangeEvent")
    sf.Account.create({"Name": "Acme", "BillingStreet": "415 Mission Street",
                       "BillingCity": "San Francisco", "BillingCountry": "United States"})
    [payload] = poll()
    assert payload["BillingAddress"] == {"Street": "415 Mission Street",
                                         "City": "San Francisco", "Country": "United States"}
    assert "BillingCity" not in payload and "ShippingAddress" not in payload
    assert _ZULU.match(payload["CreatedDate"]) and _ZULU.match(payload["LastModifiedDate"])
    assert payload["ChangeEventHeader"]["changedFields"] == []


def test_an_update_lists_compound_components_and_last_modified_date(listen, org, sf):
    account = sf.Account.create({"Name": "Acme", "BillingCity": "Paris"})["id"]
    poll = listen("/data/AccountChangeEvent")
    sf.Account.update(account, {"BillingCity": "Lyon", "BillingPostalCode": None,
                                "Phone": "555"})
    [payload] = poll()
    header = payload["ChangeEventHeader"]
    assert header["changedFields"] == ["BillingAddress.City", "LastModifiedDate", "Phone"]
    assert payload["BillingAddress"] == {"City": "Lyon"}
    assert _ZULU.match(payload["LastModifiedDate"])


def test_a_contact_nests_its_name_and_mailing_address(listen, org, sf):
    poll = listen("/data/ContactChangeEvent")
    contact = sf.Contact.create({"FirstName": "Ana", "LastName": "Kim", "Salutation": "Dr.",
                                 "MailingCity": "Austin"})["id"]
    [created] = poll()
    assert created["Name"] == {"Salutation": "Dr.", "FirstName": "Ana", "LastName": "Kim"}
    assert created["MailingAddress"] == {"City": "Austin"}
    sf.Contact.update(contact, {"LastName": "Lee"})
    [updated] = poll()
    assert updated["Name"] == {"LastName": "Lee"}
    assert updated["ChangeEventHeader"]["changedFields"] == ["LastModifiedDate", "Name.LastName"]


def test_a_lead_address_is_called_address(listen, org, sf):
    poll = listen("/data/LeadChangeEvent")
    sf.Lead.create({"LastName": "Ng", "Company": "Initech", "City": "Boston"})
    [payload] = poll()
    assert payload["Address"] == {"City": "Boston"}
    assert payload["Name"] == {"LastName": "Ng"}
