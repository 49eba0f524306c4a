"""The console in a real browser, 1280 px wide: Sam (System Admin) runs the team from it —
overview, a leaver deactivated and their workflows transferred, licences in bulk, the audit
log, the install form's callback URLs, a check of the install — and Connie (Connector Admin) sees only
what she may change. Screenshots of every page go to artifacts/screenshots/console-*."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from accounts.models import User
from audit.models import AuditAction, AuditEntry
from runs.models import RunStatus, RunTrigger
from tests import factories, personas
from workflows.models import Workflow

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
WIDTH = 1280


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"console-{name}.png"), full_page=True)


def _team(sandbox):
    """Acme with two installs, alice's and bob's workflows, runs good and bad."""
    people = {name: make() for name, make in personas.EVERYONE.items()}
    sales = factories.install(sandbox=sandbox, name="Acme Salesforce")
    service = factories.install(name="Acme Service Cloud", kind="service_cloud")
    for person in ("alice", "bob", "sam"):
        factories.connect(people[person], sales, sandbox)
    pipeline = factories.workflow(people["alice"], sales, name="Pipeline by stage",
                                  salesforce_object="Opportunity", sheet_name="Pipeline 2025")
    factories.run(pipeline, status=RunStatus.PARTIAL, errors_count=2, records_read=120,
                  rows_added=40, rows_updated=6, salesforce_calls=3, smartsheet_calls=4,
                  salesforce_api_usage="9120/15000", trigger=RunTrigger.SCHEDULE,
                  summary={"smartsheet": {"rows_to_add": 40, "rows_to_update": 6},
                           "salesforce": {"records_to_create": 0, "records_to_update": 0},
                           "fields_to_update": {"StageName": 4}, "errors": 2, "full": True,
                           "calls": {"salesforce": 3, "smartsheet": 4}})
    factories.run(pipeline, status=RunStatus.FAILED, trigger=RunTrigger.SCHEDULE,
                  message="Smartsheet says the sheet no longer exists: pick another sheet.")
    contacts = factories.workflow(people["alice"], sales, name="Contacts (two-way)",
                                  direction="bidirectional", salesforce_object="Contact",
                                  sheet_name="Contacts")
    factories.run(contacts, status=RunStatus.SUCCEEDED, rows_updated=3, salesforce_calls=2,
                  smartsheet_calls=2)
    cases = factories.workflow(people["bob"], service, name="Escalated cases",
                               salesforce_object="Case", sheet_name="Escalations")
    factories.run(cases, status=RunStatus.SUCCEEDED)
    factories.workflow(people["bob"], sales, name="Old leads", salesforce_object="Lead",
                       sheet_name="Leads 2023", enabled=False)
    return people, sales, (pipeline, contacts)


def _sign_in(page, base: str, username: str) -> None:
    page.set_viewport_size({"width": WIDTH, "height": 900})
    page.goto(f"{base}/admin/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(personas.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/admin/")


def _act(page, action_label: str) -> None:
    page.locator("select[name=action]").select_option(label=action_label)
    page.get_by_role("button", name="Go").click()


def test_a_system_admin_runs_the_team_from_the_console(page, live_server, sandbox):
    people, sales, (pipeline, contacts) = _team(sandbox)
    base = live_server.url.replace("localhost", "127.0.0.1")
    _sign_in(page, base, "sam")

    # The overview: which workflows fail and why, the API budget per install.
    expect(page.get_by_role("heading", name="Workflows of the team")).to_be_visible()
    failing = page.locator("tr", has_text="Pipeline by stage")
    assert "pick another sheet" in failing.inner_text()
    assert "9,120 of 12,000" in page.locator("table.sf-installs tr", has_text="Acme Salesforce").inner_text()
    assert "{" not in page.locator("#content-main").inner_text()  # no JSON anywhere
    shot(page, "01-overview")
    page.get_by_label("Status").select_option("failing")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("table.sf-workflows tbody tr")).to_have_count(1)
    shot(page, "02-overview-failing")

    # A run, in words and tables.
    page.goto(f"{base}/admin/runs/run/?workflow__id__exact={pipeline.pk}")
    shot(page, "03-runs")
    page.get_by_role("link", name="Pipeline by stage #").last.click()
    expect(page.get_by_text("Rows to add").first).to_be_visible()
    assert "{" not in page.locator("#content-main").inner_text()
    shot(page, "04-run")

    # A workflow's page: read-only, its buttons call the services.
    page.goto(f"{base}/admin/workflows/workflow/{contacts.pk}/change/")
    assert page.locator("input[name=_save]").count() == 0
    shot(page, "05-workflow")

    # Alice leaves: deactivated, her workflows pause and say why.
    page.goto(f"{base}/admin/accounts/user/")
    page.locator("tr", has_text="Alice Martin").locator("input[type=checkbox]").check()
    _act(page, "Deactivate (their workflows pause)")
    expect(page.get_by_text("1 person updated.")).to_be_visible()
    page.goto(f"{base}/admin/")
    assert "Paused: its owner's account is deactivated." in page.locator(
        "tr", has_text="Contacts (two-way)").inner_text()
    shot(page, "06-overview-after-deactivation")

    # ...and her workflows go to Bob in one step, from her page.
    page.goto(f"{base}/admin/accounts/user/{people['alice'].pk}/change/")
    shot(page, "07-user-alice")
    page.get_by_role("link", name="Transfer all their workflows…").click()
    shot(page, "08-transfer")
    page.get_by_label("New owner").select_option(label="Bob Chen")
    page.get_by_role("button", name="Transfer").click()
    expect(page.get_by_text("2 workflows now belong to Bob Chen.")).to_be_visible()
    shot(page, "09-transferred")
    assert set(Workflow.objects.filter(owner=people["bob"]).values_list("name", flat=True)) >= {
        "Pipeline by stage", "Contacts (two-way)"}

    # Licences in bulk.
    page.goto(f"{base}/admin/accounts/user/")
    for name in ("Uma Ng", "Connie Reyes"):
        page.locator("tr", has_text=name).locator("input[type=checkbox]").check()
    _act(page, "Give the licence")
    expect(page.get_by_text("2 people updated.")).to_be_visible()
    assert User.objects.get(username="uma").licensed
    shot(page, "10-users")

    # Who changed what.
    page.goto(f"{base}/admin/audit/auditentry/")
    for text in ("Person deactivated", "Workflow transferred", "Roles or licence changed"):
        expect(page.get_by_role("cell", name=text).first).to_be_visible()
    shot(page, "11-audit-log")
    page.locator("tr", has_text="Workflow transferred").first.get_by_role("link").first.click()
    expect(page.get_by_role("cell", name="alice", exact=True)).to_be_visible()
    expect(page.get_by_role("cell", name="bob", exact=True)).to_be_visible()
    shot(page, "12-audit-entry")
    assert AuditEntry.objects.filter(action=AuditAction.WORKFLOW_TRANSFER).count() == 2

    # The install: the callback URLs to register, SLA targets as fields.
    page.goto(f"{base}/admin/connector/install/{sales.pk}/change/")
    expect(page.get_by_text(f"/connections/{sales.pk}/salesforce/callback/")).to_be_visible()
    expect(page.get_by_text(f"/connections/{sales.pk}/smartsheet/callback/")).to_be_visible()
    expect(page.get_by_label("High priority (hours)")).to_be_visible()
    shot(page, "13-install")


def test_a_system_admin_checks_an_install_with_her_own_connections(page, live_server,
                                                                 sandbox):
    # The admin-permissions check comes with the install set-up work.
    _, sales, _ = _team(sandbox)
    base = live_server.url.replace("localhost", "127.0.0.1")
    _sign_in(page, base, "sam")
    page.goto(f"{base}/admin/connector/install/{sales.pk}/change/")
    page.get_by_role("link", name="Check connections").click()
    page.get_by_role("button", name="Check now").click()
    expect(page.get_by_text("Signed in as").first).to_be_visible()
    expect(page.get_by_text("has the permissions to set the install up")).to_be_visible()
    shot(page, "14-install-check")


def test_a_connector_admin_sees_only_what_she_may_change(page, live_server, sandbox):
    people, sales, _ = _team(sandbox)
    base = live_server.url.replace("localhost", "127.0.0.1")
    _sign_in(page, base, "connie")

    expect(page.get_by_role("heading", name="Installs")).to_be_visible()
    assert page.get_by_role("heading", name="Workflows of the team").count() == 0
    shot(page, "20-connie-overview")

    page.goto(f"{base}/admin/accounts/user/")
    offered = page.locator("select[name=action] option").all_inner_texts()
    assert "Give the licence" in offered and "Make System Admin" not in offered
    shot(page, "21-connie-users")
    page.locator("tr", has_text="Uma Ng").locator("input[type=checkbox]").check()
    _act(page, "Give the Salesforce user role")
    expect(page.get_by_text("1 person updated.")).to_be_visible()
    assert User.objects.get(username="uma").salesforce_user

    page.goto(f"{base}/admin/accounts/user/{people['uma'].pk}/change/")
    assert page.locator("input[name=system_admin]").count() == 0
    assert page.locator("input[name=licensed]").count() == 1
    shot(page, "22-connie-user")

    page.goto(f"{base}/admin/connector/install/add/")
    expect(page.get_by_text("/connections/<number>/salesforce/callback/")).to_be_visible()
    shot(page, "23-connie-install-add")


#: Words of the English console that must not be left on a French page's headings,
#: column titles, labels, buttons and actions ("Actions", "Date" or "Message" are French too).
ENGLISH = re.compile(r"\b(Workflows?|Runs?|Status|Owner|Install|Records?|Rows?|Errors?|Last|"
                     r"Field|Column|Culprit|Winner|Side|Operator|Level|Value|Lookup|"
                     r"People|Person|Licen[cs]e|Deactivate|Give|Remove|Transfer|Audit|Filters?|"
                     r"Overview|Team|Name|Sheet|Priority|hours|Save|Delete|Go|Search)\b")


def _french_page(page) -> None:
    """Headings, column titles, labels, buttons, links of the content and the actions
    offered: nothing left in English."""
    texts = page.locator(
        "#content h1, #content h2, #content h3, #content th, #content label, "
        "#content button, #content input[type=submit], select[name=action] option, "
        "#content-main a.button, #nav-sidebar caption"
    ).all_inner_texts()
    values = page.locator("#content input[type=submit]").evaluate_all(
        "inputs => inputs.map(i => i.value)")
    left = [t.strip() for t in texts + values if ENGLISH.search(t)]
    assert left == [], f"{page.url}: {left}"
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= WIDTH, f"{page.url} is {width} px wide"


def test_a_french_system_admin_runs_the_team_from_the_console_in_french(
        page, live_server, sandbox):
    people, sales, (pipeline, contacts) = _team(sandbox)
    people["sam"].language = "fr"
    people["sam"].save(update_fields=["language"])
    base = live_server.url.replace("localhost", "127.0.0.1")
    page.set_viewport_size({"width": WIDTH, "height": 900})
    page.goto(f"{base}/admin/")
    page.locator("input[name=username]").fill("sam")
    page.locator("input[name=password]").fill(personas.PASSWORD)
    page.locator("input[type=submit], button[type=submit]").first.click()
    page.wait_for_url(f"{base}/admin/")

    # The overview, in French: numbers in the French way, failures explained.
    expect(page.get_by_role("heading", name="Flux de travail de l’équipe")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    assert "9\u00a0120" in page.locator("table.sf-installs tr", has_text="Acme Salesforce").inner_text()
    _french_page(page)
    shot(page, "fr-01-overview")

    # A run and a workflow, in words and tables.
    page.goto(f"{base}/admin/runs/run/?workflow__id__exact={pipeline.pk}")
    _french_page(page)
    shot(page, "fr-02-runs")
    page.get_by_role("link", name="Pipeline by stage #").last.click()
    expect(page.get_by_text("Lignes à ajouter").first).to_be_visible()
    _french_page(page)
    shot(page, "fr-03-run")
    page.goto(f"{base}/admin/workflows/workflow/{contacts.pk}/change/")
    _french_page(page)
    shot(page, "fr-04-workflow")

    # People: Alice leaves; her workflows pause and say why, in French.
    page.goto(f"{base}/admin/accounts/user/")
    _french_page(page)
    page.locator("tr", has_text="Alice Martin").locator("input[type=checkbox]").check()
    page.locator("select[name=action]").select_option(
        label="Désactiver (ses flux de travail sont suspendus)")
    page.locator("button[name=index]").first.click()
    expect(page.get_by_text("1 personne mise à jour.")).to_be_visible()
    shot(page, "fr-05-people")
    page.goto(f"{base}/admin/")
    assert "Suspendu\u00a0: le compte de son propriétaire est désactivé." in page.locator(
        "tr", has_text="Contacts (two-way)").inner_text()

    # ...and her workflows go to Bob.
    page.goto(f"{base}/admin/accounts/user/{people['alice'].pk}/change/")
    _french_page(page)
    page.get_by_role("link", name="Transférer tous ses flux de travail…").click()
    _french_page(page)
    page.get_by_label("Nouveau propriétaire").select_option(label="Bob Chen")
    page.get_by_role("button", name="Transférer").click()
    expect(page.get_by_text("2 flux de travail appartiennent désormais à Bob Chen.")).to_be_visible()
    shot(page, "fr-06-transferred")

    # The audit log and the install form.
    page.goto(f"{base}/admin/audit/auditentry/")
    for text in ("Personne désactivée", "Flux de travail transféré"):
        expect(page.get_by_role("cell", name=text).first).to_be_visible()
    _french_page(page)
    shot(page, "fr-07-audit-log")
    page.goto(f"{base}/admin/connector/install/{sales.pk}/change/")
    expect(page.get_by_label("Priorité haute (heures)")).to_be_visible()
    _french_page(page)
    shot(page, "fr-08-install")
