"""Open errors: an error stays open until its item syncs cleanly, every run retries every
open item (an incremental run reads it by id), and an item that leaves the workflow's
scope closes its error as no longer synced.

The issue's scenario: a two-way Opportunity workflow whose sheet's Stage column lacks
some of Salesforce's stages. Rows of those records fail; "Run now" retries them and
still reports them open; adding the options to the column closes them; a record that
leaves the filter closes its error as no longer synced.
"""

from __future__ import annotations

from django.core import mail

from runs.models import OpenError, Resolution, Run, RunError, RunStatus
from runs.services import run_execute, run_request_for_user
from tests import factories

STAGES = ["Prospecting", "Qualification"]
NEGOTIATION = "Negotiation/Review"


def _pipeline(sandbox, owner, install, tag, records):
    ids = sandbox.salesforce.insert("Opportunity", [
        {"Name": name, "StageName": stage, "CloseDate": "2026-12-31", "NextStep": tag}
        for name, stage in records])
    created = factories.smartsheet_client(sandbox).create_sheet(factories.unique("pipeline"), [
        {"title": "Name", "type": "TEXT_NUMBER", "primary": True},
        {"title": "Stage", "type": "PICKLIST", "options": STAGES, "validation": True}])
    columns = {c["title"]: c["id"] for c in created["columns"]}
    workflow = factories.workflow(
        owner, install, sheet_id=created["id"], sheet_name="Pipeline",
        direction="bidirectional", salesforce_object="Opportunity",
        mappings=[{"salesforce_field": "Name", "column_title": "Name",
                   "column_id": columns["Name"], "direction": "both"},
                  {"salesforce_field": "StageName", "column_title": "Stage",
                   "column_id": columns["Stage"], "direction": "both"}],
        filters=[("salesforce", "NextStep", "equals", tag)])
    return dict(zip((name for name, _ in records), ids, strict=True)), created["id"], columns, \
        workflow


def _run_now(workflow, user) -> Run:
    run = run_request_for_user(workflow=workflow, user=user)
    run_execute(run_id=run.pk)
    run.refresh_from_db()
    return run


def _open(workflow) -> dict[str, OpenError]:
    return {e.record_name: e for e in OpenError.objects.filter(workflow=workflow,
                                                               resolved_at__isnull=True)}


def test_rows_failing_on_a_missing_picklist_option_stay_open_until_the_sheet_is_fixed(
        sandbox, alice, connected_install, tag):
    ids, sheet_id, columns, workflow = _pipeline(
        sandbox, alice, connected_install, tag,
        [("Alpha", "Prospecting"), ("Beta", NEGOTIATION), ("Gamma", NEGOTIATION)])

    first = _run_now(workflow, alice)

    assert first.status == RunStatus.PARTIAL
    assert first.get_status_display() == "Succeeded with errors"
    # Rows of refused records are added without the refused cell, their Sync Error says why.
    rows = factories.rows_by_title(sandbox, sheet_id)
    assert [(r["Name"], r.get("Stage")) for r in rows] == [
        ("Alpha", "Prospecting"), ("Beta", None), ("Gamma", None)]
    assert NEGOTIATION in rows[1]["Sync Error"]
    opened = _open(workflow)
    assert set(opened) == {"Beta", "Gamma"}
    beta = opened["Beta"]
    assert (beta.kind, beta.column, beta.field) == ("picklist", "Stage", "Stage")
    # The row was added without its refused cell: the error names and links it.
    assert (beta.row_id, beta.row_number, beta.primary_value) == (rows[1]["_id"], 2, "Beta")
    assert beta.row_url.endswith(f"?rowId={rows[1]['_id']}")
    assert NEGOTIATION in beta.message and "add it to the column's options" in beta.message
    assert "1042" not in beta.message
    assert beta.record_id == ids["Beta"] and beta.record_url.endswith(f"/{ids['Beta']}")
    assert beta.runs == 1 and beta.first_run_id == first.pk
    assert sorted(RunError.objects.filter(run=first).values_list("repeat", flat=True)) == [
        False, False]
    assert len(mail.outbox) == 1  # the owner, once, both errors in one email
    mail.outbox.clear()

    # Nothing changed: an incremental run retries both and still reports them open.
    sandbox.control.clock.advance(120)
    second = _run_now(workflow, alice)

    assert second.status == RunStatus.PARTIAL and not second.full
    assert second.errors_count == 2
    still = _open(workflow)
    assert {e.pk for e in still.values()} == {e.pk for e in opened.values()}
    assert {e.runs for e in still.values()} == {2}
    assert list(RunError.objects.filter(run=second).values_list("repeat", flat=True)) == [
        True, True]
    assert mail.outbox == []  # the same errors are not mailed again
    # Retried by id in the run's one query and sheet read: no call per item.
    assert second.salesforce_calls <= 3 and second.smartsheet_calls <= 3

    # The sheet gets the missing option; Gamma leaves the filter.
    factories.smartsheet_client(sandbox).update_column(
        sheet_id, columns["Stage"], {"type": "PICKLIST", "options": [*STAGES, NEGOTIATION]})
    sandbox.salesforce.update("Opportunity", [{"Id": ids["Gamma"], "NextStep": "elsewhere"}])
    sandbox.control.clock.advance(120)
    third = _run_now(workflow, alice)

    assert third.status == RunStatus.SUCCEEDED
    assert _open(workflow) == {}
    closed = {e.record_name: e for e in OpenError.objects.filter(workflow=workflow)}
    assert (closed["Beta"].resolution, closed["Beta"].resolved_by_id) == (
        Resolution.SYNCED, third.pk)
    assert (closed["Gamma"].resolution, closed["Gamma"].resolved_by_id) == (
        Resolution.NO_LONGER_SYNCED, third.pk)
    rows = {r["Name"]: r for r in factories.rows_by_title(sandbox, sheet_id)}
    assert sorted(rows) == ["Alpha", "Beta", "Gamma"]  # a row leaving the filter stays
    assert (rows["Beta"]["Stage"], rows["Beta"]["Sync Error"]) == (NEGOTIATION, None)
    assert rows["Gamma"]["Sync Error"] is None  # no longer synced: its error is cleared


def test_a_linked_row_that_fails_is_retried_until_its_record_is_deleted(
        sandbox, alice, connected_install, tag):
    ids, sheet_id, _, workflow = _pipeline(sandbox, alice, connected_install, tag,
                                           [("Delta", "Prospecting")])
    assert _run_now(workflow, alice).status == RunStatus.SUCCEEDED
    (row,) = factories.rows_by_title(sandbox, sheet_id)

    sandbox.salesforce.update("Opportunity", [{"Id": ids["Delta"], "StageName": NEGOTIATION}])
    sandbox.control.clock.advance(120)
    failing = _run_now(workflow, alice)

    assert failing.status == RunStatus.PARTIAL
    (error,) = _open(workflow).values()
    assert (error.row_id, error.record_id, error.kind) == (row["_id"], ids["Delta"], "picklist")
    # The row was not read (the change came from Salesforce): named by its primary value
    # and linked by id; its number comes with the retry, which reads it.
    assert (error.row_number, error.primary_value) == (None, "Delta")
    assert error.row_url.endswith(f"?rowId={row['_id']}")

    # Nothing changed since: the record is read by id and the row written again.
    sandbox.control.clock.advance(120)
    again = _run_now(workflow, alice)
    assert again.status == RunStatus.PARTIAL
    retried = _open(workflow)["Delta"]
    assert (retried.runs, retried.row_number) == (2, 1)

    sandbox.salesforce.delete([ids["Delta"]])
    sandbox.control.clock.advance(120)
    gone = _run_now(workflow, alice)

    assert gone.status == RunStatus.SUCCEEDED and _open(workflow) == {}
    assert OpenError.objects.get(pk=error.pk).resolution == Resolution.NO_LONGER_SYNCED
