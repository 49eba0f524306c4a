"""Who may do what, as the connector's own documentation tables it ("Connector user
types", "Admin Setup", "Create workflows"), checked for every persona through the API and
the web pages.

| feature                                    | System Admin | Connector Admin | user |
| ------------------------------------------ | ------------ | --------------- | ---- |
| set up an install (first connection)       | yes          | yes             | no   |
| designate connector users (licence, roles) | yes          | yes             | no   |
| create workflows (with a licence)          | yes          | yes             | yes  |
| edit own workflows (with a licence)        | yes          | yes             | yes  |
| disable own workflows                      | yes          | yes             | yes  |
| see all workflows in the organization      | yes          | yes             | yes  |
| disable any workflow in the organization   | yes          | yes             | no   |

uma (no licence, no role) may do none of it; charlie (another team) nothing in Acme.
"""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from accounts.tokens import api_token_create
from tests import factories

PERSONAS = ("sam", "connie", "alice", "uma", "charlie")
TABLE = {
    "set up an install": {"sam", "connie"},
    "designate connector users": {"sam", "connie"},
    "create workflows": {"sam", "connie", "alice"},
    "edit own workflows": {"sam", "connie", "alice"},
    # An owner may always stop their own workflow, licence or not (uma owns one here).
    "disable own workflows": {"sam", "connie", "alice", "uma"},
    "see all workflows": {"sam", "connie", "alice"},
    "disable any workflow": {"sam", "connie"},
}


def _api(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_create(user=user)[1]}")
    return client


@pytest.fixture
def world(people, sandbox):
    install = factories.install(sandbox=sandbox)
    bobs = factories.workflow(people["bob"], install, name="Bob's pipeline")
    own = {name: factories.workflow(people[name], install, name=f"{name}'s own")
           for name in PERSONAS if name != "charlie"}
    return install, bobs, own


def _can(feature, persona, people, world, sandbox, client) -> bool:
    install, bobs, own = world
    user = people[persona]
    api = _api(user)
    client.force_login(user)
    if feature == "set up an install":
        fresh = factories.install(sandbox=sandbox, name="New org", salesforce_setup_at=None)
        answer = api.post("/api/v1/connections/", {
            "install": fresh.pk, "service": "salesforce",
            "access_token": sandbox.info["salesforce"]["access_token"]}, format="json")
        return answer.status_code == 201
    if feature == "designate connector users":
        answer = api.patch(f"/api/v1/users/{people['uma'].pk}/", {"is_licensed": True},
                           format="json")
        return answer.status_code == 200
    if feature == "create workflows":
        # Nobody here is connected: a person allowed to create is told to connect first;
        # one who is not allowed is refused before that (403; another team's install
        # cannot even be named).
        answer = api.post("/api/v1/workflows/", {
            "name": "New", "install": install.pk, "direction": "to_smartsheet",
            "salesforce_object": "Account", "new_sheet_name": "New sheet",
            "mappings": [{"salesforce_field": "Name", "column": "Name"}]}, format="json")
        assert answer.status_code in (400, 403, 409), answer.content
        allowed = "Connect your" in answer.json()["detail"]
        page = client.get("/").content.decode()
        assert ("/workflows/new/" in page) is allowed
        return allowed
    if feature in ("edit own workflows", "disable own workflows"):
        mine = own.get(persona)
        if mine is None:
            return False
        change = {"name": "Renamed"} if feature == "edit own workflows" else {"enabled": False}
        return api.patch(f"/api/v1/workflows/{mine.pk}/", change, format="json"
                         ).status_code == 200
    if feature == "see all workflows":
        listed = api.get("/api/v1/organization/workflows/").json()["results"]
        in_api = bobs.name in {w["name"] for w in listed}
        assert in_api is ("Bob&#x27;s pipeline" in client.get("/organization/").content.decode())
        return in_api
    if feature == "disable any workflow":
        via_api = api.patch(f"/api/v1/workflows/{bobs.pk}/", {"enabled": False},
                            format="json").status_code == 200
        bobs.refresh_from_db()
        bobs.enabled = True
        bobs.save(update_fields=["enabled"])
        via_web = client.post(f"/workflows/{bobs.pk}/enabled/", {"enabled": "0"}).status_code
        assert (via_web == 302) is via_api
        return via_api
    raise AssertionError(feature)


@pytest.mark.parametrize("feature", sorted(TABLE))
@pytest.mark.parametrize("persona", PERSONAS)
def test_each_role_may_do_what_the_documentation_says(
        feature, persona, people, world, sandbox, client):
    assert _can(feature, persona, people, world, sandbox, client) is (persona in TABLE[feature])
