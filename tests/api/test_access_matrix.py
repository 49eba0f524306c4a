"""Every endpoint × persona: allowed or denied, and every answer matches the OpenAPI document.

Personas: anonymous, uma (unlicensed, Acme), alice (connector user, owns the workflow),
bob (connector user on her team), charlie (another team), connie (Connector Admin),
sam (System Admin). Endpoints that talk to Salesforce or Smartsheet are covered here up
to the connection check (no connection → 409); the sandbox tests go further.
"""

from __future__ import annotations

import pytest

from tests import factories
from tests.api.openapi import assert_matches_schema

PERSONAS = ("anonymous", "uma", "alice", "bob", "charlie", "connie", "sam")


def expect(default: int, **overrides: int) -> dict[str, int]:
    table = {p: default for p in PERSONAS}
    table["anonymous"] = 401
    table.update(overrides)
    return table


# (name, method, path template, body, expected status per persona)
MATRIX = [
    ("me", "get", "/api/v1/me/", None, expect(200)),
    ("users list", "get", "/api/v1/users/", None, expect(403, sam=200, connie=200)),
    ("user detail", "get", "/api/v1/users/{alice}/", None, expect(403, sam=200, connie=200)),
    # Connector Admins designate connector users (licence, user roles): the documented rule.
    ("user patch", "patch", "/api/v1/users/{alice}/", {"is_licensed": True},
     expect(403, sam=200, connie=200)),
    ("user admin role", "patch", "/api/v1/users/{alice}/", {"is_connector_admin": True},
     expect(403, sam=200)),
    ("installs list", "get", "/api/v1/installs/", None, expect(200)),
    ("install detail", "get", "/api/v1/installs/{install}/", None, expect(200, charlie=404)),
    ("install create", "post", "/api/v1/installs/",
     {"name": "New org", "kind": "service_cloud", "salesforce_client_secret": "s3cret"},
     expect(403, connie=201, sam=201)),
    ("install patch", "patch", "/api/v1/installs/{install}/", {"polling_interval_minutes": 5},
     expect(403, charlie=404, connie=200, sam=200)),
    ("connections list", "get", "/api/v1/connections/", None, expect(200)),
    ("connection create", "post", "/api/v1/connections/",
     {"install": "{install}", "service": "smartsheet", "access_token": ""},
     expect(400)),
    ("connection delete", "delete", "/api/v1/connections/{connection}/", None,
     expect(404, alice=204)),
    ("salesforce objects", "get", "/api/v1/installs/{install}/salesforce/objects/", None,
     expect(409, charlie=404)),
    ("salesforce fields", "get", "/api/v1/installs/{install}/salesforce/objects/Account/fields/",
     None, expect(409, charlie=404)),
    ("smartsheet sheets", "get", "/api/v1/installs/{install}/smartsheet/sheets/", None,
     expect(409, charlie=404)),
    ("smartsheet columns", "get", "/api/v1/installs/{install}/smartsheet/sheets/7/columns/",
     None, expect(409, charlie=404)),
    ("workflows list", "get", "/api/v1/workflows/", None, expect(200)),
    ("workflow detail", "get", "/api/v1/workflows/{workflow}/", None,
     expect(404, alice=200, sam=200, connie=200)),
    ("workflow create", "post", "/api/v1/workflows/",
     {"name": "W", "install": "{install}", "direction": "to_smartsheet",
      "salesforce_object": "Account", "sheet_id": 5,
      "mappings": [{"salesforce_field": "Name", "column": "Name"}]},
     # Allowed personas get as far as the connection check (400 on "salesforce").
     expect(400, uma=403)),
    ("workflow draft preview", "post", "/api/v1/workflows/preview/",
     {"name": "W", "install": "{install}", "direction": "to_smartsheet",
      "salesforce_object": "Account", "sheet_id": 5,
      "mappings": [{"salesforce_field": "Name", "column": "Name"}]},
     expect(400, uma=403)),
    ("workflow rename", "patch", "/api/v1/workflows/{workflow}/", {"name": "Renamed"},
     expect(404, alice=200, sam=403, connie=403)),
    ("workflow disable", "patch", "/api/v1/workflows/{workflow}/", {"enabled": False},
     expect(404, alice=200, sam=200, connie=200)),
    ("workflow delete", "delete", "/api/v1/workflows/{workflow}/", None,
     expect(404, alice=204, sam=204, connie=204)),
    ("workflow run", "post", "/api/v1/workflows/{workflow}/run/", None,
     expect(404, alice=202, sam=202, connie=202)),
    ("workflow preview", "post", "/api/v1/workflows/{workflow}/preview/", None,
     # Alice has no connections here: the engine cannot read (409).
     expect(404, alice=409, sam=403, connie=403)),
    ("runs list", "get", "/api/v1/runs/", None, expect(200)),
    ("run detail", "get", "/api/v1/runs/{run}/", None,
     expect(404, alice=200, sam=200, connie=200)),
    ("run errors", "get", "/api/v1/runs/{run}/errors/", None,
     expect(404, alice=200, sam=200, connie=200)),
    ("run conflicts", "get", "/api/v1/runs/{run}/conflicts/", None,
     expect(404, alice=200, sam=200, connie=200)),
    ("workflow open errors", "get", "/api/v1/workflows/{workflow}/errors/", None,
     expect(404, alice=200, sam=200, connie=200)),
    ("workflow open errors grouped", "get", "/api/v1/workflows/{workflow}/errors/grouped/",
     None, expect(404, alice=200, sam=200, connie=200)),
]


@pytest.fixture
def ids(people, install, workflow, run):
    from connector.models import Connection

    # Alice's Smartsheet connection is for the delete row (its token points nowhere).
    connection = Connection.objects.create(user=people["alice"], install=install,
                                           service="smartsheet", access_token="t0ken",
                                           identity="alice@example.com")
    return {"alice": people["alice"].pk, "install": install.pk, "workflow": workflow.pk,
            "run": run.pk, "connection": connection.pk}


def _fill(value, ids):
    if isinstance(value, str):
        return value.format(**ids) if "{" in value else value
    if isinstance(value, dict):
        return {k: _fill(v, ids) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, ids) for v in value]
    return value


CASES = [
    pytest.param(name, method, path, body, persona, table[persona], id=f"{name}-{persona}")
    for name, method, path, body, table in MATRIX
    for persona in PERSONAS
]


@pytest.mark.parametrize(("name", "method", "path", "body", "persona", "status"), CASES)
def test_it_allows_or_denies_by_persona(name, method, path, body, persona, status, people, ids,
                                       client_for, settings):
    if name in ("smartsheet sheets", "smartsheet columns") and persona == "alice":
        # Alice's stored Smartsheet token points at nothing: remove it so the answer is
        # the connection check's, like for everyone else on her team.
        from connector.models import Connection

        Connection.objects.filter(user=people["alice"]).delete()
    user = None if persona == "anonymous" else people[persona]
    client = client_for(user)
    url = _fill(path, ids)
    data = _fill(body, ids)
    response = getattr(client, method)(url, data=data, format="json") if data is not None else (
        getattr(client, method)(url))
    assert response.status_code == status, (name, persona, response.status_code,
                                            response.content[:500])
    assert_matches_schema(response, path=url, method=method.upper())


def test_it_lists_only_visible_workflows(people, install, workflow, client_for):
    bobs = factories.accounts_workflow(people["bob"], install, name="Bob's", sheet_id=222)
    seen = {
        persona: {w["id"] for w in client_for(people[persona]).get("/api/v1/workflows/")
                  .json()["results"]}
        for persona in ("alice", "bob", "charlie", "sam", "connie")
    }
    assert seen["alice"] == {workflow.pk}
    assert seen["bob"] == {bobs.pk}
    assert seen["charlie"] == set()
    assert seen["connie"] == {workflow.pk, bobs.pk}  # admins see the whole team
    assert seen["sam"] == {workflow.pk, bobs.pk}


def test_it_hides_another_teams_user_from_their_system_admin(people, client_for):
    from accounts.models import User

    # Gina, not a persona: a System Admin of Globex, charlie's team.
    globex_admin = User.objects.create_user("gina", team=people["charlie"].team,
                                            system_admin=True)
    response = client_for(globex_admin).get(f"/api/v1/users/{people['alice'].pk}/")
    assert response.status_code == 404
    listed = client_for(globex_admin).get("/api/v1/users/").json()["results"]
    assert {u["username"] for u in listed} == {"charlie", "gina"}
