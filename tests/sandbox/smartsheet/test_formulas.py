"""Cell and column formulas: stored, returned, computed; errors are values, not API errors."""

from __future__ import annotations

import pytest
import smartsheet
from smartsheet.exceptions import ApiError

from .conftest import add_rows, make_sheet

Row = smartsheet.models.Row
Column = smartsheet.models.Column


def _cells(client, sheet_id, row_id) -> dict[int, smartsheet.models.Cell]:
    return {c.column_id: c for c in client.Sheets.get_row(sheet_id, row_id).cells}


def _sheet(admin):
    return make_sheet(admin, columns=[
        {"title": "Name", "type": "TEXT_NUMBER", "primary": True},
        {"title": "Amount", "type": "TEXT_NUMBER"},
        {"title": "Total", "type": "TEXT_NUMBER"},
        {"title": "Label", "type": "TEXT_NUMBER"}])


def test_it_stores_and_computes_cell_formulas(admin):
    sheet_id, cols = _sheet(admin)
    (row_id,) = add_rows(admin, sheet_id, cols, [{"Name": "a", "Amount": 21}])
    result = admin.Sheets.update_rows(sheet_id, [Row({"id": row_id, "cells": [
        {"columnId": cols["Total"], "formula": "=[Amount]@row * 2"},
        {"columnId": cols["Label"], "formula": '=Name@row + " / " + IF(Amount@row > 20, "big", "small")'},
    ]})]).result[0]
    total = next(c for c in result.cells if c.column_id == cols["Total"])
    assert (total.value, total.display_value, total.formula) == (42, "42", "=[Amount]@row * 2")
    cells = _cells(admin, sheet_id, row_id)
    assert cells[cols["Label"]].value == "a / big"
    admin.Sheets.update_rows(sheet_id, [Row({"id": row_id, "cells": [
        {"columnId": cols["Amount"], "value": 5}]})])
    cells = _cells(admin, sheet_id, row_id)
    assert (cells[cols["Total"]].value, cells[cols["Label"]].value) == (10, "a / small")


def test_it_sums_other_rows_and_a_whole_column(admin):
    sheet_id, cols = _sheet(admin)
    first, second, summary = add_rows(admin, sheet_id, cols, [
        {"Name": "a", "Amount": 1}, {"Name": "b", "Amount": 2}, {"Name": "sum"}])
    admin.Sheets.update_rows(sheet_id, [Row({"id": summary, "cells": [
        {"columnId": cols["Total"], "formula": "=SUM([Amount]1, [Amount]2) * 10"},
        {"columnId": cols["Label"], "formula": "=SUM([Amount]:[Amount])"}]})])
    admin.Sheets.update_rows(sheet_id, [Row({"id": second, "cells": [
        {"columnId": cols["Amount"], "value": 4}]})])
    cells = _cells(admin, sheet_id, summary)
    assert (cells[cols["Total"]].value, cells[cols["Label"]].value) == (50, 5)


@pytest.mark.parametrize(("formula", "error"), [
    ("=[Total]@row + 1", "#CIRCULAR REFERENCE"),
    ("=[Amount]@row +", "#UNPARSEABLE"),
    ("=[Nope]@row", "#UNPARSEABLE"),
    ("=VLOOKUP(1, 2, 3)", "#UNPARSEABLE"),
    ("=[Amount]@row / 0", "#DIVIDE BY ZERO"),
    ("=[Name]@row * 2", "#INVALID OPERATION"),
])
def test_it_answers_calculation_errors_as_values(admin, formula, error):
    sheet_id, cols = _sheet(admin)
    (row_id,) = add_rows(admin, sheet_id, cols, [{"Name": "a", "Amount": 3}])
    admin.Sheets.update_rows(sheet_id, [Row({"id": row_id, "cells": [
        {"columnId": cols["Total"], "formula": formula}]})])
    cell = _cells(admin, sheet_id, row_id)[cols["Total"]]
    assert (cell.value, cell.formula) == (error, formula)


def test_it_refuses_a_formula_without_an_equal_sign_with_1162(admin):
    sheet_id, cols = _sheet(admin)
    (row_id,) = add_rows(admin, sheet_id, cols, [{"Name": "a"}])
    with pytest.raises(ApiError) as excinfo:
        admin.Sheets.update_rows(sheet_id, [Row({"id": row_id, "cells": [
            {"columnId": cols["Total"], "formula": "SUM(1)"}]})])
    assert excinfo.value.error.result.code == 1162


def test_it_applies_a_column_formula_and_refuses_writes_to_its_cells(admin):
    sheet_id, cols = _sheet(admin)
    (row_id,) = add_rows(admin, sheet_id, cols, [{"Name": "a", "Amount": 3}])
    column = admin.Sheets.update_column(sheet_id, cols["Total"], Column(
        {"formula": "=Amount@row * 3"})).result
    assert column.formula == "=Amount@row * 3"
    (new_row,) = add_rows(admin, sheet_id, cols, [{"Name": "b", "Amount": 1}])
    assert _cells(admin, sheet_id, row_id)[cols["Total"]].value == 9
    assert _cells(admin, sheet_id, new_row)[cols["Total"]].value == 3
    with pytest.raises(ApiError) as excinfo:
        admin.Sheets.update_rows(sheet_id, [Row({"id": row_id, "cells": [
            {"columnId": cols["Total"], "value": 1}]})])
    error = excinfo.value.error.result
    assert (error.code, error.message) == (1302, "Cannot edit column formula cells.")
    with pytest.raises(ApiError) as excinfo:
        admin.Sheets.update_column(sheet_id, cols["Label"], Column({"formula": "=[Amount]1"}))
    assert excinfo.value.error.result.code == 1310
    admin.Sheets.update_column(sheet_id, cols["Total"], Column({"formula": ""}))
    cell = _cells(admin, sheet_id, row_id)[cols["Total"]]
    assert (cell.value, cell.formula) == (9, None)
