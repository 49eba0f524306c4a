"""Smartsheet webhooks against the sandbox, calling back into a live Django server:
the verification handshake, signatures, change-agent filtering, repair and removal."""

from __future__ import annotations

import json
import logging

import pytest
from django.db import connection
from django.test import override_settings

from runs.realtime.models import RealtimeSignal, WebhookStatus, WebhookSubscription
from runs.realtime.webhooks import sign, webhook_ensure, webhook_remove, webhooks_reconcile
from tests import factories, personas
from tests.runs.realtime.conftest import wait_for
from tests.runs.realtime.world import account_workflow, connected_alice
from workflows.models import Workflow
from workflows.services import workflow_transfer


@pytest.fixture
def hooked(rt_sandbox, live_server, transactional_db):
    """Webhooks on, calling back to the live server; a workflow with an enabled webhook."""
    with override_settings(PUBLIC_BASE_URL=live_server.url, SHEETFORCE_WEBHOOKS_ENABLED=True,
                           SHEETFORCE_REALTIME_QUIET_SECONDS=30):
        alice, install = connected_alice(rt_sandbox)
        workflow, columns = account_workflow(rt_sandbox, alice, install)
        sub = webhook_ensure(workflow=workflow)
        yield workflow, columns, sub


def _signal(workflow):
    return RealtimeSignal.objects.filter(workflow=workflow, armed=True).first()


def test_it_creates_and_verifies_a_sheet_webhook_and_keeps_its_secret_encrypted(
        hooked, rt_sandbox, live_server):
    workflow, _, sub = hooked
    assert sub.status == WebhookStatus.ENABLED, sub.message
    hook = rt_sandbox.smartsheet.webhooks[sub.webhook_id]
    assert hook["status"] == "ENABLED" and hook["scopeObjectId"] == workflow.sheet_id
    assert hook["callbackUrl"] == f"{live_server.url}/hooks/smartsheet/{workflow.pk}/"
    assert hook["events"] == ["*.*"] and hook["scope"] == "sheet"
    with connection.cursor() as cursor:
        cursor.execute("SELECT shared_secret FROM runs_webhooksubscription WHERE id = %s",
                       [sub.pk])
        raw = cursor.fetchone()[0]
    assert raw.startswith("fernet:") and hook["sharedSecret"] not in raw
    assert sub.shared_secret == hook["sharedSecret"]


def test_a_persons_edit_arms_a_run_and_the_engines_own_edit_does_not(hooked, rt_sandbox):
    workflow, columns, _ = hooked
    client = factories.smartsheet_client(rt_sandbox)  # writes with change agent "sheetforce"
    [row] = client.add_rows(workflow.sheet_id, [
        {"cells": [{"columnId": columns["Name"], "value": "Ours"}]}])
    delivered = rt_sandbox.smartsheet.deliverer
    assert wait_for(lambda: delivered.pending() == 0 and delivered.delivered >= 1)
    assert _signal(workflow) is None

    rt_sandbox.smartsheet.edit_cells(sheet_id=workflow.sheet_id, email="ada@example.com", rows=[
        {"id": row.row_id, "cells": [{"columnId": columns["Phone"], "value": "555"}]}])
    signal = wait_for(lambda: _signal(workflow))
    assert signal is not None and signal.trigger == "webhook"


def test_a_bad_signature_is_refused_and_logged_without_the_secret(hooked, client, caplog):
    workflow, _, sub = hooked
    url = f"/hooks/smartsheet/{workflow.pk}/"
    body = json.dumps({"webhookId": sub.webhook_id, "scope": "sheet", "events": [
        {"objectType": "row", "eventType": "updated", "id": 1, "userId": 2}]}).encode()
    with caplog.at_level(logging.WARNING):
        bad = client.post(url, body, content_type="application/json",
                          HTTP_SMARTSHEET_HMAC_SHA256=sign("not-the-secret", body))
        missing = client.post(url, body, content_type="application/json")
    assert bad.status_code == 403 and missing.status_code == 403
    assert "bad or missing Smartsheet-Hmac-SHA256" in caplog.text
    assert sub.shared_secret not in caplog.text
    assert _signal(workflow) is None

    good = client.post(url, body, content_type="application/json",
                       HTTP_SMARTSHEET_HMAC_SHA256=sign(sub.shared_secret, body))
    assert good.status_code == 200 and _signal(workflow) is not None


def test_it_answers_a_challenge_in_header_and_body(hooked, client):
    workflow, _, sub = hooked
    answer = client.post(f"/hooks/smartsheet/{workflow.pk}/",
                         {"challenge": "abc", "webhookId": sub.webhook_id},
                         content_type="application/json", HTTP_SMARTSHEET_HOOK_CHALLENGE="abc")
    assert answer.status_code == 200
    assert answer["Smartsheet-Hook-Response"] == "abc"
    assert answer.json() == {"smartsheetHookResponse": "abc"}
    unknown = client.post("/hooks/smartsheet/999999/", {"challenge": "x"},
                          content_type="application/json", HTTP_SMARTSHEET_HOOK_CHALLENGE="x")
    assert unknown.status_code == 410


def test_a_webhook_disabled_by_smartsheet_is_enabled_again_with_a_catch_up_run(
        hooked, rt_sandbox):
    workflow, _, sub = hooked
    hook = rt_sandbox.smartsheet.webhooks[sub.webhook_id]
    hook["enabled"], hook["status"] = False, "DISABLED_CALLBACK_FAILED"
    again = webhook_ensure(workflow=workflow)
    assert again.pk == sub.pk and again.status == WebhookStatus.ENABLED
    assert rt_sandbox.smartsheet.webhooks[sub.webhook_id]["status"] == "ENABLED"
    assert _signal(workflow) is not None  # changes made meanwhile get synced


def test_the_webhook_goes_with_the_workflow(hooked, rt_sandbox):
    workflow, _, sub = hooked
    other, _ = account_workflow(rt_sandbox, workflow.owner, workflow.install)
    workflow.delete()
    counts = webhooks_reconcile()
    assert counts["removed"] == 1
    assert sub.webhook_id not in rt_sandbox.smartsheet.webhooks
    assert not WebhookSubscription.objects.filter(pk=sub.pk).exists()
    mine = WebhookSubscription.objects.get(workflow=other)
    assert rt_sandbox.smartsheet.webhooks[mine.webhook_id]["status"] == "ENABLED"
    assert webhook_remove(workflow=other) is True
    assert mine.webhook_id not in rt_sandbox.smartsheet.webhooks


@pytest.mark.django_db
def test_webhooks_stay_off_without_a_public_base_url(rt_sandbox):
    with override_settings(PUBLIC_BASE_URL="http://127.0.0.1:8000",
                           SHEETFORCE_WEBHOOKS_ENABLED=None):
        alice, install = connected_alice(rt_sandbox)
        workflow, _ = account_workflow(rt_sandbox, alice, install)
        assert webhook_ensure(workflow=workflow) is None
    assert not WebhookSubscription.objects.exists()


def test_a_signed_callback_replayed_verbatim_is_ignored(hooked, client):
    workflow, _, sub = hooked
    url = f"/hooks/smartsheet/{workflow.pk}/"
    body = json.dumps({"nonce": "n-1", "webhookId": sub.webhook_id, "scope": "sheet",
                       "events": [{"objectType": "row", "eventType": "updated", "id": 1,
                                   "userId": 2}]}).encode()
    signature = sign(sub.shared_secret, body)
    first = client.post(url, body, content_type="application/json",
                        HTTP_SMARTSHEET_HMAC_SHA256=signature)
    assert first.status_code == 200 and first.json()["changes"] == 1
    RealtimeSignal.objects.filter(workflow=workflow).delete()
    again = client.post(url, body, content_type="application/json",
                        HTTP_SMARTSHEET_HMAC_SHA256=signature)
    assert again.status_code == 200 and again.json() == {"ok": True, "duplicate": True}
    assert _signal(workflow) is None


def test_a_callback_nested_too_deeply_is_a_400(hooked, client):
    workflow, _, sub = hooked
    body = b"[" * 100_000 + b"]" * 100_000
    answer = client.post(f"/hooks/smartsheet/{workflow.pk}/", body,
                         content_type="application/json",
                         HTTP_SMARTSHEET_HMAC_SHA256=sign(sub.shared_secret, body))
    assert answer.status_code == 400


def test_a_transferred_workflows_webhook_moves_to_the_new_owner(sandbox, live_server,
                                                               transactional_db):
    with override_settings(PUBLIC_BASE_URL=live_server.url, SHEETFORCE_WEBHOOKS_ENABLED=True):
        alice, install = connected_alice(sandbox)
        workflow, _ = account_workflow(sandbox, alice, install)
        old = webhook_ensure(workflow=workflow).webhook_id
        bob = personas.bob()
        factories.connect(bob, install, sandbox)
        workflow_transfer(actor=personas.sam(), workflow=workflow, new_owner=bob)
        sub = webhook_ensure(workflow=Workflow.objects.get(pk=workflow.pk))
    assert sub.owner == bob and sub.status == WebhookStatus.ENABLED, sub.message
    assert sub.webhook_id != old and old not in sandbox.smartsheet.webhooks
    assert WebhookSubscription.objects.count() == 1
