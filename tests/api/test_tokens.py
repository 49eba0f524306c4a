"""API tokens: stored as digests, expiring, listed and revoked by their owner and by the
team's System Admin, ended by a new password or a deactivation."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from accounts.models import ApiToken
from tests.api.openapi import assert_matches_schema
from tests.personas import PASSWORD


@pytest.fixture(autouse=True)
def fresh_throttle():
    cache.clear()
    yield
    cache.clear()


def _sign_in(client_for, username="alice", **extra):
    response = client_for(None).post("/api/v1/auth/token/",
                                     {"username": username, "password": PASSWORD, **extra},
                                     format="json")
    assert response.status_code == 200, response.content
    return response


def _as(client_for, key):
    client = client_for(None)
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_it_keeps_only_a_digest_of_each_key(people, client_for, settings):
    settings.API_TOKEN_TTL_DAYS = 30
    response = _sign_in(client_for, name="ci")
    assert_matches_schema(response)
    key, expiry = response.json()["token"], response.json()["expiry"]
    token = ApiToken.objects.get(user=people["alice"])
    assert token.digest == hashlib.sha256(key.encode()).hexdigest()
    assert key not in {token.digest, token.prefix, token.name} and key.startswith(token.prefix)
    assert abs(token.expires_at - (timezone.now() + timedelta(days=30))) < timedelta(minutes=1)
    assert expiry.startswith(token.expires_at.strftime("%Y-%m-%d"))
    assert token.name == "ci"


def test_it_refuses_an_expired_token(people, client_for):
    key = _sign_in(client_for).json()["token"]
    ApiToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert _as(client_for, key).get("/api/v1/me/").status_code == 401


def test_it_revokes_the_presented_token_on_delete(people, client_for):
    key = _sign_in(client_for).json()["token"]
    other = _sign_in(client_for).json()["token"]
    client = _as(client_for, key)
    assert client.delete("/api/v1/auth/token/").status_code == 204
    assert client.get("/api/v1/me/").status_code == 401
    # Only that one: the person's other token still works.
    assert _as(client_for, other).get("/api/v1/me/").status_code == 200


def test_it_lists_and_revokes_your_own_tokens_never_showing_keys(people, client_for):
    key = _sign_in(client_for).json()["token"]
    client = _as(client_for, key)
    listed = client.get("/api/v1/tokens/")
    assert listed.status_code == 200
    assert_matches_schema(listed)
    rows = listed.json()["results"]
    assert [r["username"] for r in rows] == ["alice"] and rows[0]["active"] is True
    assert key not in listed.content.decode()
    assert client.delete(f"/api/v1/tokens/{rows[0]['id']}/").status_code == 204
    assert client.get("/api/v1/me/").status_code == 401


def test_it_lets_a_system_admin_revoke_a_team_members_token_but_not_an_outsiders(
        people, client_for):
    alice_key = _sign_in(client_for, "alice").json()["token"]
    _sign_in(client_for, "charlie")
    sam = client_for(people["sam"])
    rows = sam.get(f"/api/v1/tokens/?user={people['alice'].pk}").json()["results"]
    assert [r["username"] for r in rows] == ["alice"]
    assert sam.delete(f"/api/v1/tokens/{rows[0]['id']}/").status_code == 204
    assert _as(client_for, alice_key).get("/api/v1/me/").status_code == 401
    charlies = ApiToken.objects.get(user=people["charlie"])
    assert sam.delete(f"/api/v1/tokens/{charlies.pk}/").status_code == 404
    # A plain user sees only their own.
    bob = client_for(people["bob"])
    assert {r["username"] for r in bob.get("/api/v1/tokens/").json()["results"]} == {"bob"}
    assert bob.delete(f"/api/v1/tokens/{charlies.pk}/").status_code == 404


def test_a_new_password_ends_every_token(people, client_for):
    key = _sign_in(client_for).json()["token"]
    alice = people["alice"]
    alice.set_password("a-brand-new-password-1")
    alice.save()
    assert _as(client_for, key).get("/api/v1/me/").status_code == 401


def test_deactivating_a_user_ends_every_token(people, client_for):
    key = _sign_in(client_for).json()["token"]
    alice = people["alice"]
    alice.is_active = False
    alice.save(update_fields=["is_active"])
    assert ApiToken.objects.get(user=alice).revoked_at is not None
    alice.is_active = True
    alice.save(update_fields=["is_active"])
    assert _as(client_for, key).get("/api/v1/me/").status_code == 401


def test_other_saves_leave_tokens_alone(people, client_for):
    key = _sign_in(client_for).json()["token"]
    alice = people["alice"]
    alice.first_name = "Alicia"
    alice.save()
    assert _as(client_for, key).get("/api/v1/me/").status_code == 200
