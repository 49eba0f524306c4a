"""The admin console: who may open which page, what it shows, and that its actions go
through the services."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from runs.models import Run, RunError, RunStatus, RunTrigger
from tests import factories, personas

LIST_PAGES = [
    "admin:index",
    "admin:accounts_user_changelist",
    "admin:accounts_apitoken_changelist",
    "admin:audit_auditentry_changelist",
    "admin:connector_install_changelist",
    "admin:connector_connection_changelist",
    "admin:workflows_workflow_changelist",
    "admin:runs_run_changelist",
    "admin:runs_link_changelist",
]


def _fill(install, owner, n):
    for i in range(n):
        workflow = factories.workflow(owner, install, name=f"W{i}", sheet_id=5000 + i)
        run = factories.run(workflow, trigger=RunTrigger.SCHEDULE, status=RunStatus.PARTIAL)
        RunError.objects.create(run=run, message="bad", row_id=i)
        factories.link(workflow, f"006000000000{i:03d}AAA", i)


@pytest.mark.parametrize("page", LIST_PAGES)
def test_it_shows_every_console_page_to_a_system_admin(client, sam, bob, install, page):
    _fill(install, bob, 2)
    client.force_login(sam)
    assert client.get(reverse(page)).status_code == 200


@pytest.mark.parametrize("page", LIST_PAGES)
def test_it_refuses_the_console_to_a_connector_user(client, bob, page):
    client.force_login(bob)
    response = client.get(reverse(page))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_it_refuses_the_console_to_anonymous(client, db):
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302


def test_it_hides_other_teams_workflows(client, bob, charlie, install):
    factories.workflow(bob, install, name="Acme pipeline")
    client.force_login(personas.with_roles(charlie, system_admin=True))  # Globex's admin
    body = client.get(reverse("admin:workflows_workflow_changelist")).content.decode()
    assert "Acme pipeline" not in body


def test_a_connector_admin_manages_installs_and_connector_users_only(client, connie, install):
    client.force_login(connie)
    assert client.get(reverse("admin:connector_install_change", args=[install.pk])).status_code == 200
    assert client.get(reverse("admin:accounts_user_changelist")).status_code == 200
    for page in ("admin:workflows_workflow_changelist", "admin:runs_run_changelist",
                 "admin:audit_auditentry_changelist", "admin:accounts_apitoken_changelist"):
        assert client.get(reverse(page)).status_code == 403


def test_it_never_renders_client_secrets(client, connie, install):
    client.force_login(connie)
    body = client.get(reverse("admin:connector_install_change", args=[install.pk])).content.decode()
    assert "top-secret" not in body and "fernet:" not in body


def test_it_keeps_the_stored_secret_when_the_field_is_left_blank(client, connie, install):
    client.force_login(connie)
    url = reverse("admin:connector_install_change", args=[install.pk])
    page = client.get(url)
    form = page.context["adminform"].form
    data = {name: ("" if value is None else value) for name, value in form.initial.items()}
    data.update(name="Renamed org", salesforce_client_secret="", smartsheet_client_secret="",
                team=install.team_id, polling_interval_minutes=15, api_budget_percent=80)
    data.pop("restrict_users", None)
    data.pop("use_business_hours", None)
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    install.refresh_from_db()
    assert install.name == "Renamed org"
    assert install.salesforce_client_secret == "top-secret-sf"


@pytest.mark.parametrize("page", LIST_PAGES)
def test_it_lists_without_n_plus_one_queries(client, sam, bob, install, page):
    client.force_login(sam)
    _fill(install, bob, 1)
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse(page)).status_code == 200
    for i in range(8):
        factories.workflow(bob, install, name=f"More{i}", sheet_id=9000 + i)
        factories.install(name=f"More org {i}")
    for w in bob.workflows.filter(name__startswith="More"):
        factories.run(w)
        factories.link(w, f"006100000000{w.pk:03d}AAA", w.pk + 100)
    with CaptureQueriesContext(connection) as many:
        assert client.get(reverse(page)).status_code == 200
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


def test_it_searches_links_by_record_and_row_id(client, sam, bob, install):
    workflow = factories.workflow(bob, install)
    factories.link(workflow, "006000000000001AAA", 424242)
    factories.link(workflow, "006000000000002AAA", 7)
    client.force_login(sam)
    url = reverse("admin:runs_link_changelist")
    assert b"424242" in client.get(url, {"q": "424242"}).content
    by_record = client.get(url, {"q": "006000000000002AAA"}).content
    assert b"006000000000002AAA" in by_record and b"424242" not in by_record


def test_a_team_admin_cannot_touch_a_superuser_of_the_team(client, sam, acme):
    from accounts.models import User

    root = User.objects.create_superuser("root", "root@example.com", "pw-root", team=acme)
    client.force_login(sam)
    password_url = reverse("admin:auth_user_password_change", args=[root.pk])
    taken = client.post(password_url, {"password1": "Takeover-123!", "password2": "Takeover-123!",
                                       "usable_password": "true"})
    assert taken.status_code == 404
    root.refresh_from_db()
    assert root.check_password("pw-root")
    change = client.get(reverse("admin:accounts_user_change", args=[root.pk]))
    assert (change.status_code, change["Location"]) == (302, reverse("admin:index"))
    listing = client.get(reverse("admin:accounts_user_changelist")).content.decode()
    assert "root@example.com" not in listing


def test_a_system_admin_cannot_drop_their_own_role_in_the_console(client, sam):
    client.force_login(sam)
    url = reverse("admin:accounts_user_change", args=[sam.pk])
    page = client.get(url).content.decode()
    assert 'name="system_admin"' not in page  # shown read-only
    client.post(url, {"username": "sam", "email": "sam@example.com", "licensed": "on",
                      "is_active": "on"})
    sam.refresh_from_db()
    assert sam.system_admin is True


def test_a_role_change_in_the_console_goes_through_the_roles_service(client, sam, bob, caplog):
    import logging

    client.force_login(sam)
    url = reverse("admin:accounts_user_change", args=[bob.pk])
    with caplog.at_level(logging.INFO, logger="accounts.services"):
        response = client.post(url, {"username": "bob", "email": "bob@example.com",
                                     "licensed": "on", "salesforce_user": "on",
                                     "service_cloud_user": "on", "connector_admin": "on",
                                     "is_active": "on"})
    assert response.status_code == 302, response.content.decode()[-2000:]
    bob.refresh_from_db()
    assert bob.connector_admin is True
    assert f"user {sam.pk} changed connector_admin of user {bob.pk}" in caplog.text


def test_run_now_in_the_console_reports_a_refusal_instead_of_failing(client, sam, bob, install):
    paused = factories.workflow(bob, install, name="Off", enabled=False)
    client.force_login(sam)
    response = client.post(reverse("admin:workflows_workflow_changelist"), {
        "action": "run_workflows_now", "_selected_action": [paused.pk]}, follow=True)
    assert response.status_code == 200
    assert "Off:" in response.content.decode()
    assert not Run.objects.filter(workflow=paused).exists()


def test_the_console_signs_people_in_through_the_product_sign_in(client, sam, bob):
    response = client.get(reverse("admin:index"), follow=True)
    assert response.redirect_chain[-1][0] == "/signin/?next=%2Fadmin%2F"
    signed_in = client.post("/signin/?next=%2Fadmin%2F",
                            {"username": "sam", "password": personas.PASSWORD}, follow=True)
    assert signed_in.redirect_chain[-1][0] == "/admin/"  # a System Admin, not staff
    assert "Team console" in signed_in.content.decode()
    assert 'href="/admin/"' in client.get("/").content.decode()  # the nav link

    client.force_login(bob)  # no admin role: back to the dashboard, told why, no loop
    refused = client.get(reverse("admin:index"), follow=True)
    assert refused.redirect_chain[-1][0] == "/"
    assert "for System Admins and Connector Admins" in refused.content.decode()
    assert 'href="/admin/"' not in refused.content.decode()
    client.force_login(sam)
    assert client.get("/admin/login/?next=https://evil.example/").url == "/admin/"
