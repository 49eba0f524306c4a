"""Password guessing cannot walk around the sign-in limits: spellings of one username
count together, and the client address is the socket's peer unless a trusted proxy
vouches for another."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import RequestFactory

from accounts.throttle import (
    MAX_FAILURES_PER_ADDRESS,
    MAX_FAILURES_PER_USERNAME,
    normalize_username,
)
from core.net import client_address
from tests.personas import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()
    yield
    cache.clear()


# Fullwidth, mathematical bold and upper case: NFKC and case folding make them "alice".
SPELLINGS = ["alice", "ａlice", "\U0001d41alice", "ALICE", " Alice "]


def test_it_counts_every_spelling_of_a_username_as_one():
    assert {normalize_username(s) for s in SPELLINGS} == {"alice"}


def test_the_sign_in_page_counts_spellings_together(client, people):
    for i in range(MAX_FAILURES_PER_USERNAME):
        spelling = SPELLINGS[i % len(SPELLINGS)]
        assert client.post("/signin/", {"username": spelling, "password": "x"}).status_code == 200
    # The right password, under yet another spelling, is refused until the window ends.
    response = client.post("/signin/", {"username": "ａlice", "password": PASSWORD})
    assert response.status_code == 429


def test_the_token_endpoint_ignores_forwarded_for_from_an_untrusted_peer(client, people):
    statuses = []
    for i in range(MAX_FAILURES_PER_USERNAME + 1):
        statuses.append(client.post(
            "/api/v1/auth/token/", {"username": SPELLINGS[i % 4], "password": "x"},
            content_type="application/json", HTTP_X_FORWARDED_FOR=f"203.0.113.{i}").status_code)
    assert statuses == [400] * MAX_FAILURES_PER_USERNAME + [429]


def test_one_address_trying_many_accounts_is_stopped(client, people, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {
        "auth_token": "1000/min"}}
    for i in range(MAX_FAILURES_PER_ADDRESS):
        client.post("/signin/", {"username": f"nobody{i}", "password": "x"})
    response = client.post("/signin/", {"username": "bob", "password": PASSWORD})
    assert response.status_code == 429


def test_a_trusted_proxy_passes_on_the_client_address(settings):
    settings.SHEETFORCE_TRUSTED_PROXIES = ["10.0.0.0/8"]
    factory = RequestFactory()
    behind = factory.get("/", REMOTE_ADDR="10.1.2.3",
                         HTTP_X_FORWARDED_FOR="198.51.100.7, 203.0.113.9, 10.0.0.5")
    # The right-most address no trusted proxy added: what the proxy itself saw.
    assert client_address(behind) == "203.0.113.9"
    direct = factory.get("/", REMOTE_ADDR="198.51.100.1", HTTP_X_FORWARDED_FOR="10.9.9.9")
    assert client_address(direct) == "198.51.100.1"
    garbage = factory.get("/", REMOTE_ADDR="10.1.2.3", HTTP_X_FORWARDED_FOR="not-an-ip")
    assert client_address(garbage) == "10.1.2.3"


def test_without_trusted_proxies_the_peer_is_the_address(settings):
    settings.SHEETFORCE_TRUSTED_PROXIES = []
    request = RequestFactory().get("/", REMOTE_ADDR="192.0.2.4", HTTP_X_FORWARDED_FOR="1.2.3.4")
    assert client_address(request) == "192.0.2.4"
