"""Culprits: the person whose edit caused an error is named, and mailed.

A sheet edit that Salesforce refuses (a validation rule, a required field, a field the
owner may not edit) names the cell's last editor, from its history — one call per cell,
a few per run; an edit made in Salesforce that the sheet refuses names the record's last
modifier (read with the record), mailed when they are a user of the install.
"""

from __future__ import annotations

from django.core import mail

from runs.engine import sync_workflow
from runs.models import OpenError, RunError
from runs.notifications import run_errors_notify
from tests import factories


def _accounts(sandbox, owner, install, tag, names):
    ids = sandbox.salesforce.insert("Account", [
        {"Name": name, "AccountNumber": tag, "Phone": "111"} for name in names])
    sheet_id, columns = factories.sheet(sandbox, ["Name", "Phone"])
    sandbox.smartsheet.share(sheet_id=sheet_id, email="bob@example.com", access_level="EDITOR")
    workflow = factories.workflow(
        owner, install, sheet_id=sheet_id, direction="bidirectional",
        mappings=[("Name", "Name", "both"), ("Phone", "Phone", "both")],
        filters=[("salesforce", "AccountNumber", "equals", tag)])
    sync_workflow(run=factories.start_run(workflow))
    rows = {r["Name"]: r["_id"] for r in factories.rows_by_title(sandbox, sheet_id)}
    return dict(zip(names, ids, strict=True)), sheet_id, columns, workflow, rows


def test_a_sheet_edit_a_validation_rule_refuses_names_and_mails_its_editor(
        sandbox, alice, connected_install, tag):
    ids, sheet_id, columns, workflow, rows = _accounts(sandbox, alice, connected_install, tag,
                                                       ["Hooli", "Initech"])
    rule = factories.unique("phone_rule")
    sandbox.salesforce.add_validation_rule(
        object="Account", name=rule, condition="Phone = '000'", field="Phone",
        message="A phone number cannot be 000")
    try:
        sandbox.smartsheet.edit_cells(sheet_id=sheet_id, email="bob@example.com", rows=[
            {"id": rows[name], "cells": [{"columnId": columns["Phone"], "value": "000"}]}
            for name in ("Hooli", "Initech")])
        sandbox.control.clock.advance(5)
        run = factories.start_run(workflow)
        sync_workflow(run=run)
    finally:
        sandbox.salesforce.add_validation_rule(object="Account", name=rule, condition="",
                                               message="", remove=True)

    errors = list(RunError.objects.filter(run=run).order_by("row_number"))
    assert [(e.kind, e.column, e.culprit, e.culprit_email) for e in errors] == [
        ("validation_rule", "Phone", "Bob Chen", "bob@example.com")] * 2
    assert "A phone number cannot be 000" in errors[0].message
    assert "validation rule" in errors[0].message and "FIELD_CUSTOM" not in errors[0].message
    assert [e.primary_value for e in errors] == ["Hooli", "Initech"]
    assert [r.get("Sync Error") for r in factories.rows_by_title(sandbox, sheet_id)] == [
        errors[0].message] * 2
    assert run_errors_notify(run=run) == 2
    to_bob = next(m for m in mail.outbox if m.to == ["bob@example.com"])
    assert "[2×] row 1 (Hooli), row 2 (Initech): A Salesforce validation rule" in to_bob.body


def test_an_edit_in_salesforce_the_sheet_refuses_names_its_author(
        sandbox, alice, bob, connected_install, tag):
    # bob is a user of the install (his Salesforce connection); dan is not.
    factories.connect(bob, connected_install, sandbox,
                      salesforce_as="bob@example.com.sandbox")
    ids, sheet_id, columns, workflow, rows = _accounts(sandbox, alice, connected_install, tag,
                                                       ["Hooli", "Initech"])
    # The Phone column becomes a picklist of the one old number: new numbers are refused.
    factories.smartsheet_client(sandbox).update_column(
        sheet_id, columns["Phone"], {"type": "PICKLIST", "options": ["111"], "validation": True})
    sandbox.salesforce.update("Account", [{"Id": ids["Hooli"], "Phone": "222"}],
                              user="bob@example.com.sandbox")
    sandbox.salesforce.update("Account", [{"Id": ids["Initech"], "Phone": "333"}],
                              user="dan@example.com.sandbox")
    sandbox.control.clock.advance(5)
    run = factories.start_run(workflow)

    sync_workflow(run=run)

    errors = {e.primary_value: e for e in RunError.objects.filter(run=run)}
    assert (errors["Hooli"].kind, errors["Hooli"].column) == ("picklist", "Phone")
    assert "Phone: '222' is not one of the column's options" in errors["Hooli"].message
    assert (errors["Hooli"].culprit, errors["Hooli"].culprit_email) == ("Bob Chen",
                                                                        "bob@example.com")
    assert (errors["Initech"].culprit, errors["Initech"].culprit_email) == ("Dan Evans", "")
    assert run_errors_notify(run=run) == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["alice@example.com", "bob@example.com"]


def test_an_unchanged_open_error_keeps_its_culprit_without_asking_again(
        sandbox, alice, connected_install, tag):
    ids, sheet_id, columns, workflow, rows = _accounts(sandbox, alice, connected_install, tag,
                                                       ["Hooli"])
    sandbox.smartsheet.edit_cells(sheet_id=sheet_id, email="bob@example.com", rows=[
        {"id": rows["Hooli"], "cells": [{"columnId": columns["Phone"], "value": "x" * 41}]}])
    sandbox.control.clock.advance(5)
    sync_workflow(run=factories.start_run(workflow))
    (opened,) = OpenError.objects.filter(workflow=workflow)
    assert opened.culprit == "Bob Chen" and opened.kind == "too_long"

    sandbox.control.reset_counts()
    sandbox.control.clock.advance(120)
    again = factories.start_run(workflow)
    sync_workflow(run=again)

    (error,) = RunError.objects.filter(run=again)
    assert error.repeat and error.culprit == "Bob Chen"
    calls = sandbox.control.counts()["smartsheet"]["by_endpoint"]
    assert not [k for k in calls if "history" in k]
    # Its Sync Error cell already says so: nothing is written again.
    assert not [k for k in calls if k.startswith("PUT")], calls
