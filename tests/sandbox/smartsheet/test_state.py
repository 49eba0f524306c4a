"""Seeds, persistence, request counts and injected faults."""

from __future__ import annotations

import smartsheet

from sandbox.control import Control
from sandbox.smartsheet import SmartsheetEmulator
from sandbox.smartsheet.emulator import persona_token

from .conftest import QuickBackoff, make_sheet


def test_it_seeds_demo_sheets_shared_with_the_personas(demo_sandbox):
    info = demo_sandbox.info["smartsheet"]
    carol = smartsheet.Smartsheet(access_token=persona_token("carol@example.com"),
                                  api_base=info["api_base"])
    carol.errors_as_exceptions(True)
    sheets = carol.Sheets.list_sheets(include_all=True).data
    assert [(s.name, str(s.access_level)) for s in sheets] == [
        ("Opportunities Pipeline", "VIEWER")]
    admin = smartsheet.Smartsheet(access_token=info["access_token"], api_base=info["api_base"])
    names = {s.name for s in admin.Sheets.list_sheets(include_all=True).data}
    assert names == {"Opportunities Pipeline", "Support Cases"}


def test_it_persists_state_across_restarts(tmp_path):
    first = SmartsheetEmulator(Control(), state_dir=tmp_path, seed="demo")
    sheet_id = min(first.sheets)
    row = first.sheets[sheet_id].rows[0]
    column = first.sheets[sheet_id].columns[0]["id"]
    first.edit_cells(sheet_id=sheet_id, email="alice@example.com", rows=[
        {"id": row.id, "cells": [{"columnId": column, "value": "edited"}]}])
    first.save()
    again = SmartsheetEmulator(Control(), state_dir=tmp_path, seed="empty")
    restored = again.sheets[sheet_id]
    assert restored.rows[0].cells[column]["value"] == "edited"
    assert restored.version == first.sheets[sheet_id].version
    assert len(restored.history[f"{row.id}:{column}"]) == 2


def test_it_counts_calls_by_endpoint_and_injects_faults(sandbox, admin, client_for):
    sheet_id, _ = make_sheet(admin)
    sandbox.control.reset_counts()
    admin.Sheets.get_sheet(sheet_id)
    admin.Sheets.get_sheet_version(sheet_id)
    counts = sandbox.control.counts()["smartsheet"]["by_endpoint"]
    assert counts == {"GET sheets/{id}": 1, "GET sheets/{id}/version": 1}
    backoff = QuickBackoff(wait=0.05)
    client = client_for(backoff=backoff)
    sandbox.control.reseed(7)
    sandbox.control.configure("smartsheet", faults={"http_503": 0.5},
                              fault_path_contains="/version")
    try:
        versions = [client.Sheets.get_sheet_version(sheet_id).version for _ in range(6)]
    finally:
        sandbox.control.configure("smartsheet", faults={}, fault_path_contains=None)
    assert len(versions) == 6  # every 503 (errorCode 4001) was retried by the SDK
    assert sandbox.control.counts()["smartsheet"]["faults"]["http_503"] >= 1
    assert backoff.attempts >= 1
