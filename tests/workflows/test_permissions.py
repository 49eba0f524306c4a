"""Who may create, see, change, enable and delete workflows."""

from __future__ import annotations

import pytest

from accounts.models import User
from tests import factories
from workflows.models import Workflow
from workflows.permissions import user_can_create_workflows
from workflows.selectors import workflow_visible_to, workflows_visible_to


def test_it_lets_a_licensed_connector_user_create(people, install):
    assert user_can_create_workflows(user=people["alice"], install=install) == (True, "")


def test_it_tells_an_unlicensed_user_whom_to_ask(people, install):
    allowed, why = user_can_create_workflows(user=people["uma"], install=install)
    assert not allowed
    assert why == ("You need a licence to create workflows. "
                   "Ask your System Admin, Sam Okafor, to give you a licence.")


@pytest.mark.parametrize(("kind", "flag", "role"), [
    ("salesforce", "salesforce_user", "Salesforce user"),
    ("service_cloud", "service_cloud_user", "Service Cloud user"),
])
def test_it_requires_the_role_when_the_install_restricts_users(people, install, kind, flag, role):
    install.kind, install.restrict_users = kind, True
    install.save()
    alice = people["alice"]
    assert user_can_create_workflows(user=alice, install=install)[0]
    setattr(alice, flag, False)
    alice.save()
    allowed, why = user_can_create_workflows(user=alice, install=install)
    assert not allowed
    assert f"restricted to {role}s" in why and f"give you the {role} role" in why
    install.restrict_users = False
    install.save()
    assert user_can_create_workflows(user=alice, install=install)[0]


def test_it_requires_the_service_cloud_role_on_a_restricting_service_cloud_install(people,
                                                                                   install):
    alice = people["alice"]
    install.kind, install.restrict_users = "service_cloud", True
    install.save()
    alice.service_cloud_user, alice.salesforce_user = False, True
    alice.save()

    allowed, message = user_can_create_workflows(user=alice, install=install)
    assert not allowed and "Service Cloud user" in message

    alice.service_cloud_user = True
    alice.save()
    assert user_can_create_workflows(user=alice, install=install)[0]


def test_it_refuses_another_teams_install(people, install):
    allowed, why = user_can_create_workflows(user=people["charlie"], install=install)
    assert not allowed and "belongs to another team" in why


def test_it_says_ask_your_system_admin_when_the_team_has_none(people, install):
    lonely = User.objects.create_user("lonely")  # not a persona: a user without a team
    assert user_can_create_workflows(user=lonely, install=install)[1].endswith(
        "Ask your System Admin to add you to its team.")


def test_it_counts_a_superuser_as_every_role(people, install):
    root = User.objects.create_user("root", is_superuser=True)  # not a persona
    install.restrict_users = True
    install.save()
    assert user_can_create_workflows(user=root, install=install) == (True, "")


def test_it_shows_owners_their_own_and_system_admins_their_team(people, install, workflow):
    bobs = factories.accounts_workflow(people["bob"], install, name="Bob's")
    charlies = factories.accounts_workflow(people["charlie"], install, name="Charlie's")
    visible = {name: set(workflows_visible_to(people[name]).values_list("pk", flat=True))
               for name in people}
    assert visible["alice"] == {workflow.pk}
    assert visible["bob"] == {bobs.pk}
    assert visible["sam"] == {workflow.pk, bobs.pk}
    assert visible["connie"] == {workflow.pk, bobs.pk}  # a Connector Admin of the team
    assert visible["uma"] == set()
    assert visible["charlie"] == {charlies.pk}


def test_it_hides_a_workflow_from_others_and_edits_only_for_the_owner(people, workflow):
    assert workflow_visible_to(user=people["alice"], workflow_id=workflow.pk, for_edit=True)
    assert workflow_visible_to(user=people["sam"], workflow_id=workflow.pk) == workflow
    with pytest.raises(Workflow.DoesNotExist):
        workflow_visible_to(user=people["sam"], workflow_id=workflow.pk, for_edit=True)
    assert workflow_visible_to(user=people["connie"], workflow_id=workflow.pk) == workflow
    for name in ("bob", "charlie"):
        with pytest.raises(Workflow.DoesNotExist):
            workflow_visible_to(user=people[name], workflow_id=workflow.pk)
    with pytest.raises(Workflow.DoesNotExist):
        workflow_visible_to(user=people["alice"], workflow_id="not-a-number")
