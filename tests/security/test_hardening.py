"""CSRF on every POST form, secure cookies and HSTS in production settings, webhook
callbacks verified by HMAC, sign-in attempts throttled."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

from accounts.throttle import MAX_FAILURES_PER_USERNAME as SIGNIN_MAX_FAILURES
from runs.realtime.models import WebhookSubscription
from runs.realtime.webhooks import sign
from tests import factories, personas

ROOT = Path(__file__).resolve().parents[2]

#: Every view that accepts POST: (path template, who posts).
POST_FORMS = [
    ("/signin/", None), ("/signout/", "alice"),
    ("/connections/{install}/smartsheet/connect/", "alice"),
    ("/connections/{connection}/disconnect/", "alice"),
    ("/workflows/{workflow}/rename/", "alice"), ("/workflows/{workflow}/enabled/", "alice"),
    ("/workflows/{workflow}/delete/", "alice"), ("/workflows/{workflow}/run/", "alice"),
    ("/workflows/new/", "alice"),
    ("/wizard/settings/", "alice"), ("/wizard/fields/", "alice"),
    ("/wizard/filters/", "alice"), ("/wizard/groups/", "alice"), ("/wizard/options/", "alice"),
    ("/wizard/save/", "alice"), ("/installs/{install}/sheets/1/prepare/", "alice"),
    ("/wizard/cancel/", "alice"), ("/admin/login/", None),
    ("/admin/connector/install/{install}/change/", "sam"),
    ("/admin/accounts/user/{alice}/change/", "sam"),
    ("/admin/logout/", "sam"),
    ("/profile/", "alice"), ("/profile/tokens/", "alice"),
    ("/profile/tokens/1/revoke/", "alice"), ("/i18n/setlang/", None),
]


@pytest.fixture
def objects(db):
    from connector.models import Connection

    alice, sam = personas.alice(), personas.sam()
    install = factories.install()
    workflow = factories.workflow(alice, install)
    connection = Connection.objects.create(user=alice, install=install, service="smartsheet",
                                           access_token="tok")
    return {"users": {"alice": alice, "sam": sam},
            "ids": {"install": install.pk, "workflow": workflow.pk,
                    "connection": connection.pk, "alice": alice.pk}}


@pytest.mark.parametrize(("template", "who"), POST_FORMS, ids=[p[0] for p in POST_FORMS])
def test_every_post_form_refuses_a_request_without_a_csrf_token(objects, template, who):
    from workflows.models import Workflow

    client = Client(enforce_csrf_checks=True)
    if who:
        client.force_login(objects["users"][who])
    response = client.post(template.format(**objects["ids"]),
                           {"name": "x", "username": "alice", "password": personas.PASSWORD})
    assert response.status_code == 403
    assert Workflow.objects.filter(pk=objects["ids"]["workflow"]).exists()


def _settings_in_subprocess(tmp_path: Path, **env: str) -> dict:
    code = ("import json, django; django.setup(); from django.conf import settings as s; "
            "print(json.dumps({k: getattr(s, k, None) for k in ('DEBUG', "
            "'SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', 'SECURE_HSTS_SECONDS', "
            "'SECURE_HSTS_INCLUDE_SUBDOMAINS', 'SESSION_COOKIE_HTTPONLY', "
            "'SECURE_PROXY_SSL_HEADER', 'X_FRAME_OPTIONS')}))")
    clean = {k: v for k, v in os.environ.items()
             if k not in ("DEBUG", "SHEETFORCE_INSECURE_LOCAL", "SECURE_HSTS_SECONDS")}
    clean.update({"DJANGO_SETTINGS_MODULE": "sheetforce.settings",
                  "SHEETFORCE_VAR_DIR": str(tmp_path), **env})
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=clean,
                          capture_output=True, text=True, timeout=60, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_production_settings_have_secure_cookies_and_hsts(tmp_path):
    values = _settings_in_subprocess(tmp_path, DEBUG="0")
    assert values["DEBUG"] is False
    assert values["SESSION_COOKIE_SECURE"] is True and values["CSRF_COOKIE_SECURE"] is True
    assert values["SECURE_HSTS_SECONDS"] >= 31536000
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert values["SESSION_COOKIE_HTTPONLY"] is True and values["X_FRAME_OPTIONS"] == "DENY"


def test_the_insecure_local_switch_is_what_relaxes_them(tmp_path):
    values = _settings_in_subprocess(tmp_path, DEBUG="0", SHEETFORCE_INSECURE_LOCAL="1")
    assert values["SESSION_COOKIE_SECURE"] is False and values["SECURE_HSTS_SECONDS"] == 0


def test_webhook_callbacks_need_a_valid_hmac(objects, client):
    from workflows.models import Workflow

    workflow = Workflow.objects.get(pk=objects["ids"]["workflow"])
    WebhookSubscription.objects.create(workflow=workflow, owner=workflow.owner,
                                       install=workflow.install, sheet_id=workflow.sheet_id,
                                       webhook_id=77, shared_secret="hook-secret",
                                       callback_url="https://example.com/hooks/")
    body = json.dumps({"nonce": "n", "webhookId": 77, "scope": "sheet",
                       "scopeObjectId": workflow.sheet_id,
                       "events": [{"objectType": "cell", "eventType": "updated"}]}).encode()
    url = f"/hooks/smartsheet/{workflow.pk}/"

    def post(signature: str | None):
        headers = {"HTTP_SMARTSHEET_HMAC_SHA256": signature} if signature is not None else {}
        return client.post(url, body, content_type="application/json", **headers)

    assert post(None).status_code == 403
    assert post("0" * 64).status_code == 403
    assert post(sign("another-secret", body)).status_code == 403
    assert post(sign("hook-secret", body + b" ")).status_code == 403
    assert post(sign("hook-secret", body)).status_code == 200


def test_sign_in_attempts_are_throttled(objects, client):
    for _ in range(SIGNIN_MAX_FAILURES):
        assert client.post("/signin/", {"username": "alice", "password": "nope"}
                           ).status_code == 200
    assert client.post("/signin/", {"username": "alice", "password": personas.PASSWORD}
                       ).status_code == 429
