"""Open errors, as a user follows them in the browser: records a sheet refuses stay in
view — on the dashboard, the run history and each run's page — through every run that
retries them, until the sheet is fixed and the next run resolves them.

The scenario: a two-way Opportunity workflow whose sheet's Stage dropdown accepts only
some of Salesforce's stages. Screenshots go to artifacts/screenshots/."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests import factories, personas
from tests.browser.test_walkthrough import shot
from tests.runs.engine.e2e.test_open_errors import NEGOTIATION, STAGES, _pipeline, _run_now

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_in(page, base: str) -> None:
    page.goto(f"{base}/signin/")
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill(personas.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/")


def test_refused_records_stay_in_view_until_the_sheet_is_fixed(page, live_server, sandbox,
                                                                tag):
    alice = personas.alice()
    install = factories.install(sandbox=sandbox, name="Sandbox org")
    factories.connect(alice, install, sandbox)
    _, sheet_id, columns, workflow = _pipeline(
        sandbox, alice, install, tag,
        [("Alpha", "Prospecting"), ("Beta", NEGOTIATION), ("Gamma", NEGOTIATION)])
    base = live_server.url.replace("localhost", "127.0.0.1")
    first = _run_now(workflow, alice)
    _sign_in(page, base)

    # The dashboard counts the open errors and links them.
    row = page.get_by_role("row").filter(has_text=workflow.name)
    expect(row.get_by_role("link", name="2", exact=True)).to_be_visible()
    shot(page, "open-errors-1-dashboard")

    # The run's page groups the two identical refusals and names their rows and records.
    page.goto(f"{base}/runs/{first.pk}/")
    expect(page.get_by_text("Succeeded with errors").first).to_be_visible()
    expect(page.get_by_role("heading", name="New")).to_be_visible()
    expect(page.get_by_text(NEGOTIATION).first).to_be_visible()
    expect(page.get_by_role("link", name="Row 2 · Beta")).to_be_visible()
    expect(page.get_by_role("link", name="Row 3 · Gamma")).to_be_visible()
    shot(page, "open-errors-2-first-run")

    # Run now, nothing fixed: the run retried both and says they are still open.
    sandbox.control.clock.advance(120)
    second = _run_now(workflow, alice)
    page.goto(f"{base}/runs/{second.pk}/")
    expect(page.get_by_role("heading", name="Still open (retried by this run)")).to_be_visible()
    page.goto(f"{base}/")
    expect(page.get_by_role("row").filter(has_text=workflow.name)
           .get_by_role("link", name="2", exact=True)).to_be_visible()

    # The sheet gets the missing stage: the next run resolves both.
    factories.smartsheet_client(sandbox).update_column(
        sheet_id, columns["Stage"], {"type": "PICKLIST", "options": [*STAGES, NEGOTIATION]})
    sandbox.control.clock.advance(120)
    third = _run_now(workflow, alice)
    page.goto(f"{base}/runs/{third.pk}/")
    expect(page.get_by_role("heading", name="2 errors resolved")).to_be_visible()
    expect(page.get_by_text("No errors.")).to_be_visible()
    shot(page, "open-errors-3-resolved")
    page.goto(f"{base}/")
    expect(page.get_by_role("row").filter(has_text=workflow.name)
           .get_by_role("link", name="2", exact=True)).to_have_count(0)
