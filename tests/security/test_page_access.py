"""Every HTML page (``web/urls.py``) and the admin pages × persona: allowed or denied.

The API endpoints × personas are the matrix of ``tests/api/test_access_matrix.py``; this
is its counterpart for pages. Personas: anonymous, uma (unlicensed, Acme), alice
(connector user who owns the workflow), charlie (System Admin of another team), connie
(Connector Admin, Acme), sam (System Admin, Acme). ``302s`` = a redirect to sign-in;
``302`` = a redirect elsewhere (a wizard step without a wizard in progress, the admin
sending a user without staff rights to its login page).
"""

from __future__ import annotations

import pytest
from django.urls import get_resolver

from connector.models import Connection
from tests import factories, personas

PERSONAS = ("anonymous", "uma", "alice", "charlie", "connie", "sam")
ADMIN_LISTS = ("accounts/user", "accounts/team", "accounts/apitoken", "audit/auditentry",
               "connector/install", "connector/connection",
               "workflows/workflow", "runs/run", "runs/link", "django_q/schedule",
               "django_q/success", "django_q/failure", "django_q/ormq", "auth/group")


def row(anonymous="302s", **per_persona) -> dict[str, object]:
    table = {"anonymous": anonymous}
    table.update(per_persona)
    return table


ALL_OK = {"uma": 200, "alice": 200, "charlie": 200, "connie": 200, "sam": 200}
OWNER_AND_ADMINS = {"uma": 404, "alice": 200, "charlie": 404, "connie": 200, "sam": 200}
NOT_FOUND = {"uma": 404, "alice": 404, "charlie": 404, "connie": 404, "sam": 404}
#: A wizard step without a wizard in progress sends everyone back to the start (the steps
#: themselves, with a wizard, are covered by tests/web/test_wizard.py).
NO_WIZARD = {"uma": 302, "alice": 302, "charlie": 302, "connie": 302, "sam": 302}

# (url name, path template, expected status per persona)
PAGES = [
    ("dashboard", "/", row(**ALL_OK)),
    ("login", "/signin/", row(anonymous=200, uma=302, alice=302, charlie=302, connie=302, sam=302)),
    ("logout", "/signout/", row(anonymous=405, uma=405, alice=405, charlie=405, connie=405,
                                sam=405)),
    ("connections", "/connections/", row(**ALL_OK)),
    ("profile", "/profile/", row(**ALL_OK)),
    ("organization", "/organization/", row(**ALL_OK)),
    ("profile_token_create", "/profile/tokens/",
     row(uma=405, alice=405, charlie=405, connie=405, sam=405)),
    # A token is its owner's alone; no persona owns token 1 here.
    ("profile_token_revoke", "/profile/tokens/1/revoke/",
     row(uma=405, alice=405, charlie=405, connie=405, sam=405)),
    ("connection_start", "/connections/{install}/smartsheet/connect/",
     row(uma=405, alice=405, charlie=405, connie=405, sam=405)),
    # Charlie's team has no access to Acme's install.
    ("connection_callback", "/connections/{install}/smartsheet/callback/",
     row(uma=302, alice=302, charlie=404, connie=302, sam=302)),
    # The confirmation page is the owner's alone (a connection is one person's).
    ("connection_disconnect", "/connections/{connection}/disconnect/",
     row(uma=404, alice=200, charlie=404, connie=404, sam=404)),
    # Renaming is the owner's alone; admins may disable or delete.
    ("workflow_rename", "/workflows/{workflow}/rename/",
     row(uma=404, alice=200, charlie=404, connie=404, sam=404)),
    ("workflow_set_enabled", "/workflows/{workflow}/enabled/",
     row(uma=405, alice=405, charlie=405, connie=405, sam=405)),
    ("workflow_delete", "/workflows/{workflow}/delete/", row(**OWNER_AND_ADMINS)),
    # "Run now" is a POST (who may: tests/web/test_workflow_actions.py).
    ("workflow_run_now", "/workflows/{workflow}/run/",
     row(uma=405, alice=405, charlie=405, connie=405, sam=405)),
    ("run_history", "/workflows/{workflow}/runs/", row(**OWNER_AND_ADMINS)),
    ("run_detail", "/runs/{run}/", row(**OWNER_AND_ADMINS)),
    ("run_progress", "/runs/{run}/progress/", row(**OWNER_AND_ADMINS)),
    ("wizard_start", "/workflows/new/", row(uma=302, alice=302, charlie=302, connie=302,
                                            sam=302)),
    ("wizard_edit", "/workflows/{workflow}/edit/",
     row(uma=404, alice=302, charlie=404, connie=404, sam=404)),
    ("wizard_settings", "/wizard/settings/", row(**NO_WIZARD)),
    ("wizard_fields", "/wizard/fields/", row(**NO_WIZARD)),
    ("wizard_filters", "/wizard/filters/", row(**NO_WIZARD)),
    ("wizard_groups", "/wizard/groups/", row(**NO_WIZARD)),
    ("wizard_options", "/wizard/options/", row(**NO_WIZARD)),
    ("wizard_save", "/wizard/save/", row(**NO_WIZARD)),
    # Preparing a sheet: anyone on the install's team may open it (their own Smartsheet
    # access decides what they may do, and the page says it); other teams: not found.
    ("sheet_prepare", "/installs/{install}/sheets/1/prepare/",
     row(uma=200, alice=200, charlie=404, connie=200, sam=200)),
    # Service reports exist for Service Cloud installs only: for this Salesforce install
    # they are not found, whoever asks.
    ("workflow_report", "/workflows/{workflow}/report/", row(**NOT_FOUND)),
    ("install_report", "/installs/{install}/report/", row(**NOT_FOUND)),
    ("wizard_cancel", "/wizard/cancel/", row(uma=405, alice=405, charlie=405, connie=405,
                                             sam=405)),
]


@pytest.fixture
def world(db, sandbox):
    users = {"uma": personas.uma(), "alice": personas.alice(),
             "charlie": personas.charlie(system_admin=True), "connie": personas.connie(),
             "sam": personas.sam()}
    install = factories.install(sandbox=sandbox, name="Acme secret-named org")
    workflow = factories.workflow(users["alice"], install,
                                  name="Alice private workflow")
    run = factories.run(workflow)
    connection = Connection.objects.create(user=users["alice"], install=install,
                                           service="smartsheet", access_token="tok")
    ids = {"install": install.pk, "workflow": workflow.pk, "run": run.pk,
           "connection": connection.pk}
    return users, ids


def test_the_matrix_names_every_page():
    from web import urls

    named = {p.name for p in urls.urlpatterns}
    assert named == {name for name, _, _ in PAGES}
    assert get_resolver().resolve("/admin/").app_name == "admin"


def _as(client, users, who):
    client.logout()
    if who != "anonymous":
        client.force_login(users[who])


@pytest.mark.parametrize(("name", "template", "expected"), PAGES, ids=[p[0] for p in PAGES])
def test_every_page_allows_or_denies_each_persona(client, world, name, template, expected):
    users, ids = world
    path = template.format(**ids)
    got = {}
    for who in PERSONAS:
        _as(client, users, who)
        response = client.get(path)
        status = response.status_code
        if status == 302 and response["Location"].startswith("/signin/"):
            status = "302s"
        got[who] = status
    assert got == expected


ADMIN_EXPECTED = {"anonymous": "302a", "uma": "302a", "alice": "302a", "charlie": 200,
                  "connie": 403, "sam": 200}


@pytest.mark.parametrize("model", ADMIN_LISTS)
def test_every_admin_list_allows_only_admins_and_hides_other_teams(client, world, model):
    users, ids = world
    from django.conf import settings as django_settings

    if model == "django_q/ormq" and not django_settings.Q_CLUSTER.get("orm"):
        pytest.skip("django-q2 registers its queue admin only with the ORM broker "
                    "(this run uses Redis)")
    got = {}
    for who in PERSONAS:
        _as(client, users, who)
        response = client.get(f"/admin/{model}/")
        status = response.status_code
        if status == 302 and response["Location"].startswith("/admin/login/"):
            status = "302a"
        got[who] = status
        if who == "charlie" and status == 200:
            html = response.content.decode()
            # Charlie administers Globex: Acme's people, install and workflow are not his.
            for foreign in ("Alice private workflow", "Acme secret-named org",
                            "alice@example.com"):
                assert foreign not in html, (model, foreign)
    expected = dict(ADMIN_EXPECTED)
    if model in ("connector/install", "accounts/user"):
        # Connector Admins set up installs and designate the connector's users.
        expected["connie"] = 200
    if model.startswith(("django_q/", "auth/", "authtoken/", "runs/link", "accounts/team")):
        # Machinery and credentials: the superuser's alone in practice.
        expected.update({"charlie": got["charlie"], "sam": got["sam"]})
    assert got == expected


def test_admin_change_pages_of_another_team_are_refused(client, world):
    users, ids = world
    _as(client, users, "charlie")
    for path in (f"/admin/connector/install/{ids['install']}/change/",
                 f"/admin/connector/connection/{ids['connection']}/change/",
                 f"/admin/workflows/workflow/{ids['workflow']}/change/",
                 f"/admin/runs/run/{ids['run']}/change/",
                 f"/admin/accounts/user/{users['alice'].pk}/change/"):
        response = client.get(path)
        assert (response.status_code, response["Location"]) == (302, "/admin/"), path
        assert "Alice private workflow" not in response.content.decode()
