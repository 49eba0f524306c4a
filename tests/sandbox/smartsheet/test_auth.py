"""Bearer tokens, their errors and expiry; the OAuth 2.0 authorization-code flow."""

from __future__ import annotations

import hashlib
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import smartsheet
from smartsheet.exceptions import ApiError

from sandbox.personas import PASSWORD, SMARTSHEET_CLIENT_ID, SMARTSHEET_CLIENT_SECRET

from .conftest import ADA, BOB, error_of


def _authorize(api_base: str, email: str, decision: str = "allow", password: str = PASSWORD):
    root = api_base.rsplit("/2.0", 1)[0]
    params = {"response_type": "code", "client_id": SMARTSHEET_CLIENT_ID,
              "scope": "READ_SHEETS WRITE_SHEETS", "state": "xyz",
              "redirect_uri": "http://127.0.0.1:9/callback"}
    page = requests.get(f"{root}/b/authorize", params=params, timeout=5)
    assert page.status_code == 200 and 'name="password"' in page.text
    return requests.post(f"{root}/b/authorize", timeout=5, allow_redirects=False,
                         data={**params, "email": email, "password": password,
                               "decision": decision})


def _hash(value: str) -> str:
    return hashlib.sha256(f"{SMARTSHEET_CLIENT_SECRET}|{value}".encode()).hexdigest()


def test_it_identifies_the_user_by_token(client_for):
    assert client_for(BOB).Users.get_current_user().email == BOB
    assert client_for(ADA).Users.get_current_user().admin is True


@pytest.mark.parametrize(("token", "code"), [("", 1001), ("not-a-token", 1002)])
def test_it_refuses_missing_and_unknown_tokens(api_base, token, code):
    response = requests.get(f"{api_base}/users/me", timeout=5,
                            headers={"Authorization": f"Bearer {token}"} if token else {})
    assert response.status_code == 401
    body = response.json()
    assert body["errorCode"] == code and body["message"] and body["refId"]


def test_it_expires_and_revokes_tokens_through_control(sandbox, client_for):
    client = client_for(BOB)
    sandbox.handle_control("POST", ["smartsheet", "expire_tokens"], {"email": BOB})
    with pytest.raises(ApiError) as excinfo:
        client.Users.get_current_user()
    assert excinfo.value.error.result.code == 1003
    sandbox.smartsheet.revoke(email=BOB)
    with pytest.raises(ApiError) as excinfo:
        client.Users.get_current_user()
    assert excinfo.value.error.result.code == 1002
    assert client_for(ADA).Users.get_current_user().email == ADA


def test_it_runs_the_oauth_flow_and_refreshes(sandbox, emulator, api_base, caplog):
    answer = _authorize(api_base, BOB)
    assert answer.status_code == 302
    query = parse_qs(urlsplit(answer.headers["Location"]).query)
    assert query["state"] == ["xyz"] and int(query["expires_in"][0]) > 0
    code = query["code"][0]

    anonymous = smartsheet.Smartsheet(access_token="unused", api_base=api_base)
    anonymous.errors_as_exceptions(True)
    with pytest.raises(ApiError) as excinfo:
        anonymous.Token.get_access_token(SMARTSHEET_CLIENT_ID, code, "bad-hash")
    assert error_of(caplog)["errorCode"] == 1072
    token = anonymous.Token.get_access_token(SMARTSHEET_CLIENT_ID, code, _hash(code))
    assert token.token_type == "bearer" and token.expires_in > 600
    user_client = smartsheet.Smartsheet(access_token=token.access_token, api_base=api_base)
    user_client.errors_as_exceptions(True)
    assert user_client.Users.get_current_user().email == BOB
    with pytest.raises(ApiError):  # a code is good once
        anonymous.Token.get_access_token(SMARTSHEET_CLIENT_ID, code, _hash(code))

    sandbox.control.clock.advance(token.expires_in + 2)
    with pytest.raises(ApiError) as excinfo:
        user_client.Users.get_current_user()
    assert excinfo.value.error.result.code == 1003

    fresh = anonymous.Token.refresh_access_token(
        SMARTSHEET_CLIENT_ID, token.refresh_token, _hash(token.refresh_token))
    renewed = smartsheet.Smartsheet(access_token=fresh.access_token, api_base=api_base)
    assert renewed.Users.get_current_user().email == BOB
    with pytest.raises(ApiError) as excinfo:  # refresh tokens rotate
        anonymous.Token.refresh_access_token(
            SMARTSHEET_CLIENT_ID, token.refresh_token, _hash(token.refresh_token))
    assert error_of(caplog)["error"] == "invalid_grant"


def test_it_redirects_with_access_denied_and_rejects_bad_passwords(emulator, api_base):
    denied = _authorize(api_base, BOB, decision="deny")
    query = parse_qs(urlsplit(denied.headers["Location"]).query)
    assert query == {"error": ["access_denied"], "state": ["xyz"]}
    wrong = _authorize(api_base, BOB, password="nope")
    assert wrong.status_code == 400 and "Invalid username" in wrong.text
