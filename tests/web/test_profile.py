"""Your profile: your language, your API tokens."""

from __future__ import annotations

import pytest

from accounts.models import ApiToken
from tests import personas

pytestmark = pytest.mark.django_db


def test_it_saves_your_language_and_speaks_it_from_then_on(client):
    alice = personas.alice()
    client.force_login(alice)
    response = client.post("/profile/", {"language": "fr"})
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.language == "fr"
    page = client.get("/profile/", HTTP_ACCEPT_LANGUAGE="en")
    assert page["Content-Language"] == "fr"
    assert '<html lang="fr">' in page.content.decode()


def test_an_empty_choice_follows_the_browser(client):
    alice = personas.alice()
    alice.language = "fr"
    alice.save()
    client.force_login(alice)
    client.post("/profile/", {"language": ""})
    alice.refresh_from_db()
    assert alice.language == ""
    assert '<html lang="en">' in client.get("/profile/", HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_an_unknown_language_is_refused_without_a_500(client):
    alice = personas.alice()
    client.force_login(alice)
    response = client.post("/profile/", {"language": "xx" * 500}, follow=True)
    assert response.status_code == 200
    alice.refresh_from_db()
    assert alice.language == ""


def test_it_shows_a_new_token_once_and_revokes_it(client):
    alice = personas.alice()
    client.force_login(alice)
    client.post("/profile/tokens/", {"name": "nightly"})
    first = client.get("/profile/").content.decode()
    token = ApiToken.objects.get(user=alice)
    key_shown = first.split('<code class="token">', 1)[1].split("</code>", 1)[0]
    assert key_shown.startswith(token.prefix) and "nightly" in first
    assert '<code class="token">' not in client.get("/profile/").content.decode()
    assert client.post(f"/profile/tokens/{token.pk}/revoke/").status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_nobody_revokes_someone_elses_token_from_their_profile(client):
    alice, bob = personas.alice(), personas.bob()
    client.force_login(bob)
    client.logout()
    client.force_login(alice)
    client.post("/profile/tokens/", {"name": "mine"})
    token = ApiToken.objects.get(user=alice)
    client.force_login(bob)
    assert client.post(f"/profile/tokens/{token.pk}/revoke/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_the_sign_in_page_switches_language(client):
    page = client.get("/signin/").content.decode()
    assert 'action="/i18n/setlang/"' in page and 'value="fr"' in page
    client.post("/i18n/setlang/", {"language": "fr", "next": "/signin/"})
    assert '<html lang="fr">' in client.get("/signin/").content.decode()
