"""A short number cannot stall a worker or the web server: exponents like ``1e400000``
are refused as numbers too large for any Salesforce field, wherever they come from — a
sheet cell, a saved filter, a preview's filter — in time linear in their length."""

from __future__ import annotations

import pytest

from runs.engine import sync_workflow
from runs.engine.convert import ConversionError, FieldInfo, from_cell
from runs.engine.sheetfilter import matches
from tests import factories
from tests.guards import must_not_hang

HUGE = ["1e400000", "-1e99999999", "9e999999999999", "1" * 5000]


@pytest.mark.parametrize("value", HUGE)
def test_a_huge_cell_value_is_a_clear_error_not_a_stall(value):
    with must_not_hang(), pytest.raises(ConversionError) as refused:
        from_cell(value, FieldInfo(name="NumberOfEmployees", type="int", digits=8))
    assert "too large" in str(refused.value) or "not a number" in str(refused.value)
    with must_not_hang(), pytest.raises(ConversionError):
        from_cell(value, FieldInfo(name="AnnualRevenue", type="currency", precision=18,
                                   scale=2))


def test_a_smartsheet_filter_compares_huge_numbers_without_expanding_them():
    # Beyond any field: not a number, compared as text (a saved filter never holds one).
    with must_not_hang():
        assert matches("greater_than", "1e400000", "5") is False
        assert matches("greater_than", "6", "5") is True


def test_a_huge_number_in_a_cell_is_a_row_error_and_the_run_goes_on(
        sandbox, alice, connected_install, tag):
    sheet_id, columns = factories.sheet(sandbox, ["Name", "Employees", "Number"])
    factories.smartsheet_client(sandbox).add_rows(sheet_id, [
        {"toBottom": True, "cells": [{"columnId": columns["Name"], "value": "Huge"},
                                     {"columnId": columns["Employees"], "value": "1e300000"},
                                     {"columnId": columns["Number"], "value": tag}]},
        {"toBottom": True, "cells": [{"columnId": columns["Name"], "value": "Fine"},
                                     {"columnId": columns["Employees"], "value": "12"},
                                     {"columnId": columns["Number"], "value": tag}]}])
    workflow = factories.workflow(
        alice, connected_install, sheet_id=sheet_id, direction="to_salesforce",
        mappings=[("Name", "Name", "to_salesforce"),
                  ("NumberOfEmployees", "Employees", "to_salesforce"),
                  ("AccountNumber", "Number", "to_salesforce")])
    with must_not_hang(60):
        outcome = sync_workflow(run=factories.start_run(workflow))
    assert outcome.counts["records_created"] == 1 and outcome.counts["errors_count"] == 1
    rows = {r["Name"]: r for r in factories.rows_by_title(sandbox, sheet_id)}
    assert "too large" in rows["Huge"]["Sync Error"]


@pytest.mark.parametrize("value", ["1e250000", "1e400000"])
def test_a_huge_filter_value_is_refused_at_save_and_in_a_preview(
        client, alice, connected_install, sandbox, value):
    sheet_id, _ = factories.sheet(sandbox, ["Account"])
    client.force_login(alice)
    draft = {"name": "Huge", "install": connected_install.pk, "direction": "to_smartsheet",
             "salesforce_object": "Account", "sheet_id": sheet_id,
             "mappings": [{"salesforce_field": "Name", "column": "Account"}],
             "salesforce_filters": [{"field": "AnnualRevenue", "operator": "greater_than",
                                     "value": value}]}
    with must_not_hang(30):
        preview = client.post("/api/v1/workflows/preview/", draft, content_type="application/json")
        saved = client.post("/api/v1/workflows/", draft, content_type="application/json")
    for response in (preview, saved):
        assert response.status_code == 400, response.content
        assert "too large" in response.json()["detail"]
