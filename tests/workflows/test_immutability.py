"""A workflow's sheet, object and direction never change after creation (the model
guards them; the services refuse them with a message, tests/workflows/test_services.py)."""

from __future__ import annotations

import pytest

from tests import factories
from workflows.models import Direction, ImmutableFieldError, Workflow


@pytest.mark.parametrize(
    "field, value",
    [("sheet_id", 2002), ("salesforce_object", "Contact"), ("direction", Direction.BIDIRECTIONAL)],
)
def test_it_refuses_to_change_sheet_object_or_direction(bob, install, field, value):
    workflow = factories.workflow(bob, install)
    setattr(workflow, field, value)
    with pytest.raises(ImmutableFieldError):
        workflow.save()
    reloaded = Workflow.objects.get(pk=workflow.pk)
    assert getattr(reloaded, field) != value


def test_it_allows_renaming_and_disabling(bob, install):
    workflow = factories.workflow(bob, install)
    workflow.name = "Renamed"
    workflow.enabled = False
    workflow.sheet_name = "Sheet renamed in Smartsheet"
    workflow.save()
    reloaded = Workflow.objects.get(pk=workflow.pk)
    assert (reloaded.name, reloaded.enabled) == ("Renamed", False)


def test_it_guards_instances_loaded_with_only_some_fields(bob, install):
    workflow = factories.workflow(bob, install)
    partial = Workflow.objects.only("id", "name").get(pk=workflow.pk)
    partial.name = "x"
    partial.save(update_fields=["name"])
    assert Workflow.objects.get(pk=workflow.pk).name == "x"


@pytest.mark.parametrize(("field", "value"), [
    ("direction", "bidirectional"), ("sheet_id", 4242), ("salesforce_object", "Lead"),
])
def test_it_guards_the_fixed_fields_of_a_fresh_instance_too(workflow, field, value):
    fresh = Workflow.objects.get(pk=workflow.pk)
    setattr(fresh, field, value)
    with pytest.raises(ImmutableFieldError):
        fresh.save()
