"""The summary of updates is the plan: what the preview counts is what the run then does,
through the sandbox — across directions, row groups, filters, edits and values the other
side refuses (a dropdown option the column lacks, a number that is not one, a field
Salesforce requires left blank).

Each case previews the workflow, runs it, and compares every count; an edit case then
changes the mappings (a new column to back-fill, or one more field to send) and compares
the preview of the run the edit starts with that run.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from runs.engine import preview, sync_workflow
from tests import factories
from workflows.models import Mapping, Workflow
from workflows.spec import spec_from_workflow

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Case:
    direction: str
    groups: bool = False
    filters: bool = False
    edit: bool = False
    failing: bool = False

    @property
    def id(self) -> str:
        parts = [self.direction] + [name for name in ("groups", "filters", "edit", "failing")
                                    if getattr(self, name)]
        return "-".join(parts)


#: Every direction alone and with each dimension; pairs of dimensions; all of them.
CASES = [
    Case("to_smartsheet"), Case("to_smartsheet", groups=True),
    Case("to_smartsheet", filters=True, failing=True), Case("to_smartsheet", edit=True),
    Case("to_smartsheet", groups=True, edit=True, failing=True),
    Case("to_salesforce"), Case("to_salesforce", failing=True),
    Case("to_salesforce", filters=True, edit=True),
    Case("to_salesforce", filters=True, edit=True, failing=True),
    Case("bidirectional"), Case("bidirectional", groups=True, failing=True),
    Case("bidirectional", filters=True, edit=True),
    Case("bidirectional", groups=True, filters=True, edit=True, failing=True),
]

#: The preview's count → the run's count of the same thing.
COUNTS = {("smartsheet", "rows_to_add"): "rows_added",
          ("smartsheet", "rows_to_update"): "rows_updated",
          ("smartsheet", "rows_to_move"): "rows_moved",
          ("smartsheet", "rows_to_remove"): "rows_removed",
          ("salesforce", "records_to_create"): "records_created",
          ("salesforce", "records_to_update"): "records_updated"}


def _sheet(sandbox) -> tuple[int, dict[str, int]]:
    """Name (primary), Number, Employees, Phone (text); Industry, a dropdown restricted to
    two options (Salesforce has more); Send, a checkbox (the Smartsheet filter)."""
    created = factories.smartsheet_client(sandbox).create_sheet(factories.unique("plan"), [
        {"title": "Name", "type": "TEXT_NUMBER", "primary": True},
        {"title": "Number", "type": "TEXT_NUMBER"},
        {"title": "Employees", "type": "TEXT_NUMBER"},
        {"title": "Phone", "type": "TEXT_NUMBER"},
        {"title": "Industry", "type": "PICKLIST", "options": ["Energy", "Banking"],
         "validation": True},
        {"title": "Send", "type": "CHECKBOX"}])
    return created["id"], {c["title"]: c["id"] for c in created["columns"]}


def _world(case: Case, sandbox, alice, install, tag) -> Workflow:
    to_ss = case.direction != "to_salesforce"
    to_sf = case.direction != "to_smartsheet"
    industries = ["Energy", "Banking", "Mining" if case.failing else "Energy", "Energy"]
    sandbox.salesforce.insert("Account", [
        {"Name": f"{tag} record {n}", "AccountNumber": tag, "Industry": industry,
         "NumberOfEmployees": 10 * n, "Phone": f"555-02{n:02d}" if n % 2 else None}
        for n, industry in enumerate(industries)])
    sheet_id, columns = _sheet(sandbox)
    if to_sf:
        rows = [{"Name": f"{tag} row {n}", "Number": tag, "Employees": 3 + n, "Send": True,
                 "Phone": f"555-03{n:02d}"} for n in range(3)]
        rows.append({"Name": f"{tag} held", "Number": tag, "Send": False})
        if case.failing:
            rows.append({"Name": f"{tag} bad number", "Number": tag, "Employees": "many",
                         "Send": True})
            rows.append({"Number": tag, "Employees": 4, "Send": True})  # no Name
        factories.smartsheet_client(sandbox).add_rows(sheet_id, [
            {"toBottom": True, "cells": [{"columnId": columns[title], "value": value}
                                         for title, value in row.items()]} for row in rows])
    both = "both" if case.direction == "bidirectional" else case.direction
    mappings = [("Name", "Name", both), ("AccountNumber", "Number", both),
                ("NumberOfEmployees", "Employees", both)]
    if to_ss:
        mappings.append(("Industry", "Industry", "to_smartsheet"))
    filters = [("salesforce", "AccountNumber", "equals", tag)]
    if case.filters:
        filters.append(("salesforce", "NumberOfEmployees", "less_than", "30"))
        if to_sf:
            filters.append(("smartsheet", "Send", "is_checked", ""))
    return factories.workflow(
        alice, install, sheet_id=sheet_id, direction=case.direction, mappings=mappings,
        filters=filters, groups=[("Industry", "")] if case.groups and to_ss else [])


def _edit(case: Case, workflow: Workflow) -> None:
    """Map the phone: to a new column (its back-fill) when records flow to the sheet, from
    the sheet's Phone column when rows flow to Salesforce."""
    if case.direction == "to_salesforce":
        Mapping.objects.create(workflow=workflow, position=9, salesforce_field="Phone",
                               column_title="Phone", direction="to_salesforce")
    else:
        Mapping.objects.create(workflow=workflow, position=9, salesforce_field="Phone",
                               column_title="Account phone", direction="to_smartsheet",
                               new_column=True)


def _rows(sandbox, sheet_id: int) -> list[dict]:
    return factories.rows_by_title(sandbox, sheet_id)


def _check(workflow: Workflow, alice, sandbox) -> dict:
    """Preview, run, compare; return the preview."""
    workflow = Workflow.objects.prefetch_related("mappings", "filters", "row_groups").get(
        pk=workflow.pk)
    summary = preview(spec_from_workflow(workflow), user=alice, workflow=workflow)
    rows_before = len(_rows(sandbox, workflow.sheet_id))
    outcome = sync_workflow(run=factories.start_run(workflow))
    counts = outcome.counts
    for (side, name), run_name in COUNTS.items():
        assert summary[side][name] == counts.get(run_name, 0), (name, summary, counts)
    assert summary["errors"] == counts.get("errors_count", 0), (summary, counts)
    assert len(summary["error_items"]) == summary["errors"]
    groups_added = (len(_rows(sandbox, workflow.sheet_id)) - rows_before
                    - counts.get("rows_added", 0) + counts.get("rows_removed", 0))
    assert summary["smartsheet"]["group_rows_to_add"] == groups_added, summary
    return summary


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_the_summary_counts_what_the_run_does(case, sandbox, alice, connected_install, tag):
    workflow = _world(case, sandbox, alice, connected_install, tag)

    first = _check(workflow, alice, sandbox)

    assert first["full"] is True
    if case.failing:
        assert first["errors"] > 0
        messages = " ".join(e["message"] for e in first["error_items"])
        if case.direction != "to_salesforce":
            assert "'Mining' is not one of the column's options" in messages
        if case.direction != "to_smartsheet":
            assert "many" in messages and "Salesforce requires" in messages
    if case.groups:
        assert first["smartsheet"]["group_rows_to_add"] >= 1
    if case.edit:
        _edit(case, workflow)
        again = _check(workflow, alice, sandbox)
        if case.direction == "to_salesforce":
            assert again["salesforce"]["records_to_update"] >= 1  # the phones, sent
        else:
            assert again["smartsheet"]["rows_to_update"] >= 1  # the new column, filled
