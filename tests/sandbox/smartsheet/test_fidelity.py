"""Error codes and statuses checked against Smartsheet's published error table.

Each test pins one fact the fidelity review confirmed (or made stricter) so that the
emulator does not drift back: the SDK sees the same code and HTTP status it would see
against api.smartsheet.com.
"""

from __future__ import annotations

import pytest
import smartsheet
from smartsheet.exceptions import ApiError

from .conftest import BOB, add_rows, make_sheet

Row = smartsheet.models.Row


def _refused(call) -> smartsheet.models.ErrorResult:
    with pytest.raises(ApiError) as excinfo:
        call()
    return excinfo.value.error.result


def test_it_answers_a_locked_column_with_403_and_1039(sandbox, admin, client_for):
    sheet_id, cols = make_sheet(admin)
    admin.Sheets.update_column(sheet_id, cols["Amount"], smartsheet.models.Column({"locked": True}))
    sandbox.smartsheet.share(sheet_id=sheet_id, email=BOB, access_level="EDITOR")
    (row_id,) = add_rows(admin, sheet_id, cols, [{"Name": "r"}])
    error = _refused(lambda: client_for(BOB).Sheets.update_rows(sheet_id, [Row({
        "id": row_id, "cells": [{"columnId": cols["Amount"], "value": 5}]})]))
    assert (error.code, error.status_code) == (1039, 403)
    assert error.message == f"Cannot edit a locked column {cols['Amount']}."


def test_it_refuses_added_rows_with_different_locations_with_1123(admin):
    sheet_id, cols = make_sheet(admin)
    add_rows(admin, sheet_id, cols, [{"Name": "existing"}])
    error = _refused(lambda: admin.Sheets.add_rows(sheet_id, [
        Row({"toTop": True, "cells": [{"columnId": cols["Name"], "value": "a"}]}),
        Row({"toBottom": True, "cells": [{"columnId": cols["Name"], "value": "b"}]})]))
    assert (error.code, error.status_code) == (1123, 400)
    assert "Each row must use the same row location" in error.message
    assert len(admin.Sheets.get_sheet(sheet_id).rows) == 1


def test_it_refuses_a_cell_with_both_value_and_object_value_with_1130(admin):
    sheet_id, cols = make_sheet(admin)
    (row_id,) = add_rows(admin, sheet_id, cols, [{"Name": "r"}])
    # Sent raw so the body is exactly the one under test (the API takes one row object
    # as well as an array).
    error = _refused(lambda: admin.Passthrough.put(f"/sheets/{sheet_id}/rows", {
        "id": row_id, "cells": [{"columnId": cols["Name"], "value": "x",
                                 "objectValue": "y"}]}))
    assert (error.code, error.status_code) == (1130, 400)
    cell = next(c for c in admin.Sheets.get_row(sheet_id, row_id).cells
                if c.column_id == cols["Name"])
    assert cell.value == "r"


def test_it_refuses_children_under_a_blank_parent_with_1185(admin):
    sheet_id, cols = make_sheet(admin)
    blank, filled = add_rows(admin, sheet_id, cols, [{}, {"Name": "parent"}])
    error = _refused(lambda: add_rows(admin, sheet_id, cols, [{"Name": "child"}],
                                      parentId=blank))
    assert (error.code, error.status_code) == (1185, 400)
    (child,) = add_rows(admin, sheet_id, cols, [{"Name": "child"}], parentId=filled)
    assert admin.Sheets.get_row(sheet_id, child).parent_id == filled


def test_it_names_the_system_column_it_refuses_with_1046(admin):
    sheet_id, cols = make_sheet(admin)
    added = admin.Sheets.add_columns(sheet_id, [smartsheet.models.Column({
        "title": "Created", "type": "DATETIME", "systemColumnType": "CREATED_DATE",
        "index": 1})]).result
    (row_id,) = add_rows(admin, sheet_id, cols, [{"Name": "r"}])
    error = _refused(lambda: admin.Sheets.update_rows(sheet_id, [Row({
        "id": row_id, "cells": [{"columnId": added[0].id, "value": "2026-01-01T00:00:00Z"}]})]))
    assert (error.code, error.status_code) == (1046, 400)
    assert error.message.endswith(f"columnId : {added[0].id}.")
