"""Preview: the same read and plan, counted, writing nothing — for saved workflows and
unsaved drafts."""

from __future__ import annotations

from runs.engine import preview, sync_workflow
from runs.models import Link
from tests import factories
from workflows.spec import FilterSpec, MappingSpec, WorkflowSpec, spec_from_workflow


def _writes(counts: dict) -> int:
    return sum(n for service in ("salesforce", "smartsheet")
               for key, n in counts[service]["by_endpoint"].items()
               if key.split()[0] in ("POST", "PUT", "PATCH", "DELETE")
               and "oauth2" not in key and "token" not in key)


def test_it_previews_a_draft_without_writing(sandbox, alice, connected_install, tag):
    sandbox.salesforce.insert("Account", [
        {"Name": f"P{i}", "AccountNumber": tag} for i in range(4)])
    sheet_id, columns = factories.sheet(sandbox, ["Name"])
    spec = WorkflowSpec(
        direction="bidirectional", salesforce_object="Account", install_id=connected_install.pk,
        owner_id=alice.pk, sheet_id=sheet_id,
        mappings=(MappingSpec("Name", "Name", "both"),
                  MappingSpec("NumberOfEmployees", "Employees", "both", new_column=True)),
        filters=(FilterSpec("salesforce", "AccountNumber", "equals", tag),))
    factories.smartsheet_client(sandbox).add_rows(sheet_id, [
        {"toBottom": True, "cells": [{"columnId": columns["Name"], "value": "From sheet"}]}])
    sandbox.control.reset_counts()

    summary = preview(spec, user=alice)

    assert summary["smartsheet"]["rows_to_add"] == 4
    assert summary["salesforce"]["records_to_create"] == 1
    assert summary["errors"] == 0 and summary["conflicts"] == 0
    assert _writes(sandbox.control.counts()) == 0
    assert len(factories.rows_by_title(sandbox, sheet_id)) == 1


def test_it_previews_a_saved_workflow_with_its_links(sandbox, alice, connected_install, tag):
    first, _ = sandbox.salesforce.insert("Account", [
        {"Name": "S1", "AccountNumber": tag}, {"Name": "S2", "AccountNumber": tag}])
    sheet_id, _ = factories.sheet(sandbox, ["Name"])
    workflow = factories.workflow(
        alice, connected_install, sheet_id=sheet_id, direction="to_smartsheet",
        mappings=[("Name", "Name", "to_smartsheet")],
        filters=[("salesforce", "AccountNumber", "equals", tag)])
    sync_workflow(run=factories.start_run(workflow))
    sandbox.salesforce.update("Account", [{"Id": first, "Name": "S1 renamed"}])
    sandbox.salesforce.insert("Account", [{"Name": "S3", "AccountNumber": tag}])
    sandbox.control.reset_counts()
    links_before = list(Link.objects.filter(workflow=workflow).values_list("snapshot", flat=True))

    summary = preview(spec_from_workflow(workflow), user=alice, workflow=workflow)

    assert summary["smartsheet"] == {"rows_to_add": 1, "group_rows_to_add": 0,
                                     "rows_to_update": 1, "rows_to_move": 0,
                                     "rows_to_remove": 0}
    assert summary["fields_to_update"] == {"Name": 1}
    assert _writes(sandbox.control.counts()) == 0
    assert list(Link.objects.filter(workflow=workflow).values_list("snapshot", flat=True)) \
        == links_before


def test_a_dry_run_writes_nothing(sandbox, alice, connected_install, tag):
    sandbox.salesforce.insert("Account", [{"Name": "Dry", "AccountNumber": tag}])
    sheet_id, _ = factories.sheet(sandbox, ["Name"])
    workflow = factories.workflow(
        alice, connected_install, sheet_id=sheet_id, direction="to_smartsheet",
        mappings=[("Name", "Name", "to_smartsheet")],
        filters=[("salesforce", "AccountNumber", "equals", tag)])
    sandbox.control.reset_counts()

    outcome = sync_workflow(run=factories.start_run(workflow), dry_run=True)

    assert outcome.dry_run and outcome.summary["smartsheet"]["rows_to_add"] == 1
    assert _writes(sandbox.control.counts()) == 0
    assert factories.rows_by_title(sandbox, sheet_id) == []
    assert not Link.objects.filter(workflow=workflow).exists()
