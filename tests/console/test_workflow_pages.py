"""A workflow in the console: read-only (no Save), its buttons and list actions call the
services — run now, enable, disable, transfer (one, several, or all of a leaver's), delete
with the product's confirmation."""

from __future__ import annotations

import pytest
from django.urls import reverse

from audit.models import AuditEntry
from runs.models import Run
from tests import factories
from workflows.models import Workflow

pytestmark = pytest.mark.django_db
LIST = reverse("admin:workflows_workflow_changelist")
TRANSFER = reverse("admin:workflows_workflow_transfer")


def test_the_workflow_page_is_read_only_with_its_buttons(client, sam, workflow):
    client.force_login(sam)
    body = client.get(reverse("admin:workflows_workflow_change", args=[workflow.pk])
                      ).content.decode()
    assert 'name="_save"' not in body and 'name="_continue"' not in body
    for button in ("Run now", "Disable", "Transfer…", "Delete"):
        assert button in body
    assert "Fields and columns" in body and "Industry" in body and "Energy" in body


def test_run_now_enable_and_disable_go_through_the_services(client, sam, workflow):
    client.force_login(sam)
    client.post(reverse("admin:workflows_workflow_run", args=[workflow.pk]))
    assert Run.objects.filter(workflow=workflow, trigger="manual").count() == 1
    client.post(reverse("admin:workflows_workflow_disable", args=[workflow.pk]))
    assert not Workflow.objects.get(pk=workflow.pk).enabled
    client.post(reverse("admin:workflows_workflow_enable", args=[workflow.pk]))
    assert Workflow.objects.get(pk=workflow.pk).enabled
    assert list(AuditEntry.objects.order_by("id").values_list("action", flat=True)) == [
        "workflow.disable", "workflow.enable"]


def test_the_transfer_action_leads_to_the_transfer_page(client, sam, workflow):
    client.force_login(sam)
    response = client.post(LIST, {"action": "transfer_workflows",
                                  "_selected_action": [workflow.pk]})
    assert response.status_code == 302
    assert response["Location"] == f"{TRANSFER}?ids={workflow.pk}"


def test_a_leavers_workflows_move_to_a_colleague_in_one_step(client, sam, alice, bob,
                                                            install, workflow):
    second = factories.workflow(alice, install, name="Second")
    factories.connections(bob, install)
    client.force_login(sam)
    page = client.get(f"{TRANSFER}?owner={alice.pk}")
    labels = dict(page.context["form"].fields["new_owner"].choices)
    assert "Bob Chen" in labels.values()
    assert "Sam Okafor — not connected to both services yet" in labels.values()
    assert not any("Uma" in str(label) for label in labels.values())  # no licence
    response = client.post(TRANSFER, {"owner": alice.pk, "new_owner": bob.pk}, follow=True)
    assert "2 workflows now belong to Bob Chen." in response.content.decode()
    assert set(Workflow.objects.filter(pk__in=[workflow.pk, second.pk])
               .values_list("owner_id", flat=True)) == {bob.pk}


def test_a_refused_transfer_says_why_per_workflow(client, sam, install, workflow):
    client.force_login(sam)
    response = client.post(TRANSFER, {"ids": str(workflow.pk), "new_owner": sam.pk},
                           follow=True)
    assert ("Accounts: Sam Okafor has no live Salesforce connection on Acme org"
            in response.content.decode())
    assert Workflow.objects.get(pk=workflow.pk).owner.username == "alice"


def test_only_system_admins_open_the_transfer_page(client, connie, workflow):
    client.force_login(connie)
    assert client.get(f"{TRANSFER}?ids={workflow.pk}").status_code == 403


def test_delete_confirms_with_the_products_words_then_goes_through_the_service(
        client, sam, workflow):
    factories.run(workflow)
    client.force_login(sam)
    url = reverse("admin:workflows_workflow_delete", args=[workflow.pk])
    body = client.get(url).content.decode()
    assert "This cannot be undone." in body
    assert "The sheet and the Salesforce records stay as they are." in body
    assert "Runs: 1" in body
    client.post(url, {"post": "yes"})
    assert not Workflow.objects.filter(pk=workflow.pk).exists()
    assert AuditEntry.objects.get().action == "workflow.delete"


def test_deleting_several_confirms_first(client, sam, alice, install, workflow):
    other = factories.workflow(alice, install, name="Other")
    client.force_login(sam)
    data = {"action": "delete_selected", "_selected_action": [workflow.pk, other.pk]}
    body = client.post(LIST, data).content.decode()
    assert "Delete 2 workflows?" in body and "This cannot be undone." in body
    client.post(LIST, {**data, "post": "yes"})
    assert not Workflow.objects.filter(pk__in=[workflow.pk, other.pk]).exists()
    assert AuditEntry.objects.filter(action="workflow.delete").count() == 2


def test_the_list_filters_by_status(client, sam, alice, install, workflow):
    factories.workflow(alice, install, name="Off", enabled=False)
    client.force_login(sam)
    names = {w.name for w in client.get(f"{LIST}?status=disabled").context["cl"].result_list}
    assert names == {"Off"}
    names = {w.name for w in client.get(f"{LIST}?status=syncing").context["cl"].result_list}
    assert names == {"Accounts"}
