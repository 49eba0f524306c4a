"""Smartsheet webhooks as the real service runs them, against the sandbox calling a live
server: batched callbacks carrying many events, a verification challenge repeated every
few callbacks (an unanswered one disables the webhook, which the product repairs),
status-change callbacks, and callback URLs Smartsheet would refuse."""

from __future__ import annotations

import json

import pytest
from django.test import override_settings
from django.utils import timezone
from django_q.conf import Conf

from runs.realtime import conf
from runs.realtime.models import RealtimeSignal, WebhookStatus, WebhookSubscription
from runs.realtime.webhooks import CallbackAnswer, sign, webhook_ensure, webhooks_reconcile
from tests.runs.realtime.conftest import wait_for
from tests.runs.realtime.world import account_workflow, connected_alice


@pytest.fixture
def hooks(rt_sandbox):
    """The sandbox's webhook behaviour, put back after the test."""
    yield rt_sandbox.smartsheet
    rt_sandbox.smartsheet.configure_webhooks(reset=True)


@pytest.fixture
def hooked(rt_sandbox, hooks, live_server, transactional_db):
    """Webhooks on, calling back to the live server; alice's workflow with an enabled
    webhook; runs never fire on their own (a long quiet period)."""
    with override_settings(PUBLIC_BASE_URL=live_server.url, SHEETFORCE_WEBHOOKS_ENABLED=True,
                           SHEETFORCE_REALTIME_QUIET_SECONDS=30):
        alice, install = connected_alice(rt_sandbox)
        workflow, columns = account_workflow(rt_sandbox, alice, install)
        sub = webhook_ensure(workflow=workflow)
        assert sub.status == WebhookStatus.ENABLED, sub.message
        yield workflow, columns, sub


def _row(rt_sandbox, workflow, columns) -> int:
    from tests import factories

    client = factories.smartsheet_client(rt_sandbox)
    [row] = client.add_rows(workflow.sheet_id, [
        {"cells": [{"columnId": columns["Name"], "value": "Ours"}]}])
    return row.row_id


def _edit(rt_sandbox, workflow, columns, row_id: int, value: str) -> None:
    rt_sandbox.smartsheet.edit_cells(sheet_id=workflow.sheet_id, email="ada@example.com", rows=[
        {"id": row_id, "cells": [{"columnId": columns["Phone"], "value": value}]}])


def _settled(hooks) -> bool:
    return wait_for(lambda: hooks.deliverer.pending() == 0, timeout=10)


def _signal(workflow):
    return RealtimeSignal.objects.filter(workflow=workflow, armed=True).first()


def test_one_callback_carries_a_burst_of_changes_and_asks_for_one_run(hooked, rt_sandbox,
                                                                       hooks):
    workflow, columns, _ = hooked
    row_id = _row(rt_sandbox, workflow, columns)
    assert _settled(hooks)
    hooks.configure_webhooks(delay_seconds=0.5)  # a short stand-in for the real minute
    before = hooks.deliverer.delivered

    for value in ("1", "2", "3"):
        _edit(rt_sandbox, workflow, columns, row_id, value)
    assert _settled(hooks)

    assert hooks.deliverer.delivered - before == 1  # the three edits in one callback
    signal = _signal(workflow)
    assert signal is not None and signal.pending_events >= 3


def test_it_answers_the_challenge_that_comes_again_every_few_callbacks(
        hooked, rt_sandbox, hooks):
    workflow, columns, sub = hooked
    row_id = _row(rt_sandbox, workflow, columns)
    assert _settled(hooks)
    hooks.configure_webhooks(reverify_every=2)
    verified, delivered = hooks.deliverer.verifications, hooks.deliverer.delivered

    for value in ("1", "2", "3", "4", "5"):
        _edit(rt_sandbox, workflow, columns, row_id, value)
        assert _settled(hooks)

    assert hooks.deliverer.verifications - verified >= 2
    assert hooks.deliverer.delivered - delivered == 5  # every change still arrives
    assert hooks.webhooks[sub.webhook_id]["status"] == "ENABLED"


def test_a_webhook_disabled_by_an_unanswered_challenge_is_repaired_by_reconcile(
        hooked, rt_sandbox, hooks, monkeypatch):
    workflow, columns, sub = hooked
    row_id = _row(rt_sandbox, workflow, columns)
    assert _settled(hooks)
    hooks.configure_webhooks(reverify_every=1)
    # An outage of the callback endpoint while Smartsheet verifies again.
    monkeypatch.setattr("api.views.webhooks.webhook_callback",
                        lambda **kwargs: CallbackAnswer(503, {"error": "down"}))
    _edit(rt_sandbox, workflow, columns, row_id, "1")
    assert _settled(hooks)
    assert hooks.webhooks[sub.webhook_id]["status"] == "DISABLED_VERIFICATION_FAILED"
    monkeypatch.undo()
    RealtimeSignal.objects.filter(workflow=workflow).delete()

    counts = webhooks_reconcile()  # what the listener does every reconcile period

    assert counts["ensured"] == 1
    assert hooks.webhooks[sub.webhook_id]["status"] == "ENABLED"
    assert WebhookSubscription.objects.get(pk=sub.pk).status == WebhookStatus.ENABLED
    assert _signal(workflow) is not None  # the change made meanwhile gets synced


def test_a_status_change_callback_gets_the_webhook_repaired_at_once(
        hooked, rt_sandbox, hooks, monkeypatch):
    monkeypatch.setattr(Conf, "SYNC", True)  # the repair task runs where it is queued
    workflow, _, sub = hooked
    hook = hooks.webhooks[sub.webhook_id]
    hook["enabled"], hook["status"] = False, "DISABLED_CALLBACK_FAILED"

    hooks.deliverer.status_change(hook, "DISABLED_CALLBACK_FAILED", "2026-06-01T10:00:00Z")

    assert wait_for(lambda: hooks.webhooks[sub.webhook_id]["status"] == "ENABLED")
    assert wait_for(lambda: WebhookSubscription.objects.get(pk=sub.pk).status == "ENABLED")
    # Catch-up (changes were not reported meanwhile): requested just after the status is
    # saved, by the live server's thread.
    assert wait_for(lambda: _signal(workflow) is not None)


def test_enabled_again_by_smartsheet_asks_for_a_catch_up_run(hooked, client):
    workflow, _, sub = hooked
    WebhookSubscription.objects.filter(pk=sub.pk).update(
        status=WebhookStatus.DISABLED_SCOPE_INACCESSIBLE, message="lost")
    body = json.dumps({"nonce": "n-2", "timestamp": timezone.now().isoformat(),
                       "webhookId": sub.webhook_id, "scope": "sheet",
                       "scopeObjectId": workflow.sheet_id,
                       "newWebhookStatus": "ENABLED"}).encode()

    answer = client.post(f"/hooks/smartsheet/{workflow.pk}/", body,
                         content_type="application/json",
                         HTTP_SMARTSHEET_HMAC_SHA256=sign(sub.shared_secret, body))

    assert answer.status_code == 200
    again = WebhookSubscription.objects.get(pk=sub.pk)
    assert (again.status, again.message) == (WebhookStatus.ENABLED, "")
    assert _signal(workflow) is not None


def test_a_challenge_riding_on_a_callback_is_answered_and_the_events_handled(hooked, client):
    workflow, _, sub = hooked
    body = json.dumps({"challenge": "c-1", "webhookId": sub.webhook_id, "scope": "sheet",
                       "events": [{"objectType": "row", "eventType": "updated", "id": 1,
                                   "userId": 2}]}).encode()

    answer = client.post(f"/hooks/smartsheet/{workflow.pk}/", body,
                         content_type="application/json",
                         HTTP_SMARTSHEET_HMAC_SHA256=sign(sub.shared_secret, body))

    assert answer.status_code == 200 and answer["Smartsheet-Hook-Response"] == "c-1"
    assert answer.json()["smartsheetHookResponse"] == "c-1"
    assert answer.json()["changes"] == 1 and _signal(workflow) is not None


@pytest.mark.parametrize(("url", "why"), [
    ("http://sheetforce.example.com", "only over https"),
    ("https://127.0.0.1:8443", "only on public hosts"),
    ("https://sheetforce.example.com:9443", "only on ports 443, 8000, 8008, 8080 or 8443"),
])
def test_it_does_not_ask_for_a_webhook_smartsheet_would_refuse(rt_sandbox, transactional_db,
                                                                url, why):
    alice, install = connected_alice(rt_sandbox)
    workflow, _ = account_workflow(rt_sandbox, alice, install)
    before = rt_sandbox.control.counts()["smartsheet"]["by_endpoint"].get("POST webhooks", 0)
    with override_settings(PUBLIC_BASE_URL=url, SHEETFORCE_WEBHOOKS_ENABLED=True,
                           SHEETFORCE_ALLOW_INSECURE_CALLBACKS=False):
        sub = webhook_ensure(workflow=workflow)

    assert sub.webhook_id is None and why in sub.message
    assert "next poll" in sub.message
    assert rt_sandbox.control.counts()["smartsheet"]["by_endpoint"].get(
        "POST webhooks", 0) == before

    # The listener's reconcile costs no call either.
    calls = rt_sandbox.control.counts()["smartsheet"]["total"]
    with override_settings(PUBLIC_BASE_URL=url, SHEETFORCE_WEBHOOKS_ENABLED=True,
                           SHEETFORCE_ALLOW_INSECURE_CALLBACKS=False):
        assert webhooks_reconcile()["problems"] == 1
    assert rt_sandbox.control.counts()["smartsheet"]["total"] == calls


@pytest.mark.parametrize(("url", "enabled"), [
    ("https://sheetforce.example.com", True), ("https://sheetforce.example.com:8443", True),
    ("https://sheetforce.example.com:9443", False), ("http://sheetforce.example.com", False),
    ("https://10.0.0.5", False)])
def test_webhooks_are_on_by_default_only_where_smartsheet_can_call_back(url, enabled):
    with override_settings(PUBLIC_BASE_URL=url, SHEETFORCE_WEBHOOKS_ENABLED=None):
        assert conf.webhooks_enabled() is enabled
