from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from simple_salesforce.exceptions import SalesforceExpiredSession

from sandbox.personas import PASSWORD, SALESFORCE_CLIENT_ID, SALESFORCE_CLIENT_SECRET
from tests.sandbox.salesforce.conftest import https_session

CALLBACK = "http://127.0.0.1:8000/oauth/salesforce/callback"


def _token(info, **form):
    return https_session(info["ca_bundle"]).post(
        f"{info['login_url']}/services/oauth2/token",
        data={"client_id": SALESFORCE_CLIENT_ID, "client_secret": SALESFORCE_CLIENT_SECRET,
              **form})


def test_it_runs_the_authorization_code_flow(info, connect, org):
    http = https_session(info["ca_bundle"])
    page = http.get(f"{info['login_url']}/services/oauth2/authorize", params={
        "response_type": "code", "client_id": SALESFORCE_CLIENT_ID,
        "redirect_uri": CALLBACK, "state": "xyz"})
    assert page.status_code == 200 and "<form" in page.text
    hidden = dict(re.findall(r'name="(\w+)" value="([^"]*)"', page.text))
    sent = http.post(f"{info['login_url']}/services/oauth2/authorize", data={
        **hidden, "username": "bob@example.com.sandbox", "pw": PASSWORD, "action": "allow"},
        allow_redirects=False)
    assert sent.status_code == 302
    location = urlsplit(sent.headers["Location"])
    query = parse_qs(location.query)
    assert location.path == "/oauth/salesforce/callback" and query["state"] == ["xyz"]
    answer = _token(info, grant_type="authorization_code", code=query["code"][0],
                    redirect_uri=CALLBACK).json()
    assert {"access_token", "refresh_token", "signature", "scope", "instance_url", "id",
            "token_type", "issued_at"} <= set(answer)
    assert answer["token_type"] == "Bearer" and answer["instance_url"] == info["instance_url"]
    identity = http.get(answer["id"], headers={"Authorization": f"Bearer {answer['access_token']}"})
    assert identity.json()["username"] == "bob@example.com.sandbox"
    again = _token(info, grant_type="authorization_code", code=query["code"][0],
                   redirect_uri=CALLBACK)
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"


def test_it_refuses_unknown_clients_and_foreign_redirects(info):
    http = https_session(info["ca_bundle"])
    url = f"{info['login_url']}/services/oauth2/authorize"
    assert http.get(url, params={"response_type": "code", "client_id": "nope",
                                 "redirect_uri": CALLBACK}).status_code == 400
    assert http.get(url, params={"response_type": "code", "client_id": SALESFORCE_CLIENT_ID,
                                 "redirect_uri": "https://evil.example/cb"}).status_code == 400


def test_it_keeps_the_refresh_token_when_the_app_does_not_rotate(info, connect, org):
    # A new connected app has "Refresh Token Rotation" off: no new refresh token, and the
    # one the client has keeps working.
    first = org.control("token", {"user": "carol"})
    refreshed = _token(info, grant_type="refresh_token", refresh_token=first["refresh_token"])
    body = refreshed.json()
    assert refreshed.status_code == 200 and "refresh_token" not in body
    assert connect(body["access_token"]).query("SELECT Id FROM User")["totalSize"] >= 1
    again = _token(info, grant_type="refresh_token", refresh_token=first["refresh_token"])
    assert again.status_code == 200 and again.json()["access_token"] != body["access_token"]


def test_it_rotates_refresh_tokens_when_the_app_does(sandbox, info, connect, org):
    assert sandbox.handle_control("POST", ["salesforce", "connected_app"], {
        "rotate_refresh_tokens": True})["rotate_refresh_tokens"] is True
    first = org.control("token", {"user": "carol"})
    rotated = _token(info, grant_type="refresh_token", refresh_token=first["refresh_token"])
    body = rotated.json()
    assert rotated.status_code == 200 and body["refresh_token"] != first["refresh_token"]
    assert connect(body["access_token"]).query("SELECT Id FROM User")["totalSize"] >= 1
    stale = _token(info, grant_type="refresh_token", refresh_token=first["refresh_token"])
    assert stale.status_code == 400 and stale.json()["error"] == "invalid_grant"
    org.reset()  # back to the option: no rotation
    later = _token(info, grant_type="refresh_token", refresh_token=body["refresh_token"])
    assert later.status_code == 200 and "refresh_token" not in later.json()


def test_it_supports_password_and_client_credentials_grants(info):
    password = _token(info, grant_type="password", username="dan@example.com.sandbox",
                      password=PASSWORD).json()
    assert "access_token" in password and "refresh_token" not in password
    wrong = _token(info, grant_type="password", username="dan@example.com.sandbox",
                   password="wrong")
    assert wrong.status_code == 400 and wrong.json()["error"] == "invalid_grant"
    assert "access_token" in _token(info, grant_type="client_credentials").json()


def test_it_expires_access_tokens_on_the_clock(sandbox, org, connect):
    org.control("token_ttl", {"seconds": 60})
    try:
        short = org.control("token", {"user": "erin"})["access_token"]
    finally:
        org.control("token_ttl", {"seconds": 7200})
    client = connect(short)
    client.query("SELECT Id FROM Account")
    sandbox.control.clock.advance(61)
    with pytest.raises(SalesforceExpiredSession) as caught:
        client.query("SELECT Id FROM Account")
    assert caught.value.content == [{"message": "Session expired or invalid",
                                     "errorCode": "INVALID_SESSION_ID"}]


def test_it_revokes_a_users_tokens(org, connect, token_for):
    client = connect(token_for("alice"))
    client.query("SELECT Id FROM Account")
    org.control("revoke", {"user": "alice"})
    with pytest.raises(SalesforceExpiredSession):
        client.query("SELECT Id FROM Account")
