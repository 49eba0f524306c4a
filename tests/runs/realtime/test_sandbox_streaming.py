"""The Salesforce emulator's Streaming API (Change Data Capture over CometD), spoken to
with plain HTTPS requests: handshake, subscribe, long-poll connect, replay, expiry."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

from simple_salesforce import Salesforce

from tests.runs.realtime.conftest import wait_for


def _events(replies: list[dict]) -> list[dict]:
    return [r for r in replies if "data" in r]


def _header(event: dict) -> dict:
    return event["data"]["payload"]["ChangeEventHeader"]


def test_it_handshakes_subscribes_and_delivers_an_update_with_the_real_header(org, bayeux):
    client = bayeux()
    reply = client.handshake()
    assert reply["successful"] and reply["ext"]["replay"] is True
    assert client.subscribe("/data/AccountChangeEvent")["successful"]
    [record_id] = org.insert("Account", [{"Name": "Acme"}], user="alice@example.com")
    org.update("Account", [{"Id": record_id, "Phone": "555-0100"}], user="alice@example.com")

    replies = client.connect()
    events = _events(replies)
    assert [e["channel"] for e in events] == ["/data/AccountChangeEvent"] * 2
    create, update = (_header(e) for e in events)
    assert create["changeType"] == "CREATE" and update["changeType"] == "UPDATE"
    assert update["entityName"] == "Account" and update["recordIds"] == [record_id]
    assert "Phone" in update["changedFields"]
    assert update["commitUser"] == org.user_id("alice@example.com")
    assert update["changeOrigin"] == ""  # a person, not the API
    for key in ("transactionKey", "sequenceNumber", "commitTimestamp", "commitNumber"):
        assert key in update
    assert events[1]["data"]["payload"]["Phone"] == "555-0100"
    assert "Name" not in events[1]["data"]["payload"]  # an update carries changed fields only
    first, second = (e["data"]["event"] for e in events)
    assert second["replayId"] > first["replayId"] and first["createdDate"]
    assert replies[-1]["channel"] == "/meta/connect" and replies[-1]["successful"]
    assert replies[-1]["advice"]["reconnect"] == "retry"


def test_it_long_polls_until_an_event_arrives(org, bayeux):
    client = bayeux()
    client.handshake()
    client.subscribe("/data/ChangeEvents")
    threading.Timer(0.4, lambda: org.insert("Contact", [{"LastName": "Late"}])).start()
    started = time.monotonic()
    events = _events(client.connect(timeout_ms=5000))
    took = time.monotonic() - started
    assert len(events) == 1 and _header(events[0])["entityName"] == "Contact"
    assert 0.3 < took < 3


def test_api_writes_carry_the_api_origin_and_rolled_back_writes_publish_nothing(
        org, bayeux, rt_sandbox):
    client = bayeux()
    client.handshake()
    client.subscribe("/data/AccountChangeEvent")
    info = rt_sandbox.info["salesforce"]
    import requests

    session = requests.Session()
    session.verify, session.trust_env = info["ca_bundle"], False
    sf = Salesforce(instance_url=info["instance_url"], session_id=client.token,
                    session=session)
    sf.Account.create({"Name": "Via API"})
    sf.restful("composite/sobjects", method="POST", json={"allOrNone": True, "records": [
        {"attributes": {"type": "Account"}, "Name": "Kept back"},
        {"attributes": {"type": "Account"}}]})  # missing Name: everything rolls back

    events = _events(client.connect())
    assert len(events) == 1
    header = _header(events[0])
    assert header["changeOrigin"] == "com/salesforce/api/rest/59.0"
    assert header["commitUser"] == org.admin_id


def test_it_replays_retained_events_after_a_replay_id_and_all_with_minus_two(org, bayeux):
    org.insert("Account", [{"Name": f"A{i}"} for i in range(3)])
    everything = bayeux()
    everything.handshake()
    everything.subscribe("/data/AccountChangeEvent", -2)
    events = _events(everything.connect())
    assert len(events) == 3
    ids = [e["data"]["event"]["replayId"] for e in events]

    resumed = bayeux()
    resumed.handshake()
    assert resumed.subscribe("/data/AccountChangeEvent", ids[0])["successful"]
    assert [e["data"]["event"]["replayId"] for e in _events(resumed.connect())] == ids[1:]

    newest = bayeux()
    newest.handshake()
    newest.subscribe("/data/AccountChangeEvent", -1)
    assert _events(newest.connect()) == []


def test_replay_ids_older_than_72_hours_are_refused(org, bayeux, rt_sandbox):
    org.insert("Account", [{"Name": "Old"}])
    first = bayeux()
    first.handshake()
    first.subscribe("/data/AccountChangeEvent", -2)
    [event] = _events(first.connect())
    replay = event["data"]["event"]["replayId"]
    org.insert("Account", [{"Name": "Also old"}])
    rt_sandbox.control.clock.advance(timedelta(hours=73).total_seconds())
    try:
        later = bayeux(org.control("token", {"user": "ada@example.com"})["access_token"])
        later.handshake()
        reply = later.subscribe("/data/AccountChangeEvent", replay)
        assert reply["successful"] is False
        assert reply["error"].startswith("400::The replayId")
        assert later.subscribe("/data/AccountChangeEvent", -2)["successful"]
        assert _events(later.connect()) == []  # nothing retained any more
    finally:
        rt_sandbox.control.clock.advance(-timedelta(hours=73).total_seconds())


def test_an_expired_session_is_an_unknown_client_that_must_handshake_again(org, bayeux):
    tokens = org.control("token", {"user": "bob@example.com"})
    client = bayeux(tokens["access_token"])
    assert client.handshake()["successful"]
    client.subscribe("/data/AccountChangeEvent")
    org.expire_tokens("bob@example.com")

    [reply] = client.connect()
    assert reply["successful"] is False and reply["error"] == "403::Unknown client"
    assert reply["advice"]["reconnect"] == "handshake"
    status, [denied] = client.post({"channel": "/meta/handshake", "version": "1.0",
                                    "supportedConnectionTypes": ["long-polling"]})
    assert status == 401 and denied["successful"] is False
    assert denied["ext"]["sfdc"]["failureReason"] == "401::Authentication invalid"


def test_unknown_channels_and_clients_are_refused(org, bayeux):
    client = bayeux()
    client.handshake()
    reply = client.subscribe("/data/NoSuchThingChangeEvent")
    assert reply["successful"] is False and reply["error"].startswith("400::")
    client.client_id = "not-a-client"
    assert client.connect()[0]["error"] == "403::Unknown client"


def test_events_survive_a_restart_of_a_persistent_sandbox(tmp_path):
    from sandbox.runner import start_sandbox

    box = start_sandbox(state_dir=tmp_path, seed="empty")
    try:
        box.salesforce.insert("Account", [{"Name": "Persisted"}])
    finally:
        box.stop()
    again = start_sandbox(state_dir=tmp_path, seed="empty")
    try:
        from tests.runs.realtime.conftest import Bayeux

        client = Bayeux(again)
        client.handshake()
        client.subscribe("/data/AccountChangeEvent", -2)
        events = wait_for(lambda: _events(client.connect()), timeout=2)
        assert events and events[0]["data"]["payload"]["Name"] == "Persisted"
    finally:
        again.stop()
