"""An edit the Smartsheet filter holds back ("Update in Salesforce" unchecked) is not
lost when the record changes in Salesforce meanwhile: it is a conflict like any other,
settled by the workflow's policy, and the losing value is kept."""

from __future__ import annotations

import pytest

from runs.engine import sync_workflow
from runs.models import Conflict
from tests import factories


def _names(sandbox, tag) -> list[str]:
    client = factories.salesforce_client(sandbox)
    return [r["Name"] for r in client.query_all(
        f"SELECT Name FROM Account WHERE AccountNumber = '{tag}'")]


@pytest.mark.parametrize("policy", ["smartsheet_wins", "salesforce_wins"])
def test_a_held_back_edit_meeting_a_salesforce_change_is_a_conflict(
        sandbox, alice, connected_install, tag, policy):
    [record_id] = sandbox.salesforce.insert("Account", [{"Name": "Orig", "AccountNumber": tag}])
    sheet_id, columns = factories.sheet(sandbox, ["Name", "Update in Salesforce"])
    workflow = factories.workflow(
        alice, connected_install, sheet_id=sheet_id, direction="bidirectional",
        conflict_policy=policy,
        mappings=[("Name", "Name", "both")],
        filters=[("salesforce", "AccountNumber", "equals", tag),
                 ("smartsheet", "Update in Salesforce", "is_checked", "")])
    sync_workflow(run=factories.start_run(workflow))
    [row] = factories.rows_by_title(sandbox, sheet_id)
    sandbox.smartsheet.edit_cells(sheet_id=sheet_id, email="ada@example.com", rows=[
        {"id": row["_id"], "cells": [{"columnId": columns["Name"], "value": "Sheet edit"}]}])
    sync_workflow(run=factories.start_run(workflow))  # held back: the box is unchecked
    assert _names(sandbox, tag) == ["Orig"]

    sandbox.salesforce.update("Account", [{"Id": record_id, "Name": "SF edit"}])
    run = factories.start_run(workflow)
    sync_workflow(run=run)  # incremental: the row did not change since the last read

    [conflict] = Conflict.objects.filter(run=run)
    assert (conflict.salesforce_value, conflict.smartsheet_value) == ("SF edit", "Sheet edit")
    [row] = factories.rows_by_title(sandbox, sheet_id)
    if policy == "smartsheet_wins":
        assert conflict.winner == "smartsheet"
        assert row["Name"] == "Sheet edit"  # still waiting for the box
        sandbox.smartsheet.edit_cells(sheet_id=sheet_id, email="ada@example.com", rows=[
            {"id": row["_id"], "cells": [{"columnId": columns["Update in Salesforce"],
                                          "value": "true"}]}])
        sync_workflow(run=factories.start_run(workflow))
        assert _names(sandbox, tag) == ["Sheet edit"]
    else:
        assert conflict.winner == "salesforce"
        assert row["Name"] == "SF edit" and _names(sandbox, tag) == ["SF edit"]
