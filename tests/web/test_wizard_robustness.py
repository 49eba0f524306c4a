"""A wizard that can't be broken: every POST redirects (a reload never posts again), every
step validates the whole draft and sends the user to the first step that needs attention,
the step bar keeps the current step's edits, a half-filled Settings form never empties
the draft, steps a direction has no use for are not shown, and no page ever shows "None"
or a Python message."""

from __future__ import annotations

from html import unescape

import pytest

from tests import factories
from tests.web.forms import post_settings

pytestmark = pytest.mark.django_db

NAME_ONLY = {"m-0-field": "Name", "m-0-column": "Account Name", "m-0-direction": "both"}


def _page(client, step: str) -> str:
    response = client.get(f"/wizard/{step}/")
    assert response.status_code == 200, response.get("Location")
    html = unescape(response.content.decode())
    assert "None" not in html and "object has no attribute" not in html
    return html


def _to_save(client) -> None:
    for step, data in (("fields", NAME_ONLY), ("filters", {}), ("groups", {}),
                       ("options", {})):
        assert client.post(f"/wizard/{step}/", {**data, "action": "next"}).status_code == 302


@pytest.mark.parametrize(("step", "data"), [
    ("settings", {"action": "next"}), ("settings", {"action": "load"}),
    ("fields", {**NAME_ONLY, "action": "next"}), ("fields", {"action": "add"}),
    ("fields", {"m-0-field": "Nope", "m-0-column": "Phone", "action": "next"}),
    ("fields", {**NAME_ONLY, "action": "remove:0"}), ("fields", {"action": "goto:save"}),
    ("filters", {"action": "next"}), ("groups", {"action": "add"}),
    ("options", {"polling_interval_minutes": "soon", "action": "next"}),
    ("save", {"name": "", "action": "save"}), ("save", {"action": "back"}),
])
def test_every_post_redirects_to_a_page_that_renders(client, at_fields, step, data):
    _to_save(client)
    response = client.post(f"/wizard/{step}/", data)
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert page.status_code in (200, 302)
    if page.status_code == 200:
        assert "None" not in page.content.decode()


def test_a_half_filled_settings_form_never_empties_the_draft(client, at_fields):
    alice, installation, sheet = at_fields
    client.post("/wizard/fields/", {**NAME_ONLY, "action": "next"})
    # What a browser re-posts after Back + reload of a page whose choices are gone.
    response = client.post("/wizard/settings/", {"install": installation.pk, "action": "next"})
    assert response["Location"] == "/wizard/settings/"
    draft = client.session["web_wizard"]
    assert draft["settings"]["direction"] == "bidirectional"
    assert draft["settings"]["sheet_id"] == sheet["id"]
    assert draft["settings"]["salesforce_object"] == "Account"
    assert [m["column"] for m in draft["mappings"]] == ["Account Name"]
    html = _page(client, "settings")
    assert "Choose a Salesforce object" in html
    # Going on sends the user back here: the settings need attention first.
    assert client.get("/wizard/fields/")["Location"] == "/wizard/settings/"
    post_settings(client, installation, sheet)  # the same settings again: nothing is lost
    fields = _page(client, "fields")
    assert 'value="Name" selected' in fields
    assert f"“{sheet['name']}”" in fields and "of Account" in fields


def test_the_step_bar_keeps_the_current_steps_edits(client, at_fields):
    _to_save(client)
    html = _page(client, "fields")
    assert 'form="step-form" name="action" value="goto:save"' in html
    response = client.post("/wizard/fields/", {
        **NAME_ONLY, "m-1-field": "Phone", "m-1-column": "Phone", "m-1-direction": "both",
        "action": "goto:save"})
    assert response["Location"] == "/wizard/save/"
    assert [m["column"] for m in client.session["web_wizard"]["mappings"]] == [
        "Account Name", "Phone"]
    assert "“Phone”" in _page(client, "save")


def test_the_step_bar_keeps_a_half_finished_row_and_shows_it_on_return(client, at_fields):
    _to_save(client)
    client.post("/wizard/fields/", {**NAME_ONLY, "m-1-field": "Phone", "m-1-column": "",
                                    "m-1-direction": "both", "action": "goto:filters"})
    html = _page(client, "fields")
    assert html.count("data-mapping-row") == 2 and 'value="Phone" selected' in html


def test_a_step_sends_the_user_to_the_first_step_that_needs_attention(client, at_fields):
    _to_save(client)
    client.post("/wizard/fields/", {**NAME_ONLY, "m-1-field": "Industry",
                                    "m-1-column": "__new__", "m-1-new_title": "Sector",
                                    "m-1-direction": "to_smartsheet", "action": "next"})
    client.post("/wizard/filters/", {"ss-0-column": "Sector", "ss-0-operator": "equals",
                                     "ss-0-value": "Energy", "action": "next"})
    _to_save_from_groups(client)
    # Removing the mapping leaves the filter on a column that will never exist.
    response = client.post("/wizard/fields/", {**NAME_ONLY, "action": "goto:save"})
    assert client.get(response["Location"])["Location"] == "/wizard/filters/"
    html = _page(client, "filters")
    assert "has no column 'Sector'" in html
    assert "The “Filters” step needs attention first." in html
    nav = html.split('aria-label="Wizard steps"')[1].split("</nav>")[0]
    assert 'class="done attention"' in nav or 'class=" attention"' in nav


def _to_save_from_groups(client) -> None:
    client.post("/wizard/groups/", {"action": "next"})
    client.post("/wizard/options/", {"action": "next"})


def test_a_smartsheet_to_salesforce_workflow_has_no_row_groups_step(client, alice,
                                                                    connected_install,
                                                                    fresh_sheet):
    client.force_login(alice)
    client.get("/workflows/new/")
    post_settings(client, connected_install, fresh_sheet, direction="to_salesforce")
    html = _page(client, "fields")
    nav = html.split('aria-label="Wizard steps"')[1].split("</nav>")[0]
    assert "Row groups" not in nav and "4. Options" in nav and "5. Save" in nav
    client.post("/wizard/fields/", {"m-0-field": "Name", "m-0-column": "Account Name",
                                    "m-0-direction": "to_salesforce", "action": "next"})
    filters = _page(client, "filters")
    assert "Smartsheet filters" in filters
    assert client.post("/wizard/filters/", {"action": "next"})["Location"] == "/wizard/options/"
    assert client.get("/wizard/groups/")["Location"] == "/wizard/options/"
    options = _page(client, "options")
    assert "Allow saving duplicates in Salesforce" in options
    assert "When a field changed on both sides" not in options
    assert "Removing rows" not in options


def test_a_salesforce_to_smartsheet_workflow_has_no_smartsheet_filters(client, alice,
                                                                      connected_install,
                                                                      fresh_sheet):
    client.force_login(alice)
    client.get("/workflows/new/")
    post_settings(client, connected_install, fresh_sheet, direction="to_smartsheet")
    client.post("/wizard/fields/", {"m-0-field": "Name", "m-0-column": "Account Name",
                                    "m-0-direction": "to_smartsheet", "action": "next"})
    assert "Smartsheet filters" not in _page(client, "filters")
    client.post("/wizard/filters/", {"action": "next"})
    client.post("/wizard/groups/", {"action": "next"})
    options = _page(client, "options")
    assert "Removing rows" in options and "Allow saving duplicates" not in options


def test_the_save_step_never_shows_a_python_message_for_a_broken_draft(client, at_fields):
    _to_save(client)
    session = client.session
    session["web_wizard"]["mappings"] = [{"salesforce_field": "Gone__c", "column": "X"}]
    session.save()
    response = client.get("/wizard/save/")
    assert response["Location"] == "/wizard/fields/"
    assert "has no field 'Gone__c'" in _page(client, "fields")


def test_it_warns_when_another_workflow_already_syncs_the_sheet(client, at_fields):
    alice, installation, sheet = at_fields
    factories.workflow(personas_bob(), installation, name="Bob's pipeline",
                       sheet_id=sheet["id"])
    html = _page(client, "settings")
    assert "Another workflow already syncs this sheet" in html and "Bob's pipeline" in html


def personas_bob():
    from tests import personas

    return personas.bob()


def test_choosing_another_install_starts_the_settings_again(client, at_fields, sandbox):
    alice, installation, sheet = at_fields
    other = factories.install(sandbox=sandbox, name="Second org")
    factories.connect(alice, other, sandbox)
    client.post("/wizard/fields/", {**NAME_ONLY, "action": "next"})
    assert client.post("/wizard/settings/", {"install": other.pk, "action": "load"}
                       )["Location"] == "/wizard/settings/"
    assert client.get("/wizard/fields/")["Location"] == "/wizard/settings/"
    assert client.session["web_wizard"]["mappings"] == []
    assert "Second org" in _page(client, "settings")
