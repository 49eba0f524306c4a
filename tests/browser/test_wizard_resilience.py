"""The wizard in a real browser, replaying what broke it: Back and reload on Settings, the
step bar after adding a mapping, a reload after an error, a double click on Save; the
summary of updates with group rows and failures; the pickers (related fields, "lookup
by", conditions by type); an Editor told who can prepare a sheet. Screenshots (1280 px
wide) go to artifacts/screenshots/wizard-*.png."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import expect

from runs.models import Run
from tests import factories, personas
from workflows.models import Workflow

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"wizard-{name}.png"), full_page=True)


@pytest.fixture
def world(live_server, sandbox):
    """alice signed up and connected (as Ada) on a sandbox install; a sheet of hers with a
    dropdown of two industries; three tagged accounts, one in an industry the dropdown
    lacks. Returns (base url, install, sheet id, sheet name, tag)."""
    alice = personas.alice()
    install = factories.install(sandbox=sandbox, name="Sandbox org")
    factories.connect(alice, install, sandbox)
    tag = f"web-{uuid.uuid4().hex[:8]}"
    name = f"Browser accounts {tag[-4:]}"
    created = factories.smartsheet_client(sandbox).create_sheet(name, [
        {"title": "Account Name", "type": "TEXT_NUMBER", "primary": True},
        {"title": "Phone", "type": "TEXT_NUMBER"},
        {"title": "Industry", "type": "PICKLIST", "options": ["Energy", "Banking"],
         "validation": True}])
    sandbox.salesforce.insert("Account", [
        {"Name": f"{tag} Volt", "AccountNumber": tag, "Industry": "Energy", "Phone": "555-0101"},
        {"Name": f"{tag} Vault", "AccountNumber": tag, "Industry": "Banking"},
        {"Name": f"{tag} Quarry", "AccountNumber": tag, "Industry": "Mining"}])
    base = live_server.url.replace("localhost", "127.0.0.1")
    return base, install, created["id"], name, tag


def sign_in(page, base: str, username: str = "alice") -> None:
    page.goto(f"{base}/signin/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(personas.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/")


def settings(page, base: str, sheet_name: str, direction: str = "Salesforce to Smartsheet"):
    page.goto(f"{base}/workflows/new/")
    page.wait_for_url(f"{base}/wizard/settings/")
    page.get_by_label(direction).check()
    page.get_by_label("Sheet", exact=True).select_option(label=sheet_name)
    page.get_by_label("Salesforce object").select_option("Account")


def two_mappings(page, base: str, sheet_name: str, field: str, column: str) -> None:
    """Signed in, past Settings, on Fields: Name → Account Name and ``field`` → ``column``
    (not yet submitted)."""
    sign_in(page, base)
    settings(page, base, sheet_name)
    page.get_by_role("button", name="Next: Fields").click()
    page.wait_for_url(f"{base}/wizard/fields/")
    page.get_by_label("Salesforce field, row 1").select_option("Name")
    page.get_by_label("Column, row 1").select_option("Account Name")
    page.get_by_role("button", name="Add field").click()
    page.get_by_label("Salesforce field, row 2").select_option(field)
    page.get_by_label("Column, row 2").select_option(column)


def walk_to_save(page, base: str, tag: str) -> None:
    """From Fields (Name → Account Name) to the Save page, with the tag filter."""
    page.get_by_label("Salesforce field, row 1").select_option("Name")
    page.get_by_label("Column, row 1").select_option("Account Name")
    page.get_by_role("button", name="Next: Filters").click()
    page.wait_for_url(f"{base}/wizard/filters/")
    page.get_by_role("button", name="Add Salesforce filter").click()
    page.get_by_label("Field", exact=True).select_option("AccountNumber")
    page.get_by_label("Value").fill(tag)
    page.get_by_role("button", name="Next: Row groups").click()
    page.wait_for_url(f"{base}/wizard/groups/")
    page.get_by_role("button", name="Next: Options").click()
    page.wait_for_url(f"{base}/wizard/options/")
    page.get_by_role("button", name="Next: Save").click()
    page.wait_for_url(f"{base}/wizard/save/")


def test_back_and_reload_keep_the_settings(page, world):
    base, install, sheet_id, sheet_name, tag = world
    sign_in(page, base)
    settings(page, base, sheet_name)
    page.get_by_role("button", name="Next: Fields").click()
    page.wait_for_url(f"{base}/wizard/fields/")

    page.go_back()
    page.wait_for_url(f"{base}/wizard/settings/")
    page.reload()  # a GET: nothing is posted again
    assert page.get_by_label("Salesforce to Smartsheet").is_checked()
    assert page.get_by_label("Sheet", exact=True).input_value() == str(sheet_id)
    assert page.get_by_label("Salesforce object").input_value() == "Account"
    assert "has never been synced" in page.content()  # an Owner: the first run prepares it
    shot(page, "01-settings-after-back-and-reload")
    page.get_by_role("button", name="Next: Fields").click()
    page.wait_for_url(f"{base}/wizard/fields/")
    text = page.locator("main").inner_text()
    assert f"Map fields of Account to columns of “{sheet_name}”." in text
    assert "None" not in text
    shot(page, "02-fields")


def test_the_step_bar_keeps_a_just_added_mapping(page, world):
    base, install, sheet_id, sheet_name, tag = world
    sign_in(page, base)
    settings(page, base, sheet_name)
    page.get_by_role("button", name="Next: Fields").click()
    page.wait_for_url(f"{base}/wizard/fields/")
    walk_to_save(page, base, tag)

    page.get_by_role("button", name="2. Fields").click()
    page.wait_for_url(f"{base}/wizard/fields/")
    page.get_by_role("button", name="Add field").click()
    page.get_by_label("Salesforce field, row 2").select_option("Phone")
    page.get_by_label("Column, row 2").select_option("Phone")
    shot(page, "03-fields-a-mapping-added")
    page.get_by_role("button", name="6. Save").click()  # the step bar
    page.wait_for_url(f"{base}/wizard/save/")
    facts = page.locator(".facts").inner_text()
    assert "Phone → “Phone”" in facts
    shot(page, "04-save-keeps-the-mapping")


def test_a_reload_after_an_error_posts_nothing_and_keeps_the_error(page, world):
    base, install, sheet_id, sheet_name, tag = world
    two_mappings(page, base, sheet_name, "Website", "Account Name")
    page.get_by_role("button", name="Next: Filters").click()
    page.wait_for_url(f"{base}/wizard/fields/")
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.reload()
    assert not dialogs  # no "Confirm form resubmission": the error page is a GET
    assert "is already mapped in row 1" in page.locator("main").inner_text()
    shot(page, "05-fields-error-after-reload")


def test_the_summary_counts_group_rows_apart_names_failures_and_save_goes_to_the_dashboard(
        page, world):
    from runs.services import run_execute

    base, install, sheet_id, sheet_name, tag = world
    two_mappings(page, base, sheet_name, "Industry", "Industry")
    page.get_by_role("button", name="Next: Filters").click()
    page.get_by_role("button", name="Add Salesforce filter").click()
    page.get_by_label("Field", exact=True).select_option("AccountNumber")
    page.get_by_label("Value").fill(tag)
    page.get_by_role("button", name="Next: Row groups").click()
    page.get_by_role("button", name="Add group level").click()
    page.get_by_label("Field", exact=True).select_option("Industry")
    page.get_by_role("button", name="Next: Options").click()
    page.get_by_role("button", name="Next: Save").click()
    page.wait_for_url(f"{base}/wizard/save/")

    summary = page.locator("#preview-summary").inner_text()
    # Quarry's row is added without its Industry cell (the column refuses "Mining"), under
    # its own group: three rows, three groups, one failure named.
    assert re.search(r"3\s*rows to add \(records\)", summary)
    assert re.search(r"3\s*group rows to add", summary)
    errors = page.locator("#preview-errors").inner_text()
    assert "1 row or record will fail:" in errors
    assert f"Record “{tag} Quarry”: Industry: 'Mining' is not one of the column's options" \
        in errors
    shot(page, "06-summary-with-groups-and-a-failure")

    page.get_by_label("Workflow name").fill("Browser grouped")
    page.get_by_role("button", name="Save workflow").dblclick()  # a double click
    page.wait_for_url(f"{base}/")
    assert Workflow.objects.filter(name="Browser grouped").count() == 1
    workflow = Workflow.objects.get(name="Browser grouped")
    run = Run.objects.get(workflow=workflow)
    link = page.get_by_role("link", name=f"follow run #{run.pk}")
    expect(link).to_be_visible()
    sheet_link = page.get_by_role("link", name=re.compile(re.escape(sheet_name)))
    assert sheet_link.first.get_attribute("href").startswith("https://app.smartsheet.com/")
    shot(page, "07-dashboard-banner")
    executed = run_execute(run_id=run.pk).run
    assert (executed.rows_added, executed.errors_count) == (3, 1)  # what the summary said
    link.click()
    page.wait_for_url(f"{base}/runs/{run.pk}/")
    shot(page, "08-first-run")


def test_the_pickers_follow_the_chosen_field(page, world):
    base, install, sheet_id, sheet_name, tag = world
    sign_in(page, base)
    settings(page, base, sheet_name, direction="Bidirectional")
    page.get_by_role("button", name="Next: Fields").click()
    page.wait_for_url(f"{base}/wizard/fields/")
    field = page.get_by_label("Salesforce field, row 1")
    field.select_option("OwnerId")
    lookup = page.locator("#m-0-lookup")
    direction = page.get_by_label("Direction, row 1")
    assert lookup.is_visible() and direction.input_value() == "to_smartsheet"
    assert "look it up" in page.locator("#m-0-lock").inner_text()
    lookup.select_option("Name")
    direction.select_option("both")  # looked up by name: it can be written
    assert direction.input_value() == "both" and page.locator("#m-0-lock").inner_text() == ""
    page.get_by_role("button", name="Add field").click()
    page.get_by_label("Salesforce field, row 2").select_option("Owner.Email")
    assert page.get_by_label("Direction, row 2").input_value() == "to_smartsheet"
    shot(page, "09-fields-lookup-and-related")
    page.get_by_role("button", name="Next: Filters").click()
    page.wait_for_url(f"{base}/wizard/filters/")
    page.get_by_role("button", name="Add Salesforce filter").click()
    page.get_by_label("Field", exact=True).select_option("NumberOfEmployees")
    conditions = page.get_by_label("Condition").locator("option").all_inner_texts()
    assert "greater than" in conditions and "contains" not in conditions
    shot(page, "10-filters-conditions-by-type")


def test_an_editor_is_told_who_can_prepare_the_sheet(page, world, sandbox):
    base, install, sheet_id, sheet_name, tag = world
    bob = personas.bob()
    factories.connect(bob, install, sandbox, smartsheet_as="bob@example.com")
    sandbox.smartsheet.share(sheet_id=sheet_id, email="bob@example.com", access_level="EDITOR")
    sign_in(page, base, "bob")
    settings(page, base, sheet_name)
    page.get_by_role("button", name="Next: Fields").click()
    page.wait_for_url(f"{base}/wizard/settings/")
    text = page.locator("main").inner_text()
    assert "is not prepared for syncing" in text and "Ada Lovelace (owner)" in text
    assert f"/installs/{install.pk}/sheets/{sheet_id}/prepare/" in text
    shot(page, "11-editor-told-who-can-prepare")
