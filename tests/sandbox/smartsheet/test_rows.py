"""Bulk rows: the 500-row limit, all-or-nothing vs partial success, deletes."""

from __future__ import annotations

import pytest
import smartsheet
from smartsheet.exceptions import ApiError

from .conftest import add_rows, error_of, make_sheet

Row = smartsheet.models.Row


def _rows(cols, values):
    return [Row({"cells": [{"columnId": cols["Name"], "value": v[0]},
                           {"columnId": cols["Done"], "value": v[1]}]}) for v in values]


def test_it_adds_500_rows_and_refuses_501(admin):
    sheet_id, cols = make_sheet(admin)
    added = admin.Sheets.add_rows(sheet_id, _rows(cols, [(f"r{i}", False) for i in range(500)]))
    assert len(added.result) == 500 and added.result[-1].row_number == 500
    with pytest.raises(ApiError) as excinfo:
        admin.Sheets.add_rows(sheet_id, _rows(cols, [(f"r{i}", False) for i in range(501)]))
    assert excinfo.value.error.result.code == 1061
    assert admin.Sheets.get_sheet(sheet_id).total_row_count == 500


def test_it_fails_the_whole_call_on_the_first_bad_row(admin, caplog):
    sheet_id, cols = make_sheet(admin)
    with pytest.raises(ApiError) as excinfo:
        admin.Sheets.add_rows(sheet_id, _rows(cols, [("ok", True), ("bad", "yes"),
                                                     ("bad too", "no")]))
    assert excinfo.value.error.result.code == 1042
    assert error_of(caplog)["detail"]["index"] == 1
    assert admin.Sheets.get_sheet(sheet_id).total_row_count == 0


def test_it_reports_partial_success(admin):
    sheet_id, cols = make_sheet(admin)
    result = admin.Sheets.add_rows_with_partial_success(
        sheet_id, _rows(cols, [("ok", True), ("bad", "yes"), ("ok too", False)]))
    assert result.message == "PARTIAL_SUCCESS" and result.result_code == 3
    assert [r.cells[0].value for r in result.result] == ["ok", "ok too"]
    assert [(f.index, f.error.code) for f in result.failed_items] == [(1, 1042)]
    ids = [r.id for r in result.result]
    updated = admin.Sheets.update_rows_with_partial_success(sheet_id, [
        Row({"id": ids[0], "cells": [{"columnId": cols["Name"], "value": "changed"}]}),
        Row({"id": 999, "cells": [{"columnId": cols["Name"], "value": "ghost"}]})])
    assert [(f.index, f.error.code) for f in updated.failed_items] == [(1, 1006)]
    assert admin.Sheets.get_row(sheet_id, ids[0]).cells[0].value == "changed"


def test_it_deletes_rows_with_their_children(admin):
    sheet_id, cols = make_sheet(admin)
    (parent, other) = add_rows(admin, sheet_id, cols, [{"Name": "p"}, {"Name": "o"}])
    children = add_rows(admin, sheet_id, cols, [{"Name": "c1"}, {"Name": "c2"}],
                        parent_id=parent)
    with pytest.raises(ApiError) as excinfo:
        admin.Sheets.delete_rows(sheet_id, [parent, 12345])
    assert excinfo.value.error.result.code == 1006
    deleted = admin.Sheets.delete_rows(sheet_id, [parent, 12345], ignore_rows_not_found=True)
    assert sorted(v.value for v in deleted.result) == sorted([parent, *children])
    remaining = admin.Sheets.get_sheet(sheet_id).rows
    assert [(r.id, r.row_number) for r in remaining] == [(other, 1)]
