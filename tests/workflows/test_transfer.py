"""Transferring a workflow: a System Admin hands it to another licensed member of the team
with both connections on its install; links, history and open errors stay; later runs act
as the new owner."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from audit.models import AuditEntry
from runs.models import Link, Run, RunStatus
from runs.selectors import open_errors_by_workflow
from tests import factories, personas
from workflows.models import Workflow
from workflows.services import TransferRefused, transfer_refusal, workflow_transfer

pytestmark = pytest.mark.django_db


@pytest.fixture
def leaver(alice, bob, install, workflow):
    """alice's workflow with history, a link and open errors; bob connected, ready."""
    factories.run(workflow, status=RunStatus.PARTIAL, errors_count=2)
    factories.open_error(workflow, row_id=1)
    factories.open_error(workflow, row_id=2)
    factories.link(workflow, "001000000000001AAA", 11)
    factories.connections(bob, install)
    return workflow


def test_it_moves_the_workflow_and_keeps_everything_else(sam, bob, leaver):
    workflow_transfer(actor=sam, workflow=leaver, new_owner=bob)
    moved = Workflow.objects.get(pk=leaver.pk)
    assert moved.owner == bob
    assert Run.objects.filter(workflow=moved).count() == 1
    assert Link.objects.filter(workflow=moved).count() == 1
    assert open_errors_by_workflow([moved.pk]) == {moved.pk: 2}
    entry = AuditEntry.objects.get(action="workflow.transfer")
    assert (entry.actor, entry.before, entry.after) == (sam, {"owner": "alice"},
                                                        {"owner": "bob"})


def test_later_runs_act_as_the_new_owner(sam, bob, leaver):
    from connector.services import connection_get

    workflow_transfer(actor=sam, workflow=leaver, new_owner=bob)
    fresh = Workflow.objects.select_related("owner", "install").get(pk=leaver.pk)
    # The engine reads and writes through the owner's connections: now bob's.
    assert connection_get(user=fresh.owner, install=fresh.install,
                          service="salesforce").user == bob


def test_a_deactivated_owners_workflow_resumes_with_its_new_owner(sam, alice, bob, leaver):
    personas.with_roles(alice, is_active=False)
    assert Workflow.objects.get(pk=leaver.pk).paused_reason
    workflow_transfer(actor=sam, workflow=leaver, new_owner=bob)
    assert Workflow.objects.get(pk=leaver.pk).paused_reason is None


@pytest.mark.parametrize(("who", "refusal"), [
    ("connie", PermissionDenied), ("alice", PermissionDenied),
    ("bob", Workflow.DoesNotExist), ("uma", Workflow.DoesNotExist)])
def test_only_a_system_admin_transfers(people, leaver, who, refusal):
    with pytest.raises(refusal):
        workflow_transfer(actor=people[who], workflow=leaver, new_owner=people["bob"])
    assert Workflow.objects.get(pk=leaver.pk).owner == people["alice"]


def test_another_teams_admin_does_not_even_see_it(charlie, bob, leaver):
    with pytest.raises(Workflow.DoesNotExist):
        workflow_transfer(actor=personas.with_roles(charlie, system_admin=True),
                          workflow=leaver, new_owner=bob)


def test_it_says_why_someone_cannot_take_it_over(people, install, leaver):
    alice, bob, uma = people["alice"], people["bob"], people["uma"]
    assert transfer_refusal(workflow=leaver, new_owner=alice) == (
        "Alice Martin already owns this workflow.")
    assert transfer_refusal(workflow=leaver, new_owner=people["charlie"]) == (
        "Charlie Davis is not on this workflow's team.")
    assert transfer_refusal(workflow=leaver, new_owner=uma) == (
        "Uma Ng has no licence: give them one first.")
    personas.with_roles(uma, licensed=True)
    assert transfer_refusal(workflow=leaver, new_owner=uma) == (
        "Uma Ng has no live Salesforce connection on Acme org: they connect on their "
        "Connections page first.")
    factories.connections(uma, install, revoked=True)
    assert "no live Salesforce connection" in transfer_refusal(workflow=leaver, new_owner=uma)
    personas.with_roles(bob, is_active=False)
    assert transfer_refusal(workflow=leaver, new_owner=bob) == (
        "Bob Chen's account is deactivated.")


def test_a_restricted_install_needs_the_role(sam, bob, install, leaver):
    install.restrict_users = True
    install.save()
    personas.with_roles(bob, salesforce_user=False)
    with pytest.raises(TransferRefused) as refused:
        workflow_transfer(actor=sam, workflow=leaver, new_owner=bob)
    assert refused.value.message == ("Acme org is restricted to Salesforce users: give Bob "
                                     "Chen the Salesforce user role first.")
    assert not AuditEntry.objects.exists()
