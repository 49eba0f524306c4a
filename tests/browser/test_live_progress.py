"""A running sync's phase and counts update on the page without a reload."""

from __future__ import annotations

import pytest

from runs.models import Run, RunStatus
from tests import factories, personas

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_updates_the_phase_and_counts_while_a_run_is_running(page, live_server):
    alice = personas.alice()
    workflow = factories.workflow(alice, name="Live")
    run = factories.run(workflow, status=RunStatus.RUNNING, phase="reading salesforce")
    page.goto(f"{live_server.url}/signin/")
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill(personas.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{live_server.url}/runs/{run.pk}/")
    page.evaluate("window.__marker = 'same page'")  # gone if the page reloads
    Run.objects.filter(pk=run.pk).update(phase="writing smartsheet", records_read=1234)
    progress = page.locator("[data-progress-url]")
    progress.get_by_text("writing smartsheet").wait_for(timeout=8_000)
    assert "1234 records read" in progress.inner_text()
    assert page.evaluate("window.__marker") == "same page"
