"""Sign in and out; failed sign-ins are throttled per username and IP."""

from __future__ import annotations

import pytest

from accounts.throttle import MAX_FAILURES_PER_USERNAME as SIGNIN_MAX_FAILURES
from tests import personas

pytestmark = pytest.mark.django_db


def test_it_shows_the_sign_in_form_with_labels(client):
    response = client.get("/signin/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<label for="id_username">' in html and '<label for="id_password">' in html
    assert "csrfmiddlewaretoken" in html


def test_it_sends_anonymous_users_to_sign_in(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/signin/?next=/")


def test_it_signs_in_and_out(client):
    personas.alice()
    response = client.post("/signin/", {"username": "alice", "password": personas.PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/").status_code == 200
    assert client.get("/signout/").status_code == 405  # sign-out is POST only
    response = client.post("/signout/")
    assert response.status_code == 302
    assert client.get("/").status_code == 302


def test_it_throttles_after_repeated_failures(client):
    personas.alice()
    for _ in range(SIGNIN_MAX_FAILURES):
        response = client.post("/signin/", {"username": "alice", "password": "wrong"})
        assert response.status_code == 200
    # Even the right password is refused while the block lasts.
    response = client.post("/signin/", {"username": "alice", "password": personas.PASSWORD})
    assert response.status_code == 429
    assert "Too many failed sign-in attempts" in response.content.decode()


def test_it_throttles_per_username(client):
    personas.alice()
    personas.bob()
    for _ in range(SIGNIN_MAX_FAILURES):
        client.post("/signin/", {"username": "alice", "password": "wrong"})
    response = client.post("/signin/", {"username": "bob", "password": personas.PASSWORD})
    assert response.status_code == 302


def test_it_forgets_failures_after_a_success(client):
    personas.alice()
    for _ in range(SIGNIN_MAX_FAILURES - 1):
        client.post("/signin/", {"username": "alice", "password": "wrong"})
    assert client.post("/signin/", {"username": "alice",
                                    "password": personas.PASSWORD}).status_code == 302
    client.post("/signout/")
    for _ in range(SIGNIN_MAX_FAILURES - 1):
        assert client.post("/signin/", {"username": "alice", "password": "wrong"}).status_code == 200
    assert client.post("/signin/", {"username": "alice",
                                    "password": personas.PASSWORD}).status_code == 302
