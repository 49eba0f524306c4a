"""The audit log: every change to installs, roles and licences, people's accounts,
workflows and connections is recorded by the services — whichever interface made it —
with who, when, what, before → after; secrets only ever as "changed"."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import PermissionDenied

from accounts.services import user_set_active, user_update_roles
from audit.models import AuditAction, AuditEntry
from audit.selectors import audit_entries_visible_to
from audit.services import SECRET_CHANGED, audit_changes
from connector.services import connection_delete, install_create, install_update
from connector.services.installs import install_pause, install_resume
from tests import factories
from workflows.services import workflow_delete, workflow_set_enabled

pytestmark = pytest.mark.django_db


def _only(action: str) -> AuditEntry:
    entries = list(AuditEntry.objects.filter(action=action))
    assert len(entries) == 1, entries
    return entries[0]


def test_it_records_a_licence_change_with_who_before_and_after(sam, uma):
    user_update_roles(actor=sam, user=uma, licensed=True, salesforce_user=True)
    entry = _only(AuditAction.USER_ROLES)
    assert (entry.actor, entry.actor_name, entry.team_id) == (sam, "Sam Okafor", uma.team_id)
    assert (entry.target_type, entry.target_id, entry.target_label) == ("user", uma.pk,
                                                                        "Uma Ng")
    assert entry.before == {"licensed": False, "salesforce_user": False}
    assert entry.after == {"licensed": True, "salesforce_user": True}


def test_it_records_nothing_when_nothing_changes(sam, alice):
    user_update_roles(actor=sam, user=alice, licensed=True)
    assert not AuditEntry.objects.exists()


def test_it_records_deactivation_and_reactivation(sam, alice):
    user_set_active(actor=sam, user=alice, active=False)
    user_set_active(actor=sam, user=alice, active=True)
    assert list(AuditEntry.objects.order_by("id").values_list("action", "before", "after")) == [
        ("user.deactivate", {"is_active": True}, {"is_active": False}),
        ("user.reactivate", {"is_active": False}, {"is_active": True})]


def test_a_refused_change_records_nothing(bob, alice, connie):
    with pytest.raises(PermissionDenied):
        user_set_active(actor=connie, user=alice, active=False)  # not a System Admin
    with pytest.raises(PermissionDenied):
        user_update_roles(actor=bob, user=alice, licensed=False)
    assert not AuditEntry.objects.exists()


def test_install_secrets_and_the_ca_bundle_are_only_ever_changed(connie, install):
    install_update(user=connie, install=install, name="Renamed",
                   salesforce_client_secret="new-secret-value",
                   tls_ca_bundle="-----BEGIN CERTIFICATE-----\nsecret-ish\n")
    entry = _only(AuditAction.INSTALL_UPDATE)
    assert entry.before == {"name": "Acme org", "salesforce_client_secret": "",
                            "tls_ca_bundle": ""}
    assert entry.after == {"name": "Renamed", "salesforce_client_secret": SECRET_CHANGED,
                           "tls_ca_bundle": SECRET_CHANGED}
    text = json.dumps([entry.before, entry.after])
    assert "new-secret-value" not in text and "top-secret" not in text
    assert "secret-ish" not in text


def test_a_new_install_is_recorded_without_its_secrets(connie):
    install_create(user=connie, name="New org", salesforce_client_id="key",
                   salesforce_client_secret="very-secret", smartsheet_client_secret="")
    entry = _only(AuditAction.INSTALL_CREATE)
    assert entry.after["name"] == "New org"
    assert entry.after["salesforce_client_secret"] == SECRET_CHANGED
    assert "smartsheet_client_secret" not in entry.after  # empty stays unmentioned
    assert "very-secret" not in json.dumps(entry.after)


def test_it_records_pausing_and_resuming_an_install(sam, install):
    install_pause(user=sam, install=install)
    install_resume(user=sam, install=install)
    paused, resumed = AuditEntry.objects.order_by("id")
    assert (paused.action, paused.after["status"]) == ("install.pause", "disabled")
    assert (resumed.action, resumed.after["status"]) == ("install.resume", "active")


def test_it_records_enabling_disabling_and_deleting_a_workflow(sam, workflow):
    workflow_set_enabled(user=sam, workflow=workflow, enabled=False)
    workflow_set_enabled(user=sam, workflow=workflow, enabled=False)  # no change: no entry
    workflow_set_enabled(user=sam, workflow=workflow, enabled=True)
    workflow_delete(user=sam, workflow=workflow)
    actions = list(AuditEntry.objects.order_by("id").values_list("action", flat=True))
    assert actions == ["workflow.disable", "workflow.enable", "workflow.delete"]
    deleted = _only(AuditAction.WORKFLOW_DELETE)
    assert deleted.target_label == "Accounts"
    assert deleted.before["mappings"] == ["Name → Account"]
    assert deleted.before["salesforce_filters"] == ["Industry equals Energy"]


def test_a_system_admin_disconnects_a_member_and_it_is_recorded(sam, alice, install):
    factories.connections(alice, install)
    connection = alice.connections.get(service="salesforce")
    connection_delete(user=sam, connection=connection)
    entry = _only(AuditAction.CONNECTION_DISCONNECT)
    assert entry.target_label == "Salesforce of Alice Martin on Acme org"
    assert entry.before["service"] == "salesforce"
    assert "token" not in json.dumps(entry.before)


def test_only_a_system_admin_of_the_team_or_the_owner_disconnects(bob, alice, install):
    factories.connections(alice, install)
    with pytest.raises(PermissionDenied):
        connection_delete(user=bob, connection=alice.connections.first())


def test_audit_changes_keeps_only_what_differs():
    assert audit_changes({"a": 1, "b": 2}, {"a": 1, "b": 3, "c": 4}) == (
        {"b": 2, "c": None}, {"b": 3, "c": 4})


def test_system_admins_see_their_teams_entries_and_nobody_else_does(people, install, globex):
    user_update_roles(actor=people["sam"], user=people["uma"], licensed=True)
    outsider = factories.install(team=globex, name="Globex org")
    install_pause(user=people["charlie"].__class__.objects.create_superuser(
        "root", "root@example.com", "pw"), install=outsider)
    assert [e.action for e in audit_entries_visible_to(people["sam"])] == ["user.roles"]
    for name in ("connie", "alice", "uma"):
        assert not audit_entries_visible_to(people[name]).exists()
    globex_admin = people["charlie"]
    globex_admin.system_admin = True
    globex_admin.save()
    assert [e.action for e in audit_entries_visible_to(globex_admin)] == ["install.pause"]
