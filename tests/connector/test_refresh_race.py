"""Two clients of one Connection and rotating refresh tokens.

Both clients start with the same tokens. When the access token expires, the first client
refreshes and stores the rotated tokens; the second still holds the rotated-out refresh
token. It must adopt the stored tokens rather than refresh with the dead one (which the
service refuses) and mark a perfectly good connection revoked.
"""

from __future__ import annotations

import pytest

from accounts.models import User
from connector.clients import ClientError
from connector.models import Connection, Install, Service
from connector.services import (
    connection_create_from_token,
    connection_get,
    salesforce_client_for,
    smartsheet_client_for,
)
from tests.connector.oauth_flows import smartsheet_tokens

pytestmark = pytest.mark.django_db


def token_calls(sandbox, service: str) -> int:
    """Calls to the service's OAuth token endpoint so far."""
    by_endpoint = sandbox.control.counts()[service]["by_endpoint"]
    return sum(n for key, n in by_endpoint.items() if "token" in key.lower())


def connect_salesforce(sandbox, user: User, install: Install, persona: str) -> dict:
    tokens = sandbox.salesforce.control("token", {"user": persona})
    connection_create_from_token(user=user, install=install, service=Service.SALESFORCE,
                                 access_token=tokens["access_token"],
                                 refresh_token=tokens["refresh_token"])
    return tokens


def connect_smartsheet(ss_info, user: User, install: Install, email: str):
    tokens = smartsheet_tokens(ss_info, email)
    Connection.objects.create(user=user, install=install, service=Service.SMARTSHEET,
                              access_token=tokens.access_token,
                              refresh_token=tokens.refresh_token,
                              expires_at=tokens.expires_at, identity=email)
    return tokens


def test_it_lets_a_second_salesforce_client_adopt_the_first_ones_refresh(sandbox, alice,
                                                                        live_install):
    connect_salesforce(sandbox, alice, live_install, "dan")
    first = salesforce_client_for(user=alice, install=live_install, retry_backoff=0.01)
    second = salesforce_client_for(user=alice, install=live_install, retry_backoff=0.01)
    sandbox.salesforce.expire_tokens("dan")
    before = token_calls(sandbox, "salesforce")

    assert first.identity()["email"] == "dan@example.com"
    assert second.identity()["email"] == "dan@example.com"

    assert token_calls(sandbox, "salesforce") - before == 1
    stored = Connection.objects.get(user=alice, service=Service.SALESFORCE)
    assert stored.revoked_at is None
    assert second.access_token == first.access_token == stored.access_token
    # 401, then the retry with the adopted token: no refresh of its own.
    assert second.counter.salesforce == 2
    connection_get(user=alice, install=live_install, service=Service.SALESFORCE)


def test_it_lets_a_second_smartsheet_client_adopt_the_first_ones_refresh(sandbox, ss_info,
                                                                        alice, live_install):
    tokens = connect_smartsheet(ss_info, alice, live_install, "carol@example.com")
    first = smartsheet_client_for(user=alice, install=live_install, retry_backoff=0.01)
    second = smartsheet_client_for(user=alice, install=live_install, retry_backoff=0.01)
    sandbox.smartsheet.expire_tokens(token=tokens.access_token)
    before = token_calls(sandbox, "smartsheet")

    assert first.me()["email"] == "carol@example.com"
    assert second.me()["email"] == "carol@example.com"

    assert token_calls(sandbox, "smartsheet") - before == 1
    stored = Connection.objects.get(user=alice, service=Service.SMARTSHEET)
    assert stored.revoked_at is None
    assert stored.refresh_token != tokens.refresh_token
    assert second.counter.smartsheet == 2
    connection_get(user=alice, install=live_install, service=Service.SMARTSHEET)


def test_it_refreshes_adopted_tokens_that_expired_too(sandbox, alice, live_install):
    connect_salesforce(sandbox, alice, live_install, "dan")
    first = salesforce_client_for(user=alice, install=live_install, retry_backoff=0.01)
    second = salesforce_client_for(user=alice, install=live_install, retry_backoff=0.01)
    sandbox.salesforce.expire_tokens("dan")
    first.identity()
    sandbox.salesforce.expire_tokens("dan")  # the stored, refreshed token expires as well

    assert second.identity()["email"] == "dan@example.com"

    stored = Connection.objects.get(user=alice, service=Service.SALESFORCE)
    assert stored.revoked_at is None
    assert stored.access_token == second.access_token != first.access_token


def test_it_still_marks_a_really_revoked_salesforce_connection(sandbox, alice, live_install):
    connect_salesforce(sandbox, alice, live_install, "erin")
    first = salesforce_client_for(user=alice, install=live_install, retry_backoff=0.01)
    second = salesforce_client_for(user=alice, install=live_install, retry_backoff=0.01)
    sandbox.salesforce.revoke("erin")

    with pytest.raises(ClientError) as caught:
        first.describe_global()
    with pytest.raises(ClientError) as again:
        second.describe_global()

    assert caught.value.kind == again.value.kind == "revoked"
    assert Connection.objects.get(user=alice).revoked_at is not None


def test_it_still_marks_a_really_revoked_smartsheet_connection(sandbox, ss_info, alice,
                                                               live_install):
    tokens = connect_smartsheet(ss_info, alice, live_install, "dan@example.com")
    client = smartsheet_client_for(user=alice, install=live_install, retry_backoff=0.01)
    sandbox.smartsheet.revoke(token=tokens.access_token)

    with pytest.raises(ClientError) as caught:
        client.list_sheets()

    assert caught.value.kind == "revoked"
    assert Connection.objects.get(user=alice).revoked_at is not None
