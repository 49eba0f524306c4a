"""Webhooks: verification handshake, signed skinny callbacks, change agent, retries.

The subscriber listens on http://127.0.0.1, which the real service refuses: these tests
switch ``allow_insecure_callbacks`` on, and send each write's callback at once
(``delay_seconds=0``); tests/sandbox/smartsheet/test_webhook_rules.py covers the defaults.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import smartsheet

from .conftest import add_rows, make_sheet


class Receiver:
    """A tiny subscriber on loopback; ``mode``: "header", "json", "ignore" or "fail"."""

    def __init__(self) -> None:
        self.mode = "header"
        self.calls: list[tuple[dict, bytes]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.calls.append((dict(self.headers), body))
                challenge = self.headers.get("Smartsheet-Hook-Challenge")
                if receiver.mode == "fail":
                    self.send_response(500)
                    self.end_headers()
                    return
                self.send_response(200)
                out = b""
                if challenge and receiver.mode == "header":
                    self.send_header("Smartsheet-Hook-Response", challenge)
                elif challenge and receiver.mode == "json":
                    out = json.dumps({"smartsheetHookResponse": challenge}).encode()
                self.send_header("Content-Length", str(len(out)))
                self.end_headers()
                self.wfile.write(out)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def callbacks(self) -> list[tuple[dict, bytes]]:
        return [(h, b) for h, b in self.calls if "Smartsheet-Hook-Challenge" not in h]

    def wait_for(self, n: int, timeout: float = 5.0) -> list[tuple[dict, bytes]]:
        deadline = time.monotonic() + timeout
        while len(self.callbacks()) < n and time.monotonic() < deadline:
            time.sleep(0.02)
        return self.callbacks()


@pytest.fixture
def receiver(emulator):
    emulator.configure_webhooks(allow_insecure_callbacks=True, delay_seconds=0)
    r = Receiver()
    yield r
    r.server.shutdown()
    emulator.configure_webhooks(reset=True)


def _create(client, sheet_id, url):
    return client.Webhooks.create_webhook(smartsheet.models.Webhook({
        "name": "sync", "callbackUrl": url, "scope": "sheet", "scopeObjectId": sheet_id,
        "events": ["*.*"], "version": 1})).result


@pytest.mark.parametrize("mode", ["header", "json"])
def test_it_verifies_and_sends_signed_callbacks(admin, receiver, mode):
    receiver.mode = mode
    sheet_id, cols = make_sheet(admin)
    hook = _create(admin, sheet_id, receiver.url)
    assert (hook.status, hook.enabled) == ("NEW_NOT_VERIFIED", False)
    enabled = admin.Webhooks.update_webhook(hook.id, smartsheet.models.Webhook(
        {"enabled": True})).result
    assert (enabled.status, enabled.enabled) == ("ENABLED", True)
    challenge_headers, challenge_body = receiver.calls[0]
    assert json.loads(challenge_body) == {
        "challenge": challenge_headers["Smartsheet-Hook-Challenge"], "webhookId": hook.id}

    admin.with_change_agent("sheetforce")
    (row_id,) = add_rows(admin, sheet_id, cols, [{"Name": "a", "Amount": 1}])
    headers, body = receiver.wait_for(1)[0]
    expected = hmac.new(hook.shared_secret.encode(), body, hashlib.sha256).hexdigest()
    assert headers["Smartsheet-Hmac-SHA256"] == expected
    payload = json.loads(body)
    assert payload["webhookId"] == hook.id and payload["scopeObjectId"] == sheet_id
    assert payload["nonce"] and payload["timestamp"]
    kinds = {(e["objectType"], e["eventType"]) for e in payload["events"]}
    assert {("sheet", "updated"), ("row", "created"), ("cell", "created")} <= kinds
    assert {e["changeAgent"] for e in payload["events"]} == {"sheetforce"}
    assert any(e.get("rowId") == row_id for e in payload["events"])
    assert len(receiver.callbacks()) == 1  # one write, one callback


def test_it_fails_verification_and_lists_webhooks(admin, receiver):
    receiver.mode = "ignore"
    sheet_id, _ = make_sheet(admin)
    hook = _create(admin, sheet_id, receiver.url)
    result = admin.Webhooks.update_webhook(hook.id, smartsheet.models.Webhook(
        {"enabled": True})).result
    assert (result.status, result.enabled) == ("DISABLED_VERIFICATION_FAILED", False)
    assert [w.id for w in admin.Webhooks.list_webhooks(page_size=100).data] == [hook.id]
    admin.Webhooks.delete_webhook(hook.id)
    assert admin.Webhooks.list_webhooks().total_count == 0


def test_it_retries_then_disables_a_failing_callback(sandbox, admin, receiver):
    sheet_id, cols = make_sheet(admin)
    hook = _create(admin, sheet_id, receiver.url)
    admin.Webhooks.update_webhook(hook.id, smartsheet.models.Webhook({"enabled": True}))
    receiver.mode = "fail"
    add_rows(admin, sheet_id, cols, [{"Name": "a"}])
    deadline = time.monotonic() + 5
    while admin.Webhooks.get_webhook(hook.id).status != "DISABLED_CALLBACK_FAILED":
        assert time.monotonic() < deadline, "the webhook was never disabled"
        time.sleep(0.05)
    retries = len(sandbox.smartsheet.hook_settings.retry_delays)
    assert len(receiver.callbacks()) == retries + 1
    bodies = {b for _, b in receiver.callbacks()}
    assert len(bodies) == 1  # the same callback, retried


def test_it_reports_person_edits_made_through_control(sandbox, admin, receiver):
    sheet_id, cols = make_sheet(admin)
    (row_id,) = add_rows(admin, sheet_id, cols, [{"Name": "a"}])
    hook = _create(admin, sheet_id, receiver.url)
    admin.Webhooks.update_webhook(hook.id, smartsheet.models.Webhook({"enabled": True}))
    sandbox.smartsheet.share(sheet_id=sheet_id, email="bob@example.com", access_level="EDITOR")
    sandbox.smartsheet.edit_cells(sheet_id=sheet_id, email="bob@example.com", rows=[
        {"id": row_id, "cells": [{"columnId": cols["Amount"], "value": 7}]}])
    payload = json.loads(receiver.wait_for(1)[0][1])
    bob = next(u for u in admin.Users.list_users(include_all=True).data
               if u.email == "bob@example.com")
    cell_events = [e for e in payload["events"] if e["objectType"] == "cell"]
    assert cell_events == [{"objectType": "cell", "eventType": "created", "rowId": row_id,
                            "columnId": cols["Amount"], "userId": bob.id,
                            "timestamp": payload["timestamp"]}]
