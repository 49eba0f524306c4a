"""Cell writes shared by row adds and updates: who writes, parsing of the written cells,
applying them (history, system columns) and the version bump.

Facts and their sources:

- a cell with ``formula`` and any of value/objectValue/hyperlink/linkInFromCell/image is
  error 1163; a hyperlink with ``url`` and ``sheetId``/``reportId`` is 1112 (recorded
  scenarios "Add Rows - Invalid - Assign Value and Formulae" and "... Hyperlink URL and
  SheetId"); a formula not starting with ``=`` is 1162 (published error-code list);
- a cell of a column that has a column formula cannot be written: 1302 "Cannot edit column
  formula cells." (published error-code list);
- clearing a CHECKBOX cell (``""`` or null) makes it ``false`` (recorded scenario "Update
  Rows - Clear Value - Checkbox");
- ``overrideValidation`` (query parameter or cell attribute) lets a value outside a
  validated column through with ``strict: false``, for sheet admins only (1212) ("Rows —
  Add rows", "Cells — Cell object").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .cells import ParsedCell, parse_object_value, parse_value
from .errors import ApiError
from .model import RANK, Row, Sheet

_EMPTY = object()
_HYPERLINK_TARGETS = ("url", "sheetId", "reportId", "sightId")


@dataclass
class WriteContext:
    """Who writes, and when."""

    user: dict
    access_level: str
    at: str
    ts: float
    new_id: Callable[[], int]
    users_by_email: dict[str, dict]
    users_by_id: dict[int, dict]
    #: ``overrideValidation=true`` on the request's query string.
    override_validation: bool = False

    @property
    def rank(self) -> int:
        return RANK[self.access_level]


def require_rank(ctx: WriteContext, level: str) -> None:
    if ctx.rank < RANK[level]:
        raise ApiError(1004)


def touch(sheet: Sheet, ctx: WriteContext) -> None:
    """Every change raises the sheet's version."""
    sheet.version += 1
    sheet.modified_at = ctx.at


def parse_cells(sheet: Sheet, cells_in: object, ctx: WriteContext,
                columns: dict[int, dict]) -> dict[int, ParsedCell | None]:
    """Validate a row's cells; ``None`` means "clear this cell"."""
    if cells_in is None:
        return {}
    if not isinstance(cells_in, list):
        raise ApiError(1008, "row.cells must be an array")
    parsed: dict[int, ParsedCell | None] = {}
    for cell in cells_in:
        if not isinstance(cell, dict) or "columnId" not in cell:
            raise ApiError(1012, "cell.columnId")
        cid = cell["columnId"]
        column = columns.get(cid)
        if column is None:
            raise ApiError(1036, cid)
        if cid in parsed:
            raise ApiError(1037, cid)
        if column.get("systemColumnType"):
            raise ApiError(1046, cid)
        if column.get("locked") and ctx.rank < RANK["ADMIN"]:
            raise ApiError(1039, cid)
        parsed[cid] = _parse_cell(sheet, column, cell, ctx)
    return parsed


def _parse_cell(sheet: Sheet, column: dict, cell: dict, ctx: WriteContext
                ) -> ParsedCell | None:
    cid = column["id"]
    if column.get("formula"):
        raise ApiError(1302)
    value = cell.get("value", _EMPTY)
    formula = cell.get("formula")
    if formula is not None:
        if value not in (_EMPTY, None) or any(
                cell.get(k) is not None
                for k in ("objectValue", "hyperlink", "linkInFromCell", "image")):
            raise ApiError(1163)
        if not isinstance(formula, str) or not formula.startswith("="):
            raise ApiError(1162)
        sheet.cell_formulas = True
        return ParsedCell({"columnId": cid, "formula": formula})
    if cell.get("linkInFromCell") is not None:
        raise ApiError(1032, "cell.linkInFromCell")  # cross-sheet links: not emulated
    override = ctx.override_validation or cell.get("overrideValidation") is True
    if override and ctx.rank < RANK["ADMIN"]:
        raise ApiError(1212)
    strict = cell.get("strict", True) is not False
    if cell.get("objectValue") is not None and value not in (_EMPTY, None):
        raise ApiError(1130)
    hyperlink = cell.get("hyperlink")
    if hyperlink is not None:
        return _hyperlink_cell(column, hyperlink, value, strict, ctx)
    if cell.get("objectValue") is not None:
        return parse_object_value(column, cell["objectValue"], strict=strict,
                                  users_by_email=ctx.users_by_email, override=override)
    if value is _EMPTY or value is None or value == "":
        if column["type"] == "CHECKBOX":
            return ParsedCell({"columnId": cid, "value": False})
        return None
    if not isinstance(value, str | int | float | bool):
        raise ApiError(1038)
    return parse_value(column, value, strict=strict, users_by_email=ctx.users_by_email,
                       override=override)


def _hyperlink_cell(column: dict, hyperlink: object, value: object, strict: bool,
                    ctx: WriteContext) -> ParsedCell:
    if not isinstance(hyperlink, dict):
        raise ApiError(1117)
    targets = [k for k in _HYPERLINK_TARGETS if hyperlink.get(k) not in (None, "")]
    if not targets:
        raise ApiError(1117)
    if len(targets) > 1:
        raise ApiError(1112)
    if not isinstance(value, str) or not value:
        raise ApiError(1113)
    result = parse_value(column, value, strict=strict, users_by_email=ctx.users_by_email,
                         hyperlink=True)
    target = targets[0]
    link = hyperlink[target]
    result.cell["hyperlink"] = {target: str(link) if target == "url" else link}
    return result


def apply_cells(sheet: Sheet, row: Row, parsed: dict[int, ParsedCell | None],
                ctx: WriteContext, *, created: bool) -> list[dict]:
    """Write parsed cells, keep cell history, stamp the row; return webhook events."""
    events = []
    changed = False
    for cid, result in parsed.items():
        old = row.cells.get(cid)
        if result is None:
            if old is None:
                continue
            del row.cells[cid]
            row.objv.pop(cid, None)
            entry = [None, None, ctx.at, ctx.user["id"]]
            event = "deleted"
        else:
            if old == result.cell and row.objv.get(cid) == result.object_value:
                continue
            row.cells[cid] = result.cell
            if result.object_value is not None:
                row.objv[cid] = result.object_value
            else:
                row.objv.pop(cid, None)
            entry = [result.cell.get("value"), result.cell.get("displayValue"), ctx.at,
                     ctx.user["id"]]
            event = "created" if old is None else "updated"
        sheet.history.setdefault(f"{row.id}:{cid}", []).append(entry)
        events.append({"objectType": "cell", "eventType": event, "rowId": row.id,
                       "columnId": cid})
        changed = True
    if changed or created:
        row.cells_json = None
        row.modified_at, row.modified_ts, row.modified_by = ctx.at, ctx.ts, ctx.user["id"]
        stamp_system_cells(sheet, row, ctx, created=created)
    return events


def stamp_system_cells(sheet: Sheet, row: Row, ctx: WriteContext, *, created: bool) -> None:
    """Fill system columns (auto number, created/modified date and by)."""
    row.cells_json = None
    for column in sheet.columns:
        kind = column.get("systemColumnType")
        if not kind:
            continue
        cid = column["id"]
        if kind == "AUTO_NUMBER" and created:
            sheet.auto_number += 1
            fmt = column.get("autoNumberFormat") or {}
            number = str(fmt.get("startingNumber", 1) + sheet.auto_number - 1)
            number = number.zfill(len(fmt.get("fill", "")))
            text = f"{fmt.get('prefix', '')}{number}{fmt.get('suffix', '')}"
            row.cells[cid] = {"columnId": cid, "value": text, "displayValue": text}
        elif kind == "CREATED_DATE" and created or kind == "MODIFIED_DATE":
            row.cells[cid] = {"columnId": cid, "value": row.modified_at,
                              "displayValue": row.modified_at}
        elif kind == "CREATED_BY" and created or kind == "MODIFIED_BY":
            user = ctx.user
            row.cells[cid] = {"columnId": cid, "value": user["email"],
                              "displayValue": user["name"]}
            row.objv[cid] = {"objectType": "CONTACT", "email": user["email"],
                             "name": user["name"]}
