"""Connections: the OAuth authorization-code flows through the sandbox's authorize pages."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from connector.models import Connection, Service
from sandbox.personas import PERSONAS
from tests import factories, personas
from tests.connector.oauth_flows import salesforce_consent, smartsheet_consent

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def loopback_host(client):
    """The sandbox accepts redirect URIs on loopback only, like a registered callback."""
    client.defaults["HTTP_HOST"] = "127.0.0.1"


def _query(url: str) -> dict:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def test_it_lists_each_install_with_connect_buttons(client):
    factories.install(name="Acme org")
    client.force_login(personas.alice())
    html = client.get("/connections/").content.decode()
    assert "Acme org" in html
    assert "Connect Salesforce" in html and "Connect Smartsheet" in html


def test_it_hides_another_teams_installs(client):
    factories.install(name="Globex org", team=personas.globex())
    client.force_login(personas.alice())
    assert "Globex org" not in client.get("/connections/").content.decode()


def test_it_refuses_a_callback_whose_state_does_not_match(client, sandbox):
    installation = factories.install(sandbox=sandbox)
    client.force_login(personas.alice())
    client.post(f"/connections/{installation.pk}/salesforce/connect/")
    response = client.get(f"/connections/{installation.pk}/salesforce/callback/",
                          {"code": "anything", "state": "forged"}, follow=True)
    assert "could not be verified" in response.content.decode()
    assert not Connection.objects.exists()


def test_it_reports_a_denied_consent(client, sandbox):
    installation = factories.install(sandbox=sandbox)
    client.force_login(personas.alice())
    start = client.post(f"/connections/{installation.pk}/smartsheet/connect/")
    state = _query(start["Location"])["state"]
    response = client.get(f"/connections/{installation.pk}/smartsheet/callback/",
                          {"error": "access_denied", "state": state}, follow=True)
    assert "did not connect" in response.content.decode()
    assert not Connection.objects.exists()


def test_it_connects_salesforce_through_the_authorize_page(client, sandbox):
    installation = factories.install(sandbox=sandbox)
    alice = personas.alice()
    client.force_login(alice)
    start = client.post(f"/connections/{installation.pk}/salesforce/connect/")
    assert start.status_code == 302
    url = start["Location"]
    assert url.startswith(sandbox.info["salesforce"]["login_url"])
    persona = PERSONAS[1]
    back = salesforce_consent(url, username=persona.salesforce_username,
                              ca_bundle=sandbox.info["salesforce"]["ca_bundle"])
    assert back["state"] == _query(url)["state"]
    response = client.get(f"/connections/{installation.pk}/salesforce/callback/", back, follow=True)
    html = response.content.decode()
    assert "Connected to Salesforce" in html
    connection = Connection.objects.get(user=alice, install=installation, service=Service.SALESFORCE)
    assert persona.email.split("@")[0] in connection.identity.lower()
    assert "Disconnect Salesforce" in html
    # The state is single-use: replaying the callback is refused.
    replay = client.get(f"/connections/{installation.pk}/salesforce/callback/", back, follow=True)
    assert "could not be verified" in replay.content.decode()


def test_it_connects_smartsheet_and_disconnects(client, sandbox):
    installation = factories.install(sandbox=sandbox)
    alice = personas.alice()
    client.force_login(alice)
    start = client.post(f"/connections/{installation.pk}/smartsheet/connect/")
    back = smartsheet_consent(start["Location"], email=PERSONAS[1].email)
    client.get(f"/connections/{installation.pk}/smartsheet/callback/", back)
    connection = Connection.objects.get(user=alice, service=Service.SMARTSHEET)
    assert connection.identity == PERSONAS[1].email
    response = client.post(f"/connections/{connection.pk}/disconnect/")
    assert response.status_code == 302
    assert not Connection.objects.filter(pk=connection.pk).exists()


def test_it_never_disconnects_someone_elses_connection(client):
    installation = factories.install()
    connection = Connection.objects.create(user=personas.alice(), install=installation,
                                           service=Service.SALESFORCE, identity="alice")
    client.force_login(personas.bob())
    assert client.post(f"/connections/{connection.pk}/disconnect/").status_code == 404
    assert client.get(f"/connections/{connection.pk}/disconnect/").status_code == 404
    assert Connection.objects.filter(pk=connection.pk).exists()


def test_it_says_which_workflows_stop_before_disconnecting(client):
    alice = personas.alice()
    installation = factories.install()
    connection = Connection.objects.create(user=alice, install=installation,
                                           service=Service.SALESFORCE, identity="alice@acme")
    factories.workflow(alice, installation, name="Pipeline")
    factories.workflow(alice, installation, name="Paused one", enabled=False)
    client.force_login(alice)
    page = client.get(f"/connections/{connection.pk}/disconnect/")
    html = page.content.decode()
    assert page.status_code == 200 and "will stop syncing" in html
    assert "Pipeline" in html and "Paused one" not in html
    assert Connection.objects.filter(pk=connection.pk).exists()  # a GET changes nothing
    assert client.post(f"/connections/{connection.pk}/disconnect/").status_code == 302
    assert not Connection.objects.filter(pk=connection.pk).exists()


def test_it_starts_a_flow_only_by_post(client):
    installation = factories.install(salesforce_client_id="x")
    client.force_login(personas.alice())
    assert client.get(f"/connections/{installation.pk}/salesforce/connect/").status_code == 405


def test_it_refuses_an_install_of_another_team(client):
    installation = factories.install(team=personas.globex(), salesforce_client_id="x")
    client.force_login(personas.alice())
    assert client.post(f"/connections/{installation.pk}/salesforce/connect/").status_code == 404
