"""Workflow listing filters, pagination and session authentication."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from tests import factories
from tests.api.openapi import assert_matches_schema
from tests.personas import PASSWORD


@pytest.fixture
def several(people, install):
    other_install = factories.install(name="Second org")
    return {
        "alice_on": factories.accounts_workflow(people["alice"], install, name="A on"),
        "alice_off": factories.accounts_workflow(people["alice"], install, name="A off",
                                                 enabled=False),
        "alice_other": factories.accounts_workflow(people["alice"], other_install, name="A other"),
        "bob_on": factories.accounts_workflow(people["bob"], install, name="B on"),
    }


@pytest.mark.parametrize(("query", "expected"), [
    ("", {"alice_on", "alice_off", "alice_other", "bob_on"}),
    ("enabled=true", {"alice_on", "alice_other", "bob_on"}),
    ("enabled=false", {"alice_off"}),
    ("owner={bob}", {"bob_on"}),
    ("install={install}", {"alice_on", "alice_off", "bob_on"}),
    ("owner={alice}&enabled=true&install={install}", {"alice_on"}),
])
def test_it_filters_workflows(people, install, several, client_for, query, expected):
    ids = {"bob": people["bob"].pk, "alice": people["alice"].pk, "install": install.pk}
    response = client_for(people["sam"]).get(f"/api/v1/workflows/?{query.format(**ids)}")
    assert response.status_code == 200
    assert_matches_schema(response)
    names = {key for key, w in several.items()
             if w.pk in {r["id"] for r in response.json()["results"]}}
    assert names == expected


@pytest.mark.parametrize("query", ["enabled=maybe", "owner=x", "install=-1"])
def test_it_rejects_bad_filters_in_the_error_format(people, client_for, query):
    response = client_for(people["alice"]).get(f"/api/v1/workflows/?{query}")
    assert response.status_code == 400
    assert_matches_schema(response)
    assert list(response.json()["errors"]) == [query.split("=")[0]]


def test_it_paginates(people, several, client_for):
    client = client_for(people["sam"])
    first = client.get("/api/v1/workflows/?page_size=3").json()
    assert first["count"] == 4 and len(first["results"]) == 3 and first["next"]
    second = client.get("/api/v1/workflows/?page_size=3&page=2").json()
    assert len(second["results"]) == 1 and second["previous"]
    assert client.get("/api/v1/workflows/?page=9").status_code == 404


def test_it_accepts_a_browser_session_with_csrf(people, workflow):
    client = APIClient(enforce_csrf_checks=True)
    assert client.login(username="alice", password=PASSWORD)
    assert client.get(f"/api/v1/workflows/{workflow.pk}/").status_code == 200
    refused = client.patch(f"/api/v1/workflows/{workflow.pk}/", {"name": "x"}, format="json")
    assert refused.status_code == 403 and "CSRF" in refused.json()["detail"]
