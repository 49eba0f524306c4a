"""Sheets: create rules, list paging, get options, versions, rename, delete."""

from __future__ import annotations

import pytest
import smartsheet
from smartsheet.exceptions import ApiError

from .conftest import add_rows, make_sheet


@pytest.mark.parametrize(("columns", "code"), [
    ([{"title": "A", "type": "TEXT_NUMBER"}], 1055),
    ([{"title": "A", "type": "TEXT_NUMBER", "primary": True},
      {"title": "B", "type": "TEXT_NUMBER", "primary": True}], 1055),
    ([{"title": "A", "type": "DATE", "primary": True}], 1057),
    ([{"title": "A", "type": "TEXT_NUMBER", "primary": True},
      {"title": "a", "type": "DATE"}], 1056),
    ([{"title": "A", "type": "TEXT_NUMBER", "primary": True},
      {"title": "B", "type": "DATE", "options": ["x"]}], 1060),
])
def test_it_enforces_the_column_rules_of_a_new_sheet(admin, columns, code):
    with pytest.raises(ApiError) as excinfo:
        make_sheet(admin, columns=columns)
    assert excinfo.value.error.result.code == code


def test_it_lists_sheets_with_paging(admin):
    for i in range(5):
        make_sheet(admin, name=f"Sheet {i}")
    first = admin.Sheets.list_sheets(page_size=2, page=1)
    assert (first.total_count, first.total_pages, first.page_size) == (5, 3, 2)
    assert [s.name for s in first.data] == ["Sheet 0", "Sheet 1"]
    last = admin.Sheets.list_sheets(page_size=2, page=3)
    assert [s.name for s in last.data] == ["Sheet 4"]
    everything = admin.Sheets.list_sheets(include_all=True)
    assert len(everything.data) == 5 and everything.total_pages == 1


def test_it_gets_a_sheet_with_filters_and_pages(admin):
    sheet_id, cols = make_sheet(admin)
    ids = add_rows(admin, sheet_id, cols, [{"Name": f"r{i}", "Amount": i} for i in range(5)])
    sheet = admin.Sheets.get_sheet(sheet_id, column_ids=[cols["Name"], cols["Amount"]],
                                   row_ids=[ids[1], ids[3]])
    assert [c.title for c in sheet.columns] == ["Name", "Amount"]
    assert [r.id for r in sheet.rows] == [ids[1], ids[3]]
    assert [r.row_number for r in sheet.rows] == [2, 4]
    assert [len(r.cells) for r in sheet.rows] == [2, 2]
    assert sheet.total_row_count == 5
    paged = admin.Sheets.get_sheet(sheet_id, page_size=2, page=2)
    assert [r.id for r in paged.rows] == ids[2:4]
    sparse = admin.Sheets.get_sheet(sheet_id, exclude="nonexistentCells")
    assert all(len(r.cells) == 2 for r in sparse.rows)
    full = admin.Sheets.get_sheet(sheet_id)
    assert all(len(r.cells) == len(cols) for r in full.rows)


def test_it_raises_the_version_on_every_change_and_honours_if_version_after(admin):
    sheet_id, cols = make_sheet(admin)
    v1 = admin.Sheets.get_sheet_version(sheet_id).version
    (row_id,) = add_rows(admin, sheet_id, cols, [{"Name": "a"}])
    v2 = admin.Sheets.get_sheet_version(sheet_id).version
    admin.Sheets.update_rows(sheet_id, [smartsheet.models.Row(
        {"id": row_id, "cells": [{"columnId": cols["Amount"], "value": 3}]})])
    v3 = admin.Sheets.get_sheet_version(sheet_id).version
    assert v1 < v2 < v3
    unchanged = admin.Passthrough.get(f"/sheets/{sheet_id}", {"ifVersionAfter": v3})
    assert unchanged.to_dict() == {"version": v3}
    changed = admin.Sheets.get_sheet(sheet_id, if_version_after=v2)
    assert changed.version == v3 and len(changed.rows) == 1


def test_it_returns_rows_modified_since(sandbox, admin):
    sheet_id, cols = make_sheet(admin)
    old = add_rows(admin, sheet_id, cols, [{"Name": "old"}, {"Name": "older"}])
    sandbox.control.clock.advance(120)
    since = sandbox.control.clock.now().strftime("%Y-%m-%dT%H:%M:%SZ")
    sandbox.control.clock.advance(1)
    new = add_rows(admin, sheet_id, cols, [{"Name": "new"}])
    admin.Sheets.update_rows(sheet_id, [smartsheet.models.Row(
        {"id": old[0], "cells": [{"columnId": cols["Amount"], "value": 1}]})])
    recent = admin.Sheets.get_sheet(sheet_id, rows_modified_since=since)
    assert sorted(r.id for r in recent.rows) == sorted([old[0], new[0]])


def test_it_renames_and_deletes_sheets(admin, client_for):
    sheet_id, _ = make_sheet(admin, name="Before")
    admin.Sheets.update_sheet(sheet_id, smartsheet.models.Sheet({"name": "After"}))
    assert admin.Sheets.get_sheet(sheet_id).name == "After"
    admin.Sheets.delete_sheet(sheet_id)
    with pytest.raises(ApiError) as excinfo:
        admin.Sheets.get_sheet(sheet_id)
    assert excinfo.value.error.result.code == 1006
