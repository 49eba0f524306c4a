from __future__ import annotations

import pytest

from workflows.models import Direction, ImmutableFieldError, Workflow


@pytest.mark.parametrize(
    "field, value",
    [("sheet_id", 2002), ("salesforce_object", "Contact"), ("direction", Direction.BIDIRECTIONAL)],
)
def test_it_refuses_to_change_sheet_object_or_direction(bob, make_workflow, field, value):
    workflow = make_workflow(bob)
    setattr(workflow, field, value)
    with pytest.raises(ImmutableFieldError):
        workflow.save()
    reloaded = Workflow.objects.get(pk=workflow.pk)
    assert getattr(reloaded, field) != value


def test_it_allows_renaming_and_disabling(bob, make_workflow):
    workflow = make_workflow(bob)
    workflow.name = "Renamed"
    workflow.enabled = False
    workflow.sheet_name = "Sheet renamed in Smartsheet"
    workflow.save()
    reloaded = Workflow.objects.get(pk=workflow.pk)
    assert (reloaded.name, reloaded.enabled) == ("Renamed", False)


def test_it_guards_instances_loaded_with_only_some_fields(bob, make_workflow):
    workflow = make_workflow(bob)
    partial = Workflow.objects.only("id", "name").get(pk=workflow.pk)
    partial.name = "x"
    partial.save(update_fields=["name"])
    assert Workflow.objects.get(pk=workflow.pk).name == "x"
