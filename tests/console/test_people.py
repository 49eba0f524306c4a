"""People in the console: licences and roles one by one and in bulk (System Admins every
flag, Connector Admins the connector-user flags — and only those are offered),
deactivation, each person's workflows, connections, API tokens and last sign-in."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import ApiToken
from accounts.tokens import api_token_create
from audit.models import AuditEntry
from tests import factories

pytestmark = pytest.mark.django_db
USERS = reverse("admin:accounts_user_changelist")


def _actions(client) -> set[str]:
    response = client.get(USERS)
    return {name for name, _label in response.context["action_form"].fields["action"].choices
            if name}


def _act(client, action: str, *people):
    return client.post(USERS, {"action": action,
                               "_selected_action": [p.pk for p in people]}, follow=True)


def test_a_system_admin_is_offered_every_flag_and_deactivation(client, sam):
    client.force_login(sam)
    assert _actions(client) == {
        f"{verb}_{flag}" for verb in ("grant", "revoke")
        for flag in ("licensed", "salesforce_user", "service_cloud_user", "system_admin",
                     "connector_admin")} | {"deactivate_people", "reactivate_people"}


def test_a_connector_admin_is_offered_the_connector_user_flags_only(client, connie):
    client.force_login(connie)
    assert _actions(client) == {
        f"{verb}_{flag}" for verb in ("grant", "revoke")
        for flag in ("licensed", "salesforce_user", "service_cloud_user")}


def test_licences_in_bulk_go_through_the_roles_service(client, sam, uma, alice):
    client.force_login(sam)
    response = _act(client, "grant_licensed", uma, alice)
    assert "2 people updated." in response.content.decode()
    uma.refresh_from_db()
    assert uma.licensed
    assert list(AuditEntry.objects.values_list("action", "target_label")) == [
        ("user.roles", "Uma Ng")]  # alice had one already


def test_a_connector_admin_cannot_grant_admin_roles_even_by_hand(client, connie, uma):
    client.force_login(connie)
    _act(client, "grant_system_admin", uma)  # not offered; posted anyway
    uma.refresh_from_db()
    assert not uma.system_admin
    page = client.get(reverse("admin:accounts_user_change", args=[uma.pk])).content.decode()
    assert 'name="system_admin"' not in page and 'name="licensed"' in page
    assert 'name="is_active"' not in page and 'name="email"' not in page
    client.post(reverse("admin:accounts_user_change", args=[uma.pk]),
                {"licensed": "on", "system_admin": "on", "username": "hijack"})
    uma.refresh_from_db()
    assert (uma.licensed, uma.system_admin, uma.username) == (True, False, "uma")


def test_a_connector_admin_cannot_set_a_password(client, connie, uma):
    client.force_login(connie)
    url = reverse("admin:auth_user_password_change", args=[uma.pk])
    assert client.get(url).status_code == 403
    response = client.post(url, {"password1": "Takeover-123!", "password2": "Takeover-123!",
                                 "usable_password": "true"})
    assert response.status_code == 403


def test_deactivating_pauses_their_workflows_with_the_reason(client, sam, alice, workflow):
    client.force_login(sam)
    _act(client, "deactivate_people", alice)
    alice.refresh_from_db()
    assert not alice.is_active
    overview = client.get(reverse("admin:index")).content.decode()
    assert "Paused: its owner&#x27;s account is deactivated." in overview
    assert AuditEntry.objects.get().action == "user.deactivate"


def test_nobody_deactivates_themselves(client, sam):
    client.force_login(sam)
    response = _act(client, "deactivate_people", sam)
    assert "You cannot deactivate your own account." in response.content.decode()
    sam.refresh_from_db()
    assert sam.is_active


def test_the_change_form_deactivates_through_the_service(client, sam, alice):
    client.force_login(sam)
    response = client.post(reverse("admin:accounts_user_change", args=[alice.pk]), {
        "username": "alice", "email": "alice@example.com", "first_name": "Alice",
        "last_name": "Martin", "licensed": "on", "salesforce_user": "on",
        "service_cloud_user": "on"})  # is_active unchecked
    assert response.status_code == 302
    assert AuditEntry.objects.get().action == "user.deactivate"


def test_a_persons_page_shows_their_workflows_connections_and_tokens(client, sam, alice,
                                                                    install, workflow):
    factories.connections(alice, install)
    token, key = api_token_create(user=alice, name="CI")
    client.force_login(sam)
    body = client.get(reverse("admin:accounts_user_change", args=[alice.pk])).content.decode()
    assert workflow.name in body and "Transfer all their workflows" in body
    assert "Acme org" in body and "alice@example.com" in body
    assert token.prefix in body and key not in body and token.digest not in body


def test_tokens_are_revoked_in_bulk(client, sam, alice, bob):
    tokens = [api_token_create(user=person)[0] for person in (alice, bob)]
    client.force_login(sam)
    response = client.post(reverse("admin:accounts_apitoken_changelist"), {
        "action": "revoke_tokens", "_selected_action": [t.pk for t in tokens]}, follow=True)
    assert "2 tokens revoked." in response.content.decode()
    assert not ApiToken.objects.filter(revoked_at__isnull=True).exists()
