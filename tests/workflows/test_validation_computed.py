"""Computed Case columns in a draft: Service Cloud Case workflows only, and to
Smartsheet only, with messages that say why."""

from __future__ import annotations

import pytest

from tests.workflows.test_validation import check, errors_of


def test_it_accepts_every_computed_column_on_a_service_cloud_case_workflow():
    names = ["$time_to_close", "$age", "$sla_target", "$sla_status", "$escalated"]
    spec = check(kind="service_cloud", salesforce_object="Case", direction="to_smartsheet",
                 mappings=[{"salesforce_field": "Subject", "column": "Account"}]
                 + [{"salesforce_field": n, "column": n[1:]} for n in names])
    computed = [m for m in spec.mappings if m.salesforce_field.startswith("$")]
    assert [m.salesforce_field for m in computed] == names
    assert all(m.direction == "to_smartsheet" and m.new_column for m in computed)


@pytest.mark.parametrize("direction", ["to_salesforce", "both"])
def test_it_refuses_a_computed_column_flowing_to_salesforce(direction):
    errors = errors_of(kind="service_cloud", salesforce_object="Case", mappings=[
        {"salesforce_field": "Subject", "column": "Account"},
        {"salesforce_field": "$age", "column": "Age", "direction": direction}])
    assert errors == {"mappings": [
        "Row 2: 'Age (hours)' is computed: it can only flow to Smartsheet."]}


def test_it_refuses_computed_columns_on_other_objects_and_unknown_names():
    errors = errors_of(kind="service_cloud", salesforce_object="Account", mappings=[
        {"salesforce_field": "Name", "column": "Account"},
        {"salesforce_field": "$sla_status", "column": "SLA"}])
    assert errors == {"mappings": ["Row 2: '$sla_status' is not a field of Account."]}
    errors = errors_of(kind="service_cloud", salesforce_object="Case", mappings=[
        {"salesforce_field": "Subject", "column": "Account"},
        {"salesforce_field": "$mood", "column": "Mood"}])
    assert errors == {"mappings": ["Row 2: '$mood' is not a field of Case."]}


def test_it_refuses_computed_columns_on_a_to_salesforce_workflow():
    errors = errors_of(kind="service_cloud", salesforce_object="Case",
                       direction="to_salesforce", mappings=[
                           {"salesforce_field": "Subject", "column": "Account",
                            "direction": "to_salesforce"},
                           {"salesforce_field": "$escalated", "column": "Esc"}])
    assert list(errors) == ["mappings"] and errors["mappings"][0].startswith("Row 2: ")
