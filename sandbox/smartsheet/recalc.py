"""Recalculation of a sheet's formula cells after a write (see :mod:`.formulas`).

A formula cell is stored like any other cell, ``{columnId, value, displayValue, formula}``,
so GET sheet returns it without evaluating anything. After every write the formula cells of
the written rows are recomputed; when some formula reaches other rows (``[Col]3``, a whole
column), every formula cell of the sheet is.
"""

from __future__ import annotations

from functools import lru_cache

from . import formulas
from .cells import display_number
from .model import Row, Sheet


@lru_cache(maxsize=512)
def _cross_row(formula: str) -> bool:
    try:
        refs = formulas.references(formulas.parse(formula))
    except formulas.FormulaError:
        return False
    return any(r.row is not None or r.whole_column for r in refs)


def formula_of(column: dict, cell: dict | None) -> str | None:
    """The formula that computes this cell: the column's, else the cell's own."""
    return column.get("formula") or (cell or {}).get("formula")


def has_formulas(sheet: Sheet) -> bool:
    return sheet.cell_formulas or any(c.get("formula") for c in sheet.columns)


def recalculate(sheet: Sheet, rows: list[Row] | None = None) -> None:
    """Recompute formula cells of ``rows`` (None: all rows), or of the whole sheet when a
    formula reaches other rows."""
    if not has_formulas(sheet):
        return
    columns = sheet.columns
    by_title = {c["title"].lower(): c for c in columns}
    targets = rows if rows is not None else sheet.rows
    if rows is not None and _any_cross_row(sheet):
        targets = sheet.rows
    memo: dict[tuple[int, int], object] = {}
    for row in targets:
        for column in columns:
            if formula_of(column, row.cells.get(column["id"])):
                _value(sheet, by_title, row, column, memo, set())
    for row in targets:
        changed = False
        for column in columns:
            cid = column["id"]
            formula = formula_of(column, row.cells.get(cid))
            if not formula:
                continue
            cell = _cell(column, formula, memo[(row.id, cid)])
            if row.cells.get(cid) != cell:
                row.cells[cid] = cell
                changed = True
        if changed:
            row.cells_json = None


def _any_cross_row(sheet: Sheet) -> bool:
    if any(c.get("formula") and _cross_row(c["formula"]) for c in sheet.columns):
        return True
    return any(cell.get("formula") and _cross_row(cell["formula"])
               for row in sheet.rows for cell in row.cells.values())


def _value(sheet: Sheet, by_title: dict[str, dict], row: Row, column: dict,
           memo: dict, visiting: set) -> object:
    key = (row.id, column["id"])
    if key in memo:
        return memo[key]
    cell = row.cells.get(column["id"])
    formula = formula_of(column, cell)
    if not formula:
        return (cell or {}).get("value")
    if key in visiting:
        return formulas.CIRCULAR
    visiting.add(key)

    def resolve(ref: formulas.Ref) -> object:
        target = by_title.get(ref.title.lower())
        if target is None:
            raise formulas.FormulaError(formulas.UNPARSEABLE)
        if ref.whole_column:
            return [_value(sheet, by_title, r, target, memo, visiting) for r in sheet.rows]
        if ref.row is None:
            return _value(sheet, by_title, row, target, memo, visiting)
        if not 1 <= ref.row <= len(sheet.rows):
            raise formulas.FormulaError(formulas.UNPARSEABLE)
        return _value(sheet, by_title, sheet.rows[ref.row - 1], target, memo, visiting)

    result = formulas.evaluate(formula, resolve)
    visiting.discard(key)
    memo[key] = result
    return result


def _cell(column: dict, formula: str, value: object) -> dict:
    cell: dict = {"columnId": column["id"]}
    if value is None or value == "":
        cell["formula"] = formula
        return cell
    cell["value"] = value
    if isinstance(value, bool):
        if column["type"] != "CHECKBOX":
            cell["displayValue"] = "true" if value else "false"
    elif isinstance(value, int | float):
        cell["displayValue"] = display_number(value)
    elif column["type"] != "DATE":
        cell["displayValue"] = str(value)
    cell["formula"] = formula
    return cell
