"""Sharing levels on every endpoint the connector uses ("Sharing — Access levels"):
viewers read; editors (and editors who can share) also write rows; admins also change
columns, the sheet and its sharing; only the owner deletes the sheet. Anything else is
403 errorCode 1004 "You are not authorized to perform this action."."""

from __future__ import annotations

import pytest
import smartsheet
from smartsheet.exceptions import ApiError

from .conftest import BOB, CAROL, add_rows, make_sheet

LEVELS = ("VIEWER", "EDITOR", "EDITOR_SHARE", "ADMIN")
READ, WRITE, SHARE, ADMIN, OWNER = (set(LEVELS), set(LEVELS[1:]), {"EDITOR_SHARE", "ADMIN"},
                                    {"ADMIN"}, set())


def _operations(sheet_id: int, cols: dict[str, int], row_id: int) -> dict:
    Row, Column = smartsheet.models.Row, smartsheet.models.Column
    return {
        "get sheet": (READ, lambda c: c.Sheets.get_sheet(sheet_id)),
        "get version": (READ, lambda c: c.Sheets.get_sheet_version(sheet_id)),
        "list columns": (READ, lambda c: c.Sheets.get_columns(sheet_id, include_all=True)),
        "get row": (READ, lambda c: c.Sheets.get_row(sheet_id, row_id)),
        "cell history": (READ, lambda c: c.Cells.get_cell_history(sheet_id, row_id,
                                                                   cols["Name"])),
        "list shares": (READ, lambda c: c.Passthrough.get(f"/sheets/{sheet_id}/shares")),
        "watch with a webhook": (READ, lambda c: c.Webhooks.create_webhook(
            smartsheet.models.Webhook({"name": "w", "callbackUrl": "https://hooks.example.com/",
                                       "scope": "sheet", "scopeObjectId": sheet_id,
                                       "events": ["*.*"], "version": 1}))),
        "add rows": (WRITE, lambda c: add_rows(c, sheet_id, cols, [{"Name": "new"}])),
        "update rows": (WRITE, lambda c: c.Sheets.update_rows(sheet_id, [Row({
            "id": row_id, "cells": [{"columnId": cols["Name"], "value": "x"}]})])),
        "delete rows": (WRITE, lambda c: c.Sheets.delete_rows(sheet_id, [row_id])),
        "add columns": (ADMIN, lambda c: c.Sheets.add_columns(sheet_id, [Column(
            {"title": "New", "type": "TEXT_NUMBER", "index": 1})])),
        "update a column": (ADMIN, lambda c: c.Sheets.update_column(
            sheet_id, cols["Amount"], Column({"title": "Sum"}))),
        "delete a column": (ADMIN, lambda c: c.Sheets.delete_column(sheet_id, cols["Amount"])),
        "rename the sheet": (ADMIN, lambda c: c.Sheets.update_sheet(
            sheet_id, smartsheet.models.Sheet({"name": "Renamed"}))),
        "share as editor": (SHARE, lambda c: c.Passthrough.post(
            f"/sheets/{sheet_id}/shares", {"email": CAROL, "accessLevel": "EDITOR"})),
        "share as admin": (ADMIN, lambda c: c.Passthrough.post(
            f"/sheets/{sheet_id}/shares", {"email": CAROL, "accessLevel": "ADMIN"})),
        "delete the sheet": (OWNER, lambda c: c.Sheets.delete_sheet(sheet_id)),
    }


OPERATIONS = list(_operations(0, {"Name": 0, "Amount": 0}, 0))


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("operation", OPERATIONS)
def test_each_level_can_do_what_the_documentation_says(sandbox, admin, client_for, level,
                                                       operation):
    sheet_id, cols = make_sheet(admin)
    (row_id,) = add_rows(admin, sheet_id, cols, [{"Name": "r"}])
    sandbox.smartsheet.share(sheet_id=sheet_id, email=BOB, access_level=level)
    allowed, call = _operations(sheet_id, cols, row_id)[operation]
    bob = client_for(BOB)
    if level in allowed:
        call(bob)
        return
    with pytest.raises(ApiError) as excinfo:
        call(bob)
    error = excinfo.value.error.result
    assert (error.code, error.status_code, error.message) == (
        1004, 403, "You are not authorized to perform this action.")


def test_a_stranger_gets_1004_everywhere_but_webhooks(admin, client_for):
    sheet_id, cols = make_sheet(admin)
    (row_id,) = add_rows(admin, sheet_id, cols, [{"Name": "r"}])
    carol = client_for(CAROL)
    for name, (_, call) in _operations(sheet_id, cols, row_id).items():
        with pytest.raises(ApiError) as excinfo:
            call(carol)
        expected = 1151 if name == "watch with a webhook" else 1004
        assert excinfo.value.error.result.code == expected, name
