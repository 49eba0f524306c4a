"""POST /api/v1/workflows/{id}/transfer/ {"owner": user_id}: System Admins hand a
workflow to a licensed, connected member of its team."""

from __future__ import annotations

import pytest

from tests import factories
from tests.api.openapi import assert_matches_schema
from workflows.models import Workflow


@pytest.fixture
def ready(bob, install):
    factories.connections(bob, install)
    return bob


def _transfer(client, workflow, owner):
    return client.post(f"/api/v1/workflows/{workflow.pk}/transfer/", {"owner": owner},
                       format="json")


def test_a_system_admin_transfers(client_for, sam, ready, workflow):
    response = _transfer(client_for(sam), workflow, ready.pk)
    assert response.status_code == 200, response.json()
    assert_matches_schema(response)
    assert response.json()["owner"] == ready.pk
    assert Workflow.objects.get(pk=workflow.pk).owner == ready


@pytest.mark.parametrize("who", ["connie", "alice"])
def test_the_owner_and_a_connector_admin_may_not(client_for, people, ready, workflow, who):
    response = _transfer(client_for(people[who]), workflow, ready.pk)
    assert response.status_code == 403
    assert Workflow.objects.get(pk=workflow.pk).owner == people["alice"]


@pytest.mark.parametrize("who", ["bob", "charlie"])
def test_people_who_cannot_see_it_get_a_404(client_for, people, ready, workflow, who):
    assert _transfer(client_for(people[who]), workflow, ready.pk).status_code == 404


def test_a_new_owner_who_cannot_own_it_is_a_400_saying_why(client_for, sam, uma, workflow):
    response = _transfer(client_for(sam), workflow, uma.pk)
    assert response.status_code == 400
    assert response.json()["errors"]["owner"] == ["Uma Ng has no licence: give them one "
                                                  "first."]


@pytest.mark.parametrize("owner", ["{charlie}", 999999, "x", None])
def test_an_owner_outside_the_team_or_not_an_id_is_a_400(client_for, people, workflow, owner):
    value = owner.format(charlie=people["charlie"].pk) if isinstance(owner, str) and "{" in \
        owner else owner
    response = _transfer(client_for(people["sam"]), workflow, value)
    assert response.status_code == 400
    assert "owner" in response.json()["errors"]
    # Another team's person is not named, nor confirmed to exist.
    assert "Charlie" not in response.content.decode()
