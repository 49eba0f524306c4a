"""Editor access is enough once a sheet is prepared, in the wizard: an Editor of a sheet
never synced is told who can prepare it (with a link to send them), an Admin prepares it
in one click — from that page or from the wizard — and the Editor goes on.

Ada (the sandbox's integration user) owns the sheet; bob is its Editor and alice its
Admin, each signed in to Smartsheet as themselves.
"""

from __future__ import annotations

from html import unescape

import pytest

from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def shared(sandbox, alice, bob, live_install):
    sheet_id, _ = factories.sheet(sandbox, ["Account Name", "Phone"])
    sandbox.smartsheet.share(sheet_id=sheet_id, email="bob@example.com", access_level="EDITOR")
    sandbox.smartsheet.share(sheet_id=sheet_id, email="alice@example.com",
                             access_level="ADMIN")
    factories.connect(bob, live_install, sandbox, smartsheet_as="bob@example.com")
    factories.connect(alice, live_install, sandbox, smartsheet_as="alice@example.com")
    return sheet_id


def _settings(client, install, sheet_id: int, action: str = "next"):
    return client.post("/wizard/settings/", {
        "install": install.pk, "direction": "to_smartsheet", "sheet": sheet_id,
        "salesforce_object": "Account", "action": action})


def _titles(sandbox, sheet_id: int) -> list[str]:
    return [c["title"] for c in factories.smartsheet_client(sandbox).list_columns(sheet_id)]


def test_an_editor_is_told_who_can_prepare_the_sheet_and_gets_a_link(
        client, bob, live_install, shared):
    client.force_login(bob)
    client.get("/workflows/new/")
    assert _settings(client, live_install, shared)["Location"] == "/wizard/settings/"
    html = unescape(client.get("/wizard/settings/").content.decode())
    assert "is not prepared for syncing" in html
    assert "Ada Lovelace (owner) or Alice Martin (admin) can prepare it in one click" in html
    link = f"/installs/{live_install.pk}/sheets/{shared}/prepare/"
    assert f'href="{link}"' in html
    assert 'value="prepare"' not in html  # not theirs to click
    page = unescape(client.get(link).content.decode())
    assert "ask Ada Lovelace (owner) or Alice Martin (admin) to open this page" in page
    client.post(link)
    assert "needs Admin access" in unescape(client.get(link).content.decode())


def test_an_admin_prepares_it_in_one_click_and_the_editor_goes_on(
        client, sandbox, alice, bob, live_install, shared):
    link = f"/installs/{live_install.pk}/sheets/{shared}/prepare/"
    client.force_login(alice)
    page = unescape(client.get(link).content.decode())
    assert "Columns to add: Salesforce ID, Sync Error." in page
    response = client.post(link)
    assert response["Location"] == link
    assert "The sheet is prepared: “Salesforce ID”, “Sync Error” added." in unescape(
        client.get(link).content.decode())
    assert _titles(sandbox, shared) == ["Account Name", "Phone", "Salesforce ID", "Sync Error"]

    client.force_login(bob)
    client.get("/workflows/new/")
    assert _settings(client, live_install, shared)["Location"] == "/wizard/fields/"
    fields = client.get("/wizard/fields/").content.decode()
    columns = fields.split('id="m-0-column"')[1].split("</select>")[0]
    assert "Salesforce ID" not in columns and 'value="Phone"' in columns


def test_an_admin_prepares_the_sheet_from_the_wizard(client, sandbox, alice, live_install,
                                                    shared):
    client.force_login(alice)
    client.get("/workflows/new/")
    client.post("/wizard/settings/", {"install": live_install.pk, "sheet": shared,
                                      "action": "load"})
    html = unescape(client.get("/wizard/settings/").content.decode())
    assert "has never been synced" in html and "Prepare this sheet" in html
    assert _settings(client, live_install, shared, "prepare")["Location"] == "/wizard/settings/"
    html = unescape(client.get("/wizard/settings/").content.decode())
    assert "The sheet is prepared" in html and "is ready to sync" in html
    assert _titles(sandbox, shared)[-2:] == ["Salesforce ID", "Sync Error"]
