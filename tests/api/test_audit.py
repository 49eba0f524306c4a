"""GET /api/v1/audit/: the team's audit log for System Admins, newest first, paginated,
filtered by action, actor and target."""

from __future__ import annotations

import pytest

from accounts.services import user_set_active, user_update_roles
from connector.services.installs import install_pause
from tests import factories
from tests.api.openapi import assert_matches_schema


@pytest.fixture
def history(people, install, globex):
    sam = people["sam"]
    user_update_roles(actor=sam, user=people["uma"], licensed=True)
    install_pause(user=people["connie"], install=install)
    user_set_active(actor=sam, user=people["bob"], active=False)
    other = factories.install(team=globex, name="Globex org")
    install_pause(user=people["charlie"].__class__.objects.create_superuser(
        "root", "root@example.com", "pw"), install=other)
    return people


def test_a_system_admin_reads_the_teams_log_newest_first(client_for, history):
    response = client_for(history["sam"]).get("/api/v1/audit/")
    assert response.status_code == 200
    assert_matches_schema(response)
    body = response.json()
    assert [e["action"] for e in body["results"]] == ["user.deactivate", "install.pause",
                                                      "user.roles"]
    first = body["results"][0]
    assert (first["actor_name"], first["target_label"], first["action_label"]) == (
        "Sam Okafor", "Bob Chen", "Person deactivated")
    assert (first["before"], first["after"]) == ({"is_active": True}, {"is_active": False})
    assert "Globex" not in response.content.decode()


@pytest.mark.parametrize(("query", "expected"), [
    ("action=install.pause", ["install.pause"]),
    ("actor={connie}", ["install.pause"]),
    ("target_type=user", ["user.deactivate", "user.roles"]),
    ("target_type=user&target_id={uma}", ["user.roles"]),
])
def test_it_filters(client_for, history, query, expected):
    ids = {"connie": history["connie"].pk, "uma": history["uma"].pk}
    response = client_for(history["sam"]).get(f"/api/v1/audit/?{query.format(**ids)}")
    assert [e["action"] for e in response.json()["results"]] == expected


@pytest.mark.parametrize("query", ["action=nonsense", "actor=abc", "target_type=team"])
def test_a_bad_filter_is_a_400(client_for, history, query):
    assert client_for(history["sam"]).get(f"/api/v1/audit/?{query}").status_code == 400


@pytest.mark.parametrize("who", ["connie", "alice", "uma"])
def test_it_is_for_system_admins(client_for, history, who):
    assert client_for(history[who]).get("/api/v1/audit/").status_code == 403


def test_it_pages(client_for, history):
    response = client_for(history["sam"]).get("/api/v1/audit/?page_size=2")
    assert response.json()["count"] == 3 and len(response.json()["results"]) == 2
