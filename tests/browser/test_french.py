"""A French-speaking admin, in a real browser: switches the sign-in page to Français, signs
in, and finds the dashboard, the wizard's first steps and the run history in French, dates
in the French order. Screenshots go to artifacts/screenshots/ (french-*)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from runs.models import Run, RunTrigger
from runs.services import run_execute
from tests import factories, personas

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
#: Words of the English pages that must not be left in a French page's headings ("Direction",
#: "Message" or "Options" are French too).
ENGLISH = re.compile(r"\b(Workflows?|Sign in|Settings|Fields|Filters|Run history|Runs? of|"
                     r"errors?|Records|Status|Trigger|Queued|Duration|Connections|New|Next|"
                     r"Back|Cancel|Name|Owner|Sheet|Last run)\b")


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"french-{name}.png"), full_page=True)


def assert_no_english_headings(page) -> None:
    # The wizard's hidden default-action buttons (aria-hidden) are seen by no one.
    headings = page.locator("main h1, main h2, main h3, main th, main label, "
                            "main button:not([aria-hidden=true])")
    texts = [t.strip() for t in headings.all_inner_texts()]
    assert [t for t in texts if ENGLISH.search(t)] == [], texts


def assert_fits(page) -> None:
    """Longer French words never push the page wider than the window."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], width


def test_a_french_user_walks_sign_in_dashboard_wizard_and_run_history(
        page, live_server, sandbox, alice, connected_install, tag):
    sandbox.salesforce.insert("Account", [{"Name": f"Énergie {n}", "AccountNumber": tag}
                                          for n in range(2)])
    sheet_id, _ = factories.sheet(sandbox, ["Nom"])
    workflow = factories.workflow(
        alice, connected_install, sheet_id=sheet_id, direction="to_smartsheet",
        name="Comptes énergie", mappings=[("Name", "Nom", "to_smartsheet")],
        filters=[("salesforce", "AccountNumber", "equals", tag)])
    run = Run.objects.create(workflow=workflow, trigger=RunTrigger.MANUAL)
    run_execute(run_id=run.pk)
    base = live_server.url.replace("localhost", "127.0.0.1")

    # Sign-in: English first, then Français from the switcher.
    page.goto(f"{base}/signin/")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.get_by_role("button", name="Français").click()
    expect(page.get_by_role("heading", name="Se connecter")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    page.get_by_label("Nom d’utilisateur").fill("alice")
    page.get_by_label("Mot de passe").fill(personas.PASSWORD)
    shot(page, "01-sign-in")
    assert_no_english_headings(page)
    page.get_by_role("button", name="Se connecter").click()

    # Dashboard.
    page.wait_for_url(f"{base}/")
    expect(page.get_by_role("heading", name="Flux de travail", exact=True)).to_be_visible()
    expect(page.get_by_role("columnheader", name="Dernière exécution")).to_be_visible()
    expect(page.get_by_role("link", name="Nouveau flux de travail")).to_be_visible()
    row = page.locator(f"#workflow-{workflow.pk}")
    expect(row).to_contain_text("De Salesforce vers Smartsheet")
    expect(row).to_contain_text("Activé")
    # The last run's date in the French order (day/month/year).
    expect(row).to_contain_text(re.compile(r"\d{2}/\d{2}/\d{4} \d{2}:\d{2}"))
    shot(page, "02-dashboard")
    assert_no_english_headings(page)
    assert_fits(page)

    # The wizard's first steps.
    page.get_by_role("link", name="Nouveau flux de travail").click()
    page.wait_for_url(f"{base}/wizard/settings/")
    expect(page.get_by_role("heading", name="Nouveau flux de travail")).to_be_visible()
    expect(page.get_by_role("navigation", name="Étapes de l’assistant")).to_be_visible()
    page.get_by_label("De Salesforce vers Smartsheet").check()
    page.get_by_label("Feuille", exact=True).select_option("__new__")
    page.get_by_label("Nom de la nouvelle feuille").fill("Comptes du navigateur")
    page.get_by_label("Objet Salesforce").select_option("Account")
    shot(page, "03-wizard-settings")
    assert_no_english_headings(page)
    assert_fits(page)
    page.get_by_role("button", name="Suivant\u00a0: Champs").click()
    page.wait_for_url(f"{base}/wizard/fields/")
    expect(page.get_by_role("button", name="Ajouter un champ")).to_be_visible()
    expect(page.get_by_label("Champ Salesforce, ligne 1")).to_be_visible()
    shot(page, "04-wizard-fields")
    assert_no_english_headings(page)
    assert_fits(page)

    # Run history, and the run.
    page.goto(f"{base}/workflows/{workflow.pk}/runs/")
    expect(page.get_by_role("heading", name="Historique d’exécution\u00a0: Comptes énergie")
           ).to_be_visible()
    expect(page.get_by_role("columnheader", name="Déclencheur")).to_be_visible()
    history = page.locator("table").last
    expect(history).to_contain_text("Réussie")
    expect(history).to_contain_text("2 enregistrements, 0 lignes")
    expect(history).to_contain_text(re.compile(r"\d{2}/\d{2}/\d{4} \d{2}:\d{2}:\d{2}"))
    shot(page, "05-run-history")
    assert_no_english_headings(page)
    assert_fits(page)
    page.get_by_role("link", name=f"#{run.pk}").click()
    expect(page.get_by_role("heading", name=f"Exécution n° {run.pk} de Comptes énergie")
           ).to_be_visible()
    expect(page.get_by_text("2 lignes ajoutées, 0 mises à jour, 0 déplacées, 0 supprimées")
           ).to_be_visible()
    shot(page, "06-run-detail")
    assert_no_english_headings(page)
    assert_fits(page)
