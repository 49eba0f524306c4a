"""The workflow wizard, step by step, against the sandbox through the real clients: what
each step offers, and a walk from Settings to the dashboard's banner."""

from __future__ import annotations

import pytest

from runs.models import Run, RunTrigger
from tests import factories, personas
from tests.web.forms import post_settings, rendered_values
from workflows.models import Workflow

pytestmark = pytest.mark.django_db

#: People other than alice who may not see or touch her workflow: her teammate bob,
#: Globex's System Admin charlie (an admin, but of another team), Acme's admin sam where
#: only the owner may act, and Acme's unlicensed uma.
OTHERS = {"bob": personas.bob, "charlie": lambda: personas.charlie(system_admin=True),
          "sam": personas.sam, "uma": personas.uma}


def _page(client, step: str) -> str:
    response = client.get(f"/wizard/{step}/")
    assert response.status_code == 200, response.get("Location")
    return response.content.decode()


def test_it_lists_sheets_and_objects_on_settings_and_disables_view_only_sheets(
        client, alice, fresh_sheet, sandbox):
    viewed, _ = factories.sheet(sandbox, ["Name"], name=factories.unique("Viewed"))
    sandbox.smartsheet.share(sheet_id=viewed, email="carol@example.com", access_level="OWNER")
    sandbox.smartsheet.share(sheet_id=viewed, email="ada@example.com", access_level="VIEWER")
    client.force_login(alice)
    client.get("/workflows/new/")
    html = _page(client, "settings")
    assert fresh_sheet["name"] in html
    assert 'value="Account"' in html and "Create a new sheet" in html
    option = html.split(f'value="{viewed}"')[1].split("</option>")[0]
    assert " disabled" in option and "Viewer access: syncing needs Editor access" in option
    assert 'label for="id_salesforce_object"' in html


def test_it_lists_the_service_cloud_objects(client, sandbox, alice):
    from connector.models import InstallKind

    installation = factories.install(sandbox=sandbox, kind=InstallKind.SERVICE_CLOUD,
                                     name="Support")
    factories.connect(alice, installation, sandbox)
    client.force_login(alice)
    client.get("/workflows/new/")
    html = _page(client, "settings")
    options = html.split('id="id_salesforce_object"')[1].split("</select>")[0]
    for name in ("Case", "Account", "Contact", "CaseComment", "Entitlement", "CaseMilestone"):
        assert f'value="{name}"' in options
    assert 'value="Opportunity"' not in options


def test_it_shows_settings_errors_next_to_their_field_after_a_redirect(
        client, alice, connected_install, fresh_sheet):
    client.force_login(alice)
    client.get("/workflows/new/")
    response = client.post("/wizard/settings/", {
        "install": connected_install.pk, "direction": "to_smartsheet", "sheet": "",
        "salesforce_object": "Account", "action": "next",
    })
    assert response.status_code == 302 and response["Location"] == "/wizard/settings/"
    html = _page(client, "settings")  # a reload shows the same page, posts nothing
    sheet_part = html.split('id="id_sheet"')[1].split('id="id_new_sheet_name"')[0]
    assert "Choose a sheet" in sheet_part and 'class="error"' in sheet_part
    assert 'id="id_direction_to_smartsheet" name="direction" value="to_smartsheet" checked' in html


def test_it_sends_a_step_without_its_preconditions_back(client, alice, connected_install):
    client.force_login(alice)
    client.get("/workflows/new/")
    assert client.get("/wizard/filters/")["Location"] == "/wizard/settings/"
    assert client.get("/wizard/save/")["Location"] == "/wizard/settings/"


def test_it_offers_related_fields_and_lookup_by_and_locks_raw_reference_ids(client, at_fields):
    html = _page(client, "fields")
    assert '<optgroup label="Owner (User) fields">' in html
    assert '<option value="Owner.Email">Owner › Email</option>' in html
    assert 'value="OwnerId"' in html
    response = client.post("/wizard/fields/", {
        "m-0-field": "Name", "m-0-column": "Account Name", "m-0-direction": "both",
        "m-1-field": "OwnerId", "m-1-lookup": "", "m-1-column": "__new__",
        "m-1-new_title": "Owner id", "m-1-direction": "both",
        "m-2-field": "OwnerId", "m-2-lookup": "Name", "m-2-column": "__new__",
        "m-2-new_title": "Owner", "m-2-direction": "both",
        "m-3-field": "Owner.Email", "m-3-column": "__new__", "m-3-direction": "both",
        "action": "add",
    })
    assert response["Location"] == "/wizard/fields/"
    html = _page(client, "fields")
    assert html.count("data-mapping-row") == 5  # "Add field" added a row, kept the four
    raw = html.split("data-mapping-row")[2]
    assert "record id: to change it from the sheet, look it up" in raw
    looked_up = html.split("data-mapping-row")[3]
    assert 'value="Name" selected>looked up by Full Name' in looked_up
    mappings = {m["column"]: m for m in client.session["web_wizard"]["mappings"]}
    assert mappings["Owner id"]["direction"] == "to_smartsheet"  # a raw id: locked
    assert (mappings["Owner"]["direction"], mappings["Owner"]["lookup_field"]) == ("both", "Name")
    assert mappings["Owner Email"]["direction"] == "to_smartsheet"  # named after its field


def test_it_never_offers_the_connectors_own_columns(client, alice, connected_install, sandbox):
    sheet_id, _ = factories.sheet(sandbox, ["Account Name", "Salesforce ID", "Sync Error",
                                            "Phone"])
    client.force_login(alice)
    client.get("/workflows/new/")
    post_settings(client, connected_install, {"id": sheet_id})
    columns = _page(client, "fields").split('id="m-0-column"')[1].split("</select>")[0]
    assert 'value="Phone"' in columns and 'value="Account Name"' in columns
    assert "Salesforce ID" not in columns and "Sync Error" not in columns


def test_it_puts_a_mapping_error_next_to_its_row_and_keeps_the_input(client, at_fields):
    response = client.post("/wizard/fields/", {
        "m-0-field": "Name", "m-0-column": "Account Name", "m-0-direction": "both",
        "m-1-field": "Phone", "m-1-column": "Phone", "m-1-direction": "sideways",
        "action": "next",
    })
    assert response["Location"] == "/wizard/fields/"
    second_row = _page(client, "fields").split("data-mapping-row")[2]
    assert "field-error" in second_row
    assert 'value="Phone" selected' in second_row


def test_it_offers_filter_conditions_by_type(client, at_fields):
    client.post("/wizard/fields/", {"m-0-field": "Name", "m-0-column": "Account Name",
                                    "m-0-direction": "both", "action": "next"})
    client.post("/wizard/filters/", {"sf-0-field": "NumberOfEmployees", "sf-0-operator": "",
                                     "ss-0-column": "Phone", "ss-0-operator": "",
                                     "action": "add_sf"})
    html = _page(client, "filters")
    numeric = html.split('id="sf-0-operator"')[1].split("</select>")[0]
    assert 'value="greater_than"' in numeric and 'value="contains"' not in numeric
    blank = html.split('id="sf-1-operator"')[1].split("</select>")[0]
    assert 'value="contains"' in blank and 'value="is_checked"' in blank  # any, until chosen
    assert '"Owner.Email":' in html  # the script's table of conditions per field


def _walk(client, *, name: str, fields: dict, filters: dict | None = None,
          groups: dict | None = None, options: dict | None = None):
    """Fields → Filters → Row groups → Options → Save; the answer to the save."""
    client.post("/wizard/fields/", {**fields, "action": "next"})
    client.post("/wizard/filters/", {**(filters or {}), "action": "next"})
    client.post("/wizard/groups/", {**(groups or {}), "action": "next"})
    client.post("/wizard/options/", {**(options or {}), "action": "next"})
    return client.post("/wizard/save/", {"name": name, "action": "save"})


def test_it_walks_to_save_then_shows_the_dashboard_with_a_banner_linking_the_first_run(
        client, at_fields, sandbox, tag):
    alice, installation, sheet = at_fields
    sandbox.salesforce.insert("Account", [
        {"Name": f"{tag} {n}", "AccountNumber": tag, "Industry": "Energy"} for n in range(3)])
    assert client.post("/wizard/fields/", {
        "m-0-field": "Name", "m-0-column": "Account Name", "m-0-direction": "both",
        "m-1-field": "Phone", "m-1-column": "Phone", "m-1-direction": "to_smartsheet",
        "m-2-field": "OwnerId", "m-2-lookup": "Name", "m-2-column": "__new__",
        "m-2-new_title": "Owner", "m-2-direction": "to_smartsheet", "action": "next",
    })["Location"] == "/wizard/filters/"
    # A valueless condition drops its value; going back keeps what was entered.
    assert client.post("/wizard/filters/", {
        "sf-0-field": "AccountNumber", "sf-0-operator": "equals", "sf-0-value": tag,
        "sf-1-field": "Phone", "sf-1-operator": "is_blank", "sf-1-value": "ignored",
        "action": "back",
    })["Location"] == "/wizard/fields/"
    html = _page(client, "filters")
    assert 'value="is_blank" selected' in html and 'value="ignored"' not in html
    assert client.post("/wizard/filters/", {
        "sf-0-field": "AccountNumber", "sf-0-operator": "equals", "sf-0-value": tag,
        "action": "next"})["Location"] == "/wizard/groups/"
    assert client.post("/wizard/groups/", {
        "g-0-kind": "value", "g-0-value": "All accounts",
        "g-1-kind": "field", "g-1-field": "Industry", "action": "next",
    })["Location"] == "/wizard/options/"
    assert client.post("/wizard/options/", {
        "conflict_policy": "newest_wins", "polling_interval_minutes": "30",
        "allow_duplicates": "on", "action": "next"})["Location"] == "/wizard/save/"
    page = _page(client, "save")
    assert "What the first run will do" in page and 'label for="id_name"' in page
    assert '<span class="num">3</span>rows to add (records)' in page
    assert '<span class="num">2</span>group rows to add' in page  # "All accounts", "Energy"
    assert not Workflow.objects.exists()  # nothing saved before the last step
    missing_name = client.post("/wizard/save/", {"name": "", "action": "save"})
    assert missing_name["Location"] == "/wizard/save/"
    name_part = _page(client, "save").split('id="id_name"')[1].split("</div>")[0]
    assert "Name the workflow" in name_part

    draft = client.session["web_wizard"]["draft"]
    response = client.post("/wizard/save/", {"name": "Accounts from the web",
                                             "action": "save", "draft": draft})
    workflow = Workflow.objects.get(name="Accounts from the web")
    run = Run.objects.get(workflow=workflow)
    assert response["Location"] == "/"
    dashboard = client.get("/").content.decode()
    assert "Saved “Accounts from the web”." in dashboard
    assert f'href="/runs/{run.pk}/"' in dashboard and f"follow run #{run.pk}" in dashboard
    assert "Saved “Accounts" not in client.get("/").content.decode()  # shown once
    # A second click on Save (the same draft) lands on the dashboard, saves nothing more.
    again = client.post("/wizard/save/", {"name": "Accounts from the web", "action": "save",
                                          "draft": draft})
    assert again["Location"] == "/" and Workflow.objects.count() == 1

    assert workflow.owner == alice and workflow.sheet_id == sheet["id"]
    assert workflow.sheet_permalink == sheet["permalink"]
    assert (workflow.conflict_policy, workflow.polling_interval_minutes,
            workflow.allow_duplicates) == ("newest_wins", 30, True)
    assert [(m.salesforce_field, m.lookup_field) for m in workflow.mappings.all()] == [
        ("Name", ""), ("Phone", ""), ("OwnerId", "Name")]
    assert [(g.level, g.field, g.value) for g in workflow.row_groups.all()] == [
        (1, "", "All accounts"), (2, "Industry", "")]
    assert run.trigger == RunTrigger.CREATED
    assert "web_wizard" not in client.session


def test_it_edits_only_mappings_filters_groups_and_options(client, at_fields):
    alice, installation, sheet = at_fields
    name_only = {"m-0-field": "Name", "m-0-column": "Account Name", "m-0-direction": "both"}
    _walk(client, name="Editable", fields=name_only)
    workflow = Workflow.objects.get(name="Editable")
    assert client.get(f"/workflows/{workflow.pk}/edit/")["Location"] == "/wizard/fields/"
    settings_page = _page(client, "settings")
    assert "cannot change" in settings_page and 'name="direction"' not in settings_page
    assert sheet["permalink"] in settings_page  # the sheet links to Smartsheet
    # A posted settings form cannot re-point the workflow.
    client.post("/wizard/settings/", {"install": installation.pk, "direction": "to_salesforce",
                                      "sheet": "", "salesforce_object": "Contact"})
    assert 'value="Name" selected' in _page(client, "fields")
    _walk(client, name="Edited", fields={
        **name_only, "m-1-field": "Phone", "m-1-column": "Phone", "m-1-direction": "both"},
        options={"conflict_policy": "smartsheet_wins", "remove_rows_on_delete": "on"})
    workflow.refresh_from_db()
    assert workflow.name == "Edited" and workflow.direction == "bidirectional"
    assert workflow.salesforce_object == "Account"
    assert (workflow.conflict_policy, workflow.remove_rows_on_delete) == (
        "smartsheet_wins", True)
    assert [m.salesforce_field for m in workflow.mappings.all()] == ["Name", "Phone"]


@pytest.mark.parametrize("persona", ["bob", "sam", "charlie"])
def test_it_lets_only_the_owner_edit(client, persona):
    workflow = factories.workflow(personas.alice())
    client.force_login(OTHERS[persona]())
    assert client.get(f"/workflows/{workflow.pk}/edit/").status_code == 404


def test_it_asks_to_connect_when_a_connection_is_missing(client, alice, live_install):
    client.force_login(alice)
    client.get("/workflows/new/")
    html = _page(client, "settings")
    assert "Connect your" in html and 'href="/connections/"' in html


def test_it_requires_csrf_on_wizard_steps(alice, connected_install):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(alice)
    strict.get("/workflows/new/")
    assert strict.post("/wizard/settings/", {"action": "next"}).status_code == 403


def _save_through_wizard(client, mappings: dict, name: str, tag: str):
    response = _walk(client, name=name, fields=mappings, filters={
        "sf-0-field": "AccountNumber", "sf-0-operator": "equals", "sf-0-value": tag})
    return client.get(response["Location"])


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
    client.post("/wizard/fields/", {**name_only, "m-1-field": "Phone", "m-1-column": "Phone",
                                    "m-1-direction": "to_smartsheet", "action": "goto:save"})
    preview = _page(client, "save")  # the edit's run reads everything: the back-fill shows
    assert "What the next run will do" in preview
    assert '<span class="num">1</span>row to update' in preview
    page = _save_through_wizard(client, {
        **name_only, "m-1-field": "Phone", "m-1-column": "Phone",
        "m-1-direction": "to_smartsheet"}, "Grows", tag)
    assert "A sync has started to apply the changes" in page.content.decode()
    applying = Run.objects.filter(workflow=workflow).exclude(pk=first.pk).get()
    assert applying.trigger == RunTrigger.CREATED
    assert run_execute(run_id=applying.pk).run.rows_updated == 1
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
    html = _page(client, "fields")
    values = rendered_values(html, "m-")
    assert values["m-1-field"] == "$sla_status"
    assert "Service Cloud ID" not in html.split('id="m-0-column"')[1].split("</select>")[0]
    response = client.post("/wizard/fields/", {**values, "action": "next"})
    assert response["Location"] == "/wizard/filters/", client.session["web_wizard"]["errors"]


def test_a_page_left_open_on_an_older_draft_cannot_save_into_the_new_one(client, at_fields):
    alice, installation, sheet = at_fields
    name_only = {"m-0-field": "Name", "m-0-column": "Account Name", "m-0-direction": "both"}
    for name in ("First", "Second"):
        client.get("/workflows/new/")
        post_settings(client, installation, sheet)
        _walk(client, name=name, fields=name_only)
    first, second = (Workflow.objects.get(name=n) for n in ("First", "Second"))

    client.get(f"/workflows/{first.pk}/edit/")  # tab 1: edit First, up to the save page
    for step in ("fields", "filters", "groups", "options"):
        values = rendered_values(_page(client, step))
        client.post(f"/wizard/{step}/", {**values, "action": "next"})
    tab_one = rendered_values(_page(client, "save"))
    assert tab_one["draft"]

    client.get(f"/workflows/{second.pk}/edit/")  # tab 2 starts another draft
    response = client.post("/wizard/save/", {**tab_one, "name": "First renamed",
                                             "action": "save"}, follow=True)
    assert "belonged to an earlier wizard draft" in response.content.decode()
    assert sorted(Workflow.objects.values_list("name", flat=True)) == ["First", "Second"]


def test_the_enter_key_copies_of_a_steps_button_read_as_it_does_in_the_users_language(
        client, at_fields):
    alice, _, _ = at_fields
    alice.language = "fr"
    alice.save(update_fields=["language"])
    html = _page(client, "fields")
    hidden = [b.split("</button>")[0] for b in html.split("<button")[1:]
              if 'class="visually-hidden"' in b.split(">")[0]]
    visible = [b.split("</button>")[0] for b in html.split("<button")[1:]
               if 'class="primary"' in b.split(">")[0]]
    assert len(hidden) == 2  # the step bar's and the form's own
    words = {b.split(">", 1)[1].strip() for b in hidden}
    assert words == {b.split(">", 1)[1].strip() for b in visible}
    assert all(w.startswith("Suivant\u00a0: ") for w in words), words
