"""Token sign-in, /me/, and System Admins managing roles and licences."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command

from accounts.models import User
from accounts.services import user_update_roles
from tests.api.openapi import assert_matches_schema
from tests.personas import PASSWORD


def test_it_trades_a_password_for_a_token_that_authenticates(people, client_for):
    anonymous = client_for(None)
    response = anonymous.post("/api/v1/auth/token/", {"username": "alice", "password": PASSWORD},
                              format="json")
    assert response.status_code == 200
    assert_matches_schema(response)
    token = response.json()["token"]
    anonymous.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    me = anonymous.get("/api/v1/me/")
    assert me.status_code == 200 and me.json()["username"] == "alice"


def test_it_refuses_a_wrong_password_in_the_error_format(people, client_for):
    response = client_for(None).post("/api/v1/auth/token/",
                                     {"username": "alice", "password": "nope"}, format="json")
    assert response.status_code == 400
    assert_matches_schema(response)
    assert response.json() == {"detail": "Wrong username or password.",
                               "errors": {"non_field_errors": ["Wrong username or password."]}}


def test_it_throttles_the_token_endpoint(people, client_for):
    client = client_for(None)
    statuses = [client.post("/api/v1/auth/token/", {"username": "alice", "password": "x"},
                            format="json").status_code for _ in range(6)]
    assert statuses[:5] == [400] * 5
    assert statuses[5] == 429
    response = client.post("/api/v1/auth/token/", {"username": "alice", "password": PASSWORD},
                           format="json")
    assert response.status_code == 429
    assert_matches_schema(response)


def test_it_answers_401_to_anonymous_and_bad_tokens(client_for, db):
    client = client_for(None)
    assert client.get("/api/v1/me/").status_code == 401
    client.credentials(HTTP_AUTHORIZATION="Token 0123456789abcdef")
    response = client.get("/api/v1/workflows/")
    assert response.status_code == 401
    assert set(response.json()) == {"detail", "errors"}


def test_it_makes_tokens_from_the_command_line(people, client_for, capsys):
    call_command("create_api_token", "bob")
    key = capsys.readouterr().out.strip()
    client = client_for(None)
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get("/api/v1/me/").json()["username"] == "bob"


def test_it_describes_me_with_my_roles(people, client_for):
    body = client_for(people["sam"]).get("/api/v1/me/").json()
    assert {k: body[k] for k in ("username", "email", "is_system_admin", "is_connector_admin",
                                 "is_licensed", "is_salesforce_user", "is_service_cloud_user")} == {
        "username": "sam", "email": "sam@example.com", "is_system_admin": True,
        "is_connector_admin": False, "is_licensed": True, "is_salesforce_user": False,
        "is_service_cloud_user": False}


def test_it_lets_a_system_admin_change_roles_of_the_team(people, client_for):
    client = client_for(people["sam"])
    uma = people["uma"]
    response = client.patch(f"/api/v1/users/{uma.pk}/", {
        "is_licensed": True, "is_salesforce_user": True, "username": "ignored"}, format="json")
    assert response.status_code == 200, response.content
    assert_matches_schema(response)
    uma.refresh_from_db()
    assert (uma.licensed, uma.salesforce_user, uma.username) == (True, True, "uma")
    listed = client.get("/api/v1/users/").json()
    assert {u["username"] for u in listed["results"]} == {
        "sam", "alice", "bob", "uma", "connie"}


def test_it_keeps_admin_roles_to_system_admins_of_the_same_team(people):
    with pytest.raises(PermissionDenied):
        user_update_roles(actor=people["alice"], user=people["uma"], licensed=True)
    with pytest.raises(PermissionDenied):
        user_update_roles(actor=people["charlie"], user=people["uma"], licensed=True)
    with pytest.raises(PermissionDenied, match="your own System Admin role"):
        user_update_roles(actor=people["sam"], user=people["sam"], system_admin=False)
    user_update_roles(actor=people["sam"], user=people["connie"], connector_admin=False)
    assert User.objects.get(pk=people["connie"].pk).connector_admin is False
    with pytest.raises(TypeError):
        user_update_roles(actor=people["sam"], user=people["uma"], is_superuser=True)


def test_a_connector_admin_designates_connector_users_but_not_admins(people, client_for):
    client = client_for(people["connie"])
    uma = people["uma"]
    listed = client.get("/api/v1/users/")
    assert listed.status_code == 200
    assert "charlie" not in {u["username"] for u in listed.json()["results"]}
    granted = client.patch(f"/api/v1/users/{uma.pk}/", {
        "is_licensed": True, "is_salesforce_user": True, "is_service_cloud_user": True},
        format="json")
    assert granted.status_code == 200, granted.content
    uma.refresh_from_db()
    assert (uma.licensed, uma.salesforce_user, uma.service_cloud_user) == (True, True, True)
    revoked = client.patch(f"/api/v1/users/{uma.pk}/", {"is_licensed": False}, format="json")
    assert revoked.status_code == 200
    for flag in ("is_system_admin", "is_connector_admin"):
        refused = client.patch(f"/api/v1/users/{uma.pk}/", {flag: True}, format="json")
        assert refused.status_code == 403
    outsider = client.patch(f"/api/v1/users/{people['charlie'].pk}/", {"is_licensed": False},
                            format="json")
    assert outsider.status_code == 404
    assert client_for(people["alice"]).get("/api/v1/users/").status_code == 403
