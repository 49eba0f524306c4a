"""Installs: admins write, the team reads, secrets never come back."""

from __future__ import annotations

from connector.models import Install
from tests.api.openapi import assert_matches_schema

SECRETS = {"salesforce_client_id": "3MVG9-client", "salesforce_client_secret": "sf-secret-xyz",
           "smartsheet_client_id": "ss-client", "smartsheet_client_secret": "ss-secret-xyz"}


def test_it_creates_an_install_for_the_admins_team_without_echoing_secrets(people, client_for):
    response = client_for(people["connie"]).post("/api/v1/installs/", {
        "name": "Service desk", "kind": "service_cloud", "restrict_users": True,
        "api_budget_percent": 50, **SECRETS}, format="json")
    assert response.status_code == 201, response.content
    assert_matches_schema(response)
    body = response.json()
    for secret_field, secret in SECRETS.items():
        assert secret_field not in body
        assert secret not in response.content.decode()
    install = Install.objects.get(pk=body["id"])
    assert install.team == people["connie"].team
    assert install.salesforce_client_secret == "sf-secret-xyz"
    listed = client_for(people["uma"]).get("/api/v1/installs/")
    assert "sf-secret-xyz" not in listed.content.decode()
    assert [i["name"] for i in listed.json()["results"]] == ["Service desk"]
    assert client_for(people["charlie"]).get("/api/v1/installs/").json()["results"] == []


def test_it_keeps_a_secret_when_a_change_sends_it_blank(people, install, client_for):
    install.salesforce_client_secret = "keep-me"
    install.save()
    response = client_for(people["sam"]).patch(f"/api/v1/installs/{install.pk}/", {
        "salesforce_client_secret": "", "polling_interval_minutes": 60}, format="json")
    assert response.status_code == 200, response.content
    install.refresh_from_db()
    assert (install.salesforce_client_secret, install.polling_interval_minutes) == ("keep-me", 60)


def test_it_validates_install_fields(people, client_for):
    response = client_for(people["connie"]).post("/api/v1/installs/", {
        "name": "", "kind": "oracle", "api_budget_percent": 101, "polling_interval_minutes": 7,
        "tls_ca_bundle": "not a certificate"}, format="json")
    assert response.status_code == 400
    assert_matches_schema(response)
    assert set(response.json()["errors"]) == {"name", "kind", "api_budget_percent",
                                              "polling_interval_minutes", "tls_ca_bundle"}


def test_it_refuses_install_urls_outside_the_outbound_policy_naming_each_field(
        people, install, client_for):
    client = client_for(people["connie"])
    response = client.post("/api/v1/installs/", {
        "name": "Rogue", "salesforce_instance_url": "https://10.0.0.1/admin",
        "smartsheet_api_base": "http://api.smartsheet.com/2.0", **SECRETS}, format="json")
    assert response.status_code == 400
    assert_matches_schema(response)
    errors = response.json()["errors"]
    assert set(errors) == {"salesforce_instance_url", "smartsheet_api_base"}
    assert "is not an allowed API host" in errors["salesforce_instance_url"][0]
    assert not Install.objects.filter(name="Rogue").exists()
    changed = client.patch(f"/api/v1/installs/{install.pk}/", {
        "smartsheet_authorize_url": "https://listener.example.com/b/authorize"}, format="json")
    assert changed.status_code == 400
    assert set(changed.json()["errors"]) == {"smartsheet_authorize_url"}
