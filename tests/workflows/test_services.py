"""Workflow services that need no outside service: enable, rename, update, delete, and
the refusals that come before any call."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from runs.models import Link, Run, SyncState
from tests import factories
from workflows.models import Workflow
from workflows.services import (
    WorkflowValidationError,
    workflow_create,
    workflow_delete,
    workflow_rename,
    workflow_set_enabled,
    workflow_update,
)


def test_it_lets_the_owner_and_a_system_admin_disable(people, workflow):
    workflow_set_enabled(user=people["sam"], workflow=workflow, enabled=False)
    assert Workflow.objects.get(pk=workflow.pk).enabled is False
    workflow_set_enabled(user=people["alice"], workflow=workflow, enabled=True)
    assert Workflow.objects.get(pk=workflow.pk).enabled is True


def test_it_lets_a_connector_admin_of_the_team_disable_but_not_edit(people, workflow):
    from django.core.exceptions import PermissionDenied

    workflow_set_enabled(user=people["connie"], workflow=workflow, enabled=False)
    assert Workflow.objects.get(pk=workflow.pk).enabled is False
    with pytest.raises(PermissionDenied):
        workflow_rename(user=people["connie"], workflow=workflow, name="Mine now")


@pytest.mark.parametrize("name", ["bob", "charlie", "uma"])
def test_it_hides_the_workflow_from_everyone_else(people, workflow, name):
    for call in (
        lambda: workflow_set_enabled(user=people[name], workflow=workflow, enabled=False),
        lambda: workflow_rename(user=people[name], workflow=workflow, name="Mine now"),
        lambda: workflow_delete(user=people[name], workflow=workflow),
    ):
        with pytest.raises(Workflow.DoesNotExist):
            call()
    assert Workflow.objects.get(pk=workflow.pk).enabled is True


def test_it_lets_only_the_owner_rename(people, workflow):
    with pytest.raises(PermissionDenied):
        workflow_rename(user=people["sam"], workflow=workflow, name="Admin's name")
    workflow_rename(user=people["alice"], workflow=workflow, name="  Energy  ")
    assert Workflow.objects.get(pk=workflow.pk).name == "Energy"
    with pytest.raises(WorkflowValidationError) as caught:
        workflow_rename(user=people["alice"], workflow=workflow, name=" ")
    assert caught.value.errors == {"name": ["Name the workflow."]}


def test_it_lets_an_admin_disable_through_update_but_not_change_settings(people, workflow):
    workflow_update(user=people["sam"], workflow=workflow, enabled=False)
    assert Workflow.objects.get(pk=workflow.pk).enabled is False
    with pytest.raises(PermissionDenied):
        workflow_update(user=people["sam"], workflow=workflow, conflict_policy="newest_wins")


@pytest.mark.parametrize(("field", "value"), [
    ("direction", "to_salesforce"), ("sheet_id", 4242), ("salesforce_object", "Contact"),
])
def test_it_refuses_to_change_what_is_fixed_at_creation(people, workflow, field, value):
    with pytest.raises(WorkflowValidationError) as caught:
        workflow_update(user=people["alice"], workflow=workflow, **{field: value})
    assert list(caught.value.errors) == [field]
    assert "cannot change after it is saved" in caught.value.errors[field][0]
    fresh = Workflow.objects.get(pk=workflow.pk)
    assert (fresh.direction, fresh.sheet_id, fresh.salesforce_object) == (
        "to_smartsheet", 111, "Account")


def test_it_deletes_links_and_schedule_state_but_nothing_outside(people, workflow):
    factories.link(workflow, "001000000000001AAA", 7)
    SyncState.objects.create(workflow=workflow)
    factories.run(workflow)
    # No connection exists: a delete that tried to touch the sheet or Salesforce would fail.
    workflow_delete(user=people["sam"], workflow=workflow)
    assert not Workflow.objects.filter(pk=workflow.pk).exists()
    assert not Link.objects.exists() and not SyncState.objects.exists() and not Run.objects.exists()


def test_it_refuses_to_create_for_an_unlicensed_user_before_any_call(people, install):
    with pytest.raises(PermissionDenied, match="licence"):
        workflow_create(user=people["uma"], install=install, name="W",
                        direction="to_smartsheet", salesforce_object="Account", sheet_id=1,
                        mappings=[{"salesforce_field": "Name", "column": "Name"}],
                        salesforce_filters=[], smartsheet_filters=[], row_groups=[])


def test_it_asks_for_connections_before_validating(people, install):
    with pytest.raises(WorkflowValidationError) as caught:
        workflow_create(user=people["alice"], install=install, name="W",
                        direction="to_smartsheet", salesforce_object="Account", sheet_id=1,
                        mappings=[{"salesforce_field": "Name", "column": "Name"}],
                        salesforce_filters=[], smartsheet_filters=[], row_groups=[])
    assert caught.value.errors == {
        "salesforce": ["Connect your Salesforce account first"],
        "smartsheet": ["Connect your Smartsheet account first"],
    }


def test_it_changes_the_polling_interval_within_the_installs_floor(people, workflow):
    with pytest.raises(WorkflowValidationError) as caught:
        workflow_update(user=people["alice"], workflow=workflow, polling_interval_minutes=5)
    assert list(caught.value.errors) == ["polling_interval_minutes"]
    workflow_update(user=people["alice"], workflow=workflow, polling_interval_minutes=60,
                    conflict_policy="newest_wins")
    fresh = Workflow.objects.get(pk=workflow.pk)
    assert (fresh.polling_interval_minutes, fresh.conflict_policy) == (60, "newest_wins")
