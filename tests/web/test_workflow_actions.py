"""The Settings menu: rename, disable/enable, delete — and who may use it."""

from __future__ import annotations

import pytest

from tests import factories, personas
from workflows.models import Workflow

pytestmark = pytest.mark.django_db

#: People other than alice who may not see or touch her workflow: her teammate bob,
#: Globex's System Admin charlie (an admin, but of another team), Acme's admin sam where
#: only the owner may act, and Acme's unlicensed uma.
OTHERS = {"bob": personas.bob, "charlie": lambda: personas.charlie(system_admin=True),
          "sam": personas.sam, "uma": personas.uma}


@pytest.fixture
def alice_workflow():
    return factories.workflow(personas.alice(), name="Original")


def test_it_renames_for_the_owner(client, alice_workflow):
    client.force_login(alice_workflow.owner)
    page = client.get(f"/workflows/{alice_workflow.pk}/rename/")
    assert page.status_code == 200 and 'label for="id_name"' in page.content.decode()
    response = client.post(f"/workflows/{alice_workflow.pk}/rename/", {"name": "Renamed"})
    assert response.status_code == 302
    alice_workflow.refresh_from_db()
    assert alice_workflow.name == "Renamed"


def test_it_shows_rename_errors_next_to_the_field(client, alice_workflow):
    client.force_login(alice_workflow.owner)
    response = client.post(f"/workflows/{alice_workflow.pk}/rename/", {"name": ""})
    assert response.status_code == 200
    assert "field-error" in response.content.decode()


@pytest.mark.parametrize("persona", ["bob", "charlie", "sam"])
def test_it_hides_rename_from_everyone_but_the_owner(client, alice_workflow, persona):
    client.force_login(OTHERS[persona]())
    assert client.get(f"/workflows/{alice_workflow.pk}/rename/").status_code == 404
    assert client.post(f"/workflows/{alice_workflow.pk}/rename/", {"name": "x"}).status_code == 404
    alice_workflow.refresh_from_db()
    assert alice_workflow.name == "Original"


def test_it_disables_and_enables_for_the_owner(client, alice_workflow):
    client.force_login(alice_workflow.owner)
    client.post(f"/workflows/{alice_workflow.pk}/enabled/", {"enabled": "0"})
    alice_workflow.refresh_from_db()
    assert alice_workflow.enabled is False
    client.post(f"/workflows/{alice_workflow.pk}/enabled/", {"enabled": "1"})
    alice_workflow.refresh_from_db()
    assert alice_workflow.enabled is True


def test_it_lets_a_system_admin_disable_a_team_members_workflow(client, alice_workflow):
    client.force_login(personas.sam())
    response = client.post(f"/workflows/{alice_workflow.pk}/enabled/", {"enabled": "0"})
    assert response.status_code == 302
    alice_workflow.refresh_from_db()
    assert alice_workflow.enabled is False


def test_it_lets_a_connector_admin_disable_a_team_workflow(client, alice_workflow):
    client.force_login(personas.connie())
    response = client.post(f"/workflows/{alice_workflow.pk}/enabled/", {"enabled": "0"})
    assert response.status_code == 302
    alice_workflow.refresh_from_db()
    assert alice_workflow.enabled is False


@pytest.mark.parametrize("persona", ["bob", "charlie", "uma"])
def test_it_refuses_disabling_to_others(client, alice_workflow, persona):
    client.force_login(OTHERS[persona]())
    response = client.post(f"/workflows/{alice_workflow.pk}/enabled/", {"enabled": "0"})
    assert response.status_code == 404
    alice_workflow.refresh_from_db()
    assert alice_workflow.enabled is True


def test_it_refuses_a_get_on_the_enable_action(client, alice_workflow):
    client.force_login(alice_workflow.owner)
    assert client.get(f"/workflows/{alice_workflow.pk}/enabled/").status_code == 405


def test_it_confirms_before_deleting(client, alice_workflow):
    client.force_login(alice_workflow.owner)
    page = client.get(f"/workflows/{alice_workflow.pk}/delete/")
    assert page.status_code == 200
    assert "cannot be undone" in page.content.decode()
    assert Workflow.objects.filter(pk=alice_workflow.pk).exists()
    response = client.post(f"/workflows/{alice_workflow.pk}/delete/")
    assert response.status_code == 302
    assert not Workflow.objects.filter(pk=alice_workflow.pk).exists()


@pytest.mark.parametrize("persona", ["bob", "charlie"])
def test_it_hides_delete_from_others(client, alice_workflow, persona):
    client.force_login(OTHERS[persona]())
    assert client.get(f"/workflows/{alice_workflow.pk}/delete/").status_code == 404
    assert client.post(f"/workflows/{alice_workflow.pk}/delete/").status_code == 404
    assert Workflow.objects.filter(pk=alice_workflow.pk).exists()


def test_it_requires_csrf_on_actions(alice_workflow):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(alice_workflow.owner)
    assert strict.post(f"/workflows/{alice_workflow.pk}/delete/").status_code == 403
    assert strict.post(f"/workflows/{alice_workflow.pk}/enabled/", {"enabled": "0"}).status_code == 403
    assert Workflow.objects.filter(pk=alice_workflow.pk, enabled=True).exists()


def test_run_now_queues_one_run_and_shows_its_progress(client, alice_workflow):
    from runs.models import Run, RunTrigger

    client.force_login(alice_workflow.owner)
    assert "Run now" in client.get("/").content.decode()
    response = client.post(f"/workflows/{alice_workflow.pk}/run/", follow=True)
    run = Run.objects.get(workflow=alice_workflow)
    assert (run.trigger, run.status) == (RunTrigger.MANUAL, "queued")
    page = response.content.decode()
    assert f"Run #{run.pk} of “Original” is queued." in page
    assert f'data-progress-url="/runs/{run.pk}/progress/"' in page  # a queued run updates too
    client.post(f"/workflows/{alice_workflow.pk}/run/")
    assert Run.objects.filter(workflow=alice_workflow).count() == 1  # joined, not doubled


def test_run_now_says_why_a_disabled_workflow_cannot_run(client, alice_workflow):
    from runs.models import Run

    alice_workflow.enabled = False
    alice_workflow.save()
    client.force_login(alice_workflow.owner)
    assert "Run now" not in client.get(f"/workflows/{alice_workflow.pk}/runs/").content.decode()
    response = client.post(f"/workflows/{alice_workflow.pk}/run/", follow=True)
    assert "cannot run now" in response.content.decode()
    assert not Run.objects.exists()


def test_a_system_admin_may_run_a_team_workflow_and_others_may_not(client, alice_workflow):
    from django.test import Client

    from runs.models import Run

    client.force_login(personas.sam())
    assert client.post(f"/workflows/{alice_workflow.pk}/run/").status_code == 302
    assert Run.objects.filter(workflow=alice_workflow).count() == 1
    for persona in ("bob", "charlie"):
        client.force_login(OTHERS[persona]())
        assert client.post(f"/workflows/{alice_workflow.pk}/run/").status_code == 404
        assert client.get(f"/workflows/{alice_workflow.pk}/run/").status_code == 405
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(alice_workflow.owner)
    assert strict.post(f"/workflows/{alice_workflow.pk}/run/").status_code == 403
