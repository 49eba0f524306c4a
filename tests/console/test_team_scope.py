"""The console never shows or touches another team's data: lists, filter sidebars, forms."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import User
from connector.models import Install
from runs.models import Link, Run
from tests import factories

pytestmark = pytest.mark.django_db

#: The install form's Service Cloud fields, as a browser posts them.
SERVICE_CLOUD = {"sla_high": 8, "sla_medium": 24, "sla_low": 72, "business_days": [0, 1],
                 "business_start": "09:00", "business_end": "17:00"}
SECRET_NAMES = ("Globex-Install-Name", "Globex-Workflow-Name", "globex-person")
CHANGELISTS = ("admin:index", "admin:audit_auditentry_changelist",
               "admin:accounts_apitoken_changelist",
               "admin:accounts_user_changelist", "admin:connector_install_changelist",
               "admin:connector_connection_changelist", "admin:workflows_workflow_changelist",
               "admin:runs_run_changelist", "admin:runs_link_changelist")


@pytest.fixture
def world(people, acme, globex):
    mine = factories.install(team=acme, name="Acme-Install")
    theirs = factories.install(team=globex, name="Globex-Install-Name")
    User.objects.create_user("globex-person", team=globex, licensed=True)
    acme_wf = factories.workflow(people["alice"], mine, name="Acme-Workflow")
    globex_wf = factories.workflow(people["charlie"], theirs, name="Globex-Workflow-Name")
    for wf in (acme_wf, globex_wf):
        Run.objects.create(workflow=wf, trigger="manual")
        Link.objects.create(workflow=wf, record_id="001000000000001AAA", row_id=wf.pk)
    return people, mine, theirs


@pytest.mark.parametrize("persona", ["sam", "connie"])
@pytest.mark.parametrize("page", CHANGELISTS)
def test_no_list_or_filter_sidebar_names_another_team(client, world, persona, page):
    people, _, _ = world
    client.force_login(people[persona])
    response = client.get(reverse(page))
    if response.status_code == 403:
        return  # this role does not see this list at all
    html = response.content.decode()
    assert response.status_code == 200
    for name in SECRET_NAMES:
        assert name not in html, f"{name} shown on {page} to {persona}"


def test_a_connector_admin_cannot_plant_an_install_in_another_team(client, world):
    people, _, theirs = world
    client.force_login(people["connie"])
    form = client.get(reverse("admin:connector_install_add")).content.decode()
    assert 'name="team"' not in form
    response = client.post(reverse("admin:connector_install_add"), {
        "name": "Planted", "team": theirs.team_id, "kind": "salesforce", "status": "active",
        "salesforce_login_url": "https://login.salesforce.com",
        "smartsheet_api_base": "https://api.smartsheet.com/2.0",
        "smartsheet_authorize_url": "https://app.smartsheet.com/b/authorize",
        "polling_interval_minutes": 15, "api_budget_percent": 80, "time_zone": "UTC",
        "language": "en", **SERVICE_CLOUD})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Install.objects.get(name="Planted").team_id == people["connie"].team_id


def test_a_connector_admin_cannot_move_their_install_to_another_team(client, world):
    people, mine, theirs = world
    client.force_login(people["connie"])
    url = reverse("admin:connector_install_change", args=[mine.pk])
    assert 'name="team"' not in client.get(url).content.decode()
    client.post(url, {"name": "Acme-Install", "team": theirs.team_id, "kind": "salesforce",
                      "status": "active", "salesforce_login_url": "https://login.salesforce.com",
                      "smartsheet_api_base": "https://api.smartsheet.com/2.0",
                      "smartsheet_authorize_url": "https://app.smartsheet.com/b/authorize",
                      "polling_interval_minutes": 15, "api_budget_percent": 80,
                      "time_zone": "UTC", "language": "en", **SERVICE_CLOUD})
    mine.refresh_from_db()
    assert mine.team_id == people["connie"].team_id


def test_an_install_url_outside_the_policy_is_refused_with_the_field_named(client, world):
    people, mine, _ = world
    client.force_login(people["connie"])
    response = client.post(reverse("admin:connector_install_change", args=[mine.pk]), {
        "name": "Acme-Install", "kind": "salesforce", "status": "active",
        "salesforce_login_url": "https://login.salesforce.com",
        "salesforce_instance_url": "https://intranet.example.internal",
        "smartsheet_api_base": "http://api.smartsheet.com/2.0",
        "smartsheet_authorize_url": "https://app.smartsheet.com/b/authorize",
        "polling_interval_minutes": 15, "api_budget_percent": 80, "time_zone": "UTC",
        "language": "en", **SERVICE_CLOUD})
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "is not an allowed API host" in errors["salesforce_instance_url"][0]
    assert "must use https://" in errors["smartsheet_api_base"][0]
