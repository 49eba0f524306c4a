"""The console's home for a System Admin: every workflow of the team — owner, sheet, state
and why, open errors, last and next run — filterable; every install with today's API use,
pause and resume. A constant number of queries."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from connector.models import InstallStatus
from console.overview import workflow_rows
from runs.models import RunStatus, SyncState
from runs.selectors import workflows_with_last_run
from tests import factories, personas
from workflows.models import Workflow

pytestmark = pytest.mark.django_db
INDEX = reverse("admin:index")


@pytest.fixture
def team(people, install):
    """alice's failing pipeline with open errors, bob's healthy contacts, a disabled one."""
    pipeline = factories.workflow(people["alice"], install, name="Pipeline",
                                  sheet_name="Pipeline sheet", salesforce_object="Opportunity")
    factories.run(pipeline, status=RunStatus.PARTIAL, errors_count=3,
                  salesforce_api_usage="4500/10000", salesforce_calls=7, smartsheet_calls=2)
    factories.run(pipeline, status=RunStatus.FAILED, message="The sheet is gone.")
    for row in (1, 2, 3):
        factories.open_error(pipeline, row_id=row, row_number=row)
    contacts = factories.workflow(people["bob"], install, name="Contacts",
                                  sheet_name="Contacts sheet", direction="bidirectional",
                                  salesforce_object="Contact")
    factories.run(contacts, status=RunStatus.SUCCEEDED)
    SyncState.objects.create(workflow=contacts, last_run_at=timezone.now())
    old = factories.workflow(people["bob"], install, name="Old leads", enabled=False)
    return {"pipeline": pipeline, "contacts": contacts, "old": old, **people}


def _rows(response) -> dict[str, object]:
    return {row.workflow.name: row for row in response.context["workflow_rows"]}


def test_it_answers_which_workflows_fail_and_why(client, team):
    client.force_login(team["sam"])
    response = client.get(INDEX)
    rows = _rows(response)
    assert set(rows) == {"Pipeline", "Contacts", "Old leads"}
    pipeline = rows["Pipeline"]
    assert (pipeline.failing, pipeline.open_errors, pipeline.state) == (True, 3, "syncing")
    body = response.content.decode()
    assert "The sheet is gone." in body and "Alice Martin" in body
    assert response.context["totals"] == {"workflows": 3, "failing": 1, "paused": 0,
                                          "open_errors": 3}


def test_it_says_why_a_workflow_is_paused(client, team, install):
    personas.with_roles(team["alice"], is_active=False)
    client.force_login(team["sam"])
    rows = _rows(client.get(INDEX))
    assert (rows["Pipeline"].state, rows["Pipeline"].reason) == (
        "paused", "Paused: its owner's account is deactivated.")
    install.status, install.status_message = InstallStatus.PAUSED_LIMIT, "Budget spent."
    install.save()
    rows = _rows(client.get(INDEX))
    assert (rows["Contacts"].state, rows["Contacts"].reason) == ("paused", "Budget spent.")
    assert rows["Contacts"].next_run == "Not scheduled"
    assert rows["Old leads"].state == "disabled"


def test_the_next_run_follows_the_polling_interval(client, team):
    client.force_login(team["sam"])
    rows = _rows(client.get(INDEX))
    assert rows["Pipeline"].next_run == "Due now"  # never polled on schedule
    assert rows["Contacts"].next_run not in ("Due now", "Not scheduled")  # in 15 minutes
    SyncState.objects.filter(workflow=team["contacts"]).update(
        last_run_at=timezone.now() - timedelta(minutes=16))
    assert _rows(client.get(INDEX))["Contacts"].next_run == "Due now"


def test_a_sheet_with_a_permalink_is_linked(team):
    workflow = workflows_with_last_run(Workflow.objects.filter(pk=team["contacts"].pk)).get()
    workflow.sheet_permalink = "https://app.smartsheet.com/sheets/abc"
    assert workflow_rows([workflow])[0].sheet_url == "https://app.smartsheet.com/sheets/abc"


@pytest.mark.parametrize(("query", "expected"), [
    ("status=failing", {"Pipeline"}),
    ("status=disabled", {"Old leads"}),
    ("status=syncing", {"Pipeline", "Contacts"}),
    ("open_errors=on", {"Pipeline"}),
    ("owner={bob}", {"Contacts", "Old leads"}),
    ("owner={bob}&status=syncing", {"Contacts"}),
    ("install={install}", {"Pipeline", "Contacts", "Old leads"}),
])
def test_it_filters(client, team, install, query, expected):
    client.force_login(team["sam"])
    url = f"{INDEX}?{query.format(bob=team['bob'].pk, install=install.pk)}"
    assert set(_rows(client.get(url))) == expected


def test_the_install_shows_todays_api_use_against_its_budget(client, team):
    client.force_login(team["sam"])
    response = client.get(INDEX)
    row = response.context["install_rows"][0]
    assert (row.used, row.maximum, row.budget, row.budget_share) == (4500, 10000, 8000, 56)
    assert row.install.salesforce_calls_today == 7
    assert "4,500 of 8,000 (56 % of the 80 % budget)" in response.content.decode()


def test_a_connector_admin_sees_the_installs_only(client, team):
    client.force_login(team["connie"])
    response = client.get(INDEX)
    assert "workflow_rows" not in response.context
    assert "Acme org" in response.content.decode()
    assert "Pipeline" not in response.content.decode()


def test_pause_and_resume_from_the_overview(client, team, install):
    client.force_login(team["sam"])
    response = client.post(reverse("admin:connector_install_pause", args=[install.pk]),
                           {"next": INDEX})
    assert response.status_code == 302 and response["Location"] == INDEX
    install.refresh_from_db()
    assert install.status == InstallStatus.DISABLED
    assert _rows(client.get(INDEX))["Contacts"].reason.startswith("Paused by Sam Okafor")
    client.post(reverse("admin:connector_install_resume", args=[install.pk]),
                {"next": "https://evil.example/"})
    install.refresh_from_db()
    assert install.status == InstallStatus.ACTIVE
    assert client.get(reverse("admin:connector_install_pause", args=[install.pk])
                      ).status_code == 404  # POST only


def test_nobody_pauses_another_teams_install(client, team, globex):
    theirs = factories.install(team=globex, name="Globex org")
    client.force_login(team["sam"])
    response = client.post(reverse("admin:connector_install_pause", args=[theirs.pk]))
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == InstallStatus.ACTIVE


def test_it_costs_the_same_queries_for_a_bigger_team(client, team, install):
    client.force_login(team["sam"])
    url = f"{INDEX}?owner={team['alice'].pk}&status=failing&open_errors=on"
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for i in range(6):
        other = factories.install(name=f"Org {i}")
        workflow = factories.workflow(team["alice"], other, name=f"W{i}")
        factories.run(workflow, status=RunStatus.FAILED, message="no")
        factories.run(workflow, status=RunStatus.PARTIAL, errors_count=1)
        SyncState.objects.create(workflow=workflow, last_run_at=timezone.now())
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert len(response.context["workflow_rows"]) == 1  # the newest run is the partial one
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]
