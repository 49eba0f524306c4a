"""What the engine writes into a sheet is in the install's language: the titles of the
columns it adds and its Sync Error messages. Owned columns are tracked by id, so a new
language never adds columns, and a sheet's owned column is found in either language.

These tests give the engine a small catalogue of their own (``LOCALE_PATHS``), so that
they pin the mechanism whatever the real words; test_french_install.py runs a French
install with the real catalogue.
"""

from __future__ import annotations

import array
import struct

import pytest

from connector.models import Install
from runs.engine import sync_workflow
from runs.models import RunError
from tests import factories

FRENCH = {
    "Salesforce ID": "ID Salesforce",
    "Sync Error": "Erreur de synchronisation",
    "Deleted in Salesforce": "Supprimé dans Salesforce",
}


def write_mo(path, messages: dict[str, str]) -> None:
    """A GNU gettext catalogue (what ``msgfmt`` makes of a .po file)."""
    messages = {"": "Content-Type: text/plain; charset=UTF-8\n", **messages}
    keys = sorted(k.encode() for k in messages)
    values = {k.encode(): v.encode() for k, v in messages.items()}
    ids = strs = b""
    offsets = []
    for key in keys:
        offsets.append((len(ids), len(key), len(strs), len(values[key])))
        ids += key + b"\0"
        strs += values[key] + b"\0"
    key_start = 7 * 4 + 16 * len(keys)
    value_start = key_start + len(ids)
    table = []
    for key_offset, key_length, _, _ in offsets:
        table += [key_length, key_offset + key_start]
    for _, _, value_offset, value_length in offsets:
        table += [value_length, value_offset + value_start]
    header = struct.pack("Iiiiiii", 0x950412DE, 0, len(keys), 7 * 4, 7 * 4 + len(keys) * 8, 0, 0)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(header + array.array("i", table).tobytes() + ids + strs)


@pytest.fixture
def french(tmp_path, settings):
    write_mo(tmp_path / "fr" / "LC_MESSAGES" / "django.mo", FRENCH)
    settings.LOCALE_PATHS = [tmp_path]  # clears Django's translation caches


def _titles(sandbox, sheet_id) -> list[str]:
    return [c["title"] for c in factories.smartsheet_client(sandbox).get_sheet(sheet_id)["columns"]]


def test_owned_columns_and_sync_errors_are_in_the_installs_language(
        sandbox, alice, connected_install, tag, french):
    Install.objects.filter(pk=connected_install.pk).update(language="fr")
    ids = sandbox.salesforce.insert("Account", [{"Name": n, "AccountNumber": tag}
                                                for n in ("Gone", "Kept")])
    sheet_id, _ = factories.sheet(sandbox, ["Name"])
    workflow = factories.workflow(
        alice, connected_install, sheet_id=sheet_id, direction="to_smartsheet",
        mappings=[("Name", "Name", "to_smartsheet")],
        filters=[("salesforce", "AccountNumber", "equals", tag)])

    sync_workflow(run=factories.start_run(workflow))

    assert _titles(sandbox, sheet_id) == ["Name", "ID Salesforce", "Erreur de synchronisation"]
    sandbox.salesforce.delete([ids[0]])
    sandbox.control.clock.advance(120)
    sync_workflow(run=factories.start_run(workflow))
    rows = {r["Name"]: r for r in factories.rows_by_title(sandbox, sheet_id)}
    assert rows["Gone"]["Erreur de synchronisation"] == "Supprimé dans Salesforce"

    # Back to English: the columns are tracked by id, none is added; new text is English.
    Install.objects.filter(pk=connected_install.pk).update(language="en")
    sandbox.salesforce.delete([ids[1]])
    sandbox.control.clock.advance(120)
    sync_workflow(run=factories.start_run(workflow, full=True))
    assert _titles(sandbox, sheet_id) == ["Name", "ID Salesforce", "Erreur de synchronisation"]
    rows = {r["Name"]: r for r in factories.rows_by_title(sandbox, sheet_id)}
    assert rows["Kept"]["Erreur de synchronisation"] == "Deleted in Salesforce"


def test_a_sheet_with_owned_columns_in_another_language_gets_none_added(
        sandbox, alice, connected_install, tag, french):
    sandbox.salesforce.insert("Account", [{"Name": "Hooli", "AccountNumber": tag}])
    sheet_id, _ = factories.sheet(sandbox, ["Name", "ID Salesforce", "Erreur de synchronisation"])
    workflow = factories.workflow(
        alice, connected_install, sheet_id=sheet_id, direction="to_smartsheet",
        mappings=[("Name", "Name", "to_smartsheet")],
        filters=[("salesforce", "AccountNumber", "equals", tag)])

    run = factories.start_run(workflow)
    sync_workflow(run=run)

    assert _titles(sandbox, sheet_id) == ["Name", "ID Salesforce", "Erreur de synchronisation"]
    (row,) = factories.rows_by_title(sandbox, sheet_id)
    assert row["ID Salesforce"] and not RunError.objects.filter(run=run).exists()
