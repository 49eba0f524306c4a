"""The dashboard: who sees which workflows, what they may do, why they cannot create."""

from __future__ import annotations

import pytest

from runs.models import RunStatus
from tests import factories, personas

pytestmark = pytest.mark.django_db


def test_it_lists_the_users_own_workflows_with_their_last_run(client):
    alice = personas.alice()
    wf = factories.workflow(alice, name="Pipeline", sheet_name="Deals")
    factories.run(wf, status=RunStatus.SUCCEEDED)
    last = factories.run(wf, status=RunStatus.PARTIAL, errors_count=3)
    for row in (1, 2, 3):
        factories.open_error(wf, row_id=row)
    client.force_login(alice)
    html = client.get("/").content.decode()
    assert "Pipeline" in html and "Deals" in html and "Account" in html
    assert "Salesforce to Smartsheet" in html
    assert f'href="/workflows/{wf.pk}/runs/"' in html
    row = html.split(f'id="workflow-{wf.pk}"')[1].split("</tr>")[0]
    assert f'href="/workflows/{wf.pk}/runs/#open-errors">3</a>' in row
    assert last.errors_count == 3


def test_it_hides_other_peoples_workflows_from_a_user(client):
    alice, bob = personas.alice(), personas.bob()
    factories.workflow(bob, name="Bob's sync")
    client.force_login(alice)
    assert "Bob&#x27;s sync" not in client.get("/").content.decode()


def test_it_shows_a_system_admin_every_team_members_workflow_with_its_owner(client):
    alice, sam, charlie = personas.alice(), personas.sam(), personas.charlie()
    factories.workflow(alice, name="Alice flow")
    factories.workflow(charlie, name="Globex flow")
    client.force_login(sam)
    html = client.get("/").content.decode()
    assert "Alice flow" in html and "Alice Martin" in html
    assert "Globex flow" not in html
    assert "<th scope=\"col\">Owner</th>" in html


def test_it_shows_the_owner_every_action_and_an_admin_only_enable_and_delete(client):
    alice, sam = personas.alice(), personas.sam()
    wf = factories.workflow(alice)
    client.force_login(alice)
    html = client.get("/").content.decode()
    assert f"/workflows/{wf.pk}/edit/" in html and f"/workflows/{wf.pk}/rename/" in html
    assert f"/workflows/{wf.pk}/enabled/" in html and f"/workflows/{wf.pk}/delete/" in html
    client.force_login(sam)
    html = client.get("/").content.decode()
    assert f"/workflows/{wf.pk}/edit/" not in html and f"/workflows/{wf.pk}/rename/" not in html
    assert f"/workflows/{wf.pk}/enabled/" in html and f"/workflows/{wf.pk}/delete/" in html


def test_it_annotates_the_last_run_without_a_query_per_workflow(
        client, django_assert_max_num_queries):
    alice = personas.alice()
    installation = factories.install()
    for _ in range(3):
        wf = factories.workflow(alice, installation)
        factories.run(wf)
    client.force_login(alice)
    with django_assert_max_num_queries(12) as few:
        client.get("/")
    for _ in range(10):
        wf = factories.workflow(alice, installation)
        factories.run(wf)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/")
    assert response.content.decode().count('id="workflow-') == 13


def test_it_shows_an_unlicensed_user_why_and_whom_to_ask(client):
    factories.install()
    personas.sam()
    client.force_login(personas.uma())
    html = client.get("/").content.decode()
    assert "You cannot create workflows yet" in html
    assert "licence" in html
    assert "Sam Okafor" in html and "sam@example.com" in html
    assert "New workflow" not in html


def test_it_explains_a_restricted_install_to_a_user_without_the_role(client):
    factories.install(restrict_users=True, name="Restricted org")
    personas.sam()
    bob = personas.bob()
    bob.salesforce_user = False
    bob.save()
    client.force_login(bob)
    html = client.get("/").content.decode()
    assert "Restricted org" in html and "Salesforce user role" in html
    assert "Sam Okafor" in html


def test_it_offers_new_workflow_to_a_licensed_user(client):
    factories.install()
    client.force_login(personas.alice())
    html = client.get("/").content.decode()
    assert 'href="/workflows/new/"' in html
    assert "You cannot create workflows yet" not in html


def test_it_refuses_the_wizard_to_a_user_who_cannot_create(client):
    factories.install()
    client.force_login(personas.uma())
    response = client.get("/workflows/new/")
    assert response.status_code == 302 and response["Location"] == "/"
