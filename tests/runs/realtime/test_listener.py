"""The change-event listener through real HTTPS against the sandbox's Streaming API:
subscribe, deliver, echo filtering, replay across a restart, re-handshake on expiry."""

from __future__ import annotations

import pytest
from django.test import override_settings

from connector.clients.streaming import CometdClient
from connector.services import salesforce_client_for
from runs.realtime.listener import InstallListener, is_echo
from runs.realtime.models import RealtimeSignal, StreamCursor
from tests.runs.realtime.conftest import wait_for
from tests.runs.realtime.world import account_workflow, connected_alice

pytestmark = pytest.mark.usefixtures("transactional_db")


@pytest.fixture
def world(rt_sandbox, org):
    with override_settings(SHEETFORCE_REALTIME_QUIET_SECONDS=30):
        alice, install = connected_alice(rt_sandbox)
        workflow, _ = account_workflow(rt_sandbox, alice, install)
        yield workflow


@pytest.fixture
def listen(world):
    started: list[InstallListener] = []

    def start() -> InstallListener:
        thread = InstallListener(world.install_id, poll_timeout=1, reconcile_seconds=1)
        thread.start()
        assert thread.subscribed.wait(10), thread.stats
        started.append(thread)
        return thread

    yield start
    for thread in started:
        thread.stop()
        thread.join(timeout=5)


def _pending(workflow) -> int:
    signal = RealtimeSignal.objects.filter(workflow=workflow).first()
    return signal.pending_events if signal else 0


def _cursor(workflow) -> int | None:
    row = StreamCursor.objects.filter(install=workflow.install,
                                      channel="/data/AccountChangeEvent").first()
    return row.replay_id if row else None


def test_a_change_in_salesforce_requests_a_run_and_moves_the_cursor(world, listen, org):
    thread = listen()
    org.insert("Account", [{"Name": "Acme"}], user="alice@example.com")
    assert wait_for(lambda: _pending(world) == 1)
    assert wait_for(lambda: _cursor(world) == org.changes.last_id)
    assert RealtimeSignal.objects.get(workflow=world).trigger == "event"
    assert thread.stats["sessions"] == 1


def test_our_own_api_writes_are_ignored_but_the_same_user_in_the_ui_is_not(
        world, listen, org, rt_sandbox):
    thread = listen()
    sf = salesforce_client_for(user=world.owner, install=world.install)
    sf.create("Account", [{"Name": "Written by the engine"}])
    assert wait_for(lambda: thread.stats["echoes"] == 1)
    assert _pending(world) == 0
    org.insert("Account", [{"Name": "Typed by Ada"}], user="ada@example.com")  # the UI
    assert wait_for(lambda: _pending(world) == 1)


def test_it_resumes_after_the_last_replay_id_when_restarted(world, listen, org):
    first = listen()
    org.insert("Account", [{"Name": "Before"}])
    assert wait_for(lambda: _pending(world) == 1)
    first.stop()
    first.join(timeout=5)
    assert not first.is_alive()

    org.insert("Account", [{"Name": "While down 1"}, {"Name": "While down 2"}])
    second = listen()
    assert wait_for(lambda: _pending(world) == 3)
    # The thread counts a batch after handling it, so the signal can be seen first.
    assert wait_for(lambda: second.stats["events"] == 2), second.stats
    assert wait_for(lambda: _cursor(world) == org.changes.last_id)
    assert second.stats["events"] == 2  # only the missed ones, none replayed twice


def test_it_handshakes_again_when_the_session_expires(world, listen, org, rt_sandbox):
    thread = listen()
    org.expire_tokens("ada@example.com")
    org.insert("Account", [{"Name": "After expiry"}])
    assert wait_for(lambda: _pending(world) == 1, timeout=15), thread.stats
    assert thread.stats["sessions"] == 1  # the same session re-handshook, no crash


def test_the_client_refreshes_and_resubscribes_from_its_position(world, org):
    client = CometdClient(salesforce_client_for(user=world.owner, install=world.install),
                          poll_timeout=0.5)
    client.subscribe("/data/AccountChangeEvent", -1)
    org.insert("Account", [{"Name": "One"}])
    [event] = client.connect()
    org.expire_tokens("ada@example.com")
    org.insert("Account", [{"Name": "Two"}])
    assert client.connect() == []  # unknown client → handshake (refresh) → resubscribe
    [again] = wait_for(lambda: client.connect(), timeout=3)
    assert again["data"]["payload"]["Name"] == "Two"
    assert client.handshakes == 2
    client.disconnect()


def test_is_echo_needs_both_the_integration_user_and_an_api_origin():
    user = "0055g0000000001AAA"
    api = "com/salesforce/api/rest/59.0"
    assert is_echo({"commitUser": user, "changeOrigin": api}, user)
    assert is_echo({"commitUser": user, "changeOrigin": api}, user[:15])
    assert not is_echo({"commitUser": user, "changeOrigin": ""}, user)
    assert not is_echo({"commitUser": "0055g0000000002AAA", "changeOrigin": api}, user)
    assert not is_echo({"commitUser": user, "changeOrigin": api}, "")
