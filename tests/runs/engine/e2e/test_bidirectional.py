"""Bidirectional: one-side changes flow, both-side changes are conflicts per policy, and
the engine's own writes never come back as changes."""

from __future__ import annotations

import pytest

from runs.engine import sync_workflow
from runs.models import Conflict
from tests import factories


def _linked(sandbox, alice, install, tag, policy):
    (record_id,) = sandbox.salesforce.insert("Account", [
        {"Name": "Hooli", "AccountNumber": tag, "Phone": "111", "NumberOfEmployees": 1}])
    sheet_id, columns = factories.sheet(sandbox, ["Name", "Phone", "Employees"])
    workflow = factories.workflow(
        alice, install, sheet_id=sheet_id, direction="bidirectional", conflict_policy=policy,
        mappings=[("Name", "Name", "both"), ("Phone", "Phone", "both"),
                  ("NumberOfEmployees", "Employees", "both")],
        filters=[("salesforce", "AccountNumber", "equals", tag)])
    sync_workflow(run=factories.start_run(workflow))
    (row,) = factories.rows_by_title(sandbox, sheet_id)
    return record_id, sheet_id, columns, workflow, row["_id"]


def _record(sandbox, record_id):
    client = factories.salesforce_client(sandbox)
    (record,) = client.query_all(
        f"SELECT Name, Phone, NumberOfEmployees, SystemModstamp FROM Account WHERE Id = '{record_id}'")
    return record


def test_it_flows_changes_each_way(sandbox, alice, connected_install, tag):
    record_id, sheet_id, columns, workflow, row_id = _linked(
        sandbox, alice, connected_install, tag, "salesforce_wins")
    sandbox.salesforce.update("Account", [{"Id": record_id, "Phone": "222"}])
    sandbox.smartsheet.edit_cells(sheet_id=sheet_id, email="ada@example.com", rows=[
        {"id": row_id, "cells": [{"columnId": columns["Employees"], "value": 9}]}])

    run = factories.start_run(workflow)
    outcome = sync_workflow(run=run)

    (row,) = factories.rows_by_title(sandbox, sheet_id)
    assert row["Phone"] == "222"
    assert _record(sandbox, record_id)["NumberOfEmployees"] == 9
    assert outcome.counts["conflicts_count"] == 0
    # The engine's own writes do not come back as changes.
    again = sync_workflow(run=factories.start_run(workflow))
    assert again.summary["salesforce"] == {"records_to_create": 0, "records_to_update": 0}
    assert again.summary["smartsheet"]["rows_to_update"] == 0


@pytest.mark.parametrize(("policy", "sheet_is_newer", "winner"), [
    ("salesforce_wins", True, "salesforce"),
    ("smartsheet_wins", False, "smartsheet"),
    ("newest_wins", True, "smartsheet"),
    ("newest_wins", False, "salesforce"),
])
def test_it_settles_conflicts_by_policy(sandbox, alice, connected_install, tag, policy,
                                        sheet_is_newer, winner):
    record_id, sheet_id, columns, workflow, row_id = _linked(sandbox, alice, connected_install,
                                                             tag, policy)

    def edit_salesforce():
        sandbox.salesforce.update("Account", [{"Id": record_id, "Phone": "from-sf"}])

    def edit_sheet():
        sandbox.smartsheet.edit_cells(sheet_id=sheet_id, email="ada@example.com", rows=[
            {"id": row_id, "cells": [{"columnId": columns["Phone"], "value": "from-sheet"}]}])

    first, second = (edit_salesforce, edit_sheet) if sheet_is_newer else (edit_sheet,
                                                                          edit_salesforce)
    first()
    sandbox.control.clock.advance(5)
    second()
    run = factories.start_run(workflow)
    sync_workflow(run=run)

    expected = "from-sf" if winner == "salesforce" else "from-sheet"
    (row,) = factories.rows_by_title(sandbox, sheet_id)
    assert row["Phone"] == expected
    assert _record(sandbox, record_id)["Phone"] == expected
    conflict = Conflict.objects.get(run=run)
    assert conflict.field == "Phone" and conflict.winner == winner
    assert conflict.salesforce_value == "from-sf"
    assert conflict.smartsheet_value == "from-sheet"
    assert conflict.losing_value == ("from-sheet" if winner == "salesforce" else "from-sf")
