"""A new user, in a real browser: connect → wizard → save → first run → edit → disable →
delete. Screenshots of every step go to artifacts/screenshots/."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import expect

from runs.models import Run
from sandbox.personas import PASSWORD as SANDBOX_PASSWORD
from sandbox.personas import PERSONAS
from tests import factories, personas
from workflows.models import Workflow

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_it_walks_a_new_user_from_connecting_to_deleting_a_workflow(page, live_server, sandbox):
    from runs.services import run_execute

    # alice (tests/personas.py) signs in to the product; in the emulators' authorize pages
    # she signs in as the sandbox's own Alice Martin (sandbox/personas.py).
    persona = PERSONAS[1]
    prefix = f"Walk {uuid.uuid4().hex[:8]}"
    sandbox.salesforce.insert("Account", [
        {"Name": f"{prefix} {n}", "Phone": f"555-010{n}"} for n in range(3)])
    personas.alice()
    factories.install(sandbox=sandbox, name="Sandbox org")
    base = live_server.url.replace("localhost", "127.0.0.1")

    # Sign in.
    page.goto(f"{base}/signin/")
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill(personas.PASSWORD)
    shot(page, "01-sign-in")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/")

    # Connect both services through the sandbox's authorize pages.
    page.get_by_role("link", name="Connections").click()
    shot(page, "02-connections")
    page.get_by_role("button", name="Connect Salesforce").click()
    page.wait_for_url(re.compile(r".*/services/oauth2/authorize.*"))
    page.fill("#username", persona.salesforce_username)
    page.fill("#password", SANDBOX_PASSWORD)
    shot(page, "03-salesforce-authorize")
    page.click("#Login")
    page.wait_for_url(f"{base}/connections/")
    page.get_by_role("button", name="Connect Smartsheet").click()
    page.wait_for_url(re.compile(r".*/b/authorize.*"))
    page.fill("input[name=email]", persona.email)
    page.fill("input[name=password]", SANDBOX_PASSWORD)
    page.get_by_role("button", name="Allow").click()
    page.wait_for_url(f"{base}/connections/")
    expect(page.get_by_role("button", name="Disconnect Salesforce")).to_be_visible()
    expect(page.get_by_role("button", name="Disconnect Smartsheet")).to_be_visible()
    shot(page, "04-connected")

    # The wizard, by keyboard where it matters.
    page.get_by_role("link", name="Workflows").click()
    page.get_by_role("link", name="New workflow").click()
    page.wait_for_url(f"{base}/wizard/settings/")
    page.get_by_label("Salesforce to Smartsheet").check()
    page.get_by_label("Sheet", exact=True).select_option("__new__")
    page.get_by_label("New sheet name").fill("Browser accounts")
    page.get_by_label("Salesforce object").select_option("Account")
    shot(page, "05-wizard-settings")
    page.get_by_role("button", name="Next: Fields").click()
    page.wait_for_url(f"{base}/wizard/fields/")
    page.get_by_label("Salesforce field, row 1").select_option("Name")
    page.get_by_role("button", name="Add field").click()
    page.get_by_label("Salesforce field, row 2").select_option("Phone")
    page.get_by_label("Salesforce field, row 2").focus()
    page.keyboard.press("Tab")  # keyboard reaches the column control
    shot(page, "06-wizard-fields")
    # Enter in a text field goes to the next step (it used to press "Remove row 1").
    page.locator("#m-1-new_title").fill("Phone number")
    page.locator("#m-1-new_title").press("Enter")
    page.wait_for_url(f"{base}/wizard/filters/")
    page.get_by_role("button", name="Add Salesforce filter").click()
    page.get_by_label("Field", exact=True).select_option("Name")
    page.get_by_label("Condition").select_option("is_blank")
    assert page.get_by_label("Value").is_hidden()  # a valueless condition hides the value
    page.get_by_label("Condition").select_option("starts_with")
    page.get_by_label("Value").fill(prefix)  # only this test's records
    shot(page, "07-wizard-filters")
    page.get_by_role("button", name="Next: Row groups").click()
    page.wait_for_url(f"{base}/wizard/groups/")
    shot(page, "08-wizard-groups")
    page.get_by_role("button", name="Next: Options").click()
    page.wait_for_url(f"{base}/wizard/options/")
    page.get_by_role("button", name="Next: Save").click()
    page.wait_for_url(f"{base}/wizard/save/")
    page.get_by_label("Workflow name").fill("Browser walk")
    shot(page, "09-wizard-save")
    page.get_by_role("button", name="Save workflow").click()

    # The dashboard says so and links the first run, which appears in the history once
    # executed (no cluster in this test).
    page.wait_for_url(f"{base}/")
    workflow = Workflow.objects.get(name="Browser walk")
    assert [m.column_title for m in workflow.mappings.all()] == ["Account Name", "Phone number"]
    run = Run.objects.get(workflow=workflow)
    expect(page.get_by_role("link", name=f"follow run #{run.pk}")).to_be_visible()
    run_execute(run_id=run.pk)
    page.goto(f"{base}/workflows/{workflow.pk}/runs/")
    run.refresh_from_db()
    assert run.rows_added == 3, run.message
    expect(page.get_by_role("link", name=f"#{run.pk}")).to_be_visible()
    assert run.get_status_display() in page.content()
    shot(page, "10-run-history")
    page.get_by_role("link", name=f"#{run.pk}").click()
    shot(page, "11-run-detail")

    # Edit: back into the wizard from the Settings menu.
    page.goto(f"{base}/")
    page.get_by_text("Settings ▾").click()
    page.get_by_role("link", name="Edit workflow").click()
    page.wait_for_url(f"{base}/wizard/fields/")
    page.get_by_role("button", name="Next: Filters").click()
    page.get_by_role("button", name="Next: Row groups").click()
    page.get_by_role("button", name="Next: Options").click()
    page.get_by_role("button", name="Next: Save").click()
    page.get_by_label("Workflow name").fill("Browser walk (edited)")
    page.get_by_label("Workflow name").press("Enter")  # saves (it used to press "Back")
    page.wait_for_url(f"{base}/")
    workflow.refresh_from_db()
    assert workflow.name == "Browser walk (edited)"

    # Disable, then delete (with its confirmation).
    page.goto(f"{base}/")
    page.get_by_text("Settings ▾").click()
    page.get_by_role("button", name="Disable").click()
    page.wait_for_url(f"{base}/")
    expect(page.get_by_text("Disabled", exact=True)).to_be_visible()
    workflow.refresh_from_db()
    assert workflow.enabled is False
    shot(page, "12-disabled")
    page.get_by_text("Settings ▾").click()
    page.get_by_role("link", name="Delete").click()
    expect(page.get_by_text("cannot be undone")).to_be_visible()
    shot(page, "13-delete-confirmation")
    page.get_by_role("button", name="Delete workflow").click()
    page.wait_for_url(f"{base}/")
    assert not Workflow.objects.filter(pk=workflow.pk).exists()
    shot(page, "14-deleted")
