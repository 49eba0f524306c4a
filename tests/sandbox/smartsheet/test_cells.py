"""Cells: strict parsing per column type, strict: false, hyperlinks, truncation, history."""

from __future__ import annotations

import pytest
import smartsheet
from smartsheet.exceptions import ApiError

from .conftest import ALICE, BOB, add_rows, make_sheet

Row = smartsheet.models.Row


def _write(client, sheet_id, row_id, column_id, **cell):
    client.Sheets.update_rows(sheet_id, [Row({"id": row_id, "cells": [
        {"columnId": column_id, **cell}]})])
    return next(c for c in client.Sheets.get_row(sheet_id, row_id, include="objectValue").cells
                if c.column_id == column_id)


@pytest.mark.parametrize(("title", "value"), [
    ("Done", "true"), ("Done", 1), ("Due", "03/04/2026"), ("Due", "2026-02-30"),
    ("Stage", "Maybe"), ("Owner", "not an email")])
def test_it_refuses_values_that_do_not_fit_the_column_type(admin, title, value):
    sheet_id, cols = make_sheet(admin)
    (row_id,) = add_rows(admin, sheet_id, cols, [{"Name": "r"}])
    with pytest.raises(ApiError) as excinfo:
        _write(admin, sheet_id, row_id, cols[title], value=value)
    assert excinfo.value.error.result.code == 1042


def test_it_parses_valid_values_and_relaxes_with_strict_false(admin):
    sheet_id, cols = make_sheet(admin)
    (row_id,) = add_rows(admin, sheet_id, cols, [{"Name": "r"}])
    assert _write(admin, sheet_id, row_id, cols["Done"], value=True).value is True
    assert _write(admin, sheet_id, row_id, cols["Due"], value="2026-03-04").value == "2026-03-04"
    assert _write(admin, sheet_id, row_id, cols["Stage"], value="Won").value == "Won"
    owner = _write(admin, sheet_id, row_id, cols["Owner"], value=ALICE)
    assert owner.display_value == "Alice Martin" and owner.object_value.email == ALICE
    loose = _write(admin, sheet_id, row_id, cols["Due"], value="03/04/2026", strict=False)
    assert loose.value == "2026-03-04"
    number = _write(admin, sheet_id, row_id, cols["Amount"], value="1,250", strict=False)
    assert number.value == 1250
    text = _write(admin, sheet_id, row_id, cols["Amount"], value="1,250")
    assert text.value == "1,250"


def test_it_checks_hyperlinks_and_truncates_long_values(admin):
    sheet_id, cols = make_sheet(admin)
    (row_id,) = add_rows(admin, sheet_id, cols, [{"Name": "r"}])
    link = _write(admin, sheet_id, row_id, cols["Name"], value="Acme",
                  hyperlink={"url": "https://example.com/acme"})
    assert link.hyperlink.url == "https://example.com/acme"
    with pytest.raises(ApiError) as excinfo:
        _write(admin, sheet_id, row_id, cols["Amount"], value=12,
               hyperlink={"url": "https://example.com"})
    assert excinfo.value.error.result.code == 1113
    long = _write(admin, sheet_id, row_id, cols["Name"], value="x" * 5000)
    assert len(long.value) == 4000


def test_it_keeps_writer_info_and_cell_history(sandbox, admin):
    sheet_id, cols = make_sheet(admin)
    sandbox.smartsheet.share(sheet_id=sheet_id, email=BOB, access_level="EDITOR")
    (row_id,) = add_rows(admin, sheet_id, cols, [{"Name": "first"}])
    sandbox.control.clock.advance(5)
    sandbox.handle_control("POST", ["smartsheet", "edit_cells"], {
        "sheet_id": sheet_id, "email": BOB,
        "rows": [{"id": row_id, "cells": [{"columnId": cols["Name"], "value": "by bob"}]}]})
    row = admin.Sheets.get_sheet(sheet_id, include="writerInfo").rows[0]
    assert row.created_by.email == "ada@example.com" and row.modified_by.email == BOB
    assert row.modified_at > row.created_at
    history = admin.Cells.get_cell_history(sheet_id, row_id, cols["Name"], include_all=True)
    assert [(h.value, h.modified_by.email) for h in history.data] == [
        ("by bob", BOB), ("first", "ada@example.com")]
    assert history.data[0].modified_by.name == "Bob Chen"


def test_it_guards_locked_and_system_columns(sandbox, admin, client_for):
    sheet_id, cols = make_sheet(admin)
    admin.Sheets.update_column(sheet_id, cols["Amount"], smartsheet.models.Column({"locked": True}))
    added = admin.Sheets.add_columns(sheet_id, [smartsheet.models.Column({
        "title": "Modified", "type": "DATETIME", "systemColumnType": "MODIFIED_DATE",
        "index": 1})]).result
    sandbox.smartsheet.share(sheet_id=sheet_id, email=BOB, access_level="EDITOR")
    (row_id,) = add_rows(admin, sheet_id, cols, [{"Name": "r"}])
    with pytest.raises(ApiError) as excinfo:
        _write(client_for(BOB), sheet_id, row_id, cols["Amount"], value=5)
    assert excinfo.value.error.result.code == 1039
    assert _write(admin, sheet_id, row_id, cols["Amount"], value=5).value == 5
    with pytest.raises(ApiError) as excinfo:
        _write(admin, sheet_id, row_id, added[0].id, value="2026-01-01T00:00:00Z")
    assert excinfo.value.error.result.code == 1046
    modified = next(c for c in admin.Sheets.get_row(sheet_id, row_id).cells
                    if c.column_id == added[0].id)
    assert modified.value.endswith("Z")
