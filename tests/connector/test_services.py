"""Connection services: tokens checked against the services, stored encrypted, refreshed."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection as db_connection

from connector.clients import CallCounter, ClientError
from connector.models import Connection, Service
from connector.services import (
    ConnectionInvalid,
    ConnectionMissing,
    connection_create_from_token,
    connection_delete,
    connection_get,
    install_ca_bundle,
    oauth_complete,
    oauth_start,
    oauth_state_matches,
    salesforce_client_for,
    smartsheet_client_for,
)
from tests.connector.oauth_flows import REDIRECT, salesforce_consent, smartsheet_consent

pytestmark = pytest.mark.django_db


def raw_columns(pk: int) -> tuple[str, str]:
    with db_connection.cursor() as cursor:
        cursor.execute("SELECT access_token, refresh_token FROM connector_connection "
                       "WHERE id = %s", [pk])
        return cursor.fetchone()


def sf_tokens(sandbox, user: str) -> dict:
    return sandbox.salesforce.control("token", {"user": user})


def test_it_stores_a_salesforce_connection_from_a_token(sandbox, alice, live_install):
    tokens = sf_tokens(sandbox, "alice")

    saved = connection_create_from_token(user=alice, install=live_install,
                                         service=Service.SALESFORCE,
                                         access_token=tokens["access_token"],
                                         refresh_token=tokens["refresh_token"])

    saved.refresh_from_db()
    assert saved.identity == "alice@example.com.sandbox"
    assert saved.identity_name == "Alice Martin"
    assert saved.external_user_id.startswith("005")
    assert saved.access_token == tokens["access_token"]
    assert saved.instance_url == live_install.salesforce_instance_url


def test_it_keeps_tokens_encrypted_at_rest(sandbox, alice, live_install):
    tokens = sf_tokens(sandbox, "alice")
    saved = connection_create_from_token(user=alice, install=live_install,
                                         service=Service.SALESFORCE,
                                         access_token=tokens["access_token"],
                                         refresh_token=tokens["refresh_token"])

    raw_access, raw_refresh = raw_columns(saved.pk)

    assert raw_access.startswith("fernet:") and raw_refresh.startswith("fernet:")
    assert tokens["access_token"] not in raw_access
    assert tokens["refresh_token"] not in raw_refresh


def test_it_stores_a_smartsheet_connection_from_a_personal_token(sandbox, bob, live_install):
    token = sandbox.smartsheet.persona_tokens()["bob@example.com"]

    saved = connection_create_from_token(user=bob, install=live_install, service=Service.SMARTSHEET,
                                         access_token=token)

    assert (saved.identity, saved.identity_name) == ("bob@example.com", "Bob Chen")
    assert saved.external_user_id
    assert smartsheet_client_for(user=bob, install=live_install).me()["email"] == "bob@example.com"


def test_it_refuses_a_token_the_service_rejects(alice, live_install):
    with pytest.raises(ConnectionInvalid) as caught:
        connection_create_from_token(user=alice, install=live_install, service=Service.SMARTSHEET,
                                     access_token="made-up-token")

    assert isinstance(caught.value, ValueError)
    assert "Smartsheet did not accept" in caught.value.message
    assert "made-up-token" not in caught.value.message
    assert not Connection.objects.exists()


def test_it_says_to_connect_first(alice, live_install):
    with pytest.raises(ConnectionMissing) as caught:
        connection_get(user=alice, install=live_install, service=Service.SALESFORCE)

    assert caught.value.service == "salesforce"
    assert str(caught.value) == "Connect your Salesforce account first"


def test_it_runs_the_salesforce_oauth_flow(alice, live_install, sf_info):
    url, state = oauth_start(user=alice, install=live_install, service=Service.SALESFORCE,
                             redirect_uri=REDIRECT)
    back = salesforce_consent(url, username="alice@example.com", ca_bundle=sf_info["ca_bundle"])
    assert oauth_state_matches(state, back["state"])
    assert not oauth_state_matches(state, "forged")

    saved = oauth_complete(user=alice, install=live_install, service=Service.SALESFORCE,
                           code=back["code"], redirect_uri=REDIRECT)

    assert saved.identity == "alice@example.com.sandbox"
    assert saved.refresh_token
    identity = salesforce_client_for(user=alice, install=live_install).identity()
    assert identity["name"] == "Alice Martin"


def test_it_runs_the_smartsheet_oauth_flow(bob, live_install):
    url, state = oauth_start(user=bob, install=live_install, service=Service.SMARTSHEET,
                             redirect_uri=REDIRECT)
    back = smartsheet_consent(url, email="bob@example.com")
    assert oauth_state_matches(state, back["state"])

    saved = oauth_complete(user=bob, install=live_install, service=Service.SMARTSHEET,
                           code=back["code"], redirect_uri=REDIRECT)

    assert saved.identity == "bob@example.com"
    assert saved.refresh_token and saved.expires_at is not None


def test_it_refuses_a_bad_oauth_code(alice, live_install):
    with pytest.raises(ConnectionInvalid) as caught:
        oauth_complete(user=alice, install=live_install, service=Service.SALESFORCE,
                       code="not-a-code", redirect_uri=REDIRECT)

    assert caught.value.kind == "auth"


def test_it_keeps_the_refresh_token_when_the_app_does_not_rotate(sandbox, bob, live_install):
    # bob signs in as the sandbox's dan, whose tokens no other test holds.
    tokens = sf_tokens(sandbox, "dan")
    connection_create_from_token(user=bob, install=live_install, service=Service.SALESFORCE,
                                 access_token=tokens["access_token"],
                                 refresh_token=tokens["refresh_token"])
    sandbox.salesforce.expire_tokens("dan")
    salesforce_client_for(user=bob, install=live_install).identity()
    stored = Connection.objects.get(user=bob, service=Service.SALESFORCE)
    assert stored.access_token not in ("", tokens["access_token"])
    # No rotation (the connected app's default): the refresh token stays as it was.
    assert stored.refresh_token == tokens["refresh_token"]
    sandbox.salesforce.expire_tokens("dan")
    again = CallCounter()
    salesforce_client_for(user=bob, install=live_install, counter=again).identity()
    assert again.salesforce == 3  # 401, refresh with the same token, retry


def test_it_persists_rotated_tokens_after_a_refresh(sandbox, bob, live_install,
                                                    rotating_refresh_tokens):
    # bob signs in as the sandbox's dan, whose tokens no other test holds.
    tokens = sf_tokens(sandbox, "dan")
    connection_create_from_token(user=bob, install=live_install, service=Service.SALESFORCE,
                                 access_token=tokens["access_token"],
                                 refresh_token=tokens["refresh_token"])
    sandbox.salesforce.expire_tokens("dan")
    counter = CallCounter()

    client = salesforce_client_for(user=bob, install=live_install, counter=counter)
    assert client.identity()["email"] == "dan@example.com"

    stored = Connection.objects.get(user=bob, service=Service.SALESFORCE)
    assert stored.access_token not in ("", tokens["access_token"])
    assert stored.refresh_token not in ("", tokens["refresh_token"])
    assert counter.salesforce == 3
    # A new client built from the stored row works without another refresh.
    again = CallCounter()
    salesforce_client_for(user=bob, install=live_install, counter=again).identity()
    assert again.salesforce == 1


def test_it_marks_a_revoked_connection_and_asks_to_reconnect(sandbox, bob, live_install):
    # bob signs in as the sandbox's erin, whose tokens no other test holds.
    tokens = sf_tokens(sandbox, "erin")
    connection_create_from_token(user=bob, install=live_install, service=Service.SALESFORCE,
                                 access_token=tokens["access_token"],
                                 refresh_token=tokens["refresh_token"])
    sandbox.salesforce.revoke("erin")
    client = salesforce_client_for(user=bob, install=live_install)

    with pytest.raises(ClientError) as caught:
        client.describe_global()

    assert caught.value.kind == "revoked"
    assert Connection.objects.get(user=bob).revoked_at is not None
    with pytest.raises(ConnectionMissing) as missing:
        connection_get(user=bob, install=live_install, service=Service.SALESFORCE)
    assert "Reconnect your Salesforce account" in missing.value.message


def test_it_lets_only_the_owner_delete_a_connection(sandbox, alice, bob, live_install):
    token = sandbox.smartsheet.persona_tokens()["alice@example.com"]
    saved = connection_create_from_token(user=alice, install=live_install,
                                         service=Service.SMARTSHEET,
                                         access_token=token)

    with pytest.raises(PermissionDenied):
        connection_delete(user=bob, connection=saved)
    connection_delete(user=alice, connection=saved)

    assert not Connection.objects.exists()


def test_it_reads_the_install_ca_bundle(live_install):
    assert install_ca_bundle(live_install).startswith("-----BEGIN CERTIFICATE-----")
    live_install.tls_ca_bundle = "  "
    assert install_ca_bundle(live_install) is None


def test_it_needs_an_oauth_client_to_start(alice, live_install):
    live_install.smartsheet_client_id = ""

    with pytest.raises(ConnectionInvalid):
        oauth_start(user=alice, install=live_install, service=Service.SMARTSHEET,
                    redirect_uri=REDIRECT)
