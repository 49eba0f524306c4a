"""The organisation-wide workflow list: everyone with access sees every workflow of the
team (owner, sheet, object, status), never another team's, never errors or settings."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from accounts.tokens import api_token_create
from runs.models import Run, RunError
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(people, install):
    alices = factories.workflow(people["alice"], install, name="Alice pipeline", sheet_id=11)
    bobs = factories.workflow(people["bob"], install, name="Bob accounts", sheet_id=12)
    charlies = factories.workflow(people["charlie"], name="Globex secret", sheet_id=13)
    run = Run.objects.create(workflow=bobs, trigger="manual", status="partial")
    RunError.objects.create(run=run, row_number=3, message="Bob's private error text")
    return people, alices, bobs, charlies


def _api(user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_create(user=user)[1]}")
    return client


def test_a_plain_user_sees_every_team_workflow_but_no_details(client, world):
    people, alices, bobs, _ = world
    client.force_login(people["alice"])
    html = client.get("/organization/").content.decode()
    assert "Alice pipeline" in html and "Bob accounts" in html
    assert "Globex secret" not in html and "private error text" not in html
    body = _api(people["alice"]).get("/api/v1/organization/workflows/").json()
    rows = {r["name"]: r for r in body["results"]}
    assert set(rows) == {"Alice pipeline", "Bob accounts"}
    assert rows["Bob accounts"]["last_run_status"] == "partial"
    assert set(rows["Bob accounts"]) == {
        "id", "name", "owner", "install", "sheet_name", "salesforce_object", "direction",
        "status", "last_run_status", "last_run_at"}
    # Details stay with the owner and the admins.
    assert _api(people["alice"]).get(f"/api/v1/workflows/{bobs.pk}/").status_code == 404


def test_only_owners_and_admins_are_offered_enable_and_disable(client, world):
    people, alices, bobs, _ = world
    client.force_login(people["alice"])
    html = client.get("/organization/").content.decode()
    assert f"/workflows/{alices.pk}/enabled/" in html
    assert f"/workflows/{bobs.pk}/enabled/" not in html
    assert client.post(f"/workflows/{bobs.pk}/enabled/", {"enabled": "0"}).status_code == 404
    client.force_login(people["connie"])
    response = client.post(f"/workflows/{bobs.pk}/enabled/",
                           {"enabled": "0", "next": "/organization/"})
    assert response.status_code == 302 and response["Location"] == "/organization/"
    bobs.refresh_from_db()
    assert bobs.enabled is False


def test_people_without_access_see_an_empty_list(world):
    people = world[0]
    assert _api(people["uma"]).get("/api/v1/organization/workflows/").json()["results"] == []
