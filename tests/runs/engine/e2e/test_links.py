"""Links: a row and a record are paired — by the engine, or by an id pasted in the
Salesforce ID column — only while the record is inside the workflow's Salesforce filter.
A row whose record left the filter keeps its id cell but is not linked again by it, and
is linked back (not added twice) when the record returns."""

from __future__ import annotations

from runs.engine import sync_workflow
from runs.models import Link, Tombstone
from tests import factories


def _stamp(sandbox, record_id: str) -> str:
    client = factories.salesforce_client(sandbox)
    return client.query_all(
        f"SELECT SystemModstamp FROM Account WHERE Id = '{record_id}'")[0]["SystemModstamp"]


def _hot_accounts(sandbox, alice, install, tag, ratings: dict[str, str]):
    """Accounts named by ``ratings`` and a two-way workflow on the Hot ones of this test."""
    ids = sandbox.salesforce.insert("Account", [
        {"Name": name, "AccountNumber": tag, "Rating": rating}
        for name, rating in ratings.items()])
    sheet_id, columns = factories.sheet(sandbox, ["Name"])
    workflow = factories.workflow(
        alice, install, sheet_id=sheet_id, direction="bidirectional",
        mappings=[("Name", "Name", "both")],
        filters=[("salesforce", "AccountNumber", "equals", tag),
                 ("salesforce", "Rating", "equals", "Hot")])
    return ids, sheet_id, columns, workflow


def _moved(outcome) -> dict:
    return {k: outcome.counts.get(k, 0) for k in ("linked", "unlinked")}


def test_a_row_whose_record_left_the_filter_is_not_linked_again(
        sandbox, alice, connected_install, tag):
    (kept, leaving), sheet_id, columns, workflow = _hot_accounts(
        sandbox, alice, connected_install, tag, {"Kept": "Hot", "Leaving": "Hot"})
    sync_workflow(run=factories.start_run(workflow))
    row_id = Link.objects.get(workflow=workflow, record_id=leaving).row_id

    sandbox.control.clock.advance(5)
    sandbox.salesforce.update("Account", [{"Id": leaving, "Rating": "Cold"}])
    outcome = sync_workflow(run=factories.start_run(workflow, full=True))
    assert outcome.counts["unlinked"] == 1
    assert not Link.objects.filter(workflow=workflow, record_id=leaving).exists()
    rows = {r["_id"]: r for r in factories.rows_by_title(sandbox, sheet_id)}
    assert rows[row_id]["Salesforce ID"] == leaving  # the row stays, its id cell too
    stamp = _stamp(sandbox, leaving)

    sandbox.control.clock.advance(5)
    client = factories.smartsheet_client(sandbox)
    client.update_rows(sheet_id, [{"id": row_id, "cells": [
        {"columnId": columns["Name"], "value": "Edited in the sheet"}]}])

    for full in (False, True, True):
        sandbox.control.clock.advance(5)
        outcome = sync_workflow(run=factories.start_run(workflow, full=full))
        assert _moved(outcome) == {"linked": 0, "unlinked": 0}
        assert outcome.counts.get("errors_count", 0) == 0
    assert not Link.objects.filter(workflow=workflow, record_id=leaving).exists()
    assert _stamp(sandbox, leaving) == stamp
    rows = {r["_id"]: r for r in factories.rows_by_title(sandbox, sheet_id)}
    assert rows[row_id]["Name"] == "Edited in the sheet"
    assert not rows[row_id].get("Sync Error")
    assert Link.objects.filter(workflow=workflow, record_id=kept).exists()

    # Back in the filter: the kept row is linked again (not a second row added).
    sandbox.control.clock.advance(5)
    sandbox.salesforce.update("Account", [{"Id": leaving, "Rating": "Hot"}])
    outcome = sync_workflow(run=factories.start_run(workflow, full=True))
    assert outcome.counts["linked"] == 1
    assert Link.objects.get(workflow=workflow, record_id=leaving).row_id == row_id
    assert not Tombstone.objects.filter(workflow=workflow, row_id=row_id).exists()
    assert len(factories.rows_by_title(sandbox, sheet_id)) == 2


def test_a_pasted_id_links_a_record_in_the_filter_but_not_one_outside(
        sandbox, alice, connected_install, tag):
    (inside, outside), sheet_id, columns, workflow = _hot_accounts(
        sandbox, alice, connected_install, tag, {"Inside": "Hot", "Outside": "Cold"})
    sync_workflow(run=factories.start_run(workflow))  # creates the Salesforce ID column
    Link.objects.filter(workflow=workflow).delete()
    client = factories.smartsheet_client(sandbox)
    client.delete_rows(sheet_id, [r["_id"] for r in factories.rows_by_title(sandbox, sheet_id)])
    titles = {r["title"]: r["id"] for r in client.list_columns(sheet_id)}
    added = client.add_rows(sheet_id, [
        {"toBottom": True, "cells": [{"columnId": titles["Salesforce ID"], "value": i}]}
        for i in (inside, outside)])
    stamp = _stamp(sandbox, outside)

    sandbox.control.clock.advance(5)
    outcome = sync_workflow(run=factories.start_run(workflow, full=True))

    assert Link.objects.get(workflow=workflow, record_id=inside).row_id == added[0].row_id
    assert not Link.objects.filter(workflow=workflow, record_id=outside).exists()
    assert _stamp(sandbox, outside) == stamp
    assert outcome.counts["errors_count"] == 1  # the id outside the filter is reported


