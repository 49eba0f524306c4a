"""The OAuth code flows of both services, driven through the emulators' authorize pages."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from connector.clients import (
    ClientError,
    SalesforceClient,
    SmartsheetClient,
    salesforce_authorize_url,
    salesforce_token_exchange,
    smartsheet_authorize_url,
    smartsheet_token_exchange,
    smartsheet_token_refresh,
)
from tests.connector.oauth_flows import (
    REDIRECT,
    salesforce_consent,
    smartsheet_authorize_base,
    smartsheet_consent,
    smartsheet_tokens,
)


def test_it_completes_the_salesforce_code_flow(sf_info):
    url = salesforce_authorize_url(login_url=sf_info["login_url"],
                                   client_id=sf_info["client_id"], redirect_uri=REDIRECT,
                                   state="s-123")
    back = salesforce_consent(url, username="alice@example.com.sandbox",
                              ca_bundle=sf_info["ca_bundle"])
    assert back["state"] == "s-123"

    tokens = salesforce_token_exchange(
        login_url=sf_info["login_url"], client_id=sf_info["client_id"],
        client_secret=sf_info["client_secret"], code=back["code"], redirect_uri=REDIRECT,
        ca_bundle=sf_info["ca_bundle"])

    assert tokens.access_token and tokens.refresh_token
    assert tokens.instance_url == sf_info["instance_url"]
    assert "/id/" in tokens.identity_url
    client = SalesforceClient(instance_url=tokens.instance_url, access_token=tokens.access_token,
                              ca_bundle=sf_info["ca_bundle"], identity_url=tokens.identity_url)
    assert client.identity()["email"] == "alice@example.com"


def test_it_refuses_a_salesforce_code_twice(sf_info):
    url = salesforce_authorize_url(login_url=sf_info["login_url"],
                                   client_id=sf_info["client_id"], redirect_uri=REDIRECT,
                                   state="s")
    code = salesforce_consent(url, username="bob@example.com.sandbox",
                              ca_bundle=sf_info["ca_bundle"])["code"]
    exchange = dict(login_url=sf_info["login_url"], client_id=sf_info["client_id"],
                    client_secret=sf_info["client_secret"], code=code, redirect_uri=REDIRECT,
                    ca_bundle=sf_info["ca_bundle"])
    salesforce_token_exchange(**exchange)

    with pytest.raises(ClientError) as caught:
        salesforce_token_exchange(**exchange)

    assert caught.value.kind == "auth"
    assert code not in caught.value.message


def test_it_reports_a_wrong_salesforce_client_secret_as_invalid(sf_info):
    url = salesforce_authorize_url(login_url=sf_info["login_url"],
                                   client_id=sf_info["client_id"], redirect_uri=REDIRECT,
                                   state="s")
    code = salesforce_consent(url, username="bob@example.com.sandbox",
                              ca_bundle=sf_info["ca_bundle"])["code"]

    with pytest.raises(ClientError) as caught:
        salesforce_token_exchange(login_url=sf_info["login_url"],
                                  client_id=sf_info["client_id"], client_secret="wrong",
                                  code=code, redirect_uri=REDIRECT,
                                  ca_bundle=sf_info["ca_bundle"])

    assert caught.value.kind == "invalid"
    assert "wrong" not in caught.value.message


def test_it_completes_the_smartsheet_code_flow(ss_info):
    tokens = smartsheet_tokens(ss_info, "alice@example.com")

    assert tokens.access_token and tokens.refresh_token
    assert tokens.expires_at is not None and tokens.expires_at > datetime.now(UTC)
    client = SmartsheetClient(api_base=ss_info["api_base"], access_token=tokens.access_token)
    assert client.me()["email"] == "alice@example.com"


def test_it_rotates_the_smartsheet_refresh_token(ss_info):
    tokens = smartsheet_tokens(ss_info, "bob@example.com")
    refresh = dict(api_base=ss_info["api_base"], client_id=ss_info["client_id"],
                   client_secret=ss_info["client_secret"])

    fresh = smartsheet_token_refresh(**refresh, refresh_token=tokens.refresh_token)

    assert fresh.refresh_token != tokens.refresh_token
    with pytest.raises(ClientError) as caught:
        smartsheet_token_refresh(**refresh, refresh_token=tokens.refresh_token)
    assert caught.value.kind == "revoked"
    assert tokens.refresh_token not in str(caught.value)


def test_it_refuses_a_smartsheet_code_with_a_wrong_secret(ss_info):
    url = smartsheet_authorize_url(authorize_url=smartsheet_authorize_base(ss_info["api_base"]),
                                   client_id=ss_info["client_id"], redirect_uri=REDIRECT,
                                   state="x", scopes="READ_SHEETS")
    code = smartsheet_consent(url, email="bob@example.com")["code"]

    with pytest.raises(ClientError) as caught:
        smartsheet_token_exchange(api_base=ss_info["api_base"], client_id=ss_info["client_id"],
                                  client_secret="not-the-secret", code=code)

    assert caught.value.kind == "auth"
    assert caught.value.code == "1072"
