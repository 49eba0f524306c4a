"""A French install, end to end with the real catalogue: the columns the engine owns, its
Sync Error messages and the Service Cloud SLA statuses land in the sheet in French — and
a value computed the same way in the same language compares equal to its snapshot, so
the next run rewrites nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest

from connector.models import Install
from runs.engine import sync_workflow
from runs.models import Run, RunStatus
from tests import factories

SLA = [("Subject", "Subject", "to_smartsheet"),
       ("$sla_status", "Statut SLA", "to_smartsheet", "", True)]


def _stamp(moment) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000+0000")


def _start(workflow, sandbox, *, full: bool = False) -> Run:
    """A run whose time is the sandbox's (the org's) clock: Age is measured against it."""
    return Run.objects.create(workflow=workflow, trigger="manual", status=RunStatus.RUNNING,
                              started_at=sandbox.control.clock.now(), full=full)


@pytest.fixture
def french_install(connected_install):
    Install.objects.filter(pk=connected_install.pk).update(language="fr")
    connected_install.refresh_from_db()
    return connected_install


def test_it_writes_the_owned_columns_and_sync_errors_in_french(
        sandbox, alice, french_install, tag):
    (gone,) = sandbox.salesforce.insert("Account", [{"Name": "Gone", "AccountNumber": tag}])
    sheet_id, _ = factories.sheet(sandbox, ["Name"])
    workflow = factories.workflow(
        alice, french_install, sheet_id=sheet_id, direction="to_smartsheet",
        mappings=[("Name", "Name", "to_smartsheet")],
        filters=[("salesforce", "AccountNumber", "equals", tag)])
    sync_workflow(run=factories.start_run(workflow))

    sandbox.salesforce.delete([gone])
    sandbox.control.clock.advance(120)
    sync_workflow(run=factories.start_run(workflow))

    columns = factories.smartsheet_client(sandbox).get_sheet(sheet_id)["columns"]
    assert [c["title"] for c in columns] == ["Name", "ID Salesforce",
                                            "Erreur de synchronisation"]
    (row,) = factories.rows_by_title(sandbox, sheet_id)
    assert row["Erreur de synchronisation"] == "Supprimé dans Salesforce"


@pytest.fixture
def french_service_install(french_install):
    Install.objects.filter(pk=french_install.pk).update(kind="service_cloud")
    french_install.refresh_from_db()
    return french_install


def test_it_writes_sla_statuses_in_french_and_rewrites_nothing_on_the_next_run(
        sandbox, alice, french_service_install, tag):
    now = sandbox.control.clock.now()
    open_case, met, breached = sandbox.salesforce.insert("Case", [
        {"Subject": tag, "Status": "New", "Priority": "High",
         "CreatedDate": _stamp(now - timedelta(hours=1))},
        {"Subject": tag, "Status": "Closed", "Priority": "High",
         "CreatedDate": _stamp(now - timedelta(hours=30)),
         "ClosedDate": _stamp(now - timedelta(hours=26))},
        {"Subject": tag, "Status": "Closed", "Priority": "Low",
         "CreatedDate": _stamp(now - timedelta(hours=200)),
         "ClosedDate": _stamp(now - timedelta(hours=20))},
    ])
    sheet_id, _ = factories.sheet(sandbox, ["Subject"])
    workflow = factories.workflow(
        alice, french_service_install, sheet_id=sheet_id, direction="to_smartsheet",
        salesforce_object="Case", mappings=SLA,
        filters=[("salesforce", "Subject", "equals", tag)])

    sync_workflow(run=_start(workflow, sandbox))

    columns = {c["title"]: c for c in
               factories.smartsheet_client(sandbox).get_sheet(sheet_id)["columns"]}
    assert columns["Statut SLA"]["type"] == "PICKLIST"
    assert columns["Statut SLA"]["options"] == ["Respecté", "Dépassé", "À risque",
                                                "Dans les délais"]
    assert "ID Service Cloud" in columns and "Erreur de synchronisation" in columns
    rows = {r["ID Service Cloud"]: r for r in factories.rows_by_title(sandbox, sheet_id)}
    assert rows[open_case]["Statut SLA"] == "Dans les délais"
    assert rows[met]["Statut SLA"] == "Respecté"
    assert rows[breached]["Statut SLA"] == "Dépassé"

    # The same words computed again compare equal to the snapshot: nothing is rewritten.
    outcome = sync_workflow(run=_start(workflow, sandbox, full=True))
    assert outcome.counts.get("rows_updated", 0) == 0
    assert outcome.counts.get("rows_added", 0) == 0
