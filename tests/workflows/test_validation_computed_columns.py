"""Columns Smartsheet computes (a column formula, a system column) are never written: a
mapping to one flows to Salesforce only, and the reason is one the wizard can show."""

from __future__ import annotations

import pytest

from tests.workflows.describes import COLUMNS, describe
from workflows.validation import (
    Draft,
    SheetInfo,
    WorkflowValidationError,
    check_draft,
    column_read_only_reason,
)

FORMULA = {"id": 7, "title": "Score", "type": "TEXT_NUMBER", "formula": "=[Revenue]@row * 2"}
CREATED = {"id": 8, "title": "Created", "type": "DATETIME", "systemColumnType": "CREATED_DATE"}
SHEET = SheetInfo(id=99, name="Accounts", columns=(*COLUMNS, FORMULA, CREATED),
                  access_level="OWNER")


def check(workflow_direction: str = "bidirectional", **mapping):
    mappings = [{"salesforce_field": "Name", "column": "Account"}, mapping]
    return check_draft(draft=Draft(direction=workflow_direction, salesforce_object="Account",
                                   sheet_id=99, name="W", mappings=mappings),
                       describe=describe, sheet=SHEET, install_kind="salesforce",
                       install_id=1, owner_id=2)


def test_it_says_why_a_column_is_read_only():
    assert column_read_only_reason(FORMULA) == "it is computed by a column formula"
    assert column_read_only_reason(CREATED) == "Smartsheet fills it in (a system column)"
    assert column_read_only_reason(COLUMNS[2]) == ""


@pytest.mark.parametrize("column", ["Score", "Created"])
def test_a_mapping_to_a_computed_column_defaults_to_salesforce_only(column):
    spec = check(salesforce_field="Description", column=column)
    assert spec.mappings[1].direction == "to_salesforce"


@pytest.mark.parametrize(("direction", "mapping_direction"), [
    ("bidirectional", "both"), ("bidirectional", "to_smartsheet"),
    ("to_smartsheet", "to_smartsheet")])
def test_a_computed_column_never_receives_salesforce_values(direction, mapping_direction):
    with pytest.raises(WorkflowValidationError) as caught:
        check(direction, salesforce_field="Description", column="Score",
              direction=mapping_direction)
    assert caught.value.errors["mappings"] == [
        "Row 2: the column 'Score' is read-only (it is computed by a column formula): it "
        "can only flow to Salesforce."]


def test_a_read_only_field_and_a_computed_column_cannot_be_mapped_either_way():
    with pytest.raises(WorkflowValidationError) as caught:
        check(salesforce_field="LastModifiedDate", column="Created")
    assert "can only flow to Salesforce" in caught.value.errors["mappings"][0]
