"""The workflow wizard, step by step, against the sandbox through the real clients."""

from __future__ import annotations

import pytest

from runs.models import Run, RunTrigger
from tests import factories, personas
from tests.web.forms import post_settings
from workflows.models import Workflow

pytestmark = pytest.mark.django_db

#: People other than alice who may not see or touch her workflow: her teammate bob,
#: Globex's System Admin charlie (an admin, but of another team), Acme's admin sam where
#: only the owner may act, and Acme's unlicensed uma.
OTHERS = {"bob": personas.bob, "charlie": lambda: personas.charlie(system_admin=True),
          "sam": personas.sam, "uma": personas.uma}


def test_it_lists_editable_sheets_and_objects_on_settings(client, alice, fresh_sheet):
    client.force_login(alice)
    client.get("/workflows/new/")
    html = client.get("/wizard/settings/").content.decode()
    assert fresh_sheet["name"] in html
    assert 'value="Account"' in html
    assert "Create a new sheet" in html
    assert 'label for="id_salesforce_object"' in html


def test_it_lists_the_service_cloud_objects(client, sandbox, alice):
    from connector.models import InstallKind

    installation = factories.install(sandbox=sandbox, kind=InstallKind.SERVICE_CLOUD,
                                     name="Support")
    factories.connect(alice, installation, sandbox)
    client.force_login(alice)
    client.get("/workflows/new/")
    html = client.get("/wizard/settings/").content.decode()
    options = html.split('id="id_salesforce_object"')[1].split("</select>")[0]
    for name in ("Case", "Account", "Contact", "CaseComment", "Entitlement", "CaseMilestone"):
        assert f'value="{name}"' in options
    assert 'value="Opportunity"' not in options


def test_it_shows_settings_errors_next_to_their_field(client, alice, connected_install,
                                                      fresh_sheet):
    client.force_login(alice)
    client.get("/workflows/new/")
    response = client.post("/wizard/settings/", {
        "install": connected_install.pk, "direction": "to_smartsheet", "sheet": "",
        "salesforce_object": "Account", "action": "next",
    })
    assert response.status_code == 400
    html = response.content.decode()
    sheet_part = html.split('id="id_sheet"')[1].split('id="id_new_sheet_name"')[0]
    assert "Choose a sheet" in sheet_part and 'class="error"' in sheet_part


def test_it_sends_a_step_without_its_preconditions_back(client, alice, connected_install):
    client.force_login(alice)
    client.get("/workflows/new/")
    assert client.get("/wizard/filters/")["Location"] == "/wizard/settings/"
    assert client.get("/wizard/save/")["Location"] == "/wizard/settings/"


def test_it_offers_lookup_by_choices_and_locks_read_only_fields(client, at_fields):
    html = client.get("/wizard/fields/").content.decode()
    assert "Owner ID (lookup by User Full Name)" in html
    assert 'value="OwnerId&gt;Name"' in html
    response = client.post("/wizard/fields/", {
        "m-0-field": "Name", "m-0-column": "Account Name", "m-0-direction": "both",
        "m-1-field": "CreatedDate", "m-1-column": "__new__", "m-1-new_title": "Created",
        "m-1-direction": "both", "action": "add",
    })
    html = response.content.decode()
    assert html.count("data-mapping-row") == 3  # "Add field" added a row, kept the two
    assert "Locked to Salesforce → Smartsheet" in html
    session = client.session["web_wizard"]
    created = [m for m in session["mappings"] if m["salesforce_field"] == "CreatedDate"][0]
    assert created["direction"] == "to_smartsheet" and created["new_column"] is True


def test_it_puts_a_mapping_error_next_to_its_row_and_keeps_the_input(client, at_fields):
    response = client.post("/wizard/fields/", {
        "m-0-field": "Name", "m-0-column": "Account Name", "m-0-direction": "both",
        "m-1-field": "Phone", "m-1-column": "Phone", "m-1-direction": "sideways",
        "action": "next",
    })
    assert response.status_code == 400
    html = response.content.decode()
    second_row = html.split("data-mapping-row")[2]
    assert "field-error" in second_row
    assert 'value="Phone" selected' in second_row


def test_it_walks_to_save_and_starts_the_first_sync(client, at_fields):
    alice, installation, sheet = at_fields
    assert client.post("/wizard/fields/", {
        "m-0-field": "Name", "m-0-column": "Account Name", "m-0-direction": "both",
        "m-1-field": "Phone", "m-1-column": "Phone", "m-1-direction": "to_smartsheet",
        "m-2-field": "OwnerId>Name", "m-2-column": "__new__", "m-2-new_title": "Owner",
        "m-2-direction": "to_smartsheet", "action": "next",
    })["Location"] == "/wizard/filters/"
    # A valueless condition drops its value; going back keeps what was entered.
    assert client.post("/wizard/filters/", {
        "sf-0-field": "Phone", "sf-0-operator": "is_not_blank", "sf-0-value": "ignored",
        "action": "back",
    })["Location"] == "/wizard/fields/"
    html = client.get("/wizard/filters/").content.decode()
    assert 'value="is_not_blank" selected' in html and 'value="ignored"' not in html
    assert client.post("/wizard/filters/", {
        "sf-0-field": "Phone", "sf-0-operator": "is_not_blank", "action": "next",
    })["Location"] == "/wizard/groups/"
    assert client.post("/wizard/groups/", {
        "g-0-kind": "value", "g-0-value": "All accounts",
        "g-1-kind": "field", "g-1-field": "Industry", "action": "next",
    })["Location"] == "/wizard/save/"
    page = client.get("/wizard/save/").content.decode()
    assert "Summary of updates" in page and 'label for="id_name"' in page
    assert not Workflow.objects.exists()  # nothing saved before the last step
    missing_name = client.post("/wizard/save/", {"name": "", "action": "save"})
    assert missing_name.status_code == 400
    name_part = missing_name.content.decode().split('id="id_name"')[1].split("</div>")[0]
    assert "Name the workflow" in name_part
    response = client.post("/wizard/save/", {"name": "Accounts from the web", "action": "save"})
    workflow = Workflow.objects.get(name="Accounts from the web")
    assert response["Location"] == f"/workflows/{workflow.pk}/runs/"
    assert workflow.owner == alice and workflow.sheet_id == sheet["id"]
    assert [(m.salesforce_field, m.lookup_field) for m in workflow.mappings.all()] == [
        ("Name", ""), ("Phone", ""), ("OwnerId", "Name")]
    assert [(g.level, g.field, g.value) for g in workflow.row_groups.all()] == [
        (1, "", "All accounts"), (2, "Industry", "")]
    assert workflow.filters.get().operator == "is_not_blank"
    run = Run.objects.get(workflow=workflow)
    assert run.trigger == RunTrigger.CREATED
    assert "web_wizard" not in client.session


def test_it_edits_only_mappings_filters_and_groups(client, at_fields):
    alice, installation, sheet = at_fields
    client.post("/wizard/fields/", {
        "m-0-field": "Name", "m-0-column": "Account Name", "m-0-direction": "both",
        "action": "next"})
    client.post("/wizard/filters/", {"action": "next"})
    client.post("/wizard/groups/", {"action": "next"})
    client.post("/wizard/save/", {"name": "Editable", "action": "save"})
    workflow = Workflow.objects.get(name="Editable")
    assert client.get(f"/workflows/{workflow.pk}/edit/")["Location"] == "/wizard/fields/"
    settings_page = client.get("/wizard/settings/").content.decode()
    assert "cannot change" in settings_page and 'name="direction"' not in settings_page
    # A posted settings form cannot re-point the workflow.
    client.post("/wizard/settings/", {"install": installation.pk, "direction": "to_salesforce",
                                      "sheet": "", "salesforce_object": "Contact"})
    assert 'value="Name" selected' in client.get("/wizard/fields/").content.decode()
    client.post("/wizard/fields/", {
        "m-0-field": "Name", "m-0-column": "Account Name", "m-0-direction": "both",
        "m-1-field": "Phone", "m-1-column": "Phone", "m-1-direction": "both", "action": "next"})
    client.post("/wizard/filters/", {"action": "next"})
    client.post("/wizard/groups/", {"action": "next"})
    client.post("/wizard/save/", {"name": "Edited", "action": "save"})
    workflow.refresh_from_db()
    assert workflow.name == "Edited" and workflow.direction == "bidirectional"
    assert workflow.salesforce_object == "Account"
    assert [m.salesforce_field for m in workflow.mappings.all()] == ["Name", "Phone"]


@pytest.mark.parametrize("persona", ["bob", "sam", "charlie"])
def test_it_lets_only_the_owner_edit(client, persona):
    workflow = factories.workflow(personas.alice())
    client.force_login(OTHERS[persona]())
    assert client.get(f"/workflows/{workflow.pk}/edit/").status_code == 404


def test_it_asks_to_connect_when_a_connection_is_missing(client, alice, live_install):
    client.force_login(alice)
    client.get("/workflows/new/")
    html = client.get("/wizard/settings/").content.decode()
    assert "Connect your" in html and 'href="/connections/"' in html


def test_it_requires_csrf_on_wizard_steps(alice, connected_install):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(alice)
    strict.get("/workflows/new/")
    assert strict.post("/wizard/settings/", {"action": "next"}).status_code == 403


def _save_through_wizard(client, mappings: dict, name: str, tag: str):
    client.post("/wizard/fields/", {**mappings, "action": "next"})
    client.post("/wizard/filters/", {"sf-0-field": "AccountNumber", "sf-0-operator": "equals",
                                     "sf-0-value": tag, "action": "next"})
    client.post("/wizard/groups/", {"action": "next"})
    return client.post("/wizard/save/", {"name": name, "action": "save"}, follow=True)


def test_an_edit_that_changes_what_syncs_starts_a_run_and_a_rename_does_not(
        client, at_fields, sandbox):
    from runs.services import run_execute

    alice, installation, sheet = at_fields
    tag = f"web-{sheet['id']}"
    sandbox.salesforce.insert("Account", [{"Name": "Edited later", "AccountNumber": tag,
                                           "Phone": "555-0199"}])
    name_only = {"m-0-field": "Name", "m-0-column": "Account Name", "m-0-direction": "both"}
    _save_through_wizard(client, name_only, "Grows", tag)
    workflow = Workflow.objects.get(name="Grows")
    first = Run.objects.get(workflow=workflow)
    assert run_execute(run_id=first.pk).run.status == "succeeded"

    client.get(f"/workflows/{workflow.pk}/edit/")
    page = _save_through_wizard(client, {
        **name_only, "m-1-field": "Phone", "m-1-column": "Phone",
        "m-1-direction": "to_smartsheet"}, "Grows", tag)
    assert "A sync has started to apply the changes" in page.content.decode()
    applying = Run.objects.filter(workflow=workflow).exclude(pk=first.pk).get()
    assert applying.trigger == RunTrigger.CREATED
    assert run_execute(run_id=applying.pk).run.status == "succeeded"
    rows = factories.rows_by_title(sandbox, sheet["id"])
    assert [(r["Account Name"], r["Phone"]) for r in rows] == [("Edited later", "555-0199")]

    client.get(f"/workflows/{workflow.pk}/edit/")
    page = _save_through_wizard(client, {
        **name_only, "m-1-field": "Phone", "m-1-column": "Phone",
        "m-1-direction": "to_smartsheet"}, "Grows renamed", tag)
    assert "A sync has started" not in page.content.decode()
    assert Run.objects.filter(workflow=workflow).count() == 2


def test_a_workflow_saved_on_a_paused_install_waits_for_it(client, at_fields):
    from connector.models import InstallStatus

    alice, installation, sheet = at_fields
    installation.status = InstallStatus.PAUSED_LIMIT
    installation.status_message = "Paused: the daily API budget is spent."
    installation.save()
    page = _save_through_wizard(client, {
        "m-0-field": "Name", "m-0-column": "Account Name", "m-0-direction": "both"},
        "Waits", "nothing")
    assert page.status_code == 200
    assert "It will sync once it can: Paused: the daily API budget is spent." in (
        page.content.decode())
    assert not Run.objects.filter(workflow__name="Waits").exists()


def test_it_edits_a_case_workflow_whose_computed_columns_the_first_run_added(
        client, sandbox, alice):
    """The columns a workflow's first run created still count as its own new columns,
    and an owner who lost the Service Cloud role may still fix the workflow."""
    import uuid

    from connector.models import InstallKind
    from runs.services import run_execute_now
    from tests.web.forms import rendered_values

    installation = factories.install(sandbox=sandbox, kind=InstallKind.SERVICE_CLOUD,
                                     name="Support")
    factories.connect(alice, installation, sandbox)
    tag = uuid.uuid4().hex[:8]
    workflow = factories.workflow_via_service(
        alice, installation, name="Cases", direction="to_smartsheet",
        salesforce_object="Case", new_sheet_name=f"Cases {tag}",
        mappings=[{"salesforce_field": "Subject", "column": "Subject", "new_column": True},
                  {"salesforce_field": "$sla_status", "column": "SLA status",
                   "new_column": True}],
        salesforce_filters=[{"field": "Subject", "operator": "starts_with", "value": tag}])
    assert run_execute_now(workflow=workflow).status == "succeeded"
    personas.with_roles(alice, service_cloud_user=False)  # the role is gone; still hers

    client.force_login(alice)
    assert client.get(f"/workflows/{workflow.pk}/edit/")["Location"] == "/wizard/fields/"
    values = rendered_values(client.get("/wizard/fields/").content.decode(), "m-")
    assert values["m-1-field"] == "$sla_status"
    response = client.post("/wizard/fields/", {**values, "action": "next"})
    assert response.status_code == 302, response.content.decode()[-1500:]
    assert response["Location"] == "/wizard/filters/"


def test_a_page_left_open_on_an_older_draft_cannot_save_into_the_new_one(client, at_fields):
    from tests.web.forms import rendered_values

    alice, installation, sheet = at_fields
    name_only = {"m-0-field": "Name", "m-0-column": "Account Name", "m-0-direction": "both"}
    for name in ("First", "Second"):
        client.get("/workflows/new/")
        post_settings(client, installation, sheet)
        _save_through_wizard(client, name_only, name, "nothing")
    first, second = (Workflow.objects.get(name=n) for n in ("First", "Second"))

    client.get(f"/workflows/{first.pk}/edit/")  # tab 1: edit First, up to the save page
    for step in ("fields", "filters", "groups"):
        values = rendered_values(client.get(f"/wizard/{step}/").content.decode())
        client.post(f"/wizard/{step}/", {**values, "action": "next"})
    tab_one = rendered_values(client.get("/wizard/save/").content.decode())
    assert tab_one["draft"]

    client.get(f"/workflows/{second.pk}/edit/")  # tab 2 starts another draft
    response = client.post("/wizard/save/", {**tab_one, "name": "First renamed",
                                             "action": "save"}, follow=True)
    assert "belonged to an earlier wizard draft" in response.content.decode()
    assert sorted(Workflow.objects.values_list("name", flat=True)) == ["First", "Second"]
