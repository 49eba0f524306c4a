"""Drive the emulators' authorize pages with plain ``requests``, as a browser would."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import requests

from connector.clients import TokenSet, smartsheet_authorize_url, smartsheet_token_exchange
from sandbox.personas import PASSWORD

REDIRECT = "http://127.0.0.1:8000/connect/callback/"


def salesforce_consent(authorize_url: str, *, username: str, ca_bundle: str) -> dict:
    """Open the authorize URL, sign in and allow; the redirect's query parameters."""
    page = requests.get(authorize_url, verify=ca_bundle, timeout=10)
    assert page.status_code == 200, page.text
    query = {k: v[0] for k, v in parse_qs(urlsplit(authorize_url).query).items()}
    answer = requests.post(
        authorize_url.split("?")[0],
        data={**query, "username": username, "pw": PASSWORD, "action": "allow"},
        verify=ca_bundle, allow_redirects=False, timeout=10)
    assert answer.status_code == 302, answer.text
    return {k: v[0] for k, v in parse_qs(urlsplit(answer.headers["Location"]).query).items()}


def smartsheet_consent(authorize_url: str, *, email: str) -> dict:
    page = requests.get(authorize_url, timeout=10)
    assert page.status_code == 200, page.text
    query = {k: v[0] for k, v in parse_qs(urlsplit(authorize_url).query).items()}
    answer = requests.post(
        authorize_url.split("?")[0],
        data={**query, "email": email, "password": PASSWORD, "decision": "allow"},
        allow_redirects=False, timeout=10)
    assert answer.status_code in (302, 303), answer.text
    return {k: v[0] for k, v in parse_qs(urlsplit(answer.headers["Location"]).query).items()}


def smartsheet_authorize_base(api_base: str) -> str:
    """The sandbox serves Smartsheet's ``/b/authorize`` page next to ``/2.0``."""
    return api_base.rsplit("/2.0", 1)[0] + "/b/authorize"


def smartsheet_tokens(ss_info: dict, email: str) -> TokenSet:
    """OAuth tokens (with a refresh token) for a sandbox user, through the real flow."""
    url = smartsheet_authorize_url(authorize_url=smartsheet_authorize_base(ss_info["api_base"]),
                                   client_id=ss_info["client_id"], redirect_uri=REDIRECT,
                                   state="t-9", scopes=("READ_SHEETS", "WRITE_SHEETS"))
    back = smartsheet_consent(url, email=email)
    assert back["state"] == "t-9"
    return smartsheet_token_exchange(api_base=ss_info["api_base"],
                                     client_id=ss_info["client_id"],
                                     client_secret=ss_info["client_secret"], code=back["code"],
                                     redirect_uri=REDIRECT)
