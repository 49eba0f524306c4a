"""Webhook rules of the real service: callback URLs, batched callbacks, ongoing
verification, status-change callbacks; and the switches that relax them for tests."""

from __future__ import annotations

import json
import time

import pytest
import requests
import smartsheet
from smartsheet.exceptions import ApiError

from .conftest import BOB, CAROL, add_rows, make_sheet
from .test_webhooks import Receiver

Webhook = smartsheet.models.Webhook


def _create(client, sheet_id, url):
    return client.Webhooks.create_webhook(Webhook({
        "name": "sync", "callbackUrl": url, "scope": "sheet", "scopeObjectId": sheet_id,
        "events": ["*.*"], "version": 1})).result


def _refused(call) -> smartsheet.models.ErrorResult:
    with pytest.raises(ApiError) as excinfo:
        call()
    return excinfo.value.error.result


@pytest.fixture
def receiver(emulator):
    emulator.configure_webhooks(allow_insecure_callbacks=True)
    r = Receiver()
    yield r
    r.server.shutdown()
    emulator.configure_webhooks(reset=True)


def _enabled(admin, receiver):
    admin_sheet, cols = make_sheet(admin)
    hook = _create(admin, admin_sheet, receiver.url)
    admin.Webhooks.update_webhook(hook.id, Webhook({"enabled": True}))
    return admin_sheet, cols, hook


def test_it_refuses_http_callbacks_by_default_with_1152(emulator, admin):
    sheet_id, _ = make_sheet(admin)
    error = _refused(lambda: _create(admin, sheet_id, "http://hooks.example.com/in"))
    assert (error.code, error.status_code) == (1152, 400)
    assert error.message == ("Only URLs with a protocol of 'https' are supported for "
                             "attribute 'callbackUrl'.")


@pytest.mark.parametrize("url", ["https://hooks.example.com:9000/in",
                                 "https://127.0.0.1/in", "https://10.1.2.3:8443/in",
                                 "https://localhost:8443/in"])
def test_it_refuses_private_hosts_and_other_ports(emulator, admin, url):
    sheet_id, _ = make_sheet(admin)
    assert _refused(lambda: _create(admin, sheet_id, url)).code == 1031


@pytest.mark.parametrize("url", ["https://hooks.example.com/in",
                                 "https://hooks.example.com:8080/in"])
def test_it_accepts_public_https_on_the_documented_ports(emulator, admin, url):
    sheet_id, _ = make_sheet(admin)
    assert _create(admin, sheet_id, url).status == "NEW_NOT_VERIFIED"


def test_it_accepts_loopback_http_only_with_the_switch(sandbox, emulator, admin):
    sheet_id, _ = make_sheet(admin)
    info = sandbox.handle_control("POST", ["smartsheet", "webhooks"],
                                  {"allow_insecure_callbacks": True})
    try:
        assert info["allow_insecure_callbacks"] is True
        assert _create(admin, sheet_id, "http://127.0.0.1:9/in").callback_url.startswith("http:")
    finally:
        emulator.configure_webhooks(reset=True)
    assert emulator.hook_settings.allow_insecure_callbacks is False


def test_the_runner_takes_the_switches(tmp_path):
    from sandbox.runner import start_sandbox

    box = start_sandbox(state_dir=None, allow_insecure_callbacks=True,
                        webhook_delay_seconds=0.5)
    try:
        settings = box.handle_control("POST", ["smartsheet", "webhooks"], {})
        assert (settings["allow_insecure_callbacks"], settings["delay_seconds"]) == (True, 0.5)
        defaults = requests.post(f"{box.info['control_url']}/smartsheet/webhooks", json={
            "reset": True}, timeout=5).json()
        assert (defaults["allow_insecure_callbacks"], defaults["delay_seconds"]) == (True, 0.5)
    finally:
        box.stop()
    plain = start_sandbox(state_dir=None)
    try:
        settings = plain.smartsheet.hook_settings
        assert (settings.allow_insecure_callbacks, settings.delay_seconds,
                settings.reverify_every) == (False, 60.0, 100)
    finally:
        plain.stop()


def test_it_batches_changes_into_one_callback_after_the_delay(emulator, admin, receiver):
    emulator.configure_webhooks(delay_seconds=0.4)
    sheet_id, cols, hook = _enabled(admin, receiver)
    first = add_rows(admin, sheet_id, cols, [{"Name": "a"}])
    second = add_rows(admin, sheet_id, cols, [{"Name": "b"}])
    time.sleep(0.15)
    assert receiver.callbacks() == []  # still waiting for the sheet to settle
    (headers, body), = receiver.wait_for(1)
    events = json.loads(body)["events"]
    created = [e["id"] for e in events if (e["objectType"], e["eventType"]) == ("row", "created")]
    assert created == first + second
    time.sleep(0.5)
    assert len(receiver.callbacks()) == 1


def test_the_default_minute_waits_unless_flushed(sandbox, emulator, admin, receiver):
    sheet_id, cols, _ = _enabled(admin, receiver)
    add_rows(admin, sheet_id, cols, [{"Name": "a"}])
    time.sleep(0.3)
    assert receiver.callbacks() == []
    assert sandbox.handle_control("POST", ["smartsheet", "webhooks_flush"], {}) == {"flushed": 1}
    assert len(receiver.wait_for(1)) == 1


def test_it_verifies_again_every_n_callbacks(emulator, admin, receiver):
    emulator.configure_webhooks(delay_seconds=0, reverify_every=2)
    sheet_id, cols, hook = _enabled(admin, receiver)
    for count, name in enumerate(("a", "b", "c"), start=1):
        add_rows(admin, sheet_id, cols, [{"Name": name}])
        receiver.wait_for(count)
    challenges = [i for i, (h, _) in enumerate(receiver.calls)
                  if "Smartsheet-Hook-Challenge" in h]
    assert challenges == [0, 3]  # enabling, then before the third callback
    assert admin.Webhooks.get_webhook(hook.id).status == "ENABLED"


def test_an_unanswered_challenge_disables_and_enabling_verifies_again(emulator, admin,
                                                                        receiver):
    emulator.configure_webhooks(delay_seconds=0, reverify_every=1)
    sheet_id, cols, hook = _enabled(admin, receiver)
    add_rows(admin, sheet_id, cols, [{"Name": "a"}])
    receiver.wait_for(1)
    receiver.mode = "ignore"
    add_rows(admin, sheet_id, cols, [{"Name": "b"}])
    deadline = time.monotonic() + 5
    while admin.Webhooks.get_webhook(hook.id).status != "DISABLED_VERIFICATION_FAILED":
        assert time.monotonic() < deadline, "the webhook stayed enabled"
        time.sleep(0.05)
    assert len(receiver.callbacks()) == 1
    receiver.mode = "json"
    again = admin.Webhooks.update_webhook(hook.id, Webhook({"enabled": True})).result
    assert (again.status, again.enabled) == ("ENABLED", True)
    challenges = [h for h, _ in receiver.calls if "Smartsheet-Hook-Challenge" in h]
    assert len(challenges) == 3  # enable, re-verification, enable again


def test_losing_the_sheet_disables_with_a_status_change_callback(sandbox, emulator,
                                                                   client_for, admin,
                                                                   receiver):
    emulator.configure_webhooks(delay_seconds=0)
    sheet_id, cols = make_sheet(admin)
    sandbox.smartsheet.share(sheet_id=sheet_id, email=BOB, access_level="VIEWER")
    bob = client_for(BOB)
    hook = _create(bob, sheet_id, receiver.url)  # a viewer may watch a sheet
    bob.Webhooks.update_webhook(hook.id, Webhook({"enabled": True}))
    sandbox.handle_control("POST", ["smartsheet", "share"], {
        "sheet_id": sheet_id, "email": BOB, "access_level": None})
    (headers, body), = receiver.wait_for(1)
    payload = json.loads(body)
    assert payload["newWebhookStatus"] == "DISABLED_SCOPE_INACCESSIBLE"
    assert "events" not in payload and payload["webhookId"] == hook.id
    assert bob.Webhooks.get_webhook(hook.id).status == "DISABLED_SCOPE_INACCESSIBLE"
    add_rows(admin, sheet_id, cols, [{"Name": "unseen"}])
    time.sleep(0.2)
    assert len(receiver.callbacks()) == 1


def test_it_needs_a_share_to_watch_a_sheet(emulator, admin, client_for, receiver):
    sheet_id, _ = make_sheet(admin)
    error = _refused(lambda: _create(client_for(CAROL), sheet_id, receiver.url))
    assert (error.code, error.message) == (
        1151, f"Scope 'sheet', object id {sheet_id} was not found.")
